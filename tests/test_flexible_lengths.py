"""Flexible meeting lengths: a meeting may be held at any whole number of grains from
its ``min_duration`` to its ``duration`` (and at either end), at a cost in the
``shortening`` tier (docs/planning-rules.md, ``duration`` and "Objectives").

The planner shortens only to hold more (the tier comes right after
``unheld_weight``), the checker accepts exactly the lengths the rule allows and
recomputes the tier, the greedy baseline shortens before it drops, and the replay
runs a meeting for its planned length.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.check import check
from sim.cli import main
from sim.exit_codes import ExitCode
from sim.export.agenda import build_agenda
from sim.export.briefing import briefing_markdown
from sim.export.report import _shortened
from sim.model import Scenario
from sim.scenario.load import load_scenario
from sim.scenario.write import scenario_to_yaml
from sim.schedule import (
    Assignment,
    Schedule,
    SolverSettings,
    SolveStatus,
    Unscheduled,
    read_schedule,
    write_schedule,
)
from sim.simulate.disruptions import DrawPlan
from sim.simulate.policies import make_policy
from sim.simulate.replay import Replay
from sim.simulate.state import Stage
from sim.solve import SolveSettings, solve
from sim.solve.cpmodel import SummitModel
from sim.solve.greedy import greedy_schedule
from sim.solve.objectives import all_tiers
from tests.tiny import DAY, base_document, meeting, scenario_of

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def four_hours_of_talks(**extra: Any) -> dict[str, Any]:
    """The host's morning (09:00-13:00, 240 min) and four required one-hour meetings at
    its own venue, each allowed down to 45 min: at length they need 4 x 60 + 3 x 10
    (buffers) = 270 min, 30 more than the morning has."""
    document = base_document()
    document["meetings"] = [
        meeting(f"m{i}", "host", guest, min_duration="45min", **extra)
        for i, guest in enumerate(["g1", "g2", "g3", "g1"])
    ]
    return document


def lengths(schedule: Schedule) -> dict[str, int]:
    return {a.meeting: a.end - a.start for a in schedule.assignments}


def values(schedule: Schedule) -> dict[str, int]:
    return {o.name: o.value for o in schedule.objectives}


def at(scenario: Scenario, clock: str) -> int:
    return scenario.minutes_from(dt.datetime.fromisoformat(f"{DAY} {clock}"))


def schedule_of(scenario: Scenario, *placed: tuple[str, str, int]) -> Schedule:
    """A hand-made schedule: (meeting, start, minutes) each at venue a, room 1."""
    assignments = tuple(
        Assignment(m, 0, at(scenario, start), at(scenario, start) + minutes, "a", 1)
        for m, start, minutes in placed
    )
    held = {a.meeting for a in assignments}
    return Schedule(
        scenario_id=scenario.id,
        scenario_sha256=scenario.source_sha256,
        status=SolveStatus.FEASIBLE,
        settings=SolverSettings(10.0, 0, 1),
        assignments=assignments,
        unscheduled=tuple(
            Unscheduled(m.id, "by hand") for m in scenario.meetings if m.id not in held
        ),
    )


# --- the planner --------------------------------------------------------------------


def test_only_shortening_fits_every_required_meeting() -> None:
    scenario = scenario_of(four_hours_of_talks())
    result = solve(scenario, SolveSettings(time_limit=10))
    schedule = result.schedule
    assert schedule.status is SolveStatus.OPTIMAL
    assert {a.meeting for a in schedule.assignments} == {"m0", "m1", "m2", "m3"}
    held = lengths(schedule)
    assert all(45 <= minutes <= 60 and minutes % 5 == 0 for minutes in held.values()), held
    # 270 min of talks and buffers in a 240-min morning: 30 min cut, and no more
    assert sum(60 - minutes for minutes in held.values()) == 30
    assert values(schedule)["shortening"] == 30
    report = check(scenario, schedule)
    assert report.ok, [str(v) for v in report.violations]
    assert report.objectives.shortening == 30
    assert sum(g.cost for g in report.given_up if g.kind == "shortened") == 30
    assert values(schedule) == report.objectives.as_dict()


def test_a_meeting_is_not_shortened_for_comfort() -> None:
    # three meetings fit at length (3 x 60 + 2 x 10 = 200 of 240 min): shortening would
    # buy slack, and the shortening tier comes first
    document = four_hours_of_talks()
    document["meetings"] = document["meetings"][:3]
    scenario = scenario_of(document)
    schedule = solve(scenario, SolveSettings(time_limit=10)).schedule
    assert lengths(schedule) == {"m0": 60, "m1": 60, "m2": 60}
    assert values(schedule)["shortening"] == 0


def test_shortening_to_hold_more_weight() -> None:
    # two optional meetings of weight 5: only one fits at length; both fit shortened
    document = base_document()
    document["days"][0]["end"] = "10:50"  # 110 min: 2 x 60 + 10 does not fit, 2 x 45 + 10 does
    document["meetings"] = [
        meeting("a", "host", "g1", required=False, weight=5, min_duration="45min"),
        meeting("b", "host", "g2", required=False, weight=5, min_duration="45min"),
    ]
    scenario = scenario_of(document)
    schedule = solve(scenario, SolveSettings(time_limit=10)).schedule
    assert values(schedule)["unheld_weight"] == 0
    held = lengths(schedule)
    assert all(45 <= minutes <= 60 for minutes in held.values())
    assert sum(held.values()) == 100  # the morning less the buffer: 20 min cut in all
    assert values(schedule)["shortening"] == 20
    assert check(scenario, schedule).ok


def test_without_the_tier_in_the_order_the_planner_keeps_nominal_lengths() -> None:
    # a cut that no tier counts would be free: the planner then plans nominal lengths
    document = four_hours_of_talks()
    document["rules"]["objectives"] = ["unheld_weight", "preferences"]
    scenario = scenario_of(document)
    result = solve(scenario, SolveSettings(time_limit=10, explain=False))
    assert result.schedule.status is SolveStatus.INFEASIBLE


def test_no_new_variables_without_min_duration() -> None:
    # a scenario whose meetings all have min_duration == duration builds the model it
    # built before lengths became flexible: as many variables and constraints with
    # and without the shortening tier in the order
    document = four_hours_of_talks()
    for m in document["meetings"]:
        del m["min_duration"]
    document["meetings"] = document["meetings"][:3]

    def size(objectives: list[str]) -> tuple[int, int]:
        doc = json.loads(json.dumps(document))
        doc["rules"]["objectives"] = objectives
        summit = SummitModel(scenario_of(doc))
        all_tiers(summit, None)
        return len(summit.model.proto.variables), len(summit.model.proto.constraints)

    tiers = ["unheld_weight", "preferences", "travel", "min_slack", "weighted_slack"]
    assert size(tiers) == size([tiers[0], "shortening", *tiers[1:]])
    # while a meeting that may be shortened adds its shorter options
    document["meetings"][0]["min_duration"] = "45min"
    flexible = SummitModel(scenario_of(document))
    assert {o.duration for o in flexible.alts["m0"]} == {45, 50, 55, 60}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_plan_with_min_durations_passes_the_checker(data: st.DataObject) -> None:
    document = base_document()
    document["grain"] = data.draw(st.sampled_from(["5min", "15min"]))
    count = data.draw(st.integers(2, 5))
    meetings = []
    for index in range(count):
        guest = data.draw(st.sampled_from(["g1", "g2", "g3"]))
        steps = data.draw(st.integers(2, 6))
        grain = 5 if document["grain"] == "5min" else 15
        duration = steps * 15
        shortest = data.draw(st.integers(1, duration // grain)) * grain
        meetings.append(
            meeting(
                f"m{index}",
                "host",
                guest,
                duration=f"{duration}min",
                min_duration=f"{shortest}min",
                required=data.draw(st.booleans()),
                weight=data.draw(st.integers(0, 5)),
                venues=data.draw(st.sampled_from([["a"], ["b"], ["a", "b"]])),
            )
        )
    document["meetings"] = meetings
    scenario = scenario_of(document)
    result = solve(scenario, SolveSettings(time_limit=5))
    schedule = result.schedule
    if schedule.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return
    report = check(scenario, schedule)
    assert report.ok, [str(v) for v in report.violations]
    recomputed = report.objectives.as_dict()
    for objective in schedule.objectives:
        assert recomputed[objective.name] == objective.value, objective.name
    # the greedy baseline's plans keep the hard rules too (required aside; a plan
    # short of a required meeting is marked "no plan found", which the checker also
    # reports of a file that holds meetings: judged here as a plan)
    greedy = greedy_schedule(scenario)
    judged = check(scenario, replace(greedy, status=SolveStatus.FEASIBLE))
    assert all(v.rule == "required" for v in judged.violations), judged.violations


# --- the greedy baseline ------------------------------------------------------------


def test_greedy_shortens_before_it_drops() -> None:
    scenario = scenario_of(four_hours_of_talks())
    schedule = greedy_schedule(scenario)
    assert not schedule.unscheduled
    assert sum(60 - minutes for minutes in lengths(schedule).values()) > 0
    report = check(scenario, schedule)
    assert report.ok, [str(v) for v in report.violations]


def test_greedy_keeps_nominal_lengths_when_they_fit() -> None:
    document = four_hours_of_talks()
    document["meetings"] = document["meetings"][:3]
    schedule = greedy_schedule(scenario_of(document))
    assert set(lengths(schedule).values()) == {60}


# --- the checker --------------------------------------------------------------------


def write(tmp_path: Path, scenario: Scenario, schedule: Schedule) -> tuple[str, str]:
    scenario_path, schedule_path = tmp_path / "s.yaml", tmp_path / "schedule.json"
    scenario_path.write_text(scenario_to_yaml(scenario), encoding="utf-8")
    write_schedule(schedule_path, schedule, scenario)
    return str(scenario_path), str(schedule_path)


def test_every_meeting_at_its_min_duration_passes_sim_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = scenario_of(four_hours_of_talks())
    # 45-min meetings with the 10-min buffer between them, from 09:00
    by_hand = schedule_of(
        scenario, ("m0", "09:00", 45), ("m1", "09:55", 45), ("m2", "10:50", 45), ("m3", "11:45", 45)
    )
    scenario_path, schedule_path = write(tmp_path, scenario, by_hand)
    assert read_schedule(schedule_path).assignments == by_hand.assignments
    assert main(["check", scenario_path, schedule_path]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "valid: no hard rule is broken" in out
    assert main(["check", scenario_path, schedule_path, "--json"]) == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    # (read from the JSON: the terminal's table wraps a long message)
    assert any("shortened to 45 min (of 60)" in g["message"] for g in document["given_up"])
    assert document["objectives"]["shortening"] == 4 * 15
    assert document["tiers"][:2] == ["unheld_weight", "shortening"]


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (40, "lasts 40 min; it must last between 45 and 60 min"),
        (65, "lasts 65 min; it must last between 45 and 60 min"),
        (
            47,
            "lasts 47 min; it may be shortened from 60 min to as little as 45 min, "
            "but only in whole 5-minute steps",
        ),
    ],
)
def test_a_length_the_rule_does_not_allow_fails_in_plain_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], minutes: int, words: str
) -> None:
    scenario = scenario_of(four_hours_of_talks())
    by_hand = schedule_of(
        scenario,
        ("m0", "09:00", minutes),
        ("m1", "10:15", 45),
        ("m2", "11:10", 45),
        ("m3", "12:05", 45),
    )
    report = check(scenario, by_hand)
    assert [(v.rule, v.meetings) for v in report.violations] == [("duration", ("m0",))]
    assert words in report.violations[0].message
    assert "(a, 10 Jan 09:00-" in report.violations[0].message
    scenario_path, schedule_path = write(tmp_path, scenario, by_hand)
    assert main(["check", scenario_path, schedule_path]) == ExitCode.RULES_BROKEN
    assert "duration" in capsys.readouterr().out


def test_a_meeting_without_min_duration_must_last_its_duration() -> None:
    document = four_hours_of_talks()
    del document["meetings"][0]["min_duration"]
    scenario = scenario_of(document)
    report = check(scenario, schedule_of(scenario, ("m0", "09:00", 45)))
    cut = [v.message for v in report.violations if v.rule == "duration"]
    assert len(cut) == 1 and cut[0].endswith("lasts 45 min; it must last 60 min")


def test_off_grain_min_duration_is_itself_allowed() -> None:
    # min_duration and duration are always allowed, even off the grain (a scenario
    # built without the loader may have them so): here min 50 on a 15-minute grain
    document = four_hours_of_talks()
    document["grain"] = "15min"
    document["meetings"] = [meeting("m0", "host", "g1", min_duration="45min")]
    scenario = scenario_of(document)
    odd = replace(scenario, meetings=(replace(scenario.meetings[0], min_duration=50),))
    assert check(odd, schedule_of(odd, ("m0", "09:00", 50))).ok
    assert not check(odd, schedule_of(odd, ("m0", "09:00", 45))).ok


# --- the replay ---------------------------------------------------------------------


def test_the_replay_runs_a_shortened_meeting_for_its_planned_length() -> None:
    document = four_hours_of_talks()
    scenario = scenario_of(document)
    by_hand = schedule_of(
        scenario, ("m0", "09:00", 45), ("m1", "09:55", 45), ("m2", "10:50", 45), ("m3", "11:45", 45)
    )
    draws = DrawPlan.of(scenario, scenario.uncertainty).draw(0, 0)
    outcome = Replay(Stage.of(scenario, by_hand), draws, make_policy("as-planned")).run()
    held = {r.meeting: (r.start, r.end) for r in outcome.meetings if r.held}
    assert held == {a.meeting: (a.start, a.end) for a in by_hand.assignments}


def test_exports_show_the_planned_length() -> None:
    scenario = scenario_of(four_hours_of_talks())
    by_hand = schedule_of(
        scenario, ("m0", "09:00", 45), ("m1", "09:55", 60), ("m2", "11:05", 45), ("m3", "12:00", 60)
    )
    assert check(scenario, by_hand).ok
    briefing = briefing_markdown(build_agenda(scenario, by_hand), "host")
    assert briefing.count("Shortened to 45 min (of 60)") == 2
    assert "09:00" in briefing and "09:45" in briefing  # m0 ends at its planned end
    assert _shortened(scenario, "m0", 45) == (
        '<br><span class="sub">shortened to 45 min (of 60)</span>'
    )
    assert _shortened(scenario, "m1", 60) == ""


# --- the bundled scenarios ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # (unheld_weight, shortening, preferences, travel, min_slack, weighted_slack),
        # as before lengths became flexible, with shortening 0
        ("tutorial", (0, 0, 0, 0, 40, -60, -270)),
        ("oversubscribed", (16, 0, 0, 0, 0, -5, -125)),
    ],
)
def test_bundled_scenarios_keep_their_objective_values(
    name: str, expected: tuple[int, ...]
) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    schedule = solve(scenario, SolveSettings(time_limit=10)).schedule
    assert schedule.status is SolveStatus.OPTIMAL
    assert tuple(o.value for o in schedule.objectives) == expected


@pytest.mark.slow
def test_kazan_keeps_the_values_of_its_plan_at_nominal_lengths() -> None:
    # kazan-2024 has min_durations, but every meeting fits at length: the planner
    # shortens nothing, and every other tier is what it is when the scenario's order
    # leaves shortening out (the plan at nominal lengths, as before the feature)
    scenario = load_scenario(SCENARIOS / "kazan-2024.yaml")
    order = tuple(n for n in scenario.rules.objectives if n != "shortening")
    nominal = replace(scenario, rules=replace(scenario.rules, objectives=order))
    flexible = solve(scenario, SolveSettings(time_limit=60)).schedule
    fixed = solve(nominal, SolveSettings(time_limit=60)).schedule
    assert flexible.status is fixed.status is SolveStatus.OPTIMAL
    assert values(flexible) == {"shortening": 0, **values(fixed)}
