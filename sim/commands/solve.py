"""``sim solve SCENARIO``: plan the bilaterals, write schedule.json, print the plan.

Exit codes (``ExitCode``): 0 OK, a schedule (optimal or not); 3 NO_SCHEDULE, none
exists (infeasible); 4 NOT_FOUND_IN_TIME, none found within the time limit.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sim.budget import default_memory_limit, format_bytes
from sim.commands import SUMMARIES
from sim.commands.console import (
    add_output_flags,
    capped_workers,
    command_started,
    error_console,
    memory_size,
    plain_text,
    printable,
    say,
    seconds,
    seed,
    usable_output_dir,
    warn_if_foreign,
    whole_number,
    wide_console,
    workers,
)
from sim.commands.plain import count, objective_in_words
from sim.exit_codes import ExitCode
from sim.model import Meeting, Scenario
from sim.output_lock import output_lock
from sim.scenario.load import load_scenario
from sim.schedule import (
    Assignment,
    Change,
    ChangeKind,
    Schedule,
    SolveStatus,
    read_schedule,
    schedule_to_json,
    write_schedule,
)
from sim.solve import SolveResult, SolveSettings, solve
from sim.solve.size import refuse_over_budget
from sim.times import format_date, format_moment_with_weekday, format_time_of_day


def _when(scenario: Scenario, minute: int) -> str:
    return format_moment_with_weekday(scenario.to_datetime(minute))


PRIORITY_LEGEND = (
    "required: must be held; headline: optional, but watched by the press; "
    "optional: held when it fits, by weight"
)


def _priority(meeting: Meeting) -> str:
    if meeting.required:
        return "required"
    return "headline" if meeting.headline else "optional"


def schedule_table(scenario: Scenario, schedule: Schedule) -> Table:
    """The plan, one row per meeting, in names a protocol office uses."""
    # Text, not markup: names are the scenario's words, shown as written on any console
    table = Table(
        title=plain_text(
            f"{scenario.name}: {count(len(schedule.assignments), 'meeting')} in the plan"
        ),
        caption=PRIORITY_LEGEND,
    )
    for column in ("day", "time", "meeting", "priority", "where"):
        table.add_column(column)
    several_rooms = {v.id for v in scenario.venues if v.rooms > 1}
    for a in sorted(schedule.assignments, key=lambda a: (a.start, a.meeting)):
        meeting = scenario.meeting_by_id[a.meeting]
        start = scenario.to_datetime(a.start)
        venue = scenario.venue_by_id[a.venue].name if a.venue in scenario.venue_by_id else a.venue
        venue = venue.split(" (")[0]  # the name, without the scenario's gloss in brackets
        if a.venue in several_rooms:
            venue += f", room {a.room}"
        table.add_row(
            format_date(start),
            f"{format_time_of_day(start)}-{format_time_of_day(scenario.to_datetime(a.end))}",
            plain_text(scenario.party_names(meeting.parties)),
            _priority(meeting),
            plain_text(venue),
        )
    return table


def describe_change(scenario: Scenario, change: Change) -> str:
    def where(a: Assignment | None) -> str:
        assert a is not None  # a move has both sides, a drop a before, an addition an after
        return f"{_when(scenario, a.start)} at {scenario.venue_name(a.venue)}"

    meeting = scenario.meeting_by_id.get(change.meeting)
    # by its parties' names (a meeting dropped from the scenario has only its id)
    what = (
        f"{scenario.party_names(meeting.parties)} ({change.meeting})"
        if meeting is not None
        else change.meeting
    )
    if change.kind is ChangeKind.MOVED:
        return f"moved    {what}: {where(change.before)} -> {where(change.after)}"
    if change.kind is ChangeKind.DROPPED:
        return f"dropped  {what}: was {where(change.before)}"
    return f"added    {what}: {where(change.after)}"


def print_result(console: Console, scenario: Scenario, result: SolveResult) -> None:
    schedule = result.schedule
    if schedule.assignments:
        console.print(schedule_table(scenario, schedule))
    if schedule.unscheduled and schedule.status not in (
        SolveStatus.INFEASIBLE,
        SolveStatus.UNKNOWN,
    ):
        console.print("Not in the plan", style="bold")
        for u in schedule.unscheduled:
            meeting = scenario.meeting_by_id.get(u.meeting)
            who = scenario.party_names(meeting.parties) if meeting is not None else u.meeting
            say(f"  {who}: {u.reason}", console=console)
    if schedule.changes:
        console.print("Changes against the published schedule", style="bold")
        for change in schedule.changes:
            say("  " + describe_change(scenario, change), console=console)
    if result.tiers:
        table = Table(
            title="What the plan achieves, most important first",
            caption="proven: no plan does better on this line without doing worse above it",
        )
        for column in ("", "proven"):
            table.add_column(column)
        for tier in result.tiers:
            table.add_row(
                objective_in_words(tier.name, tier.value), "yes" if tier.optimal else "no"
            )
        console.print(table)
    for note in schedule.notes:
        say(note, console=console)
    status = {
        SolveStatus.OPTIMAL: "the best plan (proven)",
        SolveStatus.FEASIBLE: "a good plan, not proven best",
        SolveStatus.INFEASIBLE: "no plan exists",
        SolveStatus.UNKNOWN: "no plan found in time",
    }[schedule.status]
    say(
        f"result: {status}; model built in {result.build_seconds:.2f} s, "
        f"searched for {result.solve_seconds:.2f} s",
        console=console,
    )


def run(args: argparse.Namespace) -> int:
    # the output folder is checked before the work: a typo must not cost a long solve
    out = usable_output_dir(args.output) if args.output else None
    if out is None:
        return _plan(args, None)
    # a second run into the same folder is refused at once (exit 2), not after a solve
    with output_lock(out):
        return _plan(args, out)


def _plan(args: argparse.Namespace, out: Path | None) -> int:
    scenario = load_scenario(args.scenario)
    previous = read_schedule(args.previous) if args.previous else None
    if previous is not None:
        warn_if_foreign(args.previous, previous, scenario)
    console = wide_console()
    errors = error_console()
    started = time.perf_counter()
    last_report = [started]

    def progress(message: str) -> None:
        # Only for long solves, about once a second: the best plan so far and its bound.
        now = time.perf_counter()
        if args.quiet or now - last_report[0] < 1.0:
            return
        last_report[0] = now
        errors.print(f"  {message}")

    settings = SolveSettings(
        time_limit=args.time_limit,
        seed=args.seed,
        workers=capped_workers(args.workers),
        deterministic=args.deterministic,
        counted_from=None if args.deterministic else command_started(),
    )
    # the model's size before it is built: refused over the budget (exit 2, naming the
    # file), said when large (planning then takes a while and much of the memory)
    budget = args.memory_limit or default_memory_limit()
    size = refuse_over_budget(scenario, budget, where=args.scenario)
    if size.memory > LARGE_MODEL and not args.quiet:
        errors.print(
            f"planning needs about {format_bytes(size.memory)} of memory "
            f"(the busiest day: {printable(size.busiest)}); preparing it takes a few seconds"
        )
    if args.robust:
        return _run_robust(args, scenario, settings, console, errors, out)
    result = solve(scenario, settings, previous=previous, progress=progress)
    schedule = result.schedule
    # the file first: a reader that stops reading (``| head``) or a full terminal
    # disk must not cost the plan
    said: list[str] = []
    if out is not None:
        path = out / "schedule.json"
        if not schedule.assignments and holds_a_plan(path) and not args.force:
            # a run that found no plan never replaces one that has a plan
            kept, path = path, out / "schedule.no-plan.json"
            said.append(f"kept the plan in {kept}; use --force to replace it")
        write_schedule(path, schedule, scenario)
        said.append(f"wrote {path}")
    if args.json:
        print(schedule_to_json(schedule, scenario), end="")
    else:
        print_result(console, scenario, result)
    for line in said:
        say(line, console=errors if args.json else console)
    if result.interrupted:
        return ExitCode.INTERRUPTED
    if schedule.status is SolveStatus.INFEASIBLE:
        return ExitCode.NO_SCHEDULE
    if schedule.status is SolveStatus.UNKNOWN:
        return ExitCode.NOT_FOUND_IN_TIME
    return ExitCode.OK


# Above this estimated peak memory, sim solve says how much planning will take.
LARGE_MODEL = 1 << 30


def holds_a_plan(path: Path) -> bool:
    """Whether ``path`` is a readable schedule with at least one meeting planned."""
    try:
        return path.is_file() and bool(read_schedule(path).assignments)
    except Exception:  # unreadable or not a schedule: nothing worth keeping
        return False


def _run_robust(
    args: argparse.Namespace,
    scenario: Scenario,
    settings: SolveSettings,
    console: Console,
    errors: Console,
    out: Path | None,
) -> int:
    from sim.robust_plan import choose_robust_plan

    try:
        choice = choose_robust_plan(
            scenario,
            settings,
            runs=args.robust_runs,
            seed=args.robust_seed,
            workers=capped_workers(args.robust_workers, "--robust-workers"),
            progress=None if args.quiet else (lambda m: errors.print(f"  {m}")),
        )
    except ValueError as exc:
        errors.print(str(exc))
        return ExitCode.NO_SCHEDULE
    plain = choice.plain
    table = Table(
        title=f"Robust planning: {args.robust_runs} replays per plan, policy {choice.policy}, "
        f"same disruptions for every plan (seed {args.robust_seed})"
    )
    for column in (
        "plan",
        "meetings",
        "planned weight",
        "cost",
        "E(held weight), 95% CI",
        "P(all required held)",
        "knock-on min/run",
        "chosen",
    ):
        table.add_column(column)
    for c in choice.candidates:
        ci = c.stats.held_weight
        table.add_row(
            c.name,
            str(len(c.schedule.assignments)),
            str(c.held_planned),
            str(plain.held_planned - c.held_planned),
            f"{ci.mean:.1f} ({ci.low:.1f}-{ci.high:.1f})",
            f"{c.stats.p_all_required:.1%}",
            f"{c.stats.knock_on:.0f}",
            "<-" if c is choice.chosen else "",
        )
    console.print(table)
    cost = plain.held_planned - choice.chosen.held_planned
    say(
        f"chosen: {choice.chosen.name}: {choice.reason} (planned cost: {cost} weight)",
        console=console,
    )
    if out is not None:
        for c in choice.candidates:
            write_schedule(out / "robust" / f"{c.name}.json", c.schedule, scenario)
        write_schedule(out / "schedule.json", choice.chosen.schedule, scenario)
        say(
            f"wrote {out / 'schedule.json'} (the chosen plan) and {out / 'robust'}/",
            console=console,
        )
    return ExitCode.OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "solve",
        help=SUMMARIES["solve"],
        description=(
            "Plan every principal's meetings. Exit 0 with a schedule, 3 when none exists "
            "(the conflicting requirements are named), 4 when none was found in time."
        ),
    )
    parser.add_argument("scenario", help="the scenario YAML file")
    parser.add_argument("-o", "--output", metavar="DIR", help="write DIR/schedule.json")
    parser.add_argument(
        "--time-limit",
        type=seconds,
        default=30.0,
        metavar="S",
        help="search budget in seconds of wall-clock time from the command's start "
        "(reading the scenario and building the model included), shared by the "
        "objective tiers (default 30)",
    )
    parser.add_argument(
        "--memory-limit",
        type=memory_size,
        default=None,
        metavar="SIZE",
        help="refuse, before building it, a model estimated to need more memory, e.g. 4G "
        f"(default: half of this machine's, {format_bytes(default_memory_limit())})",
    )
    parser.add_argument(
        "--deterministic",
        action="store_true",
        help="count --time-limit in CP-SAT's deterministic seconds instead: the same "
        "scenario, seed and options always give the same schedule, however busy the "
        "machine (the wall-clock time then varies)",
    )
    parser.add_argument(
        "--seed", type=seed, default=0, help="CP-SAT random seed, 0 to 2**31-1 (default 0)"
    )
    parser.add_argument(
        "--workers",
        type=workers,
        default=1,
        metavar="N",
        help="CP-SAT workers, at most one per core (default 1); more than one runs a "
        "parallel portfolio, reproducible only with --deterministic",
    )
    parser.add_argument(
        "--from",
        dest="previous",
        metavar="PREVIOUS.json",
        help="re-plan: keep as much of this published schedule as possible",
    )
    parser.add_argument(
        "--robust",
        action="store_true",
        help="plan variants with more slack, replay them on the same disruptions, "
        "keep the one that holds up best (see docs/simulation.md)",
    )
    parser.add_argument(
        "--robust-runs",
        type=whole_number(1, what="replays"),
        default=200,
        metavar="N",
        help="replays per variant with --robust (default 200)",
    )
    parser.add_argument(
        "--robust-seed",
        type=seed,
        default=0,
        metavar="S",
        help="root seed of the replays with --robust (default 0)",
    )
    parser.add_argument(
        "--robust-workers",
        type=workers,
        default=1,
        metavar="W",
        help="replay processes with --robust (default 1)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="let a run that finds no plan replace DIR/schedule.json when that holds one "
        "(by default it writes DIR/schedule.no-plan.json instead)",
    )
    add_output_flags(parser, verbose=True)
    parser.set_defaults(run=run)
