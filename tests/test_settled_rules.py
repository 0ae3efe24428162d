"""A test per paragraph of "Settled rules" in docs/planning-rules.md.

Each builds a tiny scenario (tests/tiny.py: one morning 09:00-13:00 UTC, venues a
and b 30 minutes apart, the host a principal based at a, guests g1..g3, a
10-minute buffer, a 5-minute grain), a schedule made by hand, and asserts what
``sim.check.check`` reports; where the planner is concerned, also what
``sim.solve.solve`` makes of the same scenario.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.check import STRUCTURE, CheckReport, check
from sim.check.view import plan_view
from sim.cli import main
from sim.errors import ScenarioError
from sim.exit_codes import ExitCode
from sim.model import Scenario
from sim.schedule import (
    Assignment,
    Schedule,
    SolverSettings,
    SolveStatus,
    Unscheduled,
    write_schedule,
)
from tests.solve_helpers import solved
from tests.tiny import DAY, base_document, meeting, scenario_of


def at(clock: str) -> int:
    """Minutes from the epoch of a time on the tiny summit's only day (UTC)."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def held(meeting_id: str, start: str, end: str, venue: str = "a", room: int = 1) -> Assignment:
    return Assignment(meeting_id, 0, at(start), at(end), venue, room)


def schedule_of(
    scenario: Scenario, *assignments: Assignment, status: SolveStatus = SolveStatus.FEASIBLE
) -> Schedule:
    """A schedule of ``scenario`` holding ``assignments``; every other meeting listed as
    not held."""
    holds = {a.meeting for a in assignments}
    return Schedule(
        scenario_id=scenario.id,
        scenario_sha256=scenario.source_sha256,
        status=status,
        settings=SolverSettings(time_limit=10.0, seed=0, workers=1),
        assignments=assignments,
        unscheduled=tuple(
            Unscheduled(m.id, "not held") for m in scenario.meetings if m.id not in holds
        ),
    )


def broken(report: CheckReport) -> list[tuple[str, tuple[str, ...]]]:
    return [(v.rule, v.meetings) for v in report.violations]


def given_up(report: CheckReport, kind: str) -> list[tuple[tuple[str, ...], int]]:
    return [(g.meetings, g.cost) for g in report.given_up if g.kind == kind]


def with_meetings(*meetings: dict[str, Any], **rules: Any) -> dict[str, Any]:
    document = base_document()
    document["meetings"] = list(meetings)
    document["rules"].update(rules)
    return document


def ranked(document: dict[str, Any], **ranks: str) -> dict[str, Any]:
    for party in document["parties"]:
        if party["id"] in ranks:
            party["rank"] = ranks[party["id"]]
    return document


# --- A schedule without a plan -------------------------------------------------------


def test_a_schedule_without_a_plan_breaks_required_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = with_meetings(
        meeting("host-g1", "host", "g1"), meeting("host-g2", "host", "g2", required=False)
    )
    scenario = scenario_of(document)
    empty = schedule_of(scenario, status=SolveStatus.INFEASIBLE)
    report = check(scenario, empty)
    assert broken(report) == [("required", ("host-g1",))]
    assert given_up(report, "unheld") == [(("host-g2",), 1)]
    assert any("records that no plan was found (status infeasible" in w for w in report.warnings)
    # the command says INVALID and exits 5, as for any schedule that breaks a rule
    scenario_path = tmp_path / "tiny.yaml"
    scenario_path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    write_schedule(tmp_path / "schedule.json", empty, scenario)
    argv = ["check", str(scenario_path), str(tmp_path / "schedule.json")]
    capsys.readouterr()
    assert main(argv) == ExitCode.RULES_BROKEN
    out = capsys.readouterr().out
    assert out.startswith("warning: the schedule records that no plan was found")
    assert "not valid: the plan breaks the hard rules" in out


def test_the_planners_infeasible_schedule_is_judged_the_same() -> None:
    # g1 is present only 12:30-13:00: a required hour with the host cannot be held
    document = with_meetings(meeting("host-g1", "host", "g1"))
    document["parties"][1]["arrival"] = f"{DAY} 12:30"
    scenario, result = solved(document)
    assert result.schedule.status is SolveStatus.INFEASIBLE
    assert not result.schedule.assignments
    report = check(scenario, result.schedule)
    assert broken(report) == [("required", ("host-g1",))]
    assert any("no plan was found" in w for w in report.warnings)


def test_an_unknown_status_is_judged_the_same() -> None:
    scenario = scenario_of(with_meetings(meeting("host-g1", "host", "g1")))
    report = check(scenario, schedule_of(scenario, status=SolveStatus.UNKNOWN))
    assert broken(report) == [("required", ("host-g1",))]
    assert any("status unknown: none was found in time" in w for w in report.warnings)


