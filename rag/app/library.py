"""The knowledge base behind the app's 知识库 tab: list, upload, delete, rebuild.

Uploads are checked (type, size, readable) one by one before anything is
written; accepted files are stored under `<index>/uploads/` with a sanitised
base name (no directories, no hidden names) and ingested in one step. A file
that fails leaves the index as it was; if the ingest itself fails, replaced
uploads are put back. Deleting removes a document from both indexes in one
new generation (the Assistant picks it up on its next question).
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..embedding import Embedder
from ..errors import IndexMissingError, LoadError, RagError
from ..ingest import overrides
from ..ingest.loading import MAX_BYTES, SUPPORTED_SUFFIXES, load_document
from ..ingest.run import ingest
from ..progress import Step

UPLOADS = "uploads"
MAX_NAME = 120
_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')


class Tracker(Protocol):
    """Where a long action reports its progress (`rag.app.jobs.Tracker` draws it on the page)."""

    def phase(self, phase: str, detail: str, within: float = 0.0) -> None: ...
    def step(self, step: Step) -> None: ...
    def message(self, text: str) -> None: ...


class Quiet:
    """A tracker that shows nothing (the CLI, tests)."""

    def phase(self, phase: str, detail: str, within: float = 0.0) -> None:
        pass

    def step(self, step: Step) -> None:
        pass

    def message(self, text: str) -> None:
        pass


@dataclass
class FileResult:
    name: str
    ok: bool
    message: str


def allowed_suffixes() -> list[str]:
    return sorted(SUPPORTED_SUFFIXES)


def limits_text() -> str:
    return f"支持 {'、'.join(allowed_suffixes())}，单个文件不超过 {MAX_BYTES // (1024 * 1024)} MB"


def safe_name(name: str) -> str:
    """Base name only (both separators), no control/reserved characters, no leading dots."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = _FORBIDDEN.sub("", unicodedata.normalize("NFC", base)).strip().lstrip(".").strip()
    stem, suffix = os.path.splitext(base)
    stem = stem[:MAX_NAME].strip()
    if not stem or stem in (".", ".."):
        raise LoadError(f"文件名“{name}”无效：请改用由文字、数字组成的文件名后重新上传。")
    return stem + suffix.lower()


def _facts(row: dict) -> list[str]:
    return [x for x in (row["region"], f"{row['year']}年" if row["year"] else "", row["doc_type"]) if x]


def doc_facts(row: dict) -> str:
    """Region · year · type of a document row ("张店区 · 2023年 · 政府工作报告")."""
    return " · ".join(_facts(row))


def doc_label(row: dict) -> str:
    """How a document is named to a reader: its title, with the region, year and type its title does not
    say ("青岚县政府工作报告（2024年）", "江苏省政府工作报告（2025年）（新闻报道）"); the file name only
    when the text gave no title."""
    title = row["title"] or row["doc_id"]
    missing = [x for x in _facts(row) if x not in title and x.rstrip("年") not in title]
    return f"{title}（{' · '.join(missing)}）" if missing else title


