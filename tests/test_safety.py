"""Safety before ceremony: an important meeting keeps its overrun reserve before the
programme, above protocol preferences unless the scenario's tier order says otherwise.

The planner's tier (``sim.solve.objectives.safety_tier``) and the checker's (``sim.check.safety``)
are written separately; here they must agree with a hand count.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.check import check
from sim.check.safety import (
    ShortReserve,
    overrun_reserve,
    safety,
    short_reserves,
    spare_after,
)
from sim.check.view import plan_view
from sim.model import Distribution, DistributionKind
from sim.quantiles import cdf, quantile
from sim.schedule import Assignment, SolveStatus
from sim.simulate.sampling import sample
from sim.solve import SolveSettings, solve
from tests.tiny import DAY, base_document, meeting, scenario_of

# --- quantiles ---------------------------------------------------------------------


def lognormal(median: float, sigma: float, cap: float | None = None) -> Distribution:
    return Distribution(DistributionKind.LOGNORMAL, (("median", median), ("sigma", sigma)), cap=cap)


def test_lognormal_p90_is_the_p90_it_was_built_from() -> None:
    # The format's {median: 1.5, p90: 3.5} becomes sigma = ln(3.5 / 1.5) / z_0.9.
    sigma = np.log(3.5 / 1.5) / 1.2815515655446004
    assert quantile(lognormal(1.5, sigma), 0.9) == pytest.approx(3.5)
    assert quantile(lognormal(1.5, sigma, cap=3.0), 0.9) == 3.0  # the cap bounds it


MIXTURE = Distribution(
    DistributionKind.MIXTURE,
    components=(
        (0.85, Distribution(DistributionKind.UNIFORM, (("low", 0.0), ("high", 2.0)))),
        (0.15, lognormal(15.0, 0.7, cap=120.0)),
    ),
)
SINGLES = [
    Distribution.fixed(1.25),
    Distribution(DistributionKind.UNIFORM, (("low", 10.0), ("high", 40.0))),
    Distribution(DistributionKind.NORMAL, (("mean", 1.1), ("sd", 0.2))),
    Distribution(DistributionKind.EXPONENTIAL, (("mean", 12.0),), shift=3.0),
    lognormal(1.1, 0.29, cap=3.5),
    MIXTURE,
]


@pytest.mark.parametrize("dist", SINGLES, ids=lambda d: d.kind.value)
@pytest.mark.parametrize("q", [0.5, 0.9, 0.97])
def test_quantile_matches_the_simulators_draws(dist: Distribution, q: float) -> None:
    """The exact quantile agrees with the empirical one of the replay's own sampler."""
    draws = sample(dist, np.random.default_rng(7), 200_000)
    exact = quantile(dist, q)
    spread = float(np.quantile(draws, 0.99) - np.quantile(draws, 0.01)) or 1.0
    assert exact == pytest.approx(float(np.quantile(draws, q)), abs=0.01 * spread)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 0.99), st.sampled_from(SINGLES))
def test_quantile_inverts_the_distribution_function(q: float, dist: Distribution) -> None:
    x = quantile(dist, q)
    assert cdf(dist, x) >= q - 1e-9
    if dist.kind is not DistributionKind.FIXED:
        assert cdf(dist, x - 1e-3 * max(abs(x), 1.0)) <= q + 1e-6


# --- the tier ----------------------------------------------------------------------


def summit(**rules: Any) -> dict[str, Any]:
    """09:00-13:00, a plenary 12:00-13:00 for the host at venue a; a required headline
    hour with g1 (its length x1.5 at P90: a 30-minute reserve) and an optional hour
    with g2 (lengths exact: no reserve)."""
    document = base_document()
    document["fixed_events"] = [
        {
            "id": "plenary",
            "name": "Plenary",
            "kind": "plenary",
            "start": f"{DAY} 12:00",
            "end": f"{DAY} 13:00",
            "venue": "a",
            "attendees": ["host"],
        }
    ]
    document["meetings"] = [
        meeting("headline", "host", "g1", headline=True),
        meeting("other", "host", "g2", required=False, weight=1),
    ]
    document["uncertainty"] = {"headline_meeting_duration": {"dist": "fixed", "value": 1.5}}
    document["rules"] = {"buffer": "10min", **rules}
    return document


def test_the_reserve_is_the_p90_overrun_on_the_grain() -> None:
    scenario = scenario_of(summit())
    by_id = scenario.meeting_by_id
    assert overrun_reserve(scenario, by_id["headline"]) == 30
    assert overrun_reserve(scenario, by_id["other"]) == 0  # neither required nor headline


def test_an_important_meeting_is_not_the_last_before_the_plenary() -> None:
    scenario = scenario_of(summit())
    result = solve(scenario, SolveSettings(time_limit=20))
    assert result.schedule.status is SolveStatus.OPTIMAL
    assert check(scenario, result.schedule).ok
    view = plan_view(scenario, result.schedule.assignments)
    values = {o.name: o.value for o in result.schedule.objectives}
    assert values["safety"] == 0 == safety(view)
    held = {a.meeting: a for a in result.schedule.assignments}
    assert set(held) == {"headline", "other"}
    # The host's idle time from the headline meeting's end to the plenary, summed
    # over the gaps on the way, covers the 30-minute reserve; for g1 the rest of its
    # day does.
    for party in ("host", "g1"):
        spare, _ = spare_after(view, party, 0, "headline")
        assert spare >= 30


PREFERRED_LATE = [{"start": "10:40", "end": "11:50", "date": DAY}]


