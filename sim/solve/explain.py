"""Why there is no schedule: a minimal set of requirements that cannot hold together.

The model is rebuilt with every hard requirement family behind a named switch
(``required:putin-xi``, ``attend:plenary``, ``presence:modi``, ``buffer``, ...).
CP-SAT, solving under the assumption that every switch is on, returns a
*sufficient* set of switches for infeasibility; deletion shrinks it to a
minimal one (removing any one requirement of the set makes the rest feasible).
Travel times and the venues a meeting allows are facts, not switches.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from sim.model import Meeting, Scenario
from sim.solve.candidates import Filter, day_filters, day_grid
from sim.solve.cpmodel import SummitModel
from sim.times import format_clock, format_duration


@dataclass(frozen=True)
class Explanation:
    """Requirements (id, description) that conflict, and required meetings that would
    have to become optional for a schedule to exist (empty if that does not help)."""

    requirements: tuple[tuple[str, str], ...]
    must_become_optional: tuple[str, ...] = ()
    proven_minimal: bool = True

    def lines(self) -> list[str]:
        if not self.requirements:
            return [
                "no schedule exists, but no smaller set of requirements could be named "
                "(the conflict lies in the travel times or the fixed programme)"
            ]
        head = "these requirements cannot all hold" + (
            " (a minimal set: drop any one and the rest can)" if self.proven_minimal else ""
        )
        lines = [head + ":"]
        lines += [f"  - {name}: {text}" for name, text in self.requirements]
        if self.must_become_optional:
            lines.append(
                "making these required meetings optional would give a schedule: "
                + ", ".join(self.must_become_optional)
            )
        return lines


def _when(scenario: Scenario, minute: int) -> str:
    return scenario.to_datetime(minute).strftime("%d %b %H:%M")


def describe(scenario: Scenario, name: str) -> str:
    """A requirement in the scenario's own words."""
    kind, _, rest = name.partition(":")
    rules = scenario.rules
    if kind == "required":
        m = scenario.meeting_by_id[rest]
        return f"meeting {m.id} ({', '.join(m.parties)}, {format_duration(m.duration)}) is required"
    if kind == "presence":
        p = scenario.party_by_id[rest]
        return (
            f"{p.id} is present only from {_when(scenario, p.presence.start)} "
            f"to {_when(scenario, p.presence.end)}"
        )
    if kind == "unavailable":
        p = scenario.party_by_id[rest]
        spans = "; ".join(
            f"{_when(scenario, u.start)}-{scenario.to_datetime(u.end):%H:%M}" for u in p.unavailable
        )
        return f"{p.id} is unavailable {spans}"
    if kind == "attend":
        e = scenario.event_by_id[rest]
        who = "everyone present" if e.everyone else ", ".join(e.attendees)
        verb = "attends" if e.everyone or len(e.attendees) == 1 else "attend"
        return (
            f"{who} {verb} {e.name} "
            f"({_when(scenario, e.time.start)}-{_when(scenario, e.time.end)[-5:]}, {e.venue})"
        )
    if kind == "window":
        m = scenario.meeting_by_id[rest]
        spans = "; ".join(
            f"{_when(scenario, w.start)}-{_when(scenario, w.end)[-5:]}" for w in m.windows
        )
        return f"{m.id} must lie within {spans}"
    if kind == "meal":
        m = scenario.meeting_by_id[rest]
        meal = rules.meal_windows.for_format(m.format)
        assert meal is not None
        return (
            f"{m.id} is a working {m.format.value}: it must lie within "
            f"{format_clock(meal.start)}-{format_clock(meal.end)}"
        )
    if kind == "latest_end":
        assert rules.latest_end is not None
        return f"rules.latest_end: no meeting ends after {format_clock(rules.latest_end)}"
    if kind == "pinned":
        m = scenario.meeting_by_id[rest]
        where = f" at {m.pinned_venue}" if m.pinned_venue else ""
        when = _when(scenario, m.pinned_start) if m.pinned_start is not None else "a fixed place"
        return f"{m.id} is pinned at {when}{where}"
    if kind == "buffer":
        return f"rules.buffer: {rules.buffer} min between a party's engagements"
    if kind == "base":
        p = scenario.party_by_id[rest]
        return f"{p.id} starts and ends each day at its base, {p.base}"
    if kind == "rooms":
        v = scenario.venue_by_id[rest]
        return f"{v.id} has {v.rooms} room{'s' if v.rooms != 1 else ''} for bilaterals"
    if kind == "max_meetings_per_day":
        return f"rules.max_meetings_per_day: at most {rules.max_meetings_per_day} a day per party"
    if kind == "party_limit":
        p = scenario.party_by_id[rest]
        return f"{p.id}: at most {p.max_meetings_per_day} meetings a day"
    if kind == "max_continuous":
        assert rules.max_continuous is not None
        return (
            f"rules.max_continuous: at most {format_duration(rules.max_continuous)} of "
            f"engagements without a {rules.min_break}-minute break"
        )
    if kind == "precedence":
        return f"rules.precedence (hard, by {rules.precedence.mode.value})"
    if kind == "order":
        m_id, _, other = rest.partition(":")
        m = scenario.meeting_by_id[m_id]
        relation = "after" if other in m.after else "before"
        return f"{m_id} must come {relation} {other}"
    if kind == "same_day":
        m_id, _, other = rest.partition(":")
        return f"{m_id} must be on the same day as {other}"
    return name


