"""The domain of a summit: who is there, where, when, and what they want.

Every record is a frozen dataclass. Times are integer minutes from the
scenario *epoch* (midnight, local time, of the first summit day); time zones
and calendar dates live only at the edges (loading and export). Nothing here
knows about YAML, CP-SAT or SimPy: the loader builds these records, the
planner, the checker and the simulator read them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


class Rank(StrEnum):
    """Protocol rank of a party; the order of the members is the default precedence."""

    HEAD_OF_STATE = "head_of_state"
    HEAD_OF_GOVERNMENT = "head_of_government"
    HEAD_OF_ORGANISATION = "head_of_organisation"
    OTHER = "other"

    @property
    def precedence(self) -> int:
        """0 for the most senior rank; smaller comes first."""
        return list(Rank).index(self)


class MeetingFormat(StrEnum):
    TALKS = "talks"
    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"

    @property
    def is_meal(self) -> bool:
        return self is not MeetingFormat.TALKS


class Status(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"


class EventKind(StrEnum):
    PLENARY = "plenary"
    CEREMONY = "ceremony"
    MEAL = "meal"
    RECEPTION = "reception"
    PRESS = "press"
    CULTURAL = "cultural"
    OTHER = "other"


class PrecedenceMode(StrEnum):
    NONE = "none"
    RANK = "rank"
    ORDER = "order"


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of time [start, end) in minutes from the epoch."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"Interval ends before it starts: {self.start}..{self.end}")

    @property
    def length(self) -> int:
        return self.end - self.start

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end

    def overlaps(self, start: int, end: int) -> bool:
        return start < self.end and self.start < end


@dataclass(frozen=True)
class Day:
    index: int
    date: dt.date
    window: Interval


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    rooms: int


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    title: str
    rank: Rank
    languages: tuple[str, ...]
    presence: Interval
    unavailable: tuple[Interval, ...] = ()
    max_meetings_per_day: int | None = None
    base: str | None = None
    principal: bool = False


@dataclass(frozen=True)
class FixedEvent:
    """A programme item with a fixed time and place that its attendees must attend."""

    id: str
    name: str
    kind: EventKind
    time: Interval
    venue: str
    attendees: tuple[str, ...]
    everyone: bool = False


@dataclass(frozen=True)
class Meeting:
    """A requested bilateral (or trilateral, ...) meeting."""

    id: str
    parties: tuple[str, ...]
    duration: int
    min_duration: int
    required: bool
    weight: int
    venues: tuple[str, ...]
    windows: tuple[Interval, ...] = ()
    preferred: tuple[Interval, ...] = ()
    format: MeetingFormat = MeetingFormat.TALKS
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    same_day_as: tuple[str, ...] = ()
    pinned_start: int | None = None
    pinned_venue: str | None = None
    status: Status = Status.CONFIRMED
    title: str = ""
    headline: bool = False

    def lengths(self, grain: int) -> tuple[int, ...]:
        """The lengths the meeting may be held at, longest first: its ``duration``, its
        ``min_duration``, and every multiple of the grain between them
        (docs/planning-rules.md, ``duration``). The planner and the replay's
        re-planning use this; the checker reads the rule itself (it shares no code
        with the planner)."""
        between = range(-(-self.min_duration // grain) * grain, self.duration, grain)
        return tuple(sorted({self.duration, self.min_duration, *between}, reverse=True))


@dataclass(frozen=True)
class Precedence:
    """Order of precedence among a principal's counterparts on one day."""

    mode: PrecedenceMode = PrecedenceMode.NONE
    order: tuple[str, ...] = ()
    hard: bool = False


@dataclass(frozen=True)
class MealWindows:
    """Time of day (minutes after local midnight) when each meal format may take place."""

    breakfast: Interval = Interval(7 * 60, 10 * 60)
    lunch: Interval = Interval(12 * 60, 15 * 60)
    dinner: Interval = Interval(18 * 60, 22 * 60 + 30)

    def for_format(self, fmt: MeetingFormat) -> Interval | None:
        if fmt is MeetingFormat.BREAKFAST:
            return self.breakfast
        if fmt is MeetingFormat.LUNCH:
            return self.lunch
        if fmt is MeetingFormat.DINNER:
            return self.dinner
        return None


# The objective tiers a scenario may list under ``rules.objectives``, and the default
# order (docs/planning-rules.md, "Objectives"). ``compact_days`` is not in the default.
DEFAULT_OBJECTIVES = (
    "unheld_weight",
    "shortening",
    "safety",
    "preferences",
    "travel",
    "min_slack",
    "weighted_slack",
)
OBJECTIVE_TIERS = (*DEFAULT_OBJECTIVES, "compact_days")
# ... and the tiers of a re-plan against a published schedule: every tier name
TIER_NAMES = (*OBJECTIVE_TIERS, "changes", "displacement")


