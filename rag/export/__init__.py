"""Out of the assistant: answers and tables as files a briefing writer keeps.

- `briefing`: one answer or a conversation as Markdown or Word (tables and charts included);
- `tables`: a table answer or the indicator records as CSV or Excel, and the table's chart.
In: `Answer`s (`rag.types`). Out: bytes and file names. Nothing here reads the index.
"""
