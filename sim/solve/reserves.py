"""Safety before ceremony: the reserve an important meeting keeps before the programme.

The planner's ``safety`` tier (``sim.solve.objectives.safety_tier``) and the
model's choice of which days need successor arcs both read ``reserve``.

A required or headline meeting that runs long pushes whatever follows it. A
bilateral that follows can be shortened or moved; a programme event (a plenary,
a concert, a gala) cannot, so the meeting is cut or a leader arrives late. The
``safety`` tier therefore asks, of each important meeting directly followed by a
programme event in one of its parties' days, for spare time (beyond the buffer
and travel the `gap` rule asks) of at least the meeting's own *reserve*: the
overrun its length distribution reaches with probability ``rules.reserve_quantile``
(P90 by default), in minutes, rounded up to the grain. The tier is the sum over
those meetings of the minutes the reserve falls short (docs/planning-rules.md,
"Safety before ceremony"); the independent checker recomputes it.
"""

from __future__ import annotations

import math

from sim.model import Meeting, Scenario
from sim.quantiles import quantile


def reserve(scenario: Scenario, meeting: Meeting) -> int:
    """Minutes of overrun to keep free after an important meeting (0 for the others)."""
    if not (meeting.required or meeting.headline):
        return 0
    uncertainty = scenario.uncertainty
    factor = uncertainty.meeting_duration_factor
    if meeting.headline and uncertainty.headline_duration_factor is not None:
        factor = uncertainty.headline_duration_factor
    overrun = (quantile(factor, scenario.rules.reserve_quantile) - 1) * meeting.duration
    if overrun <= 0:
        return 0
    grain = scenario.grain
    return math.ceil(overrun / grain - 1e-9) * grain
