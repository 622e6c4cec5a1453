"""The benchmark's outputs: the summary object (`--json`), `report.md` with the
tables and where each figure comes from, `latency.png` (log axes), and the raw
phase results (`details.json`)."""

from __future__ import annotations

import json
import time
from pathlib import Path

KEYS = (
    "chunks",
    "retrieval_p50_ms",
    "retrieval_p95_ms",
    "answer_p50_ms",
    "answer_p95_ms",
    "rss_mb",
    "index_mb",
    "index_type",
    "recall_at_10_vs_flat",
)


def _ok(phase: dict | None) -> dict:
    return phase if phase and phase.get("status") == "ok" else {}


def _row(n: int, timed: dict, rss: list[float | None], index_mb, index_type) -> dict:
    rss = [r for r in rss if r is not None]
    return {
        "chunks": n,
        "retrieval_p50_ms": timed.get("retrieval_ms", {}).get("p50"),
        "retrieval_p95_ms": timed.get("retrieval_ms", {}).get("p95"),
        "answer_p50_ms": timed.get("answer_ms", {}).get("p50"),
        "answer_p95_ms": timed.get("answer_ms", {}).get("p95"),
        "rss_mb": max(rss) if rss else None,
        "index_mb": index_mb,
        "index_type": index_type,
        "recall_at_10_vs_flat": timed.get("recall_at_10_vs_flat"),
    }


def project_row(entry: dict) -> dict:
    ingest, serve = _ok(entry.get("ingest")), _ok(entry.get("serve"))
    index_type = serve.get("index_type") or ingest.get("vector_index", {}).get("type")
    return _row(entry["n"], serve, [ingest.get("rss_mb"), serve.get("rss_mb")], ingest.get("index_mb"), index_type)


def milvus_row(entry: dict) -> dict:
    m = entry.get("milvus", {})
    ingest, serve = _ok(m.get("ingest")), _ok(m.get("serve"))
    return _row(entry["n"], serve, [ingest.get("rss_mb"), serve.get("rss_mb")], ingest.get("index_mb"), serve.get("index_type"))


def baseline_row(entry: dict) -> dict:
    base = _ok(entry.get("baseline"))
    return _row(entry["n"], base, [base.get("rss_mb")], base.get("index_mb"), base.get("index_type"))


def _rate(entries: list[dict], phase: str) -> float | None:
    for e in entries:
        rate = _ok(e.get(phase)).get("embedding", {}).get("per_s")
        if rate:
            return rate
    return None


def summarise(raw: dict) -> dict:
    """The `--json` object: exactly the keys of the issue."""
    entries = raw["sizes"]
    summary = {"sizes": [project_row(e) for e in entries], "embed_chunks_per_s": _rate(entries, "ingest")}
    if any("milvus" in e for e in entries):
        summary["milvus_lite"] = {"sizes": [milvus_row(e) for e in entries if "milvus" in e]}
    if any("baseline" in e for e in entries):
        summary["baseline"] = {
            "sizes": [baseline_row(e) for e in entries if "baseline" in e],
            "embed_chunks_per_s": _rate(entries, "baseline"),
        }
    return summary