class Library:
    def __init__(self, index_dir: str | Path, embedder: Embedder, store=None):
        from ..stores import open_store

        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.store = store if store is not None else open_store(self.index_dir)

    @property
    def uploads(self) -> Path:
        return self.index_dir / UPLOADS

    def _manifest_documents(self) -> dict[str, dict]:
        try:
            return self.store.read_manifest().documents
        except IndexMissingError:
            return {}

    def _is_upload(self, source: str) -> bool:
        try:
            return Path(source).resolve().parent == self.uploads.resolve()
        except OSError:
            return False

    def documents(self) -> list[dict]:
        rows = []
        for doc_id, d in sorted(self._manifest_documents().items()):
            meta = d.get("meta", {})
            uploaded = self._is_upload(d.get("source", ""))
            row = {
                "doc_id": doc_id,
                "title": meta.get("title", ""),
                "region": meta.get("region", ""),
                "year": meta.get("year"),
                "doc_type": meta.get("doc_type", ""),
                "level": meta.get("level", ""),
                "date": meta.get("date", ""),
                "speaker_title": meta.get("speaker_title", ""),
                "speaker_name": meta.get("speaker", ""),
                "speaker": " ".join(x for x in (meta.get("speaker_title", ""), meta.get("speaker", "")) if x),
                "chunks": d.get("chunks", 0),
                "chars": d.get("chars", 0),
                "uploaded": uploaded,
                "origin": "上传" if uploaded else "内置/命令行导入",
                "duplicate_of": d.get("duplicate_of", ""),
                "review_years": meta.get("review_years", []),
                "plan_years": meta.get("plan_years", []),
            }
            row["label"], row["facts"] = doc_label(row), doc_facts(row)
            rows.append(row)
        rows.sort(key=lambda r: (r["region"], -(r["year"] or 0), r["doc_id"]))
        return rows

    def choices(self, rows: list[dict] | None = None) -> dict[str, list]:
        """Filter choices: regions, years, documents (label, id); `rows`: `documents()` when already read."""
        rows = self.documents() if rows is None else rows
        regions = sorted({r["region"] for r in rows if r["region"]})
        years: set[int] = set()
        for r in rows:
            years.update(y for y in [r["year"], *r["review_years"], *r["plan_years"]] if y)
        docs = [(f"{r['label']}｜{r['doc_id']}", r["doc_id"]) for r in rows]
        return {"regions": regions, "years": [str(y) for y in sorted(years, reverse=True)], "docs": docs}

    def summary(self, rows: list[dict] | None = None) -> str:
        rows = self.documents() if rows is None else rows
        if not rows:
            return "知识库为空：请在下方上传报告。"
        return f"共 {len(rows)} 个文档、{sum(r['chunks'] for r in rows)} 个段落。"

    # -- upload ---------------------------------------------------------------

    def _check(self, path: Path, name: str) -> str | None:
        """None if the file can be ingested, else the reason (Chinese)."""
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            return f"不支持的文件类型“{suffix or '无扩展名'}”。{limits_text()}。"
        size = path.stat().st_size
        if size > MAX_BYTES:
            return f"文件过大（{size / 1024 / 1024:.1f} MB），{limits_text()}。请拆分后再上传。"
        try:
            load_document(path)
        except LoadError as e:
            return str(e)
        return None

    def upload(self, paths: Iterable[str | Path], tracker: Tracker | None = None) -> list[FileResult]:
        """Check, store and ingest uploaded files; one result per file."""
        tracker = tracker or Quiet()
        paths = [Path(p) for p in paths]
        results: list[FileResult] = []
        staging = self.uploads / f".staging-{uuid.uuid4().hex}"
        staging.mkdir(parents=True, exist_ok=True)
        accepted: dict[str, Path] = {}
        try:
            for i, src in enumerate(paths):
                tracker.phase("读取", f"检查文件 {i + 1}/{len(paths)}：{src.name}", within=0.5 * i / max(1, len(paths)))
                try:
                    name = safe_name(src.name)
                except LoadError as e:
                    results.append(FileResult(src.name, False, str(e)))
                    continue
                if name in accepted:
                    results.append(FileResult(name, False, "同名文件在本次上传中出现了两次，已跳过后一个。"))
                    continue
                staged = staging / name
                shutil.copyfile(src, staged)
                reason = self._check(staged, name)
                if reason:
                    results.append(FileResult(name, False, reason.replace(str(staged), name)))
                else:
                    accepted[name] = staged
            if accepted:
                results += self._ingest_accepted(accepted, tracker)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        tracker.phase("写入索引", "完成", within=1.0)
        return results

    def _ingest_accepted(self, accepted: dict[str, Path], tracker: Tracker) -> list[FileResult]:
        backups: dict[Path, Path] = {}
        placed: list[Path] = []
        for name, staged in accepted.items():
            final = self.uploads / name
            if final.exists():
                backup = staged.with_name(f".{name}.bak")
                shutil.copyfile(final, backup)
                backups[final] = backup
            os.replace(staged, final)
            placed.append(final)
        tracker.phase("读取", f"正在导入 {len(placed)} 个文件", within=0.5)
        try:
            report = ingest(
                placed, self.index_dir, self.embedder, store=self.store, progress=tracker.message, on_step=tracker.step
            )
        except RagError as e:
            for final in placed:
                if final in backups:
                    os.replace(backups[final], final)
                else:
                    final.unlink(missing_ok=True)
            return [FileResult(name, False, f"导入失败，索引保持不变：{e}") for name in accepted]
        out = []
        for name in accepted:
            failed = next((m for f, m in report.failed.items() if Path(f).name == name), None)
            if failed:
                (self.uploads / name).unlink(missing_ok=True)
                out.append(FileResult(name, False, failed))
            elif name in report.duplicates:
                out.append(FileResult(name, True, f"与已导入的 {report.duplicates[name]} 内容相同，已列入知识库但未重复索引。"))
            elif name in report.added:
                out.append(FileResult(name, True, f"已导入，{self._chunks(name)} 个段落。"))
            elif name in report.updated:
                out.append(FileResult(name, True, f"已更新（同名文档已替换），{self._chunks(name)} 个段落。"))
            else:
                out.append(FileResult(name, True, "内容未变化，无需重新导入。"))
        return out

    def _chunks(self, doc_id: str) -> int:
        return self._manifest_documents().get(doc_id, {}).get("chunks", 0)

    # -- metadata -------------------------------------------------------------

    def edit(self, doc_id: str, fields: dict, tracker: Tracker | None = None) -> str:
        """Set a document's metadata by hand (`rag.ingest.overrides`: kept across rebuilds) and read it again
        with it. `fields`: the form's values; an empty value leaves the field as the text gave it."""
        tracker = tracker or Quiet()
        known = self._manifest_documents()
        if not doc_id or doc_id not in known:
            raise RagError("请先在列表中选择要修改的文档。")
        source = known[doc_id].get("source", "")
        if not source or not Path(source).is_file():
            raise RagError(f"{doc_id} 的源文件已不存在（{source}），无法按新的元数据重新读取：请重新上传该文件。")
        current = known[doc_id].get("meta", {})
        wanted = overrides.checked(fields)
        changed = {k: v for k, v in wanted.items() if current.get(k) != v}
        if not changed:
            return f"{doc_id} 的元数据没有变化。"
        tracker.phase("读取", f"按新的元数据重新读取 {doc_id}")
        ingest(
            [source],
            self.index_dir,
            self.embedder,
            store=self.store,
            progress=tracker.message,
            on_step=tracker.step,
            metadata=changed,  # kept in the overrides store and applied as the document is read again
        )
        said = "、".join(f"{overrides.LABELS.get(k, k)}“{v}”" for k, v in changed.items())
        return f"已修改 {doc_id}：{said}。以后重建索引也会保留这些修改。"

    # -- delete / rebuild -------------------------------------------------------

    def delete_preview(self, doc_ids: Iterable[str]) -> str:
        """What a delete would remove, in words, for the user to confirm."""
        doc_ids, _ = self._known(doc_ids)
        rows = {r["doc_id"]: r for r in self.documents()}
        named = "；".join(f"{rows[d]['label']}（{d}）" for d in doc_ids)
        builtin = [d for d in doc_ids if not rows[d]["uploaded"]]
        warn = (
            f"其中 {len(builtin)} 个不是在这里上传的（内置或命令行导入），删除后需用 `rag ingest` 重新导入才能恢复。"
            if builtin
            else ""
        )
        return f"确定要删除以下 {len(doc_ids)} 个文档吗？{named}。删除后它们不会再出现在回答和引用中。{warn}"

    def _known(self, doc_ids: Iterable[str]) -> tuple[list[str], dict[str, dict]]:
        """The chosen ids, all in the index, and the index's documents."""
        doc_ids = [d for d in doc_ids if d]
        if not doc_ids:
            raise RagError("请先在列表中选择要删除的文档。")
        known = self._manifest_documents()
        missing = [d for d in doc_ids if d not in known]
        if missing:
            raise RagError(f"索引中没有这些文档：{'、'.join(missing)}。请刷新页面后重试。")
        return doc_ids, known

    def delete(self, doc_ids: Iterable[str]) -> str:
        doc_ids, known = self._known(doc_ids)
        ingest([], self.index_dir, self.embedder, store=self.store, remove=doc_ids)
        for d in doc_ids:
            source = known[d].get("source", "")
            if source and self._is_upload(source):
                Path(source).unlink(missing_ok=True)
        return f"已删除 {len(doc_ids)} 个文档：{'、'.join(doc_ids)}。它们不会再出现在回答和引用中。"

    def rebuild(self, tracker: Tracker | None = None) -> str:
        tracker = tracker or Quiet()
        docs = self._manifest_documents()
        if not docs:
            raise RagError("知识库为空，无需重建：请先上传报告。")
        sources = [d.get("source", "") for d in docs.values()]
        missing = [s for s in sources if not s or not Path(s).is_file()]
        if missing:
            raise RagError(f"以下源文件已不存在，重建会丢失它们：{'、'.join(missing)}。请先删除这些文档或恢复文件。")
        tracker.phase("读取", f"正在重新读取 {len(sources)} 个文档")
        report = ingest(
            sources,
            self.index_dir,
            self.embedder,
            store=self.store,
            rebuild=True,
            progress=tracker.message,
            on_step=tracker.step,
        )
        tracker.phase("写入索引", "完成", within=1.0)
        if report.failed:
            return f"重建完成，但有 {len(report.failed)} 个文件失败：" + "；".join(report.failed.values())
        return f"重建完成：{len(docs)} 个文档、{report.total_chunks} 个段落，用时 {report.seconds:.1f} 秒。"
