"""Every objective value a schedule reports is what its plan achieves, proven or not.

The independent checker recomputes the tiers from the plan alone
(``sim.check.check(...).objectives``); each ``ObjectiveValue`` in the schedule
must equal it, also when the search stopped at its time limit long before it
could prove anything. (Some terms of the model are bounded from one side only,
exact at an optimum; a search stopped early used to report their loose values,
-5 for a plan whose weighted slack is -3500.) The re-planning tiers, which the
checker does not know, are recomputed here from the published and the new plan.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.check import check
from sim.model import Scenario
from sim.scenario.load import load_scenario, load_scenario_text
from sim.schedule import Schedule
from sim.solve import SolveSettings, solve
from sim.solve.greedy import greedy_schedule
from sim.synth.summit import generate_scenario_model
from sim.testing import generated_scenario_yaml, scenarios

SHORT = st.sampled_from((0.05, 0.1, 0.2, 0.5))


def assert_honest(scenario: Scenario, schedule: Schedule) -> None:
    if not schedule.assignments:
        return
    report = check(scenario, schedule)
    assert report.ok, [str(v) for v in report.violations]
    recomputed = report.objectives.as_dict()
    reported = {o.name: o.value for o in schedule.objectives if o.name in recomputed}
    assert reported == {name: recomputed[name] for name in reported}, schedule.status
    for objective in schedule.objectives:
        assert objective.bound <= objective.value, objective.name


def change_cost(scenario: Scenario, meeting_id: str) -> int:
    """docs/planning.md: a move costs the meeting's weight, a drop three times as much;
    a required meeting counts as more than all optional weight together."""
    meeting = scenario.meeting_by_id[meeting_id]
    if meeting.required:
        return 1 + sum(m.weight for m in scenario.meetings if not m.required)
    return max(meeting.weight, 1)


def replanning_tiers(scenario: Scenario, previous: Schedule, schedule: Schedule) -> dict[str, int]:
    after = {a.meeting: a for a in schedule.assignments}
    changes = displacement = 0
    for old in previous.assignments:
        if old.meeting not in scenario.meeting_by_id:
            continue
        new = after.get(old.meeting)
        cost = change_cost(scenario, old.meeting)
        if new is None:
            changes += 3 * cost
        else:
            if (new.day, new.start, new.venue) != (old.day, old.start, old.venue):
                changes += cost
            displacement += abs(new.start - old.start)
    return {"changes": changes, "displacement": displacement}


# --- fast: cases that reported a wrong value before the fix ---------------------------


# parties, requests, days, venues, principals, density, seed; then the time limit
CASES = [
    ((7, 9, 1, 3, 1, 0.7, 3235341664), 0.05),
    ((9, 13, 2, 1, 1, 0.7, 4165244256), 0.05),
    ((9, 28, 1, 1, 2, 0.3, 1674216077), 0.05),
    ((10, 28, 2, 3, 3, 0.7, 1946950245), 0.5),  # preferences: 30 reported, 10 true
]


@pytest.mark.parametrize(("size", "time_limit"), CASES)
def test_a_search_stopped_early_reports_its_plan(
    size: tuple[int, int, int, int, int, float, int], time_limit: float
) -> None:
    parties, requests, days, venues, principals, density, seed = size
    scenario = generate_scenario_model(
        parties=parties,
        requests=requests,
        days=days,
        venues=venues,
        principals=principals,
        density=density,
        seed=seed,
    )
    schedule = solve(scenario, SolveSettings(time_limit=time_limit, explain=False)).schedule
    assert_honest(scenario, schedule)


# --- properties -------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_scenario_yaml(max_parties=10, max_requests=25, max_days=3), SHORT)
def test_reported_tiers_equal_the_checker_on_generated_summits(
    text: str, time_limit: float
) -> None:
    scenario = load_scenario_text(text, "<generated>")
    schedule = solve(scenario, SolveSettings(time_limit=time_limit, explain=False)).schedule
    assert_honest(scenario, schedule)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_parties=6, max_meetings=8, max_days=2), SHORT)
def test_reported_tiers_equal_the_checker_on_drawn_scenarios(
    scenario: Scenario, time_limit: float
) -> None:
    """Drawn scenarios bring what the synthetic summits rarely have: preferred windows,
    soft precedence, late ends, fixed events between meetings."""
    schedule = solve(scenario, SolveSettings(time_limit=time_limit, explain=False)).schedule
    assert_honest(scenario, schedule)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_scenario_yaml(max_parties=8, max_requests=20, max_days=2), SHORT)
def test_replanning_tiers_are_what_the_plan_changes(text: str, time_limit: float) -> None:
    scenario = load_scenario_text(text, "<generated>")
    previous = greedy_schedule(scenario)  # published: a plan the optimiser will move
    schedule = solve(
        scenario, SolveSettings(time_limit=time_limit, explain=False), previous=previous
    ).schedule
    assert_honest(scenario, schedule)
    if schedule.assignments:
        expected = replanning_tiers(scenario, previous, schedule)
        reported = {o.name: o.value for o in schedule.objectives if o.name in expected}
        assert reported == {name: expected[name] for name in reported}


@pytest.mark.slow
@pytest.mark.parametrize("time_limit", [2, 5])
def test_whole_summit_stopped_early_reports_its_plan(time_limit: float) -> None:
    """At 2 s CP-SAT may find nothing (then the greedy plan, with no values); at 5 s
    the first tiers are reported, none of them proven."""
    scenario = load_scenario("scenarios/whole-summit.yaml")
    schedule = solve(scenario, SolveSettings(time_limit=time_limit)).schedule
    assert schedule.assignments
    assert_honest(scenario, schedule)
    if time_limit == 5:
        assert schedule.objectives
