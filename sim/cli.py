"""The ``sim`` command: parses arguments and hands over to ``sim.commands``.

Exit codes are ``sim.exit_codes.ExitCode``: 0 success; 1 invalid input; 2 usage
error (including a missing input file); 3 no schedule exists; 4 no schedule found
in time; 5 a hard rule is broken (``sim check``); 130 interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.metadata
import json
import logging
import os
import sys
from collections.abc import Sequence

from sim.commands.console import printable
from sim.errors import InputError, InputFileError
from sim.exit_codes import ExitCode

# Sub-commands in the order --help lists them; each module has register().
COMMANDS = ("run", "validate", "schema", "solve", "check", "simulate", "export", "generate")


def version() -> str:
    """The installed distribution's version; the package's own when not installed."""
    try:
        return importlib.metadata.version("summit-sim")
    except importlib.metadata.PackageNotFoundError:
        from sim import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sim",
        description="Plan, check and stress-test the bilateral meetings of a summit.",
    )
    parser.add_argument("--version", action="version", version=f"sim (summit-sim) {version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"sim.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"sim.commands.{name}":
                continue  # not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "verbose", False):
        # the planner's search log (CP-SAT's own lines) and our debug lines, on stderr
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    try:
        code: int = args.run(args)
    except InputError as exc:
        code = ExitCode.USAGE if isinstance(exc, InputFileError) else ExitCode.INVALID_INPUT
        if getattr(args, "json", False):
            problems = [dataclasses.asdict(problem) for problem in exc.problems]
            print(json.dumps({"ok": False, "exit_code": int(code), "problems": problems}, indent=2))
        for problem in exc.problems:
            print(printable(str(problem)), file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return code
    except BrokenPipeError:
        # the reader stopped reading (``sim ... | head``): no traceback; point stdout at
        # devnull so that Python's own flush at exit does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    return code


if __name__ == "__main__":
    sys.exit(main())
