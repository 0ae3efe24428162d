"""The ``uncertainty`` section of a scenario -> the model's ``Uncertainty``.

Split from ``sim.scenario.build`` because it is a language of its own
(distributions, mixtures, scripted what-ifs). It reports problems through the
same context as the rest of the build (``BuildContext``), so a user still sees
every problem of the file in one run.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from sim.errors import Problem
from sim.model import (
    Day,
    Distribution,
    DistributionKind,
    Meeting,
    Party,
    ScriptedEvent,
    ScriptedKind,
    Uncertainty,
)
from sim.scenario.document import (
    AnyDist,
    CancelMeetingDoc,
    CancelPartyDoc,
    DelayArrivalDoc,
    EventOverrunDoc,
    ExponentialDist,
    FixedDist,
    LeaveEarlyDoc,
    LognormalDist,
    MeetingDoc,
    MixtureDist,
    MoveMeetingDoc,
    NormalDist,
    OverrunDoc,
    RequestMeetingDoc,
    ScriptedDoc,
    UncertaintyDoc,
    UniformDist,
)

Path_ = tuple[str | int, ...]
Z_90 = 1.2815515655446004  # the standard normal's 90th percentile


@dataclass(frozen=True)
class Scale:
    """What a distribution's draws mean, and the range its parameters may take: far
    beyond any summit, and near enough that a draw overflows the replay's clock only
    in a tail no replay reaches (a lognormal's beyond 5 sd; a ``cap`` bounds it).

    ``low``..``high`` bounds the location parameters (``value``, ``low``, ``high``,
    ``mean``, ``median``, ``p90``) and ``shift`` (``-high``..``high``); ``sd`` and an
    exponential's ``mean`` are at most ``high``; a lognormal's ``sigma`` at most
    MAX_SIGMA. ``cap`` is only an upper bound on the draws, so any finite one will do.
    """

    words: str  # what a draw is, for the hint
    low: float
    high: float
    example: str


FACTOR = Scale("a multiplier", 0.0, 20.0, "1.2 is 20% longer")
MINUTES = Scale("minutes", -1440.0, 1440.0, "one day is 1440")
MAX_SIGMA = 5.0  # a lognormal with sigma 5 has its 90th percentile 600 times its median
MAX_WEIGHT = 1_000_000.0  # only the ratios of a mixture's weights count
MAX_OVERRUN = 24 * 60  # a scripted overrun: at most a day


def _in_range(ctx: BuildContext, path: Path_, value: float, low: float, scale: Scale) -> bool:
    """Report ``value`` when it is outside ``low``..``scale.high``; False if so."""
    if low <= value <= scale.high:
        return True
    ctx.error(
        path,
        f"{value:g} is out of range",
        f"here a draw is {scale.words}: give a value from {low:g} to {scale.high:g} "
        f"({scale.example})",
    )
    return False


def _check_parameters(ctx: BuildContext, path: Path_, doc: AnyDist, scale: Scale) -> None:
    """The parameters of ``doc`` (not of a mixture's components) within ``scale``."""
    locations: dict[str, float | None] = {}
    spreads: dict[str, float | None] = {}
    if isinstance(doc, FixedDist):
        locations["value"] = doc.value
    elif isinstance(doc, UniformDist):
        locations |= {"low": doc.low, "high": doc.high}
    elif isinstance(doc, NormalDist):
        locations["mean"] = doc.mean
        spreads["sd"] = doc.sd
    elif isinstance(doc, ExponentialDist):
        spreads["mean"] = doc.mean
    elif isinstance(doc, LognormalDist):
        locations |= {"median": doc.median, "p90": doc.p90}
        if doc.sigma is not None and doc.sigma > MAX_SIGMA:
            ctx.error(
                (*path, "sigma"),
                f"{doc.sigma:g} is out of range",
                f"give a sigma from 0 to {MAX_SIGMA:g} (sigma 0.3: 1 draw in 10 is 47% "
                "above the median; sigma 1: 3.6 times the median)",
            )
    for name, value in locations.items():
        if value is not None:
            _in_range(ctx, (*path, name), value, scale.low, scale)
    for name, value in spreads.items():
        if value is not None:
            _in_range(ctx, (*path, name), value, 0.0, scale)
    _in_range(ctx, (*path, "shift"), doc.shift, -scale.high, scale)


class BuildContext(Protocol):
    """What the scenario builder lends this section: problem reporting, times (the
    days, the epoch and the zone, to say when a what-if happens), and the meeting
    builder (a same-day request is a meeting)."""

    problems: list[Problem]
    days: list[Day]
    epoch: dt.datetime
    zone: ZoneInfo | None

    def error(self, path: Path_, message: str, hint: str = "") -> None: ...

    def unknown(self, path: Path_, kind: str, name: str, known: Iterable[str]) -> None: ...

    def duration(self, path: Path_, value: str | int, *, on_grain: bool = True) -> int: ...

    def instant(self, path: Path_, text: str, *, on_grain: bool = False) -> int: ...

    def build_meeting(
        self, here: Path_, doc: MeetingDoc, venue_ids: list[str], party_ids: list[str]
    ) -> Meeting: ...


def distribution(
    ctx: BuildContext, path: Path_, doc: AnyDist | None, default: float, scale: Scale = FACTOR
) -> Distribution:
    """A distribution of the format as the model's ``Distribution``; ``default`` when
    the field is absent (a fixed value). Its parameters must lie within ``scale``."""
    if doc is None:
        return Distribution.fixed(default)
    if doc.weight is not None and not isinstance(path[-1], int):
        ctx.error((*path, "weight"), "'weight' belongs only to a mixture's components")
    _check_parameters(ctx, path, doc, scale)
    cap = doc.cap
    if cap is not None and cap <= doc.shift and isinstance(doc, LognormalDist | ExponentialDist):
        # these draw only positive values before the shift: every draw would be the cap
        ctx.error(
            (*path, "cap"),
            f"the cap ({cap:g}) is not above the shift ({doc.shift:g}), so every draw is the cap",
            "raise the cap or drop it; for a fixed value use {dist: fixed, value: ...}",
        )
    if isinstance(doc, FixedDist):
        params: tuple[tuple[str, float], ...] = (("value", doc.value),)
        kind = DistributionKind.FIXED
    elif isinstance(doc, UniformDist):
        if doc.high < doc.low:
            ctx.error((*path, "high"), "high is below low")
        params, kind = (("low", doc.low), ("high", doc.high)), DistributionKind.UNIFORM
    elif isinstance(doc, NormalDist):
        params, kind = (("mean", doc.mean), ("sd", doc.sd)), DistributionKind.NORMAL
    elif isinstance(doc, ExponentialDist):
        params, kind = (("mean", doc.mean),), DistributionKind.EXPONENTIAL
    elif isinstance(doc, LognormalDist):
        if (doc.sigma is None) == (doc.p90 is None):
            ctx.error(path, "a lognormal needs 'sigma' or 'p90' (one of the two)")
            sigma = 0.0
        elif doc.sigma is not None:
            sigma = doc.sigma
        else:
            assert doc.p90 is not None
            if doc.p90 < doc.median:
                ctx.error((*path, "p90"), "the 90th percentile is below the median")
            sigma = math.log(max(doc.p90 / doc.median, 1.0)) / Z_90
            if sigma > MAX_SIGMA and doc.p90 <= scale.high:  # else p90 is named already
                ctx.error(
                    (*path, "p90"),
                    f"the 90th percentile is {doc.p90 / doc.median:,.0f} times the median "
                    f"(sigma {sigma:.3g})",
                    f"give a p90 at most {math.exp(MAX_SIGMA * Z_90):.0f} times the median "
                    f"(sigma {MAX_SIGMA:g})",
                )
        params = (("median", doc.median), ("sigma", round(sigma, 6)))
        kind = DistributionKind.LOGNORMAL
    else:
        assert isinstance(doc, MixtureDist)
        for offset, component in enumerate(doc.components):
            if component.weight is not None and component.weight > MAX_WEIGHT:
                ctx.error(
                    (*path, "components", offset, "weight"),
                    f"{component.weight:g} is out of range",
                    f"give a weight from 0 (not included) to {MAX_WEIGHT:,.0f}; only the "
                    "ratios of the weights count",
                )
        # fsum: weights already normalised (as sim.scenario.write writes them) then divide
        # by exactly 1.0 and come back unchanged.
        total = math.fsum(min(c.weight or 0.0, MAX_WEIGHT) for c in doc.components)
        components: list[tuple[float, Distribution]] = []
        for offset, component in enumerate(doc.components):
            if component.weight is None:
                ctx.error((*path, "components", offset), "a mixture component needs 'weight'")
                continue
            inner = distribution(ctx, (*path, "components", offset), component, default, scale)
            components.append((min(component.weight, MAX_WEIGHT) / total, inner))
        return Distribution(DistributionKind.MIXTURE, (), tuple(components), doc.shift, cap)
    return Distribution(kind, params, (), doc.shift, cap)


def check_request_references(
    ctx: BuildContext, here: Path_, request: Meeting, principals: set[str], meeting_ids: list[str]
) -> None:
    """A same-day request obeys the rules of a planned meeting: a principal among its
    parties, and order relations that name meetings that exist."""
    if principals and not principals.intersection(request.parties):
        ctx.error(
            (*here, "parties"),
            "none of the request's parties is a principal, so nobody plans it",
            "include a principal among its parties",
        )
    for relation in ("after", "before", "same_day_as"):
        for offset, other in enumerate(getattr(request, relation)):
            if other == request.id:
                ctx.error((*here, relation, offset), "a meeting cannot refer to itself")
            elif other not in meeting_ids:
                ctx.unknown((*here, relation, offset), "meeting", other, meeting_ids)


@dataclass(frozen=True)
class _Known:
    """What the scripted events may refer to."""

    parties: Mapping[str, Party]
    meetings: Mapping[str, Meeting]
    venue_ids: list[str]
    event_ids: Sequence[str]
    principals: set[str]


def _local(ctx: BuildContext, minute: int) -> str:
    """A minute from the epoch as the scenario's local '2024-10-22 14:30', for messages."""
    local = ctx.epoch + dt.timedelta(minutes=minute)
    if ctx.zone is not None:
        local = local.astimezone(ctx.zone)
    return local.strftime("%Y-%m-%d %H:%M")


def _summit_hint(ctx: BuildContext) -> str:
    last = ctx.days[-1].window.end
    return f"give a time from {_local(ctx, 0)} to {_local(ctx, last)}"


def _moment(ctx: BuildContext, path: Path_, text: str, *, on_grain: bool = False) -> int | None:
    """An instant during the summit: from midnight starting its first day (news comes
    before the first day opens too) to the close of its last day; None, reported,
    otherwise."""
    before = len(ctx.problems)
    minute = ctx.instant(path, text, on_grain=on_grain)
    if len(ctx.problems) > before:
        return None
    if not 0 <= minute <= ctx.days[-1].window.end:
        ctx.error(path, f"{text!r} is outside the summit", _summit_hint(ctx))
        return None
    return minute


def _working_day(ctx: BuildContext, path: Path_, text: str, minute: int, length: int) -> bool:
    """Whether a meeting of ``length`` starting at ``minute`` fits a day's working window."""
    day = next((d for d in ctx.days if d.window.start <= minute < d.window.end), None)
    if day is None:
        ctx.error(
            path,
            f"{text!r} is not within a summit day's working hours",
            "give a time between a day's start and end in 'days'",
        )
        return False
    if minute + length > day.window.end:
        ctx.error(
            path,
            f"a {length}-minute meeting starting at {text} ends after the day closes "
            f"({_local(ctx, day.window.end)})",
            f"start it by {_local(ctx, day.window.end - length)}",
        )
        return False
    return True


def _scripted(ctx: BuildContext, path: Path_, event: ScriptedDoc, known: _Known) -> ScriptedEvent:
    """One scripted what-if, every problem with it reported."""
    party_ids, meeting_ids = list(known.parties), list(known.meetings)
    if (
        isinstance(event, CancelPartyDoc | DelayArrivalDoc | LeaveEarlyDoc)
        and event.party not in known.parties
    ):
        ctx.unknown((*path, "party"), "party", event.party, party_ids)
    if (
        isinstance(event, CancelMeetingDoc | OverrunDoc | MoveMeetingDoc)
        and event.meeting not in known.meetings
    ):
        ctx.unknown((*path, "meeting"), "meeting", event.meeting, meeting_ids)
    if isinstance(event, CancelPartyDoc):
        at = _moment(ctx, (*path, "at"), event.at)
        return ScriptedEvent(ScriptedKind.CANCEL_PARTY, at=at, party=event.party)
    if isinstance(event, CancelMeetingDoc):
        at = _moment(ctx, (*path, "at"), event.at)
        return ScriptedEvent(ScriptedKind.CANCEL_MEETING, at=at, meeting=event.meeting)
    if isinstance(event, OverrunDoc):
        minutes = ctx.duration((*path, "by"), event.by, on_grain=False)
        if minutes > MAX_OVERRUN:
            ctx.error(
                (*path, "by"),
                f"an overrun of {minutes} minutes is more than a day",
                "give at most 24h; a meeting that takes longer is better cancelled "
                "(cancel_meeting)",
            )
        return ScriptedEvent(ScriptedKind.OVERRUN, meeting=event.meeting, minutes=minutes)
    if isinstance(event, EventOverrunDoc):
        if event.fixed_event not in known.event_ids:
            ctx.unknown((*path, "fixed_event"), "fixed event", event.fixed_event, known.event_ids)
        minutes = ctx.duration((*path, "by"), event.by, on_grain=False)
        if minutes > MAX_OVERRUN:
            ctx.error(
                (*path, "by"),
                f"an overrun of {minutes} minutes is more than a day",
                "give at most 24h",
            )
        return ScriptedEvent(
            ScriptedKind.EVENT_OVERRUN, fixed_event=event.fixed_event, minutes=minutes
        )
    if isinstance(event, DelayArrivalDoc):
        return ScriptedEvent(
            ScriptedKind.DELAY_ARRIVAL,
            party=event.party,
            minutes=ctx.duration((*path, "by"), event.by, on_grain=False),
        )
    if isinstance(event, LeaveEarlyDoc):
        return _leave_early(ctx, path, event, known.parties.get(event.party))
    if isinstance(event, MoveMeetingDoc):
        return _move_meeting(ctx, path, event, known.meetings.get(event.meeting), known.parties)
    assert isinstance(event, RequestMeetingDoc)
    at = _moment(ctx, (*path, "at"), event.at)
    if event.request.id in known.meetings:
        ctx.error((*path, "request", "id"), f"{event.request.id!r} already exists")
    elif event.request.id in known.event_ids:
        ctx.error(
            (*path, "request", "id"),
            f"{event.request.id!r} is the id of a programme event",
            "give the request an id of its own",
        )
    request = ctx.build_meeting((*path, "request"), event.request, known.venue_ids, party_ids)
    check_request_references(ctx, (*path, "request"), request, known.principals, meeting_ids)
    start = None
    if event.start is not None:
        start = _moment(ctx, (*path, "start"), event.start, on_grain=True)
        if start is not None and at is not None and start < at:
            ctx.error(
                (*path, "start"),
                f"the meeting is wanted at {event.start}, before it is asked for ({event.at})",
                f"give a start at or after {event.at}",
            )
        elif start is not None:
            _working_day(ctx, (*path, "start"), event.start, start, request.duration)
    return ScriptedEvent(
        ScriptedKind.REQUEST_MEETING, at=at, meeting=request.id, request=request, start=start
    )


def _leave_early(
    ctx: BuildContext, path: Path_, event: LeaveEarlyDoc, party: Party | None
) -> ScriptedEvent:
    """A party leaves at ``at``, before its planned departure and after its arrival."""
    at = _moment(ctx, (*path, "at"), event.at)
    if at is not None and party is not None:
        stay = party.presence
        if at <= stay.start:
            ctx.error(
                (*path, "at"),
                f"{party.id} would leave at {event.at}, before it arrives "
                f"({_local(ctx, stay.start)})",
                "give a departure after its arrival; a party that does not come at all "
                "is a cancel_party",
            )
        elif at >= stay.end:
            ctx.error(
                (*path, "at"),
                f"{party.id} already leaves at {_local(ctx, stay.end)}, no later than {event.at}",
                f"give a time before {_local(ctx, stay.end)}; a later departure is changed "
                "in 'parties'",
            )
    announced = _announcement(
        ctx, (*path, "announced"), event.announced, at, "the party has left", event.at
    )
    return ScriptedEvent(ScriptedKind.LEAVE_EARLY, at=at, party=event.party, announced=announced)


def _announcement(
    ctx: BuildContext,
    path: Path_,
    written: str | None,
    latest: int | None,
    what: str,
    latest_written: str,
) -> int | None:
    """An optional announcement time, which may not come after what it announces
    (``latest``, written ``latest_written``: ``what``)."""
    if written is None:
        return None
    moment = _moment(ctx, path, written)
    if moment is not None and latest is not None and moment > latest:
        ctx.error(
            path,
            f"announced at {written}, after {what} ({latest_written})",
            f"give a time at or before {latest_written}",
        )
    return moment


def _move_meeting(
    ctx: BuildContext,
    path: Path_,
    event: MoveMeetingDoc,
    meeting: Meeting | None,
    parties: Mapping[str, Party],
) -> ScriptedEvent:
    """A meeting moved to ``to``: a working time of a day when its parties are there."""
    to = _moment(ctx, (*path, "to"), event.to, on_grain=True)
    if (
        to is not None
        and meeting is not None
        and _working_day(ctx, (*path, "to"), event.to, to, meeting.duration)
    ):
        for party_id in meeting.parties:
            party = parties.get(party_id)
            if party is not None and not party.presence.contains(to, to + meeting.duration):
                ctx.error(
                    (*path, "to"),
                    f"{party_id} is not at the summit for all of {meeting.duration} minutes "
                    f"from {event.to}",
                    f"it is there from {_local(ctx, party.presence.start)} to "
                    f"{_local(ctx, party.presence.end)}",
                )
    at = _announcement(ctx, (*path, "at"), event.at, to, "the meeting's new start", event.to)
    return ScriptedEvent(ScriptedKind.MOVE_MEETING, at=at, meeting=event.meeting, to=to)


def build_uncertainty(
    ctx: BuildContext,
    doc: UncertaintyDoc,
    principals: set[str],
    parties: Sequence[Party],
    meetings: Sequence[Meeting],
    venue_ids: list[str],
    event_ids: Sequence[str] = (),
) -> Uncertainty:
    """The ``uncertainty`` section: distributions, rates, walkouts and scripted events."""
    here: Path_ = ("uncertainty",)
    known = _Known(
        {p.id: p for p in parties}, {m.id: m for m in meetings}, venue_ids, event_ids, principals
    )
    scripted: list[ScriptedEvent] = []
    requested: dict[str, int] = {}  # a same-day request's id -> its index in the list
    for index, event in enumerate(doc.scripted):
        scripted.append(_scripted(ctx, (*here, "scripted", index), event, known))
        if isinstance(event, RequestMeetingDoc):
            first = requested.setdefault(event.request.id, index)
            if first != index:
                # the replay would hold one meeting under the id and lose the other
                ctx.error(
                    (*here, "scripted", index, "request", "id"),
                    f"{event.request.id!r} is already requested by uncertainty.scripted[{first}]",
                    "give each request on the day an id of its own",
                )
    walkout_wait = None
    walkout_probability = 0.0
    if doc.walkout is not None:
        walkout_wait = ctx.duration(
            (*here, "walkout", "after_waiting"), doc.walkout.after_waiting, on_grain=False
        )
        walkout_probability = doc.walkout.probability
    return Uncertainty(
        meeting_duration_factor=distribution(
            ctx, (*here, "meeting_duration"), doc.meeting_duration, 1.0
        ),
        headline_duration_factor=(
            distribution(
                ctx, (*here, "headline_meeting_duration"), doc.headline_meeting_duration, 1.0
            )
            if doc.headline_meeting_duration is not None
            else None
        ),
        arrival_delay=distribution(ctx, (*here, "arrival_delay"), doc.arrival_delay, 0.0, MINUTES),
        travel_factor=distribution(ctx, (*here, "travel_time"), doc.travel_time, 1.0),
        fixed_event_overrun=distribution(
            ctx, (*here, "fixed_event_overrun"), doc.fixed_event_overrun, 0.0, MINUTES
        ),
        cancellation_probability=doc.cancellation_probability,
        additions_per_planned=doc.additions_per_planned,
        walkout_wait=walkout_wait,
        walkout_probability=walkout_probability,
        scripted=tuple(scripted),
    )
