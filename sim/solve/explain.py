"""Why there is no schedule: a minimal set of requirements that cannot hold together.

The model is rebuilt with every hard requirement family behind a named switch
(``required:putin-xi``, ``attend:plenary``, ``presence:modi``, ``buffer``, ...).
CP-SAT, solving under the assumption that every switch is on, returns a
*sufficient* set of switches for infeasibility; deletion shrinks it to a
minimal one (removing any one requirement of the set makes the rest feasible).
Travel times and the venues a meeting allows are facts, not switches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from sim.model import Meeting, Scenario
from sim.solve.candidates import (
    Filter,
    alternatives,
    day_filters,
    day_grid,
    planned_lengths,
)
from sim.solve.cpmodel import SummitModel
from sim.solve.objectives import add_fairness, party_gaps
from sim.solve.requirements import Requirement, RequirementKind
from sim.times import format_clock, format_date, format_duration, format_moment, format_span


@dataclass(frozen=True)
class Explanation:
    """Requirements (id, description) that conflict, and required meetings that would
    have to become optional for a schedule to exist (empty if that does not help)."""

    requirements: tuple[tuple[Requirement, str], ...]
    must_become_optional: tuple[str, ...] = ()
    proven_minimal: bool = True
    # the search for the conflict ran out of time before it had one (nothing named)
    undecided: bool = False
    # ``must_become_optional`` is proven the fewest (else only a set that suffices)
    fewest_proven: bool = True
    # why, in a sentence each, when it is plain arithmetic (a party's required
    # meetings need more time than any of them can be held in)
    summary: tuple[str, ...] = ()
    # ``must_become_optional`` as people read them (names, the id after them)
    optional_names: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        if self.summary:
            return [*self.summary, *self._optional_lines()]
        if not self.requirements and self.undecided:
            return [
                "no schedule exists, but the search for the conflicting requirements ran "
                "out of time before it could name them; give it more time (--time-limit)"
            ]
        if not self.requirements:
            return [
                "no schedule exists, but no smaller set of requirements could be named "
                "(the conflict lies in the travel times or the fixed programme)"
            ]
        head = "these requirements cannot all hold" + (
            " (a minimal set: drop any one and the rest can)" if self.proven_minimal else ""
        )
        lines = [head + ":"]
        lines += [f"  - {text}" for _, text in self.requirements]
        return [*lines, *self._optional_lines()]

    def _optional_lines(self) -> list[str]:
        if not self.must_become_optional:
            return []
        fewest = "" if self.fewest_proven else " (not proven the fewest)"
        return [
            f"making these required meetings optional would give a schedule{fewest}: "
            + ", ".join(self.optional_names or self.must_become_optional)
        ]


def _when(scenario: Scenario, minute: int) -> str:
    return format_moment(scenario.to_datetime(minute))


def _span(scenario: Scenario, start: int, end: int) -> str:
    """``22 Oct 15:00-16:30``; when the clocks change inside it, its real length too
    (01:30-03:30 on the spring change lasts an hour)."""
    first, last = scenario.to_datetime(start), scenario.to_datetime(end)
    text = format_span(first, last)
    if first.utcoffset() != last.utcoffset():
        text += f" ({format_duration(end - start)}: the clocks change)"
    return text


def _meeting(scenario: Scenario, meeting_id: str) -> str:
    """``The Host – Ana Silva (host-ana)``: the parties' names, the id to find it by."""
    m = scenario.meeting_by_id[meeting_id]
    return f"{scenario.party_names(m.parties)} ({m.id})"


def _required(scenario: Scenario, r: Requirement) -> str:
    m = scenario.meeting_by_id[r.subject]
    return f"the meeting {_meeting(scenario, m.id)}, {format_duration(m.duration)}, is required"


def _presence(scenario: Scenario, r: Requirement) -> str:
    p = scenario.party_by_id[r.subject]
    return (
        f"{p.name} is present only from {_when(scenario, p.presence.start)} "
        f"to {_when(scenario, p.presence.end)}"
    )


def _unavailable(scenario: Scenario, r: Requirement) -> str:
    p = scenario.party_by_id[r.subject]
    spans = "; ".join(
        f"{_when(scenario, u.start)}-{scenario.to_datetime(u.end):%H:%M}" for u in p.unavailable
    )
    return f"{p.name} is unavailable {spans}"


