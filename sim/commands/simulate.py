"""``sim simulate SCENARIO --schedule S``: replay the summit many times with disruptions.

Prints the robustness of each (schedule, policy) variant and, with ``-o DIR``,
writes simulation.json, the CSV tables and timelines.json. The ``replan`` policy
uses the planner (``sim.solve.make_planner``); when the planner cannot be
imported, the other policies still run and the command says so.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from sim.budget import default_memory_limit, over_budget
from sim.commands import SUMMARIES
from sim.commands.console import (
    Refusal,
    add_budget_flags,
    add_output_flags,
    capped_workers,
    error_console,
    note_leftovers,
    print_json,
    refuse_broken,
    run_arguments,
    say,
    seconds,
    seed,
    usable_output_dir,
    warn_if_foreign,
    whole_number,
    wide_console,
    workers,
)
from sim.exit_codes import ExitCode
from sim.export.simulation import result_tables, result_to_dict, write_results
from sim.model import Scenario
from sim.output_set import OutputSet
from sim.scenario.load import load_scenario
from sim.schedule import Planner, Schedule, read_schedule
from sim.simulate.calibrated import Disruptions
from sim.simulate.executors import make_executor
from sim.simulate.monte_carlo import broken_rules, estimate, simulate
from sim.simulate.policies import POLICY_NAMES
from sim.times import MAX_DURATION

DEFAULT_POLICIES = POLICY_NAMES
# A million replications of one variant hold some 9 GB of results; more is no longer
# a question of precision (the 95% ranges are 1/1000 of the spread by then).
MAX_RUNS = 1_000_000


def _planner(time_limit: float, errors: Console) -> Planner | None:
    try:
        from sim.solve import make_planner
    except ImportError as exc:
        errors.print(f"replan is unavailable (the planner cannot be imported: {exc})")
        return None
    planner: Planner = make_planner(time_limit=time_limit)
    return planner


def _schedules(paths: list[str], scenario: Scenario) -> dict[str, Schedule]:
    schedules: dict[str, Schedule] = {}
    for path in paths:
        # refused if it names a meeting, venue or day the scenario does not have
        schedule = read_schedule(path, scenario)
        warn_if_foreign(path, schedule, scenario)
        name = Path(path).stem if Path(path).stem != "schedule" else Path(path).parent.name
        while name in schedules or not name:
            name = f"{name or 'schedule'}-{len(schedules) + 1}"
        schedules[name] = schedule
    return schedules


def run(args: argparse.Namespace) -> int:
    if args.runs > MAX_RUNS:
        say(
            f"sim simulate: --runs {args.runs} is more than the limit of {MAX_RUNS:,} "
            "replications; 10,000 already give each probability to about 1 point",
            error=True,
        )
        return ExitCode.USAGE
    # the output folder is checked, and locked, before the work: a typo or a second run
    # into the same folder must not cost the replays
    out = usable_output_dir(args.output) if args.output else None
    with ExitStack() as stack:
        outputs = None
        if out is not None:
            outputs = stack.enter_context(OutputSet(out, "sim simulate", run_arguments(args)))
        return _run(args, outputs)


# From this many replays (replications x variants) on, the job is estimated first.
LARGE_JOB = 2000


REFUSAL = Refusal(
    "sim simulate",
    "replay",
    "replaying it anyway (--allow-invalid): the results describe a plan",
)


def _refuse_invalid(
    args: argparse.Namespace, scenario: Scenario, schedules: dict[str, Schedule]
) -> bool:
    """Say which hard rules each schedule breaks; True when the replay must not go on."""
    broken = broken_rules(scenario, schedules)
    return refuse_broken(REFUSAL, broken, allow=args.allow_invalid, as_json=args.json)


def _run(args: argparse.Namespace, outputs: OutputSet | None) -> int:
    if outputs is not None:
        note_leftovers(outputs.removed, outputs.folder)
    scenario = load_scenario(args.scenario)
    console = wide_console()
    errors = error_console()
    schedules = _schedules(args.schedule, scenario)
    if _refuse_invalid(args, scenario, schedules):
        return ExitCode.RULES_BROKEN
    policies = list(dict.fromkeys(args.policy or DEFAULT_POLICIES))
    planner = None
    if "replan" in policies:
        planner = _planner(args.replan_time_limit, errors)
        if planner is None:
            policies.remove("replan")
            if not policies:
                return ExitCode.USAGE
    # on a Dask cluster, the workers are the cluster's, not this machine's cores
    workers = args.workers if args.dask and args.workers else capped_workers(args.workers)
    replays = args.runs * len(schedules) * len(policies)
    if replays >= LARGE_JOB or args.max_seconds is not None or args.memory_limit is not None:
        guess = estimate(
            scenario,
            schedules,
            runs=args.runs,
            policies=policies,
            planner=planner,
            disruptions=args.disruptions,
            workers=1 if args.dask else workers,
            tolerance=args.tolerance,
        )
        variants = len(schedules) * len(policies)
        what = f"{args.runs} replications of {variants} variant{'s' if variants != 1 else ''}"
        limit = args.memory_limit or default_memory_limit()
        refusal = over_budget(guess, args.max_seconds, limit, what)
        if refusal is not None:
            say(f"sim simulate: {refusal}", error=True)
            return ExitCode.USAGE
        if not args.quiet:
            say(f"estimate: {what} take {guess.words()}", error=True)
    executor = make_executor(workers, args.dask)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=args.quiet,
    ) as bar:
        task = bar.add_task("replaying", total=args.runs)
        # Ctrl-C here ends the workers (sim.simulate.executors) and writes nothing
        result = simulate(
            scenario,
            schedules,
            runs=args.runs,
            seed=args.seed,
            policies=policies,
            planner=planner,
            disruptions=args.disruptions,
            executor=executor,
            workers=workers,
            progress=lambda n: bar.advance(task, n),
            tolerance=args.tolerance,
            allow_invalid=True,  # judged above
        )
    if args.json:
        print_json(result_to_dict(result, scenario))
    else:
        for table in result_tables(result, scenario):
            console.print(table)
    if outputs is not None:
        outputs.begin()
        outputs.add(write_results(outputs.folder, result, scenario))
        manifest = outputs.commit()
        for path in [*outputs.files, manifest]:
            say(f"wrote {path}", console=errors if args.json else console)
    return ExitCode.OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "simulate",
        help=SUMMARIES["simulate"],
        description=(
            "Replay the summit days RUNS times with random disruptions (overruns, late "
            "landings, slow motorcades, sessions running long, cancellations, requests on "
            "the day) and the scenario's scripted what-ifs, under each reaction policy, on "
            "the same random draws. See docs/simulation.md."
        ),
    )
    parser.add_argument("scenario", help="the scenario YAML file")
    parser.add_argument(
        "--schedule",
        action="append",
        required=True,
        metavar="SCHEDULE.json",
        help="the schedule to replay (written by 'sim solve'); repeat to compare schedules",
    )
    parser.add_argument(
        "--runs",
        type=whole_number(1, what="replications"),
        default=200,
        metavar="N",
        help=f"replications per variant, at most {MAX_RUNS:,} (default 200)",
    )
    parser.add_argument(
        "--seed", type=seed, default=0, help="the root random seed, 0 to 2**31-1 (default 0)"
    )
    parser.add_argument(
        "--policy",
        action="append",
        choices=POLICY_NAMES,
        metavar="P",
        help=f"a reaction policy: {', '.join(POLICY_NAMES)}; repeat for several "
        "(default: all four)",
    )
    parser.add_argument(
        "--disruptions",
        choices=[d.value for d in Disruptions],
        default=Disruptions.AUTO.value,
        help="the disruption model: the scenario's uncertainty section (auto: the calibrated "
        "defaults when it has none), calibrated, or none (default auto)",
    )
    parser.add_argument(
        "--workers",
        type=workers,
        default=None,
        metavar="W",
        help="local worker processes, at most one per core (default: one per core); "
        "results do not depend on it",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run the batches on an existing Dask cluster, e.g. tcp://host:8786",
    )
    parser.add_argument(
        "--replan-time-limit",
        type=seconds,
        default=1.0,
        metavar="S",
        help="the planner's budget per re-plan, in seconds (default 1)",
    )
    parser.add_argument(
        "--tolerance",
        type=whole_number(0, MAX_DURATION, what="minutes"),
        default=10,
        metavar="MIN",
        help="minutes late the replan policy absorbs before it re-plans (default 10)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        help="write simulation.json, CSV tables, timelines.json and, last, manifest.json "
        "into DIR (a second run into DIR is refused while this one runs)",
    )
    parser.add_argument(
        "--allow-invalid",
        action="store_true",
        help="replay a schedule that breaks hard rules (by default it is refused, exit 5)",
    )
    add_budget_flags(parser)
    add_output_flags(parser)
    parser.set_defaults(run=run)
