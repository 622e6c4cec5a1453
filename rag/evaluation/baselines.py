"""Baselines for `rag eval --compare`: the same questions, on the same machine,
in one run, through the same metrics as this project's assistant.

- ``bm25``: BM25 only, over this project's own chunks (the loaded index);
- ``dense``: dense search only, over the same chunks, same embedder;
- ``chatchat``: a Chatchat-style LangChain recipe built from the raw documents
  (`rag.evaluation.chatchat`);
- ``report-qa``: this project (what `rag eval` runs).

Every baseline answers with its top passage, quoted and cited [1], and never
refuses. Each system produces the prediction objects of `docs/contracts.md`.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ..domain.tokenize import tokenize
from ..errors import RagError
from ..ingest.loading import load_document
from ..progress import TerminalProgress, counter
from ..stores.index import HybridIndex
from .chatchat import CHUNK_OVERLAP, CHUNK_SIZE, RRF_C, WEIGHTS, ChatchatRecipe, Passage
from .harness import System, run_system, write_report

MAIN = "report-qa"
BUNDLED_REPORTS = Path(__file__).resolve().parent.parent.parent / "data" / "reports"
Search = Callable[[str, int], list[Passage]]


class IndexBM25:
    """BM25 alone over the index's chunks (question tokenised as the index is)."""

    def __init__(self, index: HybridIndex):
        self.index = index

    def search(self, question: str, k: int = 10) -> list[Passage]:
        hits = self.index.lexical(tokenize(question), k)
        return [_passage(self.index, i, s) for i, s in hits]


class IndexDense:
    """Dense search alone over the index's vectors (query embedded every time, no cache)."""

    def __init__(self, index: HybridIndex, embedder):
        self.index = index
        self.embedder = embedder

    def search(self, question: str, k: int = 10) -> list[Passage]:
        vec = self.embedder.embed_queries([question])[0]
        return [_passage(self.index, i, s) for i, s in self.index.dense(vec, k)]


def _passage(index: HybridIndex, i: int, score: float) -> Passage:
    c = index.chunks[i]
    return Passage(c.text, c.doc_id, c.chunk_id, float(score))


def top_passage_prediction(question: str, passages: list[Passage], latency_ms: float) -> dict:
    """The baseline answer rule: quote the top passage, cite it as [1], never refuse."""
    top = passages[0] if passages else None
    return {
        "question": question,
        "answer": f"“{top.text}”[1]" if top else "",
        "refused": False,
        "citations": [{"n": 1, "doc": top.doc, "chunk_id": top.chunk_id, "text": top.text}] if top else [],
        "retrieved": [{"doc": p.doc, "chunk_id": p.chunk_id, "text": p.text, "score": round(p.score, 4)} for p in passages[:10]],
        "latency_ms": round(latency_ms, 1),
    }


def passage_system(search: Search, k: int = 10) -> System:
    """A `System` (question -> prediction) that answers with the top passage of `search`."""

    def system(question: str) -> dict:
        started = time.perf_counter()
        passages = search(question, k)
        return top_passage_prediction(question, passages, (time.perf_counter() - started) * 1000)

    return system


def index_documents(index_dir: str | Path, bundled: Path = BUNDLED_REPORTS, store=None) -> list[tuple[str, str]]:
    """The raw (doc_id, text) of every document in the index, read from the source
    path its manifest records (or the bundled reports), checked against its sha256."""
    from ..stores import open_store

    manifest = (store or open_store(Path(index_dir))).read_manifest()
    docs, problems = [], []
    for doc_id, info in sorted(manifest.documents.items()):
        candidates = [Path(info["source"])] if info.get("source") else []
        candidates.append(bundled / doc_id)
        found = None
        for path in candidates:
            if path.is_file():
                doc = load_document(path)
                if doc.sha256 == info["sha256"]:
                    found = doc
                    break
        if found is None:
            where = "、".join(str(p) for p in candidates)
            problems.append(f"{doc_id}（查找了 {where}）")
        else:
            docs.append((doc_id, found.text))
    if problems:
        raise RagError(
            "对比评测需要索引中每个文档的原文件，以下文档找不到或内容已改变：" + "；".join(problems) + "。"
            "请恢复原文件，或用 `rag ingest` 更新索引后重试。"
        )
    return docs


def machine_note() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        usable = os.cpu_count() or 1
    return (
        f"{cpu}; {os.cpu_count()} logical cores ({usable} usable by this process); "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; Python {platform.python_version()} on {platform.system()}"
    )


