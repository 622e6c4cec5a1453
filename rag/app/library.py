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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..embedding import Embedder
from ..errors import IndexMissingError, LoadError, RagError
from ..ingest.loading import MAX_BYTES, SUPPORTED_SUFFIXES, load_document
from ..ingest.run import ingest
from ..progress import Step

UPLOADS = "uploads"
MAX_NAME = 120
_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')

Progress = Callable[[float, str], None]


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


def forward_only(say: Progress) -> Progress:
    """The bar never moves back (coarse stage messages and counted steps interleave)."""
    last = [0.0]

    def relay(fraction: float, message: str) -> None:
        last[0] = max(last[0], fraction)
        say(last[0], message)

    return relay


def stepper(say: Progress, start: float, end: float) -> Callable[[Step], None]:
    """Counted ingest progress (documents read, then chunks embedded) as a share of [start, end] of the
    bar, with its message ("向量化 1200/3440 段（35%），9.8 段/秒，预计还需 3 分 48 秒")."""
    spans = {"读取文档": (start, start + (end - start) * 0.1)}

    def on_step(step: Step) -> None:
        a, b = spans.get(step.stage, (start + (end - start) * 0.1, end))
        say(a + (b - a) * step.fraction, step.message())

    return on_step


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
            rows.append(
                {
                    "doc_id": doc_id,
                    "title": meta.get("title", ""),
                    "region": meta.get("region", ""),
                    "year": meta.get("year"),
                    "doc_type": meta.get("doc_type", ""),
                    "level": meta.get("level", ""),
                    "date": meta.get("date", ""),
                    "speaker": " ".join(x for x in (meta.get("speaker_title", ""), meta.get("speaker", "")) if x),
                    "chunks": d.get("chunks", 0),
                    "chars": d.get("chars", 0),
                    "origin": "上传" if self._is_upload(d.get("source", "")) else "内置/命令行导入",
                    "review_years": meta.get("review_years", []),
                    "plan_years": meta.get("plan_years", []),
                }
            )
        return rows

    def choices(self) -> dict[str, list]:
        """Filter choices: regions, years, documents (label, id)."""
        rows = self.documents()
        regions = sorted({r["region"] for r in rows if r["region"]})
        years: set[int] = set()
        for r in rows:
            years.update(y for y in [r["year"], *r["review_years"], *r["plan_years"]] if y)
        docs = [(f"{r['title'] or r['doc_id']}（{r['doc_id']}）", r["doc_id"]) for r in rows]
        return {"regions": regions, "years": [str(y) for y in sorted(years, reverse=True)], "docs": docs}

    def summary(self) -> str:
        rows = self.documents()
        if not rows:
            return "知识库为空。"
        return f"共 {len(rows)} 个文档、{sum(r['chunks'] for r in rows)} 个段落；向量模型：{self.embedder.name}。"

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

    def upload(self, paths: Iterable[str | Path], progress: Progress | None = None) -> list[FileResult]:
        """Check, store and ingest uploaded files; one result per file."""
        say = forward_only(progress or (lambda f, m: None))
        paths = [Path(p) for p in paths]
        results: list[FileResult] = []
        staging = self.uploads / f".staging-{uuid.uuid4().hex}"
        staging.mkdir(parents=True, exist_ok=True)
        accepted: dict[str, Path] = {}
        try:
            for i, src in enumerate(paths):
                say(0.05 + 0.45 * i / max(1, len(paths)), f"检查文件 {i + 1}/{len(paths)}：{src.name}")
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
                results += self._ingest_accepted(accepted, say)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        say(1.0, "完成")
        return results

    def _ingest_accepted(self, accepted: dict[str, Path], say: Progress) -> list[FileResult]:
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

        def relay(msg: str) -> None:
            say(0.75 if "向量" in msg else 0.9 if "写入" in msg else 0.6, msg)

        say(0.55, f"正在导入 {len(placed)} 个文件…")
        try:
            report = ingest(
                placed, self.index_dir, self.embedder, store=self.store, progress=relay, on_step=stepper(say, 0.55, 0.9)
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
            elif name in report.added:
                out.append(FileResult(name, True, f"已导入，{self._chunks(name)} 个段落。"))
            elif name in report.updated:
                out.append(FileResult(name, True, f"已更新（同名文档已替换），{self._chunks(name)} 个段落。"))
            else:
                out.append(FileResult(name, True, "内容未变化，无需重新导入。"))
        return out

    def _chunks(self, doc_id: str) -> int:
        return self._manifest_documents().get(doc_id, {}).get("chunks", 0)

    # -- delete / rebuild -------------------------------------------------------

    def delete(self, doc_ids: Iterable[str]) -> str:
        doc_ids = [d for d in doc_ids if d]
        if not doc_ids:
            raise RagError("请先在列表中选择要删除的文档。")
        known = self._manifest_documents()
        missing = [d for d in doc_ids if d not in known]
        if missing:
            raise RagError(f"索引中没有这些文档：{'、'.join(missing)}。请刷新页面后重试。")
        ingest([], self.index_dir, self.embedder, store=self.store, remove=doc_ids)
        for d in doc_ids:
            source = known[d].get("source", "")
            if source and self._is_upload(source):
                Path(source).unlink(missing_ok=True)
        return f"已删除 {len(doc_ids)} 个文档：{'、'.join(doc_ids)}。它们不会再出现在回答和引用中。"

    def rebuild(self, progress: Progress | None = None) -> str:
        say = forward_only(progress or (lambda f, m: None))
        docs = self._manifest_documents()
        if not docs:
            raise RagError("知识库为空，无需重建：请先上传报告。")
        sources = [d.get("source", "") for d in docs.values()]
        missing = [s for s in sources if not s or not Path(s).is_file()]
        if missing:
            raise RagError(f"以下源文件已不存在，重建会丢失它们：{'、'.join(missing)}。请先删除这些文档或恢复文件。")
        say(0.1, f"正在重新读取 {len(sources)} 个文档…")
        report = ingest(
            sources,
            self.index_dir,
            self.embedder,
            store=self.store,
            rebuild=True,
            progress=lambda m: say(0.6, m),
            on_step=stepper(say, 0.1, 0.95),
        )
        say(1.0, "完成")
        if report.failed:
            return f"重建完成，但有 {len(report.failed)} 个文件失败：" + "；".join(report.failed.values())
        return f"重建完成：{len(docs)} 个文档、{report.total_chunks} 个段落，用时 {report.seconds:.1f} 秒。"
