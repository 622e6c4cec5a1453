"""Metadata a user sets for a document whose text does not say (or says wrongly): region, level, year, type,
title, date, speaker. Kept in `<index>/metadata-overrides.json`, beside the index generations, so a rebuild
(`rag ingest --rebuild`) and every later ingest apply them again; keyed by file name (the document id).

`rag ingest --region 合肥市 --year 2024 FILE` and the app's 知识库 tab (`rag.app.library.Library.edit`) write them.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import replace
from pathlib import Path

from ..domain.places import LEVEL_WORDS, Place, gazetteer, level_by_suffix
from ..errors import RagError
from ..types import DocMeta

FILE = "metadata-overrides.json"
FIELDS = ("region", "level", "year", "doc_type", "title", "date", "speaker", "speaker_title")
# each field as a reader names it (the app's form, the messages about an edit)
LABELS = {
    "region": "地区", "level": "层级", "year": "年份", "doc_type": "类型", "title": "标题", "date": "日期",
    "speaker": "报告人", "speaker_title": "报告人职务",
}  # fmt: skip


def load(root: str | Path) -> dict[str, dict]:
    path = Path(root) / FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RagError(f"{path}: 无法读取手工设置的元数据（{e}）。请修正或删除该文件后重试。") from e
    return {str(k): dict(v) for k, v in data.items() if isinstance(v, dict)}


def save(root: str | Path, overrides: dict[str, dict]) -> None:
    """Write atomically (a temporary file renamed over the old one)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{FILE}.tmp"
    tmp.write_text(json.dumps(overrides, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, root / FILE)


def checked(fields: dict) -> dict:
    """The fields a user gave, validated and normalised (a level in words or codes, a year as a number)."""
    out = {}
    for key, value in fields.items():
        if value in (None, ""):
            continue
        if key not in FIELDS:
            raise RagError(f"不能设置元数据“{key}”：可设置的有 {'、'.join(FIELDS)}。")
        if key == "year":
            try:
                value = int(value)
            except (TypeError, ValueError) as e:
                raise RagError(f"年份“{value}”不是数字：请写成 2024 这样的四位年份。") from e
            if not 1949 <= value <= 2100:
                raise RagError(f"年份 {value} 不在 1949–2100 之间：请检查。")
        if key == "date":
            value = _date(str(value))
        if key == "level":
            if value not in LEVEL_WORDS:
                raise RagError(f"层级“{value}”无法识别：请用 国家、省级、市级 或 县级。")
            value = LEVEL_WORDS[value]
        out[key] = value
    return out


_DATE = re.compile(r"^\s*((?:19|20|21)\d\d)\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")


def _date(text: str) -> str:
    """A delivery date as 2024-01-12 (from 2024-1-12, 2024.1.12 or 2024年1月12日)."""
    m = _DATE.match(text)
    if m is None:
        raise RagError(f"日期“{text}”无法识别：请写成 2024-01-12 或 2024年1月12日。")
    year, month, day = (int(g) for g in m.groups())
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError as e:
        raise RagError(f"日期“{text}”不存在：请检查月份和日子。") from e


def apply(meta: DocMeta, fields: dict | None) -> DocMeta:
    """`meta` with the user's fields; a region the place data knows brings its code and level."""
    if not fields:
        return meta
    changes = {k: v for k, v in fields.items() if k in FIELDS}
    if "region" in changes:
        place: Place | None = gazetteer().resolve(changes["region"])
        if place is not None and changes["region"] in place.forms:
            changes["region"] = place.name
            changes.setdefault("level", place.level)
            changes["region_code"] = place.code
        else:
            changes.setdefault("level", level_by_suffix(changes["region"]))
            changes["region_code"] = ""
    return replace(meta, **changes)


def differs(meta: dict, fields: dict | None) -> bool:
    """Does a manifest entry's metadata lack any of the user's fields (so the document must be read again)?"""
    if not fields:
        return False
    applied = apply(DocMeta.from_dict(meta), fields).to_dict()
    return applied != DocMeta.from_dict(meta).to_dict()