def systems_note(index_chunks: int, recipe: ChatchatRecipe, embedder_name: str, timings: dict[str, float], build_s: float) -> str:
    cached = "vectors from the on-disk cache" if recipe.from_cache else "passages embedded in this run"
    w_bm25, w_dense = WEIGHTS
    runs = ", ".join(f"{name} {s:.2f} s" for name, s in timings.items())
    return "\n".join(
        [
            "**Systems compared** (same questions, same machine, one run; embedder "
            f"`{embedder_name}` for every dense search; k = 10 passages retrieved):",
            "",
            f"- `bm25`: BM25 (bm25s, k1=1.2, b=0.75) alone over this project's {index_chunks} chunks (paragraphs split at "
            "sentence boundaries, each indexed with its document header: region, year, type, section); question "
            "tokenised by jieba search mode minus stopwords. Answer = the top passage quoted, cited [1]; never refuses.",
            "- `dense`: FAISS inner-product search alone over the same chunks and vectors (header included). "
            "Answer = the top passage; never refuses.",
            f"- `chatchat`: a Chatchat-style LangChain recipe built independently from the raw documents: "
            f"`RecursiveCharacterTextSplitter(chunk_size={CHUNK_SIZE}, chunk_overlap={CHUNK_OVERLAP})` with the "
            "separators of Chatchat's ChineseRecursiveTextSplitter (regexes `\\n\\n`, `\\n`, `。|！|？`, "
            '`\\.\\s|\\!\\s|\\?\\s`, `；|;\\s`, `，|,\\s`, kept at the end of a piece, then `""` as a hard cut), no document '
            f"header -> {len(recipe)} passages; BM25 over `jieba.lcut_for_search` tokens (bm25s) + FAISS, each top k, "
            f"fused as LangChain's EnsembleRetriever (weighted reciprocal rank, weights {w_bm25}/{w_dense}, c={RRF_C}). "
            f"Answer = the top fused passage, cited [1]; never refuses. Built in {build_s:.1f} s ({cached}).",
            f"- `{MAIN}`: this project — hybrid BM25 + dense with reciprocal-rank fusion, slot-aware re-weighting "
            "(region, year, target vs actual), extractive sentence selection and refusal (what `rag eval` runs).",
            "",
            f"Machine: {machine_note()}. Wall time per system: {runs}. Latency = time per question inside the system "
            "(query embedding included; the baselines never reuse a cached query vector). A baseline's answer is its "
            "whole top passage, so its answer_acc credits it whenever that passage contains the expected figure.",
        ]
    )


def compare(
    assistant,
    qa: list[dict],
    main_preds: list[dict],
    out: str | Path,
    k: int = 10,
    main_seconds: float = 0.0,
    say: Callable[[str], None] | None = None,
    cache_dir: str | Path | None = None,
    docs: dict | None = None,
) -> dict[str, dict]:
    """Run the three baselines on `qa`, score them beside `main_preds`, write the report.

    `assistant` is the loaded `rag.pipeline.Assistant` whose index and embedder
    the baselines share. Returns {system: metrics}.
    """
    say = say or (lambda msg: None)
    out = Path(out)
    index = assistant.retriever.index
    embedder = assistant.embedder
    started = time.perf_counter()
    say("Chatchat 基线：切分原文并向量化…")
    recipe = ChatchatRecipe.build(
        index_documents(assistant.index_dir, store=assistant.store), embedder, cache_dir=cache_dir or out / ".cache"
    )
    build_s = time.perf_counter() - started
    searches: dict[str, Search] = {
        "bm25": IndexBM25(index).search,
        "dense": IndexDense(index, embedder).search,
        "chatchat": recipe.search,
    }
    systems: dict[str, list[dict]] = {}
    timings: dict[str, float] = {}
    for name, search in searches.items():
        t = time.perf_counter()
        bar = TerminalProgress(sys.stderr)
        systems[name] = run_system(passage_system(search, k), qa, progress=counter(name, bar))
        bar.close()
        timings[name] = time.perf_counter() - t
    systems[MAIN] = main_preds
    timings[MAIN] = main_seconds
    from .fit import reranker_note

    notes = systems_note(len(index), recipe, embedder.name, timings, build_s) + "\n\n" + reranker_note()
    return write_report(out, qa, systems, main=MAIN, notes=notes, docs=docs)
