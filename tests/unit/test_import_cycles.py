"""No import cycles between Orchard's modules: the imports a module runs when it loads (not those
under `if TYPE_CHECKING:` or inside functions) form a graph without cycles."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "orchard"


def module_name(path: Path) -> str:
    parts = ["orchard", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def load_time_imports(path: Path, known: set[str]) -> set[str]:
    """The orchard modules `path` imports at load time (names resolved to modules)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        nodes = [node] if not isinstance(node, ast.Try) else node.body
        for item in nodes:
            if isinstance(item, ast.Import):
                found.update(a.name for a in item.names if a.name in known)
            elif isinstance(item, ast.ImportFrom) and item.module and item.level == 0:
                for alias in item.names:
                    full = f"{item.module}.{alias.name}"
                    found.add(full if full in known else item.module)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(p) for p in paths}
    return {module_name(p): load_time_imports(p, known) for p in paths}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return one cycle per strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_modules_import_each_other_without_cycles() -> None:
    edges = graph()
    # a package's __init__ re-exporting its own modules is not a cycle between modules
    for name, targets in edges.items():
        edges[name] = {t for t in targets if not t.startswith(name + ".")}
    assert cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
