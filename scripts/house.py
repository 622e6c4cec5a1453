"""Structure of the `rag` package from its source: import graph, circles, lazy imports, patterns.

Run from the repository root:
    python scripts/house.py            # summary: modules, levels, circles, lazy imports, patterns
    python scripts/house.py --edges    # every import edge (module -> module)

Only the standard library is used (ast), so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = "rag"


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under rag/."""
    out = {}
    for path in sorted((ROOT / PKG).rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, current: str, is_pkg: bool, level: int, known: dict) -> str | None:
    if level:
        base = current.split(".")
        if not is_pkg:
            base = base[:-1]
        base = base[: len(base) - (level - 1)] if level > 1 else base
        name = ".".join(base + ([name] if name else []))
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports(known: dict[str, Path]) -> tuple[dict, dict, dict]:
    """(top-level, lazy, typing) edges: module -> set of imported rag modules.

    Lazy: an import inside a function or an if-block (it runs when that code does). Typing: an import under
    `if TYPE_CHECKING:`, which never runs — it names a type for annotations only.
    """
    edges: dict[str, dict[str, set]] = {k: defaultdict(set) for k in ("top", "lazy", "typing")}
    for mod, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        _visit(tree, "top", mod, path.name == "__init__.py", known, edges)
    return edges["top"], edges["lazy"], edges["typing"]


def _visit(node, kind, mod, is_pkg, known, edges) -> None:
    """Record the rag imports under `node` as `kind` (top, lazy or typing)."""
    for child in ast.iter_child_nodes(node):
        inner = kind
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            inner = "typing"
        elif kind == "top" and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.If)) and not _is_main_guard(child):
            inner = "lazy"
        targets = []
        if isinstance(child, ast.Import):
            targets = [(a.name, 0) for a in child.names if a.name.split(".")[0] == PKG]
        elif isinstance(child, ast.ImportFrom) and (child.level or (child.module or "").split(".")[0] == PKG):
            src = child.module or ""
            targets = [(f"{src}.{a.name}" if src else a.name, child.level) for a in child.names]
        for full, level in targets:
            tgt = _resolve(full, mod, is_pkg, level, known)
            if tgt and tgt != mod:
                edges[kind][mod].add(tgt)
        _visit(child, inner, mod, is_pkg, known, edges)


def _is_main_guard(node) -> bool:
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)


def circles(edges: dict[str, set]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    nodes = set(edges) | {t for ts in edges.values() for t in ts}

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            strong(v)
    return out


def levels(edges: dict[str, set], known) -> int:
    """Length of the longest import chain (acyclic part; circles count once)."""
    memo: dict[str, int] = {}

    def depth(v, seen):
        if v in memo:
            return memo[v]
        if v in seen:
            return 0
        seen = seen | {v}
        d = 1 + max((depth(w, seen) for w in edges.get(v, ())), default=0)
        memo[v] = d
        return d

    return max(depth(m, frozenset()) for m in known)


def patterns(known: dict[str, Path]) -> dict[str, int]:
    """Compiled regular expressions (re.compile calls) per module."""
    out = {}
    for mod, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        n = sum(
            1
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "compile"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
        )
        if n:
            out[mod] = n
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", action="store_true", help="print every import edge")
    args = ap.parse_args()
    known = modules()
    top, lazy, typing = imports(known)
    if args.edges:
        for label, graph in (("", top), ("  (lazy)", lazy), ("  (typing)", typing)):
            for m in sorted(graph):
                for t in sorted(graph[m]):
                    print(f"{m} -> {t}{label}")
        return 0
    both, annotated = defaultdict(set), defaultdict(set)
    for d in (top, lazy):
        for k, v in d.items():
            both[k] |= v
    for d in (both, typing):
        for k, v in d.items():
            annotated[k] |= v
    print(f"modules: {len(known)}  (packages: {sum(1 for p in known.values() if p.name == '__init__.py')})")
    print(f"import levels (top-level imports): {levels(top, known)}")
    for label, graph in (("top-level imports", top), ("with lazy imports", both), ("with annotation-only imports", annotated)):
        cs = circles(graph)
        print(f"import circles ({label}): {len(cs)}")
        for c in cs:
            print("   ", " <-> ".join(c))
    nlazy = sum(len(v) for v in lazy.values())
    print(f"lazy imports of rag modules (inside functions or if-blocks): {nlazy}")
    for m in sorted(lazy):
        print(f"    {m}: {', '.join(sorted(lazy[m]))}")
    ntyping = sum(len(v) for v in typing.values())
    print(f"annotation-only imports (under TYPE_CHECKING, never run): {ntyping}")
    for m in sorted(typing):
        print(f"    {m}: {', '.join(sorted(typing[m]))}")
    pats = patterns(known)
    inside = sum(n for m, n in pats.items() if m.startswith(f"{PKG}.domain"))
    outside = {m: n for m, n in pats.items() if not m.startswith(f"{PKG}.domain")}
    print(f"compiled patterns: {inside} in {PKG}/domain/, {sum(outside.values())} outside")
    for m, n in sorted(outside.items(), key=lambda kv: -kv[1]):
        print(f"    {m}: {n}")
    sizes = sorted(((len(p.read_text(encoding="utf-8").splitlines()), m) for m, p in known.items()), reverse=True)
    print("largest modules: " + ", ".join(f"{m} ({n})" for n, m in sizes[:8]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