def test_without_a_required_meeting_the_empty_plan_is_valid() -> None:
    scenario = scenario_of(with_meetings(meeting("host-g1", "host", "g1", required=False)))
    report = check(scenario, schedule_of(scenario, status=SolveStatus.INFEASIBLE))
    assert report.ok
    assert any("no plan was found" in w for w in report.warnings)


def test_a_file_without_a_plan_that_holds_a_meeting_contradicts_itself() -> None:
    scenario = scenario_of(with_meetings(meeting("host-g1", "host", "g1")))
    report = check(
        scenario,
        schedule_of(scenario, held("host-g1", "09:00", "10:00"), status=SolveStatus.INFEASIBLE),
    )
    assert broken(report) == [(STRUCTURE, ("host-g1",))]
    assert "says no plan was found (status infeasible) but holds 1 meeting" in str(
        report.violations[0]
    )


# --- Pinned meetings ------------------------------------------------------------------


def pinned_document() -> dict[str, Any]:
    """host-g1 (required) pinned at 09:00 for an hour; host-g2 (optional, weight 4)
    pinned at 09:30: the two cannot both be held."""
    return with_meetings(
        meeting("host-g1", "host", "g1", pinned=f"{DAY} 09:00"),
        meeting("host-g2", "host", "g2", required=False, weight=4, pinned=f"{DAY} 09:30"),
    )


def test_a_pinned_optional_meeting_may_go_unheld() -> None:
    scenario = scenario_of(pinned_document())
    report = check(scenario, schedule_of(scenario, held("host-g1", "09:00", "10:00")))
    assert report.ok, broken(report)
    assert given_up(report, "unheld") == [(("host-g2",), 4)]
    assert report.objectives.unheld_weight == 4


def test_the_planner_leaves_a_pinned_optional_meeting_out_when_it_must() -> None:
    scenario, result = solved(pinned_document())
    assert result.schedule.status is SolveStatus.OPTIMAL
    assert [a.meeting for a in result.schedule.assignments] == ["host-g1"]
    assert check(scenario, result.schedule).objectives.unheld_weight == 4


def test_a_held_pinned_meeting_starts_at_its_pin() -> None:
    scenario = scenario_of(pinned_document())
    report = check(scenario, schedule_of(scenario, held("host-g1", "09:05", "10:05")))
    assert broken(report) == [("pinned", ("host-g1",))]


# --- Precedence: the counterpart, and ties --------------------------------------------


def precedence_document(hard: bool, *meetings: dict[str, Any], **ranks: str) -> dict[str, Any]:
    document = with_meetings(*meetings, precedence={"mode": "rank", "hard": hard})
    return ranked(document, **ranks)


def trilateral(hard: bool) -> dict[str, Any]:
    """tri: host with g1 (rank other) and g2 (head of state); bi: host with g3 (head of
    government). tri's counterpart is g2, who outranks g3: tri comes first."""
    return precedence_document(
        hard,
        meeting("tri", "host", "g1", "g2"),
        meeting("bi", "host", "g3"),
        g1="other",
        g3="head_of_government",
    )


def test_a_trilateral_ranks_as_its_most_senior_other_party() -> None:
    scenario = scenario_of(trilateral(hard=False))
    in_order = schedule_of(scenario, held("tri", "09:00", "10:00"), held("bi", "10:10", "11:10"))
    reversed_ = schedule_of(scenario, held("bi", "09:00", "10:00"), held("tri", "10:10", "11:10"))
    assert check(scenario, in_order).objectives.preferences == 0
    report = check(scenario, reversed_)
    assert given_up(report, "precedence") == [(("tri", "bi"), 10)]
    hard = scenario_of(trilateral(hard=True))
    assert broken(check(hard, reversed_)) == [("precedence", ("tri", "bi"))]


def test_the_planner_puts_the_trilateral_first() -> None:
    document = trilateral(hard=True)
    # the guests would rather meet bi first: only the hard rule keeps tri first
    document["meetings"][1]["preferred"] = [{"start": "09:00", "end": "10:00"}]
    _, result = solved(document)
    tri, bi = result.schedule.assignment_of("tri"), result.schedule.assignment_of("bi")
    assert tri is not None and bi is not None
    assert tri.start < bi.start


def two_principals(hard: bool) -> dict[str, Any]:
    """g1 is a principal too (head of state); g2 a head of government. For the host,
    host-g1's counterpart is g1 and outranks host-g2's. For g1, host-g1's counterpart
    is the host (head of state), who outranks g1-g3's (g3: other)."""
    document = precedence_document(
        hard,
        meeting("host-g1", "host", "g1"),
        meeting("host-g2", "host", "g2"),
        meeting("g1-g3", "g1", "g3"),
        g2="head_of_government",
        g3="other",
    )
    document["parties"][1]["principal"] = True
    return document


