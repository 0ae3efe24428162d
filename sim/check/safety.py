"""The ``safety`` tier recomputed from a finished schedule (docs/planning-rules.md,
"Safety before ceremony"), without the planner's code.

For each held required or headline meeting, and each of its parties whose next
engagement that day is a programme event: the spare time left before the event
(beyond the buffer and travel the `gap` rule asks) against the meeting's reserve,
the overrun its length distribution reaches with probability
``rules.reserve_quantile``. A meeting counts once, by the party it leaves the
least spare time; the tier is the sum of the minutes short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.check.view import PlanView, needed_gap
from sim.model import Meeting, Scenario
from sim.quantiles import quantile


@dataclass(frozen=True)
class ShortReserve:
    """An important meeting that leaves less than its reserve before an event."""

    meeting: str
    party: str
    event: str
    spare: int  # minutes left beyond buffer and travel
    reserve: int  # minutes the rule asks

    @property
    def short(self) -> int:
        return max(self.reserve - self.spare, 0)


def overrun_reserve(scenario: Scenario, meeting: Meeting) -> int:
    """The reserve in minutes, on the grain: ``(q-quantile of the length factor - 1)``
    times the nominal length, for required and headline meetings; else 0."""
    if not (meeting.required or meeting.headline):
        return 0
    model = scenario.uncertainty
    factor = model.meeting_duration_factor
    if meeting.headline and model.headline_duration_factor is not None:
        factor = model.headline_duration_factor
    minutes = (quantile(factor, scenario.rules.reserve_quantile) - 1.0) * meeting.duration
    if minutes <= 0:
        return 0
    steps = math.ceil(minutes / scenario.grain - 1e-9)
    return steps * scenario.grain


def short_reserves(view: PlanView) -> list[ShortReserve]:
    """One entry per held important meeting with a reserve that falls short, by the
    party it leaves the least spare time (the first such party on a tie)."""
    found: list[ShortReserve] = []
    for held in view.held.values():
        needed = overrun_reserve(view.scenario, held.meeting)
        if needed == 0 or held.day is None:
            continue
        worst: ShortReserve | None = None
        for party in held.meeting.parties:
            today = view.days_of(party).get(held.day, ())
            after = [e for e in today if e.start >= held.assignment.end and e.id != held.meeting.id]
            if not after:
                continue
            following = min(after, key=lambda e: (e.start, e.end, e.id))
            if following.is_meeting:
                continue
            buffer, move = needed_gap(view.scenario, held.engagement, following)
            spare = following.start - held.assignment.end - buffer - move
            candidate = ShortReserve(held.meeting.id, party, following.id, spare, needed)
            if candidate.short > 0 and (worst is None or candidate.short > worst.short):
                worst = candidate
        if worst is not None:
            found.append(worst)
    return found


def safety(view: PlanView) -> int:
    return sum(s.short for s in short_reserves(view))
