"""How the planner's model grows with the summit: prints a table.

Generated summits of 15 to 300 requests (more parties, days and principals as they
grow, four venues with travel beyond the smallest). Each size runs in a fresh
process: the model is built as the planner builds it, started from the greedy
plan as the planner starts it, and CP-SAT, with the planner's parameters,
maximises the weight of the meetings held (the first objective, where the size
bites) for ``--time-limit`` wall-clock seconds on one worker. The table gives
the build time, the model's size (arcs of the parties' circuits, variables,
constraints), the time to CP-SAT's first plan, the gap between the held weight
and the best still possible after 10 s and
at the end, the peak memory of the process, and at the foot the growth slopes
(log-log, first to last size) of arcs, build time and memory against requests.

    python benchmarks/scale.py [--time-limit 60] [--sizes 15,30,60,100,150,300]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# requests -> (parties, days, venues, principals) of the generated summit
SIZES: dict[int, tuple[int, int, int, int]] = {
    15: (8, 2, 3, 1),
    30: (12, 2, 3, 1),
    60: (20, 3, 4, 2),
    100: (25, 3, 4, 3),
    150: (35, 3, 4, 4),
    300: (50, 4, 4, 6),
}


@dataclass(frozen=True)
class Row:
    requests: int
    parties: int
    days: int
    build: float
    arcs: int
    variables: int
    constraints: int
    first: float | None
    gap_10: float | None
    gap_end: float | None
    proven: bool
    peak_mb: float


def _measure(requests: int, limit: float, queue: Any) -> None:
    from ortools.sat.python import cp_model

    from sim.solve.cpmodel import SummitModel
    from sim.solve.greedy import greedy_schedule
    from sim.solve.objectives import unheld_tier
    from sim.solve.run import _hint_from_schedule
    from sim.synth.summit import generate_scenario_model

    parties, days, venues, principals = SIZES[requests]
    scenario = generate_scenario_model(
        parties=parties,
        requests=requests,
        days=days,
        venues=venues,
        principals=principals,
        seed=1,
    )
    started = time.perf_counter()
    summit = SummitModel(scenario)
    tier = unheld_tier(summit)
    summit.model.minimize(tier.expression)
    build = time.perf_counter() - started
    total = sum(m.weight for m in scenario.meetings if not m.required)
    plan = greedy_schedule(scenario)
    try:  # the planner's completion, with the tiers it minimises (here the one)
        _hint_from_schedule(summit, plan, [tier], seconds=10.0)
    except TypeError:  # an older planner (measuring "before")
        try:
            _hint_from_schedule(summit, plan, seconds=10.0)  # type: ignore[call-arg]
        except TypeError:  # older still: decisions only
            _hint_from_schedule(summit, plan)  # type: ignore[call-arg]

    class Watch(cp_model.CpSolverSolutionCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.points: list[tuple[float, float, float]] = []

        def on_solution_callback(self) -> None:
            self.points.append((self.wall_time, self.objective_value, self.best_objective_bound))

    solver = cp_model.CpSolver()
    try:  # the planner's own parameters, presolve choice included
        from sim.solve.run import LARGE_MODEL_CONSTRAINTS, SolveSettings, _parameters

        large = len(summit.model.proto.constraints) > LARGE_MODEL_CONSTRAINTS
        _parameters(solver, SolveSettings(time_limit=limit, deterministic=False), limit, large)
    except ImportError:  # an older planner (measuring "before")
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = limit
        solver.parameters.linearization_level = 0
        solver.parameters.cp_model_probing_level = 0
    watch = Watch()
    code = solver.solve(summit.model, watch)

    def gap(value: float, bound: float) -> float:
        # CP-SAT's bound on the weight left out can fall below 0 once presolve has
        # expanded the objective (30 requests: -127); no plan holds more than all the
        # optional weight, so the bound is at least 0 (the planner's reports clamp it
        # the same way).
        held, best = total - value, total - max(bound, 0.0)
        return 0.0 if best <= 0 else max(best - held, 0.0) / best

    at_10 = [p for p in watch.points if p[0] <= 10.0]
    gap_10 = None
    if at_10 and solver.wall_time >= 10.0:
        gap_10 = gap(at_10[-1][1], at_10[-1][2])  # the bound then is at most the final one
    elif code in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.wall_time < 10.0:
        gap_10 = gap(solver.objective_value, solver.best_objective_bound)
    gap_end = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        gap_end = gap(solver.objective_value, solver.best_objective_bound)
    proto = summit.model.proto
    queue.put(
        Row(
            requests=requests,
            parties=parties,
            days=days,
            build=build,
            arcs=sum(len(pd.arcs) for pd in summit.party_days),
            variables=len(proto.variables),
            constraints=len(proto.constraints),
            first=watch.points[0][0] if watch.points else None,
            gap_10=gap_10,
            gap_end=gap_end,
            proven=code == cp_model.OPTIMAL,
            peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
    )


def _run(requests: int, limit: float) -> Row:
    context = mp.get_context("spawn")  # a fresh process: its peak memory is this size's
    queue = context.Queue()
    process = context.Process(target=_measure, args=(requests, limit, queue))
    process.start()
    while True:  # a child that dies (an error, out of memory) must not leave us waiting
        try:
            row: Row = queue.get(timeout=1.0)
            break
        except Empty:
            if not process.is_alive():
                raise SystemExit(
                    f"the {requests}-request measurement failed (exit {process.exitcode})"
                ) from None
    process.join()
    return row


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _slope(rows: list[Row], value: Any) -> str:
    first, last = rows[0], rows[-1]
    if value(first) <= 0 or value(last) <= 0 or first.requests == last.requests:
        return "-"
    return f"{math.log(value(last) / value(first)) / math.log(last.requests / first.requests):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"Planner model growth; CP-SAT maximises held weight, {args.time_limit:g} s, 1 worker")
    print(
        "| requests | parties x days | build | arcs | variables | constraints "
        "| first plan | gap at 10 s | gap at end | proven | peak memory |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for requests in sizes:
        row = _run(requests, args.time_limit)
        rows.append(row)
        first = "-" if row.first is None else f"{row.first:.1f} s"
        print(
            f"| {row.requests} | {row.parties} x {row.days} | {row.build:.1f} s | "
            f"{row.arcs:,} | {row.variables:,} | {row.constraints:,} | {first} | "
            f"{_percent(row.gap_10)} | {_percent(row.gap_end)} | "
            f"{'yes' if row.proven else 'no'} | {row.peak_mb:,.0f} MB |",
            flush=True,
        )
    if len(rows) > 1:
        print(
            f"growth slopes (log-log, {rows[0].requests} to {rows[-1].requests} requests): "
            f"arcs {_slope(rows, lambda r: r.arcs)}, build {_slope(rows, lambda r: r.build)}, "
            f"peak memory {_slope(rows, lambda r: r.peak_mb)}"
        )


if __name__ == "__main__":
    main()
