"""Run a QA set through a system and write predictions.jsonl, report.json,
report.md and plots (hit@k curve, accuracy per question type)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .metrics import HEADLINE, evaluate

System = Callable[[str], dict]  # question -> prediction object (`docs/contracts.md`, without id)


def run_system(system: System, qa: list[dict], progress: Callable[[int, int], None] | None = None) -> list[dict]:
    preds = []
    for i, item in enumerate(qa):
        pred = system(item["question"])
        preds.append({"id": item["id"], **{k: v for k, v in pred.items() if k != "id"}})
        if progress:
            progress(i + 1, len(qa))
    return preds


def write_predictions(path: Path, preds: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for p in preds:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")


_MARKERS = ("o", "s", "^", "D", "v", "P")
_LINES = ("-", "--", "-.", ":")


def _legend_above(ax, n: int) -> None:
    """Legend in one row between the title and the axes: it never covers data."""
    if n > 1:
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(n, 5), frameon=False, fontsize=9)


def _plots(out: Path, results: dict[str, dict]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for j, name in enumerate(names):
        style = {"marker": _MARKERS[j % len(_MARKERS)], "linestyle": _LINES[j % len(_LINES)]}
        ax.plot(range(1, 11), results[name]["hit@k"], label=name, linewidth=1.8, markersize=6, **style)
    ax.set_xlabel("k")
    ax.set_ylabel("hit@k")
    ax.set_ylim(0, 1.02)
    ax.set_xticks(range(1, 11))
    ax.grid(alpha=0.3)
    _legend_above(ax, len(names))
    ax.set_title("Retrieval hit@k (answerable questions)", pad=34 if len(names) > 1 else 6)
    fig.tight_layout()
    fig.savefig(out / "hit_at_k.png", dpi=120)
    plt.close(fig)

    types = sorted({t for r in results.values() for t in r["accuracy_by_type"]})
    fig, ax = plt.subplots(figsize=(max(6, min(12, len(types) * (0.5 + 0.15 * len(names)))), 4.5))
    width = 0.8 / max(1, len(names))
    for j, name in enumerate(names):
        vals = [results[name]["accuracy_by_type"].get(t, 0) for t in types]
        xs = [i + j * width for i in range(len(types))]
        bars = ax.bar(xs, vals, width, label=name)
        for x, v in zip(xs, vals, strict=True):  # a zero bar is invisible: say it
            if v == 0:
                ax.text(x, 0.01, "0", ha="center", va="bottom", fontsize=7, color=bars.patches[0].get_facecolor())
    ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(types))])
    counts = {t: max(r["count_by_type"].get(t, 0) for r in results.values()) for t in types}
    ax.set_xticklabels([f"{t} ({counts[t]})" for t in types], rotation=30, ha="right", rotation_mode="anchor")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy (unanswerable: refused)")
    ax.grid(axis="y", alpha=0.3)
    _legend_above(ax, len(names))
    ax.set_title("Accuracy per question type", pad=34 if len(names) > 1 else 6)
    fig.tight_layout()
    fig.savefig(out / "accuracy_by_type.png", dpi=120)
    plt.close(fig)
    return ["hit_at_k.png", "accuracy_by_type.png"]


def _cell(v, key: str = "") -> str:
    if key.startswith("latency"):
        return f"{v:.1f}"
    return f"{v:.3f}" if isinstance(v, float) and v <= 1.0 else str(v)


def _failures(qa: list[dict], preds: list[dict], metrics: dict) -> list[str]:
    by_id = {p["id"]: p for p in preds}
    lines = []
    for item in qa:
        verdict = metrics["per_question"][item["id"]]
        if verdict["correct"] and not verdict.get("wrong_source"):
            continue
        p = by_id.get(item["id"], {})
        want = "拒答" if not item["answers"] else " / ".join(item["answers"])
        flag = " — WRONG SOURCE" if verdict.get("wrong_source") else ""
        lines.append(f"### {item['id']} ({item.get('type', '')}) {item['question']}{flag}")
        lines.append(f"- expected: {want}" + (f" (from {item['doc']})" if item.get("doc") else ""))
        lines.append(f"- answer{' (refused)' if p.get('refused') else ''}: {p.get('answer', '')}")
        if p.get("short_answer"):
            lines.append(f"- short answer: {p['short_answer']}")
        cited = ", ".join(sorted({c.get("doc", "") for c in p.get("citations", [])}))
        if cited:
            lines.append(f"- cited: {cited}")
        for r in p.get("retrieved", [])[:3]:
            lines.append(f"  - `{r.get('chunk_id', '')}` ({r.get('score', '')}): {r.get('text', '')[:160]}")
        lines.append("")
    return lines


def write_report(
    out: str | Path, qa: list[dict], systems: dict[str, list[dict]], main: str, notes: str = "", docs: dict | None = None
) -> dict:
    """Score every system, write report files; returns {system: metrics}. `docs`: doc id -> metadata
    of the index's documents (region, year), for wrong_source."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = {name: evaluate(qa, preds, docs) for name, preds in systems.items()}
    write_predictions(out / "predictions.jsonl", systems[main])
    for name, preds in systems.items():
        if name != main:
            write_predictions(out / f"predictions_{name}.jsonl", preds)
    summary = {name: {k: v for k, v in m.items() if k != "per_question"} for name, m in results.items()}
    (out / "report.json").write_text(
        json.dumps(
            {"main": main, "systems": summary, "per_question": results[main]["per_question"]}, ensure_ascii=False, indent=1
        ),
        encoding="utf-8",
    )
    plots = _plots(out, results)
    m = results[main]
    md = [
        f"# Evaluation report: {main}",
        "",
        f"{m['questions']} questions ({m['answerable']} answerable, {m['unanswerable']} unanswerable).",
        "",
    ]
    if notes:
        md += [notes, ""]
    md += ["| system | " + " | ".join(HEADLINE) + " |", "|---" * (len(HEADLINE) + 1) + "|"]
    for name, r in results.items():
        md.append(f"| {name} | " + " | ".join(_cell(r[k], k) for k in HEADLINE) + " |")
    md += [
        "",
        "## Accuracy per question type",
        "",
        "| type | n | " + " | ".join(results) + " |",
        "|---" * (len(results) + 2) + "|",
    ]
    for t, n in m["count_by_type"].items():
        md.append(f"| {t} | {n} | " + " | ".join(_cell(r["accuracy_by_type"].get(t, 0.0)) for r in results.values()) + " |")
    md += ["", *[f"![{p}]({p})" for p in plots], "", f"## Failed questions ({main})", ""]
    md += _failures(qa, systems[main], m)
    (out / "report.md").write_text("\n".join(md), encoding="utf-8")
    return results
