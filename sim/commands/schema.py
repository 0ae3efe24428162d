"""``sim schema``: print the JSON Schema of the scenario format."""

from __future__ import annotations

import argparse
import json
import sys

from sim.atomic import write_text_atomic
from sim.commands import SUMMARIES
from sim.commands.console import usable_output_file
from sim.exit_codes import ExitCode
from sim.scenario.document import json_schema


def run(args: argparse.Namespace) -> int:
    output = usable_output_file(args.output) if args.output else None
    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if output is not None:
        write_text_atomic(output, text)
    else:
        sys.stdout.write(text)
    return ExitCode.OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("schema", help=SUMMARIES["schema"])
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")
    parser.set_defaults(run=run)
