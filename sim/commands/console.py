"""Consoles for command output, the warnings every command gives alike, the checks of
output paths, and the argument types every command shares.

The helpers that need no rich (``printable``, ``say``, ``print_json``, the command's
start time, the output flags) live in ``sim.commands.plain`` and are re-exported here;
``sim.cli`` and ``sim validate`` import that module alone, to start without rich.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console, HighlighterType, JustifyMethod, OverflowMethod
from rich.style import Style
from rich.text import Text

from sim.budget import default_memory_limit, format_bytes, parse_memory
from sim.commands.plain import add_output_flags as add_output_flags
from sim.commands.plain import command_started as command_started
from sim.commands.plain import mark_start as mark_start
from sim.commands.plain import print_json as print_json
from sim.commands.plain import printable as printable
from sim.commands.plain import say as say
from sim.errors import InputFileError, Problem
from sim.exit_codes import ExitCode
from sim.model import Scenario
from sim.schedule import Schedule, provenance_mismatch


class PlainConsole(Console):
    """A rich console that shows every string as written: no markup (a name such as
    ``[/bold]`` is text, not a tag), no emoji codes, no highlighting, and no terminal
    control characters (an escape sequence in a name shows as ``?``). Strings in
    tables (cells, titles, captions) go through ``render_str`` too, so tables made
    elsewhere are safe to print here."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def on_broken_pipe(self) -> None:
        """The reader stopped reading (``sim run ... | head``): stop printing, but let
        the command finish its files and exit as it would have. (rich's own exits
        with 1 at once: a plan half a minute in the making was lost, its folder
        left without a manifest.)"""
        self.quiet = True
        stream = sys.stderr if self.stderr else sys.stdout
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())

    def render_str(
        self,
        text: str,
        *,
        style: str | Style = "",
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        emoji: bool | None = None,
        markup: bool | None = None,
        highlight: bool | None = None,
        highlighter: HighlighterType | None = None,
    ) -> Text:
        return super().render_str(
            printable(text),
            style=style,
            justify=justify,
            overflow=overflow,
            emoji=False,
            markup=False,
            highlight=False,
            highlighter=highlighter,
        )


def plain_text(text: str, style: str = "") -> Text:
    """A rich ``Text`` of ``text`` as written (for tables): no markup, no control
    characters."""
    return Text(printable(text), style=style)


def wide_console() -> Console:
    """Standard output; when it is not a terminal (a file, a pipe, CI) rich would wrap
    tables at 80 columns, which cuts meeting ids: give it room instead."""
    console = PlainConsole()
    if not console.is_terminal:
        console = PlainConsole(width=160)
    return console


def error_console() -> Console:
    """Standard error, plain (see ``PlainConsole``)."""
    return PlainConsole(stderr=True)


def warn_if_foreign(path: str, schedule: Schedule, scenario: Scenario) -> None:
    """One line on standard error when the schedule read from ``path`` was not made
    from this scenario file (another id or another version); the command goes on."""
    mismatch = provenance_mismatch(schedule, scenario)
    if mismatch is not None:
        # print, not rich: one line however long, and the path is not markup.
        print(printable(f"warning: {path}: {mismatch}"), file=sys.stderr)


def note_leftovers(removed: list[Path], folder: Path) -> None:
    """One line on standard error when the hidden temporary files a killed run left in
    ``folder`` were removed (``sim.output_set.OutputSet.removed``)."""
    if removed:
        count = len(removed)
        files = "file" if count == 1 else "files"
        say(
            f"note: removed {count} hidden temporary {files} that an interrupted run left "
            f"in {folder}",
            error=True,
        )


# --- output paths: checked before the work, not after a long solve ------------------------


def _bad_output(path: Path, option: str, message: str, hint: str) -> InputFileError:
    return InputFileError([Problem(str(path), None, None, option, message, hint)])


