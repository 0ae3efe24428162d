"""Monte Carlo over replays: many replications of each (schedule, policy) variant.

``simulate(scenario, schedules, ...)`` runs ``runs`` replications of every
variant, in batches on an executor (``sim.simulate.executors``), and returns the
metrics (``sim.simulate.metrics``). Replication ``i`` draws its disruptions once
(``DrawPlan.draw(seed, i)``) and replays every variant on them: the variants
are compared on common random numbers, and the result does not depend on the
number of workers or the order the batches finish in.

Each replication is reduced to a compact ``Summary`` inside the worker; the
realised timelines of a few replications per variant (the median one and the
worst one) are replayed again afterwards with recording switched on.

A schedule that breaks a hard rule (judged by the independent checker,
``sim.check``) is refused with ``InvalidSchedule`` unless ``allow_invalid=True``:
replaying it would measure a plan nobody could follow. ``estimate(...)`` replays
a few replications to tell how long and how much memory a large job takes.
"""

from __future__ import annotations

import math
import os
import pickle
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sim.budget import Estimate
from sim.check import violations
from sim.check.report import Violation
from sim.model import Scenario, Uncertainty
from sim.schedule import Planner, Schedule
from sim.simulate.calibrated import Disruptions, effective_uncertainty
from sim.simulate.disruptions import DrawPlan
from sim.simulate.executors import Executor, Serial
from sim.simulate.metrics import SimulationResult, Summary, Variant, summarise, tabulate
from sim.simulate.outcome import Outcome
from sim.simulate.policies import POLICY_NAMES, make_policy
from sim.simulate.replay import Replay
from sim.simulate.state import Stage

DEFAULT_POLICIES = ("as-planned", "shorten", "drop")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Batch:
    """A picklable unit of work: some replications of every variant."""

    scenario: Scenario
    schedules: tuple[tuple[str, Schedule], ...]
    policies: tuple[str, ...]
    planner: Planner | None
    uncertainty: Uncertainty
    seed: int
    replications: tuple[int, ...]
    tolerance: int = 10


class InvalidSchedule(ValueError):
    """Schedules that break hard rules; ``broken`` maps each one's name to them."""

    def __init__(self, broken: Mapping[str, Sequence[Violation]]) -> None:
        self.broken = {name: tuple(found) for name, found in broken.items()}
        lines = [
            f"{name}: {violation}" for name, found in self.broken.items() for violation in found
        ]
        super().__init__(
            "the schedule breaks hard rules (allow_invalid=True replays it anyway):\n"
            + "\n".join(lines)
        )


def broken_rules(
    scenario: Scenario, schedules: Mapping[str, Schedule]
) -> dict[str, tuple[Violation, ...]]:
    """The hard rules each schedule breaks, by the independent checker; only the
    schedules that break some."""
    found = {name: violations(scenario, schedule) for name, schedule in schedules.items()}
    return {name: broken for name, broken in found.items() if broken}


def variants_of(schedule_names: Sequence[str], policies: Sequence[str]) -> tuple[Variant, ...]:
    single = len(schedule_names) == 1
    return tuple(
        Variant(policy if single else f"{name}/{policy}", name, policy)
        for name in schedule_names
        for policy in policies
    )


def replay_one(batch: Batch, replication: int, variant: Variant, *, record: bool) -> Outcome:
    """One replication of one variant, replayed in full (for timelines and tests)."""
    draws = DrawPlan.of(batch.scenario, batch.uncertainty).draw(batch.seed, replication)
    schedule = dict(batch.schedules)[variant.schedule]
    policy = make_policy(variant.policy, batch.planner, batch.tolerance)
    stage = Stage.of(batch.scenario, schedule)
    return Replay(stage, draws, policy, record=record).run()


def run_batch(batch: Batch) -> list[Summary]:
    """Replay the batch's replications of every variant; one Summary each."""
    scenario = batch.scenario
    draw_plan = DrawPlan.of(scenario, batch.uncertainty)
    stages = [Stage.of(scenario, schedule) for _, schedule in batch.schedules]
    policies = [make_policy(name, batch.planner, batch.tolerance) for name in batch.policies]
    summaries: list[Summary] = []
    for replication in batch.replications:
        draws = draw_plan.draw(batch.seed, replication)
        index = 0
        for stage in stages:
            for policy in policies:
                outcome = Replay(stage, draws, policy).run()
                summaries.append(summarise(outcome, stage, index))
                index += 1
    return summaries


def batches_of(runs: int, workers: int) -> list[tuple[int, ...]]:
    """Replications 0..runs-1 in about eight batches per worker (an even load, and a
    progress bar that moves)."""
    size = max(1, math.ceil(runs / max(1, 8 * workers)))
    return [tuple(range(i, min(i + size, runs))) for i in range(0, runs, size)]


MAX_SEED = 2**31 - 1  # as the command line takes them


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_arguments(
    schedules: Mapping[str, Schedule],
    policies: Sequence[str],
    runs: int,
    seed: int,
    workers: int,
    tolerance: int,
) -> None:
    """What the command line refuses, refused from Python too, by name: a ValueError
    instead of a result of 0 runs, two variants under one label, or numpy's error."""
    if not schedules:
        raise ValueError("No schedule to replay: give one, or several by name")
    if isinstance(policies, str):
        raise ValueError(f"policies is a list of names: write ({policies!r},)")
    if not policies:
        raise ValueError("No policy to replay: give at least one")
    twice = sorted({p for p in policies if list(policies).count(p) > 1})
    if twice:
        raise ValueError(f"The policy {twice[0]!r} is given twice: give each once")
    if not _whole(runs) or runs < 1:
        raise ValueError(f"Need at least one run (a whole number), not {runs!r}")
    if not _whole(seed) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}, not {seed!r}")
    if not _whole(workers) or workers < 1:
        raise ValueError(f"workers must be 1 or more, not {workers!r}")
    if not _whole(tolerance) or tolerance < 0:
        raise ValueError(f"tolerance must be 0 or more minutes, not {tolerance!r}")


