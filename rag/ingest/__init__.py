"""Stage 1 — ingest: report files in, an index written to a store out.

    files (txt/md/docx/pdf) --loading--> Document --metadata, titleblock--> DocMeta
      --chunking--> Chunk (paragraphs with provenance and a short header) --embedding--> vectors
      --records--> indicator records --> `Store.write` (`rag.stores`)

`run.ingest` is the one code path for every store; `ray` runs loading and embedding on a Ray cluster.
"""
