"""Chinese tokenisation for the BM25 index and for question analysis (jieba).

`jieba.lcut_for_search` adds the shorter words inside long ones
("地区生产总值" -> 地区, 生产, 总值, 生产总值, ...), which helps recall when a
question paraphrases the report. Numbers keep their decimal point.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

# Function words and question words that carry no topic (general Chinese, not corpus-specific).
STOPWORDS = frozenset(
    """的 了 和 与 及 或 是 在 对 为 把 被 将 从 向 以 于 之 其 等 并 也 都 又 而 且 个 这 那 有 要 会 能
    吗 呢 吧 啊 呀 么 多少 几 什么 哪些 哪个 哪家 哪里 哪 如何 怎么 怎样 是否 有没有 为什么 请问 请
    一下 具体 情况 方面 相关 主要 我们 我 你 他 它 她 们 上 下 中 内 年 月 日 到 达到 多 大 约 左右""".split()
)
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
_NUM = re.compile(r"\d+(?:\.\d+)?")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    with _lock:
        jieba.initialize()
    return jieba


# Question analysis and the answer step segment the same sentences again and again (the passages of a
# report are asked about many times): their jieba results are memoised by text.
MEMO = 50_000


@lru_cache(maxsize=MEMO)
def tag(text: str) -> tuple[tuple[str, str], ...]:
    """(word, part-of-speech) pairs from jieba; "ns" marks place names, "nr" person names."""
    _jieba()
    import jieba.posseg

    return tuple((p.word, p.flag) for p in jieba.posseg.lcut(text))


def tokenize(text: str) -> list[str]:
    """Tokens for BM25: jieba search-mode words, lower-cased, no punctuation or stopwords."""
    text = text.replace("**", " ")
    out = []
    for tok in _jieba().lcut_for_search(text):
        tok = tok.strip().lower()
        if not tok or _PUNCT.match(tok) or tok in STOPWORDS:
            continue
        out.append(tok)
    return out


@lru_cache(maxsize=MEMO)
def words(text: str) -> tuple[str, ...]:
    """Plain jieba words (accurate mode), punctuation dropped, stopwords kept."""
    return tuple(w for w in (t.strip() for t in _jieba().lcut(text)) if w and not _PUNCT.match(w))


@lru_cache(maxsize=MEMO)
def word_cuts(text: str) -> frozenset[int]:
    """Offsets in `text` where a jieba word (accurate mode) starts or ends."""
    cuts = {0}
    for _, start, end in _jieba().tokenize(text):
        cuts.update((start, end))
    return frozenset(cuts)


@lru_cache(maxsize=MEMO)
def word_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    """jieba words (accurate mode) with their offsets: (word, start, end)."""
    return tuple(_jieba().tokenize(text))


def has_person_name(text: str, slow_limit: int = 80) -> bool:
    """Does the text name a person? jieba's dictionary tags first (fast, from the cached words); a short
    text is also tagged with jieba's HMM, which finds names the dictionary lacks ("金湘军")."""
    _jieba()
    import jieba.posseg

    table = jieba.posseg.dt.word_tag_tab
    if any(len(w) >= 2 and table.get(w) == "nr" for w in words(text)):
        return True
    return len(text) <= slow_limit and any(flag == "nr" and len(w) >= 2 for w, flag in tag(text))
