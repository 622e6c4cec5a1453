"""Metrics of GUIDE §3, whitespace-insensitive.

- a passage *supports* an evidence string if it contains it, or (evidence
  longer than 20 chars) contains any 20-char window of it;
- hit@k / MRR over answerable questions, from `retrieved`;
- answer_acc: not refused and the answer contains one of `answers`. "Contains"
  respects number boundaries: "3%" is not found inside "5.3%";
- citation_acc: not refused and some citation supports some evidence;
- refusal_recall (unanswerable refused) and false_refusal (answerable refused);
- number_faithful: non-refused answers whose every number is in the cited passages.
Markdown bold markers (**) are formatting, not content, and are ignored.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

QA_TYPES = ("number", "entity", "date", "list", "paraphrase", "multi_doc", "disambiguation", "summary", "unanswerable")
_WS = re.compile(r"\s+")
_MARKER = re.compile(r"\[\d+\]|【\d+】|［\d+］")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def norm(text: str) -> str:
    return _WS.sub("", text or "").replace("**", "")


def supports(passage: str, evidence: str) -> bool:
    p, e = norm(passage), norm(evidence)
    if not e:
        return False
    if e in p:
        return True
    return len(e) > 20 and any(e[i : i + 20] in p for i in range(len(e) - 19))


def contains_answer(answer: str, expected: str) -> bool:
    a, e = norm(_MARKER.sub("", answer)), norm(expected)
    if not e:
        return False
    start = 0
    while (i := a.find(e, start)) >= 0:
        before = a[i - 1] if i > 0 else ""
        after = a[i + len(e)] if i + len(e) < len(a) else ""
        bad_before = e[0].isdigit() and (before.isdigit() or before == ".")
        bad_after = e[-1].isdigit() and (after.isdigit() or after == ".")
        if not bad_before and not bad_after:
            return True
        start = i + 1
    return False


def numbers_in(text: str) -> list[str]:
    return _NUMBER.findall(norm(_MARKER.sub("", text)))


def number_faithful(pred: dict) -> bool:
    cited = "".join(norm(c.get("text", "")) for c in pred.get("citations", []))
    return all(n in cited for n in numbers_in(pred.get("answer", "")))


def load_qa(path: str | Path) -> list[dict]:
    items = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as e:
                raise ValueError(f"{path}:{lineno}: 不是合法的 JSON（{e}）") from e
            for key in ("id", "question", "answers", "evidence"):
                if key not in item:
                    raise ValueError(f"{path}:{lineno}: 缺少字段 {key}")
            items.append(item)
    if not items:
        raise ValueError(f"{path}: 问答集为空")
    return items


def _rank(pred: dict, evidence: list[str]) -> int | None:
    for i, r in enumerate(pred.get("retrieved", [])[:10]):
        if any(supports(r.get("text", ""), e) for e in evidence):
            return i
    return None


def evaluate(qa: list[dict], predictions: list[dict]) -> dict:
    """Score predictions (matched by id) against QA items; returns a dict of metrics."""
    by_id = {p["id"]: p for p in predictions}
    answerable = [x for x in qa if x["answers"]]
    unanswerable = [x for x in qa if not x["answers"]]
    hits_at = np.zeros(10)
    rr = 0.0
    acc = cit = false_ref = 0
    per_type: dict[str, list[int]] = defaultdict(list)
    per_question = {}
    for x in qa:
        p = by_id.get(x["id"], {"answer": "", "refused": True, "citations": [], "retrieved": []})
        refused = bool(p.get("refused"))
        if x["answers"]:
            rank = _rank(p, x["evidence"])
            if rank is not None:
                hits_at[rank:] += 1
                rr += 1.0 / (rank + 1)
            correct = not refused and any(contains_answer(p.get("answer", ""), a) for a in x["answers"])
            cited = not refused and any(supports(c.get("text", ""), e) for c in p.get("citations", []) for e in x["evidence"])
            acc += correct
            cit += cited
            false_ref += refused
            ok = correct
            per_question[x["id"]] = {"correct": correct, "cited": cited, "rank": rank, "refused": refused}
        else:
            ok = refused
            per_question[x["id"]] = {"correct": refused, "cited": None, "rank": None, "refused": refused}
        per_type[x.get("type", "other")].append(int(ok))
    answered = [by_id[x["id"]] for x in qa if x["id"] in by_id and not by_id[x["id"]].get("refused")]
    latencies = [p.get("latency_ms", 0.0) for p in predictions]
    n = max(1, len(answerable))
    return {
        "questions": len(qa),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "hit@1": round(hits_at[0] / n, 4),
        "hit@5": round(hits_at[4] / n, 4),
        "hit@10": round(hits_at[9] / n, 4),
        "hit@k": [round(h / n, 4) for h in hits_at],
        "mrr": round(rr / n, 4),
        "answer_acc": round(acc / n, 4),
        "citation_acc": round(cit / n, 4),
        "refusal_recall": round(
            sum(by_id.get(x["id"], {}).get("refused", True) for x in unanswerable) / max(1, len(unanswerable)), 4
        ),
        "false_refusal": round(false_ref / n, 4),
        "number_faithful": round(sum(number_faithful(p) for p in answered) / max(1, len(answered)), 4),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 1) if latencies else 0.0,
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else 0.0,
        "accuracy_by_type": {t: round(sum(v) / len(v), 4) for t, v in sorted(per_type.items())},
        "count_by_type": {t: len(v) for t, v in sorted(per_type.items())},
        "per_question": per_question,
    }


HEADLINE = (
    "hit@1",
    "hit@5",
    "mrr",
    "answer_acc",
    "citation_acc",
    "refusal_recall",
    "false_refusal",
    "number_faithful",
    "latency_p50_ms",
    "latency_p95_ms",
)
