"""The scripted what-if "a programme event runs N minutes long" (``event_overrun``):
read, written back, drawn in every replication, and felt by the day after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.model import ScriptedKind
from sim.scenario.load import load_scenario_text
from sim.scenario.write import scenario_to_yaml
from sim.simulate.disruptions import DrawPlan
from sim.simulate.monte_carlo import simulate
from sim.solve import solve

TUTORIAL = (Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.yaml").read_text()
WHAT_IF = "  scripted:\n    - {event: event_overrun, fixed_event: opening, by: 90min}\n"


def with_what_if(text: str) -> str:
    assert "\nuncertainty:" not in text  # the tutorial has none: add one
    return f"{text.rstrip()}\nuncertainty:\n{WHAT_IF}"


def test_the_what_if_is_read_written_back_and_drawn_every_time() -> None:
    scenario = load_scenario_text(with_what_if(TUTORIAL), "what-if.yaml")
    (event,) = [e for e in scenario.uncertainty.scripted if e.kind is ScriptedKind.EVENT_OVERRUN]
    assert (event.fixed_event, event.minutes) == ("opening", 90)
    again = load_scenario_text(scenario_to_yaml(scenario), "again.yaml")
    assert again.uncertainty.scripted == scenario.uncertainty.scripted
    plan = DrawPlan.of(scenario, scenario.uncertainty)
    assert {plan.draw(7, r).overrun["opening"] for r in range(20)} == {90}


def test_a_long_opening_plenary_is_felt_after_it() -> None:
    plain = load_scenario_text(TUTORIAL, "plain.yaml")
    long_opening = load_scenario_text(with_what_if(TUTORIAL), "what-if.yaml")
    schedule = solve(plain).schedule
    calm = simulate(plain, schedule, runs=30, seed=3, policies=("as-planned",))
    late = simulate(long_opening, schedule, runs=30, seed=3, policies=("as-planned",))
    # 90 minutes more of plenary every time: what follows it starts later
    assert late.variants[0].knock_on > calm.variants[0].knock_on
    assert late.variants[0].late_events >= calm.variants[0].late_events


def test_an_unknown_programme_event_is_named() -> None:
    text = with_what_if(TUTORIAL).replace("fixed_event: opening", "fixed_event: openning")
    with pytest.raises(ScenarioError) as refused:
        load_scenario_text(text, "what-if.yaml")
    (problem,) = refused.value.problems
    assert problem.path == "uncertainty.scripted[0].fixed_event"
    assert "opening" in problem.hint or "opening" in problem.message
