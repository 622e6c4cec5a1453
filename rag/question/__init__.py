"""Stage 2 — question: a user's text in, one read `Question` out (`read.Reader.read`, once per turn).

- `model`: the `Question` every later step reads, its `Scope`, the `Bridge` of a described place;
- `read`: the one reading of a turn — cleaning, the follow-up made standalone, the table ask, the bridge, the
  parts, each text parsed once (a memo of recent parses) with the knowledge base's one place model;
- `reading`: the slots of one text — places, years, periods, kind, what is asked, the indicator;
- `scope`: which reports of the knowledge base may answer it, and its relative years made absolute;
- `followup`: "那临淄区呢？" resolved against the previous question's parse;
- `parts`: compound questions split into parts, and bridge questions (a place reached through another);
- `tables`: whether it asks for a table across regions or years, and which.
The language these read (years, places, units, numerals, targets and results) lives in `rag.domain`.
"""
