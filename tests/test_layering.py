"""The package's layering, checked on the import graph of ``sim/``.

Every import counts: module level, inside functions and under ``TYPE_CHECKING``
(a hidden import is still a dependency). The graph is read from the source with
``ast``, so a violation fails here even on a path that no test executes.

Rules (CONTRIBUTING.md): no import cycle anywhere in ``sim/``; nothing under
``sim/check/`` or ``sim/simulate/`` reaches the planner ``sim.solve``, directly
or through any chain of other modules; ``sim/export/`` reaches neither the
planner nor the simulator's replay machinery.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The ``sim`` modules that ``name`` imports, resolved to modules of this tree."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # ``from package import module`` depends on the module; ``from module
            # import name`` on the module
            targets = [
                f"{module}.{alias.name}" if f"{module}.{alias.name}" in MODULES else module
                for alias in node.names
            ]
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def reachable(start: str, graph: dict[str, set[str]] = GRAPH) -> dict[str, str]:
    """Every module ``start`` reaches, each mapped to the module that imported it.

    Importing ``a.b.c`` runs the ``__init__`` of ``a`` and ``a.b`` first, so those
    count as reached too."""
    parent: dict[str, str] = {}
    todo = [start]
    while todo:
        here = todo.pop()
        nexts = set(graph.get(here, ()))
        for name in list(nexts):
            parts = name.split(".")
            nexts.update(".".join(parts[:i]) for i in range(1, len(parts)))
        for name in sorted(nexts):
            if name in MODULES and name not in parent and name != start:
                parent[name] = here
                todo.append(name)
    return parent


def chain(parent: dict[str, str], start: str, end: str) -> str:
    path = [end]
    while path[-1] != start:
        path.append(parent[path[-1]])
    return " -> ".join(reversed(path))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def under(*packages: str) -> Iterable[str]:
    return [m for m in MODULES if any(m == p or m.startswith(p + ".") for p in packages)]


def test_the_graph_is_read() -> None:
    # guards against a parser that silently finds nothing
    assert "sim.simulate.replay" in MODULES and "sim.check.rules" in MODULES
    assert "sim.simulate.state" in GRAPH["sim.simulate.replay"]
    assert "sim.solve" in reachable("sim.robust_plan")


def test_no_import_cycles() -> None:
    assert cycles(GRAPH) == []


def test_cycle_finder_finds_a_cycle() -> None:
    graph = {name: set(deps) for name, deps in GRAPH.items()}
    graph["sim.model"].add("sim.schedule")  # sim.schedule imports sim.model already
    assert any({"sim.model", "sim.schedule"} <= set(c) for c in cycles(graph))


@pytest.mark.parametrize("name", under("sim.check", "sim.simulate", "sim.export"))
def test_checker_simulator_and_exports_never_reach_the_planner(name: str) -> None:
    parent = reachable(name)
    planner = sorted(m for m in parent if m in under("sim.solve"))
    assert not planner, chain(parent, name, planner[0])


@pytest.mark.parametrize("name", under("sim.export"))
def test_exports_never_reach_the_replay(name: str) -> None:
    parent = reachable(name)
    machinery = {"sim.simulate.replay", "sim.simulate.policies", "sim.simulate.replanning"}
    hit = sorted(machinery & parent.keys())
    assert not hit, chain(parent, name, hit[0])


def test_an_indirect_violation_is_caught() -> None:
    # the checker's view imports sim.times; were sim.times to import the module that
    # composes planner and simulator, the checker would reach the planner through it
    assert "sim.times" in GRAPH["sim.check.view"]
    graph = {name: set(deps) for name, deps in GRAPH.items()}
    graph["sim.times"] = graph["sim.times"] | {"sim.robust_plan"}
    parent = reachable("sim.check.view", graph)
    assert "sim.solve" in parent
    assert chain(parent, "sim.check.view", "sim.solve") == (
        "sim.check.view -> sim.times -> sim.robust_plan -> sim.solve"
    )