@dataclass(frozen=True)
class Rules:
    """Protocol rules. Times of day are minutes after local midnight.

    ``objectives`` is the order of the objective tiers (most important first);
    ``fairness``, when set, bounds every party's gaps (see ``compact_days``) by the
    fewest gaps any party has plus ``fairness``; ``reserve_quantile`` sizes the reserve
    an important meeting keeps before a programme event (the ``safety`` tier: the
    overrun its length distribution stays under with this probability)."""

    buffer: int = 10
    max_meetings_per_day: int | None = None
    max_continuous: int | None = None
    min_break: int = 15
    precedence: Precedence = Precedence()
    latest_end: int | None = None
    prefer_end_by: int | None = None
    meal_windows: MealWindows = MealWindows()
    objectives: tuple[str, ...] = DEFAULT_OBJECTIVES
    fairness: int | None = None
    reserve_quantile: float = 0.9


# --- uncertainty -----------------------------------------------------------------


class DistributionKind(StrEnum):
    FIXED = "fixed"
    UNIFORM = "uniform"
    NORMAL = "normal"
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    MIXTURE = "mixture"


@dataclass(frozen=True)
class Distribution:
    """A named distribution with parameters; ``components`` only for mixtures.

    Parameters by kind: fixed(value); uniform(low, high); normal(mean, sd);
    exponential(mean); lognormal(median, sigma); mixture(components with weights).
    ``shift`` is added to every draw and ``cap`` bounds it from above.
    """

    kind: DistributionKind
    params: tuple[tuple[str, float], ...] = ()
    components: tuple[tuple[float, Distribution], ...] = ()
    shift: float = 0.0
    cap: float | None = None

    def param(self, name: str) -> float:
        return dict(self.params)[name]

    @staticmethod
    def fixed(value: float) -> Distribution:
        return Distribution(DistributionKind.FIXED, (("value", value),))


class ScriptedKind(StrEnum):
    CANCEL_PARTY = "cancel_party"
    CANCEL_MEETING = "cancel_meeting"
    REQUEST_MEETING = "request_meeting"
    OVERRUN = "overrun"
    DELAY_ARRIVAL = "delay_arrival"
    EVENT_OVERRUN = "event_overrun"
    LEAVE_EARLY = "leave_early"
    MOVE_MEETING = "move_meeting"


@dataclass(frozen=True)
class ScriptedEvent:
    """A what-if event that happens exactly as written in every replication.

    The fields mirror the scenario file (docs/scenario-format.md, "Scripted events"):
    ``at`` is when a cancellation or a request happens, the new departure of a
    ``leave_early`` (``announced``: when the office learns of it; None, from the
    opening of that day), and when a ``move_meeting`` is announced (None: from the
    opening of the day of the earlier of its planned and its new start); ``to`` is a
    moved meeting's new start; ``start`` the start the office wants for a requested
    meeting (None: wherever the policy fits it). ``overrun``, ``delay_arrival`` and
    ``event_overrun`` are about one meeting, party or programme event and have no time.
    """

    kind: ScriptedKind
    at: int | None = None
    party: str | None = None
    meeting: str | None = None
    minutes: int = 0
    request: Meeting | None = None
    fixed_event: str | None = None  # the programme event of an ``event_overrun``
    to: int | None = None
    start: int | None = None
    announced: int | None = None


# Frozen, so safe to share as defaults: "no disruption".
NO_FACTOR = Distribution.fixed(1.0)
NO_DELAY = Distribution.fixed(0.0)


@dataclass(frozen=True)
class Uncertainty:
    """Disruption models for the simulator (multipliers are unitless, others minutes)."""

    meeting_duration_factor: Distribution = NO_FACTOR
    headline_duration_factor: Distribution | None = None
    arrival_delay: Distribution = NO_DELAY
    travel_factor: Distribution = NO_FACTOR
    fixed_event_overrun: Distribution = NO_DELAY
    cancellation_probability: float = 0.0
    additions_per_planned: float = 0.0
    walkout_wait: int | None = None
    walkout_probability: float = 0.0
    scripted: tuple[ScriptedEvent, ...] = ()


