"""Re-planning on the day: the rest of the summit as a scenario for the planner, and back.

The ``replan`` policy receives a planner, a function of (scenario, previous
schedule) -> schedule (the simulator never imports the solver). At a
disruption it hands the planner what is still to plan, built from the
replay's state with ``dataclasses.replace``:

* the present: where each party is and until when it is busy (in a meeting or
  a programme event, on the road) becomes a fixed event ``now:<party>`` at
  that venue, so running meetings stay pinned and rides are accounted for.
  The past is left out: realised times are off the grain and rides can be
  faster than nominal, so held meetings as fixed events could contradict the
  rules the planner enforces, and nothing in the past can change;
* programme events that have not started (one held up by an overrun moved to
  now), without the attendees who can no longer make them;
* the meetings still to decide: the pending ones and the requests known so
  far; cancelled meetings and withdrawn parties are gone. Each keeps its
  windows clipped to start at ``now`` rounded up to the grain (or gets that
  window); pins in the past are lifted. A required meeting stays required
  when a quick fit still finds it a place; one that may no longer fit becomes
  optional with a weight above all optional ones together, so that
  re-planning never fails just because the morning went badly (and when the
  planner still finds the required ones cannot all be held, it is asked
  again with every one optional);
* late arrivals known by now move the party's arrival.

The previous schedule is the current plan of those meetings, so the planner's
fewest-changes tier keeps what it can. Its answer is adopted for the pending
meetings; an infeasible or unknown answer leaves the plan as it was.
"""

from __future__ import annotations

import time
from dataclasses import replace

from sim.model import EventKind, FixedEvent, Interval, Meeting, Party, Scenario, Uncertainty
from sim.schedule import Assignment, Planner, Schedule, SolveStatus
from sim.simulate.control import ReplayControl
from sim.simulate.quick_fit import Booking, first_fit
from sim.simulate.state import Key, LiveMeeting, State
from sim.times import ceil_to_grain


def replan_now(replay: ReplayControl, planner: Planner, why: str) -> bool:
    """Re-plan the rest of the summit and adopt the result; False if the planner gave no
    plan, or a re-plan already happened at this minute."""
    if not replay.claim_replan():
        return False
    replay.log("plan", f"re-plan: {why}")
    scenario, previous = rest_of_summit(replay)
    started = time.perf_counter()
    schedule = planner(scenario, previous)
    if schedule.status is SolveStatus.INFEASIBLE and any(m.required for m in scenario.meetings):
        # The required meetings the quick fit placed did not fit together after all.
        scenario, previous = rest_of_summit(replay, keep_required=False)
        schedule = planner(scenario, previous)
    failed = schedule.status in (SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN)
    replay.record_replan(time.perf_counter() - started, failed=failed)
    if failed:
        replay.log("plan", f"re-plan failed ({schedule.status.value})")
        return False
    adopt(replay, schedule)
    return True


def rest_of_summit(
    replay: ReplayControl, *, keep_required: bool = True
) -> tuple[Scenario, Schedule]:
    """The scenario of what is still to plan, and the current plan as the previous schedule.

    A required meeting stays required when a quick fit (``sim.simulate.quick_fit``, in the current
    plan's order) still finds it a place next to the other required ones; the others,
    or all with ``keep_required`` false, become optional with a weight above all
    optional meetings together.
    """
    scenario, now = replay.scenario, replay.now
    soon = ceil_to_grain(now, scenario.grain)
    parties: list[Party] = []
    here: dict[str, tuple[str, int]] = {}  # party -> (venue, busy until)
    busy: list[FixedEvent] = []
    for live in replay.parties.values():
        party = live.party
        stay = party.presence
        arrival = live.arrival if now >= stay.start else stay.start
        if live.withdrawn or arrival >= stay.end:
            continue
        parties.append(replace(party, presence=Interval(max(stay.start, arrival), stay.end)))
        venue = live.heading or live.location
        if venue is None or now < live.arrival or scenario.day_of(now) is None:
            continue
        until = max(now, live.busy_until)
        here[party.id] = (venue, until)
        busy.append(
            FixedEvent(
                f"now:{party.id}",
                f"where {party.id} is now",
                EventKind.OTHER,
                Interval(now, until),
                venue,
                (party.id,),
            )
        )
    present = {p.id for p in parties}
    events = [*_programme_left(replay, present, here), *busy]
    open_meetings = [
        m for m in replay.meetings.values() if m.state.pending and set(m.meeting.parties) <= present
    ]
    horizon = scenario.days[-1].window.end
    possible = [_still_possible(m.meeting, soon, horizon) for m in open_meetings]
    kept = {m.id for m in possible if m is not None}
    meetings = [  # relations only among the meetings still to plan
        replace(
            m,
            after=tuple(x for x in m.after if x in kept),
            before=tuple(x for x in m.before if x in kept),
            same_day_as=tuple(x for x in m.same_day_as if x in kept),
        )
        for m in possible
        if m is not None
    ]
    rest = replace(
        scenario,
        parties=tuple(parties),
        fixed_events=tuple(events),
        meetings=tuple(meetings),
        uncertainty=Uncertainty(),
    )
    order = {m.ident: (m.state is not State.PLANNED, m.key) for m in open_meetings}
    fitting = _required_that_fit(rest, soon, order) if keep_required else set()
    big = 1 + sum(m.weight for m in meetings if not m.required)
    rest = replace(
        rest,
        meetings=tuple(
            m if not m.required or m.id in fitting else replace(m, required=False, weight=big)
            for m in meetings
        ),
    )
    plan = tuple(
        _assignment(m) for m in open_meetings if m.state is State.PLANNED and m.ident in kept
    )
    previous = replace(
        replay.stage.schedule, assignments=plan, unscheduled=(), objectives=(), changes=(), notes=()
    )
    return rest, previous


