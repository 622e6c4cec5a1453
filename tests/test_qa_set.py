"""The hand-built QA set is well-formed: evidence is verbatim, answers are in the evidence."""

import re
from collections import Counter

from conftest import REPORTS, ROOT
from rag.evaluation.metrics import QA_TYPES, load_qa

QA = load_qa(ROOT / "eval" / "qa.jsonl")
DOCS = {p.name: p.read_text(encoding="utf-8") for p in REPORTS.glob("*.txt")}


def _ws(s: str) -> str:
    return re.sub(r"\s", "", s)


def test_size_and_mix():
    types = Counter(x["type"] for x in QA)
    assert len(QA) >= 150
    assert set(types) == set(QA_TYPES)
    assert types["unanswerable"] >= 15 and types["disambiguation"] >= 15
    assert sum("paraphrased" in x.get("notes", "") for x in QA) >= len(QA) / 3
    assert len({x["id"] for x in QA}) == len(QA)


def test_evidence_is_verbatim_and_answers_in_evidence():
    for x in QA:
        docs = x["doc"] if isinstance(x["doc"], list) else [x["doc"]]
        assert all(d in DOCS for d in docs), x["id"]
        if x["type"] == "unanswerable":
            assert x["answers"] == [] and x["evidence"] == [], x["id"]
            continue
        assert x["answers"] and x["evidence"], x["id"]
        for e in x["evidence"]:
            assert any(e in DOCS[d] for d in docs), (x["id"], e)
        for a in x["answers"]:
            assert any(_ws(a) in _ws(e) for e in x["evidence"]), (x["id"], a)
