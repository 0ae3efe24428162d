"""Defects of the replay found on real summit days, each pinned by a regression test.

The summits are the short hand-written mornings of tests/test_replay_traces.py
(09:00-13:00, minute 540-780; venues a and b 30 minutes apart; the host, a
principal, based at a; a 10-minute buffer), with disruptions set by hand, and
the full trace or outcome expected.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.check import check
from sim.model import Meeting, Scenario, Uncertainty
from sim.scenario.load import load_scenario_text
from sim.simulate.calibrated import CALIBRATED, HEADLINE_CAP, ROUTINE_CAP
from sim.simulate.disruptions import DrawPlan, Draws
from sim.simulate.monte_carlo import simulate
from sim.simulate.outcome import Outcome, PartyResult, SpanKind
from sim.simulate.policies import POLICY_NAMES, make_policy
from sim.simulate.replay import Replay
from sim.simulate.state import Stage
from sim.solve.greedy import greedy_schedule
from sim.testing import generated_scenario_yaml
from tests.replay_helpers import (
    calm,
    checked_planner,
    hhmm,
    keep_or_fit_planner,
    run,
    schedule_of,
)
from tests.tiny import DAY, base_document, meeting, scenario_of


def _asked_for(at: str, ident: str, *parties: str) -> dict[str, object]:
    """A scripted request, known at ``at`` on the day, for 30 minutes at a."""
    request = {"id": ident, "parties": list(parties), "duration": "30min", "venues": ["a"]}
    return {"event": "request_meeting", "at": f"{DAY} {at}", "request": request}


# --- 1. a same-day request must not deadlock a day -------------------------------------


def test_a_request_for_a_guest_already_waiting_calls_the_guest_away() -> None:
    # g2 waits at a from 09:00 for m2 (11:00). At 09:30 r (host and g2, 30 min) is asked
    # for and fitted at 10:10, before m2. g2 must go to r: before the fix it kept waiting
    # for m2 while the host waited for r, and both lost the morning (m2, required, was
    # not held: "no time left on day 1").
    doc = base_document()
    doc["meetings"] = [meeting("m1", "host", "g1"), meeting("m2", "host", "g2")]
    doc["uncertainty"] = {"scripted": [_asked_for("09:30", "r", "host", "g2")]}
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "11:00", "a"))
    for policy in ("as-planned", "shorten", "drop"):
        outcome = run(scenario, schedule, calm(scenario), make_policy(policy))
        assert outcome.trace == (
            (540, "host", "arrives"),
            (540, "host", "waits for m1"),
            (540, "g1", "arrives"),
            (540, "g1", "waits for m1"),
            (540, "m1", "starts at a"),
            (540, "g2", "arrives"),
            (540, "g2", "waits for m2"),
            (540, "g3", "arrives"),
            (570, "r", "requested"),
            (570, "r", "fitted at minute 610 at a"),  # 10:00 + the buffer
            (570, "g2", "stops waiting for m2"),  # r comes first now
            (570, "g2", "waits for r"),
            (600, "m1", "ends"),
            (600, "host", "waits for r"),
            (610, "r", "starts at a"),
            (640, "r", "ends"),
            (640, "g2", "waits for m2"),
            (640, "host", "waits for m2"),
            (660, "m2", "starts at a"),  # on time
            (720, "m2", "ends"),
        ), policy
        assert all(r.held for r in outcome.meetings)


def test_a_request_made_while_riding_home_is_held() -> None:
    # After m1 at b the host rides home to a (10:30-11:00); r is asked for at 10:40 and
    # fitted at 11:00 at a, where the host is heading. Before the fix the host, once
    # home, waited for news that had come on the road, and r was lost.
    doc = base_document()
    doc["meetings"] = [meeting("m1", "host", "g1", venues=["b"])]
    doc["uncertainty"] = {"scripted": [_asked_for("10:40", "r", "host", "g2")]}
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:30", "b"))
    outcome = run(scenario, schedule, calm(scenario), make_policy("as-planned"))
    assert outcome.trace == (
        (540, "host", "arrives"),
        (540, "host", "leaves a for b"),
        (540, "g1", "arrives"),
        (540, "g1", "waits for m1"),
        (540, "g2", "arrives"),
        (540, "g3", "arrives"),
        (570, "host", "reaches b"),
        (570, "host", "waits for m1"),
        (570, "m1", "starts at b"),
        (630, "m1", "ends"),
        (630, "host", "leaves b for a"),
        (640, "r", "requested"),
        (640, "r", "fitted at minute 660 at a"),  # when the host is back
        (640, "g2", "waits for r"),
        (660, "host", "reaches a"),
        (660, "host", "waits for r"),
        (660, "r", "starts at a"),
        (690, "r", "ends"),
    )


def test_a_meeting_its_parties_set_off_for_too_late_says_why_it_was_not_held() -> None:
    # g1 and g2 (both leaving at 12:30) are held at a by m0 until 12:10, then ride to b
    # for m1 and get there at 12:40, after they have left: "never reached" before the fix.
    doc = base_document()
    doc["parties"][1]["principal"] = True
    for party in doc["parties"][1:3]:
        party["departure"] = f"{DAY} 12:30"
    doc["meetings"] = [
        meeting("m0", "g1", "g2"),
        meeting("m1", "g1", "g2", duration="30min", venues=["b"]),
    ]
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m0", "09:00", "a"), ("m1", "11:00", "b"))
    outcome = run(scenario, schedule, calm(scenario, length={"m0": 190}), make_policy("as-planned"))
    assert outcome.trace[-5:] == (
        (730, "g1", "leaves a for b"),
        (730, "g2", "leaves a for b"),
        (760, "g1", "reaches b"),
        (760, "m1", "not held: g1 leaves the summit before it could end"),
        (760, "g2", "reaches b"),
    )


def wait_cycles(outcome: Outcome, meetings: dict[str, Meeting]) -> list[tuple[int, list[str]]]:
    """Moments at which parties wait for one another in a circle: each waits at a meeting
    that cannot start because another party of it waits at a different meeting. None of
    them can ever get what it waits for: the replay must never get there."""
    waits = [s for s in outcome.timeline if s.kind is SpanKind.WAIT]
    found: list[tuple[int, list[str]]] = []
    for moment in sorted({s.start for s in waits}):
        at = {s.party: s.ident for s in waits if s.start <= moment < s.end}
        edges = {
            party: [q for q in meetings[ident].parties if q in at and at[q] != ident]
            for party, ident in at.items()
        }
        for start in edges:  # a cycle through ``start``, depth first
            stack, seen = [(start, [start])], set()
            while stack:
                party, path = stack.pop()
                for other in edges[party]:
                    if other == start:
                        found.append((moment, path))
                        stack.clear()
                        break
                    if other not in seen:
                        seen.add(other)
                        stack.append((other, [*path, other]))
    return found


def assert_no_lost_meetings(scenario: Scenario, draws: Draws, outcome: Outcome) -> None:
    meetings: dict[str, Meeting] = {**scenario.meeting_by_id}
    meetings.update({a.meeting.id: a.meeting for a in draws.additions})
    meetings.update({e.request.id: e.request for e in draws.scripted if e.request is not None})
    for result in outcome.meetings:
        assert result.held or result.reason not in ("", "never reached"), result
    assert wait_cycles(outcome, meetings) == []


def _same_day_requests_never_deadlock(text: str, seed: int, requests: float, runs: int) -> None:
    scenario = load_scenario_text(text)
    schedule = greedy_schedule(scenario)
    assume(check(scenario, schedule).ok)
    plan = DrawPlan.of(scenario, replace(CALIBRATED, additions_per_planned=requests))
    stage = Stage.of(scenario, schedule)
    for replication in range(runs):
        draws = plan.draw(seed, replication)
        for policy in POLICY_NAMES:
            chosen = make_policy(policy, checked_planner)
            outcome = Replay(stage, draws, chosen, record=True, trace=True).run()
            assert_no_lost_meetings(scenario, draws, outcome)


SUMMITS = generated_scenario_yaml(max_parties=8, max_requests=15)
REQUESTS = st.sampled_from((0.5, 1.0, 3.0, 10.0))  # same-day requests per planned meeting


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=SUMMITS, seed=st.integers(0, 999), requests=REQUESTS)
def test_same_day_requests_never_deadlock_a_day(text: str, seed: int, requests: float) -> None:
    # Many same-day requests on calibrated days: every meeting ends held or with a
    # reason, and no parties ever wait for each other in a circle. The search that found
    # the defects above: a request placed before the meeting a guest already waited
    # for; parties that reached a meeting only after leaving the summit.
    _same_day_requests_never_deadlock(text, seed, requests, runs=1)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=SUMMITS, seed=st.integers(0, 999), requests=REQUESTS)
def test_same_day_requests_never_deadlock_a_day_at_length(
    text: str, seed: int, requests: float
) -> None:
    # The same, wider: before the fix it failed within about a hundred summits.
    _same_day_requests_never_deadlock(text, seed, requests, runs=3)


def test_the_wait_cycle_detector_sees_the_old_deadlock() -> None:
    # The detector itself: the waits of the deadlock the first test pins (host at r,
    # g2 at m2, 10:00-12:01) form a circle.
    from sim.simulate.outcome import Span

    doc = base_document()
    doc["meetings"] = [meeting("m2", "host", "g2"), meeting("r", "host", "g2")]
    scenario = scenario_of(doc)
    outcome = Outcome(
        0,
        "as-planned",
        (),
        {},
        0,
        timeline=(
            Span("host", SpanKind.WAIT, "r", "a", 600, 721),
            Span("g2", SpanKind.WAIT, "m2", "a", 540, 721),
        ),
    )
    cycles = wait_cycles(outcome, dict(scenario.meeting_by_id))
    assert cycles and cycles[0][0] == 600


# --- 2. the principal's fixed programme comes first ------------------------------------


def _concert(*attendees: str, end: str = "12:30") -> dict[str, object]:
    """The concert at b, from 12:00."""
    return {
        "id": "concert",
        "name": "Concert",
        "kind": "reception",
        "start": f"{DAY} 12:00",
        "end": f"{DAY} {end}",
        "venue": "b",
        "attendees": list(attendees),
    }


def _concert_morning() -> Scenario:
    """m1 (host and g1, 10:00-11:00 at a), then the concert at b at 12:00 for both."""
    doc = base_document()
    doc["meetings"] = [meeting("m1", "host", "g1", min_duration="45min")]
    doc["fixed_events"] = [_concert("host", "g1")]
    return scenario_of(doc)


def test_an_overrunning_meeting_is_cut_when_the_principal_must_leave_for_the_programme() -> None:
    # m1 would run 150 minutes, to 12:30. The host must leave a at 11:30 to reach the
    # 12:00 concert: m1 is cut to 90 minutes, under every policy.
    scenario = _concert_morning()
    schedule = schedule_of(scenario, ("m1", "10:00", "a"))
    draws = calm(scenario, length={"m1": 150})
    outcome = run(scenario, schedule, draws, make_policy("as-planned"))
    assert outcome.trace == (
        (540, "host", "arrives"),
        (540, "host", "waits for m1"),
        (540, "g1", "arrives"),
        (540, "g1", "waits for m1"),
        (540, "g2", "arrives"),
        (540, "g3", "arrives"),
        (600, "m1", "starts at a"),
        (600, "m1", "cut to 90 min: host must leave for concert"),
        (690, "m1", "ends"),
        (690, "host", "leaves a for b"),
        (690, "g1", "leaves a for b"),
        (720, "concert", "starts"),
        (720, "host", "reaches b"),  # on time
        (720, "g1", "reaches b"),
        (750, "concert", "ends"),
        (750, "host", "leaves b for a"),
        (780, "host", "reaches a"),
    )
    for policy in POLICY_NAMES:
        outcome = run(scenario, schedule, draws, make_policy(policy, keep_or_fit_planner))
        result = outcome.result_of("m1")
        assert (result.held, result.start, result.end) == (True, 600, 690), policy
        assert (result.cut, result.cut_for) == (60, "concert"), policy
        assert outcome.party_result("host") == PartyResult("host"), policy
        assert outcome.late == (), policy


def test_without_programme_first_the_host_misses_the_concert_and_the_outcome_says_so() -> None:
    scenario = _concert_morning()
    schedule = schedule_of(scenario, ("m1", "10:00", "a"))
    policy = make_policy("as-planned")
    policy.programme_first = False
    outcome = run(scenario, schedule, calm(scenario, length={"m1": 150}), policy)
    assert outcome.trace[-6:] == (
        (600, "m1", "starts at a"),
        (720, "concert", "starts"),  # without them
        (750, "m1", "ends"),
        (750, "concert", "ends"),
        (750, "host", "misses concert"),
        (750, "g1", "misses concert"),
    )
    assert outcome.result_of("m1").cut == 0
    assert outcome.party_result("host").missed == ("concert",)
    assert outcome.party_result("g1").missed == ("concert",)


def test_a_guest_is_not_cut_for_its_own_programme_and_comes_late() -> None:
    # Only g1 goes to the concert: m1 runs its 130 minutes, to 12:10; g1 reaches b at
    # 12:40, 40 minutes late. g2 lands 25 minutes late.
    doc = base_document()
    doc["meetings"] = [meeting("m1", "host", "g1")]
    doc["fixed_events"] = [_concert("g1", end="12:45")]
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "10:00", "a"))
    draws = calm(scenario, length={"m1": 130}, arrival_delay={"g2": 25})
    outcome = run(scenario, schedule, draws, make_policy("as-planned"))
    result = outcome.result_of("m1")
    assert (result.end, result.cut, result.cut_for) == (730, 0, "")
    assert outcome.parties == (
        PartyResult("host"),
        PartyResult("g1", late=(("concert", 40),)),
        PartyResult("g2", arrived_late=25),
        PartyResult("g3"),
    )
    assert outcome.late == (("g1", "concert", 40),)


# --- 3. no meeting lasts longer than its cap allows ------------------------------------


def _capped_summit(uncertainty: dict[str, object] | None = None) -> Scenario:
    """A headline meeting of 65 minutes and routine ones of 30 and 90, all on day one."""
    doc = base_document()
    doc["meetings"] = [
        meeting("h", "host", "g1", duration="65min", headline=True),
        meeting("r1", "host", "g2", duration="30min"),
        meeting("r2", "host", "g3", duration="90min"),
    ]
    if uncertainty is not None:
        doc["uncertainty"] = uncertainty
    return scenario_of(doc)


def _longest(scenario: Scenario, model: Uncertainty, runs: int) -> dict[str, int]:
    plan = DrawPlan.of(scenario, model)
    longest: dict[str, int] = {}
    for replication in range(runs):
        draws = plan.draw(11, replication)
        for ident, length in draws.length.items():
            longest[ident] = max(longest.get(ident, 0), length)
    return longest


def test_the_calibrated_caps_are_the_largest_ratios_reported() -> None:
    assert (HEADLINE_CAP, ROUTINE_CAP) == (4.5, 3.5)
    assert CALIBRATED.headline_duration_factor is not None
    assert CALIBRATED.headline_duration_factor.cap == HEADLINE_CAP
    assert CALIBRATED.meeting_duration_factor.cap == ROUTINE_CAP


def test_no_drawn_length_exceeds_the_cap_times_the_planned_length() -> None:
    # 1,000 calibrated replications: the 65-minute headline meeting reaches its cap
    # (4.5 x 65 = 292.5, so 292 minutes; the old cap of 5 gave 325) and never passes
    # it; the routine meetings stay under 3.5 x their length.
    scenario = _capped_summit()
    longest = _longest(scenario, CALIBRATED, 1000)
    assert longest["h"] == round(4.5 * 65)
    assert longest["r1"] <= 3.5 * 30 and longest["r2"] <= 3.5 * 90
    # A scenario's own cap, on a lognormal as kazan-2024 writes it, and on a component.
    own = _capped_summit(
        {
            "headline_meeting_duration": {"dist": "lognormal", "median": 1.5, "p90": 3.5, "cap": 2},
            "meeting_duration": {
                "dist": "mixture",
                "components": [
                    {"dist": "lognormal", "median": 1.1, "p90": 1.6, "cap": 1.5, "weight": 1}
                ],
            },
        }
    )
    longest = _longest(own, own.uncertainty, 500)
    assert longest == {"h": 130, "r1": 45, "r2": 135}


def test_meetings_asked_for_on_the_day_are_capped_too() -> None:
    scenario = _capped_summit()
    plan = DrawPlan.of(scenario, replace(CALIBRATED, additions_per_planned=5.0))
    for replication in range(300):
        draws = plan.draw(5, replication)
        for addition in draws.additions:
            length = draws.length[addition.meeting.id]
            assert length <= ROUTINE_CAP * addition.meeting.duration


# --- 4. a day's overrun is measured on what the plan had -------------------------------


def test_a_meeting_asked_for_on_the_day_is_not_an_overrun() -> None:
    # g3 has no meeting in the plan, only the 09:00-10:00 briefing at a with the host.
    # At 10:30 the host asks to see it: r is held 10:30-11:00. g3's day ends at 11:00,
    # but nothing it had planned ran late: its overrun is 0, not 60 minutes. g2 has
    # nothing planned at all: no overrun. (Kazan: Dodik, whose only meeting was asked
    # for on the day, showed a 455-minute overrun.)
    doc = base_document()
    doc["meetings"] = [meeting("m1", "host", "g1", duration="30min")]
    doc["fixed_events"] = [
        {
            "id": "briefing",
            "name": "Briefing",
            "kind": "plenary",
            "start": f"{DAY} 09:00",
            "end": f"{DAY} 10:00",
            "venue": "a",
            "attendees": ["host", "g3"],
        }
    ]
    doc["uncertainty"] = {"scripted": [_asked_for("10:30", "r", "host", "g3")]}
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "10:10", "a"))
    outcome = run(scenario, schedule, calm(scenario), make_policy("as-planned"))
    assert outcome.result_of("r").start == 650  # after m1 and the buffer
    assert outcome.day_end[("g3", 0)] == 680 and outcome.plan_day_end[("g3", 0)] == 600
    result = simulate(
        scenario, schedule, runs=2, policies=("as-planned",), disruptions="none", timelines=False
    )
    parties = {
        p.party: (p.overrun_p50, p.overrun_p90, p.latest_end) for p in result.variants[0].parties
    }
    assert parties == {
        "host": (0.0, 0.0, 680),  # r ends its day at 11:20, m1 (10:40) was on time
        "g1": (0.0, 0.0, 640),
        "g2": (None, None, None),
        "g3": (0.0, 0.0, 680),
    }


# --- 5. the results show the programme misses ------------------------------------------


def test_the_results_show_who_missed_the_programme_and_who_came_late() -> None:
    # The host lands 30 minutes late and misses its 09:00-09:15 welcome; g1 is kept by
    # m1 (it runs 90 minutes over; only g1 has the 11:30 press event, so nothing cuts
    # it) and misses the press event; g2 lands 75 minutes late and reaches its 10:00
    # lunch at 10:15. Every replication is the same: no randomness, scripted what-ifs.
    doc = base_document()
    doc["meetings"] = [meeting("m1", "host", "g1")]

    def event(ident: str, start: str, end: str, venue: str, *attendees: str) -> dict[str, object]:
        when = {"start": f"{DAY} {start}", "end": f"{DAY} {end}"}
        return {"id": ident, "name": ident, "kind": "other", **when, "venue": venue,
                "attendees": list(attendees)}  # fmt: skip

    doc["fixed_events"] = [
        event("welcome", "09:00", "09:15", "a", "host"),
        event("lunch", "10:00", "11:00", "a", "g2"),
        event("press", "11:30", "11:50", "b", "g1"),
    ]
    doc["uncertainty"] = {
        "scripted": [
            {"event": "delay_arrival", "party": "host", "by": "30min"},
            {"event": "delay_arrival", "party": "g2", "by": "1h15"},
            {"event": "overrun", "meeting": "m1", "by": "90min"},
        ]
    }
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:30", "a"))
    outcome = run(scenario, schedule, calm(scenario), make_policy("as-planned"))
    assert outcome.parties == (
        PartyResult("host", arrived_late=30, missed=("welcome",)),
        PartyResult("g1", missed=("press",)),
        PartyResult("g2", arrived_late=75, late=(("lunch", 15),)),
        PartyResult("g3"),
    )
    result = simulate(
        scenario, schedule, runs=3, policies=("as-planned",), disruptions="none", timelines=False
    )
    stats = result.variants[0]
    assert {p.party: (p.p_missed_event, p.event_late_minutes) for p in stats.parties} == {
        "host": (1.0, 0.0),
        "g1": (1.0, 0.0),
        "g2": (0.0, 15.0),
        "g3": (None, None),  # no programme
    }
    assert (stats.p_principal_missed_event, stats.principal_event_late_minutes) == (1.0, 0.0)
    assert stats.late_events == 3  # unchanged: events reached late or missed, all parties


@pytest.mark.parametrize("policy", ["as-planned", "drop"])
def test_a_meeting_running_when_a_guest_leaves_ends_with_the_departure(policy: str) -> None:
    # The fifth robustness sweep: a required meeting 11:00-11:40 with a guest who leaves
    # the summit at 12:00 overran to 12:50 and counted as held in full; the guest's
    # flight does not wait, so the meeting ends at 12:00, cut by 50 minutes.
    document = base_document()
    for party in document["parties"]:
        if party["id"] == "g1":
            party["departure"] = f"{DAY} 12:00"
    document["meetings"] = [meeting("m", "host", "g1", duration="40min", venues=["a"])]
    scenario = scenario_of(document)
    schedule = schedule_of(scenario, ("m", "11:00", "a"))
    outcome = run(scenario, schedule, calm(scenario, length={"m": 110}), make_policy(policy))
    (result,) = outcome.meetings
    assert result.held and result.start == hhmm("11:00")
    assert result.end == hhmm("12:00") and result.cut == 50
    assert result.cut_for == "departure:g1"
