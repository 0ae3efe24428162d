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

The plain plan is replaced only by a variant that does significantly better on
the same replays: P(every required meeting held) first, then the expected held
weight, each judged by the 95 % confidence interval of the paired difference
against the plain plan (it must exclude 0). A difference the replays cannot
tell from chance keeps the plain plan, so the choice does not flip with the
number of replays.

This module composes the planner and the simulator; neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from sim.model import Scenario
from sim.schedule import Assignment, Schedule, SolveStatus
from sim.simulate.executors import make_executor
from sim.simulate.metrics import Interval95, SimulationResult, VariantStats
from sim.simulate.monte_carlo import simulate
from sim.solve import SolveSettings, solve

DEFAULT_VARIANTS = ("plain", "slack+15", "slack+30", "buffer+10")


@dataclass(frozen=True)
class Comparison:
    """A candidate against the plain plan on the same replications (common random
    numbers): the mean paired difference, candidate minus plain, with its 95 %
    confidence interval (Student's t)."""

    all_required: Interval95  # of the 0/1 "every required meeting held"
    held_weight: Interval95

    @property
    def better(self) -> bool:
        """Significantly better: P(all required held) first, then the held weight.

        Better when the interval of the difference in "all required held" lies above
        0; or when that difference is not significant either way (its interval holds
        0) and the interval of the held weight lies above 0. With fewer than two
        replications there is no interval, and nothing is significant."""
        required, weight = self.all_required, self.held_weight
        if required.low > 0:
            return True
        return required.low <= 0 <= required.high and weight.low > 0


@dataclass(frozen=True)
class Candidate:
    name: str
    schedule: Schedule
    stats: VariantStats
    held_planned: int  # weight the plan itself holds (what the slack costs on paper)
    versus_plain: Comparison | None = None  # None for the plain plan itself


@dataclass(frozen=True)
class RobustChoice:
    candidates: tuple[Candidate, ...]
    chosen: Candidate
    policy: str
    result: SimulationResult
    reason: str = ""  # why this one, in a sentence

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


def _nominal(scenario: Scenario, variant: Scenario, schedule: Schedule) -> Schedule:
    """Give every meeting its own length back (the reserve becomes free time): the
    length planned less the reserve the variant added, so a meeting the plan
    shortened stays shortened by as much."""
    assignments = tuple(
        Assignment(
            a.meeting,
            a.day,
            a.start,
            a.end
            - variant.meeting_by_id[a.meeting].duration
            + scenario.meeting_by_id[a.meeting].duration,
            a.venue,
            a.room,
        )
        for a in schedule.assignments
    )
    return replace(schedule, assignments=assignments, scenario_sha256=scenario.source_sha256)


def plan_variants(
    scenario: Scenario,
    settings: SolveSettings,
    variants: Sequence[str] = DEFAULT_VARIANTS,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Schedule]:
    """The plan of each variant, with nominal meeting lengths; a variant the planner finds
    no schedule for is left out."""
    schedules: dict[str, Schedule] = {}
    for name in variants:
        variant = variant_scenario(scenario, name)
        planned = solve(variant, settings).schedule
        if planned.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            if progress is not None:
                progress(f"{name}: no schedule ({planned.status.value}), left out")
            continue
        schedules[name] = _nominal(scenario, variant, planned)
        if progress is not None:
            progress(f"{name}: planned {len(planned.assignments)} meetings")
    return schedules


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
    """Plan each variant, replay them all on the same disruptions, pick the best (see
    ``compare_plans``)."""
    schedules = plan_variants(scenario, settings, variants, progress)
    return compare_plans(scenario, schedules, runs=runs, seed=seed, policy=policy, workers=workers)