@pytest.mark.parametrize(
    ("order", "safety_value", "preference_points"),
    [
        # Default order: safety above preferences. Keeping the preferred 10:40-11:40
        # would leave 12:00 - 11:40 - 10 = 10 min of the 30-min reserve (20 short),
        # and no room for the other meeting after it; so the preference is given up.
        (None, 0, 10),
        # Preferences first: the meeting takes its preferred hour, 20 min short.
        (["unheld_weight", "preferences", "safety"], 20, 0),
    ],
)
def test_safety_outranks_preferences_unless_the_order_says_otherwise(
    order: list[str] | None, safety_value: int, preference_points: int
) -> None:
    rules: dict[str, Any] = {} if order is None else {"objectives": order}
    document = summit(**rules)
    document["meetings"][0]["preferred"] = PREFERRED_LATE
    scenario = scenario_of(document)
    result = solve(scenario, SolveSettings(time_limit=20))
    assert check(scenario, result.schedule).ok
    values = {o.name: o.value for o in result.schedule.objectives}
    assert values["safety"] == safety_value
    assert values["preferences"] == preference_points
    view = plan_view(scenario, result.schedule.assignments)
    assert safety(view) == safety_value
    if safety_value:
        (short,) = short_reserves(view)
        assert (short.meeting, short.until, short.spare, short.reserve) == (
            "headline",
            "plenary",
            10,
            30,
        )
    # `sim check` lists the shortfall beside the other things given up, in words
    listed = [g for g in check(scenario, result.schedule).given_up if g.tier == "safety"]
    assert sum(g.cost for g in listed) == safety_value
    if safety_value:
        (entry,) = listed
        assert (entry.kind, entry.meetings, entry.parties, entry.cost) == (
            "short_reserve",
            ("headline",),
            ("host",),
            20,
        )
        assert entry.message.endswith(
            "leaves Host 10 min before Plenary, of the 30 min its likely overrun needs"
        )


def test_no_uncertainty_means_no_reserve() -> None:
    document = summit()
    del document["uncertainty"]
    scenario = scenario_of(document)
    assert overrun_reserve(scenario, scenario.meeting_by_id["headline"]) == 0
    result = solve(scenario, SolveSettings(time_limit=20))
    values = {o.name: o.value for o in result.schedule.objectives}
    assert values.get("safety", 0) == 0


def test_the_quantile_is_the_scenarios_choice() -> None:
    document = summit(reserve_quantile=0.5)
    document["uncertainty"] = {
        "headline_meeting_duration": {"dist": "lognormal", "median": 1.25, "p90": 2.0}
    }
    scenario = scenario_of(document)
    # At the median the factor is 1.25: 15 minutes on a 60-minute meeting.
    assert overrun_reserve(scenario, scenario.meeting_by_id["headline"]) == 15


def test_a_departure_is_a_point_that_cannot_move() -> None:
    """g2 leaves at 11:30: a headline meeting with g2 that ends at 11:30 has no spare
    time for g2 (30 short); one at 09:00 has 90 minutes. The preference for late
    morning gives way to safety in the default order, and wins when it comes first."""
    for order, expected in ((None, 0), (["unheld_weight", "preferences", "safety"], 30)):
        document = summit(**({} if order is None else {"objectives": order}))
        document["fixed_events"] = []
        document["parties"][2]["departure"] = f"{DAY} 11:30"
        document["meetings"] = [
            meeting("first", "host", "g1", headline=True),
            meeting(
                "second",
                "host",
                "g2",
                headline=True,
                preferred=[{"start": "10:30", "end": "11:30", "date": DAY}],
            ),
        ]
        scenario = scenario_of(document)
        result = solve(scenario, SolveSettings(time_limit=20))
        assert check(scenario, result.schedule).ok
        values = {o.name: o.value for o in result.schedule.objectives}
        view = plan_view(scenario, result.schedule.assignments)
        assert values["safety"] == safety(view) == expected
        if expected:
            (short,) = short_reserves(view)
            assert (short.meeting, short.party, short.until, short.spare) == (
                "second",
                "g2",
                "end of day",
                0,
            )


def test_the_spare_time_runs_through_the_meetings_that_follow() -> None:
    """A headline meeting followed by an ordinary one and then the plenary: its spare
    time is the idle time of both gaps, not the first alone."""
    document = summit(objectives=["unheld_weight"])
    scenario = scenario_of(document)
    plan = [
        Assignment("headline", 0, at(scenario, "09:00"), at(scenario, "10:00"), "a"),
        Assignment("other", 0, at(scenario, "10:20"), at(scenario, "11:20"), "a"),
    ]
    view = plan_view(scenario, plan)
    # 10 idle minutes after the buffer before "other", 30 after it before the plenary
    assert spare_after(view, "host", 0, "headline") == (40, "plenary")
    assert safety(view) == 0
    # g1 has nothing after it: the end of its day (13:00), 180 minutes.
    assert spare_after(view, "g1", 0, "headline") == (180, "end of day")


def at(scenario: Any, clock: str) -> int:
    hours, minutes = map(int, clock.split(":"))
    return int(scenario.days[0].window.start) - 9 * 60 + hours * 60 + minutes


def test_the_shortfall_is_rounded_up_to_the_grain() -> None:
    # 30 - 12 = 18 minutes short: 20 on a 5-minute grain (a 7-minute ride can leave
    # spare time off the grain); none when the spare time covers the reserve.
    assert ShortReserve("m", "p", "end of day", 12, 30, 5).short == 20
    assert ShortReserve("m", "p", "end of day", 30, 30, 5).short == 0
    assert ShortReserve("m", "p", "end of day", 45, 30, 5).short == 0
