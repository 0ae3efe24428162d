"""``sim import-b2b FILE.dzn [-o FILE.yaml]``: a B2B benchmark instance as a scenario."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.atomic import write_text_atomic
from sim.b2b import b2b_yaml, load_imported
from sim.commands import SUMMARIES
from sim.commands.console import say, usable_output_file
from sim.errors import InputError, Problem
from sim.exit_codes import ExitCode


def run(args: argparse.Namespace) -> int:
    output = usable_output_file(args.output) if args.output else None
    if output is not None and _same_file(Path(args.instance), output):
        raise InputError(
            [
                Problem(
                    args.output,
                    None,
                    None,
                    "-o",
                    "this is the instance itself: writing the scenario there would destroy it",
                    f"write it beside, e.g. -o {Path(args.instance).with_suffix('.yaml').name}",
                )
            ]
        )
    text = b2b_yaml(args.instance)
    scenario = load_imported(text, args.instance)  # never write a bad one
    if output is None:
        sys.stdout.write(text)
        return ExitCode.OK
    write_text_atomic(output, text)
    tables = scenario.venues[0].rooms
    say(
        f"{output}: {len(scenario.parties)} participants, {len(scenario.meetings)} meetings, "
        f"{tables} table{'' if tables == 1 else 's'}; plan it with: sim solve {output} -o DIR"
    )
    return ExitCode.OK


def _same_file(instance: Path, output: Path) -> bool:
    """Whether ``output`` is ``instance`` (by any path, a link included)."""
    try:
        return output.exists() and instance.exists() and output.samefile(instance)
    except OSError:
        return False


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "import-b2b",
        help=SUMMARIES["import-b2b"],
        description="Turn an instance of the business-to-business meeting scheduling "
        "benchmark (MiniZinc data, .dzn) into a scenario: one day of one-slot meetings, "
        "tables as rooms, sessions as windows, forbidden slots as unavailability, fixed "
        "meetings pinned, precedences as order, the compact-days objective with fairness 2.",
    )
    parser.add_argument("instance", help="the instance file (.dzn)")
    parser.add_argument("-o", "--output", help="write the scenario here instead of printing it")
    parser.set_defaults(run=run)