def compare_plans(
    scenario: Scenario,
    schedules: Mapping[str, Schedule],
    *,
    runs: int = 200,
    seed: int = 0,
    policy: str = "as-planned",
    workers: int = 1,
) -> RobustChoice:
    """Replay the plans (``plain`` among them) on the same disruptions and choose one.

    The plain plan is replaced only by a variant that does significantly better on
    the same replications (``Comparison.better``: P(all required held) first, then
    the expected held weight, each by the 95 % interval of the paired difference).
    Among several such variants, the one with the highest P(all required held), then
    the highest expected held weight, then the earlier one.
    """
    if "plain" not in schedules:
        raise ValueError("the scenario itself has no schedule: nothing to make robust")
    ordered = {"plain": schedules["plain"], **schedules}
    result = simulate(
        scenario,
        ordered,
        runs=runs,
        seed=seed,
        policies=[policy],
        workers=workers,
        executor=make_executor(workers),
        timelines=False,
    )
    by_schedule = {stats.schedule: stats for stats in result.variants}
    weight = {m.id: m.weight for m in scenario.meetings}
    plain_label = by_schedule["plain"].label
    candidates = tuple(
        Candidate(
            name,
            schedule,
            by_schedule[name],
            sum(weight[a.meeting] for a in schedule.assignments),
            None if name == "plain" else _versus(result, by_schedule[name].label, plain_label),
        )
        for name, schedule in ordered.items()
    )
    labels = {c.name: by_schedule[c.name].label for c in candidates}
    pairwise = {
        (a, b): _versus(result, labels[a], labels[b]) for a in labels for b in labels if a != b
    }
    chosen, reason = decide(candidates, pairwise)
    return RobustChoice(candidates, chosen, policy, result, reason)


def _worse(versus: Comparison) -> bool:
    """Significantly worse: the mirror of ``Comparison.better``."""
    required, weight = versus.all_required, versus.held_weight
    if required.high < 0:
        return True
    return required.low <= 0 <= required.high and weight.high < 0


def _versus(result: SimulationResult, label: str, plain: str) -> Comparison:
    """The paired differences of a candidate against the plain plan, candidate - plain."""
    found: dict[str, Interval95] = {}
    for difference in result.differences:
        if difference.metric not in ("all_required", "held_weight"):
            continue
        d = difference.difference
        if (difference.a, difference.b) == (label, plain):
            found[difference.metric] = d
        elif (difference.a, difference.b) == (plain, label):
            found[difference.metric] = Interval95(0.0 - d.mean, 0.0 - d.high, 0.0 - d.low)
    return Comparison(found["all_required"], found["held_weight"])


def decide(
    candidates: Sequence[Candidate],
    pairwise: Mapping[tuple[str, str], Comparison] | None = None,
) -> tuple[Candidate, str]:
    """The candidate to publish, and why: the first (plain) one unless another does
    significantly better (``compare_plans``).

    Among several that do, the best by P(all required held), then by the expected held
    weight; but an earlier candidate (a smaller change to the plan: the variants are
    listed from the least reserve to the most) that the replays cannot tell from the
    best (``pairwise[(earlier, best)]`` significantly worse on neither measure) is
    preferred to it. So two candidates within chance of each other do not swap places
    as the replay count grows; the choice moves only when a difference becomes real."""
    plain = candidates[0]
    better = [c for c in candidates[1:] if c.versus_plain is not None and c.versus_plain.better]
    if not better:
        return plain, (
            "no variant does significantly better than the plain plan on the same "
            "replays (every 95 % interval of the paired difference holds 0, or shows "
            "it worse): the plain plan is kept"
        )
    best = max(
        better,
        key=lambda c: (
            round(c.stats.p_all_required, 9),
            round(c.stats.held_weight.mean, 9),
            -candidates.index(c),
        ),
    )
    if pairwise is not None:
        for earlier in better[: better.index(best)]:
            versus = pairwise.get((earlier.name, best.name))
            if versus is not None and not _worse(versus):
                best = earlier
                break
    assert best.versus_plain is not None
    required, held = best.versus_plain.all_required, best.versus_plain.held_weight
    return best, (
        f"{best.name} does significantly better than the plain plan on the same replays: "
        f"P(all required held) {100 * required.mean:+.1f} percentage points (95 % CI "
        f"{100 * required.low:+.1f} to {100 * required.high:+.1f}), expected held weight "
        f"{held.mean:+.1f} "
        f"({held.low:+.1f} to {held.high:+.1f})"
    )
