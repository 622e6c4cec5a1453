"""Stage 2 — question: a user's text in, one read `Question` out.

- `reading`: the slots of a question — places, years, periods, kind, what is asked, the indicator;
- `scope`: which reports of the knowledge base may answer it;
- `followup`: "那临淄区呢？" resolved against the previous question;
- `parts`: compound questions split into parts, and bridge questions (a place reached through another);
- `tables`: whether it asks for a table across regions or years, and which.
"""
