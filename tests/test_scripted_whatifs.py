"""The scripted what-ifs an office faces (issue 10, item 5): a party leaves early
(``leave_early``), a meeting is moved (``move_meeting``), a meeting is asked for at a
given time (``request_meeting`` with ``start``). Each replay's outcome is worked out
by hand on the tiny morning of ``tests.tiny`` (09:00-13:00, venues a and b 30
minutes apart, a 10-minute buffer, the host at a)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sim.errors import ScenarioError
from sim.export.report import _scripted_words
from sim.model import Scenario, ScriptedKind
from sim.scenario.load import load_scenario_text
from sim.scenario.write import scenario_to_yaml
from sim.schedule import Schedule
from sim.simulate.calibrated import CALIBRATED
from sim.simulate.disruptions import DrawPlan
from sim.simulate.outcome import Outcome
from sim.simulate.policies import make_policy
from sim.simulate.replay import replay
from tests.replay_helpers import calm, keep_or_fit_planner, run, schedule_of
from tests.tiny import DAY, base_document, meeting, scenario_of


def never(scenario: Scenario, previous: Schedule) -> Schedule:
    raise AssertionError("the quick repair should have been enough")


def _with(*scripted: dict[str, Any], meetings: list[dict[str, Any]] | None = None) -> Scenario:
    doc = base_document()
    doc["meetings"] = meetings or [
        meeting("m1", "host", "g1"),
        meeting("m2", "host", "g2"),
        meeting("m3", "host", "g3", min_duration="30min"),
    ]
    doc["uncertainty"] = {"scripted": list(scripted)}
    return scenario_of(doc)


def _held(outcome: Outcome, meeting_id: str) -> tuple[int | None, int | None]:
    result = outcome.result_of(meeting_id)
    assert result.held, result
    return result.start, result.end


def _leaves(party: str, at: str, **extra: str) -> dict[str, Any]:
    return {"event": "leave_early", "party": party, "at": f"{DAY} {at}", **extra}


def _moves(meeting_id: str, to: str, **extra: str) -> dict[str, Any]:
    return {"event": "move_meeting", "meeting": meeting_id, "to": f"{DAY} {to}", **extra}


def _asks(at: str, start: str | None, *parties: str, duration: str = "30min") -> dict[str, Any]:
    event: dict[str, Any] = {
        "event": "request_meeting",
        "at": f"{DAY} {at}",
        "request": {"id": "extra", "parties": list(parties), "duration": duration, "venues": ["a"]},
    }
    if start is not None:
        event["start"] = f"{DAY} {start}"
    return event


# --- leave_early ---------------------------------------------------------------------


def test_a_meeting_after_an_early_departure_is_lost_as_planned() -> None:
    # g3 leaves at 11:30; m3 was planned 11:20-12:20 (30 minutes at the shortest):
    # known from 09:00, it is out of the plan; m1 and m2 are held as planned.
    scenario = _with(_leaves("g3", "11:30"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("as-planned"))
    m3 = outcome.result_of("m3")
    assert not m3.held and m3.reason == "g3 leaves the summit early"
    assert _held(outcome, "m1") == (540, 600) and _held(outcome, "m2") == (610, 670)
    assert (540, "g3", "leaves early, at minute 690") in outcome.trace
    # Without the what-if the same plan holds m3 at 11:20.
    plain = _with()
    assert _held(run(plain, plan, calm(plain), make_policy("as-planned")), "m3") == (680, 740)


def test_replan_moves_the_meeting_before_the_departure_when_there_is_room() -> None:
    # The host is free from 10:00: m3 moves to 10:10 (m1's end plus the buffer), before
    # g3 leaves at 11:30. The quick repair does it; the planner is not asked.
    scenario = _with(_leaves("g3", "11:30"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m3", "11:20", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("replan", never))
    assert _held(outcome, "m3") == (610, 670)
    # As planned, the same departure loses it.
    lost = run(scenario, plan, calm(scenario), make_policy("as-planned"))
    assert not lost.result_of("m3").held


def test_replan_sees_the_new_departure_as_the_end_of_the_stay() -> None:
    # The only gap of the host starts at 10:10 (m1's end plus the buffer). g3 leaving at
    # 10:35, m3 fits there not even at its shortest (30 minutes): it is lost.
    scenario = _with(_leaves("g3", "10:35"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m3", "11:20", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("replan", never))
    assert not outcome.result_of("m3").held
    assert (540, "m3", "re-planned to minute 610 at a") not in outcome.trace
    # Leaving at 10:40, the shortest m3 fits from 10:10: it is moved there.
    later = _with(_leaves("g3", "10:40"))
    outcome = run(later, plan, calm(later), make_policy("replan", never))
    assert (540, "m3", "re-planned to minute 610 at a") in outcome.trace
    # ... and ends when g3 leaves, cut to its shortest, not at its full hour
    assert _held(outcome, "m3") == (610, 640)


def test_shorten_cuts_a_meeting_that_still_fits_at_its_shortest() -> None:
    # g3 leaves at 11:50; m3 at 11:20 fits at its 30-minute minimum: shorten holds it
    # 11:20-11:50; as planned it cannot start at its length and is lost.
    scenario = _with(_leaves("g3", "11:50"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a"))
    assert _held(run(scenario, plan, calm(scenario), make_policy("shorten")), "m3") == (680, 710)
    lost = run(scenario, plan, calm(scenario), make_policy("as-planned")).result_of("m3")
    assert not lost.held and "g3 leaves the summit" in lost.reason


def test_an_early_departure_is_news_only_from_its_announcement() -> None:
    # Known from 09:00 (the default), m3 moves to 10:10; announced at 11:00 only, the
    # earliest it can move to is 11:00, and it starts then.
    plan_of = (("m1", "09:00", "a"), ("m3", "11:20", "a"))
    early = _with(_leaves("g3", "11:30"))
    outcome = run(early, schedule_of(early, *plan_of), calm(early), make_policy("replan", never))
    assert outcome.result_of("m3").start == 610
    late = _with(_leaves("g3", "11:30", announced=f"{DAY} 11:00"))
    outcome = run(late, schedule_of(late, *plan_of), calm(late), make_policy("replan", never))
    assert (660, "g3", "leaves early, at minute 690") in outcome.trace
    assert (660, "m3", "re-planned to minute 660 at a") in outcome.trace
    assert outcome.result_of("m3").start == 660


def test_a_party_that_leaves_early_is_not_at_the_programme_after_it() -> None:
    # Lunch for everyone at 12:00-13:00; g3 leaves at 11:30: it is not at lunch, and
    # not counted as missing it (as a party that withdraws); without the what-if it is.
    lunch = {
        "id": "lunch",
        "name": "Lunch",
        "kind": "meal",
        "start": f"{DAY} 12:00",
        "end": f"{DAY} 13:00",
        "venue": "a",
        "attendees": "all",
    }
    outcomes = {}
    for name, scripted in (("plain", []), ("leaves", [_leaves("g3", "11:30")])):
        doc = base_document()
        doc["fixed_events"] = [lunch]
        doc["meetings"] = [meeting("m1", "host", "g3")]
        doc["uncertainty"] = {"scripted": scripted}
        scenario = scenario_of(doc)
        plan = schedule_of(scenario, ("m1", "09:00", "a"))
        outcomes[name] = run(scenario, plan, calm(scenario), make_policy("as-planned"))
    assert outcomes["plain"].day_end[("g3", 0)] == 780  # lunch ends at 13:00
    assert outcomes["leaves"].day_end[("g3", 0)] == 600  # m1, then gone
    assert _held(outcomes["leaves"], "m1") == (540, 600)
    assert not [late for late in outcomes["leaves"].late if late[0] == "g3"]
    assert outcomes["leaves"].day_end[("host", 0)] == 780


# --- move_meeting --------------------------------------------------------------------


def test_a_moved_meeting_happens_at_its_new_time() -> None:
    # m2, planned 10:10, is moved to 11:30: it starts then, not earlier (protocol).
    scenario = _with(_moves("m2", "11:30"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    for policy in ("as-planned", "shorten", "replan"):
        outcome = run(scenario, plan, calm(scenario), make_policy(policy, never))
        assert _held(outcome, "m2") == (690, 750), policy
        assert _held(outcome, "m1") == (540, 600), policy
    assert (540, "m2", "moved to minute 690 at a") in outcome.trace


def test_a_meeting_moved_onto_another_waits_for_it() -> None:
    # m2 moved to 09:30, into m1 (09:00-10:00, the host in both): no overlap, it waits
    # for the host like any late start and begins when m1 ends.
    scenario = _with(_moves("m2", "09:30"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("as-planned"))
    assert _held(outcome, "m1") == (540, 600)
    assert _held(outcome, "m2") == (600, 660)


def test_a_meeting_moved_too_late_in_a_clash_is_lost_by_the_usual_rule() -> None:
    # m3 moved to 11:50 onto m2 (11:20-12:20 with the host): after m2 there is no
    # hour left before 13:00, so it is not held, as any meeting the day runs out on.
    scenario = _with(_moves("m3", "11:50"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "11:20", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("as-planned"))
    assert _held(outcome, "m2") == (680, 740)
    m3 = outcome.result_of("m3")
    assert not m3.held and m3.reason == "no time left on day 1"


def test_a_move_announced_after_the_meeting_was_held_changes_nothing() -> None:
    scenario = _with(_moves("m1", "11:30", at=f"{DAY} 10:30"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("as-planned"))
    assert _held(outcome, "m1") == (540, 600)


# --- request_meeting with a start ----------------------------------------------------


def test_a_request_with_a_start_happens_at_that_start() -> None:
    # The host is busy 09:00-10:00 and 10:10-11:10; asked for at 09:30 for 11:40, the
    # meeting is held at 11:40; without a start it goes into the first gap, 11:20.
    plan_of = (("m1", "09:00", "a"), ("m2", "10:10", "a"))
    wanted = _with(_asks("09:30", "11:40", "host", "g3"))
    anywhere = _with(_asks("09:30", None, "host", "g3"))
    for policy in ("as-planned", "replan"):
        outcome = run(
            wanted, schedule_of(wanted, *plan_of), calm(wanted), make_policy(policy, never)
        )
        assert _held(outcome, "extra") == (700, 730), policy
        assert outcome.result_of("extra").added
        plain = run(
            anywhere, schedule_of(anywhere, *plan_of), calm(anywhere), make_policy(policy, never)
        )
        assert _held(plain, "extra") == (680, 710), policy


def test_a_request_whose_start_is_taken_goes_where_requests_go() -> None:
    # 10:30 is inside m2 (10:10-11:10): the office's wish cannot be met, so the request
    # is fitted as any other, into the first gap after m2.
    scenario = _with(_asks("09:30", "10:30", "host", "g3"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy("as-planned"))
    assert _held(outcome, "extra") == (680, 710)


# --- the file: read, refused, written back, reported ----------------------------------


def _refused(*scripted: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(ScenarioError) as refused:
        _with(*scripted)
    for problem in refused.value.problems:
        assert problem.line is not None, problem  # the file, its line and the field
    return [(p.path, p.message, p.hint) for p in refused.value.problems]


def test_unknown_ids_get_the_closest_one() -> None:
    (party,) = _refused(_leaves("g33", "11:30"))
    assert party[0] == "uncertainty.scripted[0].party" and "'g3'" in party[2]
    (moved,) = _refused(_moves("m22", "11:30"))
    assert moved[0] == "uncertainty.scripted[0].meeting" and "'m2'" in moved[2]


@pytest.mark.parametrize(
    ("event", "path", "words"),
    [
        (
            {"event": "cancel_meeting", "meeting": "m1", "at": "2025-01-11 10:00"},
            "uncertainty.scripted[0].at",
            "outside the summit",
        ),
        (_leaves("g3", "08:00"), "uncertainty.scripted[0].at", "before it arrives"),
        (_leaves("g3", "13:30"), "uncertainty.scripted[0].at", "outside the summit"),
        (
            _leaves("g3", "11:30", announced="2025-01-09 18:00"),
            "uncertainty.scripted[0].announced",
            "outside the summit",
        ),
        (_moves("m2", "14:00"), "uncertainty.scripted[0].to", "outside the summit"),
        (_moves("m2", "12:30"), "uncertainty.scripted[0].to", "ends after the day closes"),
        (_moves("m2", "11:32"), "uncertainty.scripted[0].to", "grain"),
        (
            {**_asks("09:30", None, "host", "g3"), "start": "2025-01-11 09:30"},
            "uncertainty.scripted[0].start",
            "outside the summit",
        ),
        (
            {**_asks("09:30", None, "host", "g3"), "at": "2025-01-09 23:00"},
            "uncertainty.scripted[0].at",
            "outside the summit",
        ),
        (_asks("10:30", "10:00", "host", "g3"), "uncertainty.scripted[0].start", "before it is"),
        (
            _leaves("g3", "11:30", announced=f"{DAY} 12:00"),
            "uncertainty.scripted[0].announced",
            "after the party has left",
        ),
        (_moves("m2", "11:00", at=f"{DAY} 11:30"), "uncertainty.scripted[0].at", "after the"),
    ],
)
def test_times_that_cannot_be_are_refused(event: dict[str, Any], path: str, words: str) -> None:
    problems = _refused(event)
    assert any(p == path and words in message for p, message, _ in problems), problems


def test_a_departure_must_fall_within_the_party_stay() -> None:
    doc = base_document()
    doc["parties"][1]["arrival"] = f"{DAY} 10:00"
    doc["parties"][2]["departure"] = f"{DAY} 11:00"
    doc["meetings"] = [meeting("m1", "host", "g1"), meeting("m2", "host", "g2")]
    doc["uncertainty"] = {
        "scripted": [_leaves("g1", "09:30"), _leaves("g2", "11:30"), _moves("m1", "09:30")]
    }
    with pytest.raises(ScenarioError) as refused:
        scenario_of(doc)
    messages = {p.path: (p.message, p.hint) for p in refused.value.problems}
    assert "before it arrives" in messages["uncertainty.scripted[0].at"][0]
    assert "already leaves at 2025-01-10 11:00" in messages["uncertainty.scripted[1].at"][0]
    assert "g1 is not at the summit" in messages["uncertainty.scripted[2].to"][0]


def _all_kinds() -> Scenario:
    return _with(
        _leaves("g3", "11:30", announced=f"{DAY} 10:00"),
        _leaves("g2", "12:30"),
        _moves("m2", "11:30"),
        _moves("m1", "10:00", at=f"{DAY} 09:15"),
        _asks("09:30", "11:40", "host", "g3"),
    )


def test_the_what_ifs_are_read_and_written_back() -> None:
    scenario = _all_kinds()
    kinds = [e.kind for e in scenario.uncertainty.scripted]
    assert kinds[:4] == [ScriptedKind.LEAVE_EARLY] * 2 + [ScriptedKind.MOVE_MEETING] * 2
    first, second, moved, announced, asked = scenario.uncertainty.scripted
    assert (first.at, first.announced, second.announced) == (690, 600, None)
    assert (moved.to, moved.at, announced.to, announced.at) == (690, None, 600, 555)
    assert asked.start == 700
    text = scenario_to_yaml(scenario)
    again = load_scenario_text(text, "again.yaml")
    assert again.uncertainty.scripted == scenario.uncertainty.scripted
    assert again == scenario and scenario_to_yaml(again) == text
    assert "announced: 2025-01-10 10:00" in text and "start: 2025-01-10 11:40" in text


def test_the_report_says_them_in_plain_words() -> None:
    words = _scripted_words(_all_kinds())
    assert words == [
        "Guest Three leaves at 11:30 on 10 Jan (known from 10:00 on 10 Jan)",
        "Guest Two leaves at 12:30 on 10 Jan",
        "Host – Guest Two moved to 11:30 on 10 Jan",
        "Host – Guest One moved to 10:00 on 10 Jan (announced at 09:15 on 10 Jan)",
        "Host – Guest Three is asked for at Fri 10 Jan 09:30, wanted at 11:40 on 10 Jan",
    ]


def test_the_same_seed_gives_the_same_replays() -> None:
    scenario = _all_kinds()
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a"))
    plan_of = DrawPlan.of(scenario, replace(CALIBRATED, scripted=scenario.uncertainty.scripted))

    def once(policy: str) -> list[Outcome]:
        return [
            replay(scenario, plan, plan_of.draw(11, r), make_policy(policy, keep_or_fit_planner))
            for r in range(12)
        ]

    for policy in ("as-planned", "replan"):
        first, second = once(policy), once(policy)
        assert [o.meetings for o in first] == [o.meetings for o in second]
        assert [o.day_end for o in first] == [o.day_end for o in second]


@pytest.mark.parametrize("policy", ["as-planned", "shorten", "drop"])
def test_a_departure_announced_during_a_meeting_ends_it_then(policy: str) -> None:
    # g1 is known from 09:20 to leave at 09:40, while m1 (09:00-10:00) runs: the
    # meeting ends at 09:40, 20 minutes cut (it ran its course to 10:00 before).
    scenario = _with(_leaves("g1", "09:40", announced=f"{DAY} 09:20"))
    plan = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    outcome = run(scenario, plan, calm(scenario), make_policy(policy))
    m1 = outcome.result_of("m1")
    assert (m1.start, m1.end, m1.cut, m1.cut_for) == (540, 580, 20, "departure:g1")
    assert _held(outcome, "m2") == (610, 670)
