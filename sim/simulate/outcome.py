"""What happened in one replication: the record a replay leaves behind.

Every meeting ends the replication either held (with its actual start, end and
venue, and the minutes a policy cut from it) or not held with the reason, in
words a protocol officer would use. Nothing disappears: a meeting that was
never reached says so. The realised timeline (who was where, when: meetings,
programme events, motorcade legs, waiting) is kept only when asked for, for
the replications worth drawing as a Gantt chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SpanKind(StrEnum):
    MEETING = "meeting"
    EVENT = "event"
    TRAVEL = "travel"
    WAIT = "wait"


@dataclass(frozen=True)
class Span:
    """A stretch of one party's realised day; ``venue`` is where it happens (for travel:
    the destination) and ``ident`` the meeting or event it belongs to."""

    party: str
    kind: SpanKind
    ident: str
    venue: str
    start: int
    end: int


@dataclass(frozen=True)
class MeetingResult:
    meeting: str
    held: bool
    start: int | None = None
    end: int | None = None
    venue: str | None = None
    reason: str = ""  # why it was not held; empty when held
    cut: int = 0  # minutes a policy cut from its drawn length
    added: bool = False  # asked for during the summit
    weight: int = 0
    # the programme event a principal had to leave it for, if that cut it, or
    # "departure:PARTY" when that party's departure from the summit ended it
    cut_for: str = ""


@dataclass(frozen=True)
class PartyResult:
    """How one party kept to its fixed programme in one replication.

    ``arrived_late``: minutes after its planned arrival that it landed (0 when on time
    or early); ``late``: the programme events it reached after they had started, with
    the minutes; ``missed``: those it never got to (it was busy until they ended, or
    had left the summit, or never came; a party that withdrew misses nothing).
    """

    party: str
    arrived_late: int = 0
    late: tuple[tuple[str, int], ...] = ()
    missed: tuple[str, ...] = ()

    @property
    def late_minutes(self) -> int:
        return sum(minutes for _, minutes in self.late)


@dataclass(frozen=True)
class Outcome:
    """One replication of one (schedule, policy) variant.

    ``day_end`` maps (party, day index) to the end of the party's last engagement
    that day; ``plan_day_end`` the same for the engagements the plan had (programme
    events and planned meetings, not the meetings asked for on the day): the day's
    overrun is measured on these. ``primary_delay`` is the sum of the disruptions
    themselves (meeting and session overruns, late landings, slow motorcades), in
    minutes, the denominator of the delay multiplier; ``late`` lists (party, event,
    minutes) for programme events a party reached after they started (or missed:
    -1); ``parties`` the same per party, with its late arrival, in scenario order.
    """

    replication: int
    policy: str
    meetings: tuple[MeetingResult, ...]
    day_end: Mapping[tuple[str, int], int]
    primary_delay: int
    late: tuple[tuple[str, str, int], ...] = ()
    replans: int = 0
    replan_failures: int = 0
    replan_seconds: tuple[float, ...] = ()
    timeline: tuple[Span, ...] = ()
    trace: tuple[tuple[int, str, str], ...] = field(default=(), compare=False)
    plan_day_end: Mapping[tuple[str, int], int] = field(default_factory=dict)
    parties: tuple[PartyResult, ...] = ()

    def result_of(self, meeting_id: str) -> MeetingResult:
        for result in self.meetings:
            if result.meeting == meeting_id:
                return result
        raise KeyError(f"No meeting {meeting_id!r} in replication {self.replication}")

    def party_result(self, party_id: str) -> PartyResult:
        for result in self.parties:
            if result.party == party_id:
                return result
        raise KeyError(f"No party {party_id!r} in replication {self.replication}")


def party_results(
    parties: Sequence[str],
    arrived_late: Mapping[str, int],
    late: Sequence[tuple[str, str, int]],
) -> tuple[PartyResult, ...]:
    """Per party (in the order given), its late arrival and the programme events it
    reached late (minutes >= 0) or missed (-1), from the replay's ``late`` list."""
    reached: dict[str, list[tuple[str, int]]] = {p: [] for p in parties}
    missed: dict[str, list[str]] = {p: [] for p in parties}
    for party, event, minutes in late:
        if minutes < 0:
            missed[party].append(event)
        else:
            reached[party].append((event, minutes))
    return tuple(
        PartyResult(p, max(0, arrived_late.get(p, 0)), tuple(reached[p]), tuple(missed[p]))
        for p in parties
    )


def outcome_to_dict(outcome: Outcome) -> dict[str, Any]:
    """A JSON-ready form of one replication (for timelines and Gantt exports)."""
    return {
        "replication": outcome.replication,
        "policy": outcome.policy,
        "primary_delay_minutes": outcome.primary_delay,
        "replans": outcome.replans,
        "replan_failures": outcome.replan_failures,
        "meetings": [
            {
                "meeting": r.meeting,
                "held": r.held,
                "start_minute": r.start,
                "end_minute": r.end,
                "venue": r.venue,
                "reason": r.reason,
                "cut_minutes": r.cut,
                "cut_for": r.cut_for,
                "added": r.added,
                "weight": r.weight,
            }
            for r in outcome.meetings
        ],
        "late_for_events": [
            {"party": party, "event": event, "minutes": minutes, "missed": minutes < 0}
            for party, event, minutes in outcome.late
        ],
        "late_arrivals": [
            {"party": p.party, "minutes": p.arrived_late}
            for p in outcome.parties
            if p.arrived_late > 0
        ],
        "timeline": [
            {
                "party": s.party,
                "kind": s.kind.value,
                "id": s.ident,
                "venue": s.venue,
                "start_minute": s.start,
                "end_minute": s.end,
            }
            for s in outcome.timeline
        ],
    }