# --- the scenario ---------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A validated summit. ``epoch`` is local midnight of the first day, held in UTC
    so that adding minutes to it is real elapsed time across a DST change."""

    id: str
    name: str
    timezone: str
    grain: int
    epoch: dt.datetime
    days: tuple[Day, ...]
    venues: tuple[Venue, ...]
    travel: Mapping[tuple[str, str], int]
    parties: tuple[Party, ...]
    fixed_events: tuple[FixedEvent, ...]
    meetings: tuple[Meeting, ...]
    rules: Rules = Rules()
    uncertainty: Uncertainty = Uncertainty()
    description: str = ""
    source_sha256: str = field(default="", compare=False)

    # Look-ups are cached: records are frozen, so the indexes never go stale.
    @cached_property
    def party_by_id(self) -> Mapping[str, Party]:
        return {p.id: p for p in self.parties}

    @cached_property
    def venue_by_id(self) -> Mapping[str, Venue]:
        return {v.id: v for v in self.venues}

    @cached_property
    def meeting_by_id(self) -> Mapping[str, Meeting]:
        return {m.id: m for m in self.meetings}

    @cached_property
    def event_by_id(self) -> Mapping[str, FixedEvent]:
        return {e.id: e for e in self.fixed_events}

    # Names for people to read (reports, tables, explanations); an id the scenario does
    # not know (a schedule written for another version of it) is shown as it is.
    def party_name(self, party_id: str) -> str:
        party = self.party_by_id.get(party_id)
        return party.name if party is not None else party_id

    def party_names(self, party_ids: Iterable[str]) -> str:
        """``Vladimir Putin – Xi Jinping``: a meeting's parties, as its name reads."""
        return " – ".join(self.party_name(p) for p in party_ids)

    def venue_name(self, venue_id: str) -> str:
        venue = self.venue_by_id.get(venue_id)
        return venue.name if venue is not None else venue_id

    def meeting_name(self, meeting_id: str) -> str:
        """The meeting's title, else its parties' names: "Vladimir Putin – Xi Jinping",
        with the id after them when another untitled request has the same parties
        (two meetings of one pair must not read alike)."""
        meeting = self.meeting_by_id.get(meeting_id)
        if meeting is None:
            return meeting_id
        if meeting.title:
            return meeting.title
        names = self.party_names(meeting.parties)
        if self._untitled_pairs[frozenset(meeting.parties)] > 1:
            return f"{names} ({meeting.id})"
        return names

    @cached_property
    def _untitled_pairs(self) -> Mapping[frozenset[str], int]:
        return Counter(frozenset(m.parties) for m in self.meetings if not m.title)

    def left_out_of(self, event: FixedEvent) -> tuple[str, ...]:
        """The parties at the summit for the whole of an ``attendees: all`` event that
        do not attend it (its ``except`` list); empty for a listed event."""
        if not event.everyone:
            return ()
        return tuple(
            p.id
            for p in self.parties
            if p.presence.contains(event.time.start, event.time.end) and p.id not in event.attendees
        )

    @property
    def principals(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.principal)

    def travel_time(self, origin: str, destination: str) -> int:
        """Minutes to go from one venue to another; zero within a venue."""
        if origin == destination:
            return 0
        return self.travel[(origin, destination)]

    def day_of(self, minute: int) -> Day | None:
        for day in self.days:
            if day.window.start <= minute < day.window.end:
                return day
        return None

    def day_containing(self, start: int, end: int) -> Day | None:
        for day in self.days:
            if day.window.contains(start, end):
                return day
        return None

    def midnight(self, day: Day) -> int:
        """Minutes from the epoch to local midnight starting ``day``."""
        return self.minutes_from(dt.datetime.combine(day.date, dt.time()))

    def at_clock(self, day: Day, minutes_after_midnight: int) -> int:
        """The minute (from the epoch) at which the local wall clock shows
        ``minutes_after_midnight`` on ``day``'s date; past 24:00, on the next date.

        This is the one reading of a time of day everywhere (day windows, meal
        windows, ``latest_end``, ``prefer_end_by``): on a clock-change day 22:00 is
        22:00 local time, not 22 hours after midnight. A time the spring change
        skips reads as after the jump (02:30 -> 03:30); one the autumn change
        repeats, as its first occurrence."""
        local = dt.datetime.combine(day.date, dt.time()) + dt.timedelta(
            minutes=minutes_after_midnight
        )
        return self.minutes_from(local)

    def minutes_from(self, local: dt.datetime) -> int:
        """Minutes from the epoch to a naive local wall-clock time (DST aware)."""
        zone = ZoneInfo(self.timezone)
        delta = local.replace(tzinfo=zone) - self.epoch
        return int(delta.total_seconds() // 60)

    def to_datetime(self, minute: int) -> dt.datetime:
        """The time-zone aware local datetime of a minute offset."""
        zone = ZoneInfo(self.timezone)
        return (self.epoch + dt.timedelta(minutes=minute)).astimezone(zone)

    def fixed_events_of(self, party_id: str) -> tuple[FixedEvent, ...]:
        return tuple(e for e in self.fixed_events if party_id in e.attendees)

    def meetings_of(self, party_id: str) -> tuple[Meeting, ...]:
        return tuple(m for m in self.meetings if party_id in m.parties)
