"""The independent checker: is a schedule valid for a scenario, and what does it cost?

``check(scenario, schedule)`` reads the schedule as a protocol officer would: first
as a document (does every meeting of the scenario appear exactly once, held or
not, with a day index that matches its start?), then against every hard rule of
docs/planning-rules.md, then for the soft preferences it gives up and the five
objective tiers. It shares no code with the planner (``sim.solve``) on purpose:
a schedule is trusted because two separate readings of the rules agree on it.

Problems with the document are reported under the rule id ``structure``; a
schedule made for another version of the scenario file is only a warning, since
it may well still be valid.

A schedule whose status says that no plan was found (``infeasible``, ``unknown``)
is judged like any other: it holds no meeting, so each required meeting breaks
``required``; the report says in a warning that the file records no plan, and a
meeting held in such a file contradicts its status (``structure``). See "A
schedule without a plan" in docs/planning-rules.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sim.check.objectives import compact_days, given_up, objectives
from sim.check.report import (
    OBJECTIVE_NAMES,
    STRUCTURE,
    CheckReport,
    GivenUp,
    Objectives,
    Violation,
    report_to_dict,
)
from sim.check.rules import RULES, hard_rule_violations
from sim.check.view import day_index, plan_view, span
from sim.model import TIER_NAMES, Scenario
from sim.schedule import Assignment, Schedule, SolveStatus, provenance_mismatch

__all__ = [
    "OBJECTIVE_NAMES",
    "RULES",
    "STRUCTURE",
    "CheckReport",
    "GivenUp",
    "Objectives",
    "Violation",
    "check",
    "report_to_dict",
    "violations",
]


def check(scenario: Scenario, schedule: Schedule) -> CheckReport:
    """Every broken hard rule, every preference given up, and the recomputed objectives."""
    held, problems = _held_assignments(scenario, schedule)
    view = plan_view(scenario, held)
    gave_up = given_up(view)
    values = objectives(view, gave_up)
    if "compact_days" in scenario.rules.objectives:
        values = replace(values, compact_days=compact_days(view))
    return CheckReport(
        violations=(*problems, *hard_rule_violations(view)),
        given_up=gave_up,
        objectives=values,
        warnings=_warnings(scenario, schedule, values),
        tiers=scenario.rules.objectives,
    )


def violations(scenario: Scenario, schedule: Schedule) -> tuple[Violation, ...]:
    """Only the broken hard rules (what ``check(...).violations`` holds), without
    costing the schedule: for callers that judge many candidate schedules."""
    held, problems = _held_assignments(scenario, schedule)
    return (*problems, *hard_rule_violations(plan_view(scenario, held)))


def _held_assignments(
    scenario: Scenario, schedule: Schedule
) -> tuple[list[Assignment], list[Violation]]:
    """The assignments to judge (known meetings, first listing of each) and what is
    wrong with the schedule as a document."""
    problems: list[Violation] = []
    # A hostile file can repeat one mistake a million times: each kind of mistake is
    # listed up to a limit, then counted, so the report stays readable (and quick).
    seen: Counter[str] = Counter()

    def problem(meeting: str, message: str, parties: tuple[str, ...] = (), kind: str = "") -> None:
        seen[kind] += 1
        if not kind or seen[kind] <= STRUCTURE_LIMIT:
            problems.append(Violation(STRUCTURE, (meeting,), parties, message))

    known = scenario.meeting_by_id
    if schedule.status in NO_PLAN and schedule.assignments:
        problem(
            schedule.assignments[0].meeting,
            f"the schedule says no plan was found (status {schedule.status.value}) but holds "
            f"{_count(len(schedule.assignments), 'meeting')}; a file without a plan holds none",
        )
    held: dict[str, Assignment] = {}
    for a in schedule.assignments:
        if a.meeting not in known:
            problem(
                a.meeting,
                f"the schedule holds {a.meeting}, which the scenario does not ask for",
                kind="held unknown",
            )
        elif a.meeting in held:
            first = held[a.meeting]
            problem(
                a.meeting,
                f"{a.meeting} is held twice: {span(scenario, first.start, first.end)} "
                f"and {span(scenario, a.start, a.end)} (only the first is checked)",
                known[a.meeting].parties,
                kind="held twice",
            )
        else:
            wrong_day = _day_index_problem(scenario, a)
            if wrong_day is not None:
                problems.append(wrong_day)
            if wrong_day is None or "outside the summit" not in wrong_day.message:
                held[a.meeting] = a  # times far outside the summit are not checked further
    not_held: set[str] = set()
    for u in schedule.unscheduled:
        if u.meeting not in known:
            problem(
                u.meeting,
                f"the schedule lists {u.meeting} as not held, but the scenario has no such meeting",
                kind="not held unknown",
            )
        elif u.meeting in held:
            problem(
                u.meeting,
                f"{u.meeting} is both held and listed as not held (checked as held)",
                known[u.meeting].parties,
                kind="both",
            )
        elif u.meeting in not_held:
            problem(
                u.meeting,
                f"{u.meeting} is listed as not held twice",
                known[u.meeting].parties,
                kind="not held twice",
            )
        not_held.add(u.meeting)
    for m in scenario.meetings:
        if m.id not in held and m.id not in not_held:
            problem(
                m.id,
                f"{m.id} is neither held nor listed as not held (checked as not held)",
                m.parties,
            )
    for kind, count in seen.items():
        if kind and count > STRUCTURE_LIMIT:
            problems.append(
                Violation(
                    STRUCTURE,
                    (),
                    (),
                    f"and {count - STRUCTURE_LIMIT:,} more {_OVERFLOW[kind]} "
                    f"({count:,} in all; the first {STRUCTURE_LIMIT} are listed)",
                )
            )
    return list(held.values()), problems


# Each kind of mistake in the document is listed this many times, then counted.
STRUCTURE_LIMIT = 20
_OVERFLOW = {
    "held unknown": "held meetings the scenario does not ask for",
    "held twice": "second listings of held meetings",
    "not held unknown": "meetings not held that the scenario does not ask for",
    "both": "meetings both held and listed as not held",
    "not held twice": "meetings listed as not held twice",
}


# Statuses with which a schedule records that no plan was found.
NO_PLAN = frozenset({SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN})
# The tiers a schedule may claim: the scenario's, and the re-planning ones (which need
# the published plan to recompute: not checked here).
KNOWN_TIERS = frozenset(TIER_NAMES)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _day_index_problem(scenario: Scenario, a: Assignment) -> Violation | None:
    parties = scenario.meeting_by_id[a.meeting].parties
    if not 0 <= a.day < len(scenario.days):
        return Violation(
            STRUCTURE, (a.meeting,), parties, f"{a.meeting} is on day {a.day}, which does not exist"
        )
    horizon = scenario.days[-1].window.end + 24 * 60
    if not -24 * 60 <= a.start <= a.end <= horizon:
        return Violation(
            STRUCTURE,
            (a.meeting,),
            parties,
            f"{a.meeting} has times outside the summit (minutes {a.start}..{a.end})",
        )
    actual = day_index(scenario, a.start)
    # A start on no summit date at all is the `day` rule's to report.
    if actual is None or actual == a.day:
        return None
    return Violation(
        STRUCTURE,
        (a.meeting,),
        parties,
        f"{a.meeting} is said to be on day {a.day} ({scenario.days[a.day].date:%d %b}) "
        f"but starts on day {actual} ({span(scenario, a.start, a.end)})",
    )


def _warnings(scenario: Scenario, schedule: Schedule, values: Objectives) -> tuple[str, ...]:
    warnings: list[str] = []
    if schedule.status in NO_PLAN:
        why = (
            "no schedule exists"
            if schedule.status is SolveStatus.INFEASIBLE
            else "none was found in time"
        )
        warnings.append(
            f"the schedule records that no plan was found (status {schedule.status.value}: "
            f"{why}); it is judged as a plan that holds no meeting"
        )
    foreign = provenance_mismatch(schedule, scenario)  # the same words as every command
    if foreign is not None:
        warnings.append(foreign)
    recomputed = values.as_dict()
    for claimed in schedule.objectives:
        if claimed.name not in recomputed and claimed.name not in KNOWN_TIERS:
            warnings.append(
                f"the schedule claims an objective {claimed.name!r} that no rule of this "
                "program defines; it is ignored"
            )
        if claimed.name in recomputed and claimed.value != recomputed[claimed.name]:
            warnings.append(
                f"the schedule claims {claimed.name} = {claimed.value}; "
                f"recomputed from its meetings: {recomputed[claimed.name]}"
            )
    return tuple(warnings)