def _attend(scenario: Scenario, r: Requirement) -> str:
    e = scenario.event_by_id[r.subject]
    names = [scenario.party_name(p) for p in e.attendees]
    who = "everyone present" if e.everyone else ", ".join(names)
    if absent := scenario.left_out_of(e):
        who += " but " + ", ".join(scenario.party_name(p) for p in absent)
    verb = "attends" if e.everyone or len(e.attendees) == 1 else "attend"
    return (
        f"{who} {verb} {e.name} "
        f"({_span(scenario, e.time.start, e.time.end)}, "
        f"{scenario.venue_name(e.venue)})"
    )


def _window(scenario: Scenario, r: Requirement) -> str:
    m = scenario.meeting_by_id[r.subject]
    spans = "; ".join(_span(scenario, w.start, w.end) for w in m.windows)
    return f"{_meeting(scenario, m.id)} must lie within {spans}"


def _meal(scenario: Scenario, r: Requirement) -> str:
    m = scenario.meeting_by_id[r.subject]
    meal = scenario.rules.meal_windows.for_format(m.format)
    assert meal is not None
    return (
        f"{_meeting(scenario, m.id)} is a working {m.format.value}: it must lie within "
        f"{format_clock(meal.start)}-{format_clock(meal.end)}"
    )


def _latest_end(scenario: Scenario, r: Requirement) -> str:
    assert scenario.rules.latest_end is not None
    return f"no meeting ends after {format_clock(scenario.rules.latest_end)} (rules.latest_end)"


def _pinned(scenario: Scenario, r: Requirement) -> str:
    m = scenario.meeting_by_id[r.subject]
    where = f" at {scenario.venue_name(m.pinned_venue)}" if m.pinned_venue else ""
    when = _when(scenario, m.pinned_start) if m.pinned_start is not None else "a fixed place"
    return f"{_meeting(scenario, m.id)} is pinned at {when}{where}"


def _buffer(scenario: Scenario, r: Requirement) -> str:
    return f"{scenario.rules.buffer} min between a party's engagements (rules.buffer)"


def _base(scenario: Scenario, r: Requirement) -> str:
    p = scenario.party_by_id[r.subject]
    base = scenario.venue_name(p.base) if p.base is not None else "its base"
    return f"{p.name} starts and ends each day at its base, {base}"


def _rooms(scenario: Scenario, r: Requirement) -> str:
    v = scenario.venue_by_id[r.subject]
    return f"{v.name} has {v.rooms} room{'s' if v.rooms != 1 else ''} for bilaterals"


def _max_meetings_per_day(scenario: Scenario, r: Requirement) -> str:
    limit = scenario.rules.max_meetings_per_day
    return f"at most {limit} meetings a day per party (rules.max_meetings_per_day)"


def _party_limit(scenario: Scenario, r: Requirement) -> str:
    p = scenario.party_by_id[r.subject]
    return f"{p.name}: at most {p.max_meetings_per_day} meetings a day"


def _max_continuous(scenario: Scenario, r: Requirement) -> str:
    rules = scenario.rules
    assert rules.max_continuous is not None
    return (
        f"at most {format_duration(rules.max_continuous)} of engagements without a "
        f"{rules.min_break}-minute break (rules.max_continuous)"
    )


def _precedence(scenario: Scenario, r: Requirement) -> str:
    by = "rank" if scenario.rules.precedence.mode.value == "rank" else "the order of precedence"
    return (
        "each principal meets the more senior guests of a day first, by "
        f"{by} (rules.precedence, hard)"
    )


def _order(scenario: Scenario, r: Requirement) -> str:
    m = scenario.meeting_by_id[r.subject]
    relation = "after" if r.other in m.after else "before"
    return f"{_meeting(scenario, r.subject)} must come {relation} {_meeting(scenario, r.other)}"


def _fairness(scenario: Scenario, r: Requirement) -> str:
    spread = scenario.rules.fairness
    return (
        f"no party has more than {spread} gap{'s' if spread != 1 else ''} more than the "
        "party with the fewest (rules.fairness)"
    )


def _same_day(scenario: Scenario, r: Requirement) -> str:
    return (
        f"{_meeting(scenario, r.subject)} must be on the same day as {_meeting(scenario, r.other)}"
    )


