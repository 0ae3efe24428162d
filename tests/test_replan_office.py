"""Re-planning as a protocol office does it (issue 10, item 6): a freed slot is filled by
moving the next meeting up, an addition goes where it first fits, a late start is
absorbed before anything is moved, the day's limits count what was already held,
and the rest of the day that a re-plan leaves passes the checker's rules."""

from __future__ import annotations

from typing import Any

import pytest

from sim.check import violations
from sim.model import Scenario
from sim.schedule import Assignment, Schedule
from sim.simulate import replanning
from sim.simulate.policies import make_policy
from sim.simulate.replanning import Board, Repair, today_scenario
from tests.replay_helpers import calm, run, schedule_of
from tests.tiny import DAY, base_document, meeting, scenario_of


def never(scenario: Scenario, previous: Schedule) -> Schedule:
    raise AssertionError("the quick repair should have been enough")


def nothing_better(scenario: Scenario, previous: Schedule) -> Schedule:
    return previous


def _morning(**rules: Any) -> dict[str, Any]:
    """The host meets g1, g2 and g3 one after another at a."""
    doc = base_document()
    doc["meetings"] = [
        meeting("m1", "host", "g1"),
        meeting("m2", "host", "g2"),
        meeting("m3", "host", "g3", required=False, weight=4),
    ]
    doc["rules"].update(rules)
    return doc


def _plan(scenario: Scenario) -> Schedule:
    return schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a"))


def _request(at: str, *parties: str, duration: str = "30min", **extra: Any) -> dict[str, Any]:
    request = {"id": "extra", "parties": list(parties), "duration": duration, "venues": ["a"]}
    return {"event": "request_meeting", "at": f"{DAY} {at}", "request": {**request, **extra}}


def test_a_freed_slot_is_filled_by_moving_the_next_meeting_up() -> None:
    doc = _morning()
    doc["uncertainty"] = {
        "scripted": [{"event": "cancel_meeting", "meeting": "m2", "at": f"{DAY} 09:30"}]
    }
    scenario = scenario_of(doc)
    outcome = run(scenario, _plan(scenario), calm(scenario), make_policy("replan", never))
    # m3 takes m2's place: after m1 (10:00) and the 10-minute buffer.
    assert outcome.result_of("m3").start == 610
    assert outcome.replans == 1 and outcome.replan_failures == 0
    # Shortening alone leaves the slot empty.
    shorten = run(scenario, _plan(scenario), calm(scenario), make_policy("shorten"))
    assert shorten.result_of("m3").start == 680


def test_a_late_start_is_absorbed_without_moving_the_rest() -> None:
    # m1 runs 20 minutes long: m2 starts late, m3 keeps its slot (nothing is pushed).
    scenario = scenario_of(_morning())
    draws = calm(scenario, length={"m1": 80})
    outcome = run(scenario, _plan(scenario), draws, make_policy("replan", never))
    assert outcome.result_of("m2").start == 620
    assert outcome.result_of("m3").start == 680


def test_an_addition_goes_where_it_first_fits() -> None:
    doc = _morning()
    doc["parties"].append({"id": "g4", "name": "Guest Four", "rank": "head_of_state"})
    doc["uncertainty"] = {"scripted": [_request("09:30", "host", "g4")]}
    scenario = scenario_of(doc)
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "11:00", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("replan", never))
    # The first gap: after m1 (10:00) and the buffer, 30 minutes, and the buffer before m2.
    assert outcome.result_of("extra").held and outcome.result_of("extra").start == 610
    assert outcome.result_of("m2").start == 660


def test_an_addition_that_fits_only_shortened_is_shortened_not_dropped() -> None:
    doc = _morning()
    doc["parties"].append({"id": "g4", "name": "Guest Four", "rank": "head_of_state"})
    doc["uncertainty"] = {
        "scripted": [_request("09:30", "host", "g4", duration="45min", min_duration="30min")]
    }
    scenario = scenario_of(doc)
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:50", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("replan", never))
    # 10:10-10:40 is the gap: it fits there at 30 minutes, earlier than at its length
    # after m2 (12:00). It runs its 45 minutes, as m2 can start 5 minutes late.
    assert outcome.result_of("extra").start == 610
    assert outcome.result_of("m2").start == 655
    # The shorten policy's first gap is the first one where it fits at its length.
    shorten = run(scenario, plan, calm(scenario), make_policy("shorten"))
    assert shorten.result_of("extra").start == 720


