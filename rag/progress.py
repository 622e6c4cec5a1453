"""Progress of long work (reading and embedding documents), as plain events.

Ingest emits a `Step` as it goes; each edge renders it its own way:
- `TerminalProgress` (CLI): a tqdm bar on a terminal, plain lines otherwise (logs, CI, pipes);
- the app's 知识库 tab maps it to Gradio's progress bar (`rag.app.library`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Step:
    stage: str  # what is being done: "读取文档", "向量化"
    done: int
    total: int
    elapsed: float  # seconds since the stage began
    unit: str = "段"

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def remaining(self) -> float | None:
        """Seconds left at the current rate (None before the rate is known)."""
        return (self.total - self.done) / self.rate if self.rate > 0 else None

    def message(self) -> str:
        """ "向量化 1200/3440 段（35%），9.8 段/秒，预计还需 3 分 48 秒"."""
        text = f"{self.stage} {self.done}/{self.total} {self.unit}（{self.fraction:.0%}）"
        if self.rate > 0 and self.done < self.total:
            text += f"，{self.rate:.1f} {self.unit}/秒，预计还需 {duration(self.remaining or 0)}"
        elif self.done >= self.total:
            text += f"，用时 {duration(self.elapsed)}"
        return text


OnStep = Callable[[Step], None]


def duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} 秒"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} 分 {seconds} 秒"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} 小时 {minutes} 分"


class Stage:
    """Counts the progress of one stage and emits a `Step` for each advance."""

    def __init__(self, name: str, total: int, on_step: OnStep | None, unit: str = "段"):
        self.name, self.total, self.unit = name, total, unit
        self.on_step = on_step
        self.done = 0
        self.started = time.perf_counter()
        self.advance(0)

    def advance(self, n: int) -> None:
        self.done += n
        if self.on_step is not None:
            self.on_step(Step(self.name, self.done, self.total, time.perf_counter() - self.started, self.unit))


def counter(name: str, on_step: OnStep, unit: str = "题") -> Callable[[int, int], None]:
    """A `progress(done, total)` callback (as `rag.evaluation.harness.run_system` takes) that emits Steps."""
    started = time.perf_counter()
    return lambda done, total: on_step(Step(name, done, total, time.perf_counter() - started, unit))


class TerminalProgress:
    """Renders steps on a stream: a tqdm bar per stage when it is a terminal; otherwise one plain
    line when a stage starts, then at most every `every` seconds, and when it ends."""

    def __init__(self, stream: TextIO | None = None, every: float = 10.0, bar: bool | None = None):
        self.stream = stream or sys.stderr
        self.every = every
        self.bar = self.stream.isatty() if bar is None else bar
        self._tqdm = None
        self._stage = ""
        self._last = 0.0

    def __call__(self, step: Step) -> None:
        if self.bar:
            self._draw(step)
            return
        now = time.perf_counter()
        new = step.stage != self._stage
        if new or step.done >= step.total or now - self._last >= self.every:
            self._stage, self._last = step.stage, now
            print(step.message(), file=self.stream, flush=True)

    def _draw(self, step: Step) -> None:
        from tqdm import tqdm

        if self._tqdm is None or step.stage != self._stage:
            self.close()
            self._stage = step.stage
            self._tqdm = tqdm(total=step.total, desc=step.stage, unit=step.unit, file=self.stream, dynamic_ncols=True)
        self._tqdm.n = step.done
        self._tqdm.refresh()
        if step.done >= step.total:
            self.close()

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
