"""Evaluation: plain data in (QA items, predictions), dict of metrics out."""

from .metrics import evaluate, load_qa, supports

__all__ = ["evaluate", "load_qa", "supports"]