def _programme_left(
    replay: ReplayControl, present: set[str], here: dict[str, tuple[str, int]]
) -> list[FixedEvent]:
    """Programme events not started yet, with the attendees who can still make them.

    An event held up by an overrun starts now at the earliest, and after the events
    before it that share an attendee (plus the ride between them), as the replay
    will start it; two held-up events never land on the same minute."""
    scenario, now = replay.scenario, replay.now
    waiting = [live for live in replay.events.values() if live.start is None]
    free: dict[str, tuple[int, str]] = {}  # attendee -> (end of its previous event, venue)
    moved: dict[str, Interval] = {}
    for live in sorted(waiting, key=lambda e: (e.event.time.start, e.ident)):
        event = live.event
        start = max(event.time.start, now)
        for attendee in event.attendees:
            if attendee in free:
                end, venue = free[attendee]
                start = max(start, end + scenario.travel_time(venue, event.venue))
        when = (
            event.time if start == event.time.start else Interval(start, start + event.time.length)
        )
        moved[event.id] = when
        for attendee in event.attendees:
            free[attendee] = (when.end, event.venue)
    left: list[FixedEvent] = []
    for live in waiting:  # in the scenario's order, as the planner has always seen them
        event, when = live.event, moved[live.ident]
        attendees = []
        for attendee in event.attendees:
            if attendee not in present:
                continue
            if attendee in here:
                venue, until = here[attendee]
                if until + scenario.travel_time(venue, event.venue) > when.start:
                    continue  # will be late for it: the replay takes care of that
            attendees.append(attendee)
        if attendees:
            left.append(replace(event, time=when, attendees=tuple(attendees)))
    return left


def _required_that_fit(rest: Scenario, soon: int, order: dict[str, tuple[bool, Key]]) -> set[str]:
    """The required meetings that a first fit, one after another, can still place."""
    bookings: dict[str, list[Booking]] = {p.id: [] for p in rest.parties}
    for event in rest.fixed_events:
        for attendee in event.attendees:
            bookings[attendee].append(
                Booking(event.time.start, event.time.end, event.venue, is_meeting=False)
            )
    rooms: dict[str, list[tuple[int, int]]] = {}
    placed: set[str] = set()
    for meeting in sorted((m for m in rest.meetings if m.required), key=lambda m: order[m.id]):
        slot = first_fit(rest, meeting, soon, bookings, rooms)
        if slot is None:
            continue
        end = slot.start + meeting.duration
        placed.add(meeting.id)
        rooms.setdefault(slot.venue, []).append((slot.start, end))
        for party in meeting.parties:
            bookings[party].append(Booking(slot.start, end, slot.venue))
    return placed


def _still_possible(meeting: Meeting, soon: int, horizon: int) -> Meeting | None:
    """The meeting as a request from now on, or None when no window is left."""
    windows = meeting.windows or (Interval(soon, max(soon, horizon)),)
    clipped = tuple(
        Interval(max(w.start, soon), w.end)
        for w in windows
        if w.end - max(w.start, soon) >= meeting.duration
    )
    if not clipped:
        return None
    pinned = meeting.pinned_start
    if pinned is not None and pinned < soon:
        pinned = None
    return replace(meeting, windows=clipped, pinned_start=pinned)


def _assignment(meeting: LiveMeeting) -> Assignment:
    start = meeting.key[0]
    return Assignment(
        meeting.ident, meeting.day, start, start + meeting.meeting.duration, meeting.venue
    )


def adopt(replay: ReplayControl, schedule: Schedule) -> int:
    """Make ``schedule`` the plan of the pending meetings; the number of changes."""
    placed = {a.meeting: a for a in schedule.assignments}
    changes = 0
    for meeting in replay.meetings.values():
        if not meeting.state.pending:
            continue
        assignment = placed.get(meeting.ident)
        if assignment is None:
            if meeting.state is State.PLANNED:
                changes += 1
                replay.unschedule(meeting, "dropped at a re-plan")
                replay.log(meeting.ident, "dropped by re-plan")
            continue
        current = (meeting.day, meeting.key[0], meeting.venue)
        if meeting.state is not State.PLANNED or current != (
            assignment.day,
            assignment.start,
            assignment.venue,
        ):
            changes += 1
            replay.log(
                meeting.ident, f"re-planned to minute {assignment.start} at {assignment.venue}"
            )
            meeting.place(assignment.day, assignment.start, assignment.venue)
            meeting.reason = ""
            replay.add_to_agendas(meeting)
        replay.release(meeting)  # whoever waits here looks at the new plan
    for party in replay.parties.values():
        party.sort_agenda()
    return changes
