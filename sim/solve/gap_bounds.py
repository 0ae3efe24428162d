"""The fewest gaps one party's day of one-grain meetings can have, on its own.

A lower bound for the compact-days tier that the full model cannot see quickly:
CP-SAT's bound on a sum of gap counts stays at 0 for a long time, so a plan
that reaches the true minimum is never proven best. Each party alone is a tiny
problem (its meetings, the start grains each may take, nothing else), and its
optimum bounds that party's gaps in every plan of the summit. On the B2B
benchmark (docs/planning.md, "The B2B benchmark") the sum of these bounds is the
published optimum on 14 of the 20 real instances.

A meeting started at grain ``u`` occupies grains ``u .. u + width - 1`` (its own
grain, then the buffer and travel the party needs before its next meeting), and
two meetings of a party never occupy the same grain; a gap is a run of
unoccupied grains between two occupied ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ortools.sat.python import cp_model

# The deterministic budget (about seconds of one core) of the small model for a party
# whose meetings cannot sit back to back; its proven bound is used when it stops early.
PARTY_BUDGET = 1.0


def fewest_gaps(units: Sequence[Sequence[int]], width: int) -> int:
    """The fewest gaps a party can have with these meetings (``units[k]``: the start
    grains meeting ``k`` may take), each occupying ``width`` grains; 0 when the
    meetings cannot all be placed (the full model will say so, not this bound)."""
    if len(units) <= 1 or any(not u for u in units):
        return 0
    if _back_to_back(units, width):
        return 0
    return _smallest_runs(units, width) - 1


def _back_to_back(units: Sequence[Sequence[int]], width: int) -> bool:
    """Whether the meetings fit one after another with no gap: some first grain from
    which position ``i`` (grain ``first + i * width``) can take a distinct meeting for
    every ``i`` (a perfect matching, found by augmenting paths)."""
    allowed = [frozenset(u) for u in units]
    count = len(units)
    firsts = sorted({u - i * width for us in units for u in us for i in range(count)})
    for first in firsts:
        positions = [first + i * width for i in range(count)]
        if _perfect_matching(allowed, positions):
            return True
    return False


def _perfect_matching(allowed: list[frozenset[int]], positions: list[int]) -> bool:
    holder: dict[int, int] = {}  # position -> meeting

    def place(meeting: int, seen: set[int]) -> bool:
        for position in positions:
            if position in allowed[meeting] and position not in seen:
                seen.add(position)
                if position not in holder or place(holder[position], seen):
                    holder[position] = meeting
                    return True
        return False

    return all(place(meeting, set()) for meeting in range(len(allowed)))


def _smallest_runs(units: Sequence[Sequence[int]], width: int) -> int:
    """The fewest runs of occupied grains, by a small CP-SAT model: its proven bound
    when the budget stops it first (still a lower bound), 1 when it finds nothing."""
    model = cp_model.CpModel()
    covering: dict[int, list[cp_model.IntVar]] = {}
    for k, starts in enumerate(units):
        chosen = []
        for unit in sorted(set(starts)):
            literal = model.new_bool_var(f"m{k}@{unit}")
            chosen.append(literal)
            for grain in range(unit, unit + width):
                covering.setdefault(grain, []).append(literal)
        model.add_exactly_one(chosen)
    occupied = {}
    for grain, literals in covering.items():
        occupied[grain] = model.new_bool_var(f"occupied@{grain}")
        model.add(sum(literals) == occupied[grain])
    runs = []
    for grain, here in occupied.items():
        opens = model.new_bool_var(f"opens@{grain}")
        before = occupied.get(grain - 1)
        model.add(opens >= here - before if before is not None else opens >= here)
        runs.append(opens)
    model.minimize(sum(runs))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = PARTY_BUDGET
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 1
    bound: float = solver.best_objective_bound
    return max(1, math.ceil(bound - 1e-6))
