"""``sim schema``: print the JSON Schema of the scenario format."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.atomic import write_text_atomic
from sim.exit_codes import ExitCode
from sim.scenario.document import json_schema


def run(args: argparse.Namespace) -> int:
    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if args.output:
        write_text_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return ExitCode.OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("schema", help="print the JSON Schema of the scenario format")
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")
    parser.set_defaults(run=run)
