"""The fewest gaps a party's day allows on its own (``sim.solve.gap_bounds``): a
lower bound the planner puts on each party's gap count, so a plan that reaches it
is proven best at once. Checked against brute force, and in the planner's model."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.solve.cpmodel import SummitModel
from sim.solve.gap_bounds import fewest_gaps
from sim.solve.objectives import all_tiers
from tests.test_compact_days import host_day
from tests.tiny import scenario_of


def brute_force(units: list[list[int]], width: int) -> int | None:
    """Every placement of the meetings; None when none fits."""
    best = None
    for starts in itertools.product(*units):
        grains = [g for s in starts for g in range(s, s + width)]
        if len(set(grains)) < len(grains):
            continue  # two meetings of the party at once
        occupied = set(grains)
        runs = sum(1 for g in occupied if g - 1 not in occupied)
        best = runs - 1 if best is None else min(best, runs - 1)
    return best


def test_meetings_that_fit_back_to_back_have_no_gap() -> None:
    assert fewest_gaps([[0, 5], [1, 7], [2]], 1) == 0
    # with a one-grain buffer (width 2) the meetings at 0, 2 and 4 are back to back
    assert fewest_gaps([[0], [2], [4]], 2) == 0


def test_a_forced_gap() -> None:
    assert fewest_gaps([[0], [2]], 1) == 1
    assert fewest_gaps([[0], [3], [7]], 1) == 2
    # one of the meetings could close the hole, but only by taking the other's grain
    assert fewest_gaps([[0, 1], [1], [3]], 1) == 1


def test_nothing_to_bound() -> None:
    assert fewest_gaps([], 1) == 0
    assert fewest_gaps([[4]], 1) == 0
    assert fewest_gaps([[0], []], 1) == 0  # cannot be placed: the full model says so
    assert fewest_gaps([[0], [0]], 1) == 0  # likewise


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 9), min_size=1, max_size=4, unique=True), min_size=1, max_size=4
    ),
    st.integers(1, 2),
)
def test_the_bound_is_the_brute_force_optimum(units: list[list[int]], width: int) -> None:
    exact = brute_force(units, width)
    assert fewest_gaps(units, width) == (0 if exact is None else exact)


def test_the_planner_starts_each_party_at_its_fewest_gaps() -> None:
    # The host's three meetings cannot sit back to back (tests/test_compact_days.py,
    # the hand check for grain 30): its gap count starts at 1, the guests' at 0.
    summit = SummitModel(scenario_of(host_day("30min", "13:00")))
    all_tiers(summit, None)
    low = {v.name: v.domain[0] for v in summit.model.proto.variables if v.name.startswith("gaps[")}
    assert low == {"gaps[host,0]": 1, "gaps[g1,0]": 0, "gaps[g2,0]": 0, "gaps[g3,0]": 0}


def test_no_bound_when_a_meeting_may_be_left_out() -> None:
    # Optional meetings: the host may hold only two of them, back to back.
    document = host_day("30min", "13:00")
    for item in document["meetings"]:
        item["required"] = False
    summit = SummitModel(scenario_of(document))
    all_tiers(summit, None)
    low = {v.name: v.domain[0] for v in summit.model.proto.variables if v.name == "gaps[host,0]"}
    assert low == {"gaps[host,0]": 0}
