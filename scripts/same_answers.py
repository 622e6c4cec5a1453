"""Show that a change of structure changed no answer: run every QA set on an older commit and on the
working tree, over one index, and compare the predictions field by field (latency aside).

    python scripts/same_answers.py --old b6d7399 --index eval/out/kb-all/index [--qa eval/qa.jsonl ...]

The older code is exported with `git archive` into `<out>/old-src` and run from there (`python -m rag.cli
eval`), so both runs read the same index and the same QA files. The report lists, per set, how many
predictions differ in the answer text, the refusal, the short answer, the citations (document, chunk,
quote), the table cells and anything else the user reads (headline, notes); every difference is printed.
Exit status 1 on any of those. The order of the retrieved passages is reported too ("ranking"), for
information: a change of it that changes no answer is not a difference.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORED = {"latency_ms"}  # the only field allowed to differ


def export_commit(ref: str, dest: Path) -> Path:
    """The tree of `ref` unpacked into `dest` (replaced if present)."""
    if dest.exists():
        subprocess.run(["rm", "-rf", str(dest)], check=True)
    dest.mkdir(parents=True)
    data = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def run_eval(src: Path, index: Path, sets: list[Path], out: Path, k: int) -> None:
    """`rag eval` of the code in `src` (run from there, so its `rag` package is the one imported)."""
    cmd = [sys.executable, "-m", "rag.cli", "eval", "--index", str(index), "--out", str(out), "--k", str(k)]
    for s in sets:
        cmd += ["--qa", str(s)]
    if len(sets) == 1:  # (`rag eval` writes a single set straight into --out)
        cmd[cmd.index("--out") + 1] = str(out / sets[0].stem)
    env = {**os.environ, "PYTHONPATH": str(src)}
    check = subprocess.run(
        [sys.executable, "-c", "import rag; print(rag.__file__)"], cwd=src, env=env, capture_output=True, text=True
    )
    imported = Path(check.stdout.strip()).resolve()
    if not imported.is_relative_to(src.resolve()):
        raise SystemExit(f"{src}: 导入的 rag 来自 {imported}，不是该目录；请检查 PYTHONPATH")
    print(f"$ (cd {src} && {' '.join(cmd)})", flush=True)
    subprocess.run(cmd, cwd=src, env=env, check=True)


def _load(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8") as f:
        return {p["id"]: p for p in map(json.loads, f)}


def _fields(pred: dict) -> dict[str, object]:
    """The compared parts of one prediction, grouped as the report names them."""
    cites = [(c["doc"], c["chunk_id"], c["quote"]) for c in pred.get("citations", [])]
    rest = {k: v for k, v in pred.items() if k not in IGNORED | {"answer", "refused", "short_answer", "citations"}}
    ranking = {k: rest.pop(k, None) for k in ("retrieved", "retriever")}
    table = rest.pop("table", None)
    cells = None
    if table is not None:
        cells = [
            (r.get("region"), r.get("year"), r.get("kind"), r.get("indicator"), r.get("value"), r.get("citation"))
            for r in table.get("rows", [])
        ]
        rest["table_other"] = {k: v for k, v in table.items() if k != "rows"}
    return {
        "answer": pred.get("answer"),
        "refused": pred.get("refused"),
        "short_answer": pred.get("short_answer"),
        "citations": cites,
        "citation_details": pred.get("citations"),
        "table_cells": cells,
        "other": rest,  # headline, note, notice, mode …: what else the user reads
        "ranking": ranking,  # the passages retrieved, in order (informational: not an answer)
    }


def compare(old: dict[str, dict], new: dict[str, dict]) -> tuple[dict[str, int], list[str]]:
    counts = {k: 0 for k in ("answer", "refused", "short_answer", "citations", "citation_details", "table_cells", "other")}
    counts["ranking"] = 0
    lines = []
    if set(old) != set(new):
        lines.append(f"  question ids differ: only old {sorted(set(old) - set(new))}, only new {sorted(set(new) - set(old))}")
    for qid in sorted(set(old) & set(new)):
        a, b = _fields(old[qid]), _fields(new[qid])
        for key in counts:
            if a[key] != b[key]:
                counts[key] += 1
                lines.append(
                    f"  {qid} {key}:\n    old {json.dumps(a[key], ensure_ascii=False)[:400]}\n"
                    f"    new {json.dumps(b[key], ensure_ascii=False)[:400]}"
                )
    return counts, lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", required=True, help="the commit to compare with (e.g. the last one before the change)")
    ap.add_argument("--index", required=True, type=Path, help="the index both runs read")
    ap.add_argument("--qa", action="append", type=Path, default=None, help="QA sets (default: every eval/*.jsonl)")
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "out" / "same-answers")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--reuse-old", action="store_true", help="keep the older code's predictions from a previous run")
    args = ap.parse_args(argv)
    sets = [p.resolve() for p in (args.qa or sorted((ROOT / "eval").glob("*.jsonl")))]
    index, out = args.index.resolve(), args.out.resolve()
    if not (index / "CURRENT").exists():
        raise SystemExit(f"{index}: 不是索引目录（缺少 CURRENT）；先用 rag ingest 建立索引")
    if not (args.reuse_old and (out / "old").exists()):
        run_eval(export_commit(args.old, out / "old-src"), index, sets, out / "old", args.k)
    run_eval(ROOT, index, sets, out / "new", args.k)
    total, report = 0, [f"same-answers: {args.old} vs working tree, index {index}"]
    for s in sets:
        name = s.stem
        old, new = _load(out / "old" / name / "predictions.jsonl"), _load(out / "new" / name / "predictions.jsonl")
        counts, lines = compare(old, new)
        n = len(new)
        diff = sum(v for k, v in counts.items() if k != "ranking")
        total += diff
        summary = ", ".join(f"{k} {v}" for k, v in counts.items())
        report.append(f"{name}: {n} questions; differing — {summary}" + ("" if diff else "  (identical)"))
        report.extend(lines)
    report.append("IDENTICAL (latency aside)" if total == 0 else f"{total} differences")
    text = "\n".join(report)
    (out / "report.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
