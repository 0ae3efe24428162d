"""The default disruption model, ``CALIBRATED``, and how a simulation picks its model.

Every number of ``CALIBRATED`` comes from docs/calibration.md, which gives the
public source of each (news reports of real summits; a few judgement calls,
marked there). A scenario's own ``uncertainty`` section replaces it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from enum import StrEnum

from sim.model import Distribution, DistributionKind, Scenario, Uncertainty

Z_90 = 1.2815515655446004  # the standard normal's 90th percentile


def lognormal(median: float, p90: float) -> Distribution:
    """A lognormal given by its median and 90th percentile."""
    sigma = math.log(p90 / median) / Z_90
    return Distribution(
        DistributionKind.LOGNORMAL, (("median", median), ("sigma", round(sigma, 6)))
    )


def uniform(low: float, high: float) -> Distribution:
    return Distribution(DistributionKind.UNIFORM, (("low", low), ("high", high)))


def mixture(*components: tuple[float, Distribution], cap: float | None = None) -> Distribution:
    return Distribution(DistributionKind.MIXTURE, (), tuple(components), cap=cap)


# The largest actual/planned ratios reported (docs/calibration.md, "Bilateral
# length"): a meeting never runs longer than this times its planned length.
HEADLINE_CAP = 4.5  # Trump-Putin, G20 Hamburg 2017: 30-45 min planned, 136 held
ROUTINE_CAP = 3.5  # Blinken-Lavrov 2021, ministers: ~30 min planned, ~105 held

# The default model of docs/calibration.md ("A default model derived from
# these"); docs/simulation.md has the source of each number.
CALIBRATED = Uncertainty(
    # routine bilaterals: median x1.1, P90 x1.6; ~5 % end early at about half
    meeting_duration_factor=mixture(
        (0.95, lognormal(1.1, 1.6)), (0.05, uniform(0.4, 0.6)), cap=ROUTINE_CAP
    ),
    # headline meetings: median x1.5, P90 x3.5 (Hamburg, Helsinki, Bali ratios)
    headline_duration_factor=mixture(
        (0.95, lognormal(1.5, 3.5)), (0.05, uniform(0.4, 0.6)), cap=HEADLINE_CAP
    ),
    # flight arrival: 80 % within +-15 min, 15 % lognormal median 45 (sigma 0.6),
    # 5 % over two hours late (Japan 2016: +160)
    arrival_delay=mixture(
        (0.80, uniform(-15, 15)),
        (0.15, Distribution(DistributionKind.LOGNORMAL, (("median", 45.0), ("sigma", 0.6)))),
        (0.05, uniform(120, 240)),
    ),
    # motorcade legs: x lognormal (median 1.0, P90 1.3); 2 % jams of 30-60 min,
    # as a multiplier on the 20-30 min legs of a summit city
    travel_factor=mixture((0.98, lognormal(1.0, 1.3)), (0.02, uniform(2.5, 3.5))),
    # sessions: added minutes lognormal median 15, P90 60, rarely 120 or more
    fixed_event_overrun=Distribution(
        DistributionKind.LOGNORMAL, lognormal(15, 60).params, cap=180.0
    ),
    cancellation_probability=0.04,
    additions_per_planned=0.15,
    walkout_wait=20,
    walkout_probability=0.5,
)


class Disruptions(StrEnum):
    """Which disruption model a simulation uses."""

    AUTO = "auto"  # the scenario's when it has one, else CALIBRATED
    SCENARIO = "scenario"  # exactly the scenario's (no section: no disruption)
    CALIBRATED = "calibrated"  # CALIBRATED (the scenario's scripted events kept)
    NONE = "none"  # nothing random; scripted events kept


def effective_uncertainty(scenario: Scenario, mode: Disruptions | str) -> Uncertainty:
    """The disruption model to replay with. Scripted what-ifs are always kept.

    ``auto`` cannot tell a scenario without an ``uncertainty`` section from one that
    spells out "no disruption" field by field: both load as ``Uncertainty()``; use
    ``none`` to replay without randomness.
    """
    own = scenario.uncertainty
    scripted = own.scripted
    mode = Disruptions(mode)
    if mode is Disruptions.SCENARIO:
        return own
    if mode is Disruptions.NONE:
        return Uncertainty(scripted=scripted)
    if mode is Disruptions.CALIBRATED or replace(own, scripted=()) == Uncertainty():
        return replace(CALIBRATED, scripted=scripted)
    return own
