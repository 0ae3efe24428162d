"""What the explanation of an impossible scenario says when its own search cannot
finish: that it ran out of time, not a cause it did not find."""

from __future__ import annotations

from pathlib import Path

import pytest
from ortools.sat.python import cp_model

import sim.solve.explain as explain
from sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_an_explanation_out_of_time_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "infeasible.yaml")
    found = explain.explain_infeasibility(scenario, time_limit=10, seed=0)
    assert found.requirements and not found.undecided  # the bundled conflict, named

    def out_of_time(
        model: cp_model.CpModel, literals: list[cp_model.IntVar], limit: float, seed: int
    ) -> tuple[int, cp_model.CpSolver]:
        return cp_model.UNKNOWN, cp_model.CpSolver()

    monkeypatch.setattr(explain, "_solve_with", out_of_time)
    lost = explain.explain_infeasibility(scenario, time_limit=10, seed=0)
    assert lost.undecided and lost.requirements == ()
    (line,) = lost.lines()
    assert "ran out of time" in line and "--time-limit" in line
    assert "travel" not in line  # no cause it did not find


def test_a_set_to_make_optional_not_proven_fewest_says_so() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "infeasible.yaml")
    found = explain.explain_infeasibility(scenario, time_limit=10, seed=0)
    shown = explain.Explanation(found.requirements, ("m1", "m2"), fewest_proven=False)
    assert "would give a schedule (not proven the fewest): m1, m2" in shown.lines()[-1]
