"""Loading valid scenarios: the bundled ones, the JSON Schema, and what the loader makes
of the tutorial (times of day, repeating periods, 'all' attendees, defaults)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from sim.cli import main
from sim.model import Distribution, EventKind, Interval, MeetingFormat, Rank, Status
from sim.scenario.document import json_schema
from sim.scenario.load import load_scenario, load_scenario_text
from sim.scenario.safe_yaml import read_yaml
from sim.testing import scenario_documents

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
SCHEMA_FILE = ROOT / "docs" / "scenario.schema.json"


@functools.cache
def schema_validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_there_are_bundled_scenarios() -> None:
    assert {p.name for p in BUNDLED} >= {"tutorial.yaml", "kazan-2024.yaml"}


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.principals
    assert len(scenario.source_sha256) == 64


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenario_validates_on_the_command_line(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(path)]) == 0
    assert "valid" in capsys.readouterr().out


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenario_satisfies_the_json_schema(path: Path) -> None:
    errors = [e.message for e in schema_validator().iter_errors(read_yaml(path).value)]
    assert errors == []


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenario_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/scenario.schema.json"


def test_committed_schema_is_what_sim_schema_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed, (
        "docs/scenario.schema.json is stale: run 'sim schema -o docs/scenario.schema.json'"
    )
    assert json.loads(printed)["title"] == "Summit scenario (version 1)"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_documents())
def test_whatever_the_loader_accepts_satisfies_the_json_schema(document: dict[str, object]) -> None:
    load_scenario_text(json.dumps(document))  # JSON is YAML: valid by construction
    assert [e.message for e in schema_validator().iter_errors(document)] == []


def test_the_format_reference_example_is_valid() -> None:
    page = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    example = page.split("```yaml\n")[2].split("```")[0]  # the complete example
    assert example.startswith("# yaml-language-server")
    scenario = load_scenario_text(example, "scenario-format.md")
    assert len(scenario.uncertainty.scripted) == 8
    assert [e.everyone for e in scenario.fixed_events] == [True, False]


def test_file_and_text_loads_are_equal() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    assert load_scenario(TUTORIAL) == load_scenario_text(text)


# --- what the tutorial means ------------------------------------------------------------
# Europe/Berlin is UTC+2 in June; the epoch is local midnight of 2 June 2025.


def test_tutorial_calendar() -> None:
    s = load_scenario(TUTORIAL)
    assert s.epoch == dt.datetime(2025, 6, 1, 22, 0, tzinfo=dt.UTC)
    assert s.grain == 5
    assert [d.date for d in s.days] == [dt.date(2025, 6, 2), dt.date(2025, 6, 3)]
    # 09:00-21:00 on day one; 08:00-14:00 on day two, 1440 minutes later.
    assert [d.window for d in s.days] == [Interval(540, 1260), Interval(1920, 2280)]


def test_tutorial_places_and_travel() -> None:
    s = load_scenario(TUTORIAL)
    assert [(v.id, v.rooms) for v in s.venues] == [("palace", 1), ("centre", 2)]
    # 'between' gives both directions.
    assert s.travel == {("palace", "centre"): 20, ("centre", "palace"): 20}
    assert s.travel_time("palace", "palace") == 0


def test_tutorial_parties() -> None:
    s = load_scenario(TUTORIAL)
    host, ana, ben, un = s.parties
    assert host.principal and host.base == "palace" and host.rank is Rank.HEAD_OF_STATE
    assert host.presence == Interval(540, 2280)  # no arrival/departure: the whole summit
    assert ana.presence == Interval(600, 2280)  # arrives 10:00 on day one
    assert ben.unavailable == (Interval(720, 780),)  # 12:00-13:00 on 2 June only
    assert un.presence.start == 900 and not un.principal
    assert ana.languages == ("pt",)


def test_tutorial_fixed_events_with_all_attendees() -> None:
    s = load_scenario(TUTORIAL)
    opening, dinner = s.fixed_events
    assert opening.kind is EventKind.PLENARY and opening.time == Interval(840, 930)
    # 'all' means everyone present for the whole event: un arrives at 15:00.
    assert opening.everyone and opening.attendees == ("host", "ana", "ben")
    assert dinner.time == Interval(1140, 1260)  # 'duration: 2h'
    assert dinner.attendees == ("host", "ana", "ben", "un")


def test_tutorial_meetings_and_defaults() -> None:
    s = load_scenario(TUTORIAL)
    ana, ben, un = s.meetings
    assert (ana.duration, ana.min_duration, ana.required, ana.headline) == (60, 45, True, True)
    assert ana.venues == ("palace",)
    assert ben.venues == ("palace", "centre")  # no 'venues': all of them
    # A preferred period given by times of day repeats on every day.
    assert ben.preferred == (Interval(540, 720), Interval(1980, 2160))
    assert (ben.weight, ben.format, ben.status) == (5, MeetingFormat.TALKS, Status.CONFIRMED)
    assert un.status is Status.TENTATIVE and un.after == ("host-ana",)


def test_tutorial_rules_and_uncertainty_defaults() -> None:
    s = load_scenario(TUTORIAL)
    assert (s.rules.buffer, s.rules.min_break, s.rules.max_meetings_per_day) == (10, 15, 4)
    assert s.rules.latest_end == 22 * 60
    assert s.rules.meal_windows.lunch == Interval(12 * 60, 15 * 60)
    assert s.uncertainty.meeting_duration_factor == Distribution.fixed(1.0)
    assert s.uncertainty.scripted == ()


def test_times_of_day_on_a_date_and_durations_in_all_forms() -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    text = text.replace("    duration: 45min\n", "    duration: 1 h 30 min\n")
    text = text.replace("    duration: 30min\n", "    duration: 90\n")
    s = load_scenario_text(text)
    assert [m.duration for m in s.meetings] == [60, 90, 90]


def test_distributions_are_read_with_their_parameters() -> None:
    text = TUTORIAL.read_text(encoding="utf-8") + (
        "uncertainty:\n"
        "  meeting_duration: {dist: lognormal, median: 1.0, p90: 1.2815515655446004}\n"
        "  arrival_delay:\n"
        "    dist: mixture\n"
        "    components:\n"
        "      - {dist: fixed, value: 0, weight: 3}\n"
        "      - {dist: exponential, mean: 20, weight: 1, cap: 90}\n"
        "  walkout: {after_waiting: 30min, probability: 0.5}\n"
        "  scripted:\n"
        "    - {event: overrun, meeting: host-ana, by: 20min}\n"
    )
    u = load_scenario_text(text).uncertainty
    # p90 = median * exp(z90 * sigma), z90 = 1.28155...: this p90 gives sigma = ln(z90) / z90.
    z90 = 1.2815515655446004
    assert u.meeting_duration_factor.param("sigma") == round(math.log(z90) / z90, 6)
    weights = [w for w, _ in u.arrival_delay.components]
    assert weights == [0.75, 0.25]
    assert u.arrival_delay.components[1][1].cap == 90
    assert (u.walkout_wait, u.walkout_probability) == (30, 0.5)
    assert u.scripted[0].minutes == 20 and u.scripted[0].meeting == "host-ana"


def test_names_for_people_tell_two_requests_of_one_pair_apart() -> None:
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["meetings"] = [
        meeting("a", "host", "g1"),
        meeting("b", "g1", "host", required=False, weight=2),
        meeting("c", "host", "g2"),
        meeting("d", "host", "g2", required=False, weight=2, title="Working dinner"),
    ]
    scenario = scenario_of(document)
    assert scenario.meeting_name("a") == "Host – Guest One (a)"
    assert scenario.meeting_name("b") == "Guest One – Host (b)"
    assert scenario.meeting_name("c") == "Host – Guest Two"  # the other one has a title
    assert scenario.meeting_name("d") == "Working dinner"
    assert scenario.meeting_name("gone") == "gone"  # (a schedule of an older scenario)
    assert scenario.party_name("g1") == "Guest One" and scenario.venue_name("a") == "a"