# How each kind of requirement reads, in the scenario's own words.
DESCRIPTIONS: dict[RequirementKind, Callable[[Scenario, Requirement], str]] = {
    RequirementKind.REQUIRED: _required,
    RequirementKind.PRESENCE: _presence,
    RequirementKind.UNAVAILABLE: _unavailable,
    RequirementKind.ATTEND: _attend,
    RequirementKind.WINDOW: _window,
    RequirementKind.MEAL: _meal,
    RequirementKind.LATEST_END: _latest_end,
    RequirementKind.PINNED: _pinned,
    RequirementKind.BUFFER: _buffer,
    RequirementKind.BASE: _base,
    RequirementKind.ROOMS: _rooms,
    RequirementKind.MAX_MEETINGS_PER_DAY: _max_meetings_per_day,
    RequirementKind.PARTY_LIMIT: _party_limit,
    RequirementKind.MAX_CONTINUOUS: _max_continuous,
    RequirementKind.PRECEDENCE: _precedence,
    RequirementKind.ORDER: _order,
    RequirementKind.SAME_DAY: _same_day,
    RequirementKind.FAIRNESS: _fairness,
}


def describe(scenario: Scenario, requirement: Requirement) -> str:
    """A requirement in the scenario's own words."""
    return DESCRIPTIONS[requirement.kind](scenario, requirement)


def why_no_slot(scenario: Scenario, meeting: Meeting) -> str:
    """Why a meeting has no possible start at all, day by day, with minimal causes (at
    the shortest length the planner may give it: a longer one fits nowhere either)."""
    shortest = planned_lengths(scenario, meeting)[-1]
    reasons: list[str] = []
    for day in scenario.days:
        label = format_date(day.date)
        if not day_grid(scenario, day, shortest):
            reasons.append(f"{label}: the day is shorter than the meeting")
            continue
        filters = list(day_filters(scenario, meeting, day, shortest))
        grid = set(day_grid(scenario, day, shortest))

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


def overbooked(scenario: Scenario) -> list[tuple[str, tuple[Meeting, ...], int, int]]:
    """The parties whose required meetings need more minutes (each at its shortest
    length) than there are minutes in which any of them can be held at all: (party,
    its required meetings, minutes needed, minutes possible). No plan can hold them,
    whatever else the scenario says; a count, not a search, so it always answers."""
    found = []
    for party in scenario.parties:
        required = tuple(m for m in scenario.meetings if m.required and party.id in m.parties)
        if len(required) < 2:
            continue
        need = sum(planned_lengths(scenario, m)[-1] for m in required)
        spans = sorted(
            (start, start + alt.length)
            for m in required
            for alt in alternatives(scenario, m)
            for start in alt.allowed_starts()
        )
        possible, reach = 0, None
        for start, end in spans:  # the union's length
            if reach is None or start > reach:
                possible += end - start
                reach = end
            elif end > reach:
                possible += end - reach
                reach = end
        if need > possible:
            found.append((party.id, required, need, possible))
    return found


def _overbooked_explanation(scenario: Scenario) -> Explanation | None:
    found = overbooked(scenario)
    if not found:
        return None
    summary = []
    named: set[Requirement] = set()
    for party_id, meetings, need, possible in found:
        name = scenario.party_by_id[party_id].name
        # the fewest that can go: the longest first, until the rest fits the time
        fewest, left = 0, need
        for length in sorted((planned_lengths(scenario, m)[-1] for m in meetings), reverse=True):
            if left <= possible:
                break
            fewest, left = fewest + 1, left - length
        summary.append(
            f"{name} has {len(meetings)} required meetings that need at least "
            f"{format_duration(need)}, but there are only {format_duration(possible)} in "
            f"which any of them can be held: at least {fewest} of them must become "
            f"optional, or they need more time (the meetings: "
            f"{', '.join(m.id for m in meetings)})"
        )
        # the meetings being required, and whatever narrows their starts (windows,
        # presence, unavailability): together these leave no plan, whatever else holds
        for meeting in meetings:
            named.add(Requirement(RequirementKind.REQUIRED, meeting.id))
            named.update(
                f.requirement for alt in alternatives(scenario, meeting) for f in alt.filters
            )
    requirements = tuple((r, describe(scenario, r)) for r in sorted(named, key=str))
    return Explanation(requirements, proven_minimal=False, summary=tuple(summary))


