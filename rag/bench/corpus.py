"""A report-like Chinese corpus of any size, and questions over it.

The corpus starts with the shipped reports, verbatim. Then come synthetic
government work reports, one per (region, year): the body of a shipped work
report with its region renamed, its years shifted to the new year, its
figures scaled, and some sentences recombined (a sentence swapped in from
another paragraph of the same report, middle sentences reordered). A
standard delivery header names the region and date, so the real metadata
and chunking steps read them as they read a real report.

Everything is seeded: a corpus of N chunks is the first N chunks of one
stream, so bigger corpora extend smaller ones. Each chunk carries a key
(template, paragraph, part) that `rag.bench.synth` uses to give it a vector
near the real embedding of a chunk made from the same template paragraph.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.periods import YEAR_WORD
from ..domain.places import gazetteer, short_name
from ..domain.units import NUMBER_BEFORE_UNIT
from ..ingest.chunking import chunk_document, split_sentences
from ..ingest.metadata import extract_metadata
from ..types import Chunk, Document

REPORTS = Path(__file__).resolve().parent.parent.parent / "data" / "reports"
# Shipped work reports used as templates: file -> (region, stem, year delivered, level title).
TEMPLATES = {
    "000_6584fb645deb0ac6.txt": ("张店区", "张店", 2023, "区长"),
    "003_4bb26c2f38d6f31d.txt": ("淄博市", "淄博", 2024, "市长"),
    "004_e9778d67e6610d54.txt": ("临淄区", "临淄", 2021, "区长"),
}
# Regions the synthetic reports are renamed to: districts and prefecture-level cities of three provinces
# (山东, 江苏, 河北), from the place model.
_PROVINCES = ("37", "32", "13")
DISTRICTS = tuple(
    p.name for p in sorted(gazetteer().by_code.values(), key=lambda p: p.code)
    if p.level == "county" and p.code[:2] in _PROVINCES and p.name.endswith("区") and p.short
)  # fmt: skip
CITIES = tuple(
    p.name for p in sorted(gazetteer().by_code.values(), key=lambda p: p.code)
    if p.level == "city" and p.code[:2] in _PROVINCES and p.short
)  # fmt: skip
QUESTION_FORMS = (
    "{region}{review}年地区生产总值是多少？",
    "{region}{review}年一般公共预算收入完成了多少？",
    "{region}{plan}年地区生产总值增长的预期目标是多少？",
    "{region}{review}年城镇居民人均可支配收入增长了多少？",
    "{region}{plan}年的主要预期目标有哪些？",
    "{region}{review}年实施了多少个重点项目？",
    "{region}{plan}年一般公共预算收入的增长目标是多少？",
    "{region}{review}年新增城镇就业多少人？",
)


@dataclass
class Corpus:
    """The first `n` chunks of the stream, their documents (cut after the last chunk) and keys."""

    chunks: list[Chunk]
    keys: list[int]  # per chunk: a small id of its (template, paragraph, part)
    key_names: dict[tuple, int] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)  # doc_id -> manifest entry
    chunk_seconds: float = 0.0  # time in the product's metadata + chunking steps


def _body(text: str) -> str:
    """A work report from its address to the congress on ("各位代表：")."""
    i = text.find("各位代表")
    return text[i:] if i >= 0 else text


def _header(region: str, title: str, year: int, rng: random.Random) -> str:
    name = rng.choice("王李张刘陈杨赵黄周吴") + rng.choice("伟强磊军洋勇杰涛明超")
    return (
        f"政府工作报告\n——{year}年1月{rng.randint(5, 28)}日在{region}\n"
        f"第十{rng.choice('六七八九')}届人民代表大会第{rng.choice('一二三四五')}次会议上\n"
        f"{region}人民政府{title}　{name}\n\n"
    )


def _scale(m: re.Match, factor: float) -> str:
    raw = m.group(1)
    value = float(raw) * factor
    if "." in raw:
        return f"{value:.{len(raw.split('.')[1])}f}"
    return str(max(1, round(value)))


def _recombine(lines: list[str], rng: random.Random) -> list[str]:
    """Swap a sentence in from another long line, or reorder middle sentences (same number of lines)."""
    long_lines = [i for i, line in enumerate(lines) if len(line) > 60]
    out = list(lines)
    for i in long_lines:
        sentences = split_sentences(out[i])
        if len(sentences) < 3:
            continue
        roll = rng.random()
        if roll < 0.35:
            donor = split_sentences(lines[rng.choice(long_lines)])
            sentences[rng.randrange(1, len(sentences))] = rng.choice(donor)
        elif roll < 0.55:
            middle = sentences[1:-1]
            rng.shuffle(middle)
            sentences = [sentences[0], *middle, sentences[-1]]
        out[i] = "".join(sentences)
    return out


def synthesize(template: str, text: str, index: int, seed: int = 0) -> Document:
    """One synthetic work report from a template's text (deterministic in `index` and `seed`)."""
    rng = random.Random(f"{seed}:{index}")
    old_region, old_stem, old_year, title = TEMPLATES[template]
    region = rng.choice(CITIES if old_region.endswith("市") else DISTRICTS)
    stem = short_name(region)
    year = rng.randint(2012, 2026)
    body = _body(text).replace(old_region, region).replace(old_stem, stem)
    body = YEAR_WORD.sub(lambda m: m.group(0).replace(m.group(1), str(int(m.group(1)) + year - old_year)), body)
    factor = rng.uniform(0.6, 1.4)
    body = NUMBER_BEFORE_UNIT.sub(lambda m: _scale(m, factor * rng.uniform(0.9, 1.1)), body)
    body = "\n".join(_recombine(body.split("\n"), rng))
    doc_text = _header(region, title, year, rng) + body
    doc_id = f"syn{index:06d}_{hashlib.sha1(doc_text.encode()).hexdigest()[:8]}.txt"
    return Document(
        doc_id=doc_id, text=doc_text, source=f"synthetic:{template}", sha256=hashlib.sha256(doc_text.encode()).hexdigest()
    )


