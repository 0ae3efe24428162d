"""Re-planning keeps the published schedule where it can and reports the changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.cli import main
from sim.schedule import read_schedule
from sim.solve import SolveSettings, make_planner, solve
from tests.tiny import DAY, base_document, meeting, scenario_of

SETTINGS = SolveSettings(time_limit=10)


def _published() -> dict[str, Any]:
    """The host meets three guests on a morning; g3's meeting is optional."""
    doc = base_document()
    doc["meetings"] = [
        meeting("m1", "host", "g1"),
        meeting("m2", "host", "g2"),
        meeting("m3", "host", "g3", required=False, weight=2),
    ]
    return doc


def test_cancellation_drops_only_the_cancelled_meeting() -> None:
    doc = _published()
    before = solve(scenario_of(doc), SETTINGS).schedule
    doc["meetings"] = [m for m in doc["meetings"] if m["id"] != "m2"]
    after = solve(scenario_of(doc), SETTINGS, previous=before).schedule
    assert [(c.meeting, c.kind) for c in after.changes] == [("m2", "dropped")]
    assert after.objectives[0].name == "changes" and after.objectives[0].value == 0


def test_late_arrival_moves_as_little_as_possible() -> None:
    doc = _published()
    before = solve(scenario_of(doc), SETTINGS).schedule
    first = min(before.assignments, key=lambda a: a.start)
    guest = next(p for p in scenario_of(doc).meeting_by_id[first.meeting].parties if p != "host")
    # The first guest of the morning lands late: 11:00 at the earliest.
    next(p for p in doc["parties"] if p["id"] == guest)["arrival"] = f"{DAY} 11:00"
    after = solve(scenario_of(doc), SETTINGS, previous=before).schedule
    moved = {c.meeting for c in after.changes}
    assert first.meeting in moved
    # Required meetings are never given up to avoid a change.
    assert {"m1", "m2"} <= {a.meeting for a in after.assignments}


def test_new_request_fits_around_the_published_schedule() -> None:
    doc = _published()
    doc["days"][0]["end"] = "17:00"
    before = solve(scenario_of(doc), SETTINGS).schedule
    doc["parties"].append({"id": "g4", "name": "Guest Four", "rank": "other"})
    doc["meetings"].append(meeting("m4", "host", "g4", duration="30min"))
    after = solve(scenario_of(doc), SETTINGS, previous=before).schedule
    assert [(c.meeting, c.kind) for c in after.changes] == [("m4", "added")]


def test_make_planner_is_a_picklable_function_of_scenario_and_previous() -> None:
    import pickle

    planner = pickle.loads(pickle.dumps(make_planner(time_limit=5)))
    doc = _published()
    scenario = scenario_of(doc)
    before = solve(scenario, SETTINGS).schedule
    again = planner(scenario, before)
    assert again.changes == ()
    assert {a.meeting for a in again.assignments} == {a.meeting for a in before.assignments}


def test_cli_from_previous_prints_the_diff(tmp_path: Path, capsys: Any) -> None:
    doc = _published()
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(yaml.safe_dump(doc))
    assert main(["solve", str(scenario_file), "-o", str(tmp_path / "v1"), "-q"]) == 0
    doc["meetings"] = [m for m in doc["meetings"] if m["id"] != "m1"]
    scenario_file.write_text(yaml.safe_dump(doc))
    code = main(
        [
            "solve",
            str(scenario_file),
            "-o",
            str(tmp_path / "v2"),
            "-q",
            "--from",
            str(tmp_path / "v1" / "schedule.json"),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "dropped  m1" in out
    changes = read_schedule(tmp_path / "v2" / "schedule.json")
    assert changes.assignment_of("m1") is None


def test_greedy_fallback_when_cp_sat_finds_nothing_in_time(monkeypatch: Any) -> None:
    from ortools.sat.python import cp_model

    from sim.check import check
    from sim.schedule import SolveStatus
    from sim.solve import run as solve_run

    # As if the budget ran out before CP-SAT's first schedule.
    real = solve_run._Search._solve_interruptibly

    def search_in_vain(*args: Any) -> int:
        real(*args)
        return int(cp_model.UNKNOWN)

    monkeypatch.setattr(solve_run._Search, "_solve_interruptibly", search_in_vain)
    scenario = scenario_of(_published())
    schedule = solve(scenario, SETTINGS).schedule
    assert schedule.status is SolveStatus.FEASIBLE
    assert any("the plan by simple rules" in note for note in schedule.notes)
    assert {"m1", "m2"} <= {a.meeting for a in schedule.assignments}
    report = check(scenario, schedule)
    assert report.ok
    _claims_what_the_checker_finds(schedule, report)


def _claims_what_the_checker_finds(schedule: Any, report: Any) -> None:
    """The fallback plan states what it achieves on every tier (its completed hint's
    values), each as the independent checker recomputes it from the meetings."""
    recomputed = report.objectives.as_dict()
    claimed = {o.name: o.value for o in schedule.objectives}
    assert claimed and set(claimed) <= set(recomputed)
    assert claimed == {name: recomputed[name] for name in claimed}
    assert not any(o.bound > o.value for o in schedule.objectives)


def test_a_limit_spent_before_the_search_gives_the_simple_plan_at_once() -> None:
    from sim.check import check
    from sim.schedule import SolveStatus

    # A wall-clock limit already spent on reading and building: no search is started
    # (on a large summit it would only overrun the limit), the plan by simple rules
    # is the answer, with what it achieves.
    scenario = scenario_of(_published())
    settings = SolveSettings(time_limit=0.001, deterministic=False)
    schedule = solve(scenario, settings).schedule
    assert schedule.status is SolveStatus.FEASIBLE
    assert any("before a search for a better plan could start" in n for n in schedule.notes)
    report = check(scenario, schedule)
    assert report.ok
    _claims_what_the_checker_finds(schedule, report)


def test_a_change_is_said_with_names() -> None:
    from sim.commands.solve import describe_change
    from sim.schedule import Assignment, Change, ChangeKind

    scenario = scenario_of(_published())
    before = Assignment("m1", 0, 9 * 60, 10 * 60, "a")
    after = Assignment("m1", 0, 11 * 60, 12 * 60, "a")
    line = describe_change(scenario, Change("m1", ChangeKind.MOVED, before, after))
    assert line.startswith("moved    Host – Guest One (m1): ")
