"""`rag docs`, `rag indicators` and `rag bench`: the commands that list, export or measure an index."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import RagError


def cmd_docs(args) -> int:
    from ..stores import open_store

    store = open_store(args.index, args.store)
    manifest = store.read_manifest()
    where = "" if store.kind == "files" else f"（{store.describe()}）"
    print(f"索引 {args.index}{where}：模型 {manifest.embedder}，{len(manifest.documents)} 个文档")
    from ..domain.places import LEVEL_NAMES

    for doc_id, d in sorted(manifest.documents.items()):
        meta = d.get("meta", {})
        who = " ".join(x for x in (meta.get("speaker_title", ""), meta.get("speaker", "")) if x)
        fields = [
            meta.get("region", "") or "（地区未知）",
            LEVEL_NAMES.get(meta.get("level", ""), "") if meta.get("level") else "",
            f"{meta['year']}年" if meta.get("year") else "",
            meta.get("doc_type", ""),
            meta.get("date", ""),
            who,
        ]
        print(f"  {doc_id}  {' '.join(f for f in fields if f)}  {meta.get('title', '')}  {d['chunks']} 段")
    return 0


def cmd_indicators(args) -> int:
    from ..domain.places import mainland_provinces
    from ..export.tables import RECORD_COLUMNS, record_rows, write_table
    from ..ingest.records import extract
    from ..question.tables import select_records
    from ..retrieval import place_model
    from ..stores import open_store

    index, _ = open_store(args.index, args.store).load()
    records = extract(index.chunks) if index.records_stale else index.records
    g = place_model(index.doc_table()[1])  # the questions' place model: "张店" is 张店区 when a report covers it
    chosen = select_records(
        records, g, [p.name for p in mainland_provinces(g)], args.region, args.year, args.indicator, args.kind
    )
    rows = record_rows(chosen, lambda cid: index.chunks[index.by_id[cid]])
    if args.csv or args.xlsx:
        path = write_table(rows, RECORD_COLUMNS, args.csv or args.xlsx)
        print(f"{len(rows)} 条指标记录 -> {path}")
        return 0
    if not rows:
        print("没有符合条件的指标记录。", file=sys.stderr)
        return 1
    for r in rows:
        print(
            "\t".join(
                str(r[k] if r[k] is not None else "") for k in ("region", "year", "kind", "name", "value", "doc", "chunk_id")
            )
        )
    print(f"共 {len(rows)} 条（--csv/--xlsx 可导出，含原文句子）", file=sys.stderr)
    return 0


def _bench_milvus(store: str | None) -> bool:
    """`rag bench --store milvus-lite`: measure a milvus-lite collection beside the files."""
    if store in (None, "", "faiss", "files"):
        return False
    if store in ("milvus-lite",) or store.startswith("milvus-lite:"):
        return True
    raise RagError(f"rag bench 的 --store 只能是 faiss 或 milvus-lite（收到“{store}”）：基准在本机嵌入运行 Milvus。")


def cmd_bench(args) -> int:
    from ..bench import BenchConfig, run
    from ..bench.runner import default_rss_cap_gb, parse_sizes

    if not 1 <= args.questions <= 10000:
        raise RagError(f"--questions 必须在 1 到 10000 之间（收到 {args.questions}）。")
    config = BenchConfig(
        sizes=parse_sizes(args.sizes),
        out=Path(args.out),
        json_out=Path(args.json_out) if args.json_out else None,
        questions=args.questions,
        embedder=args.embedder,
        baseline=not args.no_baseline,
        max_rss_mb=(args.max_rss_gb or default_rss_cap_gb()) * 1024,
        timeout_s=args.timeout_min * 60,
        profile=args.profile,
        milvus=_bench_milvus(args.store),
    )
    run(config, say=lambda m: print(m, file=sys.stderr))
    print(
        f"-> {args.out}/report.md, {args.out}/bench.json, {args.out}/latency.png"
        + (f", {args.json_out}" if args.json_out else "")
    )
    return 0
