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

The constants were fitted to peak resident memory (GNU time) of ``sim solve``
with 20-60 s limits: kazan-2024 162 MB (1,064 arcs counted here, 2,010 travel
terms), whole-summit 290 MB (6,148; 17,866), generated summits of 60, 150 and 300
requests 270 MB, 618 MB and 1.29 GB (up to 85,905 arcs and 1.06 million terms),
and seven whole days at twenty venues with 60 requests 2.02 GB (26,023 arcs, 6.0
million terms: twenty venues make every arc's travel a twenty-way choice). The
estimate covers each of them, and errs on the large side by up to 40 %.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim.errors import OverBudgetError, Problem
from sim.model import Scenario
from sim.solve.candidates import alternatives
from sim.solve.cpmodel import start_runs

# Peak resident memory, measured: the interpreter with OR-Tools loaded, and what
# each arc of the circuits costs through build, presolve and search.
BASE_BYTES = 200 << 20
BYTES_PER_ARC = 15 << 10
BYTES_PER_TERM = 300


@dataclass(frozen=True)
class ModelSize:
    """The model's size before it is built: its nodes and arcs, the busiest party's
    day, and the peak memory they imply."""

    nodes: int
    arcs: int
    busiest: str  # the party-day with the most arcs, in words
    busiest_arcs: int
    terms: int = 0  # the arcs' travel terms (venues of the tail x venues of the head)
    options: int = 0  # the meetings' (day, venue, length, stretch of starts) alternatives

    @property
    def memory(self) -> int:
        """Estimated peak memory of planning (bytes)."""
        return BASE_BYTES + BYTES_PER_ARC * self.arcs + BYTES_PER_TERM * self.terms


def estimate_model(scenario: Scenario) -> ModelSize:
    """Count the nodes and (an upper bound on) the arcs of the planner's model."""
    buffer = scenario.rules.buffer
    options = 0
    # per (party, day): the meeting nodes' windows and the fixed events' times
    meetings: dict[tuple[str, int], list[tuple[int, int, int, int, int]]] = defaultdict(list)
    events: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for meeting in scenario.meetings:
        # one node per meeting and day, whichever venue, length and stretch of starts
        # it takes: its earliest and latest start, shortest length and latest end
        by_day: dict[int, list[int]] = defaultdict(list)
        ends_on: dict[int, list[int]] = defaultdict(list)
        venues_on: dict[int, set[str]] = defaultdict(set)
        for alt in alternatives(scenario, meeting):
            starts = alt.allowed_starts()
            if starts:
                by_day[alt.day] += [starts[0], starts[-1]]
                ends_on[alt.day] += [alt.length, starts[-1] + alt.length]
                venues_on[alt.day].add(alt.venue)
                options += len(start_runs(starts, scenario.grain))
        for day, bounds in by_day.items():
            shortest, latest_end = min(ends_on[day][::2]), max(ends_on[day][1::2])
            window = (min(bounds), max(bounds), shortest, latest_end, len(venues_on[day]))
            for party in meeting.parties:
                meetings[(party, day)].append(window)
    for attendee in scenario.parties:
        for event in scenario.fixed_events_of(attendee.id):
            for one_day in scenario.days:
                if one_day.window.contains(event.time.start, event.time.end):
                    times = (event.time.start, event.time.end)
                    events[(attendee.id, one_day.index)].append(times)
    nodes = arcs = terms = 0
    busiest, busiest_arcs = "", 0
    for key in sorted(set(meetings) | set(events)):
        count, day_arcs, day_terms = _party_day(meetings.get(key, []), events.get(key, []), buffer)
        nodes += count
        arcs += day_arcs
        terms += day_terms
        if day_arcs > busiest_arcs:
            party, day = key
            name = scenario.party_by_id[party].name
            busiest, busiest_arcs = f"{name} on {scenario.days[day].date:%a %d %b}", day_arcs
    return ModelSize(nodes, arcs, busiest, busiest_arcs, terms, options)


def _party_day(
    meetings: list[tuple[int, int, int, int, int]],
    events: list[tuple[int, int]],
    buffer: int,
) -> tuple[int, int, int]:
    """Nodes and arcs of one party's day: an arc from a tail to a head exists when the
    head can start after the tail can end (plus the buffer) and no fixed event lies
    wholly between them (the model's own two tests; travel is left out, so this is an
    upper bound), and the travel terms of those arcs (the product of the two ends'
    venue counts: a variable travel takes one constraint per venue of the tail, each
    over the head's venues). Counted in blocks of tails with numpy: O(n^2)
    comparisons, little memory."""
    starts = np.array([m[0] for m in meetings] + [e[0] for e in events], dtype=np.int64)
    latest = np.array([m[1] for m in meetings] + [e[0] for e in events], dtype=np.int64)
    length = np.array([m[2] for m in meetings] + [e[1] - e[0] for e in events], dtype=np.int64)
    latest_end = np.array([m[3] for m in meetings] + [e[1] for e in events], dtype=np.int64)
    is_meeting = np.array([True] * len(meetings) + [False] * len(events))
    venues = np.array([m[4] for m in meetings] + [1] * len(events), dtype=np.int64)
    count = len(starts)
    if count == 0:
        return 0, 0, 0
    # the earliest end of a fixed event starting at or after a moment: nothing after a
    # tail can start once such an event is over (it would lie between them)
    ordered = sorted(events)
    event_starts = np.array([e[0] for e in ordered] + [np.iinfo(np.int64).max // 4])
    ends_after = np.minimum.accumulate(
        np.array([e[1] for e in ordered] + [np.iinfo(np.int64).max // 4])[::-1]
    )[::-1]
    tail_latest_end = latest_end
    barrier = ends_after[np.searchsorted(event_starts, tail_latest_end, side="left")]
    pairs = terms = 0
    for first in range(0, count, _BLOCK):
        block = slice(first, first + _BLOCK)
        gap = np.where(is_meeting[block, None] | is_meeting[None, :], buffer, 0)
        follows = latest[None, :] >= (starts[block] + length[block])[:, None] + gap
        unbarred = starts[None, :] < barrier[block, None]
        arc = follows & unbarred
        pairs += int(np.count_nonzero(arc))
        terms += int(np.sum(np.where(arc, venues[block, None] * venues[None, :], 0)))
    # with the depot's arcs and the skip loops
    return count, pairs + 2 * count + 1, terms + 2 * int(venues.sum()) + 1


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
