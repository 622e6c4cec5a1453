"""Metrics of `docs/contracts.md`, whitespace-insensitive.

- a passage *supports* an evidence string if it contains it, or (evidence
  longer than 20 chars) contains any 20-char window of it;
- hit@k / MRR over answerable questions, from `retrieved`;
- answer_acc: not refused and the answer contains one of `answers`. "Contains"
  respects number boundaries: "3%" is not found inside "5.3%";
- citation_acc: not refused and some citation supports some evidence;
- refusal_recall (unanswerable refused) and false_refusal (answerable refused);
- number_faithful: non-refused answers whose every number is in the cited passages (a table answer: every stated
  cell in the passage its own citation quotes) — an invariant
  of extractive mode (it quotes), a real check only for generated (LLM) answers;
- retriever_hit@k / retriever_mrr: the same, from the retriever's own ranking (`retriever`), before
  the answer step moves the passage it quotes first (`retrieved`);
- short_acc (strict): not refused, the `short_answer` holds the expected value of every part
  (`parts`, else one of `answers`) and no other figure;
- wrong_source: answerable questions answered (not refused) with no citation from a report of the
  asked region (the item's `region`, else its documents' regions) about the asked time (one of the
  item's documents, or a report of that region delivered in the asked year or the year after);
- confident_wrong, over ALL questions: answered although unanswerable, answered wrongly, or answered
  from the wrong source — the headline trust figure.
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
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DIGITS = "0123456789"


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
        # ASCII digits only: str.isdigit() is true for the part marks ①②, which are not figures
        bad_before = e[0] in _DIGITS and before != "" and before in _DIGITS + "."
        bad_after = e[-1] in _DIGITS and after != "" and after in _DIGITS + "."
        if not bad_before and not bad_after:
            return True
        start = i + 1
    return False


def numbers_in(text: str) -> list[str]:
    return _NUMBER.findall(norm(_MARKER.sub("", text)))


def number_faithful(pred: dict) -> bool:
    if pred.get("table"):  # a table: every stated cell is in the passage its own citation quotes
        texts = {c.get("n"): norm(c.get("text", "")) for c in pred.get("citations", [])}
        rows = [r for r in pred["table"].get("rows", []) if r.get("value")]
        return all(norm(r["value"]) in texts.get(r.get("citation"), "") for r in rows)
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
            required = ("id", "question", "rows") if item.get("type") == "table" else ("id", "question", "answers", "evidence")
            for key in required:
                if key not in item:
                    raise ValueError(f"{path}:{lineno}: 缺少字段 {key}")
            items.append(item)
    if not items:
        raise ValueError(f"{path}: 问答集为空")
    return items


def _rank(ranking: list[dict], evidence: list[str]) -> int | None:
    for i, r in enumerate(ranking[:10]):
        if any(supports(r.get("text", ""), e) for e in evidence):
            return i
    return None


def short_correct(item: dict, pred: dict) -> bool:
    """Strict accuracy: the short answer states every expected part and no figure beyond them."""
    if pred.get("refused") or not item["answers"]:
        return False
    short = pred.get("short_answer") or ""
    parts = item.get("parts") or [item["answers"]]
    if not all(any(contains_answer(short, a) for a in part) for part in parts):
        return False
    expected = {n for part in parts for a in part for n in numbers_in(a)} | {n for a in item["answers"] for n in numbers_in(a)}
    return all(n in expected for n in numbers_in(short))


def _listed(value) -> list:
    return value if isinstance(value, list) else [value] if value not in (None, "") else []


def right_source(item: dict, pred: dict, docs: dict[str, dict]) -> bool:
    """Does some citation come from a report of the asked region about the asked time?"""
    expected = _listed(item.get("doc"))
    regions = set(_listed(item.get("region"))) or {docs.get(d, {}).get("region") for d in expected} - {None, ""}
    years = {int(y) for y in _listed(item.get("year"))}
    if not expected and not regions:
        return True  # the item does not say where its answer is: nothing to check
    for c in pred.get("citations", []):
        if c.get("doc") in expected:
            return True
        meta = docs.get(c.get("doc"), {})
        region, year = c.get("region") or meta.get("region"), c.get("year") or meta.get("year")
        if region not in regions or not year:
            continue
        if years and (year in years or year - 1 in years):  # a report reviews the year before its own
            return True
        if not years and any(docs.get(d, {}).get("year") == year for d in expected):
            return True
    return False


def evaluate(qa: list[dict], predictions: list[dict], docs: dict[str, dict] | None = None) -> dict:
    """Score predictions (matched by id) against QA items; returns a dict of metrics.
    `docs`: doc id -> {"region", "year"} of the index's documents (for wrong_source)."""
    docs = docs or {}
    by_id = {p["id"]: p for p in predictions}
    answerable = [x for x in qa if x["answers"]]
    unanswerable = [x for x in qa if not x["answers"]]
    hits_at = np.zeros(10)
    raw_hits_at = np.zeros(10)
    rr = raw_rr = 0.0
    acc = cit = false_ref = strict = wrong_src = confident_wrong = 0
    per_type: dict[str, list[int]] = defaultdict(list)
    per_question = {}
    for x in qa:
        p = by_id.get(x["id"], {"answer": "", "refused": True, "citations": [], "retrieved": []})
        refused = bool(p.get("refused"))
        if x["answers"]:
            rank = _rank(p.get("retrieved", []), x["evidence"])
            if rank is not None:
                hits_at[rank:] += 1
                rr += 1.0 / (rank + 1)
            raw_rank = _rank(p.get("retriever", p.get("retrieved", [])), x["evidence"])
            if raw_rank is not None:
                raw_hits_at[raw_rank:] += 1
                raw_rr += 1.0 / (raw_rank + 1)
            correct = not refused and any(contains_answer(p.get("answer", ""), a) for a in x["answers"])
            cited = not refused and any(supports(c.get("text", ""), e) for c in p.get("citations", []) for e in x["evidence"])
            exact = short_correct(x, p)
            wrong = not refused and not right_source(x, p, docs)
            acc += correct
            cit += cited
            false_ref += refused
            strict += exact
            wrong_src += wrong
            confident_wrong += not refused and (not correct or wrong)
            ok = correct
            per_question[x["id"]] = {
                "correct": correct,
                "cited": cited,
                "rank": rank,
                "retriever_rank": raw_rank,
                "refused": refused,
                "short_correct": exact,
                "wrong_source": wrong,
            }
        else:
            ok = refused
            confident_wrong += not refused
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
        "retriever_hit@1": round(raw_hits_at[0] / n, 4),
        "retriever_hit@5": round(raw_hits_at[4] / n, 4),
        "retriever_mrr": round(raw_rr / n, 4),
        "retriever_hit@k": [round(h / n, 4) for h in raw_hits_at],
        "answer_acc": round(acc / n, 4),
        "short_acc": round(strict / n, 4),
        "wrong_source": round(wrong_src / n, 4),
        "confident_wrong": round(confident_wrong / max(1, len(qa)), 4),
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
    "retriever_hit@5",
    "retriever_mrr",
    "hit@1",
    "hit@5",
    "mrr",
    "answer_acc",
    "short_acc",
    "citation_acc",
    "refusal_recall",
    "false_refusal",
    "wrong_source",
    "confident_wrong",
    "number_faithful",
    "latency_p50_ms",
    "latency_p95_ms",
)
# Lower is better for these; every other headline figure is higher-is-better.
