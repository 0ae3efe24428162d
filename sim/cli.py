"""The ``sim`` command: parses arguments and hands over to ``sim.commands``.

Exit codes are ``sim.exit_codes.ExitCode``: 0 success; 1 invalid input; 2 usage
error (including a missing input file); 3 no schedule exists; 4 no schedule found
in time; 5 a hard rule is broken (``sim check``); 70 an internal error (a bug); 130
interrupted. A file that cannot be written (an output folder that is a file, a full
disk) is a usage error: its path and the reason, no traceback. A bug is one line saying
so and how to report it (``SIM_TRACEBACK=1`` shows the traceback instead).
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import importlib
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import TextIO

from sim.commands import SUMMARIES
from sim.commands.plain import mark_start, printable
from sim.errors import InputError, InputFileError, OverBudgetError, Problem
from sim.exit_codes import ExitCode

# Sub-commands in the order --help lists them; each module has register().
COMMANDS = tuple(SUMMARIES)


def version() -> str:
    """The installed distribution's version; the package's own when not installed."""
    import importlib.metadata

    try:
        return importlib.metadata.version("summit-sim")
    except importlib.metadata.PackageNotFoundError:
        from sim import __version__

        return __version__


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked (importlib.metadata
    costs a tenth of a second at every start otherwise)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"sim (summit-sim) {version()}")
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``only`` (the sub-command named on the command line: each loads
    its own modules, OR-Tools or SimPy among them, so ``sim validate`` need not wait
    for the planner's). Without a known command (``sim --help``, a typo) the parser
    lists every command by its summary and loads none of them: it can only print the
    list or an error. ``only="*"`` registers every command in full (for tests)."""
    parser = argparse.ArgumentParser(
        prog="sim",
        description="Plan, check and stress-test the bilateral meetings of a summit.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if only != "*" and only not in COMMANDS:
        for name, summary in SUMMARIES.items():
            subparsers.add_parser(name, help=summary)
        return parser
    for name in COMMANDS if only == "*" else (only,):
        module_name = f"sim.commands.{name.replace('-', '_')}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # not built yet
            raise
        module.register(subparsers)
    return parser


def _report(problems: Sequence[Problem], code: ExitCode, as_json: bool) -> int:
    """Every problem on standard error (and, with --json, as JSON on standard output)."""
    if as_json:
        import json  # imported here: only --json needs it, not every start

        listed = [dataclasses.asdict(problem) for problem in problems]
        # standard output may be what failed (a full disk): the problems still reach
        # standard error below
        with suppress(OSError):
            print(json.dumps({"ok": False, "exit_code": int(code), "problems": listed}, indent=2))
            sys.stdout.flush()
    for problem in problems:
        print(printable(str(problem)), file=sys.stderr)
    count = len(problems)
    print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
    return code


def os_problem(exc: OSError, command: str) -> Problem:
    """A file system error (an output folder that is a file, a disk that is full, a
    permission refused) as a Problem naming the path."""
    where = exc.filename if exc.filename is not None else f"sim {command}"
    message = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None and exc.errno == errno.ENOSPC:
        # no file named: what filled up is where the text goes (stdout redirected to
        # a full disk), not the output folder
        return Problem(
            str(where), None, None, "", f"cannot print the results: {message}",
            "send the output somewhere with room, and run the command again",
        )  # fmt: skip
    if exc.filename2 is not None:
        message += f" (with {exc.filename2})"
    hints = {
        errno.EEXIST: "a file is in the way of a folder: give another output path",
        errno.ENOTDIR: "a file is in the way of a folder: give another output path",
        errno.EISDIR: "a folder is in the way of a file: give another output path",
        errno.EACCES: "give a path you may write to",
        errno.EPERM: "give a path you may write to",
        errno.EROFS: "give a path on a writable disk",
        errno.ENOSPC: "free some space, or give a path on another disk",
        errno.ELOOP: "a symbolic link leads back to itself: give another path",
        errno.ENAMETOOLONG: "give a shorter path",
    }
    return Problem(str(where), None, None, "", message, hints.get(exc.errno or 0, ""))


def main(argv: Sequence[str] | None = None) -> int:
    mark_start()  # each call is a command of its own (tests call main many times)
    # pydantic looks for plugins among the entry points of every installed package
    # at the first validation (about 18 ms of `sim validate`); the command uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C while the arguments are parsed or a module loads, or a second Ctrl-C
        # while the first is handled: exit at once, quietly, with the usual code
        return _interrupted()
    except ImportError as exc:
        if _caused_by_ctrl_c(exc):
            return _interrupted()
        raise


def _caused_by_ctrl_c(exc: BaseException) -> bool:
    """Whether a Ctrl-C is behind ``exc``: one that lands while a C extension (OR-Tools)
    initialises surfaces as "ImportError: initialization failed", caused by it."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _interrupted() -> int:
    # A further Ctrl-C from here on (or one still pending) would end Python with a
    # traceback or by the signal itself: ignore it first, then say what happened.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with suppress(KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
    return ExitCode.INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    named = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(named)
    args = parser.parse_args(words)
    if getattr(args, "verbose", False):
        # imported here: logging costs a few ms of every start, and only -v uses it
        import logging

        # the planner's search log (CP-SAT's own lines) and our debug lines, on stderr
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    as_json = bool(getattr(args, "json", False))
    shown = warnings.showwarning
    warnings.showwarning = _show_warning  # a library's warning may quote a scenario's name
    try:
        code: int = args.run(args)
    except InputError as exc:
        usage = isinstance(exc, InputFileError | OverBudgetError)
        code = ExitCode.USAGE if usage else ExitCode.INVALID_INPUT
        return _report(exc.problems, code, as_json)
    except BrokenPipeError:
        # the reader stopped reading (``sim ... | head``): no traceback; point stdout at
        # devnull so that Python's own flush at exit does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except OSError as exc:
        # an output that cannot be written (the commands check their output paths before
        # working, but a disk fills up, a folder appears in the way): a usage error
        return _report([os_problem(exc, args.command)], ExitCode.USAGE, as_json)
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as exc:  # a bug: one line that says so, not a traceback
        if _caused_by_ctrl_c(exc):
            return _interrupted()
        if os.environ.get("SIM_TRACEBACK"):
            raise
        print(printable(internal_error(exc, args.command)), file=sys.stderr)
        return INTERNAL_ERROR
    finally:
        warnings.showwarning = shown
    return code


# A bug: EX_SOFTWARE of sysexits.h, apart from every code a user's input can cause.
INTERNAL_ERROR = ExitCode.INTERNAL_ERROR


def internal_error(exc: BaseException, command: str) -> str:
    """A bug in words: what went wrong and where, and what to do."""
    import traceback  # imported here: only a bug needs it, not every start

    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f"{os.sep}sim{os.sep}" in f.filename] or frames
    where = ""
    if ours:
        frame = ours[-1]
        where = f" (at {Path(frame.filename).name}:{frame.lineno})"
    text = str(exc)
    what = f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__
    return (
        f"sim {command}: internal error: {what}{where}. This is a bug in sim, not in your "
        "files: please report it with the command and its input files "
        "(SIM_TRACEBACK=1 shows the Python traceback)"
    )


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Python's warning line, without terminal control characters."""
    text = warnings.formatwarning(message, category, filename, lineno, line)
    print(printable(text), end="", file=sys.stderr if file is None else file)


if __name__ == "__main__":
    sys.exit(main())
