"""The part of the command output helpers that needs no rich: the command's start time,
plain lines without terminal control characters, JSON output and the output flags.

Kept apart from ``sim.commands.console`` (which re-exports all of it) so that
``sim.cli`` and ``sim validate`` start without rich, the domain model of schedules and
the memory budget: together about 60 ms of every start. Import nothing heavy here.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

# When the command started (``sim.cli.main`` marks it; first set as the modules
# load): ``sim solve --time-limit`` counts from here, so reading the scenario and
# loading the planner count too.
_started = time.perf_counter()


def mark_start() -> None:
    global _started
    _started = time.perf_counter()


def command_started() -> float:
    """When the running command started (a time.perf_counter() reading)."""
    return _started


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
        console.print(printable(text), markup=False, highlight=False, emoji=False)


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
    import json  # imported here: only --json needs it, not every start

    print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 day``, ``3 days``, ``1 meeting request``: a count with its noun."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


# Each objective tier as a protocol officer would say it: (words, unit, sign). The
# slack tiers are minimised as minus the spare time: said as the spare time itself.
_OBJECTIVE_SENTENCES = {
    "unheld_weight": ("weight of optional meetings left out", "", 1),
    "shortening": ("minutes cut from meetings below their requested length", " min", 1),
    "safety": (
        "minutes important meetings fall short of their overrun reserve before what "
        "cannot move (the programme, a departure, the day's end)",
        " min",
        1,
    ),
    "preferences": ("protocol preferences given up", " points (docs/planning-rules.md)", 1),
    "travel": ("principals' time on the road between venues", " min", 1),
    "min_slack": ("shortest spare time between a principal's engagements", " min", -1),
    "weighted_slack": ("spare time after meetings, weighted by their importance", "", -1),
    "changes": ("changes to the published plan (weighted, a drop counts thrice)", "", 1),
    "displacement": ("minutes the kept meetings moved", "", 1),
    "compact_days": (
        "idle gaps in the parties' days (a gap: a free run between two engagements)",
        "",
        1,
    ),
}


def objective_in_words(name: str, value: int) -> str:
    """One objective tier as a protocol officer would say it."""
    words, unit, sign = _OBJECTIVE_SENTENCES.get(name, (name, "", 1))
    return f"{words}: {sign * value}{unit}"
