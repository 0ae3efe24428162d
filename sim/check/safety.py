"""The ``safety`` tier recomputed from a finished schedule (docs/planning-rules.md,
"Safety before ceremony"), without the planner's code.

For each held required or headline meeting and each of its parties: the spare time
the party has from the meeting's end to the next point it cannot move (its next
programme event that day, else the end of its day or of its stay, less the ride to
its base), the idle time between its engagements summed along the way, against the
meeting's reserve: the overrun its length distribution reaches with probability
``rules.reserve_quantile``. A meeting counts once, by the party it leaves the least
spare time; the tier is the sum of the minutes short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.check.view import PlanView, needed_gap, travel
from sim.model import Meeting, Scenario
from sim.quantiles import quantile


@dataclass(frozen=True)
class ShortReserve:
    """An important meeting that leaves less than its reserve before an event."""

    meeting: str
    party: str
    until: str  # the programme event's id, or "end of day"
    spare: int  # idle minutes up to it, beyond the buffers and travel
    reserve: int  # minutes the rule asks

    grain: int = 1

    @property
    def short(self) -> int:
        """The minutes short, rounded up to the grain (a reserve is on the grain; spare
        time may not be, when a ride is not)."""
        missing = max(self.reserve - self.spare, 0)
        return -(-missing // self.grain) * self.grain


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
    """One entry per held important meeting whose reserve falls short, by the party it
    leaves the least spare time (the first such party on a tie)."""
    found: list[ShortReserve] = []
    for held in view.held.values():
        needed = overrun_reserve(view.scenario, held.meeting)
        if needed == 0 or held.day is None:
            continue
        worst: ShortReserve | None = None
        for party in held.meeting.parties:
            spare, until = spare_after(view, party, held.day, held.meeting.id)
            candidate = ShortReserve(
                held.meeting.id, party, until, spare, needed, view.scenario.grain
            )
            if candidate.short > 0 and (worst is None or candidate.short > worst.short):
                worst = candidate
        if worst is not None:
            found.append(worst)
    return found


def spare_after(view: PlanView, party_id: str, day: int, meeting_id: str) -> tuple[int, str]:
    """The spare time ``party_id`` has after the meeting until the next point it cannot
    move, and what that point is: the idle time (beyond the `gap` rule's buffer and
    travel) between its engagements from the meeting on, summed up to its next
    programme event that day (its id), or else to the end of its day (``"end of day"``:
    the day's window or the party's departure, less the ride to its base)."""
    scenario = view.scenario
    today = list(view.days_of(party_id).get(day, ()))
    ids = [e.id for e in today]
    at = ids.index(meeting_id)
    spare = 0
    for earlier, later in zip(today[at:], today[at + 1 :], strict=False):
        buffer, move = needed_gap(scenario, earlier, later)
        spare += later.start - earlier.end - buffer - move
        if not later.is_meeting:
            return spare, later.id
    last = today[-1]
    party = scenario.party_by_id[party_id]
    until = min(scenario.days[day].window.end, party.presence.end)
    home = 0 if party.base is None else travel(scenario, last.venue, party.base)
    return spare + until - last.end - home, "end of day"


def safety(view: PlanView) -> int:
    return sum(s.short for s in short_reserves(view))
