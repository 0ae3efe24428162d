"""How big the CP-SAT model of a scenario will be, before it is built.

The model's size is dominated by the circuits of the parties' days: one node per
meeting and day (whichever venue it takes) and per fixed event, and one arc
literal (with its enforced constraints) per ordered pair of nodes of a party's day
that can follow each other in time. A busy principal's day grows with the square
of its candidate nodes, so a small file (many whole days, many venues, many
requests) can ask for gigabytes. ``estimate_model`` counts nodes exactly and arcs
with the same time-window test the model applies (an upper bound: it leaves out
the finer pruning), in well under a second, without building anything; the
planner's caller compares the memory it implies with a budget and refuses a
scenario that would not fit, naming the budget, instead of meeting the kernel's
out-of-memory killer.

The bytes per arc were measured with ``sim solve --time-limit 15`` (peak resident
memory, GNU time): tutorial 118 MB (205 arcs counted here), kazan-2024 162 MB
(2,629), whole-summit 477 MB (24,684), generated summits of 30, 60 and 100
requests 354 MB (33,855), 1.20 GB (264,131) and 1.74 GB (361,542). The constants
cover the worst of them (whole-summit, whose rules add constraints to every arc),
so the estimate errs on the large side: by up to half on the generated summits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim.errors import OverBudgetError, Problem
from sim.model import Scenario
from sim.solve.candidates import alternatives

# Peak resident memory, measured: the interpreter with OR-Tools loaded, and what
# each arc of the circuits costs through build, presolve and search.
BASE_BYTES = 260 << 20
BYTES_PER_ARC = 9 << 10


@dataclass(frozen=True)
class ModelSize:
    """The model's size before it is built: its nodes and arcs, the busiest party's
    day, and the peak memory they imply."""

    nodes: int
    arcs: int
    busiest: str  # the party-day with the most arcs, in words
    busiest_arcs: int

    @property
    def memory(self) -> int:
        """Estimated peak memory of planning (bytes)."""
        return BASE_BYTES + BYTES_PER_ARC * self.arcs


def estimate_model(scenario: Scenario) -> ModelSize:
    """Count the nodes and (an upper bound on) the arcs of the planner's model."""
    buffer = scenario.rules.buffer
    # per (party, day): the meeting nodes' windows and the fixed events' times
    meetings: dict[tuple[str, int], list[tuple[int, int, int]]] = defaultdict(list)
    events: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for meeting in scenario.meetings:
        # one node per meeting and day, whichever venue and stretch of starts it takes
        by_day: dict[int, list[int]] = defaultdict(list)
        for alt in alternatives(scenario, meeting):
            starts = alt.allowed_starts()
            if starts:
                by_day[alt.day] += [starts[0], starts[-1]]
        for day, bounds in by_day.items():
            window = (min(bounds), max(bounds), meeting.duration)
            for party in meeting.parties:
                meetings[(party, day)].append(window)
    for attendee in scenario.parties:
        for event in scenario.fixed_events_of(attendee.id):
            for one_day in scenario.days:
                if one_day.window.contains(event.time.start, event.time.end):
                    times = (event.time.start, event.time.end)
                    events[(attendee.id, one_day.index)].append(times)
    nodes = arcs = 0
    busiest, busiest_arcs = "", 0
    for key in sorted(set(meetings) | set(events)):
        count, day_arcs = _party_day(meetings.get(key, []), events.get(key, []), buffer)
        nodes += count
        arcs += day_arcs
        if day_arcs > busiest_arcs:
            party, day = key
            name = scenario.party_by_id[party].name
            busiest, busiest_arcs = f"{name} on {scenario.days[day].date:%a %d %b}", day_arcs
    return ModelSize(nodes, arcs, busiest, busiest_arcs)


def _party_day(
    meetings: list[tuple[int, int, int]], events: list[tuple[int, int]], buffer: int
) -> tuple[int, int]:
    """Nodes and arcs of one party's day: an arc from a tail to a head exists when the
    head can start after the tail can end (plus the buffer) and no fixed event lies
    wholly between them (the model's own two tests; travel is left out, so this is an
    upper bound). Counted in blocks of tails with numpy: O(n^2) comparisons, little
    memory."""
    starts = np.array([m[0] for m in meetings] + [e[0] for e in events], dtype=np.int64)
    latest = np.array([m[1] for m in meetings] + [e[0] for e in events], dtype=np.int64)
    length = np.array([m[2] for m in meetings] + [e[1] - e[0] for e in events], dtype=np.int64)
    is_meeting = np.array([True] * len(meetings) + [False] * len(events))
    count = len(starts)
    if count == 0:
        return 0, 0
    # the earliest end of a fixed event starting at or after a moment: nothing after a
    # tail can start once such an event is over (it would lie between them)
    ordered = sorted(events)
    event_starts = np.array([e[0] for e in ordered] + [np.iinfo(np.int64).max // 4])
    ends_after = np.minimum.accumulate(
        np.array([e[1] for e in ordered] + [np.iinfo(np.int64).max // 4])[::-1]
    )[::-1]
    tail_latest_end = latest + length
    barrier = ends_after[np.searchsorted(event_starts, tail_latest_end, side="left")]
    pairs = 0
    for first in range(0, count, _BLOCK):
        block = slice(first, first + _BLOCK)
        gap = np.where(is_meeting[block, None] | is_meeting[None, :], buffer, 0)
        follows = latest[None, :] >= (starts[block] + length[block])[:, None] + gap
        unbarred = starts[None, :] < barrier[block, None]
        pairs += int(np.count_nonzero(follows & unbarred))
    return count, pairs + 2 * count + 1  # with the depot's arcs and the skip loops


_BLOCK = 512


def _size_words(value: int) -> str:
    return f"{value / (1 << 30):.1f} GB" if value >= 1 << 30 else f"{value / (1 << 20):.0f} MB"


def refuse_over_budget(scenario: Scenario, memory_limit: int, where: str = "") -> ModelSize:
    """The model's size; OverBudgetError (naming the budget, the busiest party's day
    and what to change) when its estimated peak memory is over ``memory_limit``."""
    size = estimate_model(scenario)
    if size.memory <= memory_limit:
        return size
    raise OverBudgetError(
        [
            Problem(
                where or f"scenario {scenario.id}",
                None,
                None,
                "",
                f"planning this scenario would need about {_size_words(size.memory)} of "
                f"memory, more than the memory limit of {_size_words(memory_limit)} "
                f"(--memory-limit; the busiest day is {size.busiest}, with "
                f"{size.busiest_arcs:,} pairs of engagements that could follow each other)",
                "narrow the meetings' days, venues or time windows (every option adds "
                "to the model), split the summit into shorter scenarios, or raise "
                "--memory-limit if the machine has the memory",
            )
        ]
    )
