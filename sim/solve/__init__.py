"""The planner: Scenario -> Schedule with OR-Tools CP-SAT.

``solve(scenario)`` returns a ``SolveResult`` whose ``schedule`` is what
``schedule.json`` holds; ``make_planner()`` gives the simulator's re-planning
policy a function of (scenario, previous schedule) -> schedule.
"""

from __future__ import annotations

from functools import partial

from sim.model import Scenario
from sim.schedule import Schedule
from sim.solve.explain import Explanation
from sim.solve.run import SolveResult, SolveSettings, TierReport, solve

__all__ = [
    "Explanation",
    "SolveResult",
    "SolveSettings",
    "TierReport",
    "make_planner",
    "replan",
    "solve",
]

# On the day the planner is asked only when the quick repair could not place everything
# (``sim.simulate.replanning``): it is there to hold more, so held weight comes first,
# then the fewest changes, then the least movement.
REPLAN_TIERS = ("unheld_weight", "changes", "displacement")


def replan(
    scenario: Scenario, previous: Schedule, *, time_limit: float = 0.5, seed: int = 0
) -> Schedule:
    """Re-plan after a change, keeping as much of ``previous`` as possible.

    On the day only three tiers matter: held weight, fewest weighted changes, then
    the least movement, solved together in one CP-SAT call (lexicographically, in
    that order), within a small budget; the published plan is the hint.
    """
    settings = SolveSettings(
        time_limit=time_limit,
        seed=seed,
        workers=1,
        explain=False,
        tiers=REPLAN_TIERS,
        groups=(REPLAN_TIERS,),
    )
    return solve(scenario, settings, previous=previous).schedule


def make_planner(time_limit: float = 0.5, seed: int = 0) -> partial[Schedule]:
    """A picklable planning function for the simulator's ``replan`` policy."""
    return partial(replan, time_limit=time_limit, seed=seed)
