"""Consoles for command output, and the warnings every command gives alike."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from rich.console import Console

from sim.model import Scenario
from sim.schedule import Schedule, provenance_mismatch


def wide_console() -> Console:
    """Standard output; when it is not a terminal (a file, a pipe, CI) rich would wrap
    tables at 80 columns, which cuts meeting ids: give it room instead."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=160)
    return console


def warn_if_foreign(path: str, schedule: Schedule, scenario: Scenario) -> None:
    """One line on standard error when the schedule read from ``path`` was not made
    from this scenario file (another id or another version); the command goes on."""
    mismatch = provenance_mismatch(schedule, scenario)
    if mismatch is not None:
        # print, not rich: one line however long, and the path is not markup.
        print(f"warning: {path}: {mismatch}", file=sys.stderr)


# C0 and C1 control characters but tab and newline: a scenario's names must not reach a
# terminal as escape sequences (retitle it, clear the screen).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without terminal control characters (each shown as ``?``)."""
    return _CONTROL.sub("?", text)


def say(text: str, *, console: Console | None = None, error: bool = False) -> None:
    """Print one plain line: no rich markup (names may contain ``[``), no control
    characters."""
    if console is None:
        print(printable(text), file=sys.stderr if error else sys.stdout)
    else:
        console.print(printable(text), markup=False, highlight=False)


def add_output_flags(parser: argparse.ArgumentParser, *, verbose: bool = False) -> None:
    """``--json``, ``-q/--quiet`` and, where there is a search log, ``-v/--verbose``."""
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON on standard output (and nothing else there)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress; only the result")
    if verbose:
        parser.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help="log the search on standard error (the planner's own log lines)",
        )


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
