"""Solve a scenario: tier by tier (lexicographic), with progress, limits and Ctrl-C.

Each tier is minimised, then fixed at the value found (``<=``), and the next
tier starts from the previous solution as a complete hint (cpsat-primer).

Time limit: with ``deterministic=False`` (``sim solve``'s default) ``time_limit`` is
wall-clock seconds from the call, model build included, so ``--time-limit 10`` means
ten seconds on any machine. It is
shared out between the tier groups (the first group, which decides which meetings
are held, gets most of it; what a group leaves unused goes to the next), so later
tiers are not starved. A search that the clock stops may end differently on
another run; ``deterministic=True`` (the API's default, and ``--deterministic``)
makes the budget CP-SAT's deterministic time instead (the same scenario, seed and
settings always give the same schedule, the wall clock only a safety net of five
times the budget). With several workers the
search is CP-SAT's parallel portfolio (with its large-neighbourhood workers), and
its interleaved, reproducible form only when deterministic.

Ctrl-C: while the search runs, SIGINT only sets a flag (a handler of our own, in
the main thread); the waiting loop then asks CP-SAT to stop, and the best plan
found so far is kept (``SolveResult.interrupted``). No KeyboardInterrupt is ever
raised while OR-Tools is on the stack: one escaping from a C++ callback, or one
that leaves CPython 3.11's ``Thread.join`` believing a still-running solver
thread has ended, ends the process in ``std::terminate`` (SIGABRT, a core dump).
A second Ctrl-C ends the process at once with exit status 130.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from itertools import pairwise
from types import FrameType

from ortools.sat.python import cp_model

from sim.exit_codes import ExitCode
from sim.model import TIER_NAMES, Scenario
from sim.schedule import (
    Assignment,
    ObjectiveValue,
    Schedule,
    SolverSettings,
    SolveStatus,
    Unscheduled,
    next_revision,
)
from sim.solve.anneal import anneal, annealable, work_for
from sim.solve.cpmodel import SummitModel
from sim.solve.diff import diff_schedules
from sim.solve.explain import Explanation, explain_infeasibility, why_no_slot
from sim.solve.greedy import gaps_of, greedy_schedule
from sim.solve.objectives import Tier, all_tiers, combined, groups_for
from sim.solve.rooms import assign_rooms
from sim.solve.size import refuse_over_budget

log = logging.getLogger("sim.solve")

Progress = Callable[[str], None]

# Seconds between "still searching" lines when no better plan turns up.
PROGRESS_EVERY = 3.0

# The first tier group's share of the time limit when later groups follow.
FIRST_GROUP_SHARE = 0.6

# The share of a lone tier's budget that plain minimisation gets before the climb
# (``SolveSettings.climb``), measured on the B2B benchmark (benchmarks/b2b.py --climb).
CLIMB_SHARE = 0.1
# ... and the share kept, after the climb, for minimising from the best plan with the
# bound the climb proved (0.3 left plans 10-50 % worse where the climb found none).
CLIMB_FINAL_SHARE = 0.5
# The full workers of a climb's feasibility question, first ones first.
CLIMB_SUBSOLVERS = ("no_lp", "default_lp", "fixed", "quick_restart_no_lp", "max_lp")


@dataclass(frozen=True)
class SolveSettings:
    # Deterministic seconds by default in the API: a plan inside a replay, a test or a
    # benchmark must come out the same on every run. ``sim solve`` passes False unless
    # asked (a person reads --time-limit as seconds); see the module's docstring.
    time_limit: float = 30.0
    deterministic: bool = True
    seed: int = 0
    workers: int = 1
    explain: bool = True
    tiers: tuple[str, ...] | None = None  # None: every tier; else only these names
    merge_tiers: bool = True  # solve tiers of a group together (same optimum, fewer calls)
    # which tiers share a solve; None: the scenario's order (objectives.groups_for)
    groups: tuple[tuple[str, ...], ...] | None = None
    # Ctrl-C during the search: True keeps the best plan found (``interrupted`` in the
    # result); False stops the search cleanly, then raises KeyboardInterrupt (for a
    # solve inside a longer computation, such as re-planning in a replay).
    keep_on_interrupt: bool = True
    # Refuse (OverBudgetError) a model whose estimated peak memory is above this many
    # bytes, before building it (sim.solve.size); None: no check.
    memory_limit: int | None = None
    # Where the wall-clock limit counts from (a time.perf_counter() reading); None:
    # the call. ``sim solve`` passes its own start, so reading the scenario counts.
    counted_from: float | None = None
    # A lone tier's plain minimisation stops at this share of its budget (once it has
    # a plan); the rest proves the optimum from below (``_Search._climb``). None: no
    # climb. Wall-clock runs only (a deterministic run keeps one reproducible search).
    # On the B2B originals (10 s each, 2 workers) it proves 10 optima instead of 3,
    # at plans of about the same quality where it proves none (docs/planning.md).
    climb: float | None = CLIMB_SHARE
    # Anneal the first plan's idle gaps before the search when ``compact_days`` leads
    # the objectives (``sim.solve.anneal``): a count of moves, so reproducible.
    anneal: bool = True

    def __post_init__(self) -> None:
        """The ranges ``sim solve`` checks on its options, checked for the Python API
        too: a ValueError naming the setting, not a plan made with a limit of -1 s or
        an error from inside OR-Tools."""
        problems = []
        limit = self.time_limit
        if isinstance(limit, bool) or not isinstance(limit, int | float):
            problems.append(f"time_limit must be a number of seconds, not {limit!r}")
        elif not (math.isfinite(limit) and limit > 0):
            problems.append(f"time_limit must be a positive, finite number of seconds: {limit}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            problems.append(f"seed must be a whole number, not {self.seed!r}")
        elif not 0 <= self.seed <= MAX_SEED:
            problems.append(f"seed must be from 0 to {MAX_SEED} (CP-SAT's): {self.seed}")
        if isinstance(self.workers, bool) or not isinstance(self.workers, int):
            problems.append(f"workers must be a whole number, not {self.workers!r}")
        elif self.workers < 1:
            problems.append(f"workers must be 1 or more: {self.workers}")
        named = [*(self.tiers or ()), *(n for g in self.groups or () for n in g)]
        unknown = sorted({str(n) for n in named} - set(TIER_NAMES))
        if unknown:
            problems.append(
                f"unknown tier {', '.join(map(repr, unknown))}; the tiers are "
                f"{', '.join(sorted(TIER_NAMES))}"
            )
        if self.climb is not None and not 0 <= self.climb <= 1:
            problems.append(f"climb must be a share between 0 and 1, or None: {self.climb}")
        if self.memory_limit is not None and self.memory_limit <= 0:
            problems.append(f"memory_limit must be a positive number of bytes: {self.memory_limit}")
        if problems:
            raise ValueError("SolveSettings: " + "; ".join(problems))


MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer


@dataclass(frozen=True)
class TierReport:
    name: str
    value: int
    bound: int
    optimal: bool
    seconds: float


@dataclass(frozen=True)
class SolveResult:
    """What ``solve`` returns: the schedule plus how the search went (timings are here,
    not in the schedule, so schedule.json stays byte-identical between runs)."""

    schedule: Schedule
    tiers: tuple[TierReport, ...] = ()
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    first_solution_seconds: float | None = None
    interrupted: bool = False
    explanation: Explanation | None = None

    @property
    def status(self) -> SolveStatus:
        return self.schedule.status


class _Watcher(cp_model.CpSolverSolutionCallback):  # type: ignore[misc]
    """Keeps the latest plan's news in plain words (meetings placed, the group's first
    tier and the best value still possible) and passes it to ``progress``.

    It runs inside CP-SAT (C++) in the solver's thread: an exception escaping from it
    would abort the process, so one is kept in ``error``, the search is stopped, and
    the caller raises it once the solver has returned."""

    def __init__(
        self,
        group: list[Tier],
        multipliers: list[int],
        held: list[cp_model.IntVar],
        progress: Progress | None,
        started: float,
    ) -> None:
        super().__init__()
        self._tier = group[0]
        self._multiplier = multipliers[0]
        self._held = held
        self._progress = progress
        self._started = started
        self.first_at: float | None = None
        self.error: BaseException | None = None
        self.news = ""  # the latest plan, in words (read by the waiting thread)

    def on_solution_callback(self) -> None:
        try:
            if self.first_at is None:
                self.first_at = time.perf_counter() - self._started
            if self._progress is None or self.error is not None:
                return
            tier = self._tier
            placed = sum(self.boolean_value(h) for h in self._held)
            value = round(self.value(tier.expression))
            # the combined bound counts later tiers below one unit of the first
            bound = tier.low + int(self.best_objective_bound) // self._multiplier
            self.news = (
                f"{placed} of {len(self._held)} meetings placed; {tier.description}: "
                f"{value} (best possible {min(max(bound, tier.low), value)})"
            )
            self._progress(f"{self.news}; {time.perf_counter() - self._started:.1f} s")
        except BaseException as exc:  # nothing may escape into C++
            self.error = exc
            self.stop_search()


# Above this many constraints the model is searched without CP-SAT's presolve. On
# large models presolve costs most of the budget before the first plan is reported
# and leaves a weaker bound (a generated 150-request summit, 30 s: first plan after
# 2 s and a held-weight bound within 15 % without presolve; after 28 s and no useful
# bound with it); on small ones (Kazan: 6,000 constraints) it helps to prove.
LARGE_MODEL_CONSTRAINTS = 20_000


def _parameters(
    solver: cp_model.CpSolver, settings: SolveSettings, budget: float, large: bool = False
) -> None:
    params = solver.parameters
    if large:
        params.cp_model_presolve = False
    params.num_workers = max(1, settings.workers)
    params.random_seed = settings.seed
    if settings.deterministic:
        params.max_deterministic_time = max(budget, 0.01)
        # The wall clock only as a safety net: deterministic seconds run slower than
        # real ones on a loaded machine, so leave a wide margin.
        params.max_time_in_seconds = max(5 * budget, 1.0)
    else:
        params.max_time_in_seconds = max(budget, 0.01)
    params.catch_sigint_signal = False  # we handle Ctrl-C: keep the best schedule found
    # Measured on the bundled scenarios (benchmarks/solve.py): without the LP
    # relaxation and the presolve probing, each tier proves its bound several times
    # faster; the circuits' LP bound is weak here and probing repeats at every tier.
    params.linearization_level = 0
    params.cp_model_probing_level = 0
    if settings.workers > 1 and settings.deterministic:
        params.interleave_search = True  # a reproducible (and slower) parallel portfolio
    params.log_search_progress = log.isEnabledFor(logging.DEBUG)
    params.log_to_stdout = False
    solver.log_callback = log.debug


def _hint_from(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    model.clear_hints()
    values = solver.response_proto.solution
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


POLISH_FLOOR_SECONDS = 10.0  # wall clock the plan's own tier values may always take


def _plan_values(
    summit: SummitModel,
    solver: cp_model.CpSolver,
    tiers: list[Tier],
    seed: int,
    seconds: float = 30.0,
) -> cp_model.CpSolver | None:
    """The solver's plan again, with every tier at the value the plan truly achieves.

    The tiers are exact only at an optimum: some terms are bounded from one side only
    (a slack at most the gap the plan leaves, a preference given up at least when it
    is), so a search stopped early can hold a plan together with values that are not
    its own (weighted slack -5 for a plan whose slack is -3500). Fixing the plan (the
    alternative and start of every meeting) and minimising every tier leaves each
    such term at its true value; with the plan fixed that is a trivial solve. None if
    it does not prove its optimum (then the search's values stand)."""
    solution = solver.response_proto.solution
    decisions: dict[int, int] = {}
    for options in summit.alts.values():
        for option in options:
            present = solution[option.present.index]
            decisions[option.present.index] = present
            if present:
                decisions[option.units.index] = solution[option.units.index]
    for pd in summit.party_days:  # the order too: the plan's own, whatever the search left
        for arc in pd.arcs:
            decisions[arc.literal.index] = solution[arc.literal.index]
    model = summit.model.clone()
    _hint_from(model, solver)
    model.minimize(sum(t.expression for t in tiers))
    polisher = _solve_fixed(model, decisions, seed, seconds)
    if polisher is None:
        log.debug("the plan's own tier values were not proven; keeping the search's")
    return polisher


def _solve_fixed(
    model: cp_model.CpModel, decisions: dict[int, int], seed: int, seconds: float
) -> cp_model.CpSolver | None:
    """Solve ``model`` (a clone: it is changed) with the plan's decisions (which
    alternative holds each meeting, its start, and the order of each party's day)
    fixed: every other variable (travel, slacks, tier terms) then follows by
    propagation, which presolve does. None unless proven optimal."""
    variables = model.proto.variables
    for index, value in decisions.items():
        # narrowed in place (a constraint per decision costs three times as much to
        # add: 90,000 decisions on a 300-request summit); a value outside the domain
        # leaves it empty: the solve fails (None), as it should
        domain = variables[index].domain
        bounds = list(domain)
        inside = any(
            low <= value <= high for low, high in zip(bounds[::2], bounds[1::2], strict=True)
        )
        domain.clear()
        domain.extend([value, value] if inside else [1, 0])
    polisher = cp_model.CpSolver()
    params = polisher.parameters
    params.num_workers = 1
    params.random_seed = seed
    params.max_deterministic_time = 5.0
    params.max_time_in_seconds = seconds
    params.catch_sigint_signal = False
    params.linearization_level = 0
    # With the plan and its order fixed, presolve settles every term and the search
    # has nothing left to do; without presolve, a search over the one-sided terms (a
    # slack at most its gap) improved them one grain per solution: completing the
    # greedy plan of a 300-request summit took 55 s (with or without the order
    # fixed), 5.4 s with presolve, 3.1 s with the domains narrowed in place
    # (whole-summit: 1.25 s and 0.36 s). Symmetry detection would only cost time.
    params.symmetry_level = 0
    if polisher.solve(model) != cp_model.OPTIMAL:
        return None
    return polisher


def _greedy_fallback(
    scenario: Scenario, previous: Schedule | None, greedy: Schedule
) -> list[Assignment] | None:
    """The greedy plan when it is a valid answer: it holds every required meeting and
    no hard precedence applies (the greedy does not attempt it), and we are not
    re-planning (it ignores the published schedule)."""
    if previous is not None or scenario.rules.precedence.hard:
        return None
    spread = scenario.rules.fairness
    if spread is not None:
        # the greedy does not aim at the fairness rule: offered only when it holds
        gaps = gaps_of(scenario, list(greedy.assignments))
        if max(gaps.values(), default=0) > min(gaps.values(), default=0) + spread:
            return None
    held = {a.meeting for a in greedy.assignments}
    if any(m.required and m.id not in held for m in scenario.meetings):
        return None
    return list(greedy.assignments)


def _hint_from_schedule(
    summit: SummitModel, schedule: Schedule, tiers: list[Tier], seconds: float
) -> cp_model.CpSolver | None:
    """Start the first search from a known plan: the published one when re-planning,
    else the greedy baseline's (on large summits CP-SAT alone can spend its whole
    budget looking for a first schedule). The hint is made complete (every arc, slack
    and objective term too, by solving the model with the plan fixed and every tier
    minimised, so each term is the plan's own value), so that CP-SAT takes it as its
    first solution at once instead of trying to repair a partial one; when the plan
    does not fit the model, only its decisions are hinted. Returns the completed
    plan's solver (its tier values are the plan's), None when it was not completed."""
    placed = {a.meeting: a for a in schedule.assignments}
    decisions: dict[int, int] = {}
    summit.model.clear_hints()
    for meeting_id, options in summit.alts.items():
        assignment = placed.get(meeting_id)
        for option in options:
            chosen = (
                assignment is not None
                and option.alt.day == assignment.day
                and option.alt.venue == assignment.venue
                and option.duration == assignment.end - assignment.start
                and assignment.start in option.starts
            )
            decisions[option.present.index] = int(chosen)
            if chosen and assignment is not None:
                decisions[option.units.index] = assignment.start // summit.scenario.grain
    model = summit.model.clone()
    model.minimize(sum(t.expression for t in tiers))
    starts = {(a.meeting, a.day): a.start for a in schedule.assignments}
    completed = _solve_fixed(model, decisions | _order_decisions(summit, starts), 0, seconds)
    if completed is not None:
        _hint_from(summit.model, completed)
        return completed
    for index, value in decisions.items():
        summit.model.add_hint(summit.model.get_int_var_from_proto_index(index), value)
    return None


def _order_decisions(summit: SummitModel, starts: dict[tuple[str, int], int]) -> dict[int, int]:
    """Every arc of every party's day, as the plan with these meeting starts (by
    meeting and day) orders it: the engagements held that day in time order, from
    and back to the depot. With the arcs fixed as well as the meetings, presolve
    settles every other variable (``_solve_fixed``). A pair the model has no arc for
    (the plan breaks a travel time) leaves every arc of the day at 0: the fixed
    solve then fails and the caller falls back on the plan's decisions alone."""
    decisions: dict[int, int] = {}
    for pd in summit.party_days:
        held = []
        for node in pd.nodes:
            if node.meeting is None:
                if node.present is not None:  # a switchable model: not ordered here
                    break
                held.append((node.earliest_start, node.key))
            elif (start := starts.get((node.meeting, pd.day))) is not None:
                held.append((start, node.key))
        else:
            order: list[str | None] = [None, *(key for _, key in sorted(held)), None]
            follows = set(pairwise(order)) if held else set()
            for arc in pd.arcs:
                pair = (
                    None if arc.tail is None else arc.tail.key,
                    None if arc.head is None else arc.head.key,
                )
                decisions[arc.literal.index] = int(pair in follows)
    return decisions


def _extract(summit: SummitModel, solver: cp_model.CpSolver) -> list[Assignment]:
    placed = []
    for meeting_id, options in summit.alts.items():
        for option in options:
            if solver.boolean_value(option.present):
                start = solver.value(option.start)
                placed.append(
                    Assignment(
                        meeting_id, option.alt.day, start, start + option.duration, option.alt.venue
                    )
                )
    return assign_rooms(summit.scenario, placed)


def _reason_unscheduled(summit: SummitModel, meeting_id: str) -> str:
    meeting = summit.scenario.meeting_by_id[meeting_id]
    if not summit.alts[meeting_id]:
        return why_no_slot(summit.scenario, meeting)
    return (
        f"optional (weight {meeting.weight}): not enough room left once meetings of higher "
        "total weight and the protocol rules were placed"
    )


# What each tier is about, in a protocol officer's words (the notes name the tiers a
# search was working on when the clock stopped it).
_PLAIN_TIERS = {
    "changes": "changes to the published schedule",
    "unheld_weight": "which meetings are held",
    "displacement": "how far published meetings move",
    "shortening": "shortened meetings",
    "safety": "overrun reserves",
    "preferences": "protocol preferences",
    "travel": "travel",
    "min_slack": "the shortest spare time",
    "weighted_slack": "spare time after meetings",
    "compact_days": "idle gaps in the days",
}


def _plain(group: list[Tier]) -> str:
    words = [_PLAIN_TIERS.get(t.name, t.name) for t in group]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _groups(tiers: list[Tier], settings: SolveSettings) -> list[list[Tier]]:
    if not settings.merge_tiers:
        return [[t] for t in tiers]
    if settings.groups is None:
        return groups_for(tiers)
    by_name = {t.name: t for t in tiers}
    groups = [[by_name[n] for n in names if n in by_name] for names in settings.groups]
    return [g for g in groups if g]


class _Search:
    """The lexicographic search over the tier groups of one model: solve a group,
    fix its tiers at the values found, go on, and keep the last good schedule."""

    def __init__(
        self,
        summit: SummitModel,
        settings: SolveSettings,
        previous: Schedule | None,
        progress: Progress | None,
        started: float,
    ) -> None:
        self.summit = summit
        self.settings = settings
        self.previous = previous
        self.progress = progress
        self.started = started
        self.solver = cp_model.CpSolver()
        self.current = self.solver  # holds the plan found last, with its tier values
        self.interrupted = False
        self.reports: list[TierReport] = []
        self.reported: list[Tier] = []  # the tier of each report
        self.first_solution: float | None = None
        self.status = SolveStatus.OPTIMAL
        self.notes: list[str] = []
        self.found = False
        self.assignments: list[Assignment] = []
        self.spent = 0.0  # deterministic seconds used so far
        self.groups_left = 0
        self._greedy: Schedule | None = None
        self.tiers: list[Tier] = []  # every tier of every group, in order
        # the first hint's plan with every tier at its own value (None: not completed)
        self.completed: cp_model.CpSolver | None = None
        # when the running search is to stop once it has a plan (``SolveSettings.climb``)
        self.soft_stop: float | None = None

    def greedy(self) -> Schedule:
        """The greedy plan (made once: the first hint and the fallback share it)."""
        if self._greedy is None:
            scenario = self.summit.scenario
            self._greedy = greedy_schedule(scenario)
            if self.progress is not None:
                held, total = len(self._greedy.assignments), len(scenario.meetings)
                self.progress(
                    f"a first plan by simple rules holds {held} of {total} meetings; "
                    f"searching for better; {time.perf_counter() - self.started:.1f} s"
                )
            self._greedy = self._annealed(self._greedy)
        return self._greedy

    def _annealed(self, plan: Schedule) -> Schedule:
        """The first plan with its idle gaps annealed (``sim.solve.anneal``), when the
        gaps come first among what is minimised and the plan is complete."""
        settings = self.settings
        if (
            not settings.anneal
            or self.previous is not None
            or plan.status is not SolveStatus.FEASIBLE
            or not annealable([t.name for t in self.tiers])
        ):
            return plan
        work = work_for(len(plan.assignments), settings.time_limit)
        result = anneal(
            self.summit, plan.assignments, work, settings.seed, stop=lambda: self.interrupted
        )
        if result.moved_meetings == 0:
            return plan
        if self.progress is not None:
            self.progress(
                f"rearranged the first plan: {result.gaps_before} idle gaps between "
                f"meetings, now {result.gaps_after}; "
                f"{time.perf_counter() - self.started:.1f} s"
            )
        return replace(plan, assignments=result.assignments)

    def remaining(self) -> float:
        """What is left of the time limit: deterministic seconds, or wall-clock seconds
        since the call (the model build counts)."""
        limit = self.settings.time_limit
        if self.settings.deterministic:
            return limit - self.spent
        origin = self.started if self.settings.counted_from is None else self.settings.counted_from
        return limit - (time.perf_counter() - origin)

    def _group_budget(self) -> float:
        """This group's share of what is left: most of it for the first group (it
        decides which meetings are held, the hardest part), an equal part of the rest
        for each later one; time a group does not use goes to the next."""
        left = max(self.remaining(), 0.0)
        if self.groups_left > 1 and not self.found:
            return FIRST_GROUP_SHARE * left
        return left / max(self.groups_left, 1)

    def run(self, groups: list[list[Tier]]) -> None:
        self.tiers = [tier for group in groups for tier in group]
        for index, group in enumerate(groups):
            self.groups_left = len(groups) - index
            # The first group runs even after an early Ctrl-C: it is stopped at once and
            # leaves the usual outcomes (a solution, the greedy fallback, or none).
            if not self._solve_group(group) or self.interrupted:
                break
        if self.interrupted:
            self.notes.append(
                "interrupted (Ctrl-C): the best schedule found so far, not proven optimal"
            )
            if self.status is SolveStatus.OPTIMAL:
                self.status = SolveStatus.FEASIBLE

    def _solve_group(self, group: list[Tier]) -> bool:
        """Minimise one tier group; False when the search should stop here."""
        summit, settings = self.summit, self.settings
        label = _plain(group)
        expression, multipliers = combined(group) if len(group) > 1 else (group[0].expression, [1])
        summit.model.minimize(expression)
        if self.found:
            _hint_from(summit.model, self.current)
        else:
            self.completed = _hint_from_schedule(
                summit,
                self.previous or self.greedy(),
                self.tiers,
                seconds=min(10.0, max(self.remaining() / 4, 1.0)),
            )
            if self._time_spent() and self._fallback() is not None:
                # A large summit can spend the whole limit on its model and the first
                # plan: a search started now would only overrun it (loading a
                # 300-request model into CP-SAT takes seconds) to find what the
                # fallback already holds.
                self._no_solution_in_group(label, searched=False)
                return False
        large = len(summit.model.proto.constraints) > LARGE_MODEL_CONSTRAINTS
        budget = max(self._group_budget(), 0.05)
        # Wall-clock runs only: a deterministic run keeps its one reproducible search.
        climb = len(group) == 1 and not settings.deterministic and settings.climb is not None
        _parameters(self.solver, settings, budget, large)
        watcher = _Watcher(
            group, multipliers, list(summit.held.values()), self.progress, self.started
        )
        group_started = time.perf_counter()
        if climb:
            self.soft_stop = group_started + (settings.climb or 0.0) * budget
        code = self._solve_interruptibly(watcher)
        self.soft_stop = None
        self.spent += self.solver.deterministic_time
        if climb and code == cp_model.FEASIBLE and not self.interrupted:
            code = self._climb(group[0], watcher, large, budget, group_started)
        seconds = time.perf_counter() - group_started
        stopped_by_clock = (
            self.solver.wall_time >= 0.98 * self.solver.parameters.max_time_in_seconds
        )
        if stopped_by_clock and settings.deterministic:
            self.notes.append(
                f"the search on {label} hit the wall-clock safety limit: this result may "
                "not reproduce"
            )
        elif stopped_by_clock and code == cp_model.FEASIBLE and not self.interrupted:
            # (with no plan at all, the note on what is returned instead says it)
            self.notes.append(
                f"the time limit ({settings.time_limit:g} s of wall-clock time) stopped "
                f"the search on {label} before the plan was proven best: a rerun may "
                "give another plan (--deterministic makes runs repeatable)"
            )
        if self.first_solution is None and watcher.first_at is not None:
            self.first_solution = watcher.first_at
        if code == cp_model.INFEASIBLE:
            if self.found:  # cannot happen: the previous solution satisfies the tier bound
                raise RuntimeError(f"the search on {label} became infeasible after fixing")
            self.status = SolveStatus.INFEASIBLE
            return False
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._no_solution_in_group(label)
            return False
        self.found = True
        # Read the schedule now: a later tier that stops without a solution leaves the
        # solver's response empty, and this one must survive it.
        self.assignments = _extract(summit, self.solver)
        optimal = code == cp_model.OPTIMAL
        if not optimal:
            self.status = SolveStatus.FEASIBLE
        self.current = self.solver
        if not optimal or not all(r.optimal for r in self.reports):
            # Only at an optimum are the group's tiers (and the earlier ones, when
            # proven) the plan's own values; else ask the plan what it achieves.
            # With the plan fixed this takes a fraction of a second (its deterministic
            # limit bounds it), but on a loaded machine a budget that is all but spent
            # would cut it off and leave the search's one-sided values in the report:
            # honest values come first, so it gets at least 10 s of wall clock.
            polished = _plan_values(
                summit,
                self.solver,
                [*self.reported, *group],
                settings.seed,
                seconds=min(30.0, max(self.remaining(), POLISH_FLOOR_SECONDS)),
            )
            if polished is not None:
                self.spent += polished.deterministic_time
                self.current = polished
        self._report_and_fix(group, multipliers, optimal, seconds)
        return True

    def _climb(
        self, tier: Tier, watcher: _Watcher, large: bool, budget: float, group_started: float
    ) -> int:
        """Prove a lone tier's optimum from below, after the plain minimisation stopped
        with a plan of value V and a proven bound B < V: ask, for K = B, B + 1, ...,
        whether any plan has the tier at most K (a feasibility question, no objective).
        A "no" proves K + 1 a bound; a "yes" at the bound is an optimum (MaxSAT solvers,
        the fastest on the B2B benchmark, also search from the bound up). K gallops
        (B, B + 1, B + 3, ...) until a "yes", then halves the interval left. Plain
        minimisation's bound on a count of gaps stays at 0 for long; a search told the
        count it must reach finds zero-gap days sooner (B2B originals, 10 s each: 4
        optima proven instead of 2). What the climb proves is added to the model (the
        tier at least its bound), then the model is minimised once more from the best
        plan known with what is left (CLIMB_FINAL_SHARE at least), so the search's
        response is the summit model's own (the ordinary path reads it)."""
        summit, settings = self.summit, self.settings
        expression = tier.expression
        value = round(self.solver.objective_value)
        bound = max(math.ceil(self.solver.best_objective_bound - 1e-6), tier.low)
        best: cp_model.CpSolver = self.solver
        # kept for the final minimisation, from the best plan and with the bound proven
        # (a plan that reaches the bound is then proven optimal at once)
        reserve = CLIMB_FINAL_SHARE * budget

        def left() -> float:  # wall-clock seconds: the climb runs only on the wall clock
            return budget - (time.perf_counter() - group_started)

        # Galloping, then halving: the first question is the bound itself (on the B2B
        # originals the per-party bound is the optimum on 14 of 20); each "no" doubles
        # the step above the new bound, so a tier whose optimum sits far above it (a
        # preference score of 125 climbed one unit per "no" took 15 s, not 0.8 s) is
        # reached in a few questions (the second question is still B + 1: on the
        # originals the optimum is often just above the bound); after a "yes" the
        # questions halve what is left.
        noes, answered_yes = 0, False
        while bound < value and not self.interrupted and left() - reserve > 0.05:
            halving = (bound + value - 1) // 2
            step = 1 << max(noes - 1, 0)  # K = B, B + 1, B + 3, B + 7, ...
            target = halving if answered_yes else min(bound + step - 1, value - 1)
            trial = summit.model.clone()
            trial.clear_objective()
            trial.clear_hints()
            trial.add(expression <= target)
            solver = cp_model.CpSolver()
            _parameters(solver, settings, left() - reserve, large)
            # A feasibility question has no objective for the LP to bound: the first
            # full worker searches without it (CP-SAT's "no_lp" subsolver). Measured
            # on B2B gap-free days, 2 workers, 4 seeds: found in 1.0-2.3 s every time,
            # against 0.9-10+ s with the LP worker (heavy-tailed: 3 of 8 runs not at
            # all in 10 s). The others keep CP-SAT's defaults.
            solver.parameters.linearization_level = 1
            solver.parameters.cp_model_probing_level = 2
            solver.parameters.subsolvers.extend(CLIMB_SUBSOLVERS)
            quiet = _Watcher([tier], [1], [], None, self.started)
            code = self._solve_interruptibly(quiet, trial, solver)
            self.spent += solver.deterministic_time
            if code == cp_model.INFEASIBLE:
                bound, noes = target + 1, noes + 1
                if self.progress is not None:
                    self.progress(f"{tier.name}: no plan with at most {target}; bound {bound}")
            elif code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                value, best, answered_yes = round(solver.value(expression)), solver, True
            else:
                break  # out of time: the bound proven so far stands
        summit.model.add(expression >= bound)
        _hint_from(summit.model, best)
        final = cp_model.CpSolver()
        _parameters(final, settings, max(left(), 0.05), large)
        code = self._solve_interruptibly(watcher, solver=final)
        self.spent += final.deterministic_time
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # out of time before the hint was read back: the first plan stands
            return int(cp_model.FEASIBLE)
        self.solver = final
        return int(code)

    def _time_spent(self) -> bool:
        """The wall-clock limit is reached (a deterministic run always searches: its
        limit is not the clock's)."""
        return not self.settings.deterministic and self.remaining() <= 0

    def _fallback(self) -> list[Assignment] | None:
        return _greedy_fallback(self.summit.scenario, self.previous, self.greedy())

    def _no_solution_in_group(self, label: str, searched: bool = True) -> None:
        if self.found:
            self.status = SolveStatus.FEASIBLE
            self.notes.append(
                f"the search stopped while improving {label}: what follows it in the "
                "order of objectives was not improved"
            )
            return
        fallback = self._fallback()
        when = "before Ctrl-C" if self.interrupted else "within the time limit"
        if fallback is None:
            self.status = SolveStatus.UNKNOWN
            self.notes.append(f"no schedule found {when}")
            return
        self.found, self.status, self.assignments = True, SolveStatus.FEASIBLE, fallback
        what = (
            f"the search found no plan {when}"
            if searched
            else "the time limit was reached before a search for a better plan could start"
        )
        self.notes.append(
            f"{what}: this is the plan by simple rules "
            "(each meeting at its earliest free slot, most important first), valid but "
            "not optimised" + ("" if self.interrupted else "; give a larger --time-limit")
        )
        self._report_fallback()

    def _report_fallback(self) -> None:
        """What the fallback plan achieves on every tier, read from its completed hint
        (the plan with every tier at its own value); nothing is proven but a tier at
        its least possible value. No report when the hint was not completed in time:
        the schedule then lists no objectives rather than guessed ones."""
        completed = self.completed
        if completed is None or self.reports:
            return
        proven_so_far = True
        for tier in self.tiers:
            value = round(completed.value(tier.expression))
            proven_so_far = proven_so_far and value <= tier.low
            self.reports.append(TierReport(tier.name, value, tier.low, proven_so_far, 0.0))
            self.reported.append(tier)

    def _report_and_fix(
        self, group: list[Tier], multipliers: list[int], optimal: bool, seconds: float
    ) -> None:
        """One report per tier of the group (value and proven bound), then each tier is
        fixed at its value for the groups after it."""
        self._refresh_reports()
        combined_bound = round(self.solver.best_objective_bound)
        for index, tier in enumerate(group):
            value = round(self.current.value(tier.expression))
            if optimal:
                bound = value
            elif len(group) == 1:
                bound = combined_bound
            elif index == 0:
                # later tiers add less than one unit of the first: floor(B / m0)
                bound = tier.low + combined_bound // multipliers[0]
            else:
                bound = tier.low
            bound = min(max(bound, tier.low), value)
            proven = optimal or (bound == value and all(r.optimal for r in self.reports))
            self.reports.append(TierReport(tier.name, value, bound, proven, seconds / len(group)))
            self.reported.append(tier)
            self.summit.model.add(tier.expression <= value)
            if self.progress is not None:
                # plain words, as the watcher's lines: the tier's description, not its id
                verdict = "proven best" if proven else f"best possible {bound}"
                self.progress(f"{tier.description}: {value} ({verdict})")

    def _refresh_reports(self) -> None:
        """The tiers of earlier groups, as the plan just found achieves them: the
        schedule is read from the last solution, and a tier that was not proven optimal
        may have improved since (it was only held at or below its value)."""
        proven_so_far = True
        for index, (report, tier) in enumerate(zip(self.reports, self.reported, strict=True)):
            value = round(self.current.value(tier.expression))
            bound = min(report.bound, value)
            proven_so_far = proven_so_far and bound == value
            self.reports[index] = replace(report, value=value, bound=bound, optimal=proven_so_far)

    def _solve_interruptibly(
        self,
        watcher: _Watcher,
        model: cp_model.CpModel | None = None,
        solver: cp_model.CpSolver | None = None,
    ) -> int:
        """Solve (the summit's model with ``self.solver`` unless told otherwise) in a
        thread while this one waits: when Ctrl-C has set ``interrupted`` (see
        ``_ctrl_c_stops``), ask CP-SAT to stop; it returns its best solution. Past
        ``self.soft_stop`` (a perf_counter reading) it is stopped too, once it has a
        plan."""
        outcome: dict[str, int] = {}
        failure: list[BaseException] = []
        done = threading.Event()
        model = self.summit.model if model is None else model
        solver = self.solver if solver is None else solver

        def target() -> None:
            try:
                outcome["status"] = solver.solve(model, watcher)
            except BaseException as exc:  # raised again in the caller's thread
                failure.append(exc)
            finally:
                done.set()

        thread = threading.Thread(target=target, name="cp-sat", daemon=True)
        thread.start()
        told = time.perf_counter()
        while not done.wait(0.05):
            if self.interrupted:
                # Again at every turn: a stop asked before CP-SAT has started is lost.
                solver.stop_search()
            now = time.perf_counter()
            soft_stop = self.soft_stop
            if soft_stop is not None and now >= soft_stop and watcher.first_at is not None:
                solver.stop_search()
            if self.progress is not None and now - told >= PROGRESS_EVERY:
                # a long search with no better plan still says it is alive
                told = now
                news = watcher.news or (
                    "nothing better than the first plan yet" if self._greedy else "no plan yet"
                )
                self.progress(f"still searching: {news}; {now - self.started:.1f} s")
        thread.join()
        if failure:
            raise failure[0]
        if watcher.error is not None:
            raise watcher.error
        return int(outcome.get("status", cp_model.UNKNOWN))


@contextmanager
def _ctrl_c_stops(search: _Search) -> Iterator[None]:
    """While the search runs, the first Ctrl-C (SIGINT) only sets ``search.interrupted``;
    a second one ends the process at once with exit status 130 (files are written
    whole or not at all, so none is left half-written). Nothing is installed outside
    the main thread (signals reach Python only there), nor when SIGINT is ignored
    (worker processes) or handled outside Python."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is None or previous == signal.SIG_IGN:
        yield
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if search.interrupted:
            with suppress(Exception):  # the stream may be closed, or mid-write
                sys.stderr.flush()
            os.write(2, b"\ninterrupted again: stopping at once\n")
            os._exit(ExitCode.INTERRUPTED)
        search.interrupted = True

    signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def solve(
    scenario: Scenario,
    settings: SolveSettings | None = None,
    *,
    previous: Schedule | None = None,
    progress: Progress | None = None,
) -> SolveResult:
    """Plan the scenario's meetings. Never raises for an infeasible scenario: the result's
    status says so and, when asked, ``explanation`` names the conflicting requirements."""
    settings = settings or SolveSettings()
    started = time.perf_counter()
    if settings.memory_limit is not None:
        refuse_over_budget(scenario, settings.memory_limit)
    summit = SummitModel(scenario)
    tiers = [
        t for t in all_tiers(summit, previous) if settings.tiers is None or t.name in settings.tiers
    ]
    build_seconds = time.perf_counter() - started
    if progress is not None:  # a large summit's model takes seconds: say it is ready
        progress(f"planning model ready ({len(scenario.meetings)} meetings); {build_seconds:.1f} s")
    search = _Search(summit, settings, previous, progress, started)
    with _ctrl_c_stops(search):
        search.run(_groups(tiers, settings))
    if search.interrupted and not settings.keep_on_interrupt:
        raise KeyboardInterrupt
    solve_seconds = time.perf_counter() - started - build_seconds
    if search.found:
        schedule = _schedule_found(summit, tiers, search, previous)
        explanation = None
    else:
        schedule, explanation = _no_schedule(scenario, search)
    return SolveResult(
        schedule=schedule,
        tiers=tuple(search.reports),
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        first_solution_seconds=search.first_solution,
        interrupted=search.interrupted,
        explanation=explanation,
    )


def _solver_settings(settings: SolveSettings) -> SolverSettings:
    return SolverSettings(
        time_limit=settings.time_limit, seed=settings.seed, workers=settings.workers
    )


def _schedule_found(
    summit: SummitModel, tiers: list[Tier], search: _Search, previous: Schedule | None
) -> Schedule:
    scenario, assignments = summit.scenario, search.assignments
    held = {a.meeting for a in assignments}
    descriptions = {t.name: t.description for t in tiers}
    return Schedule(
        scenario_id=scenario.id,
        scenario_sha256=scenario.source_sha256,
        status=search.status,
        settings=_solver_settings(search.settings),
        assignments=tuple(assignments),
        unscheduled=tuple(
            Unscheduled(m.id, _reason_unscheduled(summit, m.id))
            for m in scenario.meetings
            if m.id not in held
        ),
        objectives=tuple(
            ObjectiveValue(r.name, r.value, r.bound, descriptions[r.name]) for r in search.reports
        ),
        changes=diff_schedules(previous, tuple(assignments)) if previous is not None else (),
        notes=tuple(search.notes),
        revision=next_revision(previous),
    )


def _no_schedule(scenario: Scenario, search: _Search) -> tuple[Schedule, Explanation | None]:
    """The empty schedule of a search that found none; why, when no schedule exists."""
    settings, notes = search.settings, list(search.notes)
    infeasible = search.status is SolveStatus.INFEASIBLE
    explanation = None
    if infeasible and settings.explain:
        explanation = explain_infeasibility(
            scenario, time_limit=settings.time_limit, seed=settings.seed
        )
        notes.extend(explanation.lines())
    reason = "no schedule exists" if infeasible else "no schedule found"
    schedule = Schedule(
        scenario_id=scenario.id,
        scenario_sha256=scenario.source_sha256,
        status=search.status,
        settings=_solver_settings(settings),
        assignments=(),
        unscheduled=tuple(Unscheduled(m.id, reason) for m in scenario.meetings),
        notes=tuple(notes),
        revision=next_revision(search.previous),
    )
    return schedule, explanation
