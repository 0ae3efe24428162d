"""Planner speed and quality: prints a table.

For the bundled scenarios and generated ones of growing size: model build
time, time to the first solution, time to the proven optimum of every tier
(or the gap of the first tier at the limit), peak memory, as medians over
several runs, each run in a fresh process; beside it the greedy baseline
(earliest feasible slot by priority) and what the optimiser gains over it.

    python benchmarks/solve.py [--runs 3] [--time-limit 60] [--quick]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from queue import Empty

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.check import check  # noqa: E402
from sim.model import Scenario  # noqa: E402
from sim.scenario.load import load_scenario  # noqa: E402
from sim.schedule import SolveStatus  # noqa: E402
from sim.solve import SolveSettings, solve  # noqa: E402
from sim.solve.greedy import greedy_schedule  # noqa: E402
from sim.synth.summit import generate_scenario_model  # noqa: E402

BUNDLED = ["tutorial", "kazan-2024", "oversubscribed", "whole-summit"]
GENERATED = [  # (parties, requests, days, venues, principals)
    (10, 30, 2, 2, 1),
    (20, 80, 3, 3, 2),
    (30, 150, 3, 3, 4),
    (40, 300, 3, 3, 6),
]


@dataclass(frozen=True)
class Run:
    build: float
    first: float | None
    total: float
    optimal: bool
    gap: float
    peak_mb: float
    held_weight: int
    valid: bool
    objectives: tuple[int, ...]


def _scenario(name: str) -> Scenario:
    if name.startswith("gen:"):
        parties, requests, days, venues, principals = (int(x) for x in name[4:].split("-"))
        return generate_scenario_model(
            parties=parties,
            requests=requests,
            days=days,
            venues=venues,
            principals=principals,
            seed=1,
        )
    return load_scenario(ROOT / "scenarios" / f"{name}.yaml")


def _held_weight(scenario: Scenario, meetings: set[str]) -> int:
    return sum(m.weight for m in scenario.meetings if m.id in meetings)


def _one_run(name: str, time_limit: float, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    scenario = _scenario(name)
    started = time.perf_counter()
    result = solve(scenario, SolveSettings(time_limit=time_limit, explain=False))
    total = time.perf_counter() - started
    schedule = result.schedule
    first = result.tiers[0] if result.tiers else None
    gap = 0.0
    if first is not None and first.value:
        gap = abs(first.value - first.bound) / max(abs(first.value), 1)
    report = check(scenario, schedule)
    valid = bool(schedule.assignments) and report.ok
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        Run(
            result.build_seconds,
            result.first_solution_seconds,
            total,
            schedule.status is SolveStatus.OPTIMAL,
            gap,
            peak,
            _held_weight(scenario, {a.meeting for a in schedule.assignments}),
            valid,
            report.objectives.as_tuple(),
        )
    )


def _measure(name: str, runs: int, time_limit: float) -> list[Run]:
    context = mp.get_context("spawn")  # a fresh process per run: honest memory and imports
    results = []
    for _ in range(runs):
        queue = context.Queue()
        process = context.Process(target=_one_run, args=(name, time_limit, queue))
        process.start()
        try:
            results.append(queue.get(timeout=10 * time_limit + 300))
        except Empty:
            process.kill()
            raise RuntimeError(f"{name}: the solve process died or hung") from None
        process.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="bundled scenarios and 2 sizes")
    args = parser.parse_args()
    names = [n for n in BUNDLED if (ROOT / "scenarios" / f"{n}.yaml").exists()]
    sizes = GENERATED[:2] if args.quick else GENERATED
    names += ["gen:" + "-".join(str(x) for x in size) for size in sizes]
    header = (
        f"{'scenario':<24}{'meetings':>9}{'build s':>9}{'first s':>9}{'total s':>9}"
        f"{'optimal':>9}{'gap':>7}{'peak MB':>9}{'valid':>7}"
        f"{'held w':>8}{'greedy w':>9}{'greedy s':>9}{'gain':>7}"
    )
    print(f"medians of {args.runs} runs, time limit {args.time_limit:g} s, {mp.cpu_count()} cores")
    print(header)
    print("-" * len(header))
    tiers: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = []
    for name in names:
        scenario = _scenario(name)
        runs = _measure(name, args.runs, args.time_limit)
        started = time.perf_counter()
        greedy = greedy_schedule(scenario)
        greedy_seconds = time.perf_counter() - started
        greedy_weight = _held_weight(scenario, {a.meeting for a in greedy.assignments})
        greedy_report = check(scenario, greedy)
        greedy_valid = greedy_report.ok
        held = int(statistics.median(r.held_weight for r in runs))
        firsts = [r.first for r in runs if r.first is not None]
        gain = f"{(held - greedy_weight) / greedy_weight:+.0%}" if greedy_weight else "n/a"
        print(
            f"{name:<24}{len(scenario.meetings):>9}"
            f"{statistics.median(r.build for r in runs):>9.3f}"
            f"{(statistics.median(firsts) if firsts else float('nan')):>9.3f}"
            f"{statistics.median(r.total for r in runs):>9.3f}"
            f"{sum(r.optimal for r in runs):>6}/{len(runs)}"
            f"{statistics.median(r.gap for r in runs):>7.1%}"
            f"{statistics.median(r.peak_mb for r in runs):>9.0f}"
            f"{('yes' if all(r.valid for r in runs) else 'NO'):>7}"
            f"{held:>8}{greedy_weight:>9}{greedy_seconds:>9.3f}{gain:>7}"
            + ("" if greedy_valid else "  (greedy schedule INVALID)")
        )
        tiers.append((name, runs[0].objectives, greedy_report.objectives.as_tuple()))
    print()
    print("objective tiers (unheld weight, preferences, travel, min slack, weighted slack),")
    print("all minimised, recomputed by the independent checker; solver run 1 vs greedy:")
    for name, solver_tiers, greedy_tiers in tiers:
        print(f"  {name:<24} solver {solver_tiers}   greedy {greedy_tiers}")


if __name__ == "__main__":
    main()
