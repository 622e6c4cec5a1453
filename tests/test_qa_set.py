"""The hand-built QA sets are well-formed: evidence is verbatim, answers are in the evidence.

eval/qa.jsonl is the development set; eval/heldout.jsonl is written independently to check
that answer-quality work generalises (same kinds of questions, different facts); eval/fresh.jsonl
was written later still, by a writer who saw neither (one rule, for share questions, followed its
first run; see docs/design.md).
"""

import re
from collections import Counter

import pytest

from conftest import REPORTS, ROOT, needs_provinces
from rag.evaluation.metrics import QA_TYPES, load_qa

SETS = {name: load_qa(ROOT / "eval" / name) for name in ("qa.jsonl", "heldout.jsonl", "fresh.jsonl")}
DOCS = {p.name: p.read_text(encoding="utf-8") for p in REPORTS.glob("*.txt")}


def _ws(s: str) -> str:
    return re.sub(r"\s", "", s)


def _check_mix(qa: list[dict], min_size: int, min_unanswerable: int, min_disambiguation: int) -> None:
    types = Counter(x["type"] for x in qa)
    assert len(qa) >= min_size
    assert set(types) == set(QA_TYPES)
    assert types["unanswerable"] >= min_unanswerable and types["disambiguation"] >= min_disambiguation
    assert sum("paraphrased" in x.get("notes", "") for x in qa) >= len(qa) / 3
    assert len({x["id"] for x in qa}) == len(qa)


def test_size_and_mix():
    _check_mix(SETS["qa.jsonl"], min_size=150, min_unanswerable=15, min_disambiguation=15)


def test_heldout_size_and_mix():
    _check_mix(SETS["heldout.jsonl"], min_size=60, min_unanswerable=8, min_disambiguation=8)


def test_fresh_size_and_mix():
    types = Counter(x["type"] for x in SETS["fresh.jsonl"])
    assert len(SETS["fresh.jsonl"]) >= 45 and set(types) <= set(QA_TYPES) and len(types) >= 8 and types["unanswerable"] >= 6


def test_ids_do_not_clash_between_sets():
    ids = [x["id"] for qa in SETS.values() for x in qa]
    ids += [x["id"] for name in ("provinces.jsonl", "provinces2.jsonl") for x in load_qa(ROOT / "eval" / name)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", sorted(SETS))
def test_evidence_is_verbatim_and_answers_in_evidence(name):
    for x in SETS[name]:
        assert x["type"] in QA_TYPES, x["id"]
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


PROVINCE_SETS = ("provinces.jsonl", "provinces2.jsonl")


@pytest.fixture(scope="module")
def province_docs():
    from conftest import province_files
    from rag.ingest.loading import load_document

    return {p.name: _ws(load_document(p).text) for p in province_files()}


@needs_provinces
@pytest.mark.parametrize("name", PROVINCE_SETS)
def test_province_sets_are_verbatim_and_meet_the_minimums(name, province_docs):
    """Evidence as the real loader reads the .docx; the issue's minimums for the set written before the work."""
    from rag.domain.places import gazetteer

    qa = load_qa(ROOT / "eval" / name)
    g = gazetteer()
    for x in qa:
        docs = x["doc"] if isinstance(x["doc"], list) else [x["doc"]]
        assert all(d in province_docs for d in docs), x["id"]
        for e in x["evidence"]:
            assert any(_ws(e) in province_docs[d] for d in docs), (x["id"], e)
        assert bool(x["answers"]) == (x["type"] != "unanswerable"), x["id"]
    short_names = sum(any(m.text == p.short for m in g.find(x["question"]) for p in m.places) for x in qa)
    national = sum(x.get("region") == "全国" or any(w in x["question"] for w in ("全国", "我国", "国家", "国务院")) for x in qa)
    reports = {d for x in qa for d in (x["doc"] if isinstance(x["doc"], list) else [x["doc"]])}
    types = Counter(x["type"] for x in qa)
    assert len({x["id"] for x in qa}) == len(qa) and set(types) == set(QA_TYPES)
    if name == "provinces.jsonl":  # the minimums for the set recorded before any rule work
        assert len(qa) >= 150 and len(reports) >= 26 and "2024年国务院政府工作报告.txt" in reports
        assert types["unanswerable"] >= 30 and sum(isinstance(x["doc"], list) and len(x["doc"]) == 2 for x in qa) >= 20
        assert short_names >= 50 and national >= 15
