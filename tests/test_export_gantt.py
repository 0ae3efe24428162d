"""Gantt charts of a plan: offline, complete, escaped, reproducible, and the replay
chart draws the plan beside what happened."""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sim.export.agenda import Agenda, build_agenda
from sim.export.gantt import (
    gantt_html,
    gantt_png,
    gantt_svg,
    party_chart,
    replay_chart,
    replay_gantt_html,
    replay_gantt_png,
    replay_gantt_svg,
)
from sim.export.simulation import write_results
from sim.model import Scenario
from sim.scenario.load import load_scenario
from sim.schedule import Schedule, Unscheduled
from sim.simulate.monte_carlo import simulate
from sim.solve import SolveSettings, solve

TUTORIAL = Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.yaml"
EVIL = "<script>alert(1)</script>"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def planned() -> tuple[Scenario, Schedule]:
    scenario = load_scenario(TUTORIAL)
    return scenario, solve(scenario, SolveSettings(time_limit=10)).schedule


def dropping(schedule: Schedule, meeting: str, reason: str) -> Schedule:
    """The schedule without ``meeting``, listed as not scheduled for ``reason``."""
    return replace(
        schedule,
        assignments=tuple(a for a in schedule.assignments if a.meeting != meeting),
        unscheduled=(*schedule.unscheduled, Unscheduled(meeting, reason)),
    )


@pytest.fixture(scope="module")
def agenda(planned: tuple[Scenario, Schedule]) -> Agenda:
    """The tutorial plan with host-un not scheduled (a reason with markup in it)."""
    scenario, schedule = planned
    return build_agenda(scenario, dropping(schedule, "host-un", "no room <b>left</b> & late"))


@pytest.fixture(scope="module")
def page(agenda: Agenda) -> str:
    return gantt_html(agenda)


@pytest.fixture(scope="module")
def evil_agenda(planned: tuple[Scenario, Schedule]) -> Agenda:
    """Ana Silva renamed to a script; her meeting with the host both scheduled (in
    the charts) and, in a second agenda below, not scheduled (in the list)."""
    scenario, schedule = planned
    parties = tuple(replace(p, name=EVIL) if p.id == "ana" else p for p in scenario.parties)
    return build_agenda(replace(scenario, parties=parties), schedule)


