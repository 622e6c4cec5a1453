"""Step 2: read document metadata from the document's own text.

General rules for Chinese government documents, no per-file tables:
- region: an explicit header phrase ("在张店区第十八届人民代表大会", "张店区人民政府区长")
  wins; otherwise the most frequent place name (jieba's `ns` tag) at the
  administrative level the document speaks for ("我代表市人民政府", "全区").
- year: the delivery date in the header ("——2023年1月7日"); otherwise, for a
  work report, the year after the reviewed year (reports are delivered early in
  the following year); otherwise the most frequent year mentioned.
- reviewed / planned years: from headings ("2022年政府工作回顾",
  "2023年目标任务", "今年经济社会发展目标任务", "“十三五”时期工作回顾").
- document type: a work report addresses the congress ("向大会报告工作");
  news carries a dateline ("1月7日讯") or a reporter line; party-congress
  material names the 党代会 in its title.
"""

from __future__ import annotations

import re
from collections import Counter

from .tokenize import tag
from .types import DocMeta

ADMIN_SUFFIXES = "省市区县"
# Five-year-plan periods (national convention): 十三五 = 2016–2020, etc.
FIVE_YEAR_PLANS = {
    "十一五": (2006, 2010),
    "十二五": (2011, 2015),
    "十三五": (2016, 2020),
    "十四五": (2021, 2025),
    "十五五": (2026, 2030),
}
CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# Tried in this order: "在X第…届" is the most specific (a one-line date header
# "——2024年1月10日在淄博市第十六届…" must not yield "日在淄博市").
_HEADER_REGION = tuple(
    re.compile(p)
    for p in (
        r"在\s*([\u4e00-\u9fff]{2,6}?[省市区县])\s*第[一二三四五六七八九十]+届",
        r"([\u4e00-\u9fff]{2,6}?[省市区县])人民政府(?:[副代理]*(?:省长|市长|区长|县长))",
        r"([\u4e00-\u9fff]{2,6}?[省市区县])第[一二三四五六七八九十]+届人民代表大会",
    )
)
_SELF_LEVEL = re.compile(r"代表([省市区县])人民政府")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_REVIEW_HEADING = re.compile(r"((?:19|20)\d{2})年.{0,8}?回顾")
_PLAN_HEADING = re.compile(r"((?:19|20)\d{2}|今年|明年).{0,14}?(?:目标|任务|工作安排|工作重点|总体要求)")
_FIVE_YEAR_REVIEW = re.compile(r"“?(十[一二三四五]五)”?.{0,6}?回顾")


def cn_year_to_int(text: str) -> int | None:
    """'二〇二三' -> 2023; returns None when not a 4-digit Chinese-numeral year."""
    if len(text) == 4 and all(ch in CN_DIGITS for ch in text):
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    return None


def _header_zone(text: str, lines: int = 12) -> str:
    kept = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return "\n".join(kept[:lines])


def detect_doc_type(text: str) -> str:
    head = _header_zone(text)
    if "向大会报告工作" in text[:2000] or head.startswith("政府工作报告"):
        return "政府工作报告"
    if "党代会" in head or "党代表大会" in head:
        return "党代会材料"
    if re.search(r"\d{1,2}月\d{1,2}日讯", text[:3000]) or re.search(r"记者\s*[\u4e00-\u9fff]{2,4}", text):
        return "新闻报道"
    return "其他材料"


def detect_region(text: str) -> str:
    head = text[:3000]
    for pattern in _HEADER_REGION:
        for m in pattern.finditer(head):
            name = m.group(1)
            if not name.startswith(("我", "代表", "本")):
                return name
    level_votes = Counter(_SELF_LEVEL.findall(text))
    for suffix in "市区县":
        level_votes[suffix] += text.count("全" + suffix) * 0.1
    counts: Counter[str] = Counter()
    suffix_seen: dict[str, Counter] = {}
    for word, flag in tag(text):
        if flag != "ns" or len(word) < 2:
            continue
        stem = word[:-1] if word[-1] in ADMIN_SUFFIXES and len(word) > 2 else word
        if stem[-1] in ADMIN_SUFFIXES or stem[-1] in "城镇乡村":
            continue  # generic words tagged as places (城市, 城镇, ...)
        counts[stem] += 1
        if word != stem:
            suffix_seen.setdefault(stem, Counter())[word[-1]] += 1
    if not counts:
        return ""
    stem, _ = counts.most_common(1)[0]
    if stem in suffix_seen:
        return stem + suffix_seen[stem].most_common(1)[0][0]
    if level_votes:
        return stem + level_votes.most_common(1)[0][0]
    return stem


def _headings(text: str) -> list[str]:
    return [ln.strip().lstrip("#").strip() for ln in text.splitlines() if 0 < len(ln.strip()) <= 40]


def detect_years(text: str, doc_type: str) -> tuple[int | None, tuple[int, ...], tuple[int, ...]]:
    """Return (delivered year, reviewed years, planned years)."""
    head = _header_zone(text)
    delivered = None
    m = _DATE.search(head)
    if m:
        delivered = int(m.group(1))
    review: set[int] = set()
    plan_tokens: list[str] = []
    for h in _headings(text):
        for y in _REVIEW_HEADING.findall(h):
            review.add(int(y))
        for name in _FIVE_YEAR_REVIEW.findall(h):
            start, end = FIVE_YEAR_PLANS[name]
            review.update(range(start, end + 1))
        if "回顾" not in h:
            plan_tokens.extend(_PLAN_HEADING.findall(h))
    if delivered is None and review and doc_type == "政府工作报告":
        delivered = max(review) + 1
    if delivered is None:
        years = Counter(int(y) for y in _YEAR.findall(text))
        if years:
            delivered = years.most_common(1)[0][0]
    plan: set[int] = set()
    for tok in plan_tokens:
        if tok == "今年" and delivered:
            plan.add(delivered)
        elif tok == "明年" and delivered:
            plan.add(delivered + 1)
        elif tok.isdigit():
            plan.add(int(tok))
    return delivered, tuple(sorted(review)), tuple(sorted(plan))


def detect_title(text: str, region: str, doc_type: str, year: int | None) -> str:
    first = next((ln.strip().lstrip("#").strip() for ln in text.splitlines() if ln.strip()), "")
    generic = not first or first == doc_type or len(first) > 40 or first.endswith(("：", ":", "。"))
    if not generic:
        return first
    return f"{region}{doc_type}" + (f"（{year}年）" if year else "")


def extract_metadata(text: str) -> DocMeta:
    doc_type = detect_doc_type(text)
    region = detect_region(text)
    year, review, plan = detect_years(text, doc_type)
    return DocMeta(
        region=region,
        doc_type=doc_type,
        title=detect_title(text, region, doc_type, year),
        year=year,
        review_years=review,
        plan_years=plan,
    )