def _f(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _ratio(a, b) -> str:
    return f"{a / b:.1f}×" if a is not None and b else "—"


def one_line(entry: dict) -> str:
    p, b = project_row(entry), baseline_row(entry) if "baseline" in entry else None
    line = (
        f"[{entry['n']:,}] report-qa: answer p50/p95 {_f(p['answer_p50_ms'])}/{_f(p['answer_p95_ms'])} ms, "
        f"{p['index_type']}, recall@10 {_f(p['recall_at_10_vs_flat'], 3)}, RSS {_f(p['rss_mb'], 0)} MB"
    )
    if b is not None:
        line += f"; Chatchat 式基线: answer p95 {_f(b['answer_p95_ms'])} ms, RSS {_f(b['rss_mb'], 0)} MB"
    if "milvus" in entry:
        m = milvus_row(entry)
        line += f"; milvus-lite: answer p50/p95 {_f(m['answer_p50_ms'])}/{_f(m['answer_p95_ms'])} ms, recall@10 {_f(m['recall_at_10_vs_flat'], 3)}"
        for phase in ("ingest", "serve"):
            if entry["milvus"].get(phase, {}).get("status") in ("stopped", "failed"):
                line += f"; milvus {phase} {entry['milvus'][phase]['reason']}"
    for phase in ("ingest", "serve", "baseline"):
        if entry.get(phase, {}).get("status") in ("stopped", "failed"):
            line += f"; {phase} {entry[phase]['reason']}"
    return line


def markdown(summary: dict, raw: dict) -> str:
    from ..evaluation.baselines import machine_note

    entries = raw["sizes"]
    lines = [
        "# Benchmark: cost against corpus size",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')} · {machine_note()}",
        "",
        f"Questions per size: {raw['config']['questions']} ({raw['config']['qa']} first, then generated ones about synthetic "
        "reports in the corpus), asked one at a time. *Warm* = second pass, query vectors cached by text (both systems); "
        "*cold* = first pass, the query embedding included. `chunks` is the corpus size in this project's chunks; "
        "the Chatchat-style recipe splits the same text into its own 750-character passages (count below).",
        "",
        "| chunks | system | index | recall@10 vs exact | retrieval p50 / p95 ms | answer p50 / p95 ms (warm) | answer p50 / p95 ms (cold) | peak RSS MB | index MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for e, p in zip(entries, summary["sizes"], strict=True):
        srv = _ok(e.get("serve"))
        cold = srv.get("answer_cold_ms", {})
        lines.append(
            f"| {e['n']:,} | report-qa | {_f(p['index_type'])} | {_f(p['recall_at_10_vs_flat'], 3)} | "
            f"{_f(p['retrieval_p50_ms'])} / {_f(p['retrieval_p95_ms'])} | {_f(p['answer_p50_ms'])} / {_f(p['answer_p95_ms'])} | "
            f"{_f(cold.get('p50'))} / {_f(cold.get('p95'))} | {_f(p['rss_mb'], 0)} | {_f(p['index_mb'])} |"
        )
        if "milvus" in e:
            m, msrv = milvus_row(e), _ok(e["milvus"].get("serve"))
            cold = msrv.get("answer_cold_ms", {})
            lines.append(
                f"| {e['n']:,} | report-qa on milvus-lite | {_f(m['index_type'])} | {_f(m['recall_at_10_vs_flat'], 3)} | "
                f"{_f(m['retrieval_p50_ms'])} / {_f(m['retrieval_p95_ms'])} | {_f(m['answer_p50_ms'])} / {_f(m['answer_p95_ms'])} | "
                f"{_f(cold.get('p50'))} / {_f(cold.get('p95'))} | {_f(m['rss_mb'], 0)} | {_f(m['index_mb'])} |"
            )
        if "baseline" in e:
            b, base = baseline_row(e), _ok(e["baseline"])
            cold = base.get("answer_cold_ms", {})
            lines.append(
                f"| {e['n']:,} | Chatchat-style ({_f(base.get('chunks'))} passages) | {_f(b['index_type'])} | "
                f"{_f(b['recall_at_10_vs_flat'], 3)} | {_f(b['retrieval_p50_ms'])} / {_f(b['retrieval_p95_ms'])} | "
                f"{_f(b['answer_p50_ms'])} / {_f(b['answer_p95_ms'])} | {_f(cold.get('p50'))} / {_f(cold.get('p95'))} | "
                f"{_f(b['rss_mb'], 0)} | {_f(b['index_mb'])} |"
            )
    if "baseline" in summary:
        lines += ["", "Ratios, Chatchat-style recipe ÷ report-qa (above 1 = the recipe costs more):", ""]
        lines += [
            "| chunks | retrieval p95 | answer p95 (warm) | answer p95 (cold) | peak RSS | index size |",
            "|---|---|---|---|---|---|",
        ]
        for e in entries:
            if "baseline" not in e:
                continue
            p, b = project_row(e), baseline_row(e)
            pc = _ok(e.get("serve")).get("answer_cold_ms", {}).get("p95")
            bc = _ok(e.get("baseline")).get("answer_cold_ms", {}).get("p95")
            lines.append(
                f"| {e['n']:,} | {_ratio(b['retrieval_p95_ms'], p['retrieval_p95_ms'])} | {_ratio(b['answer_p95_ms'], p['answer_p95_ms'])} | "
                f"{_ratio(bc, pc)} | {_ratio(b['rss_mb'], p['rss_mb'])} | {_ratio(b['index_mb'], p['index_mb'])} |"
            )
    lines += _store_section(entries)
    lines += _ingest_section(entries, summary)
    lines += _problems(entries)
    lines += ["", "![latency against corpus size](latency.png)", ""]
    for e in entries:
        srv = _ok(e.get("serve"))
        if srv.get("slowest_answers"):
            lines += ["", f"Slowest warm answers at {e['n']:,} chunks:", ""]
            lines += [f"- {s['ms']} ms — {s['question']}" for s in srv["slowest_answers"]]
        if srv.get("profile"):
            lines += ["", f"Profile of the warm answer pass at {e['n']:,} chunks:", "", "```", srv["profile"].strip(), "```"]
    return "\n".join(lines) + "\n"


def _store_section(entries: list[dict]) -> list[str]:
    """milvus-lite beside the files, same chunks and vectors, same questions, in one run."""
    rows = [e for e in entries if "milvus" in e]
    if not rows:
        return []
    lines = [
        "",
        "Stores, milvus-lite ÷ files (FAISS + bm25s) over the same chunks, vectors and questions (above 1 = Milvus costs more):",
        "",
    ]
    lines += [
        "| chunks | insert chunks/s (Milvus) | load s (files / Milvus) | answer p95 warm | answer p95 cold | peak RSS | disk |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in rows:
        p, m = project_row(e), milvus_row(e)
        fs, ms = _ok(e.get("serve")), _ok(e["milvus"].get("serve"))
        lines.append(
            f"| {e['n']:,} | {_f(_ok(e['milvus'].get('ingest')).get('insert_chunks_per_s'))} | {_f(fs.get('load_s'))} / {_f(ms.get('load_s'))} | "
            f"{_ratio(m['answer_p95_ms'], p['answer_p95_ms'])} | {_ratio(ms.get('answer_cold_ms', {}).get('p95'), fs.get('answer_cold_ms', {}).get('p95'))} | "
            f"{_ratio(m['rss_mb'], p['rss_mb'])} | {_ratio(m['index_mb'], p['index_mb'])} |"
        )
    return lines


def _ingest_section(entries: list[dict], summary: dict) -> list[str]:
    lines = [
        "",
        "## Ingest",
        "",
        f"Embedding throughput (bundled model, measured on a real sample): {_f(summary.get('embed_chunks_per_s'))} chunks/s"
        + (
            f" for this project's chunks, {_f(summary['baseline'].get('embed_chunks_per_s'))} passages/s for the recipe's longer passages."
            if summary.get("baseline")
            else "."
        ),
        "",
        "| chunks | documents | metadata + chunking s | vectors (real + synthesised) | embedding at measured rate | BM25 s | FAISS s | save s | indexing chunks/s | load s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in entries:
        ing, srv = _ok(e.get("ingest")), _ok(e.get("serve"))
        if not ing:
            continue
        emb = ing.get("embedding", {})
        est = e["n"] / emb["per_s"] / 60 if emb.get("per_s") else None
        info = ing.get("vector_index", {})
        faiss = f"{_f(ing['faiss_s'])} ({info.get('type')}" + (
            f", {info['nlist']} lists, nprobe {info['nprobe']}, calibration recall {info['calibration_recall_at_10']})"
            if info.get("nprobe")
            else ")"
        )
        lines.append(
            f"| {e['n']:,} | {ing['documents']:,} | {_f(ing['chunking_s'])} | {emb.get('real', 0):,} + {emb.get('synthesised', 0):,} | "
            f"{_f(est)} min | {_f(ing['bm25_s'])} | {faiss} | {_f(ing['save_s'])} | {_f(ing['indexing_chunks_per_s'])} | {_f(srv.get('load_s'))} |"
        )
    base = [_ok(e.get("baseline")) | {"n": e["n"]} for e in entries if _ok(e.get("baseline"))]
    if base:
        lines += [
            "",
            "| chunks | recipe passages | split s | vectors (real + synthesised) | BM25 + FAISS s | indexing passages/s |",
            "|---|---|---|---|---|---|",
        ]
        for b in base:
            emb = b.get("embedding", {})
            lines.append(
                f"| {b['n']:,} | {b['chunks']:,} | {_f(b['split_s'])} | {emb.get('real', 0):,} + {emb.get('synthesised', 0):,} | "
                f"{_f(b['index_s'])} | {_f(b['indexing_chunks_per_s'])} |"
            )
    lines += [
        "",
        "Measured vs synthesised: every latency, RSS, index size, recall and indexing time above is measured. Passage "
        "vectors are real embeddings for the first 1,000 chunks of the corpus (and all recipe passages of that 1,000-chunk "
        "corpus); beyond those they are synthesised near real ones (`rag.bench.synth`), so the embedding column is the "
        "measured rate extrapolated, not a measured time. Query vectors are always real. The corpus text is synthetic "
        "beyond the five shipped reports (`rag.bench.corpus`).",
    ]
    return lines


def _problems(entries: list[dict]) -> list[str]:
    out = []
    for e in entries:
        for phase in ("ingest", "serve", "baseline"):
            p = e.get(phase)
            if p and p.get("status") != "ok":
                out.append(f"- {e['n']:,} chunks, {phase}: {p['reason']} (after {p['seconds']} s)")
    return ["", "## Phases that did not finish", "", *out] if out else []


def plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    systems = [("report-qa", summary["sizes"], "tab:blue")]
    if summary.get("baseline"):
        systems.append(("Chatchat-style", summary["baseline"]["sizes"], "tab:orange"))
    for name, rows, color in systems:
        for key, style, label in (
            ("answer_p95_ms", "-o", "answer p95"),
            ("answer_p50_ms", ":o", "answer p50"),
            ("retrieval_p95_ms", "--s", "retrieval p95"),
        ):
            pts = [(r["chunks"], r[key]) for r in rows if r.get(key)]
            if pts:
                ax.plot(*zip(*pts, strict=True), style, color=color, label=f"{name} {label}", markersize=4)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("corpus size (chunks)")
    ax.set_ylabel("latency per question (ms, warm)")
    ax.grid(True, which="both", alpha=0.3)
    if ax.lines:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_details(out: Path, raw: dict) -> None:
    (Path(out) / "details.json").write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")


def write(out: Path, summary: dict, raw: dict, json_out: Path | None = None) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_details(out, raw)
    text = json.dumps(summary, ensure_ascii=False, indent=1)
    (out / "bench.json").write_text(text, encoding="utf-8")
    if json_out is not None:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(text, encoding="utf-8")
    plot(summary, out / "latency.png")
    (out / "report.md").write_text(markdown(summary, raw), encoding="utf-8")
