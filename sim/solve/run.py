"""Solve a scenario: tier by tier (lexicographic), with progress, limits and Ctrl-C.

Each tier is minimised, then fixed at the value found (``<=``), and the next
tier starts from the previous solution as a complete hint (cpsat-primer). The
time limit is a *deterministic* time budget shared by the tiers, so the same
scenario, seed and settings always give the same schedule; a wall-clock limit
of five times the budget is only a safety net and a schedule it cuts short
says so in its notes. With several workers, CP-SAT's interleaved search keeps
the portfolio deterministic.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from sim.model import Scenario
from sim.schedule import (
    Assignment,
    Change,
    ObjectiveValue,
    Schedule,
    SolverSettings,
    SolveStatus,
    Unscheduled,
)
from sim.solve.cpmodel import SummitModel
from sim.solve.explain import Explanation, explain_infeasibility, why_no_slot
from sim.solve.objectives import TIER_GROUPS, Tier, all_tiers, combined

log = logging.getLogger("sim.solve")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SolveSettings:
    time_limit: float = 30.0
    seed: int = 0
    workers: int = 1
    explain: bool = True
    tiers: tuple[str, ...] | None = None  # None: every tier; else only these names
    merge_tiers: bool = True  # solve TIER_GROUPS together (same optimum, fewer calls)
    groups: tuple[tuple[str, ...], ...] = TIER_GROUPS  # which tiers share a solve


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
    """Reports each improving solution (objective and bound) while a tier is searched."""

    def __init__(self, tier: str, progress: Progress | None, started: float) -> None:
        super().__init__()
        self._tier = tier
        self._progress = progress
        self._started = started
        self.first_at: float | None = None

    def on_solution_callback(self) -> None:
        if self.first_at is None:
            self.first_at = time.perf_counter() - self._started
        if self._progress is not None:
            self._progress(
                f"{self._tier}: best {self.objective_value:g}, bound {self.best_objective_bound:g}"
                f" ({self.wall_time:.2f} s)"
            )


@dataclass
class _Run:
    solver: cp_model.CpSolver = field(default_factory=cp_model.CpSolver)
    interrupted: bool = False


def _parameters(solver: cp_model.CpSolver, settings: SolveSettings, budget: float) -> None:
    params = solver.parameters
    params.num_workers = max(1, settings.workers)
    params.random_seed = settings.seed
    params.max_deterministic_time = max(budget, 0.01)
    # The wall clock only as a safety net: deterministic seconds run slower than real
    # ones on a loaded machine, so leave a wide margin.
    params.max_time_in_seconds = max(5 * budget, 1.0)
    params.catch_sigint_signal = False  # we handle Ctrl-C: keep the best schedule found
    # Measured on the bundled scenarios (benchmarks/solve.py): without the LP
    # relaxation and the presolve probing, each tier proves its bound several times
    # faster; the circuits' LP bound is weak here and probing repeats at every tier.
    params.linearization_level = 0
    params.cp_model_probing_level = 0
    if settings.workers > 1:
        params.interleave_search = True  # a deterministic parallel portfolio
    params.log_search_progress = log.isEnabledFor(logging.DEBUG)
    params.log_to_stdout = False
    solver.log_callback = log.debug


def _solve_interruptibly(run: _Run, model: cp_model.CpModel, watcher: _Watcher) -> int:
    """Solve in a thread so Ctrl-C reaches us: then stop the search and keep its best."""
    outcome: dict[str, int] = {}

    def target() -> None:
        outcome["status"] = run.solver.solve(model, watcher)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    while thread.is_alive():
        try:
            thread.join(0.05)
        except KeyboardInterrupt:
            run.interrupted = True
            run.solver.stop_search()
    return int(outcome.get("status", cp_model.UNKNOWN))


def _hint_from(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    model.clear_hints()
    values = solver.response_proto.solution
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


def _greedy(scenario: Scenario) -> Schedule:
    from sim.solve.greedy import greedy_schedule

    return greedy_schedule(scenario)


def _greedy_fallback(scenario: Scenario, previous: Schedule | None) -> list[Assignment] | None:
    """The greedy plan when it is a valid answer: it holds every required meeting and
    no hard precedence applies (the greedy does not attempt it), and we are not
    re-planning (it ignores the published schedule)."""
    if previous is not None or scenario.rules.precedence.hard:
        return None
    greedy = _greedy(scenario)
    held = {a.meeting for a in greedy.assignments}
    if any(m.required and m.id not in held for m in scenario.meetings):
        return None
    return list(greedy.assignments)


def _hint_from_schedule(summit: SummitModel, schedule: Schedule) -> None:
    """Start the first search from a known plan: the published one when re-planning,
    else the greedy baseline's (on large summits CP-SAT alone can spend its whole
    budget looking for a first schedule)."""
    placed = {a.meeting: a for a in schedule.assignments}
    summit.model.clear_hints()
    for meeting_id, options in summit.alts.items():
        assignment = placed.get(meeting_id)
        for option in options:
            chosen = (
                assignment is not None
                and option.alt.day == assignment.day
                and option.alt.venue == assignment.venue
                and assignment.start in option.starts
            )
            summit.model.add_hint(option.present, chosen)
            if chosen and assignment is not None:
                summit.model.add_hint(option.units, assignment.start // summit.scenario.grain)


def assign_rooms(scenario: Scenario, placed: list[Assignment]) -> list[Assignment]:
    """Give each meeting a room: by start time, the lowest-numbered room free then.
    Capacity was enforced, so on these interval graphs greedy never runs out."""
    result: list[Assignment] = []
    free_at: dict[str, list[int]] = {v.id: [-(10**9)] * v.rooms for v in scenario.venues}
    for a in sorted(placed, key=lambda a: (a.start, a.end, a.meeting)):
        rooms = free_at[a.venue]
        room = next((r for r, t in enumerate(rooms) if t <= a.start), None)
        if room is None:  # cannot happen with a feasible model; keep the data honest
            room = min(range(len(rooms)), key=lambda r: rooms[r])
        rooms[room] = a.end
        result.append(Assignment(a.meeting, a.day, a.start, a.end, a.venue, room + 1))
    return result


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


def _groups(tiers: list[Tier], settings: SolveSettings) -> list[list[Tier]]:
    if not settings.merge_tiers:
        return [[t] for t in tiers]
    by_name = {t.name: t for t in tiers}
    groups = [[by_name[n] for n in names if n in by_name] for names in settings.groups]
    return [g for g in groups if g]


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
    summit = SummitModel(scenario)
    tiers: list[Tier] = all_tiers(summit, previous)
    if settings.tiers is not None:
        tiers = [t for t in tiers if t.name in settings.tiers]
    build_seconds = time.perf_counter() - started
    run = _Run()
    reports: list[TierReport] = []
    first_solution: float | None = None
    status = SolveStatus.OPTIMAL
    notes: list[str] = []
    found = False
    assignments: list[Assignment] = []
    deadline = settings.time_limit
    spent = 0.0
    for group in _groups(tiers, settings):
        if run.interrupted:
            break
        label = "+".join(t.name for t in group)
        expression, multipliers = combined(group) if len(group) > 1 else (group[0].expression, [1])
        summit.model.minimize(expression)
        if found:
            _hint_from(summit.model, run.solver)
        else:
            _hint_from_schedule(summit, previous or _greedy(summit.scenario))
        budget = max(deadline - spent, 0.05)
        _parameters(run.solver, settings, budget)
        watcher = _Watcher(label, progress, started)
        group_started = time.perf_counter()
        code = _solve_interruptibly(run, summit.model, watcher)
        seconds = time.perf_counter() - group_started
        spent += run.solver.deterministic_time
        if run.solver.wall_time >= 0.98 * run.solver.parameters.max_time_in_seconds:
            notes.append(
                f"tiers {label} hit the wall-clock safety limit: this result may not reproduce"
            )
        if first_solution is None and watcher.first_at is not None:
            first_solution = watcher.first_at
        if code == cp_model.INFEASIBLE:
            if found:  # cannot happen: the previous solution satisfies the tier bound
                raise RuntimeError(f"tiers {label} became infeasible after fixing")
            status = SolveStatus.INFEASIBLE
            break
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if not found:
                fallback = _greedy_fallback(scenario, previous)
                if fallback is None:
                    status = SolveStatus.UNKNOWN
                    notes.append("no schedule found within the time limit")
                    break
                found, status, assignments = True, SolveStatus.FEASIBLE, fallback
                notes.append(
                    "CP-SAT found no schedule within the time limit: this is the greedy "
                    "baseline's plan (earliest slot by priority), valid but not optimised; "
                    "give a larger --time-limit"
                )
                break
            status = SolveStatus.FEASIBLE
            notes.append(f"the search stopped during tiers {label}; later tiers not optimised")
            break
        found = True
        # Read the schedule now: a later tier that stops without a solution leaves the
        # solver's response empty, and this one must survive it.
        assignments = _extract(summit, run.solver)
        optimal = code == cp_model.OPTIMAL
        if not optimal:
            status = SolveStatus.FEASIBLE
        combined_bound = round(run.solver.best_objective_bound)
        for index, tier in enumerate(group):
            value = round(run.solver.value(tier.expression))
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
            proven = optimal or (bound == value and all(r.optimal for r in reports))
            reports.append(TierReport(tier.name, value, bound, proven, seconds / len(group)))
            summit.model.add(tier.expression <= value)
            if progress is not None:
                progress(f"{tier.name}: {value} ({'optimal' if optimal else f'bound {bound}'})")
    if run.interrupted:
        notes.append("interrupted (Ctrl-C): the best schedule found so far, not proven optimal")
        if status is SolveStatus.OPTIMAL:
            status = SolveStatus.FEASIBLE
    solve_seconds = time.perf_counter() - started - build_seconds
    solver_settings = SolverSettings(settings.time_limit, settings.seed, settings.workers)
    if not found:
        explanation = None
        if status is SolveStatus.INFEASIBLE and settings.explain:
            explanation = explain_infeasibility(
                scenario, time_limit=settings.time_limit, seed=settings.seed
            )
            notes.extend(explanation.lines())
        schedule = Schedule(
            scenario.id,
            scenario.source_sha256,
            status,
            solver_settings,
            (),
            tuple(
                Unscheduled(
                    m.id,
                    "no schedule exists"
                    if status is SolveStatus.INFEASIBLE
                    else "no schedule found",
                )
                for m in scenario.meetings
            ),
            (),
            (),
            tuple(notes),
        )
        return SolveResult(
            schedule,
            tuple(reports),
            build_seconds,
            solve_seconds,
            first_solution,
            run.interrupted,
            explanation,
        )
    held = {a.meeting for a in assignments}
    unscheduled = tuple(
        Unscheduled(m.id, _reason_unscheduled(summit, m.id))
        for m in scenario.meetings
        if m.id not in held
    )
    names = {t.name: t.description for t in tiers}
    objectives = tuple(ObjectiveValue(r.name, r.value, r.bound, names[r.name]) for r in reports)
    changes: tuple[Change, ...] = ()
    if previous is not None:
        from sim.solve.diff import diff_schedules

        changes = diff_schedules(previous, tuple(assignments))
    schedule = Schedule(
        scenario.id,
        scenario.source_sha256,
        status,
        solver_settings,
        tuple(assignments),
        unscheduled,
        objectives,
        changes,
        tuple(notes),
    )
    return SolveResult(
        schedule, tuple(reports), build_seconds, solve_seconds, first_solution, run.interrupted
    )
