"""The scenario file format, version 1, as pydantic models.

These models describe the *document* a protocol office writes: times are still
strings as people write them, references are still names. They give the shape
checks and the JSON Schema (``sim schema``); ``sim.scenario.load`` parses the times,
resolves the references, cross-checks and builds the frozen domain model.
"""

# No ``from __future__ import annotations`` here: pydantic would turn every field's
# annotation back from a string (a compile and an eval each, a few ms of every start).
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from sim.model import (
    DEFAULT_OBJECTIVES,
    OBJECTIVE_TIERS,
    EventKind,
    MeetingFormat,
    PrecedenceMode,
    Rank,
    Status,
)
from sim.times import (
    CLOCK_PATTERN,
    DATE_PATTERN,
    DATETIME_PATTERN,
    DURATION_FORMS,
    DURATION_PATTERN,
)

FORMAT_VERSION = 1

Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=80,
        description="An identifier: letters, digits, '_', '-', '.'.",
    ),
]
Duration = Annotated[
    Annotated[str, Field(pattern=DURATION_PATTERN)] | Annotated[int, Field(ge=0)],
    Field(
        description="A duration: '45min', '1h30', '1h 30min', '2h', '1.5h' (whole minutes), "
        "or a number of minutes."
    ),
]
Clock = Annotated[
    str,
    Field(
        pattern=CLOCK_PATTERN,
        description="A time of day, '14:30'; past midnight up to '30:00' ('25:30' is 01:30).",
    ),
]
DateTime = Annotated[
    str, Field(pattern=DATETIME_PATTERN, description="A local date and time, '2024-10-22 14:30'.")
]
Date = Annotated[str, Field(pattern=DATE_PATTERN, description="A date, '2024-10-22'.")]
DateTimeOrClock = Annotated[
    str,
    Field(
        pattern=f"({DATETIME_PATTERN})|({CLOCK_PATTERN})",
        description="'2024-10-22 14:30', or a time of day '14:30' (on `date`, or every day).",
    ),
]
Probability = Annotated[float, Field(ge=0, le=1)]

PATTERN_MEANINGS = {
    DURATION_PATTERN: f"a duration such as {DURATION_FORMS}",
    CLOCK_PATTERN: "a time of day such as '14:30'",
    DATETIME_PATTERN: "a date and time such as '2024-10-22 14:30'",
    DATE_PATTERN: "a date such as '2024-10-22'",
    f"({DATETIME_PATTERN})|({CLOCK_PATTERN})": "'2024-10-22 14:30' or a time of day '14:30'",
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": "an identifier of letters, digits, '_', '-' and '.'",
}


class _Doc(BaseModel):
    # Strict, so that pydantic's lax coercions do not undo what the YAML reader
    # is careful about ('yes' -> True, true -> 1 minute, '5' -> 5, 'nan'), and so
    # that whatever the loader accepts also satisfies the JSON Schema editors use.
    # Enum fields arrive as strings, so they alone are marked Strict(False).
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, strict=True, allow_inf_nan=False
    )


class DayDoc(_Doc):
    """A summit day and its working window."""

    date: Date
    start: Clock = "08:00"
    end: Clock = "22:00"


class VenueDoc(_Doc):
    id: Id
    name: str = ""
    rooms: Annotated[int, Field(ge=1, le=1000)] = Field(
        1, description="How many bilaterals can run here at once."
    )


class TravelDoc(_Doc):
    """Travel time between two venues: `between` for both directions, or `from`/`to`."""

    between: Annotated[list[Id], Field(min_length=2, max_length=2)] | None = None
    from_: Id | None = Field(None, alias="from")
    to: Id | None = None
    time: Duration


class PeriodDoc(_Doc):
    """A span of time: absolute datetimes, or times of day on `date` (or on every day)."""

    start: DateTimeOrClock
    end: DateTimeOrClock
    date: Date | None = None
    reason: str = ""


class PartyDoc(_Doc):
    id: Id
    name: str
    title: str = ""
    rank: Annotated[Rank, Strict(False)] = Rank.OTHER
    languages: list[str] = Field(default_factory=list)
    principal: bool = Field(False, description="Whether this party's meetings are planned.")
    base: Id | None = Field(None, description="The venue where the party stays.")
    arrival: DateTime | None = None
    departure: DateTime | None = None
    unavailable: list[PeriodDoc] = Field(default_factory=list)
    max_meetings_per_day: Annotated[int, Field(ge=0)] | None = None


