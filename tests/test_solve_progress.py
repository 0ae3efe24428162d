"""What the planner says while it works: plain words a protocol officer can follow,
from the model's preparation on (a large summit spends seconds before its search)."""

from __future__ import annotations

from pathlib import Path

from sim.scenario.load import load_scenario
from sim.solve.run import SolveSettings, solve

ROOT = Path(__file__).resolve().parent.parent


def test_the_planner_says_when_the_model_is_ready_and_what_the_first_plan_holds() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "kazan-2024.yaml")
    said: list[str] = []
    solve(scenario, SolveSettings(time_limit=5, explain=False), progress=said.append)
    assert said[0].startswith("planning model ready (15 meetings); ")
    first_plan = [line for line in said if line.startswith("a first plan by simple rules")]
    assert first_plan == [said[1]]
    assert "holds 15 of 15 meetings; searching for better" in first_plan[0]
    # no solver words in what the planner says
    for line in said:
        assert not any(word in line.lower() for word in ("cp-sat", "objective", "presolve"))


def test_every_tier_has_plain_words_for_the_notes() -> None:
    # The notes name the objectives a stopped search was improving in plain words,
    # never by their identifiers.
    from sim.model import OBJECTIVE_TIERS
    from sim.solve.run import _PLAIN_TIERS

    assert set(OBJECTIVE_TIERS) | {"changes", "displacement"} <= set(_PLAIN_TIERS)
    assert not any("_" in words for words in _PLAIN_TIERS.values())
