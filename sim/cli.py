"""The ``sim`` command: parses arguments and calls the modules that do the work.

Exit codes: 0 success; 1 invalid input (or, for ``check``, a broken hard rule);
2 usage error; 3 no schedule exists (infeasible).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.errors import InputFileError, ScenarioError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INFEASIBLE = 3


def _validate(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    principals = ", ".join(p.id for p in scenario.principals)
    print(
        f"{args.scenario}: valid: {len(scenario.days)} days, {len(scenario.venues)} venues, "
        f"{len(scenario.parties)} parties (principals: {principals}), "
        f"{len(scenario.fixed_events)} fixed events, {len(scenario.meetings)} meeting requests "
        f"({sum(m.required for m in scenario.meetings)} required)"
    )
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from sim.schema import json_schema

    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if args.output:
        from sim.files import write_text_atomic

        write_text_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sim",
        description="Plan, check and stress-test the bilateral meetings of a summit.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check a scenario file and report every problem with its line"
    )
    validate.add_argument("scenario", help="the scenario YAML file")
    validate.set_defaults(run=_validate)

    schema = commands.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.add_argument("-o", "--output", help="write to this file instead of standard output")
    schema.set_defaults(run=_schema)

    for register in _EXTRA_COMMANDS:
        register(commands)
    return parser


# Later modules add their sub-commands here, keeping this file thin.
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, InputFileError) else EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
