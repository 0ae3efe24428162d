"""Problems found in an input file (a scenario or a schedule), each tied to a file,
line, column and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, and how to fix it."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.path}:" if self.path else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}:{field} {self.message}{hint}"


class InputError(Exception):
    """An input file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioError(InputError):
    """Raised when a scenario cannot be loaded; carries every problem found."""


class ScheduleFileError(InputError):
    """Raised when a schedule file (schedule.json) is malformed: not JSON, not a
    schedule, or missing fields. A missing or unreadable file is an InputFileError."""


def format_path(path: tuple[str | int, ...]) -> str:
    """``("meetings", 3, "parties")`` -> ``meetings[3].parties``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class InputFileError(ScenarioError):
    """The input file itself (a scenario or a schedule) is missing or unreadable: a
    usage error, not a bad file. (A ScenarioError for the scenario loader's sake.)"""


class OverBudgetError(InputError):
    """The job asked for would not fit the budget it was given (memory, time): a usage
    error (exit 2), naming the option that sets the budget."""