def bar_labels(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [
        "".join(group.itertext()).strip()
        for group in root.iter(f"{SVG}g")
        if group.get("id", "").startswith("bar-label")
    ]


# --- the interactive page ---------------------------------------------------------------


def test_page_works_offline_with_plotly_inlined(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert "<script src=http" not in page
    assert "Plotly.newPlot" in page and "plotly.js v" in page  # the library itself
    assert len(page) > 1_000_000


def test_page_names_every_party_of_every_scheduled_meeting(agenda: Agenda, page: str) -> None:
    scenario = agenda.scenario
    assert agenda.schedule.assignments
    for assignment in agenda.schedule.assignments:
        for party in scenario.meeting_by_id[assignment.meeting].parties:
            assert scenario.party_by_id[party].name in page
    assert scenario.name in page
    assert "proven optimal" in page  # the plan's status, in words


def test_page_lists_the_unscheduled_meetings_with_their_reasons(agenda: Agenda, page: str) -> None:
    assert [u.meeting.id for u in agenda.unplaced] == ["host-un"]
    listed = page[page.index("Not scheduled (1)") :]
    assert "The Host – The Secretary-General" in listed
    assert "no room &lt;b&gt;left&lt;/b&gt; &amp; late" in listed
    assert "<b>left</b>" not in page


def test_page_says_who_where_when_why_in_the_hover(agenda: Agenda, page: str) -> None:
    assert "who: The Host, President; Ana Silva, President" in page
    assert "where: The Palace, room 1" in page
    assert "priority: required" in page
    assert "why this slot: while Ana Silva is at the summit" in page
    ana = next(i for i in agenda.items["ana"] if i.ident == "host-ana")
    scenario = agenda.scenario
    local = ZoneInfo(scenario.timezone)
    start = (scenario.epoch + dt.timedelta(minutes=ana.start)).astimezone(local)
    end = (scenario.epoch + dt.timedelta(minutes=ana.end)).astimezone(local)
    when = f"when: {start:%a %d %b %H:%M}\\u2013{end:%H:%M} (1h)"  # plotly's JSON: \u2013 is '–'
    assert when in page
    for words in ("required bilateral", "headline bilateral", "optional bilateral"):
        assert words in page  # the legend


def test_page_venue_view_and_days(page: str) -> None:
    assert "Venues and rooms" in page
    assert "The Palace: programme" in page and "Conference Centre" in page
    assert "Monday 02 June 2025" in page and "Tuesday 03 June 2025" in page


def test_a_party_named_like_a_script_stays_text(
    planned: tuple[Scenario, Schedule], evil_agenda: Agenda
) -> None:
    page = gantt_html(evil_agenda)
    assert EVIL not in page and "alert(1)</script>" not in page
    # plotly's JSON writes '/' as \u002f; the name is escaped before it gets there
    assert "&lt;script&gt;alert(1)&lt;\\u002fscript&gt;" in page
    dropped = build_agenda(evil_agenda.scenario, dropping(planned[1], "host-ana", "no time"))
    listed = gantt_html(dropped)
    assert EVIL not in listed
    assert f"{EVIL.replace('<', '&lt;').replace('>', '&gt;')}, President" in listed
    ET.fromstring(gantt_svg(evil_agenda))  # still well-formed XML
    # as text, which XML escaped (cut with an ellipsis when the plan's bar is short)
    assert any(label.startswith(EVIL[:16]) for label in bar_labels(gantt_svg(evil_agenda)))


def test_the_same_plan_gives_the_same_page(agenda: Agenda, page: str) -> None:
    assert gantt_html(agenda) == page


# --- pictures for a slide ----------------------------------------------------------------


def test_png_is_a_slide_sized_picture(agenda: Agenda) -> None:
    png = gantt_png(agenda)
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) > 20_000
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1920 and 300 <= height <= 1080
    assert gantt_png(agenda) == png


def test_svg_parses_and_labels_the_meetings(agenda: Agenda) -> None:
    svg = gantt_svg(agenda)
    labels = bar_labels(svg)
    # each meeting is labelled in each of its parties' rows with the counterpart
    held = [i for i in agenda.all_items() if i.kind == "meeting"]
    assert held
    expected = sorted(", ".join(agenda.name(o) for o in i.others) for i in held)
    assert sorted(label for label in labels if label in expected) == expected
    assert "Opening plenary" in labels and "Official dinner" in labels
    text = "".join(ET.fromstring(svg).itertext())
    assert "required bilateral" in text and "optional bilateral" in text
    assert agenda.scenario.name in text


def test_the_same_plan_gives_the_same_svg(agenda: Agenda) -> None:
    assert gantt_svg(agenda) == gantt_svg(agenda)


def test_a_slide_stacks_the_days_and_makes_the_principal_row_taller(agenda: Agenda) -> None:
    chart = party_chart(agenda)
    assert chart.arrangement == "rows"
    assert [len(p.rows) for p in chart.panels] == [4, 2]
    assert chart.panels[0].rows[0] == "host" and chart.row_weights["host"] > 1
    side_by_side = party_chart(agenda, "columns")
    assert all(p.rows == side_by_side.panels[0].rows for p in side_by_side.panels)


# --- planned against realised ------------------------------------------------------------


@pytest.fixture(scope="module")
def timeline(planned: tuple[Scenario, Schedule], tmp_path_factory: Any) -> list[dict[str, Any]]:
    """The worst replication's spans, as ``sim simulate`` writes them to timelines.json."""
    scenario, schedule = planned
    result = simulate(scenario, schedule, runs=10, seed=3, policies=("shorten",))
    out = tmp_path_factory.mktemp("simulation")
    write_results(out, result, scenario)
    timelines = json.loads((out / "timelines.json").read_text())
    spans: list[dict[str, Any]] = timelines["shorten"]["worst"]["timeline"]
    return spans


def test_replay_chart_draws_the_plan_and_what_happened(
    planned: tuple[Scenario, Schedule], timeline: list[dict[str, Any]]
) -> None:
    agenda = build_agenda(*planned)
    chart = replay_chart(agenda, timeline)
    bars = [b for p in chart.panels for b in p.bars]
    plan = [b for b in bars if b.style in ("planned", "not-held")]
    done = [b for b in bars if b.style not in ("planned", "not-held")]
    engagements = [i for i in agenda.all_items() if i.kind in ("meeting", "event")]
    assert len(plan) == len(engagements)
    assert len(done) == len(timeline)
    assert {(b.row, b.start, b.end) for b in done} == {
        (s["party"], s["start_minute"], s["end_minute"]) for s in timeline
    }
    page = replay_gantt_html(agenda, timeline)
    assert page.count('"legendgroup":"planned"') >= 1
    assert page.count('"legendgroup":"event"') >= 1
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert replay_gantt_html(agenda, timeline) == page
    png = replay_gantt_png(agenda, timeline)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 20_000


def test_replay_marks_meetings_not_held_and_meetings_added(
    planned: tuple[Scenario, Schedule],
) -> None:
    """A hand-made replication: host-ana held 20 minutes late, host-ben not held, a
    meeting added on the day, and some waiting."""
    scenario, schedule = planned
    agenda = build_agenda(scenario, schedule)
    ana = schedule.assignment_of("host-ana")
    assert ana is not None
    late = [
        {"party": p, "kind": "meeting", "id": "host-ana", "venue": ana.venue,
         "start_minute": ana.start + 20, "end_minute": ana.end + 20}
        for p in ("host", "ana")
    ]  # fmt: skip
    added = [
        {"party": p, "kind": "meeting", "id": "added-1", "venue": "palace",
         "start_minute": 1920, "end_minute": 1950}
        for p in ("host", "un")
    ]  # fmt: skip
    wait = [{"party": "host", "kind": "wait", "id": "host-ana", "venue": ana.venue,
             "start_minute": ana.start, "end_minute": ana.start + 20}]  # fmt: skip
    chart = replay_chart(agenda, late + added + wait)
    bars = {(b.row, b.style, b.start): b for p in chart.panels for b in p.bars}
    ben = schedule.assignment_of("host-ben")
    assert ben is not None
    assert ("host", "not-held", ben.start) in bars and ("ben", "not-held", ben.start) in bars
    held = bars[("host", "required", ana.start + 20)]
    assert held.labels == ("Ana Silva",)
    assert "started 20min late" in held.hover
    new = bars[("un", "added", 1920)]
    assert new.labels == ("The Host",) and "meeting added during the summit" in new.hover
    assert ("host", "wait", ana.start) in bars
    assert {"planned", "not-held", "added", "wait"} <= set(chart.legend)
    assert "1 of 3 planned meetings held, 1 added" in chart.subtitle
    svg = replay_gantt_svg(agenda, late + added + wait)
    assert "Ana Silva" in bar_labels(svg) and "The Host" in bar_labels(svg)


def test_the_interactive_chart_keeps_the_hour_the_clocks_go_back() -> None:
    # New York, 2 Nov 2025: 01:00-02:00 happens twice. A meeting at the first 01:00 and
    # one at 02:00 winter time are two hours apart; on a wall-clock axis they would
    # touch. The axis keeps elapsed time and its labels say 01:00 twice.
    from sim.export.gantt import _figure
    from tests.tiny import fall_back_night

    scenario = fall_back_night()
    plan = solve(scenario, SolveSettings(time_limit=10)).schedule
    starts = {a.meeting: a.start for a in plan.assignments}
    assert starts["late"] - starts["early"] == 120
    figure = _figure(party_chart(build_agenda(scenario, plan)))
    bases = sorted(
        dt.datetime.fromisoformat(base)
        for trace in figure.data
        if trace.name == "required bilateral"
        for base in trace.base
    )
    assert bases[-1] - bases[0] == dt.timedelta(hours=2)
    labels = list(figure.layout.xaxis.ticktext)
    assert labels.count("01:00") == 1 and "01:00 EST" in labels
    assert labels.index("01:00 EST") == labels.index("01:00") + 1