def _no_time_explanation(scenario: Scenario) -> Explanation | None:
    """Required meetings longer than every summit day: no requirement but their being
    required keeps them out, so the search would name only that; each is said with
    why, day by day, as an optional one is. (A meeting kept out by its parties'
    presence or the programme is left to the search, which names those.)"""
    stuck = [
        m
        for m in scenario.meetings
        if m.required
        and not any(
            day_grid(scenario, day, planned_lengths(scenario, m)[-1]) for day in scenario.days
        )
    ]
    if not stuck:
        return None
    summary = []
    named: set[Requirement] = set()
    for meeting in stuck:
        who = scenario.party_names(meeting.parties)
        reasons = why_no_slot(scenario, meeting).removeprefix("no possible time: ")
        summary.append(
            f"{who} ({meeting.id}) is required, but there is no time at all it could be "
            f"held: {reasons}; it must become optional or shorter, or the days longer"
        )
        named.add(Requirement(RequirementKind.REQUIRED, meeting.id))
        named.update(f.requirement for alt in alternatives(scenario, meeting) for f in alt.filters)
    requirements = tuple((r, describe(scenario, r)) for r in sorted(named, key=str))
    return Explanation(requirements, proven_minimal=False, summary=tuple(summary))


def explain_infeasibility(scenario: Scenario, *, time_limit: float, seed: int) -> Explanation:
    """A minimal set of conflicting requirements, in the scenario's words; first, plain
    arithmetic with no search: a required meeting longer than every day, a party with
    more required meetings than time."""
    plain = _no_time_explanation(scenario) or _overbooked_explanation(scenario)
    if plain is not None:
        return plain
    limit = max(time_limit, 1.0)
    summit = SummitModel(scenario, switchable=True)
    if scenario.rules.fairness is not None:  # a hard rule the model adds with the tiers
        add_fairness(summit, party_gaps(summit), scenario.rules.fairness)
    # sorted by their text, so that explanations read the same run after run
    switches = dict(sorted(summit.switch.literals.items(), key=lambda item: str(item[0])))
    by_index = {lit.index: name for name, lit in switches.items()}
    status, solver = _solve_with(summit.model, list(switches.values()), limit, seed)
    if status != cp_model.INFEASIBLE:
        # a plan with every requirement on: the conflict is in what cannot be switched
        # off (travel, the programme); no answer at all: out of time
        undecided = status not in (cp_model.FEASIBLE, cp_model.OPTIMAL)
        return Explanation((), proven_minimal=False, undecided=undecided)
    core = sorted(
        (by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index),
        key=str,
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
            core = sorted(found & set(trial), key=str) if found & set(trial) else trial
        elif status != cp_model.FEASIBLE and status != cp_model.OPTIMAL:
            minimal = False  # undecided within the limit: keep the requirement
    optional: tuple[str, ...] = ()
    fewest = True
    if any(n.kind is RequirementKind.REQUIRED for n in core):
        optional, fewest = _required_to_relax(summit, switches, limit, seed)
    described = tuple((n, describe(scenario, n)) for n in core)
    return Explanation(
        described,
        optional,
        minimal,
        fewest_proven=fewest,
        optional_names=tuple(_meeting(scenario, m) for m in optional),
    )


def _required_to_relax(
    summit: SummitModel, switches: dict[Requirement, cp_model.IntVar], limit: float, seed: int
) -> tuple[tuple[str, ...], bool]:
    """The fewest required meetings to make optional (all other requirements kept), and
    whether they are proven the fewest (the search may stop at a plan that drops more)."""
    required = [m.id for m in summit.scenario.meetings if m.required]
    others = [lit for name, lit in switches.items() if name.kind is not RequirementKind.REQUIRED]
    summit.model.minimize(sum(1 - summit.held[m] for m in required))
    status, solver = _solve_with(summit.model, others, limit, seed)
    summit.model.clear_objective()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return (), True
    dropped = tuple(m for m in required if not solver.boolean_value(summit.held[m]))
    return dropped, status == cp_model.OPTIMAL


def infeasible_together(
    scenario: Scenario, requirements: Iterable[Requirement], time_limit: float = 10.0
) -> bool | None:
    """Whether the named requirements alone (every other switch off) admit no schedule:
    True, False, or None when undecided within the limit. Used to test explanations."""
    summit = SummitModel(scenario, switchable=True)
    if scenario.rules.fairness is not None:
        add_fairness(summit, party_gaps(summit), scenario.rules.fairness)
    literals = [summit.switch.literals[n] for n in requirements if n in summit.switch.literals]
    status, _ = _solve_with(summit.model, literals, time_limit, 0)
    if status == cp_model.INFEASIBLE:
        return True
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    return None
