"""What the replan policy hands the planner, and what it does with the answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sim.model import Interval, Scenario
from sim.schedule import Schedule, SolveStatus
from sim.simulate.policies import Planner, make_policy
from tests.replay_helpers import assert_plannable, calm, keep_or_fit_planner, run, schedule_of
from tests.tiny import DAY, base_document, meeting, scenario_of

Seen = list[tuple[Scenario, Schedule]]


def recording(seen: Seen, answer: str = "keep") -> Planner:
    def planner(scenario: Scenario, previous: Schedule) -> Schedule:
        seen.append((scenario, previous))
        if answer == "infeasible":
            return replace(previous, status=SolveStatus.INFEASIBLE, assignments=())
        return keep_or_fit_planner(scenario, previous)

    return planner


def _two_meetings() -> dict[str, Any]:
    doc = base_document()
    doc["meetings"] = [
        meeting("m1", "host", "g1"),
        meeting("m2", "host", "g2"),
        meeting("m3", "host", "g3", required=False, weight=4, venues=["a", "b"]),
    ]
    return doc


def test_the_rest_of_the_summit_starts_now_with_everyone_where_they_are() -> None:
    scenario = scenario_of(_two_meetings())
    schedule = schedule_of(
        scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a")
    )
    seen: Seen = []
    draws = calm(scenario, length={"m1": 90})
    run(scenario, schedule, draws, make_policy("replan", recording(seen)))
    rest, previous = seen[0]
    # At 10:30 m1 is over (the past is left out); m2 and m3 are still to plan.
    assert [m.id for m in rest.meetings] == ["m2", "m3"]
    m2, m3 = rest.meetings
    assert m2.windows == (Interval(630, 780),) and m3.windows == (Interval(630, 780),)
    # m2 still fits, so it stays required.
    assert (m2.required, m2.weight) == (True, 1)
    assert (m3.required, m3.weight) == (False, 4)
    # Where everyone is now: the host and g1 just left m1 at a, g2 and g3 wait at a.
    positions = {e.id: (e.venue, e.time, e.attendees) for e in rest.fixed_events}
    assert positions == {
        "now:host": ("a", Interval(630, 630), ("host",)),
        "now:g1": ("a", Interval(630, 630), ("g1",)),
        "now:g2": ("a", Interval(630, 630), ("g2",)),
        "now:g3": ("a", Interval(630, 630), ("g3",)),
    }
    # The previous schedule is the current plan of the meetings still to decide.
    assert [(a.meeting, a.start) for a in previous.assignments] == [("m2", 610), ("m3", 680)]


def test_a_running_meeting_pins_its_parties_until_its_planned_end() -> None:
    # m2 is cancelled at 09:30 while m1 runs: the host is busy until 10:00 (m1's
    # planned end, as far as anyone knows), at a.
    doc = _two_meetings()
    doc["uncertainty"] = {
        "scripted": [{"event": "cancel_meeting", "meeting": "m2", "at": f"{DAY} 09:30"}]
    }
    scenario = scenario_of(doc)
    schedule = schedule_of(
        scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a")
    )
    seen: Seen = []
    outcome = run(scenario, schedule, calm(scenario), make_policy("replan", recording(seen)))
    rest, _ = seen[0]
    assert [m.id for m in rest.meetings] == ["m3"]  # m1 runs, m2 is cancelled
    busy = {e.id: (e.venue, e.time) for e in rest.fixed_events}
    assert busy["now:host"] == ("a", Interval(570, 600))
    assert busy["now:g1"] == ("a", Interval(570, 600))
    assert outcome.result_of("m2").reason == "cancelled (scripted)"


def test_a_late_landing_moves_the_arrival_and_withdrawn_parties_are_gone() -> None:
    doc = _two_meetings()
    doc["fixed_events"] = [
        {
            "id": "lunch",
            "name": "Lunch",
            "kind": "meal",
            "start": f"{DAY} 12:00",
            "end": f"{DAY} 13:00",
            "venue": "a",
            "attendees": "all",
        }
    ]
    doc["uncertainty"] = {
        "scripted": [
            {"event": "delay_arrival", "party": "g1", "by": "1h"},
            {"event": "cancel_party", "party": "g3", "at": f"{DAY} 08:30"},
        ]
    }
    scenario = scenario_of(doc)
    schedule = schedule_of(
        scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a")
    )
    seen: Seen = []
    run(scenario, schedule, calm(scenario), make_policy("replan", recording(seen)))
    # 08:30, g3 withdraws: its meeting and its place at lunch are gone; nobody knows yet
    # that g1 will be late. 09:00, g1 is not there: it lands at 10:00.
    (early, _), (late, _) = seen
    assert {p.id: p.presence.start for p in early.parties} == {"host": 540, "g1": 540, "g2": 540}
    assert {p.id: p.presence.start for p in late.parties} == {"host": 540, "g1": 600, "g2": 540}
    assert [m.id for m in early.meetings] == ["m1", "m2"]
    rest = late
    lunch = next(e for e in rest.fixed_events if e.id == "lunch")
    assert lunch.attendees == ("host", "g1", "g2")


def test_when_the_planner_finds_nothing_the_plan_stands() -> None:
    scenario = scenario_of(_two_meetings())
    schedule = schedule_of(
        scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a")
    )
    seen: Seen = []
    draws = calm(scenario, length={"m1": 90})
    outcome = run(scenario, schedule, draws, make_policy("replan", recording(seen, "infeasible")))
    assert outcome.replans >= 1 and outcome.replan_failures == outcome.replans
    # As planned from then on: m2 right-shifted to 10:30, m3 to 11:30.
    assert (outcome.result_of("m2").start, outcome.result_of("m3").start) == (630, 690)


def test_a_required_meeting_that_may_no_longer_fit_becomes_optional_but_weighty() -> None:
    # m4 (required) never made it into the plan; m1 runs until 11:00. m2 (11:10-12:10)
    # still fits before 13:00, m4 does not.
    doc = _two_meetings()
    doc["meetings"].append(meeting("m4", "host", "g1", duration="1h"))
    scenario = scenario_of(doc)
    schedule = schedule_of(
        scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a")
    )
    seen: Seen = []
    draws = calm(scenario, length={"m1": 120})
    run(scenario, schedule, draws, make_policy("replan", recording(seen)))
    rest, _ = seen[0]
    flags = {m.id: (m.required, m.weight) for m in rest.meetings}
    assert flags == {"m2": (True, 1), "m3": (False, 4), "m4": (False, 5)}


def test_the_real_planner_moves_what_the_overrun_pushed() -> None:
    from sim.solve import make_planner

    scenario = scenario_of(_two_meetings())
    schedule = schedule_of(
        scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a")
    )
    draws = calm(scenario, length={"m1": 90})
    outcome = run(scenario, schedule, draws, make_policy("replan", make_planner(time_limit=2)))
    assert outcome.replans == 1 and outcome.replan_failures == 0
    # m2 moves to 10:40 (the host is free at 10:30, plus the buffer), m3 after it.
    assert outcome.result_of("m2").start == 640
    assert outcome.result_of("m3").held


def test_relations_keep_only_meetings_still_to_plan() -> None:
    # m2 had to be over by 10:30; at the re-plan (10:30) its window is gone, so m3's
    # "after m2" goes with it.
    doc = _two_meetings()
    doc["meetings"][1]["windows"] = [{"start": "10:00", "end": "11:10", "date": DAY}]
    doc["meetings"][2]["after"] = ["m2"]
    scenario = scenario_of(doc)
    schedule = schedule_of(
        scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a")
    )
    seen: Seen = []
    draws = calm(scenario, length={"m1": 90})
    run(scenario, schedule, draws, make_policy("replan", recording(seen)))
    rest, _ = seen[0]
    assert [(m.id, m.after) for m in rest.meetings] == [("m3", ())]
    assert_plannable(rest)
