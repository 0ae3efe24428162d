"""Robust planning: let the simulator choose how much slack to keep.

The plain optimum packs the day; a real day runs long. This module plans
variants that keep more slack, replays every variant on the *same* random
disruptions (common random numbers), and reports which holds up best and what
it costs against the plain optimum. The variants:

* ``plain``: the optimum of the scenario as written;
* ``slack+N``: every important meeting (required or headline) reserves N more
  minutes after it: the planner sees it N minutes longer, the published
  schedule keeps its nominal length, so the reserve is free time after it;
* ``buffer+N``: the protocol buffer between all engagements grows by N minutes.

This module composes the planner and the simulator; neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sim.model import Scenario
from sim.schedule import Assignment, Schedule, SolveStatus
from sim.simulate.executors import make_executor
from sim.simulate.metrics import SimulationResult, VariantStats
from sim.simulate.monte_carlo import simulate
from sim.solve import SolveSettings, solve

DEFAULT_VARIANTS = ("plain", "slack+15", "slack+30", "buffer+10")


@dataclass(frozen=True)
class Candidate:
    name: str
    schedule: Schedule
    stats: VariantStats
    held_planned: int  # weight the plan itself holds (what the slack costs on paper)


@dataclass(frozen=True)
class RobustChoice:
    candidates: tuple[Candidate, ...]
    chosen: Candidate
    policy: str
    result: SimulationResult

    @property
    def plain(self) -> Candidate:
        return self.candidates[0]


def _important(scenario: Scenario) -> set[str]:
    return {m.id for m in scenario.meetings if m.required or m.headline}


def variant_scenario(scenario: Scenario, name: str) -> Scenario:
    """The scenario the planner sees for a variant."""
    if name == "plain":
        return scenario
    kind, _, amount = name.partition("+")
    minutes = int(amount)
    if kind == "buffer":
        return replace(
            scenario, rules=replace(scenario.rules, buffer=scenario.rules.buffer + minutes)
        )
    if kind == "slack":
        important = _important(scenario)
        meetings = tuple(
            replace(m, duration=m.duration + minutes, min_duration=m.min_duration + minutes)
            if m.id in important
            else m
            for m in scenario.meetings
        )
        return replace(scenario, meetings=meetings)
    raise ValueError(f"Unknown robust variant {name!r}; use plain, slack+N or buffer+N")


def _nominal(scenario: Scenario, schedule: Schedule) -> Schedule:
    """Give every meeting its nominal length back (the reserve becomes free time)."""
    assignments = tuple(
        Assignment(
            a.meeting,
            a.day,
            a.start,
            a.start + scenario.meeting_by_id[a.meeting].duration,
            a.venue,
            a.room,
        )
        for a in schedule.assignments
    )
    return replace(schedule, assignments=assignments, scenario_sha256=scenario.source_sha256)


def choose_robust_plan(
    scenario: Scenario,
    settings: SolveSettings,
    *,
    variants: Sequence[str] = DEFAULT_VARIANTS,
    runs: int = 200,
    seed: int = 0,
    policy: str = "as-planned",
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> RobustChoice:
    """Plan each variant, replay them all on the same disruptions, pick the best.

    Best: the highest expected held weight in the replay; ties go to the higher
    chance that every required meeting is held, then to the earlier variant.
    """
    schedules: dict[str, Schedule] = {}
    for name in variants:
        planned = solve(variant_scenario(scenario, name), settings).schedule
        if planned.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            if progress is not None:
                progress(f"{name}: no schedule ({planned.status.value}), left out")
            continue
        schedules[name] = _nominal(scenario, planned)
        if progress is not None:
            progress(f"{name}: planned {len(planned.assignments)} meetings")
    if "plain" not in schedules:
        raise ValueError("the scenario itself has no schedule: nothing to make robust")
    result = simulate(
        scenario,
        schedules,
        runs=runs,
        seed=seed,
        policies=[policy],
        workers=workers,
        executor=make_executor(workers),
        timelines=False,
    )
    by_schedule = {stats.schedule: stats for stats in result.variants}
    weight = {m.id: m.weight for m in scenario.meetings}
    candidates = tuple(
        Candidate(
            name, schedule, by_schedule[name], sum(weight[a.meeting] for a in schedule.assignments)
        )
        for name, schedule in schedules.items()
    )
    chosen = max(
        candidates,
        key=lambda c: (
            round(c.stats.held_weight.mean, 6),
            round(c.stats.p_all_required, 6),
            -candidates.index(c),
        ),
    )
    return RobustChoice(candidates, chosen, policy, result)
