"""The shape of the code: imports flow one way, with no cycle and no import hidden in a function to dodge one.

Both checks read ``marketplace/`` as text (``ast``), so they run in milliseconds and need no app.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "marketplace"

#: Function-local imports that are not there to dodge a cycle:
#: the factory imports the app's parts when it runs (importing ``marketplace`` stays cheap for tools), and a
#: search engine's library is loaded only when that engine is chosen.
ALLOWED_LOCAL = {("marketplace", "create_app"), ("marketplace.search", "open_engine")}

#: Cycle-dodging local imports still to remove (issue "house in order"); the list may only shrink.
KNOWN_LOCAL: set[tuple[str, str]] = {
    ("marketplace.search.bench", "sample_queries"),
}
#: Import cycles still to break; the list may only shrink.
KNOWN_CYCLES: list[set[str]] = [
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path, modules: dict[str, Path]):
    """Yield ``(target_module, enclosing_function_or_None)`` for every import of a ``marketplace`` module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.ImportFrom):
                target = _resolve(module, path, child)
                if target.startswith("marketplace"):
                    for alias in child.names:
                        sub = f"{target}.{alias.name}"
                        yield (sub if sub in modules else target), function
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("marketplace"):
                        yield alias.name, function
            yield from visit(child, inner)

    yield from visit(tree, None)


def _graph():
    modules = _modules()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    local: set[tuple[str, str]] = set()
    for module, path in modules.items():
        for target, function in _imports(module, path, modules):
            if target in modules and target != module:
                edges[module].add(target)
            if function is not None:
                local.add((module, function))
    return edges, local


def _cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(edges):
        if v not in index:
            strongconnect(v)
    return found


def test_no_new_import_cycle():
    edges, _local = _graph()
    new = [c for c in _cycles(edges) if c not in KNOWN_CYCLES]
    assert new == [], f"import cycles: {new}"


def test_no_new_function_local_import():
    _edges, local = _graph()
    new = sorted(local - ALLOWED_LOCAL - KNOWN_LOCAL)
    assert new == [], ("import at the top of the module (if that makes a cycle, move the shared code to a "
                       f"lower module instead): {new}")


def test_the_known_lists_only_shrink():
    """An entry fixed must leave the list, so it cannot come back unnoticed."""
    edges, local = _graph()
    assert sorted(KNOWN_LOCAL - local) == []
    cycles = _cycles(edges)
    assert [c for c in KNOWN_CYCLES if c not in cycles] == []


def test_the_checker_sees_cycles_and_local_imports():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [{"a", "b", "c"}]
    assert ("marketplace", "create_app") in _graph()[1]  # the factory's imports are seen (and allowed)
