"""A real ingest in a child process, for the crash and concurrency tests.

    python tests/ingest_child.py stop POINT INDEX PATH...   ingest; freeze at POINT (print "AT POINT") to be killed
    python tests/ingest_child.py add INDEX PATH...          one ordinary ingest
    python tests/ingest_child.py loop INDEX DIR N           N ingests, each changing DIR/c_live.txt (new generation each)

Runs the shipped ingest code (`rag.ingest.run`, `rag.stores.files`) with the deterministic
fake embedder; only the stopping points are patched in, and only in this process.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import numpy as np  # noqa: E402

import rag.stores.files as store  # noqa: E402
from fakes import KeywordEmbedder  # noqa: E402
from rag.ingest.run import ingest  # noqa: E402

POINTS = ("embedding", "vectors", "faiss", "rename", "pointer", "swapped")


def freeze(point: str):
    def stop(*args, **kwargs):
        print(f"AT {point}", flush=True)
        time.sleep(600)

    return stop


def only_if(real, condition, stop):
    def call(src, dst, *args, **kwargs):
        return (stop if condition(src, dst) else real)(src, dst, *args, **kwargs)

    return call


def patch(point: str, embedder: KeywordEmbedder) -> None:
    """Freeze the ingest at one point of its write path (see rag.stores.files.save_index)."""
    import faiss

    if point == "embedding":  # lock held, nothing written yet
        embedder.embed_passages = freeze(point)
    elif point == "vectors":  # .building-*/chunks.jsonl written, vectors.npy not yet
        np.save = freeze(point)
    elif point == "faiss":  # chunks and vectors written, faiss.index not yet
        faiss.write_index = freeze(point)
    elif point == "rename":  # every file and the manifest written and fsynced, not yet renamed to gen-*
        os.rename = only_if(os.rename, lambda src, dst: Path(src).name.startswith(".building-"), freeze(point))
    elif point == "pointer":  # gen-* in place, the new CURRENT written beside the old one, not yet swapped
        os.replace = only_if(os.replace, lambda src, dst: Path(dst).name == "CURRENT", freeze(point))
    elif point == "swapped":  # the new generation is live, the old one not yet removed
        store.collect_garbage = freeze(point)
    else:
        raise SystemExit(f"unknown point {point}")


def main(argv: list[str]) -> int:
    mode = argv[0]
    embedder = KeywordEmbedder()
    if mode == "stop":
        point, root, *paths = argv[1:]
        patch(point, embedder)
        ingest(paths, root, embedder)
        print("FINISHED", flush=True)  # the stop point was never reached
        return 3
    if mode == "add":
        root, *paths = argv[1:]
        report = ingest(paths, root, embedder)
        print("ADDED", *report.added, flush=True)
        return 0
    if mode == "loop":
        root, folder, n = argv[1], Path(argv[2]), int(argv[3])
        for i in range(n):
            (folder / "c_live.txt").write_text(
                f"丙区政府工作报告。\n丙区新建公园{i + 1}个，新增绿地{i + 10}公顷。\n", encoding="utf-8"
            )
            ingest([folder], root, embedder)
            print(f"GEN {i + 1} {store.current_generation(Path(root)).name}", flush=True)
            time.sleep(0.05)
        return 0
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
