"""How often LLM mode fell back to the extractive answer over a QA set, and why (`rag eval --llm`)."""

from __future__ import annotations

import re


def fallback_summary(preds: list[dict]) -> tuple[dict, str]:
    """How often LLM mode fell back, and why (reasons grouped with their quoted specifics elided)."""
    n = len(preds)
    fell = [p for p in preds if p.get("fallback_reason")]
    reasons: dict[str, int] = {}
    for p in fell:
        key = re.sub(r"“[^”]*”", "“…”", p["fallback_reason"]).split("（")[0]
        reasons[key] = reasons.get(key, 0) + 1
    corrected = sum("已更正引用" in (p.get("notice") or "") for p in preds if p.get("mode") == "llm")
    stats = {
        "questions": n,
        "llm_answers": sum(p.get("mode") == "llm" for p in preds),
        "fallbacks": len(fell),
        "fallback_rate": round(len(fell) / max(1, n), 4),
        "citations_corrected": corrected,
        "fallback_reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
    }
    lines = [
        f"LLM mode: {stats['llm_answers']}/{n} answers generated and verified; {len(fell)} fell back to the extractive "
        f"answer ({stats['fallback_rate']:.1%}); citations corrected in {corrected}.",
        *[f"- fallback: {why} × {c}" for why, c in stats["fallback_reasons"].items()],
    ]
    return stats, "\n".join(lines)
