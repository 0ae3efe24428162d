"""Re-planning on the day, as a protocol office does it: the affected day, a quick repair
first, the planner only when the repair loses something.

The ``replan`` policy (``sim.simulate.policies``) calls ``replan_now`` at a
material disruption: a cancellation or walkout (a freed slot), a withdrawal, a
request on the day, a late landing that upsets the plan, a party late for its
next meeting beyond the tolerance, a meeting that can no longer start in time.
What it does, in this order:

1. **The scope**: the meetings still to hold *today* (the day of the
   disruption; between two days, the next one), and those that wait for a place
   (dropped at an earlier re-plan, asked for on the day, never in the plan).
   Everything else stays where it is and is a fixed booking: the other days'
   meetings, running meetings, programme events (one held up by an overrun
   starts now at the earliest), where each party is now and until when, and
   what each party *already held today* (meetings and programme events), so
   the per-day limit and the continuous-engagement limit count the morning.
2. **The quick repair** (``sim.simulate.quick_fit``), twice: *keep* puts each
   meeting of today's plan, in order, at the earliest fit at or after its
   current time (it stays where it is when it still fits; else it moves
   right); *move up* puts each at the earliest fit from now, so a freed slot is
   filled by the meetings after it. A meeting that does not fit at its length
   is tried shorter, at each length down to its ``min_duration`` (every whole
   grain between, as the planner may: shorten before dropping; the policy then
   cuts the meeting before to keep the next on time), then on a later day; what
   waits for a place goes into the first gap left, as early as it fits. When a
   required meeting is left out, a third pass places the required ones first.
   The best of the passes wins: most required meetings placed, then most
   weight, then fewest meetings shortened; on a tie *move up* wins after a
   freed slot (the slack it makes absorbs the overruns to come) and *keep*
   otherwise (fewer changes).
3. **The planner** (CP-SAT, given as a ``Planner``; the simulator never imports
   the solver) only when the repair leaves a meeting of the scope out: it gets
   today's scope alone (``today_scenario``: windows clipped to the rest of
   the day, the per-day limits lowered by what was held today, each party's
   current run of engagements as a fixed event so the continuous limit counts
   it), and its answer replaces the repair only when it places more (required
   first, then weight).

A planned meeting that the chosen plan leaves out is not dropped: it goes after
the meetings placed, and is held if the day allows, as under the shorten policy.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sim.model import EventKind, FixedEvent, Interval, Meeting, Party, Scenario, Uncertainty
from sim.schedule import Assignment, Planner, Schedule, SolveStatus
from sim.simulate.control import ReplayControl
from sim.simulate.quick_fit import Booking, first_fit
from sim.simulate.state import LiveMeeting, State
from sim.times import ceil_to_grain

FREED = ("cancellation", "walkout", "withdrawal")  # disruptions that free a slot


@dataclass(frozen=True)
class Placed:
    """Where the repair puts a meeting; ``short``: only shorter than its length, at
    ``length`` minutes."""

    meeting: str
    day: int
    start: int
    venue: str
    short: bool = False
    length: int = 0  # when ``short``


@dataclass(frozen=True)
class Repair:
    """A plan for the scope: the meetings placed, and a score to compare plans by."""

    placed: tuple[Placed, ...]
    required: int
    weight: int
    short: int

    @property
    def score(self) -> tuple[int, int, int]:
        return (self.required, self.weight, -self.short)


def replan_now(
    replay: ReplayControl,
    planner: Planner | None,
    why: str,
    unstuck: LiveMeeting | None = None,
    late: Sequence[LiveMeeting] = (),
    claim: bool = True,
    fresh: LiveMeeting | None = None,
) -> bool:
    """Re-plan the affected day and adopt the result; False if a re-plan already happened
    at this minute (``claim`` false: re-plan all the same; a request does, as it cannot
    set off a loop). ``unstuck``: a meeting that can no longer start in time; ``late``:
    meetings a party is late for; ``fresh``: a meeting just asked for."""
    if not replay.claim_replan() and claim:
        return False
    replay.log("plan", f"re-plan: {why}")
    started = time.perf_counter()
    board = Board.of(replay)
    scope = board.scope()
    if not scope:
        replay.record_replan(time.perf_counter() - started, failed=False)
        return True
    best = board.repair(scope, move_up=why in FREED, unstuck=unstuck, late=late)
    failed = False
    placed = {p.meeting for p in best.placed}
    unplaced = {m.ident for m in scope if m.ident not in placed}
    news = why in FREED or bool(unplaced & {m.ident for m in (unstuck, fresh) if m is not None})
    if planner is not None and unplaced and news:
        # The planner only for what the repair could not place (a request with no gap,
        # a meeting that cannot start in time and fits nowhere), and only when that is
        # news: a new request, a stuck meeting, a freed slot. Asking again at every
        # late start for the same request would only repeat the same answer.
        answer = _ask_planner(replay, planner, board, scope, best)
        if answer is None:
            failed = True
        elif answer.score > best.score:
            best = answer
    replay.record_replan(time.perf_counter() - started, failed=failed)
    adopt_repair(replay, scope, best, unstuck)
    return True


class Board:
    """The fixed bookings of a re-plan: every party's engagements that the repair does not
    move (held today, running, programme events, where it is now, other days), the
    rooms those take, the parties' stays, and today."""

    def __init__(
        self,
        replay: ReplayControl,
        today: int,
        soon: int,
        bookings: dict[str, list[Booking]],
        rooms: dict[str, list[tuple[int, int]]],
        presence: dict[str, Interval],
        free: set[str],
    ) -> None:
        self.replay, self.today, self.soon = replay, today, soon
        self.bookings, self.rooms, self.presence, self.free = bookings, rooms, presence, free

    @staticmethod
    def of(replay: ReplayControl) -> Board:
        scenario, now = replay.scenario, replay.now
        soon = ceil_to_grain(now, scenario.grain)
        today = _today(scenario, now)
        bookings: dict[str, list[Booking]] = {}
        presence: dict[str, Interval] = {}
        free: set[str] = set()
        for live in replay.parties.values():
            party = live.party
            stay = party.presence
            arrival = live.arrival if now >= stay.start else stay.start
            if live.withdrawn or arrival >= live.departure or now >= live.departure:
                continue
            free.add(party.id)
            # ``live.departure``: the planned one, or earlier when it leaves early
            presence[party.id] = Interval(max(stay.start, arrival), live.departure)
            own: list[Booking] = []
            where = live.heading or live.location
            if where is not None and now >= live.arrival:
                own.append(Booking(now, max(now, live.busy_until), where, False, False, False))
            bookings[party.id] = own
        rooms: dict[str, list[tuple[int, int]]] = {}
        moved = _programme_times(replay)
        for event in replay.events.values():
            if event.end is not None:
                if event.start is None or event.day != today:
                    continue
                when = (event.start, event.end)  # attended today: counts for the limits
                past = True
            elif event.start is not None:  # running: until its planned end at least
                when, past = (event.start, max(now, event.start + event.event.time.length)), False
            else:
                held_at = moved[event.ident]
                when, past = (held_at.start, held_at.end), False
            for attendee in event.event.attendees:
                if attendee in bookings:
                    bookings[attendee].append(Booking(*when, event.venue, False, not past))
        for meeting in replay.meetings.values():
            state = meeting.state
            if state is State.HELD and meeting.day == today and meeting.start is not None:
                assert meeting.end is not None
                booked = Booking(meeting.start, meeting.end, meeting.venue, True, False)
            elif state is State.RUNNING and meeting.start is not None:
                end = max(now, meeting.start + meeting.meeting.duration)
                booked = Booking(meeting.start, end, meeting.venue)
            elif state is State.PLANNED and meeting.day != today:
                start = meeting.key[0]
                booked = Booking(start, start + meeting.meeting.duration, meeting.venue)
            else:
                continue
            if state is not State.HELD:
                rooms.setdefault(meeting.venue, []).append((booked.start, booked.end))
            for party_id in meeting.meeting.parties:
                if party_id in bookings:
                    bookings[party_id].append(booked)
        return Board(replay, today, soon, bookings, rooms, presence, free)

    def scope(self) -> list[LiveMeeting]:
        """Today's plan still to hold, in its order, then what waits for a place (most
        important first): the meetings this re-plan may move."""
        planned: list[LiveMeeting] = []
        waiting: list[LiveMeeting] = []
        for meeting in self.replay.meetings.values():
            if not meeting.state.pending or not set(meeting.meeting.parties) <= self.free:
                continue
            if meeting.state is State.PLANNED:
                if meeting.day == self.today:
                    planned.append(meeting)
            elif meeting.state is State.DROPPED or meeting.added:
                waiting.append(meeting)
        planned.sort(key=lambda m: m.key)
        waiting.sort(key=lambda m: (not m.meeting.required, -m.meeting.weight, m.ident))
        return planned + waiting

    def repair(
        self,
        order: Sequence[LiveMeeting],
        *,
        move_up: bool,
        unstuck: LiveMeeting | None = None,
        late: Sequence[LiveMeeting] = (),
    ) -> Repair:
        """Today's plan with the office's changes (see the module docstring): with
        ``move_up``, each planned meeting, in order, moves to the earliest fit before
        its slot (the slots of the meetings after it stay reserved, so the order of
        the day stays); ``late`` meetings (a party is late for them) move to where
        they can start now, if that is before the next meeting of their parties, else
        keep their slot; ``unstuck``, a meeting that can no longer start in time, goes
        to its earliest fit from now (at its length, then shorter, down to its
        ``min_duration``),
        else a later day; the meetings waiting for a place go into the first gap
        left, as early as they fit. Any other planned meeting keeps its slot: a late
        start is absorbed by shortening as under the shorten policy, which a plan at
        nominal lengths with buffers would only make worse."""
        scenario = self.replay.scenario
        bookings = {p: list(b) for p, b in self.bookings.items()}
        rooms = {v: list(r) for v, r in self.rooms.items()}
        reserved: dict[str, Booking] = {
            m.ident: Booking(m.key[0], m.key[0] + m.meeting.duration, m.venue)
            for m in order
            if m.state is State.PLANNED and m is not unstuck
        }
        placed: list[Placed] = []
        required = weight = short = 0
        later = tuple(d.index for d in scenario.days if d.index > self.today)
        today = (self.today,)
        for live in order:
            meeting = live.meeting
            current = reserved.pop(live.ident, None)
            # shorter lengths, longest first: as the planner may (Meeting.lengths)
            shorter = [
                replace(meeting, duration=length)
                for length in meeting.lengths(scenario.grain)
                if length < meeting.duration
            ]
            attempts: list[tuple[Meeting, tuple[int, ...]]] = []
            spot: Placed | None
            if current is not None and live in late:  # where it can start now, if in turn
                spot = Placed(meeting.id, live.day, current.start, live.venue)
                mine, venue_use = self._with(meeting, bookings, rooms, reserved, order)
                turn = min(
                    self._next_reserved(meeting, reserved, order),
                    self._next_fixed(meeting, current.start),
                )
                for candidate in (meeting, *shorter):
                    slot = self._fit(live, candidate, self.soon, today, mine, venue_use)
                    if slot is not None and slot.start < turn:
                        if candidate is not meeting:
                            spot = replace(slot, short=True, length=candidate.duration)
                        else:
                            spot = slot
                        break
            elif current is not None:  # a planned meeting: it stays, or moves up
                spot = Placed(meeting.id, live.day, current.start, live.venue)
                if move_up:
                    mine, venue_use = self._with(meeting, bookings, rooms, reserved, order)
                    slot = self._fit(live, meeting, self.soon, today, mine, venue_use)
                    if slot is not None and slot.start < current.start:
                        spot = slot
            else:
                spot = None
                attempts = [(meeting, today), *((s, today) for s in shorter), (meeting, later)]
            for candidate, days in attempts:
                if days is later and spot is not None:
                    break  # today wins
                if not days:
                    continue
                mine, venue_use = self._with(meeting, bookings, rooms, reserved, order)
                slot = self._fit(live, candidate, self.soon, days, mine, venue_use)
                if slot is not None and (spot is None or slot.start < spot.start):
                    # as early as it fits: shortened, if that is earlier than longer
                    short = candidate is not meeting
                    spot = replace(slot, short=short, length=candidate.duration if short else 0)
            if spot is None:
                continue
            length = spot.length if spot.short else meeting.duration
            placed.append(spot)
            rooms.setdefault(spot.venue, []).append((spot.start, spot.start + length))
            for party_id in meeting.parties:
                bookings[party_id].append(Booking(spot.start, spot.start + length, spot.venue))
            required += meeting.required
            weight += meeting.weight
            short += spot.short
        return Repair(tuple(placed), required, weight, short)

    def _next_fixed(self, meeting: Meeting, after: int) -> int:
        """The start of the first fixed engagement of the meeting's parties (a programme
        event, a meeting of another day) from ``after`` on."""
        starts = [
            b.start
            for p in meeting.parties
            for b in self.bookings.get(p, ())
            if b.engaged and b.start >= after
        ]
        return min(starts, default=1 << 40)

    @staticmethod
    def _next_reserved(
        meeting: Meeting, reserved: dict[str, Booking], order: Sequence[LiveMeeting]
    ) -> int:
        """The start of the next reserved meeting that shares a party with ``meeting``."""
        parties = set(meeting.parties)
        starts = [
            reserved[m.ident].start
            for m in order
            if m.ident in reserved and parties.intersection(m.meeting.parties)
        ]
        return min(starts, default=1 << 40)

    @staticmethod
    def _with(
        meeting: Meeting,
        bookings: dict[str, list[Booking]],
        rooms: dict[str, list[tuple[int, int]]],
        reserved: dict[str, Booking],
        order: Sequence[LiveMeeting],
    ) -> tuple[dict[str, list[Booking]], dict[str, list[tuple[int, int]]]]:
        """The bookings and rooms with the reserved slots of the meetings still to place."""
        mine = {p: list(bookings.get(p, ())) for p in meeting.parties}
        venue_use = {v: list(r) for v, r in rooms.items()}
        for other in order:
            slot = reserved.get(other.ident)
            if slot is None:
                continue
            venue_use.setdefault(slot.venue, []).append((slot.start, slot.end))
            for party_id in other.meeting.parties:
                if party_id in mine:
                    mine[party_id].append(slot)
        return mine, venue_use

    def _fit(
        self,
        live: LiveMeeting,
        meeting: Meeting,
        earliest: int,
        days: Sequence[int],
        bookings: dict[str, list[Booking]],
        rooms: dict[str, list[tuple[int, int]]],
    ) -> Placed | None:
        scenario = self.replay.scenario
        # Where it is planned first: a meeting that can stay at its venue does.
        tries = [meeting]
        if live.state is State.PLANNED and meeting.pinned_venue is None:
            tries.insert(0, replace(meeting, pinned_venue=live.venue))
        for candidate in tries:
            slot = first_fit(
                scenario, candidate, earliest, bookings, rooms, self.presence,
                continuous=True, days=days,
            )  # fmt: skip
            if slot is not None:
                return Placed(meeting.id, slot.day, slot.start, slot.venue)
        return None


