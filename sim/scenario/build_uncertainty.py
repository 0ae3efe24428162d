"""The ``uncertainty`` section of a scenario -> the model's ``Uncertainty``.

Split from ``sim.scenario.build`` because it is a language of its own
(distributions, mixtures, scripted what-ifs). It reports problems through the
same context as the rest of the build (``BuildContext``), so a user still sees
every problem of the file in one run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

from sim.model import (
    Distribution,
    DistributionKind,
    Meeting,
    ScriptedEvent,
    ScriptedKind,
    Uncertainty,
)
from sim.scenario.document import (
    AnyDist,
    CancelMeetingDoc,
    CancelPartyDoc,
    DelayArrivalDoc,
    ExponentialDist,
    FixedDist,
    LognormalDist,
    MeetingDoc,
    MixtureDist,
    NormalDist,
    OverrunDoc,
    RequestMeetingDoc,
    UncertaintyDoc,
    UniformDist,
)

Path_ = tuple[str | int, ...]
Z_90 = 1.2815515655446004  # the standard normal's 90th percentile


class BuildContext(Protocol):
    """What the scenario builder lends this section: problem reporting, times, and
    the meeting builder (a same-day request is a meeting)."""

    def error(self, path: Path_, message: str, hint: str = "") -> None: ...

    def unknown(self, path: Path_, kind: str, name: str, known: Iterable[str]) -> None: ...

    def duration(self, path: Path_, value: str | int, *, on_grain: bool = True) -> int: ...

    def instant(self, path: Path_, text: str, *, on_grain: bool = False) -> int: ...

    def build_meeting(
        self, here: Path_, doc: MeetingDoc, venue_ids: list[str], party_ids: list[str]
    ) -> Meeting: ...


def distribution(
    ctx: BuildContext, path: Path_, doc: AnyDist | None, default: float
) -> Distribution:
    """A distribution of the format as the model's ``Distribution``; ``default`` when
    the field is absent (a fixed value)."""
    if doc is None:
        return Distribution.fixed(default)
    if doc.weight is not None and not isinstance(path[-1], int):
        ctx.error((*path, "weight"), "'weight' belongs only to a mixture's components")
    cap = doc.cap
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
        params = (("median", doc.median), ("sigma", round(sigma, 6)))
        kind = DistributionKind.LOGNORMAL
    else:
        assert isinstance(doc, MixtureDist)
        # fsum: weights already normalised (as sim.scenario.write writes them) then divide
        # by exactly 1.0 and come back unchanged.
        total = math.fsum(c.weight or 0.0 for c in doc.components)
        components: list[tuple[float, Distribution]] = []
        for offset, component in enumerate(doc.components):
            if component.weight is None:
                ctx.error((*path, "components", offset), "a mixture component needs 'weight'")
                continue
            inner = distribution(ctx, (*path, "components", offset), component, default)
            components.append((component.weight / total, inner))
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


def build_uncertainty(
    ctx: BuildContext,
    doc: UncertaintyDoc,
    principals: set[str],
    party_ids: list[str],
    meeting_ids: list[str],
    venue_ids: list[str],
) -> Uncertainty:
    """The ``uncertainty`` section: distributions, rates, walkouts and scripted events."""
    here: Path_ = ("uncertainty",)
    scripted: list[ScriptedEvent] = []
    for index, event in enumerate(doc.scripted):
        path = (*here, "scripted", index)
        if isinstance(event, CancelPartyDoc | DelayArrivalDoc) and event.party not in party_ids:
            ctx.unknown((*path, "party"), "party", event.party, party_ids)
        if isinstance(event, CancelMeetingDoc | OverrunDoc) and event.meeting not in meeting_ids:
            ctx.unknown((*path, "meeting"), "meeting", event.meeting, meeting_ids)
        if isinstance(event, CancelPartyDoc):
            at = ctx.instant((*path, "at"), event.at)
            scripted.append(ScriptedEvent(ScriptedKind.CANCEL_PARTY, at=at, party=event.party))
        elif isinstance(event, CancelMeetingDoc):
            at = ctx.instant((*path, "at"), event.at)
            scripted.append(
                ScriptedEvent(ScriptedKind.CANCEL_MEETING, at=at, meeting=event.meeting)
            )
        elif isinstance(event, OverrunDoc):
            scripted.append(
                ScriptedEvent(
                    ScriptedKind.OVERRUN,
                    meeting=event.meeting,
                    minutes=ctx.duration((*path, "by"), event.by, on_grain=False),
                )
            )
        elif isinstance(event, DelayArrivalDoc):
            scripted.append(
                ScriptedEvent(
                    ScriptedKind.DELAY_ARRIVAL,
                    party=event.party,
                    minutes=ctx.duration((*path, "by"), event.by, on_grain=False),
                )
            )
        else:
            assert isinstance(event, RequestMeetingDoc)
            at = ctx.instant((*path, "at"), event.at)
            if event.request.id in meeting_ids:
                ctx.error((*path, "request", "id"), f"{event.request.id!r} already exists")
            request = ctx.build_meeting((*path, "request"), event.request, venue_ids, party_ids)
            check_request_references(ctx, (*path, "request"), request, principals, meeting_ids)
            scripted.append(
                ScriptedEvent(
                    ScriptedKind.REQUEST_MEETING, at=at, meeting=request.id, request=request
                )
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
        arrival_delay=distribution(ctx, (*here, "arrival_delay"), doc.arrival_delay, 0.0),
        travel_factor=distribution(ctx, (*here, "travel_time"), doc.travel_time, 1.0),
        fixed_event_overrun=distribution(
            ctx, (*here, "fixed_event_overrun"), doc.fixed_event_overrun, 0.0
        ),
        cancellation_probability=doc.cancellation_probability,
        additions_per_planned=doc.additions_per_planned,
        walkout_wait=walkout_wait,
        walkout_probability=walkout_probability,
        scripted=tuple(scripted),
    )
