"""``sim run SCENARIO``: the main job in one command.

Check the scenario, plan the meetings, replay the summit days with disruptions
under the reaction policies, export everything (Gantt charts, calendars,
briefings, tables, the robustness report) and write ``index.html`` linking it
all. Prints what it did in plain words and where the files are.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from sim.commands import SUMMARIES
from sim.commands.console import (
    add_output_flags,
    capped_workers,
    error_console,
    note_leftovers,
    print_json,
    run_arguments,
    say,
    seconds,
    seed,
    usable_output_dir,
    whole_number,
    wide_console,
    workers,
)
from sim.commands.plain import count
from sim.commands.solve import holds_a_plan
from sim.exit_codes import ExitCode
from sim.export.bundle import export_plan, export_replays, write_index
from sim.export.simulation import write_results
from sim.model import Scenario
from sim.output_set import OutputSet
from sim.scenario.load import load_scenario
from sim.schedule import Planner, SolveStatus, write_schedule
from sim.simulate.executors import make_executor
from sim.simulate.metrics import SimulationResult, clearly_best, result_intervals
from sim.simulate.monte_carlo import simulate
from sim.simulate.policies import POLICY_NAMES
from sim.solve import SolveSettings, make_planner, solve

# The replan policy calls the planner at every disruption (about ten times a
# replication on kazan-2024): it is opt-in here so that the main job stays about
# a minute; `--policy replan` adds it.
RUN_POLICIES = ("as-planned", "shorten", "drop")


POLICY_WORDS = {
    "as-planned": "Keeping to the plan (meetings start late when they must)",
    "shorten": "Shortening late meetings (never below their minimum length)",
    "drop": "Dropping optional meetings when a day overflows",
    "replan": "Re-planning at each disruption",
}


def _summary(result: SimulationResult, planned_weight: int, has_required: bool) -> list[str]:
    """The replay results in a few plain sentences: each policy, then the best."""
    lines = []
    for v in result.variants:
        # (with no required meeting, "every required meeting held in 100%" says nothing)
        required = (
            f"every required meeting held in {v.p_all_required:.0%} of {v.runs} "
            f"replay{'' if v.runs == 1 else 's'}; "
            if has_required
            else f"{v.runs} replay{'' if v.runs == 1 else 's'}; "
        )
        lines.append(
            f"{POLICY_WORDS.get(v.policy, v.policy)}: {required}{v.held_weight.mean:.1f} "
            f"weight points held on average (the plan holds {planned_weight}, meetings "
            f"asked for on the day count too; 95% range "
            f"{v.held_weight.low:.1f}-{v.held_weight.high:.1f})"
        )
    if len(result.variants) < 2:
        return lines
    labels = [v.label for v in result.variants]
    best = clearly_best(labels, result_intervals(result))
    if best is None:
        replays = "1 replay" if result.runs == 1 else f"{result.runs} replays"
        lines.append(
            f"No reaction is clearly best on these {replays} (report.html compares them "
            "measure by measure)"
        )
    else:
        policy = result.variant(best).policy
        lines.append(f"Best reaction here: {POLICY_WORDS.get(policy, policy).lower()}")
    return lines


def run(args: argparse.Namespace) -> int:
    # the output folder is checked, and locked, before the work: a typo or a second run
    # into the same folder must not cost the solve
    out = usable_output_dir(args.output) if args.output else None
    with ExitStack() as stack:
        outputs = None
        if out is not None:
            outputs = stack.enter_context(_output_set(out, args))
        scenario = load_scenario(args.scenario)
        if outputs is None:
            outputs = stack.enter_context(
                _output_set(usable_output_dir(Path("out") / scenario.id), args)
            )
        return _run(args, scenario, outputs)


def _output_set(out: Path, args: argparse.Namespace) -> OutputSet:
    return OutputSet(out, "sim run", run_arguments(args), subfolders=("calendars", "briefings"))


def _run(args: argparse.Namespace, scenario: Scenario, outputs: OutputSet) -> int:
    errors = error_console()
    # with --json, standard output carries the JSON alone: the words go to stderr
    console = errors if args.json else wide_console()
    out = outputs.folder
    note_leftovers(outputs.removed, out)
    requests = len(scenario.meetings)
    say(
        f"{scenario.name}: {count(len(scenario.parties), 'delegation')}, "
        f"{count(requests, 'meeting request')}, {count(len(scenario.days), 'day')}",
        console=console,
    )
    # Deterministic seconds: the same scenario and seed give the same plan, replays
    # and report on any machine. Ctrl-C while planning stops the run (exit 130, the
    # folder as it was): replaying and exporting a search cut short is not what was
    # asked for.
    settings = SolveSettings(
        time_limit=args.time_limit, seed=args.seed, workers=1, keep_on_interrupt=False
    )
    result = solve(scenario, settings)
    schedule = result.schedule
    plan_path = out / "schedule.json"
    if not schedule.assignments and holds_a_plan(plan_path):
        # a run that finds no plan never replaces one that has a plan; the folder's
        # set (and its manifest) stays as it was, schedule.no-plan.json beside it
        say(f"kept the plan in {plan_path}", console=console)
        plan_path = out / "schedule.no-plan.json"
    else:
        outputs.begin()  # the folder's set is being replaced: no manifest until done
    write_schedule(plan_path, schedule, scenario)
    if schedule.status in (SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN):
        if plan_path.name == "schedule.json":
            outputs.add([plan_path])
            outputs.commit()
        for note in schedule.notes:
            say(note, console=console)
        say(f"no plan; wrote {plan_path}", console=console)
        if args.json:
            print_json({"status": schedule.status.value, "notes": list(schedule.notes)})
        if schedule.status is SolveStatus.INFEASIBLE:
            return ExitCode.NO_SCHEDULE
        return ExitCode.NOT_FOUND_IN_TIME
    outputs.add([plan_path])
    required = [m for m in scenario.meetings if m.required]
    held = {a.meeting for a in schedule.assignments}
    say(
        f"plan: {len(held)} of {requests} meetings "
        f"({sum(m.id in held for m in required)} of {len(required)} required), "
        + ("proven best" if schedule.status is SolveStatus.OPTIMAL else "good, not proven best"),
        console=console,
    )
    written = export_plan(scenario, schedule, out)
    summary: list[str] = []
    if args.runs > 0:
        policies = list(dict.fromkeys(args.policy or RUN_POLICIES))
        planner: Planner | None = (
            make_planner(time_limit=args.replan_time_limit) if "replan" in policies else None
        )
        workers = capped_workers(args.workers)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=errors,
            transient=True,
            disable=args.quiet,
        ) as bar:
            task = bar.add_task("replaying the summit", total=args.runs)
            simulation = simulate(
                scenario,
                {"plan": schedule},
                runs=args.runs,
                seed=args.seed,
                policies=policies,
                planner=planner,
                executor=make_executor(workers),
                workers=workers,
                progress=lambda n: bar.advance(task, n),
            )
        # simulation/ is a set of its own (as 'sim simulate -o' writes it), inside this one
        with OutputSet(out / "simulation", "sim run", run_arguments(args)) as replays:
            replays.add(write_results(replays.folder, simulation, scenario))
            outputs.add([*replays.files, replays.commit()])
        written += export_replays(scenario, schedule, out / "simulation", out)
        weight = sum(scenario.meeting_by_id[m].weight for m in held)
        summary = _summary(simulation, weight, any(m.required for m in scenario.meetings))
        for line in summary:
            say(line, console=console)
    index = write_index(out, scenario, schedule, written, summary)
    outputs.add([*(w.path for w in written), index])
    manifest = outputs.commit()
    if args.json:
        print_json(
            {
                "status": schedule.status.value,
                "directory": str(out),
                "index": str(index),
                "manifest": str(manifest),
                "files": [str(path) for path in outputs.files] + [str(manifest)],
                "summary": summary,
            }
        )
    say(f"wrote {len(outputs.files) + 1} files into {out}", console=console)
    say(f"open {index}", console=console)
    return ExitCode.OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "run",
        help=SUMMARIES["run"],
        description=(
            "Check the scenario, plan the meetings, replay the summit RUNS times with "
            "disruptions under the reaction policies, and write the plan's Gantt charts, "
            "calendars, briefings and tables, the robustness report and index.html into "
            "DIR (default out/<scenario id>)."
        ),
    )
    parser.add_argument("scenario", help="the scenario YAML file")
    parser.add_argument("-o", "--output", metavar="DIR", help="where to write")
    parser.add_argument(
        "--runs",
        type=whole_number(0, 100_000, what="replays"),
        default=200,
        metavar="N",
        help="replays per policy (default 200; 0 skips the replays)",
    )
    parser.add_argument(
        "--seed", type=seed, default=0, help="random seed, 0 to 2**31-1 (default 0)"
    )
    parser.add_argument(
        "--time-limit",
        type=seconds,
        default=30.0,
        metavar="S",
        help="the planner's search budget, in the solver's deterministic seconds, so the "
        "same run gives the same plan on any machine (on a busy one it takes longer; "
        "default 30)",
    )
    parser.add_argument(
        "--policy",
        action="append",
        choices=POLICY_NAMES,
        metavar="P",
        help=f"a reaction policy ({', '.join(POLICY_NAMES)}); repeat for several "
        f"(default: {', '.join(RUN_POLICIES)}; replan is slower)",
    )
    parser.add_argument(
        "--replan-time-limit",
        type=seconds,
        default=1.0,
        metavar="S",
        help="the planner's budget per re-plan with --policy replan (default 1)",
    )
    parser.add_argument(
        "--workers",
        type=workers,
        default=None,
        metavar="W",
        help="local worker processes for the replays, at most one per core (default: one per core)",
    )
    add_output_flags(parser, verbose=True)
    parser.set_defaults(run=run)
