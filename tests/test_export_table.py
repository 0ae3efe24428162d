"""The engagements CSV (round trip, awkward names) and the Mermaid Gantt of the
tutorial plan."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

import sim
from sim.export.agenda import Agenda, ItemKind, build_agenda
from sim.export.table import (
    COLUMNS,
    engagements_csv,
    mermaid_gantt,
    mermaid_markdown,
    mermaid_text,
    read_engagements_csv,
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


def test_the_csv_reads_back_as_the_agenda(agenda: Agenda, scenario: Scenario) -> None:
    text = engagements_csv(agenda)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = read_engagements_csv(text)
    items = [i for p in agenda.parties for i in agenda.items[p.id] if i.kind is not ItemKind.BUFFER]
    assert len(rows) == len(items)
    for row, item in zip(rows, items, strict=True):
        assert list(row) == list(COLUMNS)
        assert row["party_id"] == item.party
        assert row["party_name"] == agenda.name(item.party)
        assert row["kind"] == item.kind.value
        assert row["item_id"] == item.ident
        assert row["title"] == item.title
        assert int(row["start_minute"]) == item.start and int(row["end_minute"]) == item.end
        assert dt.datetime.fromisoformat(row["start_local"]) == scenario.to_datetime(item.start)
        assert row["start_local"] == scenario.to_datetime(item.start).isoformat()
        assert row["end_local"].endswith("+02:00")  # Berlin in June, offset included
        day = scenario.days[int(row["day"]) - 1]
        assert day.index == item.day and row["date"] == day.date.isoformat()
        assert row["venue_id"] == item.venue
        assert row["venue_name"] == agenda.venue_name(item.venue)
        assert row["with_ids"] == ";".join(item.others)
        assert row["priority"] == (item.priority.value if item.priority else "")
        assert row["reason"] == item.why
        assert row["room"] == ("" if item.room is None else str(item.room))
    assert {r["kind"] for r in rows} == {"meeting", "event", "travel"}


def test_unscheduled_requests_get_a_row_per_party(scenario: Scenario, schedule: Schedule) -> None:
    reason = "optional (weight 3): not enough room left"
    fewer = dataclasses.replace(
        schedule,
        assignments=tuple(a for a in schedule.assignments if a.meeting != "host-un"),
        unscheduled=(Unscheduled("host-un", reason),),
    )
    rows = read_engagements_csv(engagements_csv(build_agenda(scenario, fewer)))
    missing = [r for r in rows if r["kind"] == "unscheduled"]
    assert [(r["party_id"], r["with_ids"]) for r in missing] == [("host", "un"), ("un", "host")]
    assert all(r["item_id"] == "host-un" and r["reason"] == reason for r in missing)
    assert all(r["start_minute"] == "" and r["priority"] == "optional" for r in missing)


def test_commas_quotes_and_line_breaks_in_names_survive(
    scenario: Scenario, schedule: Schedule
) -> None:
    awkward = 'Silva, Ana "the Great"\nof Somewhere; Jr.'
    agenda = build_agenda(renamed(scenario, "ana", awkward), schedule)
    rows = read_engagements_csv(engagements_csv(agenda))
    ana = [r for r in rows if r["party_id"] == "ana"]
    assert ana and all(r["party_name"] == awkward for r in ana)
    host = next(r for r in rows if r["party_id"] == "host" and r["with_ids"] == "ana")
    assert host["with_names"] == awkward
    assert all(len(r) == len(COLUMNS) for r in rows)


def test_the_csv_is_reproducible(scenario: Scenario, schedule: Schedule, agenda: Agenda) -> None:
    assert engagements_csv(agenda) == engagements_csv(build_agenda(scenario, schedule))


def tasks(gantt: str) -> list[tuple[str, str]]:
    """(name, data) of every task line."""
    found = []
    for line in gantt.splitlines()[1:]:
        line = line.strip()
        if " :" in line and not line.startswith(("section", "title")):
            name, data = line.split(" :", 1)
            found.append((name, data))
    return found


def test_the_mermaid_gantt_has_a_task_per_meeting(agenda: Agenda) -> None:
    gantt = mermaid_gantt(agenda)
    lines = gantt.splitlines()
    assert lines[0] == "gantt"
    assert "    dateFormat YYYY-MM-DD HH:mm" in lines and "    axisFormat %H:%M" in lines
    sections = [line.strip() for line in lines if line.strip().startswith("section ")]
    assert sections == ["section The Host, Mon 2 Jun", "section The Host, Tue 3 Jun"]
    found = tasks(gantt)
    meetings = [i for i in agenda.items["host"] if i.kind is ItemKind.MEETING]
    events = [i for i in agenda.items["host"] if i.kind is ItemKind.EVENT]
    meeting_tasks = [(n, d) for n, d in found if not d.startswith("active")]
    assert len(meeting_tasks) == len(meetings)
    assert len(found) == len(meetings) + len(events)
    ana = next(i for i in meetings if i.ident == "host-ana")  # the required meeting
    assert ("Ana Silva", f"crit, {stamp(agenda, ana.start)}, {stamp(agenda, ana.end)}") in found
    assert ("Opening plenary", "active, 2025-06-02 14:00, 2025-06-02 15:30") in found
    assert all(":" not in name for name, _ in found)
    assert all(re.fullmatch(r"((crit|active), )?[0-9 :,-]+", d) for _, d in found)


def stamp(agenda: Agenda, minute: int) -> str:
    """A moment as Mermaid reads it: local date and time, worked out with zoneinfo."""
    scenario = agenda.scenario
    local = (scenario.epoch + dt.timedelta(minutes=minute)).astimezone(ZoneInfo(scenario.timezone))
    return f"{local:%Y-%m-%d %H:%M}"


def test_one_partys_gantt(agenda: Agenda) -> None:
    found = tasks(mermaid_gantt(agenda, "ben"))
    meeting = next(i for i in agenda.items["ben"] if i.kind is ItemKind.MEETING)
    assert ("The Host", f"{stamp(agenda, meeting.start)}, {stamp(agenda, meeting.end)}") in found
    assert "section Ben Okafor" in mermaid_gantt(agenda, "ben")


def test_mermaid_names_are_sanitised(scenario: Scenario, schedule: Schedule) -> None:
    agenda = build_agenda(renamed(scenario, "ana", "Dr: Ana; #1 %% {x}"), schedule)
    found = tasks(mermaid_gantt(agenda))
    names = [n for n, _ in found]
    assert "Dr Ana 1 x" in names
    assert all(not set(n) & set(":;#%{}") for n in names)
    assert mermaid_text("Section 3 talks") == "– Section 3 talks"  # not a keyword line
    assert mermaid_text(" a\n b ") == "a b"


def test_mermaid_markdown_is_fenced(agenda: Agenda) -> None:
    text = mermaid_markdown(agenda)
    assert text.startswith("```mermaid\ngantt\n") and text.endswith("\n```\n")
    assert text[len("```mermaid\n") : -len("```\n")] == mermaid_gantt(agenda)


def test_the_mermaid_section_of_a_clock_change_day_says_so() -> None:
    from sim.solve import solve
    from tests.tiny import fall_back_night

    scenario = fall_back_night()
    gantt = mermaid_gantt(build_agenda(scenario, solve(scenario).schedule))
    (section,) = [line for line in gantt.splitlines() if "section" in line]
    assert "clocks change from EDT to EST, not to scale across it" in section


def test_a_meeting_across_the_clock_change_keeps_its_length_in_mermaid() -> None:
    # 01:00 summer time to 01:00 winter time is an hour; by the wall clock it is
    # no time at all, and Mermaid drew no bar. Its length is given instead.
    from sim.solve import solve
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["timezone"] = "America/New_York"
    document["days"] = [{"date": "2025-11-01", "start": "20:00", "end": "28:00"}]
    document["meetings"] = [meeting("across", "host", "g1", pinned="2025-11-02 01:30")]
    scenario = scenario_of(document)
    gantt = mermaid_gantt(build_agenda(scenario, solve(scenario).schedule))
    (task,) = [line for line in gantt.splitlines() if "Guest One" in line]
    assert task.endswith("2025-11-02 01:30, 60m"), task