def test_a_principal_is_the_counterpart_of_another_principal() -> None:
    scenario = scenario_of(two_principals(hard=False))
    good = schedule_of(
        scenario,
        held("host-g1", "09:00", "10:00"),
        held("host-g2", "10:10", "11:10"),
        held("g1-g3", "11:20", "12:20"),
    )
    assert check(scenario, good).ok
    assert check(scenario, good).objectives.preferences == 0
    # g1-g3 first: out of order for g1 (the host outranks g3), not for the host
    bad = schedule_of(
        scenario,
        held("g1-g3", "09:00", "10:00"),
        held("host-g1", "10:10", "11:10"),
        held("host-g2", "11:20", "12:20"),
    )
    report = check(scenario, bad)
    assert report.ok, broken(report)
    assert [g.parties for g in report.given_up if g.kind == "precedence"] == [("g1", "host", "g3")]


def test_equal_seniority_is_in_order_either_way() -> None:
    # g1 and g2 are both heads of state
    for hard in (False, True):
        scenario = scenario_of(
            precedence_document(
                hard, meeting("host-g1", "host", "g1"), meeting("host-g2", "host", "g2")
            )
        )
        for first, second in (("host-g1", "host-g2"), ("host-g2", "host-g1")):
            report = check(
                scenario,
                schedule_of(
                    scenario, held(first, "09:00", "10:00"), held(second, "10:10", "11:10")
                ),
            )
            assert report.ok and report.objectives.preferences == 0


def test_a_second_party_never_breaks_a_tie() -> None:
    # tri: host with g1 (head of state) and g3 (other); bi: host with g2 (head of
    # state). Both counterparts are heads of state: a tie, whatever g3 is.
    scenario = scenario_of(
        precedence_document(
            True, meeting("tri", "host", "g1", "g3"), meeting("bi", "host", "g2"), g3="other"
        )
    )
    for first, second in (("tri", "bi"), ("bi", "tri")):
        report = check(
            scenario,
            schedule_of(scenario, held(first, "09:00", "10:00"), held(second, "10:10", "11:10")),
        )
        assert report.ok, broken(report)


# --- Late ends ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "points"),
    [
        ("09:00", "10:00", 0),  # ends before 10:02
        ("09:05", "10:05", 1),  # 3 minutes late: a started grain is a whole point
        ("09:10", "10:10", 2),  # 8 minutes: ceil(8 / 5)
        ("09:15", "10:15", 3),  # 13 minutes
        ("11:00", "12:00", 24),  # 118 minutes, most of them before it starts: ceil(118 / 5)
    ],
)
def test_a_started_grain_past_prefer_end_by_is_a_whole_point(
    start: str, end: str, points: int
) -> None:
    scenario = scenario_of(with_meetings(meeting("host-g1", "host", "g1"), prefer_end_by="10:02"))
    report = check(scenario, schedule_of(scenario, held("host-g1", start, end)))
    assert report.ok
    assert given_up(report, "late_end") == ([(("host-g1",), points)] if points else [])
    assert report.objectives.preferences == points


def test_the_planner_counts_late_ends_the_same_way() -> None:
    document = with_meetings(
        meeting("host-g1", "host", "g1", pinned=f"{DAY} 09:30"), prefer_end_by="10:02"
    )
    scenario, result = solved(document)
    claimed = {o.name: o.value for o in result.schedule.objectives}
    assert claimed["preferences"] == 6  # ends 10:30: 28 minutes late, ceil(28 / 5)
    assert check(scenario, result.schedule).objectives.preferences == 6


# --- Slack and travel -----------------------------------------------------------------


def slack_document(*, required: bool = True) -> dict[str, Any]:
    """host-g1 (weight 3) may be at a; host-g2 (weight 2) at b; g1 (no principal) has a
    walk-about at b 10:45-11:00 that the host does not attend."""
    document = with_meetings(
        meeting("host-g1", "host", "g1", weight=3, required=required),
        meeting("host-g2", "host", "g2", duration="45min", weight=2, venues=["b"]),
    )
    document["fixed_events"] = [
        {
            "id": "walk",
            "name": "Walk-about",
            "start": f"{DAY} 10:45",
            "end": f"{DAY} 11:00",
            "venue": "b",
            "attendees": ["g1"],
        }
    ]
    return document


