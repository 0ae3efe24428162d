"""``sim export SCHEDULE --scenario SCENARIO -o DIR``: the plan as pictures, calendars,
briefings and tables; with ``--simulation SIMDIR`` also the robustness report."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.check import violations
from sim.commands import SUMMARIES
from sim.commands.console import (
    Refusal,
    add_output_flags,
    print_json,
    refuse_broken,
    run_arguments,
    say,
    usable_output_dir,
    warn_if_foreign,
    wide_console,
)
from sim.errors import InputError, InputFileError, Problem
from sim.exit_codes import ExitCode
from sim.export.bundle import (
    FORMAT_WORDS,
    PLAN_FORMATS,
    ExportError,
    parse_formats,
    refuse_unusable,
)
from sim.model import Scenario
from sim.output_set import verify
from sim.scenario.load import load_scenario
from sim.schedule import Schedule, read_schedule


def run(args: argparse.Namespace) -> int:
    try:
        formats = parse_formats(args.format)
    except ExportError as exc:
        say(f"sim export: {exc}", error=True)
        return ExitCode.USAGE
    out = usable_output_dir(args.output)
    scenario = load_scenario(args.scenario)
    # refused if it names a meeting, venue or day the scenario does not have
    schedule = read_schedule(args.schedule, scenario)
    warn_if_foreign(args.schedule, schedule, scenario)
    if _refuse_invalid(args, scenario, schedule):
        return ExitCode.RULES_BROKEN
    # the published schedule may be of an older version of the scenario, naming
    # meetings since withdrawn; only the venues it names must still exist
    previous = read_schedule(args.previous, scenario, published=True) if args.previous else None
    if previous is not None:  # of another summit, or not re-planned from it: refused
        refuse_unusable(scenario, schedule, previous, (args.schedule, args.previous))
    simulation = Path(args.simulation) if args.simulation else None
    if simulation is not None and not (simulation / "simulation.json").is_file():
        raise InputFileError(
            [
                Problem(
                    str(simulation),
                    None,
                    None,
                    "",
                    "no simulation.json here",
                    "give the folder that 'sim simulate -o DIR' wrote",
                )
            ]
        )
    if simulation is not None:
        verdict = verify(simulation)
        if verdict.manifest is not None and not verdict.complete:
            # files of two runs, or changed since: the report would mix them
            raise InputError([Problem(str(simulation), None, None, "", verdict.reason)])
        if not verdict.complete:
            say(f"warning: {verdict.reason}", error=True)
    from sim.export import export

    paths = export(
        scenario,
        schedule,
        out,
        formats,
        previous=previous,
        simulation_dir=simulation,
        command="sim export",
        arguments=run_arguments(args),
    )
    console = wide_console()
    if args.json:
        print_json({"files": [str(p) for p in paths]})
    elif not args.quiet:
        say(f"wrote {len(paths)} files into {out}; open {out / 'index.html'}", console=console)
    return ExitCode.OK


REFUSAL = Refusal(
    "sim export",
    "export",
    "exporting it anyway (--allow-invalid): the calendars and briefings show a plan",
)


def _refuse_invalid(args: argparse.Namespace, scenario: Scenario, schedule: Schedule) -> bool:
    """Say which hard rules the schedule breaks (by the independent checker); True when
    the export must not go on: calendars and briefings of a double-booked plan would
    reach the delegations as if it were sound."""
    broken = violations(scenario, schedule)
    named = {args.schedule: broken} if broken else {}
    return refuse_broken(REFUSAL, named, allow=args.allow_invalid, as_json=args.json)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listed = "; ".join(f"{name}: {words}" for name, words in FORMAT_WORDS.items())
    parser = commands.add_parser(
        "export",
        help=SUMMARIES["export"],
        description=(
            "Write the plan for people: an interactive Gantt chart (offline HTML), "
            "PNG and SVG pictures, one calendar and one briefing per delegation, a CSV "
            "of every engagement, a Mermaid Gantt, and index.html linking them. With "
            "--simulation, also the robustness report and the planned-versus-realised "
            f"charts of the median and worst replays. Formats: {listed}."
        ),
    )
    parser.add_argument("schedule", help="the schedule.json written by 'sim solve'")
    parser.add_argument("--scenario", required=True, help="the scenario YAML file it plans")
    parser.add_argument(
        "--format",
        default="all",
        metavar="LIST",
        help=f"comma-separated: {','.join(PLAN_FORMATS)} (default all)",
    )
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="where to write")
    parser.add_argument(
        "--previous",
        metavar="OLD.json",
        help="the published schedule: calendars then update every event and cancel what it "
        "sent that the new plan drops; the new plan must be re-planned from it ('sim solve "
        "--from OLD.json'), so that its revision is higher",
    )
    parser.add_argument(
        "--simulation",
        metavar="SIMDIR",
        help="the folder 'sim simulate -o' wrote: adds the robustness report",
    )
    parser.add_argument(
        "--allow-invalid",
        action="store_true",
        help="export a schedule that breaks hard rules (by default it is refused, exit 5)",
    )
    add_output_flags(parser)
    parser.set_defaults(run=run)
