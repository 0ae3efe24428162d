"""Summit days that run past midnight: times of day up to 30:00 (06:00 the next
morning) in a scenario; the planner, the checker, the replay and the exports read
a meeting at 01:00 as part of the day before."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.check import check
from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario.load import load_scenario_text
from sim.simulate.monte_carlo import simulate
from sim.solve import solve

NIGHT = """\
version: 1
id: night
name: A summit's last night
timezone: Europe/Moscow
days:
- {date: '2024-10-24', start: '09:00', end: '26:00'}
- {date: '2024-10-25', start: '09:00', end: '13:00'}
venues:
- {id: expo, name: Kazan Expo, rooms: 2}
parties:
- {id: host, name: The Host, rank: head_of_state, principal: true}
- {id: g1, name: Guest One, rank: head_of_state}
- {id: g3, name: Guest Three, rank: other}
fixed_events:
- {id: press, name: Closing press conference, start: '2024-10-24 09:00',
   end: '2024-10-24 23:30', venue: expo, attendees: [host]}
meetings:
- {id: host-g1, parties: [host, g1], duration: 1h, required: true, venues: [expo],
   windows: [{date: '2024-10-24', start: '23:30', end: '26:00'}]}
- {id: host-g3, parties: [host, g3], duration: 30min, weight: 2, venues: [expo],
   windows: [{date: '2024-10-24', start: '23:30', end: '25:45'}]}
rules:
  buffer: 10min
"""


def test_a_night_past_midnight_plans_checks_and_replays() -> None:
    scenario = load_scenario_text(NIGHT, "night.yaml")
    first = scenario.days[0]
    assert first.window.end - first.window.start == 17 * 60  # 09:00 to 02:00
    result = solve(scenario)
    held = {a.meeting: a for a in result.schedule.assignments}
    assert set(held) == {"host-g1", "host-g3"}
    for assignment in held.values():
        assert assignment.day == 0  # the night belongs to the day before
        local = scenario.to_datetime(assignment.start)
        assert local.day == 25 and local.hour < 2  # after midnight on the clock
    assert check(scenario, result.schedule).ok
    replays = simulate(scenario, result.schedule, runs=10, seed=1, policies=("as-planned",))
    (variant,) = replays.variants
    assert variant.runs == 10
    # the night's meetings are replayed like any others: the required one is held in
    # most replays (a late press conference can push it past the night's end)
    assert variant.p_all_required > 0.5


def test_the_command_line_plans_checks_and_exports_a_night(tmp_path: Path) -> None:
    path = tmp_path / "night.yaml"
    path.write_text(NIGHT)
    out = tmp_path / "out"
    assert main(["solve", str(path), "-o", str(out), "-q"]) == 0
    assert main(["check", str(path), str(out / "schedule.json")]) == 0
    export = tmp_path / "export"
    arguments = ["--scenario", str(path), "-o", str(export)]
    assert main(["export", str(out / "schedule.json"), *arguments]) == 0
    calendar = next((export / "calendars").glob("*.ics")).read_text()
    assert "DTSTART;TZID=Europe/Moscow:20241025T0" in calendar  # 01:00 the next morning


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("end: '26:00'}", "end: '30:30'}", "days[0].end", "too late"),
        (
            "start: '09:00', end: '13:00'",
            "start: '01:00', end: '13:00'",
            "days[1].start",
            "starts before the previous day ends",
        ),
    ],
)
def test_a_night_too_long_or_into_the_next_day_is_refused(
    old: str, new: str, field: str, words: str
) -> None:
    with pytest.raises(ScenarioError) as refused:
        load_scenario_text(NIGHT.replace(old, new), "night.yaml")
    problems = refused.value.problems
    assert any(p.path == field and words in p.message for p in problems), problems


def test_a_day_that_begins_past_midnight_is_refused_with_the_date_to_write() -> None:
    # Times past 24:00 are for a night that runs on from its day; a day that begins
    # at 25:00 lies wholly on the next date but would be headed by this one.
    from sim.errors import ScenarioError
    from tests.tiny import base_document, scenario_of

    document = base_document()
    document["days"] = [{"date": "2025-01-10", "start": "25:00", "end": "28:00"}]
    with pytest.raises(ScenarioError) as caught:
        scenario_of(document)
    (problem,) = caught.value.problems
    assert problem.path == "days[0].start"
    assert "write date 2025-01-11 and start '01:00'" in problem.hint
