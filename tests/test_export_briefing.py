"""The per-delegation briefings of the tutorial plan, in Markdown and HTML: every
engagement with its local times, every ride's leave-by time, the requests not
scheduled, and scenario text escaped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

import sim
from sim.export.agenda import Agenda, ItemKind, build_agenda
from sim.export.briefing import (
    briefing_html,
    briefing_index_markdown,
    briefing_markdown,
    clock,
    item_heading,
    long_date,
    span,
)
from sim.model import Scenario
from sim.schedule import Schedule, Unscheduled
from sim.solve import solve


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return sim.load_scenario("scenarios/tutorial.yaml")


@pytest.fixture(scope="module")
def schedule(scenario: Scenario) -> Schedule:
    return solve(scenario).schedule


@pytest.fixture(scope="module")
def agenda(scenario: Scenario, schedule: Schedule) -> Agenda:
    return build_agenda(scenario, schedule)


def renamed(scenario: Scenario, party_id: str, name: str) -> Scenario:
    parties = tuple(
        dataclasses.replace(p, name=name) if p.id == party_id else p for p in scenario.parties
    )
    return dataclasses.replace(scenario, parties=parties)


def test_words_for_dates_and_times(agenda: Agenda, scenario: Scenario) -> None:
    assert long_date(scenario.days[0].date) == "Monday 2 June 2025"
    first = agenda.items["host"][0]
    # local (Berlin), not UTC: worked out here with zoneinfo, whatever slot the plan chose
    berlin = ZoneInfo(scenario.timezone)
    start = (scenario.epoch + dt.timedelta(minutes=first.start)).astimezone(berlin)
    end = (scenario.epoch + dt.timedelta(minutes=first.end)).astimezone(berlin)
    assert start.utcoffset() == dt.timedelta(hours=2)  # summer time: local is not UTC
    assert clock(agenda, first.start) == f"{start:%H:%M}"
    assert span(agenda, first.start, first.end) == f"{start:%H:%M}–{end:%H:%M}"
    assert span(agenda, 23 * 60, 25 * 60) == "23:00–01:00 (next day)"


@pytest.mark.parametrize("party", ["host", "ana", "ben", "un"])
@pytest.mark.parametrize("render", [briefing_markdown, briefing_html])
def test_every_engagement_is_there_with_its_local_times(
    agenda: Agenda, party: str, render: Callable[[Agenda, str], str]
) -> None:
    text = render(agenda, party)
    if render is briefing_html:
        text = text.replace("&#x27;", "'")
    assert agenda.name(party) in text
    for item in agenda.items[party]:
        if item.kind is ItemKind.BUFFER:
            continue
        assert item_heading(agenda, item) in text
        assert span(agenda, item.start, item.end) in text
        if item.kind is ItemKind.EVENT:
            assert item.title in text
        if item.kind is ItemKind.TRAVEL:
            assert f" {clock(agenda, item.start)} for " in text  # the departure time
    for day in agenda.days_of(party):
        assert long_date(scenario_day(agenda, day)) in text


def scenario_day(agenda: Agenda, index: int) -> dt.date:
    return next(d.date for d in agenda.scenario.days if d.index == index)


def test_the_host_briefing_reads_as_a_protocol_officer_needs(agenda: Agenda) -> None:
    text = briefing_markdown(agenda, "host")
    assert text.startswith("# The Host\n\n**President**\n")
    assert "## Monday 2 June 2025" in text and "## Tuesday 3 June 2025" in text
    assert "Europe/Berlin" in text
    assert "**Bilateral with Ana Silva**" in text
    assert "Ana Silva, President" in text  # counterpart with title
    assert "Priority: required" in text
    assert "Tentative" in text  # host-un is tentative
    assert "Leave The Palace by 13:40 for Conference Centre (20 min)" in text
    # the ride back; when is the plan's choice among equally good plans (the UN
    # bilateral at the palace at 17:00, or at the centre with the ride after it)
    assert re.search(r"Leave Conference Centre by \d\d:\d\d for The Palace \(20 min\)", text)
    assert "protocol buffer" not in text
    assert "Not scheduled" not in text


def test_requests_not_scheduled_are_listed_with_the_reason(
    scenario: Scenario, schedule: Schedule
) -> None:
    reason = "optional (weight 3): not enough room left"
    fewer = dataclasses.replace(
        schedule,
        assignments=tuple(a for a in schedule.assignments if a.meeting != "host-un"),
        unscheduled=(Unscheduled("host-un", reason),),
    )
    agenda = build_agenda(scenario, fewer)
    for party in ("host", "un"):
        text = briefing_markdown(agenda, party)
        assert "## Not scheduled" in text
        assert reason in text
        assert "Not scheduled" in briefing_html(agenda, party)
    assert "Not scheduled" not in briefing_markdown(agenda, "ana")


def test_scenario_text_is_escaped_in_html(scenario: Scenario, schedule: Schedule) -> None:
    evil = "<script>alert(1)</script>"
    agenda = build_agenda(renamed(scenario, "ana", evil), schedule)
    for party in ("ana", "host"):
        page = briefing_html(agenda, party)
        assert "<script" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
        assert "http" not in page  # no external resources
        markdown = briefing_markdown(agenda, party)
        assert "<script" not in markdown


def test_markdown_tables_survive_pipes_in_names(scenario: Scenario, schedule: Schedule) -> None:
    agenda = build_agenda(renamed(scenario, "ana", "Ana | Silva"), schedule)
    text = briefing_markdown(agenda, "host")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 6  # five cells, none split
    assert "Ana \\| Silva" in text


def test_same_input_same_text(scenario: Scenario, schedule: Schedule, agenda: Agenda) -> None:
    again = build_agenda(scenario, schedule)
    assert briefing_html(agenda, "host") == briefing_html(again, "host")
    assert briefing_markdown(agenda, "host") == briefing_markdown(again, "host")


def test_the_index_lists_every_delegation(agenda: Agenda) -> None:
    text = briefing_index_markdown(agenda, link=lambda p: f"briefings/{p}.md")
    for party in agenda.parties:
        assert f"[{agenda.name(party.id)}](briefings/{party.id}.md)" in text
    assert text.index("The Host") < text.index("Ana Silva")  # protocol order


def test_an_item_after_midnight_names_its_date_under_the_evening_it_belongs_to() -> None:
    # A night that runs past midnight lists its items under the evening's date; one
    # that starts after midnight must say which date it is on, or "Monday 01:15"
    # reads as the night before.
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["days"] = [{"date": "2025-06-02", "start": "20:00", "end": "26:00"}]
    document["meetings"] = [
        meeting(
            "late", "host", "g1", windows=[{"start": "2025-06-03T00:30", "end": "2025-06-03T01:30"}]
        )
    ]
    night = scenario_of(document)
    plan = solve(night).schedule
    text = briefing_markdown(build_agenda(night, plan), "g1")
    assert "## Monday 2 June 2025" in text
    assert "00:30–01:30 (Tue 3 Jun)" in text


def test_why_this_slot_claims_no_earliest_fit_the_planner_did_not_seek() -> None:
    # With nothing narrowing a meeting, the planner picks among the free times for
    # spare time and less travel: often not the earliest, so the reason must not say so.
    from sim.export.agenda import _why_here
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["meetings"] = [meeting("m", "host", "g1")]
    scenario = scenario_of(document)
    why = _why_here(scenario, scenario.meeting_by_id["m"])
    assert "earliest" not in why and "free for every party" in why


def test_the_header_names_each_offset_when_the_clocks_change_during_the_summit(
    agenda: Agenda,
) -> None:
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["timezone"] = "Europe/Berlin"
    document["days"] = [
        {"date": "2025-10-25", "start": "09:00", "end": "20:00"},
        {"date": "2025-10-26", "start": "09:00", "end": "20:00"},
    ]
    document["meetings"] = [meeting("m", "host", "g1")]
    scenario = scenario_of(document)
    text = briefing_markdown(build_agenda(scenario, solve(scenario).schedule), "host")
    assert (
        "All times are local, Europe/Berlin (CEST, UTC+02:00; from Sun 26 Oct 02:00, "
        "CET, UTC+01:00)." in " ".join(text.split())
    )
    # no change during the tutorial's June summit: one offset
    assert "Europe/Berlin (CEST, UTC+02:00)." in briefing_markdown(agenda, "host")


def test_an_event_for_all_but_some_names_who_is_left_out() -> None:
    with open("scenarios/tutorial.yaml", encoding="utf-8") as stream:
        text = stream.read()
    everyone = "    venue: palace\n    attendees: all\n"
    assert text.count(everyone) == 1
    scenario = sim.load_scenario_text(text.replace(everyone, everyone + "    except: [ben]\n"))
    agenda = build_agenda(scenario, solve(scenario).schedule)
    rows = [line for line in briefing_markdown(agenda, "host").splitlines() if "| Official" in line]
    assert len(rows) == 1 and "all delegations except Ben Okafor" in rows[0]
    assert "all delegations except" not in briefing_html(agenda, "ben")  # (not his event)


def test_a_time_in_the_hour_that_happens_twice_names_its_zone() -> None:
    from tests.tiny import fall_back_night

    scenario = fall_back_night()
    agenda = build_agenda(scenario, solve(scenario).schedule)
    early = next(i for i in agenda.items["host"] if i.ident == "early")
    assert span(agenda, early.start, early.end) == "01:00 EDT–01:00 EST"
    assert clock(agenda, early.start + 120) == "02:00"  # (no zone once the hour is past)
