"""`rag docs` and `rag indicators`: the commands that list or export an index."""

from __future__ import annotations

import sys

from ..domain.places import LEVEL_NAMES, mainland_provinces, place_model
from ..export.tables import RECORD_COLUMNS, record_rows, write_table
from ..ingest import overrides
from ..ingest.metadata import name_disagrees
from ..ingest.records import extract
from ..question.tables import select_records
from ..stores import open_store


def cmd_docs(args) -> int:

    store = open_store(args.index, args.store)
    manifest = store.read_manifest()
    where = "" if store.kind == "files" else f"（{store.describe()}）"
    print(f"索引 {args.index}{where}：模型 {manifest.embedder}，{len(manifest.documents)} 个文档")

    fixed = overrides.load(args.index)
    for doc_id, d in sorted(manifest.documents.items()):
        meta = d.get("meta", {})
        who = " ".join(x for x in (meta.get("speaker_title", ""), meta.get("speaker", "")) if x)
        fields = [
            meta.get("region", "") or "（地区未知）",
            LEVEL_NAMES.get(meta.get("level", ""), "") if meta.get("level") else "",
            f"{meta['year']}年" if meta.get("year") else "",
            meta.get("doc_type", ""),
            meta.get("date", ""),
            who,
        ]
        notes = [f"与 {d['duplicate_of']} 内容相同，未重复索引"] if d.get("duplicate_of") else []
        if d.get("duplicate_of") and d["duplicate_of"] not in manifest.documents:
            notes = [f"与已删除的 {d['duplicate_of']} 内容相同：重新导入本文件即可检索"]
        if doc_id in fixed:
            notes.append(f"{'、'.join(FIELD_NAMES.get(k, k) for k in fixed[doc_id])}为手工设置")
        else:
            notes += _name_disagrees(doc_id, meta)
        note = f"  （{'；'.join(notes)}）" if notes else ""
        print(f"  {doc_id}  {' '.join(f for f in fields if f)}  {meta.get('title', '')}  {d['chunks']} 段{note}")
    return 0


FIELD_NAMES = {
    "region": "地区",
    "level": "层级",
    "year": "年份",
    "doc_type": "类型",
    "title": "标题",
    "date": "日期",
    "speaker": "报告人",
    "speaker_title": "职务",
}


def _name_disagrees(doc_id: str, meta: dict) -> list[str]:
    """A note when the file name names another place than the text does ("黄山.docx" holding 黄山区's report)."""
    named = name_disagrees(doc_id, meta.get("region", ""))
    return [f"文件名称指{named.name}，正文是{meta['region']}的报告，以正文为准"] if named else []


def cmd_indicators(args) -> int:

    index, _ = open_store(args.index, args.store).load()
    records = extract(index.chunks) if index.records_stale else index.records
    g = place_model(index.doc_table()[1])  # the questions' place model: "张店" is 张店区 when a report covers it
    chosen = select_records(
        records, g, [p.name for p in mainland_provinces(g)], args.region, args.year, args.indicator, args.kind, args.level
    )
    rows = record_rows(chosen, lambda cid: index.chunks[index.by_id[cid]])
    if args.csv or args.xlsx:
        path = write_table(rows, RECORD_COLUMNS, args.csv or args.xlsx)
        print(f"{len(rows)} 条指标记录 -> {path}")
        return 0
    if not rows:
        print("没有符合条件的指标记录。", file=sys.stderr)
        return 1
    for r in rows:
        print(
            "\t".join(
                str(r[k] if r[k] is not None else "") for k in ("region", "year", "kind", "name", "value", "doc", "chunk_id")
            )
        )
    print(f"共 {len(rows)} 条（--csv/--xlsx 可导出，含原文句子）", file=sys.stderr)
    return 0