def test_meetings_held_today_count_in_the_daily_limit() -> None:
    doc = _morning(max_meetings_per_day=2)
    doc["meetings"] = doc["meetings"][:2]
    doc["parties"].append({"id": "g4", "name": "Guest Four", "rank": "head_of_state"})
    doc["uncertainty"] = {"scripted": [_request("10:30", "host", "g4")]}
    scenario = scenario_of(doc)
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    # At 10:30 the host has held m1 and is in m2: a third meeting breaks the limit.
    seen: list[Scenario] = []

    def planner(rest: Scenario, previous: Schedule) -> Schedule:
        seen.append(rest)
        return previous

    outcome = run(scenario, plan, calm(scenario), make_policy("replan", planner))
    assert not outcome.result_of("extra").held
    # The planner, asked for what the repair could not place, is told the same.
    (rest,) = seen
    assert rest.party_by_id["host"].max_meetings_per_day == 0
    # The shorten policy's first gap counts only the meetings still to come.
    shorten = run(scenario, plan, calm(scenario), make_policy("shorten"))
    assert shorten.result_of("extra").held


def test_the_continuous_limit_counts_the_meetings_held_today() -> None:
    doc = _morning(max_continuous="2h", min_break="15min")
    doc["meetings"] = doc["meetings"][:1]
    doc["parties"].append({"id": "g4", "name": "Guest Four", "rank": "head_of_state"})
    doc["uncertainty"] = {"scripted": [_request("09:30", "host", "g4", duration="1h")]}
    scenario = scenario_of(doc)
    plan = schedule_of(scenario, ("m1", "09:00", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("replan", never))
    # 10:10-11:10 would make m1 and it one run of 130 minutes (a 10-minute gap is no
    # break): the first start with a 15-minute break is 10:15.
    assert outcome.result_of("extra").start == 615


def test_the_planner_is_asked_only_for_what_the_repair_cannot_place() -> None:
    # The request is for 2 hours: no gap today; the planner is asked with today alone.
    doc = _morning()
    doc["parties"].append({"id": "g4", "name": "Guest Four", "rank": "head_of_state"})
    doc["uncertainty"] = {"scripted": [_request("09:30", "host", "g4", duration="2h")]}
    scenario = scenario_of(doc)
    seen: list[Scenario] = []

    def planner(rest: Scenario, previous: Schedule) -> Schedule:
        seen.append(rest)
        return previous

    outcome = run(scenario, _plan(scenario), calm(scenario), make_policy("replan", planner))
    (rest,) = seen
    assert sorted(m.id for m in rest.meetings) == ["extra", "m2", "m3"]
    assert all(not m.required for m in rest.meetings)  # the repair keeps the required ones
    assert all(w.start >= 570 and w.end <= 780 for m in rest.meetings for w in m.windows)
    assert not outcome.result_of("extra").held


@pytest.mark.parametrize("limit", [None, 3])
def test_the_rest_of_the_day_after_a_re_plan_passes_the_checker(
    monkeypatch: Any, limit: int | None
) -> None:
    doc = _morning(max_continuous="3h", **({"max_meetings_per_day": limit} if limit else {}))
    doc["parties"].append({"id": "g4", "name": "Guest Four", "rank": "head_of_state"})
    doc["uncertainty"] = {
        "scripted": [
            {"event": "cancel_meeting", "meeting": "m2", "at": f"{DAY} 09:30"},
            _request("09:30", "host", "g4", duration="45min"),
        ]
    }
    scenario = scenario_of(doc)
    checked: list[int] = []
    adopt = replanning.adopt_repair

    def checking(replay: Any, scope: Any, repair: Repair, unstuck: Any = None) -> int:
        board = Board.of(replay)
        rest, previous = today_scenario(replay, board, scope)
        by_id = rest.meeting_by_id
        assignments = tuple(
            Assignment(p.meeting, p.day, p.start, p.start + by_id[p.meeting].duration, p.venue)
            for p in repair.placed
            if not p.short and p.meeting in by_id
        )
        plan = Schedule(
            rest.id, rest.source_sha256, previous.status, previous.settings, assignments
        )
        assert violations(rest, plan) == ()
        checked.append(len(assignments))
        return adopt(replay, scope, repair, unstuck)

    monkeypatch.setattr(replanning, "adopt_repair", checking)
    outcome = run(scenario, _plan(scenario), calm(scenario), make_policy("replan", never))
    assert checked == [1, 2]  # m3 moves up; then the request goes in too
    assert outcome.result_of("extra").held and outcome.result_of("m3").held
