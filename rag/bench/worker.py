"""Runs one benchmark phase in a fresh process: `python -m rag.bench SPEC.json`.

SPEC names the phase and its arguments; the result dict is written to
SPEC["result"]. The parent (`rag.bench.runner`) watches memory and time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def run_phase(spec: dict, embedder=None) -> dict:
    """Run the phase `spec` describes (in this process). `embedder` overrides spec["embedder"]."""
    from ..embedding import get_embedder
    from . import measure

    embedder = embedder or get_embedder(spec["embedder"])
    phase = spec["phase"]
    if phase == "ingest":
        return measure.ingest_phase(spec["n"], Path(spec["index_dir"]), Path(spec["cache"]), embedder, spec.get("exact_limit"))
    if phase == "serve":
        return measure.serve_phase(
            Path(spec["index_dir"]), embedder, Path(spec["qa"]), spec["n_questions"], spec.get("profile", False),
            spec.get("store"), Path(spec["exact_dir"]) if spec.get("exact_dir") else None,
        )  # fmt: skip
    if phase == "milvus-ingest":
        return measure.milvus_ingest_phase(Path(spec["index_dir"]), spec["store"], embedder)
    if phase == "baseline":
        return measure.baseline_phase(spec["n"], Path(spec["cache"]), embedder, spec["questions"])
    raise ValueError(f"unknown benchmark phase {phase!r}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = run_phase(spec)
    Path(spec["result"]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