def why_no_slot(scenario: Scenario, meeting: Meeting) -> str:
    """Why a meeting has no possible start at all, day by day, with minimal causes."""
    reasons: list[str] = []
    for day in scenario.days:
        label = day.date.strftime("%d %b")
        if not day_grid(scenario, day, meeting.duration):
            reasons.append(f"{label}: the day is shorter than the meeting")
            continue
        filters = list(day_filters(scenario, meeting, day))
        grid = set(day_grid(scenario, day, meeting.duration))

        def empty(
            subset: list[int], filters: list[Filter] = filters, grid: set[int] = grid
        ) -> bool:
            allowed = set(grid)
            for i in subset:
                allowed &= filters[i].starts
            return not allowed

        keep = list(range(len(filters)))
        for i in list(keep):
            trial = [k for k in keep if k != i]
            if empty(trial):
                keep = trial
        names = [filters[i].requirement for i in keep]
        reasons.append(f"{label}: " + "; ".join(describe(scenario, n) for n in names))
    return "no possible time: " + " | ".join(reasons)


def _solve_with(
    model: cp_model.CpModel, literals: list[cp_model.IntVar], time_limit: float, seed: int
) -> tuple[int, cp_model.CpSolver]:
    model.clear_assumptions()
    model.add_assumptions(literals)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # assumptions cores need a single worker
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = time_limit
    solver.parameters.max_time_in_seconds = 3 * time_limit
    solver.parameters.catch_sigint_signal = False
    return solver.solve(model), solver


def explain_infeasibility(scenario: Scenario, *, time_limit: float, seed: int) -> Explanation:
    """A minimal set of conflicting requirements, in the scenario's words."""
    limit = max(time_limit, 1.0)
    summit = SummitModel(scenario, switchable=True)
    switches = dict(sorted(summit.switch.literals.items()))
    by_index = {lit.index: name for name, lit in switches.items()}
    status, solver = _solve_with(summit.model, list(switches.values()), limit, seed)
    if status != cp_model.INFEASIBLE:
        return Explanation((), proven_minimal=False)
    core = sorted(
        by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index
    )
    minimal = True
    for name in list(core):
        if name not in core:
            continue
        trial = [n for n in core if n != name]
        status, solver = _solve_with(summit.model, [switches[n] for n in trial], limit, seed)
        if status == cp_model.INFEASIBLE:
            found = {
                by_index[i]
                for i in solver.sufficient_assumptions_for_infeasibility()
                if i in by_index
            }
            core = sorted(found & set(trial)) if found & set(trial) else trial
        elif status != cp_model.FEASIBLE and status != cp_model.OPTIMAL:
            minimal = False  # undecided within the limit: keep the requirement
    optional = (
        _required_to_relax(summit, switches, limit, seed)
        if any(n.startswith("required:") for n in core)
        else ()
    )
    return Explanation(tuple((n, describe(scenario, n)) for n in core), optional, minimal)


def _required_to_relax(
    summit: SummitModel, switches: dict[str, cp_model.IntVar], limit: float, seed: int
) -> tuple[str, ...]:
    """The fewest required meetings to make optional (all other requirements kept)."""
    required = [m.id for m in summit.scenario.meetings if m.required]
    others = [lit for name, lit in switches.items() if not name.startswith("required:")]
    summit.model.minimize(sum(1 - summit.held[m] for m in required))
    status, solver = _solve_with(summit.model, others, limit, seed)
    summit.model.clear_objective()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ()
    return tuple(m for m in required if not solver.boolean_value(summit.held[m]))


def infeasible_together(
    scenario: Scenario, requirements: list[str], time_limit: float = 10.0
) -> bool | None:
    """Whether the named requirements alone (every other switch off) admit no schedule:
    True, False, or None when undecided within the limit. Used to test explanations."""
    summit = SummitModel(scenario, switchable=True)
    literals = [summit.switch.literals[n] for n in requirements if n in summit.switch.literals]
    status, _ = _solve_with(summit.model, literals, time_limit, 0)
    if status == cp_model.INFEASIBLE:
        return True
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    return None