def _today(scenario: Scenario, now: int) -> int:
    """The day of ``now``; between two days (at night), the next one."""
    for day in scenario.days:
        if now < day.window.end:
            return day.index
    return scenario.days[-1].index


def _programme_times(replay: ReplayControl) -> dict[str, Interval]:
    """When each programme event not started yet will be held: at its time, or, held up by
    an overrun, now at the earliest and after the events before it that share an
    attendee (plus the ride), as the replay will start it."""
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
    return moved


def _ask_planner(
    replay: ReplayControl,
    planner: Planner,
    board: Board,
    scope: Sequence[LiveMeeting],
    repair: Repair,
) -> Repair | None:
    """The planner's answer for today's scope as a repair, or None when it found no plan."""
    scenario, previous = today_scenario(replay, board, scope)
    if not scenario.meetings:
        return repair
    schedule = planner(scenario, previous)
    if schedule.status in (SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN):
        return None
    by_id = scenario.meeting_by_id
    placed = tuple(
        Placed(a.meeting, a.day, a.start, a.venue)
        for a in schedule.assignments
        if a.meeting in by_id
    )
    held = [replay.meetings[p.meeting].meeting for p in placed]
    return Repair(placed, sum(m.required for m in held), sum(m.weight for m in held), 0)


def today_scenario(
    replay: ReplayControl, board: Board, scope: Sequence[LiveMeeting]
) -> tuple[Scenario, Schedule]:
    """Today's scope as a scenario for the planner, and its current plan as the previous
    schedule: the parties of the scope, their fixed bookings as fixed events (the
    present as ``now:<party>``, from the start of its current run of engagements, so
    the continuous limit counts it), windows clipped to the rest of today, the
    per-day limits lowered by the meetings held today, required meetings of the plan
    pinned where they are. Every meeting stays
    optional: the repair already tells which required ones fit, and the planner is
    asked only to do better."""
    scenario, now, soon = replay.scenario, replay.now, board.soon
    day = scenario.days[board.today]
    involved = sorted({p for m in scope for p in m.meeting.parties})
    parties: list[Party] = []
    events: list[FixedEvent] = []
    gap = scenario.rules.min_break
    for party_id in involved:
        party = scenario.party_by_id[party_id]
        held = 0
        busy_from, busy_until, venue = now, now, None
        for b in sorted(board.bookings[party_id], key=lambda b: b.start):
            if b.is_meeting and day.window.contains(b.start, b.end) and b.start <= now:
                held += 1
        for b in board.bookings[party_id]:
            if not b.engaged and not b.is_meeting:  # the position: where and until when
                busy_until, venue = max(busy_until, b.end), b.venue
        for b in sorted(board.bookings[party_id], key=lambda b: -b.end):
            if b.engaged and b.start < busy_from and b.end > busy_from - gap and b.end <= now:
                busy_from = b.start  # the run of engagements the party is in
        limit = party.max_meetings_per_day
        if limit is None:
            limit = scenario.rules.max_meetings_per_day
        if limit is not None:
            party = replace(party, max_meetings_per_day=max(0, limit - held))
        parties.append(replace(party, presence=board.presence[party_id]))
        if venue is not None:
            events.append(
                FixedEvent(
                    f"now:{party_id}",
                    f"where {party_id} is now",
                    EventKind.OTHER,
                    Interval(min(busy_from, now), busy_until),
                    venue,
                    (party_id,),
                )
            )
    here = {e.attendees[0]: (e.venue, e.time.end) for e in events}
    moved = _programme_times(replay)
    for live in replay.events.values():
        if live.start is not None:
            continue
        when = moved[live.ident]
        attendees = tuple(
            a
            for a in live.event.attendees
            if a in involved
            and (
                a not in here
                or here[a][1] + scenario.travel_time(here[a][0], live.venue) <= when.start
            )
        )  # one that will be late for it is left out: the replay takes care of that
        if attendees and when.end > now:
            events.append(replace(live.event, time=when, attendees=attendees))
    window_end = day.window.end
    big = 1 + sum(m.meeting.weight for m in scope if not m.meeting.required)
    meetings: list[Meeting] = []
    for pending in scope:
        request = _still_possible(pending.meeting, soon, window_end)
        start = pending.key[0]
        if (
            request is not None
            and request.required
            and pending.state is State.PLANNED
            and start >= soon
            and any(w.start <= start and start + request.duration <= w.end for w in request.windows)
        ):
            # A required meeting keeps its slot: the planner is asked to hold more,
            # not to move what must be held to a riskier place.
            request = replace(request, pinned_start=start, pinned_venue=pending.venue)
        if request is not None:
            weight = big if request.required else request.weight
            meetings.append(
                replace(request, required=False, weight=weight, after=(), before=(), same_day_as=())
            )
    rest = replace(
        scenario,
        parties=tuple(parties),
        fixed_events=tuple(events),
        meetings=tuple(meetings),
        uncertainty=Uncertainty(),
    )
    kept = {m.id for m in meetings}
    plan = tuple(
        _assignment(m)
        for m in scope
        if m.state is State.PLANNED and m.ident in kept and m.day == board.today
    )
    previous = replace(
        replay.stage.schedule, assignments=plan, unscheduled=(), objectives=(), changes=(), notes=()
    )
    return rest, previous