def _link_problem(path: Path) -> str | None:
    """What is wrong with ``path`` as a symbolic link (None if it is none, or a good one)."""
    if not path.is_symlink():
        return None
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that leads back to itself (a loop)"
        return f"is a symbolic link to {os.readlink(path)}, which does not exist"
    return None


def _creatable(path: Path, option: str, hint: str) -> None:
    """``path`` does not exist: its nearest existing ancestor must be a folder we may
    write in, and no ancestor may be a broken link."""
    for ancestor in path.parents:
        if not os.path.lexists(ancestor):
            continue
        link = _link_problem(ancestor)
        if link is not None:
            raise _bad_output(path, option, f"{ancestor} {link}", hint)
        try:
            mode = os.stat(ancestor).st_mode
        except OSError as exc:
            raise _bad_output(path, option, f"{ancestor}: {exc.strerror}", hint) from None
        if not stat.S_ISDIR(mode):
            raise _bad_output(path, option, f"{ancestor} is a file, not a folder", hint)
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise _bad_output(
                path, option, f"cannot create anything in {ancestor}: permission denied", hint
            )
        return


def usable_output_dir(path: str | Path, option: str = "--output") -> Path:
    """``path`` as a folder to write into: it exists and is a writable folder, or it
    can be created. Otherwise an InputFileError (a usage error, exit 2) naming the path
    and what is wrong, raised before any work is done."""
    folder = Path(path)
    hint = "give a folder (it is created if missing)"
    if str(path) == "":
        raise _bad_output(folder, option, "the folder's name is empty", hint)
    link = _link_problem(folder)
    if link is not None:
        raise _bad_output(folder, option, link, hint)
    try:
        mode = os.stat(folder).st_mode
    except (FileNotFoundError, NotADirectoryError):
        _creatable(folder, option, hint)
        return folder
    except OSError as exc:
        _creatable(folder, option, hint)  # names a looping link among the ancestors
        raise _bad_output(folder, option, f"cannot use it: {exc.strerror}", hint) from None
    if not stat.S_ISDIR(mode):
        raise _bad_output(folder, option, "is a file, not a folder", hint)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _bad_output(folder, option, "is a folder you cannot write in", hint)
    return folder


def usable_output_file(path: str | Path, option: str = "--output") -> Path:
    """``path`` as a file to write (replaced whole if it exists): not a folder, not a
    broken link, and its folder exists or can be created. Otherwise an InputFileError
    (exit 2) raised before any work is done."""
    target = Path(path)
    hint = "give the path of a file to write"
    if str(path) == "":
        raise _bad_output(target, option, "the file name is empty", hint)
    link = _link_problem(target)
    if link is not None:
        raise _bad_output(target, option, link, hint)
    try:
        mode = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        _creatable(target, option, hint)
        return target
    except OSError as exc:
        _creatable(target, option, hint)  # names a looping link among the ancestors
        raise _bad_output(target, option, f"cannot use it: {exc.strerror}", hint) from None
    if stat.S_ISDIR(mode):
        raise _bad_output(target, option, "is a folder, not a file", hint)
    if not stat.S_ISREG(mode):
        # written whole by renaming over it, which would replace a device or a pipe
        raise _bad_output(
            target,
            option,
            "is a device or a pipe, not a regular file",
            "leave out the option to write to standard output",
        )
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise _bad_output(target, option, f"cannot write in {target.parent}", hint)
    return target


# --- argument types: refused by argparse with the reason (exit 2) -------------------------

MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit int; numpy's streams agree


def seed(text: str) -> int:
    """A random seed: a whole number from 0 to 2**31 - 1."""
    value = _whole(text)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"a seed is a whole number from 0 to {MAX_SEED}, not {_shown(text)}"
        )
    return value