class EventDoc(_Doc):
    """A fixed programme item: plenary, ceremony, dinner, press conference."""

    id: Id
    name: str
    kind: Annotated[EventKind, Strict(False)] = EventKind.OTHER
    start: DateTime
    end: DateTime | None = None
    duration: Duration | None = None
    venue: Id
    attendees: Literal["all"] | list[Id] = "all"
    except_: list[Id] = Field(default_factory=list, alias="except")


class MeetingDoc(_Doc):
    """A requested meeting between two parties (or more)."""

    id: Id
    title: str = ""
    parties: Annotated[list[Id], Field(min_length=2)]
    duration: Duration
    min_duration: Duration | None = Field(None, description="The shortest acceptable length.")
    required: bool = False
    weight: Annotated[int, Field(ge=0, le=1_000_000)] = 1
    headline: bool = Field(False, description="A headline meeting, likelier to run long.")
    venues: list[Id] | None = Field(None, description="Allowed venues; all venues if omitted.")
    windows: list[PeriodDoc] = Field(default_factory=list)
    preferred: list[PeriodDoc] = Field(default_factory=list)
    format: Annotated[MeetingFormat, Strict(False)] = MeetingFormat.TALKS
    after: list[Id] = Field(default_factory=list)
    before: list[Id] = Field(default_factory=list)
    same_day_as: list[Id] = Field(default_factory=list)
    pinned: DateTime | None = Field(None, description="An announced start time.")
    pinned_venue: Id | None = None
    status: Annotated[Status, Strict(False)] = Status.CONFIRMED


class PrecedenceDoc(_Doc):
    mode: Annotated[PrecedenceMode, Strict(False)] = PrecedenceMode.NONE
    order: list[Id] = Field(default_factory=list)
    hard: bool = False


class WindowOfDayDoc(_Doc):
    start: Clock
    end: Clock


class MealWindowsDoc(_Doc):
    breakfast: WindowOfDayDoc = WindowOfDayDoc(start="07:00", end="10:00")
    lunch: WindowOfDayDoc = WindowOfDayDoc(start="12:00", end="15:00")
    dinner: WindowOfDayDoc = WindowOfDayDoc(start="18:00", end="22:30")


class RulesDoc(_Doc):
    buffer: Duration = "10min"
    max_meetings_per_day: Annotated[int, Field(ge=0)] | None = None
    max_continuous: Duration | None = None
    min_break: Duration = "15min"
    precedence: PrecedenceDoc = PrecedenceDoc()
    latest_end: Clock | None = None
    prefer_end_by: Clock | None = None
    meal_windows: MealWindowsDoc = MealWindowsDoc()
    objectives: Annotated[
        list[Annotated[str, Field(json_schema_extra={"enum": list(OBJECTIVE_TIERS)})]],
        Field(min_length=1),
    ] = Field(
        default_factory=lambda: list(DEFAULT_OBJECTIVES),
        description="The objective tiers, most important first: "
        + ", ".join(OBJECTIVE_TIERS)
        + ". Default: "
        + ", ".join(DEFAULT_OBJECTIVES)
        + ".",
    )
    fairness: Annotated[int, Field(ge=0, le=1000)] | None = Field(
        None,
        description="Compact days: every party has at most this many gaps more than "
        "the party with the fewest.",
    )
    reserve_quantile: Annotated[float, Field(ge=0.5, le=0.99)] = Field(
        0.9,
        description="The safety tier: a required or headline meeting keeps free, before "
        "its parties' next programme event (or the end of their day or stay), the overrun "
        "its length distribution stays under with this probability (0.9: its P90).",
    )


# --- distributions -------------------------------------------------------------


class _DistDoc(_Doc):
    weight: Annotated[float, Field(gt=0)] | None = Field(
        None, description="Only inside a mixture: the relative weight of this component."
    )
    shift: float = 0.0
    cap: float | None = None


class FixedDist(_DistDoc):
    dist: Literal["fixed"]
    value: float


class UniformDist(_DistDoc):
    dist: Literal["uniform"]
    low: float
    high: float


class NormalDist(_DistDoc):
    dist: Literal["normal"]
    mean: float
    sd: Annotated[float, Field(ge=0)]


class ExponentialDist(_DistDoc):
    dist: Literal["exponential"]
    mean: Annotated[float, Field(gt=0)]


class LognormalDist(_DistDoc):
    dist: Literal["lognormal"]
    median: Annotated[float, Field(gt=0)]
    sigma: Annotated[float, Field(ge=0)] | None = None
    p90: Annotated[float, Field(gt=0)] | None = Field(
        None, description="The 90th percentile, instead of sigma."
    )


