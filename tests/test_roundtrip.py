"""Writing a scenario back: load(dump(s)) == s, in the forms people write."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from sim.model import Scenario
from sim.scenario.load import load_scenario, load_scenario_text
from sim.scenario.safe_yaml import parse_yaml
from sim.scenario.write import scenario_to_document, scenario_to_yaml
from sim.testing import generated_scenario_yaml, scenarios

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
TUTORIAL = (ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8")


def round_trip(scenario: Scenario) -> Scenario:
    return load_scenario_text(scenario_to_yaml(scenario), "<dumped>")


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_drawn_scenarios_round_trip(scenario: Scenario) -> None:
    again = round_trip(scenario)
    assert again == scenario
    # Written again, the text is the same: the writer has one way to say each thing.
    assert scenario_to_yaml(again) == scenario_to_yaml(scenario)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_scenario_yaml())
def test_generated_scenarios_round_trip(text: str) -> None:
    scenario = load_scenario_text(text)
    assert round_trip(scenario) == scenario


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenarios_round_trip(path: Path) -> None:
    scenario = load_scenario(path)
    assert round_trip(scenario) == scenario


def test_source_hash_does_not_take_part_in_equality() -> None:
    scenario = load_scenario_text(TUTORIAL)
    assert dataclasses.replace(scenario, source_sha256="other") == scenario


def test_times_are_written_as_people_write_them() -> None:
    doc = scenario_to_document(load_scenario_text(TUTORIAL))
    assert doc["grain"] == "5min"
    assert doc["days"][0] == {"date": "2025-06-02", "start": "09:00", "end": "21:00"}
    ana = doc["parties"][1]
    assert ana["arrival"] == "2025-06-02 10:00" and "departure" not in ana  # stays to the end
    opening = doc["fixed_events"][0]
    assert (opening["start"], opening["duration"]) == ("2025-06-02 14:00", "1h30")
    assert doc["meetings"][0]["min_duration"] == "45min"
    assert doc["rules"]["latest_end"] == "22:00"
    # The host-ben preference repeats on both days, so it is written once, as times of day.
    assert doc["meetings"][1]["preferred"] == [{"start": "09:00", "end": "12:00"}]
    assert doc["parties"][2]["unavailable"] == [
        {"start": "12:00", "end": "13:00", "date": "2025-06-02"}
    ]


def test_defaults_are_left_out() -> None:
    doc = scenario_to_document(load_scenario_text(TUTORIAL))
    ben_meeting = doc["meetings"][1]
    assert set(ben_meeting) == {"id", "parties", "duration", "weight", "preferred"}
    assert "uncertainty" not in doc


def test_all_attendees_are_written_as_all_with_the_exceptions() -> None:
    text = TUTORIAL.replace(
        "    venue: centre\n    attendees: all\n",
        "    venue: centre\n    attendees: all\n    except: [ben, un]\n",
    )
    scenario = load_scenario_text(text)
    opening = scenario.fixed_events[0]
    assert opening.everyone and opening.attendees == ("host", "ana")
    event = scenario_to_document(scenario)["fixed_events"][0]
    # un is not there at 14:00 anyway, so only ben needs excepting.
    assert (event["attendees"], event["except"]) == ("all", ["ben"])
    assert scenario_to_document(scenario)["fixed_events"][1]["attendees"] == "all"
    assert round_trip(scenario) == scenario


def test_a_list_of_attendees_stays_a_list() -> None:
    text = TUTORIAL.replace(
        "    venue: centre\n    attendees: all\n", "    venue: centre\n    attendees: [host, ana]\n"
    )
    scenario = load_scenario_text(text)
    assert scenario_to_document(scenario)["fixed_events"][0]["attendees"] == ["host", "ana"]
    assert round_trip(scenario) == scenario


def test_text_that_yaml_would_mistype_is_quoted() -> None:
    text = TUTORIAL.replace("languages: [pt]", "languages: [NO, '1e5', 'true', '']").replace(
        "name: Ben Okafor", "name: '12:30'"
    )
    scenario = load_scenario_text(text)
    dumped = scenario_to_yaml(scenario)
    assert parse_yaml(dumped).value["parties"][1]["languages"] == ["NO", "1e5", "true", ""]
    assert round_trip(scenario) == scenario


def test_a_day_when_the_clocks_change_round_trips() -> None:
    # Berlin leaves summer time at 03:00 on 27 October 2024: that day has 25 hours.
    text = (
        "version: 1\nid: dst\nname: DST\ntimezone: Europe/Berlin\n"
        "days: [{date: 2024-10-26}, {date: 2024-10-27}, {date: 2024-10-28}]\n"
        "venues: [{id: v}]\n"
        "parties:\n"
        "  - {id: a, name: A, principal: true, arrival: 2024-10-27 09:00}\n"
        "  - {id: b, name: B, unavailable: [{start: '12:00', end: '13:00'}]}\n"
        "fixed_events:\n"
        "  - {id: e, name: E, start: 2024-10-27 10:00, duration: 1h, venue: v}\n"
        "meetings:\n"
        "  - {id: m, parties: [a, b], duration: 30min, pinned: 2024-10-28 09:00}\n"
    )
    scenario = load_scenario_text(text)
    days = scenario.days
    assert scenario.midnight(days[2]) - scenario.midnight(days[1]) == 25 * 60
    # a time of day is read on the wall clock: each day opens at 08:00 local time
    assert [scenario.to_datetime(d.window.start).hour for d in days] == [8, 8, 8]
    assert days[2].window.start - days[1].window.start == 24 * 60
    assert round_trip(scenario) == scenario


def test_a_minute_in_the_repeated_hour_cannot_be_written() -> None:
    scenario = load_scenario_text(TUTORIAL)
    # The tutorial is in June; move its epoch to the night Berlin repeats 02:00-03:00.
    night = dataclasses.replace(
        scenario, epoch=dt.datetime(2024, 10, 26, 22, 0, tzinfo=dt.UTC)
    )  # local midnight of 27 October; 02:30 comes twice, at 150 and 210 minutes
    ana = dataclasses.replace(
        night.parties[1], presence=dataclasses.replace(night.parties[1].presence, start=210)
    )
    broken = dataclasses.replace(night, parties=(night.parties[0], ana, *night.parties[2:]))
    with pytest.raises(ValueError, match="repeated by a clock change"):
        scenario_to_yaml(broken)
