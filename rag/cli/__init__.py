"""The `rag` command: `main` parses, runs one command, and turns domain errors into one-line messages.

`main.py` holds the commands that ask and evaluate; `index.py` those that list or export an index
(`docs`, `indicators`); `bench.py` the benchmark command.
"""
