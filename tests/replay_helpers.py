"""Small hand-written summits, hand-written schedules and hand-set draws for replay tests."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from sim.model import Scenario, Uncertainty
from sim.schedule import Assignment, Schedule, SolverSettings, SolveStatus
from sim.simulate.disruptions import DrawPlan, Draws
from sim.simulate.outcome import Outcome
from sim.simulate.policies import Policy
from sim.simulate.quick_fit import Booking, first_fit
from sim.simulate.replay import replay


def hhmm(clock: str) -> int:
    """Minutes from the epoch (midnight of the first day) of a clock time on day one."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def schedule_of(scenario: Scenario, *placed: tuple[str, str, str]) -> Schedule:
    """A hand-written schedule: (meeting, start "HH:MM" on day one, venue) each."""
    assignments = []
    for meeting_id, start, venue in placed:
        begin = hhmm(start)
        duration = scenario.meeting_by_id[meeting_id].duration
        assignments.append(Assignment(meeting_id, 0, begin, begin + duration, venue))
    return Schedule(
        scenario.id,
        scenario.source_sha256,
        SolveStatus.FEASIBLE,
        SolverSettings(0.0, 0, 1),
        tuple(assignments),
    )


def calm(scenario: Scenario, **changes: Any) -> Draws:
    """Draws with no disruption at all (scripted what-ifs included), then ``changes``
    merged in: e.g. ``length={"m1": 75}`` makes m1 last 75 minutes."""
    model = Uncertainty(scripted=scenario.uncertainty.scripted)
    draws = DrawPlan.of(scenario, model).draw(0, 0)
    merged: dict[str, Any] = {}
    for name, value in changes.items():
        current = getattr(draws, name)
        merged[name] = {**current, **value} if isinstance(current, dict) else value
    return replace(draws, **merged)


def run(scenario: Scenario, schedule: Schedule, draws: Draws, policy: Policy) -> Outcome:
    return replay(scenario, schedule, draws, policy, trace=True, record=True)


def keep_or_fit_planner(scenario: Scenario, previous: Schedule) -> Schedule:
    """A stand-in for the real planner: keep each previous assignment that still lies in
    its meeting's windows and clear of its parties' fixed events (with the buffer and
    the ride), then fit the other meetings into the first gap. Picklable."""
    by_id = scenario.meeting_by_id
    bookings: dict[str, list[Booking]] = {p.id: [] for p in scenario.parties}
    for event in scenario.fixed_events:
        for attendee in event.attendees:
            bookings[attendee].append(
                Booking(
                    event.time.start,
                    event.time.end,
                    event.venue,
                    False,
                    not event.id.startswith("now:"),
                )
            )
    rooms: dict[str, list[tuple[int, int]]] = {}
    kept: list[Assignment] = []

    def book(a: Assignment) -> None:
        kept.append(a)
        rooms.setdefault(a.venue, []).append((a.start, a.end))
        for party in by_id[a.meeting].parties:
            bookings[party].append(Booking(a.start, a.end, a.venue))

    earliest = min((w.start for m in scenario.meetings for w in m.windows), default=0)
    for a in sorted(previous.assignments, key=lambda a: a.start):
        meeting = by_id.get(a.meeting)
        if meeting is None:
            continue
        here = replace(meeting, pinned_venue=a.venue)
        fits = first_fit(scenario, here, a.start, bookings, rooms)
        if fits is not None and (fits.start, fits.venue, fits.day) == (a.start, a.venue, a.day):
            book(a)
    done = {a.meeting for a in kept}
    for meeting in sorted(scenario.meetings, key=lambda m: (-m.weight, m.id)):
        if meeting.id in done:
            continue
        slot = first_fit(scenario, meeting, earliest, bookings, rooms)
        if slot is not None:
            book(
                Assignment(
                    meeting.id, slot.day, slot.start, slot.start + meeting.duration, slot.venue
                )
            )
    return replace(previous, status=SolveStatus.FEASIBLE, assignments=tuple(kept))


def assert_plannable(scenario: Scenario) -> None:
    """What the replan policy hands a planner is a coherent scenario: every reference
    resolves, and no party's fixed engagements collide (the ride included)."""
    parties = scenario.party_by_id
    meetings = scenario.meeting_by_id
    assert len(parties) == len(scenario.parties) and len(meetings) == len(scenario.meetings)
    for party in scenario.parties:
        assert party.presence.start <= party.presence.end, party
    for meeting in scenario.meetings:
        assert set(meeting.parties) <= set(parties), meeting
        assert set(meeting.after) | set(meeting.before) | set(meeting.same_day_as) <= set(
            meetings
        ), meeting
        assert all(w.length >= meeting.duration for w in meeting.windows), meeting
    for event in scenario.fixed_events:
        assert set(event.attendees) <= set(parties), event
    for party in scenario.parties:
        own = sorted(scenario.fixed_events_of(party.id), key=lambda e: (e.time.start, e.time.end))
        for first, second in itertools.pairwise(own):
            ride = scenario.travel_time(first.venue, second.venue)
            assert first.time.end + ride <= second.time.start, (party.id, first, second)


def checked_planner(scenario: Scenario, previous: Schedule) -> Schedule:
    """``keep_or_fit_planner``, after checking that its input is coherent."""
    assert_plannable(scenario)
    return keep_or_fit_planner(scenario, previous)
