"""What every part of a synthetic summit shares: its size, the constants of a
generated day, and the draft being drawn (what is placed so far, the random
stream and small helpers). ``sim.synth.summit`` lays out the days, venues,
parties and programme; ``sim.synth.requests`` draws the meeting requests; both
build on this module and neither on the other's internals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.times import format_clock

DEFAULT_DENSITY = 0.7
GRAIN = 5
BUFFER = 10
DAY_START, DAY_END = 8 * 60, 22 * 60
LATEST_END = 21 * 60 + 30
TIME_ZONES = (
    "Europe/Berlin",
    "Europe/Moscow",
    "Asia/Singapore",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
    "Asia/Kolkata",
    "America/New_York",
    "Asia/Tokyo",
)

# Rates of the rarer features of a guest (the meetings' are in sim.synth.requests).
LATE, EARLY, UNAVAILABLE, GUEST_LIMIT, BASE = 0.15, 0.15, 0.1, 0.05, 0.3

Span = tuple[int, int]  # minutes after midnight of one day


@dataclass(frozen=True)
class Size:
    """What to generate; checked on creation."""

    parties: int
    requests: int
    days: int
    venues: int
    principals: int = 1
    density: float = DEFAULT_DENSITY

    def __post_init__(self) -> None:
        if self.parties < 2:
            raise ValueError(f"a summit needs at least 2 parties, got {self.parties}")
        if not 1 <= self.principals < self.parties:
            raise ValueError(f"principals must be 1..{self.parties - 1}, got {self.principals}")
        if not 1 <= self.days <= 14:
            raise ValueError(f"days must be 1..14, got {self.days}")
        if not 1 <= self.venues <= 50:
            raise ValueError(f"venues must be 1..50, got {self.venues}")
        if not 0 <= self.requests <= 5000:
            raise ValueError(f"requests must be 0..5000, got {self.requests}")
        if not 0 < self.density <= 5:
            raise ValueError(f"density must be more than 0 and at most 5, got {self.density}")


class SummitDraft:
    """A summit being drawn: what is placed so far, in minutes of each day, and the
    random stream every choice comes from."""

    def __init__(self, size: Size, rng: np.random.Generator) -> None:
        self.size = size
        self.rng = rng
        first = dt.date(2025, 6, 1) + dt.timedelta(days=int(rng.integers(0, 85 - size.days)))
        # June to August: no time zone changes its clocks then, so times of day are
        # plain minutes after midnight on every day.
        self.dates = [first + dt.timedelta(days=i) for i in range(size.days)]
        self.venue_ids: list[str] = []
        self.travel: dict[tuple[str, str], int] = {}
        self.party_ids: list[str] = []
        self.ranks: dict[str, str] = {}
        self.presence: dict[str, tuple[Span, Span]] = {}  # (day 0 span, last day span)
        self.busy: dict[tuple[str, int], list[Span]] = {}  # (party, day) -> spans
        self.events: list[tuple[int, Span]] = []  # (day, span) of every fixed event

    # -- helpers ------------------------------------------------------------------

    def chance(self, rate: float) -> bool:
        return bool(self.rng.random() < rate)

    def pick(self, items: list[Any] | tuple[Any, ...]) -> Any:
        return items[int(self.rng.integers(len(items)))]

    def on_grain(self, low: int, high: int) -> int:
        """A minute in [low, high] on the grain."""
        return GRAIN * int(self.rng.integers(-(-low // GRAIN), high // GRAIN + 1))

    def at(self, day: int, minute: int) -> str:
        return f"{self.dates[day].isoformat()} {format_clock(minute)}"

    def present(self, party: str, day: int, span: Span) -> bool:
        first, last = self.presence.get(party, ((DAY_START, DAY_END), (DAY_START, DAY_END)))
        lo = first[0] if day == 0 else DAY_START
        hi = last[1] if day == self.size.days - 1 else DAY_END
        return lo <= span[0] and span[1] <= hi

    def free(self, parties: list[str], day: int, span: Span, margin: int) -> bool:
        lo, hi = span[0] - margin, span[1] + margin
        return all(
            not (lo < end and start < hi)
            for party in parties
            for start, end in self.busy.get((party, day), [])
        )