def seconds(text: str) -> float:
    """A time budget: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds such as 30 or 0.5, not {_shown(text)}"
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"must be a positive, finite number of seconds, not {_shown(text)}"
        )
    return value


def whole_number(minimum: int, maximum: int | None = None, what: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number from ``minimum`` (to ``maximum``)."""

    def parse(text: str) -> int:
        value = _whole(text)
        if value < minimum or (maximum is not None and value > maximum):
            span = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
            noun = f" of {what}" if what else ""
            raise argparse.ArgumentTypeError(
                f"expected a whole number{noun}, {span}, not {_shown(text)}"
            )
        return value

    parse.__name__ = "whole number"
    return parse


workers = whole_number(1, what="workers")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, as ``taskset`` or a
    container sets it), else the machine's."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def capped_workers(requested: int | None, option: str = "--workers") -> int:
    """``requested`` workers, at most one per core (more only wait for one), with a note
    on standard error when it was more; one per core when not given."""
    cores = available_cores()
    if requested is None:
        return cores
    if requested > cores:
        print(
            f"note: {option} {requested} is more than the {cores} cores here; using {cores}",
            file=sys.stderr,
        )
        return cores
    return requested


def memory_size(text: str) -> int:
    """A memory budget such as ``2G`` or ``500M``, in bytes."""
    try:
        return parse_memory(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(printable(str(exc))) from None


def add_budget_flags(parser: argparse.ArgumentParser) -> None:
    """``--max-seconds`` and ``--memory-limit``: a large job is estimated first and
    refused (exit 2) when over either."""
    parser.add_argument(
        "--max-seconds",
        type=seconds,
        default=None,
        metavar="S",
        help="refuse a job estimated to take longer than S seconds (default: no limit)",
    )
    parser.add_argument(
        "--memory-limit",
        type=memory_size,
        default=None,
        metavar="SIZE",
        help="refuse a job estimated to need more memory, e.g. 4G or 500M "
        f"(default: half of this machine's, {format_bytes(default_memory_limit())})",
    )


def run_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The command's arguments as plain JSON values (for an output's manifest)."""
    plain: dict[str, Any] = {}
    for name, value in sorted(vars(args).items()):
        if name == "run" or callable(value):
            continue
        if isinstance(value, (list, tuple)):
            value = [v if isinstance(v, (str, int, float, bool)) else str(v) for v in value]
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        plain[name] = value
    return plain


def _whole(text: str) -> int:
    try:
        if not text.isascii():  # int() also reads other scripts' digits
            raise ValueError(text)
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number such as 0 or 42, not {_shown(text)}"
        ) from None


def _shown(text: str) -> str:
    shown = printable(text)
    return repr(shown if len(shown) <= 40 else shown[:40] + "...")


# --- schedules that break hard rules -------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """How a command words its refusal of a schedule that breaks hard rules."""

    command: str  # "sim simulate"
    verb: str  # "replay": "... or replay it anyway with --allow-invalid"
    anyway: str  # "replaying it anyway (--allow-invalid): the results describe a plan"


def refuse_broken(
    refusal: Refusal,
    broken: Mapping[str, Sequence[object]],
    *,
    allow: bool,
    as_json: bool,
) -> bool:
    """Say which hard rules each named schedule breaks (``broken``: the checker's
    violations by schedule); True when the command must not go on (not ``allow``)."""
    if not broken:
        return False
    for name, found in broken.items():
        rules = f"{len(found)} hard rule{'s' if len(found) != 1 else ''}"
        say(f"{refusal.command}: the schedule {name} breaks {rules}:", error=True)
        for violation in found:
            say(f"  - {violation}", error=True)
    if allow:
        say(f"warning: {refusal.anyway} that breaks the rules above", error=True)
        return False
    say(
        f"{refusal.command}: refused; fix the schedule (sim solve, sim check), or "
        f"{refusal.verb} it anyway with --allow-invalid",
        error=True,
    )
    if as_json:
        print_json(
            {
                "ok": False,
                "exit_code": int(ExitCode.RULES_BROKEN),
                "broken": {n: [str(v) for v in found] for n, found in broken.items()},
            }
        )
    return True