def test_slack_and_travel_by_their_definitions() -> None:
    scenario = scenario_of(slack_document())
    plan = schedule_of(
        scenario,
        held("host-g1", "09:00", "10:00"),  # at the day's start: the base ride is no pair
        held("host-g2", "10:50", "11:35", venue="b"),  # 50 min later, 40 needed: slack 10
    )
    report = check(scenario, plan)
    assert report.ok, broken(report)
    # min_slack: the host's one pair (slack 10); neither base ride (slack 0 from the
    # day's start) nor g1's pair (slack 5) counts
    assert report.objectives.min_slack == -10
    # weighted_slack: host-g1 -> min(30, host 10, g1 10:45 - 10:00 - 10 - 30 = 5) x 3;
    # host-g2 ends its parties' day -> 30 x 2 (the ride home is no engagement)
    assert report.objectives.weighted_slack == -(5 * 3 + 30 * 2)
    # travel: the host's a -> a (0), a -> b (30), b -> base a (30); g1's ride to b
    # is its own
    assert report.objectives.travel == 60


def test_slack_caps_apply_to_the_smallest_slack() -> None:
    scenario = scenario_of(slack_document())
    plan = schedule_of(
        scenario,
        held("host-g1", "09:00", "10:00"),
        held("host-g2", "11:45", "12:30", venue="b"),  # slack 65 for the host
    )
    report = check(scenario, plan)
    assert report.ok, broken(report)
    assert report.objectives.min_slack == -60  # capped at 60
    assert report.objectives.weighted_slack == -(5 * 3 + 30 * 2)


def test_a_principal_without_pairs_has_min_slack_minus_sixty() -> None:
    scenario = scenario_of(slack_document(required=False))
    plan = schedule_of(scenario, held("host-g2", "10:00", "10:45", venue="b"))
    report = check(scenario, plan)
    assert report.ok, broken(report)
    assert report.objectives.min_slack == -60
    assert report.objectives.travel == 60  # a -> b and back


def test_the_planner_reports_slack_and_travel_as_the_checker_recomputes_them() -> None:
    scenario, result = solved(slack_document())
    assert result.schedule.status is SolveStatus.OPTIMAL
    claimed = {o.name: o.value for o in result.schedule.objectives}
    recomputed = check(scenario, result.schedule).objectives.as_dict()
    for name in ("travel", "min_slack", "weighted_slack"):
        assert claimed[name] == recomputed[name], name


# --- Order of engagements -------------------------------------------------------------


def order_document() -> dict[str, Any]:
    document = with_meetings(
        meeting("host-g1", "host", "g1"),
        meeting("host-g2", "host", "g2", duration="30min"),
        meeting("host-g3", "host", "g3", duration="30min", venues=["b"]),
    )
    document["fixed_events"] = [
        {
            "id": "brief",
            "name": "Briefing",
            "start": f"{DAY} 09:00",
            "end": f"{DAY} 09:30",
            "venue": "a",
            "attendees": ["host"],
        }
    ]
    return document


def test_engagements_that_start_together_are_ordered_by_end_then_id() -> None:
    scenario = scenario_of(order_document())
    assignments = (
        held("host-g1", "09:00", "10:00"),
        held("host-g2", "09:00", "09:30", room=1),
        held("host-g3", "11:00", "11:30", venue="b"),
    )
    view = plan_view(scenario, assignments)
    assert [e.id for e in view.engagements["host"]] == ["brief", "host-g2", "host-g1", "host-g3"]
    report = check(scenario, schedule_of(scenario, *assignments))
    # overlaps, not gaps, between engagements that start together
    assert {rule for rule, _ in broken(report)} == {"overlap", "rooms"}
    # whatever the order of the file, the same report
    shuffled = list(assignments)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert check(scenario, schedule_of(scenario, *shuffled)) == report


# --- except with an explicit list -----------------------------------------------------


def except_document(attendees: Any) -> dict[str, Any]:
    document = with_meetings(meeting("host-g1", "host", "g1"))
    document["fixed_events"] = [
        {
            "id": "photo",
            "name": "Photo",
            "start": f"{DAY} 12:30",
            "end": f"{DAY} 13:00",
            "venue": "a",
            "attendees": attendees,
            "except": ["g1"],
        }
    ]
    return document


def test_except_takes_a_party_out_of_all() -> None:
    scenario = scenario_of(except_document("all"))
    assert scenario.fixed_events[0].attendees == ("host", "g2", "g3")
    # g1 does not attend: a meeting of g1 beside the photo is no overlap of g1's
    view = plan_view(scenario, [held("host-g1", "11:00", "12:00")])
    assert [e.id for e in view.engagements["g1"]] == ["host-g1"]


def test_except_with_an_explicit_list_is_refused() -> None:
    with pytest.raises(ScenarioError) as refused:
        scenario_of(except_document(["host", "g1"]))
    assert any(p.path.startswith("fixed_events[0].except") for p in refused.value.problems)
