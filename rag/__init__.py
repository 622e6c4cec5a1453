"""Cited, checkable answers to Chinese questions about government work reports.

Pipeline (one module per step): loading -> metadata -> chunking -> embedding
-> index/store -> retrieval -> answering; chain (LangChain edge), cli, app,
evaluation.
"""

from .errors import RagError
from .pipeline import Assistant
from .retrieval import Filters
from .types import Answer, Chunk, Hit

__all__ = ["Answer", "Assistant", "Chunk", "Filters", "Hit", "RagError"]
__version__ = "0.1.0"
