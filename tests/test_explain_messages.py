"""What the explanation of an impossible scenario says when its own search cannot
finish: that it ran out of time, not a cause it did not find."""

from __future__ import annotations

from pathlib import Path

import pytest
from ortools.sat.python import cp_model

import sim.solve.explain as explain
from sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_an_explanation_out_of_time_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "infeasible.yaml")
    found = explain.explain_infeasibility(scenario, time_limit=10, seed=0)
    assert found.requirements and not found.undecided  # the bundled conflict, named

    def out_of_time(
        model: cp_model.CpModel, literals: list[cp_model.IntVar], limit: float, seed: int
    ) -> tuple[int, cp_model.CpSolver]:
        return cp_model.UNKNOWN, cp_model.CpSolver()

    monkeypatch.setattr(explain, "_solve_with", out_of_time)
    lost = explain.explain_infeasibility(scenario, time_limit=10, seed=0)
    assert lost.undecided and lost.requirements == ()
    (line,) = lost.lines()
    assert "ran out of time" in line and "--time-limit" in line
    assert "travel" not in line  # no cause it did not find


def test_a_set_to_make_optional_not_proven_fewest_says_so() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "infeasible.yaml")
    found = explain.explain_infeasibility(scenario, time_limit=10, seed=0)
    shown = explain.Explanation(found.requirements, ("m1", "m2"), fewest_proven=False)
    assert "would give a schedule (not proven the fewest): m1, m2" in shown.lines()[-1]


def test_more_required_meetings_than_time_is_said_in_plain_arithmetic() -> None:
    # the host's three required hour-long meetings may only be held 09:00-11:30:
    # 3 h needed, 2 h 30 possible; no search is needed to say so
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    window = [{"start": "09:00", "end": "11:30"}]
    document["meetings"] = [
        meeting(f"host-{guest}", "host", guest, windows=window) for guest in ("g1", "g2", "g3")
    ]
    scenario = scenario_of(document)
    assert [(p, n, w) for p, _, n, w in explain.overbooked(scenario)] == [("host", 180, 150)]
    (line,) = explain.explain_infeasibility(scenario, time_limit=5, seed=0).lines()
    assert line.startswith("Host has 3 required meetings that need at least 3h, but there")
    assert "only 2h30 in which any of them can be held: at least 1 of them must" in line
    assert "(the meetings: host-g1, host-g2, host-g3)" in line
    # and the planner agrees there is no plan
    from sim.schedule import SolveStatus
    from sim.solve import SolveSettings, solve

    result = solve(scenario, SolveSettings(time_limit=10))
    assert result.schedule.status is SolveStatus.INFEASIBLE
    assert line in result.schedule.notes


def test_a_required_meeting_with_no_possible_time_is_named_with_why() -> None:
    # Longer than the day: as for an optional meeting, the cause is said day by day,
    # with the parties' names, not only "meeting x is required".
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()  # 09:00-13:00
    document["meetings"] = [meeting("long", "host", "g1", duration="5h")]
    found = explain.explain_infeasibility(scenario_of(document), time_limit=10, seed=0)
    (line,) = found.lines()
    assert line.startswith("Host – Guest One (long) is required")
    assert "the day is shorter than the meeting" in line


def test_a_window_across_the_spring_change_gives_its_real_length() -> None:
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["timezone"] = "Europe/Berlin"
    document["days"] = [{"date": "2025-03-29", "start": "20:00", "end": "29:00"}]
    # 01:30-03:30 on the night the clocks go forward is one hour: no 2-hour meeting fits
    window = {"start": "25:30", "end": "27:30", "date": "2025-03-29"}
    document["meetings"] = [meeting("m", "host", "g1", duration="2h", windows=[window])]
    scenario = scenario_of(document)
    reason = explain.why_no_slot(scenario, scenario.meetings[0])
    assert "must lie within 30 Mar 01:30-03:30 (1h: the clocks change)" in reason
