"""`rag bench`: how cost grows with the corpus (`rag.bench`)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..bench import BenchConfig, run
from ..bench.runner import default_rss_cap_gb, parse_sizes
from ..errors import RagError


def _bench_milvus(store: str | None) -> bool:
    """`rag bench --store milvus-lite`: measure a milvus-lite collection beside the files."""
    if store in (None, "", "faiss", "files"):
        return False
    if store in ("milvus-lite",) or store.startswith("milvus-lite:"):
        return True
    raise RagError(f"rag bench 的 --store 只能是 faiss 或 milvus-lite（收到“{store}”）：基准在本机嵌入运行 Milvus。")


def cmd_bench(args) -> int:

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
