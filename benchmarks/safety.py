"""Safety before ceremony, measured: prints a table.

For each scenario, two plans: the default objective order (``safety`` above
``preferences``) and the same scenario with ``preferences`` moved above
``safety`` (the trade-off the planner made before the tier existed). Both are
replayed on the same disruptions (common random numbers) under each policy;
each plan's objective values are printed first (a plan not proven best
says so: then the comparison mixes the tier order with the search's luck); the
table gives P(every required meeting held) and the expected held weight of
each plan, and the paired difference (safety first minus preferences first)
with its 95 % confidence interval.

    python benchmarks/safety.py [--runs 1000] [--scenarios kazan-2024 whole-summit]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.check import check  # noqa: E402
from sim.model import Scenario  # noqa: E402
from sim.robust_plan import compare_plans  # noqa: E402
from sim.scenario.load import load_scenario  # noqa: E402
from sim.schedule import Schedule  # noqa: E402
from sim.solve import SolveSettings, solve  # noqa: E402

POLICIES = ("as-planned", "shorten")


def preferences_first(scenario: Scenario) -> Scenario:
    order = [t for t in scenario.rules.objectives if t != "safety"]
    at = order.index("preferences") + 1 if "preferences" in order else len(order)
    order.insert(at, "safety")
    rules = dataclasses.replace(scenario.rules, objectives=tuple(order))
    return dataclasses.replace(scenario, rules=rules)


def plan(scenario: Scenario, checked_against: Scenario, time_limit: float) -> Schedule:
    schedule = solve(scenario, SolveSettings(time_limit=time_limit)).schedule
    if not check(checked_against, schedule).ok:
        raise SystemExit(f"{scenario.id}: the plan fails the checker")
    return schedule


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--scenarios", nargs="+", default=["kazan-2024", "whole-summit"])
    args = parser.parse_args()
    header = (
        f"{'scenario':<14} {'policy':<11} {'P(all) safety':>13} {'P(all) prefs':>12} "
        f"{'difference [95 % CI]':>24} {'weight safety':>13} {'weight prefs':>12} "
        f"{'difference [95 % CI]':>24}"
    )
    for name in args.scenarios:
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        safe = plan(scenario, scenario, args.time_limit)
        old = plan(preferences_first(scenario), scenario, args.time_limit)
        for label, schedule in (("safety first", safe), ("preferences first", old)):
            values = ", ".join(f"{o.name} {o.value}" for o in schedule.objectives)
            print(f"{name}: {label} plan ({schedule.status.value}): {values}")
        print(header)
        for policy in POLICIES:
            choice = compare_plans(
                scenario,
                {"plain": old, "safety": safe},
                runs=args.runs,
                seed=args.seed,
                policy=policy,
                workers=args.workers,
            )
            prefs, first = choice.candidates
            versus = first.versus_plain
            assert versus is not None
            p, w = versus.all_required, versus.held_weight
            print(
                f"{name:<14} {policy:<11} {first.stats.p_all_required:>13.3f} "
                f"{prefs.stats.p_all_required:>12.3f} "
                f"{f'{p.mean:+.3f} [{p.low:+.3f}, {p.high:+.3f}]':>24} "
                f"{first.stats.held_weight.mean:>13.2f} {prefs.stats.held_weight.mean:>12.2f} "
                f"{f'{w.mean:+.2f} [{w.low:+.2f}, {w.high:+.2f}]':>24}"
            )


if __name__ == "__main__":
    main()
