"""The exit codes of the ``sim`` command, in one place.

| code | meaning |
|---|---|
| 0 | success |
| 1 | invalid input: a bad scenario or schedule file (every problem on standard error) |
| 2 | usage error: wrong arguments, or an input file is missing or unreadable |
| 3 | no schedule exists (``sim solve``: the requirements conflict) |
| 4 | no schedule was found within the time limit (``sim solve``) |
| 5 | the schedule breaks a hard rule (``sim check``) |
| 70 | internal error: a bug in sim (one line on standard error, how to report it) |
| 130 | interrupted (Ctrl-C) |
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INVALID_INPUT = 1
    USAGE = 2
    NO_SCHEDULE = 3
    NOT_FOUND_IN_TIME = 4
    RULES_BROKEN = 5
    INTERNAL_ERROR = 70  # EX_SOFTWARE (sysexits.h)
    INTERRUPTED = 130
