"""Reaction policies: what the protocol office does when the day does not go to plan.

A policy is consulted by the replay (``sim.simulate.replay``) at its decisions and holds
no state of its own (the same policy object serves every replication):

* ``as-planned``: keep the order; start each meeting as soon as it can
  (right-shift); a meeting that cannot finish before a party's next programme
  event waits until after it; one that cannot finish before the day ends is
  not held. Same-day requests go into the first gap (``sim.simulate.quick_fit``).
* ``shorten``: as planned, but a meeting that would make someone late for their
  next engagement is cut, never below its ``min_duration``; a meeting may
  start as long as its ``min_duration`` still fits.
* ``drop``: as planned, but whenever a party's day would overflow its window,
  the lowest-weight optional meeting left that day is dropped.
* ``replan``: at each disruption (a cancellation, a walkout, a request, a late
  arrival, an engagement that ends too late for someone's next meeting, a
  meeting that can no longer start in time) the rest of the summit is re-planned
  by the planner it is given (``sim.simulate.replanning``); when re-planning fails, it acts
  as planned.

Under every policy the principal's fixed programme comes first
(``Policy.programme_first``): the replay cuts a meeting that would make a
principal late for a programme event when the principal must leave.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.model import Interval, Meeting
from sim.schedule import Planner
from sim.simulate.control import ReplayControl
from sim.simulate.quick_fit import Booking, first_fit
from sim.simulate.replanning import replan_now
from sim.simulate.state import LiveEvent, LiveMeeting, LiveParty, Obstacle, State
from sim.times import ceil_to_grain

POLICY_NAMES = ("as-planned", "shorten", "drop", "replan")


class Policy:
    """As planned: keep the order, start each meeting as soon as it can (right-shift)."""

    name = "as-planned"
    arrival_notice: int | None = None  # minutes late that a policy wants to be told about
    # The principal's fixed programme comes first: a meeting that would make a principal
    # late for a programme event is cut when the principal must leave (never below 1
    # minute), whatever else the policy does. False: the meeting runs its course.
    programme_first = True

    def start_length(self, meeting: Meeting) -> int:
        """The length that must still fit for the meeting to start."""
        return meeting.duration

    def length(self, replay: ReplayControl, meeting: LiveMeeting, drawn: int) -> int:
        """How long a meeting that starts now runs."""
        return drawn

    def blocked(self, replay: ReplayControl, meeting: LiveMeeting, why: Obstacle) -> None:
        """The meeting can no longer start in time: wait until after the obstacle (a
        programme event, an unavailable period), or give up (the day is over)."""
        if why.until is not None:
            replay.defer(meeting, why)
        else:
            replay.give_up(meeting, why.label)

    def after(self, replay: ReplayControl, parties: Sequence[str]) -> None:
        """These parties just became free (arrived, or an engagement ended)."""

    def disrupted(self, replay: ReplayControl, what: str) -> None:
        """Something happened that the plan did not foresee."""

    def requested(self, replay: ReplayControl, meeting: LiveMeeting) -> None:
        """A meeting was asked for on the day: put it in the first gap."""
        fit_request(replay, meeting)


class Shorten(Policy):
    """Cut late meetings down to their minimum length to keep the rest on time."""

    name = "shorten"

    def start_length(self, meeting: Meeting) -> int:
        return meeting.min_duration

    def length(self, replay: ReplayControl, meeting: LiveMeeting, drawn: int) -> int:
        on_time = replay_on_time_end(replay, meeting) - replay.now
        return min(drawn, max(meeting.meeting.min_duration, on_time))


class Drop(Policy):
    """Drop the lowest-weight optional meeting of a day that would overflow."""

    name = "drop"

    def after(self, replay: ReplayControl, parties: Sequence[str]) -> None:
        for party_id in parties:
            party = replay.parties[party_id]
            while overflows(replay, party):
                today = [
                    m
                    for m in party.agenda
                    if isinstance(m, LiveMeeting)
                    and m.state is State.PLANNED
                    and not m.meeting.required
                    and m.day == _today(party)
                ]
                if not today:
                    break
                victim = min(today, key=lambda m: (m.meeting.weight, -m.key[0], m.ident))
                replay.give_up(victim, f"dropped: the day of {party_id} would overflow")


class Replan(Shorten):
    """Shorten, and re-plan the affected day at each material disruption
    (``sim.simulate.replanning``): a quick repair first, the planner when it loses
    something."""

    name = "replan"

    def length(self, replay: ReplayControl, meeting: LiveMeeting, drawn: int) -> int:
        """Cut as shorten does, but only when running on would cost something: a
        programme event, a day that no longer fits, a counterpart who leaves today."""
        cut = super().length(replay, meeting, drawn)
        if cut >= drawn or _cut_needed(replay, meeting, replay.now + drawn, 2 * self.tolerance):
            return cut
        return drawn

    def __init__(self, planner: Planner | None, tolerance: int = 10) -> None:
        self.planner = planner
        self.tolerance = tolerance  # minutes late that right-shifting absorbs without a re-plan
        self.arrival_notice = tolerance

    def blocked(self, replay: ReplayControl, meeting: LiveMeeting, why: Obstacle) -> None:
        key = meeting.key
        why_now = f"{meeting.ident} cannot start in time"
        if not replan_now(replay, self.planner, why_now, unstuck=meeting) or (
            meeting.state is State.PLANNED and meeting.key == key
        ):
            super().blocked(replay, meeting, why)  # no better place: wait, as shorten does

    def after(self, replay: ReplayControl, parties: Sequence[str]) -> None:
        late = [p for p in parties if self._late_for_next(replay, replay.parties[p])]
        if late:
            nexts = [self._next_meeting(replay.parties[p]) for p in late]
            replan_now(
                replay,
                self.planner,
                f"{', '.join(late)} late for the next meeting",
                late=[m for m in nexts if m is not None],
            )

    @staticmethod
    def _next_meeting(party: LiveParty) -> LiveMeeting | None:
        return next(
            (m for m in party.agenda if isinstance(m, LiveMeeting) and m.state is State.PLANNED),
            None,
        )

    def disrupted(self, replay: ReplayControl, what: str) -> None:
        self._replan(replay, what)

    def requested(self, replay: ReplayControl, meeting: LiveMeeting) -> None:
        replan_now(replay, self.planner, f"{meeting.ident} asked for", claim=False, fresh=meeting)

    def _late_for_next(self, replay: ReplayControl, party: LiveParty) -> bool:
        now = replay.now
        for item in party.agenda:
            if isinstance(item, LiveMeeting) and item.state is State.PLANNED:
                here = party.location or item.venue
                arrive = now + replay.scenario.travel_time(here, item.venue)
                return arrive > item.not_before + self.tolerance
        return False

    def _replan(self, replay: ReplayControl, why: str) -> bool:
        # One re-plan per instant: several disruptions at the same minute share it,
        # and a meeting the new plan still cannot start falls back to shorten.
        return replan_now(replay, self.planner, why)


def make_policy(name: str, planner: Planner | None = None, tolerance: int = 10) -> Policy:
    """The policy called ``name``; ``tolerance`` is the lateness (minutes) the replan
    policy absorbs by right-shifting before it re-plans."""
    if name == "as-planned":
        return Policy()
    if name == "shorten":
        return Shorten()
    if name == "drop":
        return Drop()
    if name == "replan":
        if planner is None:
            raise ValueError("The replan policy needs a planner")
        return Replan(planner, tolerance)
    raise ValueError(f"Unknown policy {name!r}; choose from {', '.join(POLICY_NAMES)}")


# --- what the policies look at ---------------------------------------------------------


def replay_on_time_end(replay: ReplayControl, meeting: LiveMeeting) -> int:
    """The latest the meeting may end with every party still on time for its next
    engagement (and within the day and the parties' stays)."""
    scenario = replay.scenario
    bound, _ = replay.deadline(meeting)
    for party_id in meeting.meeting.parties:
        for item in replay.parties[party_id].agenda:
            if item is meeting or item.key <= meeting.key:
                continue
            if isinstance(item, LiveMeeting) and not item.is_open:
                continue
            if isinstance(item, LiveEvent) and item.end is not None:
                continue
            start = item.not_before if isinstance(item, LiveMeeting) else item.event.time.start
            bound = min(bound, start - scenario.travel_time(meeting.venue, item.venue))
            break
    return bound


def _today(party: LiveParty) -> int:
    for item in party.agenda:
        if isinstance(item, LiveEvent) and item.end is None:
            return item.day
        if isinstance(item, LiveMeeting) and item.is_open:
            return item.day
    return -1


def _cut_needed(replay: ReplayControl, meeting: LiveMeeting, end: int, late: int) -> bool:
    """Whether a meeting that runs until ``end`` costs something: a party's next engagement
    is a programme event it would be late for, its day would overflow, or the next
    meeting's counterpart leaves the summit that day (it may walk out while waiting);
    and always when it would run past the latest it may end (the day's end, a party
    leaving the summit, an unavailable period)."""
    scenario = replay.scenario
    if end > replay.deadline(meeting)[0]:
        return True
    for party_id in meeting.meeting.parties:
        party = replay.parties[party_id]
        for item in party.agenda:
            if item is meeting or item.key <= meeting.key:
                continue
            if isinstance(item, LiveMeeting):
                if not item.is_open:
                    continue
                ride = scenario.travel_time(meeting.venue, item.venue)
                if end + ride > item.not_before + late:
                    return True
                if end + ride > item.not_before:
                    nxt = (
                        scenario.days[item.day + 1].window.start
                        if item.day + 1 < len(scenario.days)
                        else scenario.days[-1].window.end
                    )
                    if any(replay.parties[p].departure < nxt for p in item.meeting.parties):
                        return True
            elif item.end is None:
                ride = scenario.travel_time(meeting.venue, item.venue)
                if end + ride > item.event.time.start:
                    return True
            break
        if overflows(replay, party, running_end=end):
            return True
    return False


def overflows(replay: ReplayControl, party: LiveParty, running_end: int | None = None) -> bool:
    """Whether the party's remaining day, laid out from now at nominal lengths and ride
    times (meetings in order, each moved past a programme event it cannot finish
    before), runs past its window: the day's end, its stay, the ride home.
    ``running_end``: when its running meeting ends (default: its planned length)."""
    scenario, now = replay.scenario, replay.now
    today = _today(party)
    if today < 0:
        return False
    clock, where = max(now, party.busy_until), party.location
    waiting: list[LiveMeeting] = []

    def ride(origin: str | None, venue: str | None) -> int:
        return 0 if origin is None or venue is None else scenario.travel_time(origin, venue)

    def place(limit: int, venue: str | None, home_by: int | None = None) -> None:
        """Lay out the waiting meetings that end by ``limit`` with time to ride to
        ``venue`` (or, at the end of the day, home by ``home_by``)."""
        nonlocal clock, where, waiting
        carried = []
        for m in waiting:
            start = max(clock + ride(where, m.venue), m.not_before)
            end = start + m.meeting.duration
            if home_by is None:
                fits = end + ride(m.venue, venue) <= limit
            else:
                fits = end <= limit and end + ride(m.venue, venue) <= home_by
            if fits:
                clock, where = end, m.venue
            else:
                carried.append(m)
        waiting = carried

    for item in party.agenda:
        if item.day != today:
            continue
        if isinstance(item, LiveMeeting):
            if item.state is State.RUNNING and item.start is not None:
                end = item.start + item.meeting.duration if running_end is None else running_end
                clock, where = max(clock, end), item.venue
            elif item.is_open:
                waiting.append(item)
            continue
        if item.end is not None:
            continue
        place(item.event.time.start, item.venue)
        begins = item.start if item.start is not None else item.event.time.start
        clock = max(clock + ride(where, item.venue), begins + item.event.time.length)
        where = item.venue
    window_end = scenario.days[today].window.end
    place(
        min(replay.stage.day_limit[today], party.departure),
        party.base,
        min(window_end, party.departure),
    )
    return bool(waiting)


def fit_request(replay: ReplayControl, meeting: LiveMeeting) -> None:
    """Put a meeting asked for on the day into the first gap of the current plan."""
    scenario, now = replay.scenario, replay.now
    bookings: dict[str, list[Booking]] = {}
    presence: dict[str, Interval] = {}
    for party_id in meeting.meeting.parties:
        party = replay.parties.get(party_id)
        if party is None or party.withdrawn:
            return
        own = [_booking(replay, item) for item in party.agenda if _booked(item)]
        where = party.heading or party.location  # on the road: where it will be
        if where is not None and now >= party.arrival:
            own.append(Booking(now, max(now, party.busy_until), where, False, False, False))
        bookings[party_id] = own
        stay, leaves = party.party.presence, party.departure  # earlier if it leaves early
        presence[party_id] = Interval(min(max(stay.start, party.arrival), leaves), leaves)
    rooms: dict[str, list[tuple[int, int]]] = {}
    for other in replay.meetings.values():
        if other.is_open:
            booked = _booking(replay, other)
            rooms.setdefault(other.venue, []).append((booked.start, booked.end))
    earliest = ceil_to_grain(now, scenario.grain)
    slot = first_fit(scenario, meeting.meeting, earliest, bookings, rooms, presence)
    if slot is None:
        replay.log(meeting.ident, "no gap found")
        return
    meeting.place(slot.day, slot.start, slot.venue)
    replay.log(meeting.ident, f"fitted at minute {slot.start} at {slot.venue}")
    replay.add_to_agendas(meeting)


def _booked(item: LiveEvent | LiveMeeting) -> bool:
    return item.is_open if isinstance(item, LiveMeeting) else item.end is None


def _booking(replay: ReplayControl, item: LiveEvent | LiveMeeting) -> Booking:
    if isinstance(item, LiveEvent):
        time = item.event.time
        return Booking(time.start, time.end, item.venue, False)
    if item.state is State.RUNNING and item.start is not None:
        end = max(item.start + item.meeting.duration, replay.now)
        return Booking(item.start, end, item.venue)
    return Booking(item.key[0], item.key[0] + item.meeting.duration, item.venue)
