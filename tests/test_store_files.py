"""The index as files (FAISS + bm25s), held to the store contract (`tests/store_contract.py`)."""

import pytest
from store_contract import StoreContract


class TestFileStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path) -> str:
        return "faiss"
