"""Exhaustive search for tiny scenarios, to hold the planner's optimum against.

Every meeting is either not held or placed at every (day, venue, start on the
grain, room) there is: all venues of the scenario, all starts inside each day's
working window, at the nominal duration. The independent checker alone decides
which combinations are valid and what each costs; the best objective vector
(tier 1, then tier 2, ...) wins.

To keep four meetings affordable the walk takes shortcuts, all switched off by
``prune=False`` (a test checks that they lose nothing):

* a placement, or a pair of placements, that the checker finds breaking a
  *monotone* rule is never combined with anything: such a breach no further held
  meeting can mend (an overlap stays an overlap, a limit stays exceeded). The
  same test runs on every partial plan. ``required`` (more meetings mend it),
  ``gap`` and ``base`` (a meeting placed in between changes which engagements are
  consecutive, or which is first and last) are only judged on complete plans;
* rooms of one venue are interchangeable and cost nothing, so a meeting may use
  room ``r`` only when an earlier meeting at that venue uses room ``r - 1``
  (any valid plan is such a plan with its rooms renumbered);
* tier 1 only grows as meetings are left out, so a partial plan that already
  leaves out more optional weight than the best plan found is dropped. Placements
  are tried before "not held" so that full plans are found first.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from sim.check import RULES, check, violations
from sim.model import Meeting, Scenario
from sim.schedule import Assignment, Schedule, SolverSettings, SolveStatus, Unscheduled

MAX_MEETINGS = 4
NOT_MONOTONE = frozenset({"required", "gap", "base"})
MONOTONE = frozenset(name for name, _ in RULES) - NOT_MONOTONE

Vector = tuple[int, int, int, int, int, int]
Chosen = tuple[Assignment | None, ...]


@dataclass(frozen=True)
class Optimum:
    objectives: Vector
    schedule: Schedule


def brute_force(scenario: Scenario, *, prune: bool = True) -> Vector | None:
    """The lexicographically best objective vector of any valid schedule, or None."""
    best = brute_force_optimum(scenario, prune=prune)
    return best.objectives if best is not None else None


def brute_force_optimum(scenario: Scenario, *, prune: bool = True) -> Optimum | None:
    """The best valid schedule (the first found among equals) and its objectives."""
    if len(scenario.meetings) > MAX_MEETINGS:
        raise ValueError(
            f"brute force is for at most {MAX_MEETINGS} meetings, got {len(scenario.meetings)}"
        )
    options = [_placements(scenario, m) for m in scenario.meetings]
    clashes: set[tuple[Assignment, Assignment]] = set()
    if prune:
        options = [[p for p in found if _fits_alone(scenario, p)] for found in options]
        clashes = _clashing_pairs(scenario, options)
    best: Optimum | None = None

    def walk(chosen: Chosen) -> None:
        nonlocal best
        schedule = _schedule(scenario, chosen)
        if len(chosen) == len(options):
            if violations(scenario, schedule):
                return
            vector = check(scenario, schedule).objectives.as_tuple()
            if best is None or vector < best.objectives:
                best = Optimum(vector, schedule)
            return
        if prune and (
            (best is not None and _left_out(scenario, chosen) > best.objectives[0])
            or _breaks_monotone_rule(scenario, schedule)
        ):
            return
        for option in options[len(chosen)]:
            if not prune or _compatible(option, chosen, clashes):
                walk((*chosen, option))
        walk((*chosen, None))

    walk(())
    return best


def _placements(scenario: Scenario, meeting: Meeting) -> list[Assignment]:
    return [
        Assignment(meeting.id, day.index, start, start + meeting.duration, venue.id, room)
        for day in scenario.days
        for venue in scenario.venues
        for start in range(day.window.start, day.window.end, scenario.grain)
        for room in range(1, venue.rooms + 1)
    ]


def _fits_alone(scenario: Scenario, placement: Assignment) -> bool:
    return not _breaks_monotone_rule(scenario, _schedule(scenario, (placement,)))


def _clashing_pairs(
    scenario: Scenario, options: list[list[Assignment]]
) -> set[tuple[Assignment, Assignment]]:
    """Pairs of placements (of two meetings) that break a monotone rule together."""
    return {
        (p, q)
        for first, second in combinations(options, 2)
        for p in first
        for q in second
        if _breaks_monotone_rule(scenario, _schedule(scenario, (p, q)))
    }


def _compatible(
    option: Assignment, chosen: Chosen, clashes: set[tuple[Assignment, Assignment]]
) -> bool:
    if any(a is not None and (a, option) in clashes for a in chosen):
        return False
    # Rooms are interchangeable: number them in the order the meetings take them.
    used = [a.room for a in chosen if a is not None and a.venue == option.venue]
    return option.room <= max(used, default=0) + 1


def _breaks_monotone_rule(scenario: Scenario, schedule: Schedule) -> bool:
    return any(v.rule in MONOTONE for v in violations(scenario, schedule))


def _left_out(scenario: Scenario, chosen: Chosen) -> int:
    """The optional weight already left out: a lower bound on tier 1 of any completion."""
    pairs = zip(scenario.meetings, chosen, strict=False)  # chosen may be partial
    return sum(m.weight for m, a in pairs if a is None and not m.required)


def _schedule(scenario: Scenario, chosen: Chosen) -> Schedule:
    """The placements in ``chosen`` held, every other meeting listed as not held."""
    held = tuple(a for a in chosen if a is not None)
    held_ids = {a.meeting for a in held}
    return Schedule(
        scenario_id=scenario.id,
        scenario_sha256=scenario.source_sha256,
        status=SolveStatus.FEASIBLE,
        settings=SolverSettings(time_limit=0.0, seed=0, workers=1),
        assignments=held,
        unscheduled=tuple(
            Unscheduled(m.id, "brute force") for m in scenario.meetings if m.id not in held_ids
        ),
    )
