"""A summit that has no schedule only because of the fairness rule is explained by it.

The host meets three guests for 30 minutes each, with an unavailable hour between
10:00 and 11:00 that no three back-to-back meetings can avoid (tests/test_compact_days.py
checks that by hand): the host has at least one gap, each guest none. With
``fairness: 0`` no party may have more gaps than the one with the fewest (0), so
no schedule exists; with ``fairness: 1`` one does.
"""

from __future__ import annotations

from sim.schedule import SolveStatus
from sim.solve import SolveSettings, solve
from sim.solve.explain import infeasible_together
from sim.solve.requirements import Requirement, RequirementKind
from tests.test_compact_days import host_day
from tests.tiny import scenario_of

FAIRNESS = Requirement(RequirementKind.FAIRNESS)


def test_the_fairness_rule_is_named_when_it_leaves_no_schedule() -> None:
    scenario = scenario_of(host_day("30min", "13:00", fairness=0))
    result = solve(scenario, SolveSettings(time_limit=20))
    assert result.status is SolveStatus.INFEASIBLE
    assert result.explanation is not None
    named = [requirement for requirement, _ in result.explanation.requirements]
    assert FAIRNESS in named
    words = dict(result.explanation.requirements)[FAIRNESS]
    assert words == (
        "no party has more than 0 gaps more than the party with the fewest (rules.fairness)"
    )
    # the rule is part of the conflict: without it the same requirements fit
    assert infeasible_together(scenario, [n for n in named if n != FAIRNESS]) is False


def test_one_gap_more_is_allowed_with_fairness_one() -> None:
    scenario = scenario_of(host_day("30min", "13:00", fairness=1))
    result = solve(scenario, SolveSettings(time_limit=20))
    assert result.status is SolveStatus.OPTIMAL