def documents(reports: Path = REPORTS, seed: int = 0) -> Iterator[tuple[Document, str]]:
    """The stream: (document, key prefix): shipped reports first, then synthetic ones forever."""
    from ..ingest.loading import find_documents, load_document

    shipped = [load_document(p) for p in find_documents([reports])]
    for doc in shipped:
        yield doc, doc.doc_id
    templates = [(d.doc_id, d.text) for d in shipped if d.doc_id in TEMPLATES]
    if not templates:
        raise ValueError(f"{reports} 中没有可用作模板的报告（需要 {'、'.join(TEMPLATES)}）。")
    i = 0
    while True:
        name, text = templates[i % len(templates)]
        yield synthesize(name, text, i, seed), name
        i += 1


def build_corpus(n: int, reports: Path = REPORTS, seed: int = 0) -> Corpus:
    """The first `n` chunks of the stream, through the product's metadata and chunking steps."""
    import time

    corpus = Corpus(chunks=[], keys=[])
    for doc, prefix in documents(reports, seed):
        started = time.perf_counter()
        meta = extract_metadata(doc.text)
        chunks = chunk_document(doc, meta)[: n - len(corpus.chunks)]
        corpus.chunk_seconds += time.perf_counter() - started
        for c in chunks:
            key = (prefix, c.chunk_id.split("#", 1)[1])
            corpus.keys.append(corpus.key_names.setdefault(key, len(corpus.key_names)))
        corpus.chunks.extend(chunks)
        corpus.documents[doc.doc_id] = {
            "sha256": doc.sha256,
            "source": doc.source,
            "chunks": len(chunks),
            "chars": chunks[-1].end if chunks else 0,
            "meta": meta.to_dict(),
        }
        if len(corpus.chunks) >= n:
            break
    return corpus


def texts(n: int, reports: Path = REPORTS, seed: int = 0) -> Iterator[tuple[str, str, str]]:
    """(doc_id, text, key prefix) of the documents behind the first `n` chunks, the last one cut
    after its last chunk: the text the project indexes, for the baseline to split its own way."""
    left = n
    for doc, prefix in documents(reports, seed):
        chunks = chunk_document(doc, extract_metadata(doc.text))
        take = chunks[:left]
        if take:
            yield doc.doc_id, doc.text[: take[-1].end], prefix
        left -= len(take)
        if left <= 0:
            return


def questions(qa_path: Path, documents: dict[str, dict], n: int = 200, seed: int = 0) -> list[str]:
    """`n` questions: those of the QA set first, then generated ones about synthetic reports in the corpus."""
    out = []
    if qa_path and Path(qa_path).is_file():
        with open(qa_path, encoding="utf-8") as f:
            out = [json.loads(line)["question"] for line in f if line.strip()][:n]
    synthetic = [d["meta"] for doc_id, d in sorted(documents.items()) if doc_id.startswith("syn") and d["meta"].get("region")]
    rng = random.Random(seed)
    i = 0
    while len(out) < n and synthetic:
        meta = synthetic[rng.randrange(len(synthetic))]
        year = meta.get("year") or 2023
        form = QUESTION_FORMS[i % len(QUESTION_FORMS)]
        out.append(form.format(region=meta["region"], review=year - 1, plan=year))
        i += 1
    return out