def adopt_repair(
    replay: ReplayControl,
    scope: Sequence[LiveMeeting],
    repair: Repair,
    unstuck: LiveMeeting | None = None,
) -> int:
    """Make ``repair`` the plan of the scope's meetings; the number of changes."""
    placed = {p.meeting: p for p in repair.placed}
    ends: dict[str, int] = {}  # party -> the end of its last meeting in the new plan
    for one in repair.placed:
        end = one.start + replay.meetings[one.meeting].meeting.duration
        for party_id in replay.meetings[one.meeting].meeting.parties:
            ends[party_id] = max(ends.get(party_id, end), end)
    changes = 0
    for meeting in scope:
        spot = placed.get(meeting.ident)
        if spot is None:
            if meeting.state is not State.PLANNED or meeting is unstuck:
                continue  # the caller falls back to the shorten policy for it
            # Not dropped: a plan at nominal lengths is cautious (the buffers are slack,
            # meetings may run short), so the meeting stays, after the others, and is
            # held if the day allows, as under the shorten policy.
            last = max((ends.get(p, 0) for p in meeting.meeting.parties), default=0)
            if meeting.not_before >= last:
                continue
            spot = Placed(meeting.ident, meeting.day, last, meeting.venue)
        current = (meeting.day, meeting.key[0], meeting.venue)
        if meeting.state is not State.PLANNED or current != (spot.day, spot.start, spot.venue):
            changes += 1
            replay.log(meeting.ident, f"re-planned to minute {spot.start} at {spot.venue}")
            meeting.place(spot.day, spot.start, spot.venue)
            meeting.reason = ""
            replay.add_to_agendas(meeting)
        replay.release(meeting)  # whoever waits here looks at the new plan
    for party in replay.parties.values():
        party.sort_agenda()
    return changes


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
