"""The greedy baseline (the planner's fallback and its first hint): required meetings
the most constrained first, one meeting moved aside when a required one fits
nowhere, and every plan it makes within the hard rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.b2b import import_b2b
from sim.check import check
from sim.solve.candidates import alternatives
from sim.solve.greedy import _Plan, greedy_schedule
from sim.synth.summit import generate_scenario_model
from tests.tiny import base_document, meeting, scenario_of

ROOT = Path(__file__).resolve().parent.parent


def held(scenario_document: dict[str, object]) -> dict[str, str]:
    scenario = scenario_of(scenario_document)
    schedule = greedy_schedule(scenario)
    assert check(scenario, schedule).ok
    return {a.meeting: f"{a.start // 60:02d}:{a.start % 60:02d}" for a in schedule.assignments}


def test_the_most_constrained_required_meeting_is_placed_first() -> None:
    # g1 can meet the host at any time; g2 only at 09:00. By id, g1 would take 09:00
    # and leave g2 nowhere; the fewest-slots-first order holds both.
    document = base_document()
    document["meetings"] = [
        meeting("a-g1", "host", "g1"),
        meeting("b-g2", "host", "g2", windows=[{"start": "09:00", "end": "10:00"}]),
    ]
    placed = held(document)
    assert placed == {"b-g2": "09:00", "a-g1": "10:10"}


def test_a_required_meeting_with_no_slot_left_moves_one_meeting_aside() -> None:
    # g1's meeting sits at 09:00, the only slot g2's meeting may take: the repair
    # moves g1's meeting to its next slot and puts g2's at 09:00.
    document = base_document()
    document["meetings"] = [
        meeting("a-g1", "host", "g1"),
        meeting("b-g2", "host", "g2", windows=[{"start": "09:00", "end": "10:00"}]),
    ]
    scenario = scenario_of(document)
    plan = _Plan(scenario)
    plan.slots_of = {
        m.id: sorted(
            (
                (alt.day, alt.venue, s, alt.length)
                for alt in alternatives(scenario, m)
                for s in alt.allowed_starts()
            ),
            key=lambda slot: slot[2],
        )
        for m in scenario.meetings
    }
    first, second = scenario.meetings
    plan.place(first, 0, "a", 9 * 60, first.duration)
    assert not any(plan.fits(second, *slot) for slot in plan.slots_of[second.id])
    assert plan.repair(second, plan.slots_of[second.id])
    assert plan.placed["b-g2"].start == 9 * 60
    assert plan.placed["a-g1"].start == 10 * 60 + 10  # after it, and the buffer


def test_an_optional_meeting_with_no_slot_left_moves_one_meeting_aside() -> None:
    # Both optional: the heavier a-g1 goes first, at the earliest slot, 09:00, the only
    # one b-g2 may take. Moving a-g1 to its next slot holds both; nothing is dropped.
    document = base_document()
    document["meetings"] = [
        meeting("a-g1", "host", "g1", required=False, weight=5),
        meeting(
            "b-g2",
            "host",
            "g2",
            required=False,
            weight=3,
            windows=[{"start": "09:00", "end": "10:00"}],
        ),
    ]
    assert held(document) == {"b-g2": "09:00", "a-g1": "10:10"}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    requests=st.integers(5, 30),
    principals=st.integers(1, 2),
)
def test_every_greedy_plan_keeps_the_hard_rules(seed: int, requests: int, principals: int) -> None:
    scenario = generate_scenario_model(
        parties=10, requests=requests, days=2, venues=3, principals=principals, seed=seed
    )
    schedule = greedy_schedule(scenario)
    report = check(scenario, schedule)
    # a required meeting the greedy could not place is its only allowed failing
    assert all(v.rule == "required" for v in report.violations), report.violations


@pytest.mark.parametrize("name", ["tutorial", "kazan-2024", "whole-summit"])
def test_the_bundled_scenarios_greedy_plans_hold_every_required_meeting(name: str) -> None:
    from sim.scenario.load import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    schedule = greedy_schedule(scenario)
    assert check(scenario, schedule).ok


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), requests=st.integers(5, 25))
def test_the_planners_gap_count_is_the_checkers(seed: int, requests: int) -> None:
    # the fairness guard on the greedy fallback counts gaps itself (the planner shares
    # no code with the checker): both counts must agree
    from sim.check.objectives import gaps_by_party
    from sim.check.view import plan_view
    from sim.solve.greedy import gaps_of

    scenario = generate_scenario_model(
        parties=8, requests=requests, days=2, venues=3, principals=1, seed=seed
    )
    assignments = list(greedy_schedule(scenario).assignments)
    assert gaps_of(scenario, assignments) == gaps_by_party(plan_view(scenario, assignments))


# Seven participants, eight meetings, two tables, four slots (one of 300 random
# instances where it mattered): every meeting fits, but one slot is left only where
# both tables are taken by meetings of other participants, which can move.
TABLES_IN_THE_WAY = """\
nBusiness = 7;
nMeetings = 8;
nTables = 2;
nTotalSlots = 4;
nMorningSlots = 4;
requested = [| 1, 2, 3 | 2, 4, 3 | 4, 7, 3 | 2, 5, 3 | 1, 6, 3 | 1, 5, 3 | 5, 7, 3 | 3, 4, 3 |];
"""


def test_a_meeting_in_the_way_of_a_room_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "tables.dzn"
    path.write_text(TABLES_IN_THE_WAY)
    scenario = import_b2b(path)
    schedule = greedy_schedule(scenario)
    assert schedule.unscheduled == ()
    assert len(schedule.assignments) == 8
    assert check(scenario, schedule).ok


@pytest.mark.parametrize(
    "name", ["kazan-2024.yaml", "whole-summit.yaml", "tutorial.yaml", "oversubscribed.yaml"]
)
def test_the_first_hint_is_completed_with_the_plan_s_own_order(name: str) -> None:
    # The planner's first hint is the greedy plan made complete with each party's
    # day in the plan's time order: a wrong arc makes the completion fail (and the
    # search start from a partial hint), and every tier read from it is what the
    # independent checker recomputes.
    from sim.scenario import load_scenario
    from sim.solve.cpmodel import SummitModel
    from sim.solve.objectives import all_tiers
    from sim.solve.run import _hint_from_schedule

    scenario = load_scenario(ROOT / "scenarios" / name)
    summit = SummitModel(scenario)
    tiers = all_tiers(summit, None)
    plan = greedy_schedule(scenario)
    completed = _hint_from_schedule(summit, plan, tiers, seconds=60.0)
    assert completed is not None
    recomputed = check(scenario, plan).objectives.as_dict()
    for tier in tiers:
        assert round(completed.value(tier.expression)) == recomputed[tier.name], tier.name
