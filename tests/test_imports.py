"""How toolkit modules import each other: no cycles, no single-letter module aliases.

A cycle means two modules can only be understood (and loaded) together, and it breaks as
soon as one of them imports a name at the top instead of inside a function; a one-letter
alias (``tables as P``) makes every call site a riddle. Imports inside functions count too.
Only the standard library is used, so the check runs wherever the tests run.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "toolkit"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The toolkit modules that module ``name`` imports (a ``from m import x`` counts as m.x when that is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in modules:  # `import toolkit.a.b` names a module; trim attribute paths
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_among_toolkit_modules():
    modules = _modules()
    graph = {name: _imported(name, path, modules) for name, path in modules.items()}
    assert sum(map(len, graph.values())) > 100  # the parser does see the imports
    assert _cycles(graph) == []


_IMPORT = re.compile(r"^\s*(?:from\s+\S+\s+)?import\s+(.*)$", re.MULTILINE)
_CRYPTIC = re.compile(r"[A-Za-z]|[A-Z]{2,3}")  # P, W, DQ; conventional np, pd, mp are lower case and stay


def _cryptic_aliases(text: str) -> list[str]:
    return [a for names in _IMPORT.findall(text) for a in re.findall(r"\bas\s+(\w+)", names) if _CRYPTIC.fullmatch(a)]


def test_no_single_letter_module_aliases():
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        sources[str(nb.relative_to(ROOT))] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert _cryptic_aliases("from m import a as P, b as DQ\nimport numpy as np") == ["P", "DQ"]
    found = {name: _cryptic_aliases(text) for name, text in sources.items()}
    assert {name: aliases for name, aliases in found.items() if aliases} == {}
