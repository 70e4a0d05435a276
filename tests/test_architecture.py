"""The shape of the house, held by its imports (issue #11): no circles; the edge (Streamlit
pages, their UI helper, the CLI) is imported by nothing below it; the vocabulary sits at the
bottom and the policy just above it, so the words of the domain are never imported upward."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dashboard"
EDGE = ("dashboard.app", "dashboard.app_pages", "dashboard.ui", "dashboard.cli")


def imports() -> dict[str, set[str]]:
    """Each module of the package -> the modules of the package it imports (at any depth in
    the file: an import inside a function is still a dependency)."""
    modules = {_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _in(module: str, places: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in places)


def test_the_import_graph_has_no_circles():
    assert cycles(imports()) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_nothing_below_the_edge_imports_it():
    graph = imports()
    upward = {
        (module, other)
        for module, uses in graph.items()
        if not _in(module, EDGE) and module != "dashboard.__main__"
        for other in uses
        if _in(other, EDGE)
    }
    assert upward == set()


def test_the_vocabulary_is_the_bottom_and_the_policy_stands_on_it():
    graph = imports()
    assert graph["dashboard.vocabulary"] == set()
    assert graph["dashboard.policy"] <= {"dashboard.errors", "dashboard.vocabulary"}


def test_the_importer_does_not_walk_back_and_forth():
    """Validation of mapped rows lives in the importer, which nothing it uses imports."""
    graph = imports()
    below = {
        module
        for module, uses in graph.items()
        if not _in(module, ("dashboard.importer",)) and _in(module, ("dashboard",))
        for other in uses
        if _in(other, ("dashboard.importer",))
    }
    importer_uses = {
        other
        for module, uses in graph.items()
        if _in(module, ("dashboard.importer",))
        for other in uses
        if not _in(other, ("dashboard.importer",))
    }
    assert not below & importer_uses, "modules that the importer uses and that use the importer"


def test_figures_need_no_chart_library():
    """A page's or a pack's figures are computed without Altair: charts only draw them."""
    graph = imports()
    for module in ("dashboard.views", "dashboard.review.content", "dashboard.analytics"):
        assert "dashboard.charts" not in graph[module], module