class MixtureDist(_DistDoc):
    dist: Literal["mixture"]
    components: Annotated[list["SimpleDist"], Field(min_length=1)]  # defined below


SimpleDist = Annotated[
    FixedDist | UniformDist | NormalDist | ExponentialDist | LognormalDist,
    Field(discriminator="dist"),
]
AnyDist = Annotated[
    FixedDist | UniformDist | NormalDist | ExponentialDist | LognormalDist | MixtureDist,
    Field(discriminator="dist"),
]


class WalkoutDoc(_Doc):
    after_waiting: Duration
    probability: Probability


class CancelPartyDoc(_Doc):
    event: Literal["cancel_party"]
    party: Id
    at: DateTime


class CancelMeetingDoc(_Doc):
    event: Literal["cancel_meeting"]
    meeting: Id
    at: DateTime


class RequestMeetingDoc(_Doc):
    event: Literal["request_meeting"]
    at: DateTime
    request: MeetingDoc
    start: DateTime | None = Field(
        None,
        description="When the office wants the meeting: there if its parties and a room "
        "are free, else wherever the policy fits other requests.",
    )


class OverrunDoc(_Doc):
    event: Literal["overrun"]
    meeting: Id
    by: Duration


class DelayArrivalDoc(_Doc):
    event: Literal["delay_arrival"]
    party: Id
    by: Duration


class EventOverrunDoc(_Doc):
    event: Literal["event_overrun"]
    fixed_event: Id
    by: Duration


class LeaveEarlyDoc(_Doc):
    """A party leaves the summit before its planned departure."""

    event: Literal["leave_early"]
    party: Id
    at: DateTime = Field(description="The party's new departure.")
    announced: DateTime | None = Field(
        None, description="When the office learns of it; default: the opening of that day."
    )


class MoveMeetingDoc(_Doc):
    """A meeting is moved to a new start (same venue)."""

    event: Literal["move_meeting"]
    meeting: Id
    to: DateTime = Field(description="The new start.")
    at: DateTime | None = Field(
        None,
        description="When the move is announced; default: the opening of the day of the "
        "earlier of its planned and its new start.",
    )


ScriptedDoc = Annotated[
    CancelPartyDoc
    | CancelMeetingDoc
    | RequestMeetingDoc
    | OverrunDoc
    | DelayArrivalDoc
    | EventOverrunDoc
    | LeaveEarlyDoc
    | MoveMeetingDoc,
    Field(discriminator="event"),
]


class UncertaintyDoc(_Doc):
    """Disruption models for the simulator; every one defaults to 'no disruption'."""

    meeting_duration: AnyDist | None = Field(
        None, description="Multiplier on a meeting's planned length."
    )
    headline_meeting_duration: AnyDist | None = Field(
        None, description="Multiplier for headline meetings (default: as meeting_duration)."
    )
    arrival_delay: AnyDist | None = Field(None, description="Minutes a party arrives late.")
    travel_time: AnyDist | None = Field(None, description="Multiplier on a motorcade leg.")
    fixed_event_overrun: AnyDist | None = Field(
        None, description="Minutes a fixed event runs long."
    )
    cancellation_probability: Probability = 0.0
    additions_per_planned: Annotated[float, Field(ge=0, le=10)] = 0.0
    walkout: WalkoutDoc | None = None
    scripted: list[ScriptedDoc] = Field(default_factory=list)


class ScenarioDoc(_Doc):
    """A summit scenario, format version 1."""

    version: Literal[1]
    id: Id
    name: str
    description: str = ""
    timezone: str = Field(description="An IANA time zone, such as 'Europe/Moscow'.")
    grain: Duration = "5min"
    days: Annotated[list[DayDoc], Field(min_length=1)]
    venues: Annotated[list[VenueDoc], Field(min_length=1)]
    travel: list[TravelDoc] = Field(default_factory=list)
    parties: Annotated[list[PartyDoc], Field(min_length=2)]
    fixed_events: list[EventDoc] = Field(default_factory=list)
    meetings: list[MeetingDoc] = Field(default_factory=list)
    rules: RulesDoc = RulesDoc()
    uncertainty: UncertaintyDoc = UncertaintyDoc()


MixtureDist.model_rebuild()
UncertaintyDoc.model_rebuild()
ScenarioDoc.model_rebuild()


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, for editors and other tools."""
    schema = ScenarioDoc.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://summit-sim.example/scenario-v1.schema.json"
    schema["title"] = "Summit scenario (version 1)"
    return schema
