"""The state of a summit while it is being replayed: meetings, programme events, parties.

These records change as the replay runs (they are the one place in the simulator
that is not frozen); ``sim.simulate.replay`` owns them and the policies read them. Each
party has an *agenda*: its open engagements sorted by a key shared by everyone,
``(minute, 0 for a programme event / 1 for a meeting, id)``. Because the key is
global, two parties never disagree on which of their common meetings comes
first, so right-shifting never deadlocks, as long as a party waits only for the
first open item of its agenda: when a meeting is put in front of the one a party
waits for (a same-day request), the replay calls it away (``LiveParty.waiting``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sim.model import FixedEvent, Meeting, Party, Scenario
from sim.schedule import Assignment, Schedule
from sim.simulate.outcome import MeetingResult

Key = tuple[int, int, str]


class State(Enum):
    """Where a meeting request stands, one value at a time.

    REQUESTED, PLANNED and DROPPED are *pending* (it may still be held): asked for
    and in no plan yet, in the current plan, or taken out of the plan (a re-plan
    may bring it back). RUNNING, then HELD; or NOT_HELD once given up (cancelled,
    a walkout, a withdrawal, no time left)."""

    REQUESTED = "requested"
    PLANNED = "planned"
    DROPPED = "dropped"
    RUNNING = "running"
    HELD = "held"
    NOT_HELD = "not held"

    @property
    def pending(self) -> bool:
        return self in PENDING


PENDING = frozenset({State.REQUESTED, State.PLANNED, State.DROPPED})


@dataclass(frozen=True)
class Obstacle:
    """Why a meeting cannot start in time: it could happen after ``until`` (the end of a
    programme event plus the ride back, or of an unavailable period), or, with
    ``until`` None, not at all (the day or a party's stay runs out)."""

    label: str
    until: int | None = None


class LiveEvent:
    """A programme event as it happens."""

    __slots__ = ("day", "done", "end", "event", "ident", "key", "preds", "start", "venue")

    is_meeting = False

    def __init__(self, event: FixedEvent, day: int, done: Any) -> None:
        self.event = event
        self.ident = event.id
        self.venue = event.venue
        self.day = day
        self.key: Key = (event.time.start, 0, event.id)
        self.preds: tuple[LiveEvent, ...] = ()
        self.start: int | None = None
        self.end: int | None = None
        self.done = done  # a simpy Event that succeeds when the event ends

    @property
    def started(self) -> bool:
        return self.start is not None

    @property
    def ended(self) -> bool:
        return self.end is not None


class LiveMeeting:
    """A meeting request as it happens: planned or not, then held or not (``state``)."""

    __slots__ = (
        "added",
        "cut",
        "cut_for",
        "day",
        "end",
        "ends_at",
        "ident",
        "key",
        "meeting",
        "not_before",
        "planned",
        "present",
        "reason",
        "release",
        "start",
        "state",
        "venue",
        "wait_from",
        "wake_at",
    )

    is_meeting = True

    def __init__(self, meeting: Meeting, release: Any, added: bool = False) -> None:
        self.meeting = meeting
        self.ident = meeting.id
        self.added = added
        self.state = State.REQUESTED
        self.planned: Assignment | None = None  # in the schedule the replay started from
        self.day = 0
        self.venue = ""
        self.key: Key = (0, 1, meeting.id)
        self.not_before = 0
        self.present: list[str] = []
        self.release = release  # succeeds when the parties waiting here may leave
        self.start: int | None = None
        self.end: int | None = None
        self.ends_at: int | None = None  # while it runs: when it is due to end
        self.reason = ""
        self.cut = 0
        # the programme event a principal had to leave it for, or "departure:PARTY" when
        # a party's departure ended it
        self.cut_for = ""
        self.wait_from: int | None = None
        self.wake_at: int | None = None

    def place(self, day: int, start: int, venue: str) -> None:
        """(Re)plan the meeting at ``start`` on ``day`` at ``venue``."""
        self.state = State.PLANNED
        self.day, self.venue, self.not_before = day, venue, start
        self.key = (start, 1, self.ident)
        self.wait_from = None

    @property
    def is_open(self) -> bool:
        """Still to happen in the current plan (or happening now)."""
        return self.state is State.PLANNED or self.state is State.RUNNING


class LiveParty:
    __slots__ = (
        "agenda",
        "appeared",
        "arrival",
        "base",
        "busy_until",
        "departure",
        "heading",
        "ident",
        "location",
        "news",
        "party",
        "waiting",
        "withdrawn",
    )

    def __init__(self, party: Party, arrival: int) -> None:
        self.party = party
        self.ident = party.id
        self.base = party.base
        self.arrival = arrival
        self.departure = party.presence.end
        self.location: str | None = None
        # A party without a base turns up where it is first expected; the minute it did.
        self.appeared: int | None = None
        self.heading: str | None = None  # the venue it is riding to, if on the road
        self.agenda: list[LiveEvent | LiveMeeting] = []
        self.withdrawn = False
        self.news: Any = None  # a simpy Event while the party waits for something to do
        self.busy_until = arrival  # when the current engagement or leg is expected to end
        self.waiting: LiveMeeting | None = None  # the meeting it is at, until it ends or leaves

    def sort_agenda(self) -> None:
        self.agenda.sort(key=lambda item: item.key)

    def first_open(self) -> LiveEvent | LiveMeeting | None:
        """The first engagement still to come in its agenda: a meeting in the current
        plan (or running) or a programme event not over."""
        for item in self.agenda:
            if item.is_open if isinstance(item, LiveMeeting) else item.end is None:
                return item
        return None


def meeting_result(meeting: LiveMeeting, came: set[str]) -> MeetingResult:
    """What became of a meeting, for the outcome; ``came``: the parties that arrived."""
    added, weight = meeting.added, meeting.meeting.weight
    if meeting.state is State.HELD:
        return MeetingResult(
            meeting.ident, True, meeting.start, meeting.end, meeting.venue,
            cut=meeting.cut, cut_for=meeting.cut_for, added=added, weight=weight,
        )  # fmt: skip
    reason = meeting.reason
    if meeting.state is State.REQUESTED:
        reason = reason or "not in the schedule"
    elif meeting.state is State.DROPPED:
        reason = reason or "dropped"
    elif meeting.state is State.PLANNED:
        missing = [p for p in meeting.meeting.parties if p not in came]
        reason = f"{', '.join(missing)} never came" if missing else "never reached"
    return MeetingResult(meeting.ident, False, reason=reason, added=added, weight=weight)


def day_ends(
    attended: Iterable[tuple[str, LiveEvent]],
    meetings: Iterable[LiveMeeting],
    *,
    planned_only: bool = False,
) -> dict[tuple[str, int], int]:
    """When each party's last engagement of each day ended: the programme events it
    attended and the meetings it held (``planned_only``: only the meetings of the
    schedule the replay started from, wherever they were held)."""
    ends: dict[tuple[str, int], int] = {}
    for party, event in attended:
        if event.end is not None:
            ends[(party, event.day)] = max(ends.get((party, event.day), 0), event.end)
    for meeting in meetings:
        if planned_only and meeting.planned is None:
            continue
        if meeting.state is State.HELD and meeting.end is not None:
            for party in meeting.meeting.parties:
                key = (party, meeting.day)
                ends[key] = max(ends.get(key, 0), meeting.end)
    return ends


@dataclass(frozen=True)
class Stage:
    """What does not change between replications of one (scenario, schedule)."""

    scenario: Scenario
    schedule: Schedule
    plan: dict[str, Assignment]
    event_day: dict[str, int]
    preds: dict[str, tuple[str, ...]]
    day_limit: tuple[int, ...]

    @staticmethod
    def of(scenario: Scenario, schedule: Schedule) -> Stage:
        known = scenario.meeting_by_id
        plan = {a.meeting: a for a in schedule.assignments if a.meeting in known}
        event_day: dict[str, int] = {}
        for event in scenario.fixed_events:
            day = scenario.day_of(event.time.start)
            event_day[event.id] = day.index if day is not None else -1
        return Stage(
            scenario,
            schedule,
            plan,
            event_day,
            _predecessors(scenario, event_day),
            tuple(_day_limit(scenario, d.index) for d in scenario.days),
        )


def _day_limit(scenario: Scenario, index: int) -> int:
    """The latest a meeting may end on a day: its window's end, or the latest end rule."""
    day = scenario.days[index]
    limit = day.window.end
    if scenario.rules.latest_end is not None:
        limit = min(limit, scenario.at_clock(day, scenario.rules.latest_end))
    return limit


def _predecessors(scenario: Scenario, event_day: dict[str, int]) -> dict[str, tuple[str, ...]]:
    """For each programme event, the events just before it that share an attendee on the
    same day: an overrun there makes it start late."""
    events = sorted(scenario.fixed_events, key=lambda e: (e.time.start, e.id))
    last: dict[tuple[str, int], FixedEvent] = {}
    preds: dict[str, tuple[str, ...]] = {}
    for event in events:
        day = event_day[event.id]
        before = {last[(a, day)].id for a in event.attendees if (a, day) in last}
        preds[event.id] = tuple(sorted(before))
        for attendee in event.attendees:
            last[(attendee, day)] = event
    return preds
