"""One table of the headline figures for several QA sets (`rag eval --qa A --qa B` -> summary.md, summary.json)."""

from __future__ import annotations

import json
from pathlib import Path

from .harness import _cell
from .metrics import HEADLINE
from .tables import TABLE_HEADLINE


def write_summary(out: Path, results: dict[str, dict]) -> None:
    """One table of the headline figures for several QA sets (`rag eval --qa A --qa B`)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(
        json.dumps({name: {k: v for k, v in m.items() if k != "per_question"} for name, m in results.items()}, indent=1),
        encoding="utf-8",
    )
    md = [
        "# Evaluation summary",
        "",
        "number_faithful is an invariant of extractive mode (answers quote their passage); it is a check only for LLM answers.",
        "",
        "| set | n | " + " | ".join(HEADLINE) + " |",
        "|---" * (len(HEADLINE) + 2) + "|",
    ]
    tables = {}
    for name, m in results.items():
        if "cell_precision" in m:
            tables[name] = m
            continue
        md.append(f"| {name} | {m['questions']} | " + " | ".join(_cell(m[k], k) for k in HEADLINE) + " |")
    if tables:
        md += ["", "| table set | n | " + " | ".join(TABLE_HEADLINE) + " |", "|---" * (len(TABLE_HEADLINE) + 2) + "|"]
        md += [
            f"| {name} | {m['questions']} | " + " | ".join(_cell(m[k], k) for k in TABLE_HEADLINE) + " |"
            for name, m in tables.items()
        ]
    (out / "summary.md").write_text("\n".join(md) + "\n", encoding="utf-8")
