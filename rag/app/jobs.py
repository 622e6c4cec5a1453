"""Long knowledge-base work (upload, metadata edit, rebuild) run beside the page, with one progress display.

The work runs in a thread; `run` yields the progress display (HTML) about twice a second while it runs, then
the work's result. The display is one box where the action was started: a bar, one percentage of the whole
action, the phase in words (读取 / 切分 / 向量化 / 写入索引), what is being done, and the time left once it
can be estimated. Gradio's own progress overlay is not used (it repeats itself over every output).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..progress import Step, duration
from .render import esc

# The phases of an ingest, each with its share of the whole bar (reading is quick, embedding is most of it).
PHASES = {"读取": (0.0, 0.1), "切分": (0.1, 0.2), "向量化": (0.2, 0.92), "写入索引": (0.92, 1.0)}
_STAGE_PHASE = {"读取文档": "读取", "切分": "切分", "向量化": "向量化", "写入索引": "写入索引"}
TICK = 0.5  # seconds between two updates of the display


@dataclass
class State:
    phase: str = "读取"
    fraction: float = 0.0  # of the whole action, never moving back
    detail: str = ""
    remaining: float | None = None  # seconds left in the current phase, when the rate is known


class Tracker:
    """What the display shows, fed by ingest's counted steps (`rag.progress.Step`) and its messages."""

    def __init__(self, action: str):
        self.action = action
        self.started = time.perf_counter()
        self.state = State(detail="准备中…")
        self._lock = threading.Lock()

    def phase(self, phase: str, detail: str, within: float = 0.0) -> None:
        """Report progress by hand: `within` is the share of `phase` done."""
        a, b = PHASES[phase]
        with self._lock:
            self.state = State(phase, max(self.state.fraction, a + (b - a) * within), detail, None)

    def step(self, step: Step) -> None:
        phase = _STAGE_PHASE.get(step.stage, self.state.phase)
        a, b = PHASES[phase]
        detail = f"{step.done}/{step.total} {step.unit}"
        with self._lock:
            self.state = State(
                phase,
                max(self.state.fraction, a + (b - a) * step.fraction),
                detail,
                step.remaining if 0 < step.done < step.total else None,
            )

    def message(self, text: str) -> None:
        """A free-text message of ingest ("正在向量化 173 个段落…"): shown as the detail, phase kept."""
        with self._lock:
            self.state = State(self.state.phase, self.state.fraction, text.strip("…"), self.state.remaining)

    def html(self) -> str:
        with self._lock:
            s = self.state
        percent = int(s.fraction * 100)
        left = f"，预计还需 {duration(s.remaining)}" if s.remaining else ""
        elapsed = duration(time.perf_counter() - self.started)
        return (
            f'<div class="rq-progress" role="progressbar" aria-valuenow="{percent}" aria-valuemin="0" aria-valuemax="100">'
            f'<div class="rq-progress-head"><b>{esc(self.action)}</b>：<span class="rq-phase">{esc(s.phase)}</span>'
            f'<span class="rq-percent">{percent}%</span></div>'
            f'<div class="rq-bar"><div class="rq-bar-fill" style="width:{percent}%"></div></div>'
            f'<div class="rq-progress-detail">{esc(s.detail)}{esc(left)}（已用 {esc(elapsed)}）</div></div>'
        )


def run(action: str, work: Callable[[Tracker], Any], tick: float = TICK) -> Iterator[tuple[str, Any, bool]]:
    """Run `work(tracker)` in a thread. Yields (display, None, False) while it runs, then (display, result,
    True) once; an exception of the work is raised here, in the caller's thread."""
    tracker = Tracker(action)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = work(tracker)
        except BaseException as e:  # handed to the caller's thread
            box["error"] = e

    thread = threading.Thread(target=target, name=f"rag-{action}", daemon=True)
    thread.start()
    yield tracker.html(), None, False
    while thread.is_alive():
        thread.join(tick)
        if thread.is_alive():
            yield tracker.html(), None, False
    if "error" in box:
        raise box["error"]
    yield tracker.html(), box.get("result"), True
