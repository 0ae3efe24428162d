"""The SimPy replay of a summit: one replication, one reaction policy.

Every party is a process that walks its agenda: it rides to the venue of its
next engagement (the nominal motorcade time times the drawn factor), attends,
and moves on. Programme events are processes too: each starts at its time, or
later when an event before it (sharing an attendee) ran over, whoever is
there, and lasts its length plus the drawn overrun; the agendas pull the
attendees in. A bilateral starts at the first moment when all its parties are
at its venue, a room there is free and its planned time has come (never
earlier: protocol), and lasts its drawn length (the policy may cut it).

A bilateral never starts if, at its planned length, it could not end before
one of its parties must leave for a programme event (``deadline``); it then
waits until after that event (right-shift), or is not held when the day or a
party's stay runs out first. The protocol buffer is slack: it absorbs
overruns and is not spent. A running meeting is not interrupted, except that
the principal's fixed programme comes first (``Policy.programme_first``): a
meeting that would make a principal late for a programme event ends when the
principal must leave for it.

The policy (``sim.simulate.policies``) is consulted at the decisions: how long a
meeting may run, what to do with one that cannot start in time, what to do
when an engagement ends, a meeting is cancelled, moved or asked for, a party
leaves early (scripted what-ifs: ``_schedule_scripted``). Everything
random comes from ``Draws`` (drawn before the replay starts), so policies and
schedules are compared on the same luck.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Mapping
from dataclasses import replace
from typing import Any

import simpy

from sim.model import Meeting, Scenario, ScriptedKind
from sim.schedule import Assignment, Schedule
from sim.simulate.disruptions import Draws, home_leg
from sim.simulate.outcome import Outcome, Span, SpanKind, party_results
from sim.simulate.policies import Policy
from sim.simulate.state import (
    LiveEvent,
    LiveMeeting,
    LiveParty,
    Obstacle,
    Stage,
    State,
    day_ends,
    meeting_result,
)


def as_planned(meeting: Meeting, assignment: Assignment | None) -> Meeting:
    """The meeting at the length its plan gives it: a plan may hold it shorter than its
    ``duration`` (down to ``min_duration``, docs/planning-rules.md), and the replay,
    its policies and re-planning then read that planned length as its own."""
    if assignment is None:
        return meeting
    length = assignment.end - assignment.start
    if meeting.min_duration <= length < meeting.duration:
        return replace(meeting, duration=length)
    return meeting


class Replay:
    """One replication. Build it, ``run()`` it once, read the ``Outcome``.

    Policies act on it only through ``sim.simulate.control.ReplayControl``: the
    read-only properties and the verbs (``defer``, ``give_up``, ``release``,
    ``unschedule``, ``add_to_agendas``, ``claim_replan``, ``record_replan``)."""

    def __init__(
        self,
        stage: Stage,
        draws: Draws,
        policy: Policy,
        *,
        record: bool = False,
        trace: bool = False,
    ) -> None:
        self._stage = stage
        self._scenario: Scenario = stage.scenario
        self._draws = draws
        self._policy = policy
        self._env = simpy.Environment()
        self._record = record
        self._spans: list[Span] = []
        self._trace: list[tuple[int, str, str]] | None = [] if trace else None
        self._primary_delay = 0
        self._late: list[tuple[str, str, int]] = []
        self._attended: list[tuple[str, LiveEvent]] = []
        self._rooms_free = {v.id: v.rooms for v in self._scenario.venues}
        self._room_queue: dict[str, list[LiveMeeting]] = {v.id: [] for v in self._scenario.venues}
        self._replans = 0
        self._replan_failures = 0
        self._replan_seconds: list[float] = []
        self._last_replan_at: int | None = None
        self._build()

    # --- what policies may read (sim.simulate.control.ReplayControl) ----------------

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def stage(self) -> Stage:
        return self._stage

    @property
    def parties(self) -> Mapping[str, LiveParty]:
        return self._parties

    @property
    def meetings(self) -> Mapping[str, LiveMeeting]:
        return self._meetings

    @property
    def events(self) -> Mapping[str, LiveEvent]:
        return self._events

    def claim_replan(self) -> bool:
        if self._last_replan_at == self.now:
            return False
        self._last_replan_at = self.now
        return True

    def record_replan(self, seconds: float, *, failed: bool) -> None:
        self._replan_seconds.append(seconds)
        self._replans += 1
        if failed:
            self._replan_failures += 1

    # --- set-up --------------------------------------------------------------------

    def _build(self) -> None:
        scenario, env, draws = self._scenario, self._env, self._draws
        self._events: dict[str, LiveEvent] = {
            e.id: LiveEvent(e, self._stage.event_day[e.id], env.event())
            for e in scenario.fixed_events
        }
        for live_event in self._events.values():
            live_event.preds = tuple(self._events[p] for p in self._stage.preds[live_event.ident])
        self._meetings: dict[str, LiveMeeting] = {}
        for meeting in scenario.meetings:
            assignment = self._stage.plan.get(meeting.id)
            live = LiveMeeting(as_planned(meeting, assignment), env.event())
            if assignment is not None:
                live.planned = assignment
                live.place(assignment.day, assignment.start, assignment.venue)
            self._meetings[meeting.id] = live
        self._parties: dict[str, LiveParty] = {
            p.id: LiveParty(p, p.presence.start + draws.arrival_delay.get(p.id, 0))
            for p in scenario.parties
        }
        for live_event in self._events.values():
            for attendee in live_event.event.attendees:
                self._parties[attendee].agenda.append(live_event)
        for live in self._meetings.values():
            if live.state is State.PLANNED:
                for party_id in live.meeting.parties:
                    self._parties[party_id].agenda.append(live)
        self._walks: dict[str, Any] = {}
        for party in self._parties.values():
            party.sort_agenda()
            self._primary_delay += max(0, party.arrival - party.party.presence.start)
            self._walks[party.ident] = env.process(self._walk(party))
            notice = self._policy.arrival_notice
            if notice is not None and party.arrival > party.party.presence.start + notice:
                self._at(party.party.presence.start, self._late_arrival_known, party, notice)
        for live_event in self._events.values():
            env.process(self._programme(live_event))
        self._schedule_cancellations()
        self._schedule_scripted()
        for addition in draws.additions:
            self._at(addition.at, self._request, addition.meeting)

    def _schedule_cancellations(self) -> None:
        for meeting_id, fraction in sorted(self._draws.cancel_notice.items()):
            assignment = self._stage.plan.get(meeting_id)
            if assignment is None:
                continue  # not in the schedule: nothing to cancel
            opens = self._scenario.days[assignment.day].window.start
            notice = opens + int(fraction * max(0, assignment.start - opens))
            self._at(notice, self._cancel_meeting, meeting_id, "cancelled on the day")

    def _schedule_scripted(self) -> None:
        for event in self._draws.scripted:
            at = event.at if event.at is not None else 0
            if event.kind is ScriptedKind.CANCEL_MEETING and event.meeting is not None:
                self._at(at, self._cancel_meeting, event.meeting, "cancelled (scripted)")
            elif event.kind is ScriptedKind.CANCEL_PARTY and event.party is not None:
                self._at(at, self._withdraw, event.party)
            elif event.kind is ScriptedKind.REQUEST_MEETING and event.request is not None:
                self._at(at, self._request, event.request, event.start)
            elif event.kind is ScriptedKind.LEAVE_EARLY and event.party and event.at is not None:
                # Unless told otherwise, the office knows from the opening of that day.
                known = event.announced
                if known is None:
                    known = self._opening(event.at)
                self._at(known, self._leave_early, event.party, event.at)
            elif event.kind is ScriptedKind.MOVE_MEETING and event.meeting and event.to is not None:
                known = event.at
                if known is None:  # the opening of the day it was to happen, or of its new day
                    planned = self._stage.plan.get(event.meeting)
                    first = event.to if planned is None else min(event.to, planned.start)
                    known = self._opening(first)
                self._at(known, self._move, event.meeting, event.to)

    def _opening(self, minute: int) -> int:
        """When the working window opens on the day of ``minute`` (the last day opening at
        or before it: at night, the day just ended)."""
        opens = [d.window.start for d in self._scenario.days if d.window.start <= minute]
        return opens[-1] if opens else min(minute, self._scenario.days[0].window.start)

    def _at(self, minute: int, action: Any, *args: Any) -> None:
        """Call ``action(*args)`` at ``minute`` (now if that has passed)."""
        timer = self._env.timeout(max(0, minute - self.now))
        timer.callbacks.append(lambda _event: action(*args))

    @property
    def now(self) -> int:
        """The simulated minute (the replay only ever waits whole minutes). Read from the
        environment's clock directly: this is the hottest line of a replay."""
        return self._env._now  # type: ignore[return-value]

    # --- logging -------------------------------------------------------------------

    def log(self, who: str, what: str) -> None:
        if self._trace is not None:
            self._trace.append((self.now, who, what))

    def _span(self, party: str, kind: SpanKind, ident: str, venue: str, start: int) -> None:
        if self._record and self.now > start:
            self._spans.append(Span(party, kind, ident, venue, start, self.now))

    # --- parties ---------------------------------------------------------------------
    # The party process yields; the bookkeeping around each wait lives in plain methods
    # (a sub-generator per ride or attendance would cost more than the work itself).

    def _walk(self, party: LiveParty) -> Generator[Any, Any, None]:
        env = self._env
        if party.arrival > self.now:
            yield env.timeout(party.arrival - self.now)
        self.log(party.ident, "arrives")
        self._policy.after(self, (party.ident,))
        day, home = -1, False
        while not party.withdrawn and self.now < party.departure:
            item = self._next_item(party)
            if item is None:  # nothing (more) to do: go home and wait for news
                if day >= 0 and not home:
                    yield from self._go_home(party, day)
                    home = True
                    continue  # something may have been asked for on the way
                party.news = env.event()
                yield party.news
                party.news = None
                continue
            if item.day != day:
                if day >= 0 and not home:
                    yield from self._go_home(party, day)
                day, home = item.day, False
                opens = max(self._scenario.days[day].window.start, party.arrival)
                if self.now < opens:
                    yield env.timeout(opens - self.now)
                party.location = party.base
                continue  # the agenda may have changed overnight
            home = False
            if (
                party.location is not None
                and party.location != item.venue
                and party.appeared != self.now
            ):
                start = self.now
                minutes = self._leave(party, item.venue, item.ident)
                if minutes:
                    yield env.timeout(minutes)
                self._reach(party, item.ident, start)
                continue  # the agenda may have changed on the way
            if party.location != item.venue:
                # No base: it turns up where it is expected; and if that engagement moved
                # before it spent a minute there, at the next one instead (no ride from a
                # place it never was).
                party.appeared = self.now
            party.location = venue = item.venue
            arrived = self.now
            if isinstance(item, LiveMeeting):
                with contextlib.suppress(simpy.Interrupt):  # called away: ``_call_away``
                    yield self._join(party, item)
                party.waiting = None
                if self._record:  # where it waited: a re-plan may move the meeting since
                    self._record_meeting(party, item, venue, arrived)
            else:
                yield self._turn_up(party, item)
                self._leave_event(party, item, arrived)
        if not party.withdrawn and party.arrival < party.departure:
            self._gone(party)

    def _gone(self, party: LiveParty) -> None:
        """The party has left the summit: what it had still to attend will not happen with it
        (it may have set off for a meeting too late to be there before it left)."""
        for item in list(party.agenda):
            if isinstance(item, LiveMeeting) and item.state is State.PLANNED:
                self.give_up(item, f"{party.ident} leaves the summit before it could end")

    def _next_item(self, party: LiveParty) -> LiveEvent | LiveMeeting | None:
        agenda = party.agenda
        while agenda:
            item = agenda[0]
            if isinstance(item, LiveMeeting):
                if item.is_open:
                    return item
            elif item.end is None:
                return item
            else:
                self._late.append((party.ident, item.ident, -1))
                self.log(party.ident, f"misses {item.ident}")
            agenda.pop(0)
        return None

    def _leave(self, party: LiveParty, venue: str, ident: str) -> int:
        """Set off for ``venue``; the minutes the ride takes."""
        assert party.location is not None
        nominal = self._scenario.travel_time(party.location, venue)
        minutes = round(nominal * self._draws.travel.get((party.ident, ident), 1.0))
        self._primary_delay += max(0, minutes - nominal)
        party.busy_until = self.now + minutes
        party.heading = venue
        self.log(party.ident, f"leaves {party.location} for {venue}")
        return minutes

    def _reach(self, party: LiveParty, ident: str, start: int) -> None:
        venue = party.heading
        assert venue is not None
        party.location, party.heading = venue, None
        self.log(party.ident, f"reaches {venue}")
        self._span(party.ident, SpanKind.TRAVEL, ident, venue, start)

    def _go_home(self, party: LiveParty, day: int) -> Generator[Any, Any, None]:
        if party.base is None:
            party.location = None
            return
        if party.location is not None and party.location != party.base:
            start = self.now
            minutes = self._leave(party, party.base, home_leg(day))
            if minutes:
                yield self._env.timeout(minutes)
            self._reach(party, home_leg(day), start)
        party.location = party.base

    def _turn_up(self, party: LiveParty, event: LiveEvent) -> Any:
        """Arrive at a programme event; the simpy Event of its end."""
        now = self.now
        if event.start is not None and now > event.start:
            self._late.append((party.ident, event.ident, now - event.start))
            self.log(party.ident, f"late for {event.ident}")
        party.busy_until = max(now, event.event.time.end)
        return event.done

    def _leave_event(self, party: LiveParty, event: LiveEvent, arrived: int) -> None:
        if event in party.agenda:  # else taken off it while the party waited (leave_early)
            party.agenda.remove(event)
        self._attended.append((party.ident, event))
        if self._record:
            assert event.start is not None
            self._span(
                party.ident, SpanKind.EVENT, event.ident, event.venue, max(arrived, event.start)
            )
        self._policy.after(self, (party.ident,))

    def _join(self, party: LiveParty, meeting: LiveMeeting) -> Any:
        """Arrive for a meeting; the simpy Event that lets the party go again."""
        release = meeting.release
        meeting.present.append(party.ident)
        party.waiting = meeting
        self.log(party.ident, f"waits for {meeting.ident}")
        self.check(meeting)
        if party.waiting is not meeting:  # called away by what that look set off
            return self._env.timeout(0)
        return release

    def _record_meeting(
        self, party: LiveParty, meeting: LiveMeeting, venue: str, arrived: int
    ) -> None:
        now = self.now
        start = meeting.start if meeting.state is State.HELD else None
        if start is not None and meeting.end == now:
            if start > arrived:
                self._spans.append(
                    Span(party.ident, SpanKind.WAIT, meeting.ident, meeting.venue, arrived, start)
                )
            self._spans.append(
                Span(party.ident, SpanKind.MEETING, meeting.ident, meeting.venue, start, now)
            )
        else:
            self._span(party.ident, SpanKind.WAIT, meeting.ident, venue, arrived)

    # --- programme events ------------------------------------------------------------

    def _programme(self, event: LiveEvent) -> Generator[Any, Any, None]:
        env, planned = self._env, event.event.time
        if planned.start > env.now:
            yield env.timeout(planned.start - env.now)
        start = planned.start
        for pred in event.preds:
            if pred.end is None:
                yield pred.done
            assert pred.end is not None
            gap = max(0, planned.start - pred.event.time.end)
            travel = self._scenario.travel_time(pred.venue, event.venue)
            start = max(start, pred.end + min(travel, gap))
        if start > env.now:
            yield env.timeout(start - env.now)
        event.start = self.now
        self.log(event.ident, "starts")
        overrun = self._draws.overrun.get(event.ident, 0)
        self._primary_delay += max(0, overrun)
        yield env.timeout(max(1, planned.length + overrun))
        event.end = self.now
        self.log(event.ident, "ends")
        event.done.succeed()

    # --- meetings --------------------------------------------------------------------

    def deadline(self, meeting: LiveMeeting) -> tuple[int, Obstacle]:
        """The latest the meeting may end, and what stands there: a party's next programme
        event (it must leave in time to ride there) or unavailable period, the end of
        the day, a party leaving the summit."""
        scenario, now = self._scenario, self.now
        bound = self._stage.day_limit[meeting.day]
        why = Obstacle(f"no time left on day {meeting.day + 1}")
        for party_id in meeting.meeting.parties:
            party = self._parties[party_id]
            leave = party.departure
            if party.base is not None:
                leave -= scenario.travel_time(meeting.venue, party.base)
            if leave < bound:
                bound, why = leave, Obstacle(f"{party_id} leaves the summit before it could end")
            for period in party.party.unavailable:
                if period.end > now and period.start < bound:
                    bound, why = period.start, Obstacle(f"{party_id} unavailable", period.end)
            for item in party.agenda:
                if item.is_meeting or item.key <= meeting.key or item.end is not None:
                    continue
                if item.day == meeting.day:
                    assert isinstance(item, LiveEvent)
                    must = item.event.time.start - scenario.travel_time(meeting.venue, item.venue)
                    if must < bound:
                        back = scenario.travel_time(item.venue, meeting.venue)
                        bound, why = must, Obstacle(item.ident, item.event.time.end + back)
                break
        return bound, why

    def check(self, meeting: LiveMeeting) -> None:
        """Start the meeting if it can start now; else arrange to look again."""
        if meeting.state is not State.PLANNED or not meeting.present:
            return
        now = self.now
        if now < meeting.not_before:
            self._wake(meeting, meeting.not_before)
            return
        if meeting.wait_from is None:
            meeting.wait_from = now
        bound, why = self.deadline(meeting)
        latest_start = bound - self._policy.start_length(meeting.meeting)
        if now > latest_start:
            self._policy.blocked(self, meeting, why)
            return
        walkout = self._walkout_at(meeting)
        if walkout is not None and now >= walkout:
            self.give_up(meeting, f"walkout after waiting over {self._draws.walkout_wait} min")
            self._policy.disrupted(self, "walkout")
            return
        if len(meeting.present) == len(meeting.meeting.parties):
            if self._rooms_free[meeting.venue] > 0:
                self._start(meeting)
                return
            queue = self._room_queue[meeting.venue]
            if meeting not in queue:
                queue.append(meeting)
                queue.sort(key=lambda m: m.key)
        wake = latest_start + 1
        if walkout is not None:
            wake = min(wake, walkout)
        self._wake(meeting, wake)

    def _walkout_at(self, meeting: LiveMeeting) -> int | None:
        """When a waiting party gives up on the meeting, if it will. Only a party that
        leaves the summit that day walks out (calibration.md: "a counterpart with a
        fixed departure"), and only in replications that drew a walkout for it."""
        wait = self._draws.walkout_wait
        if wait is None or meeting.ident not in self._draws.walkout or meeting.wait_from is None:
            return None
        days = self._scenario.days
        next_day = (
            days[meeting.day + 1].window.start
            if meeting.day + 1 < len(days)
            else (days[-1].window.end)
        )
        if all(self._parties[p].departure >= next_day for p in meeting.present):
            return None
        return meeting.wait_from + wait

    def _wake(self, meeting: LiveMeeting, at: int) -> None:
        now = self.now
        if meeting.wake_at is not None and now <= meeting.wake_at <= at:
            return  # an earlier look is already due; it will arrange the next
        meeting.wake_at = at

        def look(_event: Any) -> None:
            if meeting.wake_at == at:
                meeting.wake_at = None
            self.check(meeting)

        self._env.timeout(at - now).callbacks.append(look)

    def _start(self, meeting: LiveMeeting) -> None:
        now = self.now
        meeting.state = State.RUNNING
        meeting.start = now
        self._rooms_free[meeting.venue] -= 1
        queue = self._room_queue[meeting.venue]
        if meeting in queue:
            queue.remove(meeting)
        drawn = self._draws.length.get(meeting.ident, meeting.meeting.duration)
        asked = self._scenario.meeting_by_id.get(meeting.ident)
        if asked is not None and asked.duration != meeting.meeting.duration:
            # planned shorter than asked: the drawn overrun (or early end), in minutes,
            # applies to the planned length
            drawn = max(1, drawn - asked.duration + meeting.meeting.duration)
        length = max(1, self._policy.length(self, meeting, drawn))
        call = self._programme_call(meeting) if self._policy.programme_first else None
        self.log(meeting.ident, f"starts at {meeting.venue}")
        if call is not None and now + drawn > call[0] and now + length >= call[0]:
            must, principal, event = call
            length = max(1, must - now)
            meeting.cut_for = event
            self.log(meeting.ident, f"cut to {length} min: {principal} must leave for {event}")
        # A delegation leaves the summit when it is due to (its flight does not wait):
        # a meeting still running then ends with it, as it would on the day; unchecked,
        # an overrun ran on past the departures and the summit's close and was counted
        # held in full.
        leaving = min(meeting.meeting.parties, key=lambda p: self._parties[p].departure)
        leave_at = self._parties[leaving].departure
        if now < leave_at < now + length:
            length = leave_at - now
            meeting.cut_for = f"departure:{leaving}"
            self.log(meeting.ident, f"cut to {length} min: {leaving} leaves the summit")
        meeting.cut = max(0, drawn - length)
        meeting.ends_at = now + length
        for party_id in meeting.meeting.parties:  # as far as anyone knows: the planned length
            self._parties[party_id].busy_until = now + meeting.meeting.duration
        self._env.timeout(length).callbacks.append(lambda _event: self._end(meeting))

    def _cut_short(self, meeting: LiveMeeting, party_id: str) -> None:
        """A party of the running meeting leaves the summit now (an early departure
        announced while it ran): the meeting ends with it."""
        if meeting.state is not State.RUNNING or meeting.ends_at is None:
            return
        if self.now < meeting.ends_at:
            meeting.cut += meeting.ends_at - self.now
            meeting.cut_for = f"departure:{party_id}"
            self.log(meeting.ident, f"cut short: {party_id} leaves the summit")
            self._end(meeting)

    def _programme_call(self, meeting: LiveMeeting) -> tuple[int, str, str] | None:
        """When a principal of the meeting must leave it, at the latest, for its next
        programme event of the day (the event's planned start less the nominal ride):
        (minute, principal, event), the earliest over the meeting's principals."""
        scenario, call = self._scenario, None
        for party_id in meeting.meeting.parties:
            party = self._parties[party_id]
            if not party.party.principal:
                continue
            for item in party.agenda:
                if item.is_meeting or item.key <= meeting.key or item.end is not None:
                    continue
                if item.day == meeting.day:
                    assert isinstance(item, LiveEvent)
                    ride = scenario.travel_time(meeting.venue, item.venue)
                    must = item.event.time.start - ride
                    if call is None or must < call[0]:
                        call = (must, party_id, item.ident)
                break
        return call

    def _end(self, meeting: LiveMeeting) -> None:
        if meeting.state is not State.RUNNING:
            return  # already cut short (``_cut_short``): its due end passes unnoticed
        now = self.now
        assert meeting.start is not None
        meeting.state = State.HELD
        meeting.ends_at = None
        meeting.end = now
        self._primary_delay += max(0, now - meeting.start - meeting.meeting.duration)
        self._rooms_free[meeting.venue] += 1
        self.log(meeting.ident, "ends")
        self._policy.after(self, meeting.meeting.parties)
        meeting.release.succeed()
        self._serve_room(meeting.venue)

    def _serve_room(self, venue: str) -> None:
        for waiting in list(self._room_queue[venue]):
            if self._rooms_free[venue] <= 0:
                break
            self.check(waiting)

    def release(self, meeting: LiveMeeting) -> None:
        """Let the parties waiting for a meeting go (it will not start now)."""
        if meeting.present:
            meeting.present = []
            meeting.release.succeed()
            meeting.release = self._env.event()
        queue = self._room_queue.get(meeting.venue, [])
        if meeting in queue:
            queue.remove(meeting)

    def defer(self, meeting: LiveMeeting, obstacle: Obstacle) -> None:
        """Right-shift past an obstacle: the meeting comes after it in every agenda."""
        assert obstacle.until is not None
        after = obstacle.until
        meeting.key = (after, 1, meeting.ident)
        meeting.not_before = max(meeting.not_before, after)
        meeting.wait_from = None
        self.log(meeting.ident, f"deferred after {obstacle.label}")
        for party_id in meeting.meeting.parties:
            self._parties[party_id].sort_agenda()
        self.release(meeting)

    def give_up(self, meeting: LiveMeeting, reason: str) -> None:
        """The meeting will not be held."""
        if not meeting.state.pending:
            return
        meeting.state = State.NOT_HELD
        meeting.reason = reason
        self.log(meeting.ident, f"not held: {reason}")
        self.release(meeting)

    def unschedule(self, meeting: LiveMeeting, reason: str) -> None:
        """Take a meeting out of the current plan (a re-plan may bring it back)."""
        meeting.state = State.DROPPED
        meeting.reason = reason
        self.release(meeting)

    # --- disruptions -----------------------------------------------------------------

    def _cancel_meeting(self, meeting_id: str, reason: str) -> None:
        meeting = self._meetings.get(meeting_id)
        if meeting is None or not meeting.state.pending:
            return
        self.give_up(meeting, reason)
        self._policy.disrupted(self, "cancellation")

    def _withdraw(self, party_id: str) -> None:
        party = self._parties[party_id]
        party.withdrawn = True
        self.log(party_id, "withdraws")
        for meeting in self._meetings.values():
            if party_id in meeting.meeting.parties and meeting.state.pending:
                self.give_up(meeting, f"{party_id} withdrew")
        self._policy.disrupted(self, "withdrawal")

    def _late_arrival_known(self, party: LiveParty, notice: int) -> None:
        """The party is known to land late; tell the policy if that upsets the plan."""
        self.log(party.ident, f"lands late, at minute {party.arrival}")
        if any(
            isinstance(item, LiveMeeting)
            and item.is_open
            and item.not_before < party.arrival + notice
            for item in party.agenda
        ):
            self._policy.disrupted(self, f"{party.ident} lands late")

    def _request(self, meeting: Meeting, start: int | None = None) -> None:
        """A meeting asked for on the day; ``start``: when the office wants it. The policy
        is asked to place it there (as if pinned) and, when it cannot, as any request."""
        if meeting.id in self._meetings:
            return
        live = LiveMeeting(meeting, self._env.event(), added=True)
        live.reason = "asked for on the day; no time found"
        self._meetings[meeting.id] = live
        self.log(meeting.id, "requested")
        if start is not None:
            self.log(meeting.id, f"wanted at minute {start}")
            live.meeting = replace(meeting, pinned_start=start)
            self._policy.requested(self, live)
            live.meeting = meeting  # the pin was the wish, not a rule for later re-plans
            if live.state is not State.REQUESTED:
                return
        self._policy.requested(self, live)

    def _leave_early(self, party_id: str, departure: int) -> None:
        """The party is now known to leave at ``departure``. Its meetings that can no
        longer be held before it leaves (even at their shortest, with the ride to its
        base) are taken out of the plan: lost, unless the policy re-plans them earlier
        (the replan policy's repair sees the new departure as the end of its stay).
        A meeting running now ends at the departure if it would run past it."""
        party = self._parties.get(party_id)
        if party is None or party.withdrawn or departure >= party.departure:
            return
        party.departure = departure
        self.log(party_id, f"leaves early, at minute {departure}")
        # Gone before they end, it is not at the programme events still to come: they
        # are off its agenda (not missed, as for a party that withdraws).
        party.agenda = [
            item
            for item in party.agenda
            if isinstance(item, LiveMeeting)
            or item.start is not None
            or item.event.time.end <= departure
        ]
        for meeting in self._meetings.values():
            if meeting.state is not State.PLANNED or party_id not in meeting.meeting.parties:
                continue
            leave = departure
            if party.base is not None:
                leave -= self._scenario.travel_time(meeting.venue, party.base)
            if meeting.key[0] + meeting.meeting.min_duration > leave:
                self.unschedule(meeting, f"{party_id} leaves the summit early")
                self.log(meeting.ident, f"out of the plan: {party_id} leaves early")
        for meeting in self._meetings.values():
            if meeting.state is State.RUNNING and party_id in meeting.meeting.parties:
                self._at(departure, self._cut_short, meeting, party_id)
        self._at(departure, self._nudge, party)
        self._policy.disrupted(self, f"{party_id} leaves early")

    def _nudge(self, party: LiveParty) -> None:
        """Wake a party that waits for something to do (its stay may be over)."""
        if party.news is not None and not party.news.triggered:
            party.news.succeed()

    def _move(self, meeting_id: str, to: int) -> None:
        """The meeting is moved to start at ``to``, at its venue (a meeting that was not
        in the plan: its pinned venue, else its first). It then starts there as any
        planned meeting: when its parties are free (a clash waits, like a late start)."""
        live = self._meetings.get(meeting_id)
        day = self._scenario.day_of(to)
        if live is None or not live.state.pending or day is None:
            return
        venue = live.venue or live.meeting.pinned_venue or live.meeting.venues[0]
        self.release(live)  # whoever waits for it at its old time looks again
        live.place(day.index, to, venue)
        live.reason = ""
        self.log(meeting_id, f"moved to minute {to} at {venue}")
        self.add_to_agendas(live)
        self._policy.disrupted(self, f"{meeting_id} moved")

    def add_to_agendas(self, meeting: LiveMeeting) -> None:
        for party_id in meeting.meeting.parties:
            party = self._parties[party_id]
            if meeting not in party.agenda:
                party.agenda.append(meeting)
            party.sort_agenda()
            if party.news is not None and not party.news.triggered:
                party.news.succeed()
            self._call_away(party)

    def _call_away(self, party: LiveParty) -> None:
        """A party waits only for the first open item of its agenda. When something now
        comes before the meeting it waits for (a meeting asked for on the day), it
        stops waiting and goes to that: otherwise two parties could each wait at a
        different one of their two common meetings, and lose both."""
        waiting = party.waiting
        if (
            waiting is None
            or waiting.state is not State.PLANNED
            or party.ident not in waiting.present
            or party.first_open() is waiting
        ):
            return
        waiting.present.remove(party.ident)
        queue = self._room_queue.get(waiting.venue, [])
        if waiting in queue:
            queue.remove(waiting)
        self.log(party.ident, f"stops waiting for {waiting.ident}")
        party.waiting = None
        walk = self._walks[party.ident]
        if walk is not self._env.active_process:  # else it is in ``_join``, which sees it
            walk.interrupt()

    # --- the result ------------------------------------------------------------------

    def run(self) -> Outcome:
        self._env.run()  # until nothing is left to happen
        arrived = {p.ident for p in self._parties.values() if p.arrival < p.departure}
        results = tuple(
            meeting_result(m, arrived)
            for m in sorted(self._meetings.values(), key=lambda m: m.ident)
        )
        for party in self._parties.values():  # what a party never got to: it left, or never came
            if not party.withdrawn:
                self._late.extend(
                    (party.ident, item.ident, -1)
                    for item in party.agenda
                    if isinstance(item, LiveEvent)
                )
        late = {p.ident: p.arrival - p.party.presence.start for p in self._parties.values()}
        return Outcome(
            replication=self._draws.replication,
            policy=self._policy.name,
            meetings=results,
            day_end=day_ends(self._attended, self._meetings.values()),
            plan_day_end=day_ends(self._attended, self._meetings.values(), planned_only=True),
            parties=party_results(list(self._parties), late, self._late),
            primary_delay=self._primary_delay,
            late=tuple(self._late),
            replans=self._replans,
            replan_failures=self._replan_failures,
            replan_seconds=tuple(self._replan_seconds),
            timeline=tuple(sorted(self._spans, key=lambda s: (s.party, s.start, s.kind))),
            trace=tuple(self._trace or ()),
        )


def replay(
    scenario: Scenario,
    schedule: Schedule,
    draws: Draws,
    policy: Policy,
    *,
    record: bool = False,
    trace: bool = False,
) -> Outcome:
    """Replay one replication of ``schedule`` under ``policy`` with ``draws``."""
    return Replay(Stage.of(scenario, schedule), draws, policy, record=record, trace=trace).run()
