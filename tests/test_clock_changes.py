"""One truth about time on the days the clocks change.

A time of day in a scenario (a day's window, a meal window, ``latest_end``,
``prefer_end_by``, a meeting's window) is read on the local wall clock of its
date, by the loader, the planner, the checker and the replay alike
(``Scenario.at_clock``). Tested on both change days of a European and an
American zone: the plan the planner makes passes the independent checker, its
objectives are what the checker recomputes, and the local times are right.
"""

from __future__ import annotations

import pytest

from sim.check import check
from sim.simulate.calibrated import Disruptions
from sim.simulate.monte_carlo import simulate
from sim.solve import SolveSettings, solve
from tests.tiny import base_document, meeting, scenario_of

CHANGE_DAYS = [
    ("Europe/Berlin", "2025-03-30"),  # 02:00 -> 03:00: a 23-hour day
    ("Europe/Berlin", "2025-10-26"),  # 03:00 -> 02:00: a 25-hour day
    ("America/New_York", "2025-03-09"),
    ("America/New_York", "2025-11-02"),
]


def _document(zone: str, date: str) -> dict[str, object]:
    document = base_document()
    document["timezone"] = zone
    document["days"] = [{"date": date, "start": "09:00", "end": "23:00"}]
    document["rules"] = {
        "buffer": "10min",
        "latest_end": "21:00",
        "prefer_end_by": "20:00",
        "meal_windows": {"lunch": {"start": "12:00", "end": "14:00"}},
    }
    document["meetings"] = [
        meeting("lunch", "host", "g1", format="lunch"),
        # must end by 21:00 (latest_end) and lie in 20:00-22:00: exactly 20:00-21:00
        meeting("evening", "host", "g2", windows=[{"start": "20:00", "end": "22:00"}]),
        meeting("morning", "host", "g3", required=False, weight=3),
    ]
    return document


@pytest.mark.parametrize(("zone", "date"), CHANGE_DAYS)
def test_planner_checker_and_loader_read_the_wall_clock(zone: str, date: str) -> None:
    scenario = scenario_of(_document(zone, date))
    day = scenario.days[0]
    assert scenario.to_datetime(day.window.start).strftime("%H:%M") == "09:00"
    assert scenario.to_datetime(day.window.end).strftime("%H:%M") == "23:00"
    result = solve(scenario, SolveSettings(time_limit=10))
    schedule = result.schedule
    report = check(scenario, schedule)
    assert report.ok, report.violations
    claimed = {o.name: o.value for o in schedule.objectives}
    recomputed = report.objectives.as_dict()
    assert {k: v for k, v in recomputed.items() if k in claimed} == claimed
    local = {
        a.meeting: (
            scenario.to_datetime(a.start).strftime("%H:%M"),
            scenario.to_datetime(a.end).strftime("%H:%M"),
        )
        for a in schedule.assignments
    }
    assert local["evening"] == ("20:00", "21:00")
    assert local["lunch"][0] >= "12:00" and local["lunch"][1] <= "14:00"


@pytest.mark.parametrize(("zone", "date"), CHANGE_DAYS)
def test_the_replay_keeps_latest_end_on_the_wall_clock(zone: str, date: str) -> None:
    scenario = scenario_of(_document(zone, date))
    schedule = solve(scenario, SolveSettings(time_limit=10)).schedule
    result = simulate(
        scenario, schedule, runs=3, policies=["as-planned"], disruptions=Disruptions.NONE
    )
    stats = result.variants[0]
    # nothing random happens: the replay holds the plan exactly
    assert stats.p_all_required == 1.0
    assert stats.held_weight.mean == sum(m.weight for m in scenario.meetings)


def test_a_moment_in_the_skipped_hour_is_named_once_with_the_fix() -> None:
    from sim.errors import ScenarioError

    document = _document("Europe/Berlin", "2025-03-30")
    document["days"] = [{"date": "2025-03-30", "start": "00:00", "end": "23:00"}]
    document["fixed_events"] = [
        {
            "id": "dawn",
            "name": "Dawn ceremony",
            "venue": "a",
            "start": "2025-03-30 02:30",  # the clocks go from 02:00 to 03:00
            "end": "2025-03-30 03:30",
            "attendees": ["host"],
        }
    ]
    with pytest.raises(ScenarioError) as caught:
        scenario_of(document)
    (problem,) = caught.value.problems
    assert problem.path == "fixed_events[0].start" and problem.line is not None
    assert "'2025-03-30 02:30' does not exist in Europe/Berlin" in problem.message
    assert "2025-03-30 03:30" in problem.hint


def test_a_time_of_day_in_the_skipped_hour_is_refused_on_its_date() -> None:
    # A dated window or a day's start at 02:30 on the night the clocks skip 02:00-03:00
    # was read silently as 03:30; a daily period still follows the clock that night.
    from sim.errors import ScenarioError

    document = _document("Europe/Berlin", "2025-03-30")
    document["days"] = [
        {"date": "2025-03-29", "start": "10:00", "end": "28:00"},
        {"date": "2025-03-30", "start": "09:00", "end": "18:00"},
    ]
    late = {"date": "2025-03-29", "start": "26:30", "end": "27:30"}
    document["meetings"] = [meeting("m", "host", "g1", windows=[late])]
    with pytest.raises(ScenarioError) as caught:
        scenario_of(document)
    (problem,) = caught.value.problems
    assert problem.path == "meetings[0].windows[0].start"
    assert "26:30 on 2025-03-29 (02:30 on 2025-03-30) does not exist" in problem.message
    assert problem.hint == "write '27:30', the same moment"
    # daily: accepted, and that night only its part that exists (from 03:00)
    daily = {"start": "26:30", "end": "27:20"}
    document["meetings"] = [meeting("m", "host", "g1", windows=[daily])]
    scenario = scenario_of(document)
    first = scenario.meeting_by_id["m"].windows[0]
    assert scenario.to_datetime(first.start).strftime("%d %H:%M") == "30 03:00"
    assert scenario.to_datetime(first.end).strftime("%d %H:%M") == "30 03:20"
    # wholly inside the skipped hour: not there that night (only the next one's)
    inside = {"start": "26:10", "end": "26:50"}
    document["meetings"] = [meeting("m", "host", "g1", windows=[inside])]
    (only,) = scenario_of(document).meeting_by_id["m"].windows
    assert scenario.to_datetime(only.start).strftime("%d %H:%M") == "31 02:10"
    document["days"][1]["start"] = "02:30"
    with pytest.raises(ScenarioError, match=r"days\[1\]\.start: 02:30 on 2025-03-30"):
        scenario_of(document)
