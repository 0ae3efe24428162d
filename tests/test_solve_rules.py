"""Each hard-rule family, three ways: trivially feasible; forced violation is
infeasible; the allowed edge case is feasible (and lands exactly on the edge).

The base scenario (tests/solve_helpers.py): one morning 09:00-13:00, venues
a and b 30 minutes apart, the host based at a, a 10-minute buffer. Every
feasible schedule is also passed through the independent checker.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.errors import ScenarioError
from tests.solve_helpers import clock, conflicting, is_infeasible, solved
from tests.tiny import DAY, base_document, meeting

Doc = dict[str, Any]


def with_meetings(*meetings: Doc) -> Doc:
    doc = base_document()
    doc["meetings"] = list(meetings)
    return doc


def party(doc: Doc, pid: str) -> Doc:
    return next(p for p in doc["parties"] if p["id"] == pid)


def test_trivial_single_meeting_is_feasible_and_optimal() -> None:
    _scenario, result = solved(with_meetings(meeting("m1", "host", "g1")))
    assert result.schedule.proven_optimal
    assert result.schedule.assignment_of("m1") is not None


# --- presence -----------------------------------------------------------------------


@pytest.mark.parametrize(("arrival", "expected"), [("12:00", "12:00"), ("12:05", None)])
def test_presence(arrival: str, expected: str | None) -> None:
    doc = with_meetings(meeting("m1", "host", "g1"))
    party(doc, "g1")["arrival"] = f"{DAY} {arrival}"
    scenario, result = solved(doc)
    if expected is None:
        assert is_infeasible(result)
        assert "presence:g1" in conflicting(result)
    else:
        assert clock(scenario, result.schedule, "m1") == expected


# --- unavailable ----------------------------------------------------------------------


@pytest.mark.parametrize(("until", "expected"), [("12:00", "12:00"), ("12:05", None)])
def test_unavailable(until: str, expected: str | None) -> None:
    doc = with_meetings(meeting("m1", "host", "g1"))
    party(doc, "g1")["unavailable"] = [{"start": "09:00", "end": until}]
    scenario, result = solved(doc)
    if expected is None:
        assert is_infeasible(result)
    else:
        assert clock(scenario, result.schedule, "m1") == expected


# --- day window and latest end ------------------------------------------------------------


@pytest.mark.parametrize(("duration", "feasible"), [("4h", True), ("4h05", False)])
def test_day_window(duration: str, feasible: bool) -> None:
    doc = with_meetings(meeting("m1", "host", "g1", duration=duration))
    scenario, result = solved(doc)
    assert is_infeasible(result) is not feasible
    if feasible:
        assert clock(scenario, result.schedule, "m1") == "09:00"


@pytest.mark.parametrize(("latest", "feasible"), [("10:00", True), ("09:55", False)])
def test_latest_end(latest: str, feasible: bool) -> None:
    doc = with_meetings(meeting("m1", "host", "g1"))
    doc["rules"]["latest_end"] = latest
    scenario, result = solved(doc)
    assert is_infeasible(result) is not feasible
    if feasible:
        assert clock(scenario, result.schedule, "m1") == "09:00"


# --- meal formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lunch_end", "feasible"), [("13:00", True), ("12:55", False)])
def test_meal_window(lunch_end: str, feasible: bool) -> None:
    doc = with_meetings(meeting("m1", "host", "g1", format="lunch"))
    doc["rules"]["meal_windows"] = {"lunch": {"start": "12:00", "end": lunch_end}}
    scenario, result = solved(doc)
    assert is_infeasible(result) is not feasible
    if feasible:
        assert clock(scenario, result.schedule, "m1") == "12:00"


# --- fixed events, buffer and travel --------------------------------------------------------


@pytest.mark.parametrize(
    ("venue", "plenary_end", "expected"),
    [
        ("a", "11:50", "12:00"),  # same venue: buffer only
        ("a", "11:55", None),  # 11:55 + 10 = 12:05, and 12:05 + 1h > 13:00
        ("b", "11:20", "12:00"),  # other venue: buffer 10 + travel 30
        ("b", "11:25", None),
    ],
)
def test_gap_after_fixed_event(venue: str, plenary_end: str, expected: str | None) -> None:
    doc = with_meetings(meeting("m1", "host", "g1"))
    doc["fixed_events"] = [
        {
            "id": "plenary",
            "name": "Plenary",
            "start": f"{DAY} 09:00",
            "end": f"{DAY} {plenary_end}",
            "venue": venue,
            "attendees": ["host"],
        }
    ]
    scenario, result = solved(doc)
    if expected is None:
        assert is_infeasible(result)
        assert {"attend:plenary", "required:m1"} <= conflicting(result)
        notes = " ".join(result.schedule.notes)  # in words, without the labels
        assert "attend:plenary" not in notes and "is required" in notes
    else:
        assert clock(scenario, result.schedule, "m1") == expected


def test_gap_between_meetings_of_one_party() -> None:
    # Two 1h55 meetings of the host in a 4h morning leave 10 minutes: exactly the buffer.
    doc = with_meetings(
        meeting("m1", "host", "g1", duration="1h55"),
        meeting("m2", "host", "g2", duration="1h55"),
    )
    scenario, result = solved(doc)
    starts = sorted(clock(scenario, result.schedule, m) for m in ("m1", "m2"))
    assert starts == ["09:00", "11:05"]
    doc["meetings"][1]["duration"] = "2h"
    assert is_infeasible(solved(doc)[1])


# --- base -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("window_end", "expected"), [("10:30", "09:30"), ("10:25", None)])
def test_base_travel_at_start_of_day(window_end: str, expected: str | None) -> None:
    # The host sleeps at a; the meeting is at b, 30 minutes away: not before 09:30.
    doc = with_meetings(
        meeting("m1", "host", "g1", venues=["b"], windows=[{"start": "09:00", "end": window_end}])
    )
    scenario, result = solved(doc)
    if expected is None:
        assert is_infeasible(result)
        assert "base:host" in conflicting(result)
    else:
        assert clock(scenario, result.schedule, "m1") == expected


def test_base_travel_at_end_of_day() -> None:
    doc = with_meetings(
        meeting("m1", "host", "g1", venues=["b"], windows=[{"start": "11:00", "end": "13:00"}])
    )
    scenario, result = solved(doc)
    # back at a by 13:00: the meeting ends by 12:30
    assert clock(scenario, result.schedule, "m1") in {
        "11:00",
        "11:05",
        "11:10",
        "11:15",
        "11:20",
        "11:25",
        "11:30",
    }


# --- rooms ----------------------------------------------------------------------------------


def _two_principals(duration: str, rooms: int) -> Doc:
    doc = base_document()
    doc["days"][0]["end"] = "11:00"
    doc["venues"][0]["rooms"] = rooms
    party(doc, "g2")["principal"] = True
    doc["meetings"] = [
        meeting("m1", "host", "g1", duration=duration),
        meeting("m2", "g2", "g3", duration=duration),
    ]
    return doc


@pytest.mark.parametrize(
    ("duration", "rooms", "feasible"), [("1h", 1, True), ("1h05", 1, False), ("2h", 2, True)]
)
def test_rooms(duration: str, rooms: int, feasible: bool) -> None:
    _scenario, result = solved(_two_principals(duration, rooms))
    assert is_infeasible(result) is not feasible
    if feasible:
        assignments = result.schedule.assignments
        assert {a.room for a in assignments} <= set(range(1, rooms + 1))


# --- windows, pins and venues -----------------------------------------------------------------


@pytest.mark.parametrize(("window_end", "expected"), [("11:00", "10:00"), ("10:55", None)])
def test_window(window_end: str, expected: str | None) -> None:
    doc = with_meetings(
        meeting("m1", "host", "g1", windows=[{"start": "10:00", "end": window_end}])
    )
    scenario, result = solved(doc)
    if expected is None:
        assert is_infeasible(result)
    else:
        assert clock(scenario, result.schedule, "m1") == expected


def test_pinned_meeting_keeps_its_time_and_venue() -> None:
    doc = with_meetings(
        meeting("m1", "host", "g1", venues=["a", "b"], pinned=f"{DAY} 11:00", pinned_venue="b")
    )
    scenario, result = solved(doc)
    assignment = result.schedule.assignment_of("m1")
    assert assignment is not None and assignment.venue == "b"
    assert clock(scenario, result.schedule, "m1") == "11:00"
    party(doc, "g1")["unavailable"] = [{"start": "11:00", "end": "11:30"}]
    result = solved(doc)[1]
    assert is_infeasible(result)
    assert "pinned:m1" in conflicting(result)


# --- order relations -------------------------------------------------------------------------


def test_order_after() -> None:
    doc = with_meetings(meeting("m1", "host", "g1"), meeting("m2", "g1", "host", after=["m1"]))
    doc["days"][0]["end"] = "11:10"  # edge: 09:00-10:00, buffer, 10:10-11:10
    scenario, result = solved(doc)
    assert clock(scenario, result.schedule, "m1") == "09:00"
    assert clock(scenario, result.schedule, "m2") == "10:10"
    doc["meetings"][0]["after"] = ["m2"]  # a circle: refused before planning
    with pytest.raises(ScenarioError, match="go round in a circle"):
        solved(doc)


def test_same_day() -> None:
    doc = with_meetings(
        meeting("m1", "host", "g1"), meeting("m2", "host", "g2", same_day_as=["m1"])
    )
    doc["days"].append({"date": "2025-01-11", "start": "09:00", "end": "13:00"})
    doc["meetings"][0]["windows"] = [{"start": f"{DAY} 09:00", "end": f"{DAY} 13:00"}]
    _scenario, result = solved(doc)
    assert {a.day for a in result.schedule.assignments} == {0}
    doc["meetings"][1]["windows"] = [{"start": "2025-01-11 09:00", "end": "2025-01-11 13:00"}]
    assert is_infeasible(solved(doc)[1])


# --- per-day and continuous limits -------------------------------------------------------------


@pytest.mark.parametrize(("limit", "feasible"), [(2, True), (1, False)])
def test_per_day_limit(limit: int, feasible: bool) -> None:
    doc = with_meetings(meeting("m1", "host", "g1"), meeting("m2", "host", "g2"))
    doc["rules"]["max_meetings_per_day"] = limit
    assert is_infeasible(solved(doc)[1]) is not feasible


@pytest.mark.parametrize(("day_end", "feasible"), [("12:30", True), ("12:25", False)])
def test_continuous_limit(day_end: str, feasible: bool) -> None:
    # Three 1h meetings, at most 2h without a 15-minute break, buffer 10: chaining two
    # (09:00-10:00, 10:10-11:10) spans 2h10, too long, so breaks of 15 are needed:
    # 09:00, 10:15, 11:30 -> ends 12:30.
    doc = with_meetings(
        meeting("m1", "host", "g1"), meeting("m2", "host", "g2"), meeting("m3", "host", "g3")
    )
    doc["days"][0]["end"] = day_end
    doc["rules"].update({"max_continuous": "2h", "min_break": "15min"})
    scenario, result = solved(doc)
    assert is_infeasible(result) is not feasible
    if feasible:
        starts = sorted(clock(scenario, result.schedule, m) for m in ("m1", "m2", "m3"))
        assert starts == ["09:00", "10:15", "11:30"]


# --- precedence -------------------------------------------------------------------------------


def _precedence(hard: bool, junior_first: bool) -> Doc:
    doc = with_meetings(meeting("senior", "host", "g1"), meeting("junior", "host", "g2"))
    party(doc, "g2")["rank"] = "head_of_government"
    doc["rules"]["precedence"] = {"mode": "rank", "hard": hard}
    if junior_first:
        doc["meetings"][1]["windows"] = [{"start": "09:00", "end": "10:00"}]
    return doc


def test_precedence_soft_prefers_senior_first() -> None:
    scenario, result = solved(_precedence(hard=False, junior_first=False))
    assert clock(scenario, result.schedule, "senior") < clock(scenario, result.schedule, "junior")
    values = {o.name: o.value for o in result.schedule.objectives}
    assert values["preferences"] == 0


def test_precedence_soft_gives_way_and_reports_it() -> None:
    scenario, result = solved(_precedence(hard=False, junior_first=True))
    assert clock(scenario, result.schedule, "junior") == "09:00"
    values = {o.name: o.value for o in result.schedule.objectives}
    assert values["preferences"] == 10  # one inverted pair


def test_precedence_hard() -> None:
    scenario, result = solved(_precedence(hard=True, junior_first=False))
    assert clock(scenario, result.schedule, "senior") < clock(scenario, result.schedule, "junior")
    result = solved(_precedence(hard=True, junior_first=True))[1]
    assert is_infeasible(result)
    assert any("precedence" in note for note in result.schedule.notes)


# --- required and optional ---------------------------------------------------------------------


def test_optional_meeting_that_cannot_fit_is_dropped_with_a_reason() -> None:
    doc = with_meetings(meeting("m1", "host", "g1", required=False, weight=3))
    party(doc, "g1")["arrival"] = f"{DAY} 12:30"
    _scenario, result = solved(doc)
    assert result.schedule.proven_optimal
    (unscheduled,) = result.schedule.unscheduled
    assert unscheduled.meeting == "m1" and "presence" not in unscheduled.reason
    assert "Guest One is present only from" in unscheduled.reason  # by name, not id
    assert result.schedule.objectives[0].value == 3


def test_required_meetings_that_cannot_all_fit_are_named() -> None:
    # Three required 1h30 meetings of the host in a 4h morning: one must go.
    doc = with_meetings(*(meeting(f"m{i}", "host", f"g{i}", duration="1h30") for i in (1, 2, 3)))
    result = solved(doc)[1]
    assert is_infeasible(result)
    text = "\n".join(result.schedule.notes)
    # plain arithmetic, before any search: 4h30 of meetings in a 4h morning
    assert "3 required meetings that need at least 4h30, but there are only 4h" in text
    assert "(the meetings: m1, m2, m3)" in text
    assert "at least 1 of them must become optional, or they need more time" in text
