"""Estimates of a job's time and memory, and the budget that refuses a job too big.

``sim simulate`` and ``sim generate`` estimate a large job before they start it,
print the estimate, and refuse it (exit 2, naming the option and the limit) when it
is over the budget: ``--max-seconds`` (no limit unless given) and
``--memory-limit`` (default: half of this machine's memory). Estimates are rough
(within a factor of about two): they say whether a job takes seconds or days, and
whether it fits in memory, not when it will end.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", re.IGNORECASE)

# Below this no estimate is printed: the job takes moments.
WORTH_SAYING_SECONDS = 10.0


def machine_memory() -> int:
    """This machine's physical memory in bytes (8 GiB when it cannot be read)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not Linux
        return 8 << 30


def default_memory_limit() -> int:
    """Half the machine's memory: room for the system and the other programs."""
    return machine_memory() // 2


def parse_memory(text: str) -> int:
    """``"2G"``, ``"500M"``, ``"1.5GB"``, ``"2GiB"`` or a number of bytes -> bytes.
    Raises ValueError with the reason."""
    match = _MEMORY.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a size such as 2G or 500M, not {text!r}")
    value = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if value < 1 << 20:
        raise ValueError(f"a memory limit below 1M leaves no room to work, not {text!r}")
    return value


def format_bytes(value: float) -> str:
    for unit, size in (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{max(value, 0) / (1 << 10):.0f} KB"


def format_seconds(value: float) -> str:
    if value < 90:
        return f"{value:.0f} s"
    if value < 90 * 60:
        return f"{value / 60:.0f} min"
    if value < 48 * 3600:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.0f} days"


@dataclass(frozen=True)
class Estimate:
    """What a job will take, roughly: wall-clock seconds and peak memory in bytes."""

    seconds: float
    memory: int

    def words(self) -> str:
        return f"about {format_seconds(self.seconds)} and {format_bytes(self.memory)} of memory"


def over_budget(
    estimate: Estimate, max_seconds: float | None, memory_limit: int, what: str
) -> str | None:
    """Why ``estimate`` does not fit the budget, naming the option and the limit; None
    when it fits. ``what``: the job, in words ("200000 replications")."""
    if estimate.memory > memory_limit:
        return (
            f"{what} would need {format_bytes(estimate.memory)} of memory, more than "
            f"--memory-limit {format_bytes(memory_limit)}; ask for less, or raise "
            "--memory-limit if the machine has the memory"
        )
    if max_seconds is not None and estimate.seconds > max_seconds:
        return (
            f"{what} would take {format_seconds(estimate.seconds)}, more than "
            f"--max-seconds {format_seconds(max_seconds)}; ask for less, or raise --max-seconds"
        )
    return None


def generate_estimate(*, parties: int, requests: int, days: int, venues: int) -> Estimate:
    """``sim generate``: measured on a 2-core machine (100 parties and 200 requests
    1.9 s and 114 MB; 1000 and 1000 3.9 s and 136 MB; 1000 and 5000 over 14 days
    and 50 venues 13.5 s and 212 MB, the generator's largest)."""
    seconds = 1.5 + 0.0024 * requests + 0.0008 * parties + 0.001 * days * venues
    memory = (110 << 20) + requests * (20 << 10) + parties * (4 << 10)
    return Estimate(seconds, memory)
