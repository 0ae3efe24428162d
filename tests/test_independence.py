"""The checker shares no code with the planner, and the simulator does not import it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"
CHECKER = sorted(SIM.glob("check*.py"))
SIMULATOR = [
    SIM / f"{name}.py"
    for name in (
        "uncertainty",
        "replay",
        "live",
        "fit",
        "policies",
        "replan",
        "outcome",
        "metrics",
        "robustness",
        "executors",
        "simulation_report",
    )
]


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("path", CHECKER + SIMULATOR, ids=lambda p: p.name)
def test_does_not_import_the_planner(path: Path) -> None:
    assert path.exists()
    assert not {
        m for m in imported_modules(path) if m == "sim.solve" or m.startswith("sim.solve.")
    }, path.name


def test_checker_modules_found() -> None:
    assert len(CHECKER) >= 2
