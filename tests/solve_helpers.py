"""Tiny scenarios for planner tests, built as documents and loaded like any file."""

from __future__ import annotations

from typing import Any

from sim.check import check
from sim.model import Scenario
from sim.schedule import Schedule, SolveStatus
from sim.solve import SolveResult, SolveSettings, solve
from tests.tiny import scenario_of


def solved(document: dict[str, Any], **settings: Any) -> tuple[Scenario, SolveResult]:
    scenario = scenario_of(document)
    result = solve(scenario, SolveSettings(time_limit=10, **settings))
    if result.schedule.assignments:
        report = check(scenario, result.schedule)
        assert report.ok, [str(v) for v in report.violations]
    return scenario, result


def clock(scenario: Scenario, schedule: Schedule, meeting_id: str) -> str:
    assignment = schedule.assignment_of(meeting_id)
    assert assignment is not None, f"{meeting_id} not scheduled"
    return scenario.to_datetime(assignment.start).strftime("%H:%M")


def is_infeasible(result: SolveResult) -> bool:
    return result.schedule.status is SolveStatus.INFEASIBLE


def conflicting(result: SolveResult) -> set[str]:
    """The labels of the requirements the explanation names (``presence:g1``)."""
    if result.explanation is None:
        return set()
    return {str(requirement) for requirement, _ in result.explanation.requirements}
