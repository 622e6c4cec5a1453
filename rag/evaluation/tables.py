"""Metrics for table questions (`eval/tables.jsonl`, type "table"): one expected row per region and year,
with the value the report states or null when it states none.

- cell precision: of the cells the answer states, those equal to the report's figure for that region, year
  and kind (values compared as written, width- and space-insensitive: "5%左右" = "5％左右");
- cell recall: of the cells the reports state, those the answer states correctly;
- absent-cell honesty: of the cells no report states, those the answer marks "报告未给出" (a row with no
  value) — a figure there, or no row at all, is not honest;
- answer_regions accuracy (threshold, ranking and comparison questions): the regions the answer's lead
  names as satisfying the question, against the expected ones (order counts for rankings);
- latency of table answers.
A prediction's table is `{"columns": […], "rows": [{"region", "year", "kind", "indicator", "value", "number",
"unit", "citation"}]}` (`docs/contracts.md`).
"""

from __future__ import annotations

import unicodedata

import numpy as np

from .harness import write_predictions


def _norm(value) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


def _rows(pred: dict) -> dict[tuple[str, int | None, str], dict]:
    """The answer's rows by (region, year, kind): a completion table has a target and a result row per year."""
    table = pred.get("table") or {}
    out: dict = {}
    for r in table.get("rows", []):
        out.setdefault((r.get("region"), r.get("year"), r.get("kind") or ""), r)
    return out


def _find(rows: dict, region: str, year: int | None, kind: str = "") -> dict | None:
    """The row of a region and year — of the expected kind when the expectation names one and the answer has it."""
    same = [(k, r) for k, r in rows.items() if k[0] == region and k[1] == year]
    if kind and any(k[2] == kind for k, _ in same):
        same = [(k, r) for k, r in same if k[2] == kind]
    if same:
        return same[0][1]
    return next((r for (reg, y, _), r in rows.items() if reg == region and y is None), None)


def evaluate_tables(qa: list[dict], predictions: list[dict]) -> dict:
    by_id = {p["id"]: p for p in predictions}
    stated = stated_ok = expected_values = recalled = absent = honest = 0
    asked = asked_ok = 0
    per_question = {}
    latencies = []
    for x in qa:
        p = by_id.get(x["id"], {})
        latencies.append(p.get("latency_ms", 0.0))
        rows = _rows(p)
        q_stated = q_ok = q_rec = q_hon = 0
        expected_keys = set()
        for e in x["rows"]:
            expected_keys.add((e["region"], e.get("year")))
            got = _find(rows, e["region"], e.get("year"), e.get("kind") or "")
            value = got.get("value") if got else None
            if e.get("value") is None:
                absent += 1
                q_hon += got is not None and value in (None, "")
                if value not in (None, ""):
                    q_stated += 1
                continue
            expected_values += 1
            if value not in (None, ""):
                q_stated += 1
                if _norm(value) == _norm(e["value"]):
                    q_ok += 1
                    q_rec += 1
        # stated cells for regions/years the question does not cover are wrong too
        extra = [r for k, r in rows.items() if k[:2] not in expected_keys and r.get("value") not in (None, "")]
        extra = [r for r in extra if not any(r.get("region") == reg for reg, _ in expected_keys)]
        q_stated += len(extra)
        stated += q_stated
        stated_ok += q_ok
        recalled += q_rec
        honest += q_hon
        verdict = {"stated": q_stated, "correct": q_ok, "recalled": q_rec, "honest": q_hon}
        want = (x.get("expected") or {}).get("answer_regions")
        if x.get("ask") in ("threshold", "ranking", "compare") and want is not None:
            asked += 1
            got_regions = (p.get("table") or {}).get("answer_regions")
            ok = got_regions is not None and (
                list(got_regions) == list(want) if x["ask"] == "ranking" else set(got_regions) == set(want)
            )
            asked_ok += ok
            verdict["answer_regions_ok"] = ok
        per_question[x["id"]] = verdict
    return {
        "questions": len(qa),
        "cells_expected": expected_values,
        "cells_absent": absent,
        "cell_precision": round(stated_ok / stated, 4) if stated else 0.0,
        "cell_recall": round(recalled / expected_values, 4) if expected_values else 0.0,
        "absent_honesty": round(honest / absent, 4) if absent else 1.0,
        "answer_regions_acc": round(asked_ok / asked, 4) if asked else 0.0,
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 1) if latencies else 0.0,
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else 0.0,
        "per_question": per_question,
    }


TABLE_HEADLINE = ("cell_precision", "cell_recall", "absent_honesty", "answer_regions_acc", "latency_p50_ms", "latency_p95_ms")


def write_table_report(out, qa: list[dict], preds: list[dict]) -> dict:
    """predictions.jsonl, report.json and report.md (metrics, then every question with a wrong, missing or
    dishonest cell) for a set of table questions; returns the metrics."""
    import json
    from pathlib import Path

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_predictions(out / "predictions.jsonl", preds)
    m = evaluate_tables(qa, preds)
    summary = {k: v for k, v in m.items() if k != "per_question"}
    (out / "report.json").write_text(
        json.dumps({"tables": summary, "per_question": m["per_question"]}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    md = [f"# Evaluation report: {len(qa)} table questions", "", "| " + " | ".join(TABLE_HEADLINE) + " |"]
    md += ["|---" * len(TABLE_HEADLINE) + "|", "| " + " | ".join(str(m[k]) for k in TABLE_HEADLINE) + " |", ""]
    md += [
        f"{m['cells_expected']} cells the reports state, {m['cells_absent']} they do not.",
        "",
        "## Questions with a wrong, missing or dishonest cell",
        "",
    ]
    by_id = {p["id"]: p for p in preds}
    for x in qa:
        v = m["per_question"][x["id"]]
        expected = sum(e.get("value") is not None for e in x["rows"])
        absent = len(x["rows"]) - expected
        if v["correct"] == v["stated"] == expected and v["honest"] == absent and v.get("answer_regions_ok", True):
            continue
        rows = _rows(by_id.get(x["id"], {}))
        md.append(f"### {x['id']} {x['question']}")
        md.append(f"- stated {v['stated']}, correct {v['correct']} of {expected}, honest {v['honest']} of {absent}")
        for e in x["rows"]:
            got = _find(rows, e["region"], e.get("year"), e.get("kind") or "")
            value = got.get("value") if got else "（无此行）"
            if _norm(value or "") != _norm(e.get("value") or ""):
                md.append(
                    f"  - {e['region']} {e.get('year')}: expected {e.get('value') or '报告未给出'}, got {value or '报告未给出'}"
                )
        md.append("")
    (out / "report.md").write_text("\n".join(md), encoding="utf-8")
    return m
