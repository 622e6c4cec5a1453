"""Bounded capacity for `rag serve`: at most `workers` answers are computed at
once and at most `waiting` more questions wait for a turn (for `wait_timeout`
seconds at most). A question beyond that gets an immediate, clear "busy" answer
— a `BusyError`, shown in the chat and returned by the `ask` endpoint like any
other message — instead of an ever longer queue or a crash.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import RagError
from ..pipeline import Assistant

DEFAULT_WORKERS = 4  # answers computed at once (CPU-bound: a few per core is plenty)
DEFAULT_WAITING = 60  # questions that may wait for a worker
DEFAULT_WAIT_TIMEOUT = 30.0  # seconds a question may wait before it is answered "busy"


class BusyError(RagError):
    """The server is at capacity; try again shortly."""


class Gate:
    """Admission control: a counting semaphore with a bounded, timed waiting line."""

    def __init__(
        self, workers: int = DEFAULT_WORKERS, waiting: int = DEFAULT_WAITING, wait_timeout: float = DEFAULT_WAIT_TIMEOUT
    ):
        if workers < 1 or waiting < 0 or wait_timeout <= 0:
            raise ValueError(
                f"并发设置无效：workers={workers}（至少 1）、waiting={waiting}（至少 0）、wait_timeout={wait_timeout}（大于 0）。"
            )
        self.workers, self.waiting, self.wait_timeout = workers, waiting, wait_timeout
        self._cond = threading.Condition()
        self._active = 0
        self._queued = 0
        self.admitted = 0
        self.rejected = 0

    @property
    def capacity(self) -> int:
        return self.workers + self.waiting

    def _busy(self, why: str) -> BusyError:
        self.rejected += 1
        return BusyError(f"服务器繁忙：{why}。请稍候几秒再提问。")

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._cond:
            if self._active + self._queued >= self.capacity:
                raise self._busy(f"正在处理和排队的问题已达上限（{self.capacity} 个）")
            self._queued += 1
            deadline = time.monotonic() + self.wait_timeout
            try:
                while self._active >= self.workers:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise self._busy(f"排队超过 {self.wait_timeout:.0f} 秒仍未轮到")
                    self._cond.wait(left)
            finally:
                self._queued -= 1
            self._active += 1
            self.admitted += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify()


class GatedAssistant(Assistant):
    """An `Assistant` whose answers pass through a `Gate` (nested calls in one thread take one slot)."""

    def __init__(self, *args, gate: Gate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = gate or Gate()
        self._inside = threading.local()

    def ask(self, *args, **kwargs):
        if getattr(self._inside, "depth", 0):
            return super().ask(*args, **kwargs)
        with self.gate.slot():
            self._inside.depth = 1
            try:
                return super().ask(*args, **kwargs)
            finally:
                self._inside.depth = 0