def simulate(
    scenario: Scenario,
    schedules: Schedule | Mapping[str, Schedule],
    *,
    runs: int = 200,
    seed: int = 0,
    policies: Sequence[str] = DEFAULT_POLICIES,
    planner: Planner | None = None,
    disruptions: Disruptions | str = Disruptions.AUTO,
    executor: Executor | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    timelines: bool = True,
    tolerance: int = 10,
    allow_invalid: bool = False,
) -> SimulationResult:
    """Replay every (schedule, policy) variant ``runs`` times and measure it.

    ``schedules`` is one schedule or several by name; ``planner`` is needed for the
    ``replan`` policy (a picklable function when the executor uses processes).
    A schedule that breaks a hard rule raises ``InvalidSchedule`` unless
    ``allow_invalid``.
    """
    if isinstance(schedules, Schedule):
        schedules = {"schedule": schedules}
    _check_arguments(schedules, policies, runs, seed, workers, tolerance)
    if not allow_invalid:
        broken = broken_rules(scenario, schedules)
        if broken:
            raise InvalidSchedule(broken)
    unknown = [p for p in policies if p not in POLICY_NAMES]
    if unknown:
        raise ValueError(f"Unknown policy {unknown[0]!r}; choose from {', '.join(POLICY_NAMES)}")
    if "replan" in policies and planner is None:
        raise ValueError("The replan policy needs a planner")
    uncertainty = effective_uncertainty(scenario, disruptions)
    named = tuple(schedules.items())
    variants = variants_of([name for name, _ in named], policies)
    jobs = [
        Batch(scenario, named, tuple(policies), planner, uncertainty, seed, chunk, tolerance)
        for chunk in batches_of(runs, workers)
    ]
    summaries: list[Summary] = []
    batches = (executor or Serial()).run(run_batch, jobs)
    try:
        for index, result in batches:
            summaries.extend(result)
            if progress is not None:
                progress(len(jobs[index].replications))
    finally:
        # An exception here (Ctrl-C in the progress bar) must end the workers now, not
        # whenever the suspended generator happens to be collected.
        close = getattr(batches, "close", None)
        if close is not None:
            close()
    summaries.sort(key=lambda s: (s.variant, s.replication))
    stages = [Stage.of(scenario, schedule) for _, schedule in named]
    result = tabulate(
        scenario, stages, variants, summaries, seed=seed, disruptions=Disruptions(disruptions).value
    )
    if not timelines:
        return result
    template = jobs[0]
    chosen: dict[str, dict[str, Outcome]] = {}
    for stats in result.variants:
        variant = next(v for v in variants if v.label == stats.label)
        chosen[stats.label] = {
            which: replay_one(template, replication, variant, record=True)
            for which, replication in stats.chosen.items()
        }
    return result.with_timelines(chosen)


def _rss() -> int:
    """This process's resident memory in bytes (0 when /proc cannot tell)."""
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def estimate(
    scenario: Scenario,
    schedules: Schedule | Mapping[str, Schedule],
    *,
    runs: int,
    policies: Sequence[str] = DEFAULT_POLICIES,
    planner: Planner | None = None,
    disruptions: Disruptions | str = Disruptions.AUTO,
    workers: int = 1,
    tolerance: int = 10,
    pilot: int = 2,
) -> Estimate:
    """How long ``simulate(..., runs=runs, workers=workers)`` takes and how much memory
    it holds, from ``pilot`` replications of every variant replayed here (their
    seconds, and the memory of their summaries once unpickled, as the parent holds
    them). The parent and each worker also hold this process's present memory."""
    if isinstance(schedules, Schedule):
        schedules = {"schedule": schedules}
    named = tuple(schedules.items())
    uncertainty = effective_uncertainty(scenario, disruptions)
    pilot = max(1, min(pilot, runs))
    batch = Batch(
        scenario, named, tuple(policies), planner, uncertainty, 0, tuple(range(pilot)), tolerance
    )
    started = time.perf_counter()
    summaries = run_batch(batch)
    per_replication = (time.perf_counter() - started) / pilot
    data = pickle.dumps(summaries)
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    copy = pickle.loads(data)
    per_summary = (tracemalloc.get_traced_memory()[0] - before) / max(1, len(summaries))
    del copy
    if not tracing:
        tracemalloc.stop()
    count = runs * len(named) * len(policies)
    # twice the summaries: the metrics make lists of their values, variant by variant
    memory = int(_rss() * (1 + (workers if workers > 1 else 0)) + 2 * per_summary * count)
    # a second worker adds less than a whole one (start-up, sharing the machine's
    # memory bandwidth); measured about 1.6 times one worker on two cores
    speedup = 1 + 0.6 * (max(1, workers) - 1)
    seconds = 2.0 + per_replication * runs / speedup
    return Estimate(seconds, memory)
