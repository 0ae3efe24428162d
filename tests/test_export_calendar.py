"""The per-delegation calendars (.ics) of the tutorial plan: they re-parse, carry the
scenario's time zone, keep their UIDs across re-plans, and say what moved or went."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from icalendar import Calendar

import sim
from sim.export.agenda import Agenda, ItemKind, build_agenda
from sim.export.calendar import PRODID, calendars, party_calendar
from sim.model import Scenario
from sim.schedule import Schedule
from sim.solve import solve
from tests.tiny import DAY


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return sim.load_scenario("scenarios/tutorial.yaml")


@pytest.fixture(scope="module")
def schedule(scenario: Scenario) -> Schedule:
    return solve(scenario).schedule


@pytest.fixture(scope="module")
def agenda(scenario: Scenario, schedule: Schedule) -> Agenda:
    return build_agenda(scenario, schedule)


def events(content: bytes) -> list[Any]:
    return list(Calendar.from_ical(content).walk("VEVENT"))


def by_uid(content: bytes) -> dict[str, Any]:
    return {str(e["UID"]): e for e in events(content)}


def moved(schedule: Schedule, meeting: str, minutes: int) -> Schedule:
    """The schedule with one meeting ``minutes`` later (same day, venue and room)."""
    assignments = tuple(
        dataclasses.replace(a, start=a.start + minutes, end=a.end + minutes)
        if a.meeting == meeting
        else a
        for a in schedule.assignments
    )
    return dataclasses.replace(schedule, assignments=assignments)


def dropped(schedule: Schedule, meeting: str) -> Schedule:
    kept = tuple(a for a in schedule.assignments if a.meeting != meeting)
    return dataclasses.replace(schedule, assignments=kept)


def test_the_calendar_reparses_with_its_header_and_time_zone(
    agenda: Agenda, scenario: Scenario
) -> None:
    calendar = Calendar.from_ical(party_calendar(agenda, "host"))
    assert str(calendar["PRODID"]) == PRODID == "-//summit-sim//EN"
    assert str(calendar["VERSION"]) == "2.0"
    name = str(calendar["X-WR-CALNAME"])
    assert "The Host" in name and scenario.name in name
    zones = list(calendar.walk("VTIMEZONE"))
    assert [str(z["TZID"]) for z in zones] == [scenario.timezone] == ["Europe/Berlin"]


def test_every_meeting_event_and_ride_is_there_in_local_time(
    agenda: Agenda, scenario: Scenario
) -> None:
    found = events(party_calendar(agenda, "host"))
    expected = [i for i in agenda.items["host"] if i.kind is not ItemKind.BUFFER]
    assert len(found) == len(expected)
    assert any(i.kind is ItemKind.TRAVEL for i in expected)  # rides are included
    for event, item in zip(found, expected, strict=True):
        for key, minute in (("DTSTART", item.start), ("DTEND", item.end)):
            value = event.decoded(key)
            wanted = scenario.to_datetime(minute)
            assert value == wanted  # the same instant
            assert value.utcoffset() == wanted.utcoffset()
            assert getattr(value.tzinfo, "key", None) == scenario.timezone
            assert event[key].params["TZID"] == scenario.timezone
        assert str(event["STATUS"]) in {"CONFIRMED", "TENTATIVE"}
        assert event.decoded("SEQUENCE") == 0


def test_summary_location_description_name_the_meeting(agenda: Agenda) -> None:
    found = by_uid(party_calendar(agenda, "host"))
    meeting = found["meeting-host-ana.host.tutorial@summit-sim"]
    assert str(meeting["SUMMARY"]) == "Bilateral with Ana Silva"
    assert str(meeting["LOCATION"]) == "The Palace"  # one room: no room number
    description = str(meeting["DESCRIPTION"])
    assert "Ana Silva, President" in description and "The Host, President" in description
    assert "Priority: required" in description
    assert "Why this slot:" in description
    assert "Required" in [str(c) for c in meeting["CATEGORIES"].cats]
    ride = next(e for e in found.values() if str(e["SUMMARY"]).startswith("Motorcade to"))
    assert "Leave The Palace by " in str(ride["DESCRIPTION"])
    # The tentative meeting is marked so.
    assert str(found["meeting-host-un.host.tutorial@summit-sim"]["STATUS"]) == "TENTATIVE"
    # From the guest's side, the same meeting names the host.
    guest = by_uid(party_calendar(agenda, "ana"))["meeting-host-ana.ana.tutorial@summit-sim"]
    assert str(guest["SUMMARY"]) == "Bilateral with The Host"


def test_uids_are_unique_and_stable_and_the_bytes_reproducible(
    scenario: Scenario, schedule: Schedule, agenda: Agenda
) -> None:
    first = calendars(agenda)
    again = calendars(build_agenda(scenario, schedule))
    assert first == again  # same input, same bytes (no wall clock in DTSTAMP)
    assert set(first) == {p.id for p in agenda.parties if agenda.items.get(p.id)}
    uids = [str(e["UID"]) for content in first.values() for e in events(content)]
    assert len(uids) == len(set(uids))
    for content in first.values():
        for event in events(content):
            assert event.decoded("DTSTAMP") == dt.datetime(2025, 6, 2, tzinfo=dt.UTC)


def test_a_moved_meeting_keeps_its_uid_and_raises_its_sequence(
    scenario: Scenario, schedule: Schedule, agenda: Agenda
) -> None:
    later = build_agenda(scenario, moved(schedule, "host-ben", 30))
    before = by_uid(party_calendar(agenda, "host"))
    after = by_uid(party_calendar(later, "host", agenda))
    assert set(after) == set(before)
    uid = "meeting-host-ben.host.tutorial@summit-sim"
    assert after[uid].decoded("DTSTART") - before[uid].decoded("DTSTART") == dt.timedelta(
        minutes=30
    )
    # A publication over another raises every event's SEQUENCE (a name or a title
    # may have changed too, which the plans cannot show): clients take them all.
    assert all(after[u].decoded("SEQUENCE") == 1 for u in after)
    assert all(before[u].decoded("SEQUENCE") == 0 for u in before)
    # The guest's copy of the meeting changes the same way.
    ben = by_uid(party_calendar(later, "ben", agenda))
    assert ben["meeting-host-ben.ben.tutorial@summit-sim"].decoded("SEQUENCE") == 1


def test_a_dropped_meeting_is_cancelled(
    scenario: Scenario, schedule: Schedule, agenda: Agenda
) -> None:
    without = build_agenda(scenario, dropped(schedule, "host-un"))
    after = by_uid(party_calendar(without, "host", agenda))
    cancelled = after["meeting-host-un.host.tutorial@summit-sim"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled.decoded("SEQUENCE") == 1
    assert str(cancelled["SUMMARY"]).startswith("Cancelled: ")
    # cancelled: the meeting and, when the plan had one, the ride that took the host to
    # it (the tutorial has two equally good plans: the UN bilateral at the centre right
    # after the plenary, or at the palace with a ride before it); nothing else
    gone = set(by_uid(party_calendar(agenda, "host"))) - set(
        by_uid(party_calendar(without, "host"))
    )
    assert gone <= {
        "meeting-host-un.host.tutorial@summit-sim",
        "ride-host-un.host.tutorial@summit-sim",
    }
    assert sorted(u for u, e in after.items() if str(e["STATUS"]) == "CANCELLED") == sorted(gone)
    guest = by_uid(calendars(without, agenda)["un"])
    assert str(guest["meeting-host-un.un.tutorial@summit-sim"]["STATUS"]) == "CANCELLED"
    # Without the previous plan, the meeting is simply not there.
    assert "meeting-host-un.host.tutorial@summit-sim" not in by_uid(party_calendar(without, "host"))


def test_a_party_left_with_nothing_still_gets_its_cancellations(
    scenario: Scenario, schedule: Schedule
) -> None:
    no_programme = dataclasses.replace(scenario, fixed_events=())
    before = build_agenda(no_programme, schedule)
    after = build_agenda(no_programme, dropped(schedule, "host-un"))
    assert "un" in calendars(before) and "un" not in calendars(after)
    guests = calendars(after, before)
    assert [str(e["STATUS"]) for e in events(guests["un"])] == ["CANCELLED"]


def test_a_summit_across_the_clock_change_gets_both_observances() -> None:
    """Berlin leaves summer time on 26 October 2025 at 03:00: the VTIMEZONE must carry
    the change, and each time must still be the scenario's instant."""
    with open("scenarios/tutorial.yaml", encoding="utf-8") as stream:
        text = stream.read().replace("2025-06-02", "2025-10-25").replace("2025-06-03", "2025-10-26")
    scenario = sim.load_scenario_text(text)
    agenda = build_agenda(scenario, solve(scenario).schedule)
    calendar = Calendar.from_ical(party_calendar(agenda, "host"))
    (zone,) = calendar.walk("VTIMEZONE")
    assert {c.name for c in zone.subcomponents} == {"DAYLIGHT", "STANDARD"}
    items = [i for i in agenda.items["host"] if i.kind is not ItemKind.BUFFER]
    found = list(calendar.walk("VEVENT"))
    assert [e.decoded("DTSTART") for e in found] == [scenario.to_datetime(i.start) for i in items]
    offsets = {e.decoded("DTSTART").utcoffset() for e in found}
    assert offsets == {dt.timedelta(hours=2), dt.timedelta(hours=1)}


def test_a_meeting_across_the_hour_the_clocks_go_back_keeps_its_length() -> None:
    # 01:00 summer time to 01:00 winter time is an hour; written as local times in the
    # zone, both ends read as the first 01:00 and the meeting would last no time.
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["timezone"] = "America/New_York"
    document["days"] = [{"date": "2025-11-01", "start": "20:00", "end": "28:00"}]
    document["meetings"] = [meeting("m", "host", "g1", pinned="2025-11-02 01:00")]
    scenario = scenario_of(document)
    from sim.solve import solve

    plan = solve(scenario).schedule
    ics = calendars(build_agenda(scenario, plan))["g1"]
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert end - start == dt.timedelta(hours=1)
    assert start == dt.datetime(2025, 11, 2, 5, 0, tzinfo=dt.UTC)


def test_a_meeting_deleted_from_the_scenario_is_cancelled_in_the_calendars(
    tmp_path: Any,
) -> None:
    # The office withdraws a request after publishing: the re-export's calendars must
    # cancel it under the UID it was published with, though the scenario no longer
    # says who it was for (the published file's itineraries do).
    from sim.schedule import read_schedule, write_schedule
    from sim.solve import solve
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["meetings"] = [meeting("keep", "host", "g1"), meeting("gone", "host", "g2")]
    first = scenario_of(document)
    published = tmp_path / "published.json"
    write_schedule(published, solve(first).schedule, first)
    published_uids = {
        str(e["uid"])
        for e in Calendar.from_ical(
            calendars(build_agenda(first, read_schedule(published)))["g2"]
        ).walk("VEVENT")
    }
    document["meetings"] = [meeting("keep", "host", "g1")]
    second = scenario_of(document)
    previous = read_schedule(published, second, published=True)
    gone = [(s.party, s.kind) for s in previous.published if s.ident == "gone"]
    assert gone == [("g2", "meeting"), ("host", "meeting")]
    now = calendars(build_agenda(second, solve(second).schedule), build_agenda(second, previous))
    (event,) = Calendar.from_ical(now["g2"]).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and str(event["uid"]) in published_uids
    assert any(
        str(e["status"]) == "CANCELLED" for e in Calendar.from_ical(now["host"]).walk("VEVENT")
    )


def _published_and_after(tmp_path: Any, keep: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The host's calendar events by UID, as first published (meetings 'first' and
    'second' at venue b, a ride from the host's base a before them and one back
    after) and after the scenario kept only ``keep`` and the plan was re-exported."""
    from sim.schedule import read_schedule, write_schedule
    from sim.solve import solve
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["meetings"] = [
        meeting("first", "host", "g1", venues=["b"], pinned=f"{DAY} 10:00"),
        meeting("second", "host", "g2", venues=["b"], pinned=f"{DAY} 11:30"),
    ]
    first = scenario_of(document)
    published = tmp_path / "published.json"
    write_schedule(published, solve(first).schedule, first)
    before = Calendar.from_ical(calendars(build_agenda(first, read_schedule(published)))["host"])
    document["meetings"] = [m for m in document["meetings"] if m["id"] in keep]
    second = scenario_of(document)
    previous = read_schedule(published, second, published=True)
    now = calendars(build_agenda(second, solve(second).schedule), build_agenda(second, previous))
    after = Calendar.from_ical(now["host"])
    return (
        {str(e["uid"]): e for e in before.walk("VEVENT")},
        {str(e["uid"]): e for e in after.walk("VEVENT")},
    )


def test_the_ride_to_a_deleted_meeting_is_cancelled(tmp_path: Any) -> None:
    # Deleting the day's first meeting leaves no ride to it in today's scenario: the
    # published ride must still be cancelled, or the host's calendar keeps a car
    # booked for a meeting that no longer exists.
    before, after = _published_and_after(tmp_path, keep=["second"])
    (ride_uid,) = [u for u in before if u.startswith("ride-first.")]
    assert str(after[ride_uid]["status"]) == "CANCELLED"
    assert int(after[ride_uid]["sequence"]) == 1
    assert after[ride_uid].decoded("dtstart") == before[ride_uid].decoded("dtstart")
    # the new ride, to the meeting that stays, is an event of its own
    (new_ride,) = [u for u in after if u.startswith("ride-second.")]
    assert str(after[new_ride]["status"]) == "CONFIRMED"


def test_a_ride_home_that_leaves_earlier_is_updated(tmp_path: Any) -> None:
    # Deleting the day's last meeting moves the ride home earlier. Rebuilt on today's
    # scenario, the published plan already has it at the new time, so only the
    # published file shows that it moved: it must come with a higher SEQUENCE.
    before, after = _published_and_after(tmp_path, keep=["first"])
    (home,) = [u for u in before if u.startswith("ride-home")]
    assert after[home].decoded("dtstart") < before[home].decoded("dtstart")
    assert int(after[home]["sequence"]) == 1 and str(after[home]["status"]) == "CONFIRMED"


def _plenary(at: str, venue: str = "a", attendees: Any = "all") -> dict[str, Any]:
    """A 30-minute opening plenary at ``at`` on the tiny scenario's day."""
    return {
        "id": "opening",
        "name": "Opening",
        "kind": "plenary",
        "start": f"{DAY} {at}",
        "duration": "30min",
        "venue": venue,
        "attendees": attendees,
    }


def _calendars_after_programme_change(
    tmp_path: Any, start: str, attendees: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """g1's calendar events by UID: as published (a 12:00 plenary for everyone), and
    after the scenario moved the plenary to ``start`` and gave it ``attendees``."""
    from sim.schedule import read_schedule, write_schedule
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["meetings"] = [meeting("talk", "host", "g1", pinned=f"{DAY} 09:30")]

    document["fixed_events"] = [_plenary("12:00")]
    first = scenario_of(document)
    published = tmp_path / "published.json"
    write_schedule(published, solve(first).schedule, first)
    before = Calendar.from_ical(calendars(build_agenda(first, read_schedule(published)))["g1"])
    document["fixed_events"] = [_plenary(start, attendees=attendees)]
    second = scenario_of(document)
    previous = read_schedule(published, second, published=True)
    now = calendars(build_agenda(second, solve(second).schedule), build_agenda(second, previous))
    return (
        {str(e["uid"]): e for e in before.walk("VEVENT")},
        {str(e["uid"]): e for e in Calendar.from_ical(now["g1"]).walk("VEVENT")},
    )


def test_a_programme_event_moved_in_the_scenario_is_updated(tmp_path: Any) -> None:
    # The plenary moves from 12:00 to 12:30 after publication. The old plan rebuilt on
    # today's scenario already has it at 12:30: only the published file knows the
    # calendars said 12:00, so the event must come with a higher SEQUENCE.
    before, after = _calendars_after_programme_change(tmp_path, "12:30", "all")
    (uid,) = [u for u in before if u.startswith("event-opening.")]
    assert after[uid].decoded("dtstart") - before[uid].decoded("dtstart") == dt.timedelta(
        minutes=30
    )
    assert int(after[uid]["sequence"]) == 1 and str(after[uid]["status"]) == "CONFIRMED"


def test_a_programme_event_a_guest_no_longer_attends_is_cancelled(tmp_path: Any) -> None:
    before, after = _calendars_after_programme_change(tmp_path, "12:00", ["host", "g2"])
    (uid,) = [u for u in before if u.startswith("event-opening.")]
    assert str(after[uid]["status"]) == "CANCELLED" and int(after[uid]["sequence"]) == 1
    assert after[uid].decoded("dtstart") == before[uid].decoded("dtstart")


def _publish(tmp_path: Any, name: str, document: dict[str, Any], previous: Any = None) -> Any:
    """Plan ``document`` (re-planned from ``previous``, a published file, when given),
    write its schedule.json as published, and return (path, calendars by party)."""
    from sim.schedule import read_schedule, write_schedule
    from tests.tiny import scenario_of

    scenario = scenario_of(document)
    before = None if previous is None else read_schedule(previous, scenario, published=True)
    plan = solve(scenario, previous=before).schedule
    path = tmp_path / f"{name}.json"
    write_schedule(path, plan, scenario)
    old = None if before is None else build_agenda(scenario, before)
    ics = calendars(build_agenda(scenario, read_schedule(path)), old)
    return path, {p: by_uid(content) for p, content in ics.items()}


def test_every_publication_supersedes_the_last(tmp_path: Any) -> None:
    # A meeting moved twice, and one cancelled then restored: each publication's
    # events must carry a higher SEQUENCE than the last one's, or calendar clients
    # keep the old time and the cancellation.
    from tests.tiny import base_document, meeting

    document = base_document()
    document["meetings"] = [
        meeting("kim", "host", "g1", pinned=f"{DAY} 09:30"),
        meeting("ben", "host", "g2", pinned=f"{DAY} 11:30"),
    ]
    first, one = _publish(tmp_path, "one", document)
    document["meetings"] = [meeting("kim", "host", "g1", pinned=f"{DAY} 10:00")]
    second, two = _publish(tmp_path, "two", document, first)
    document["meetings"] = [
        meeting("kim", "host", "g1", pinned=f"{DAY} 10:30"),
        meeting("ben", "host", "g2", pinned=f"{DAY} 12:00"),
    ]
    _, three = _publish(tmp_path, "three", document, second)
    kim, ben = "meeting-kim.host.tiny@summit-sim", "meeting-ben.host.tiny@summit-sim"
    assert [c["host"][kim].decoded("SEQUENCE") for c in (one, two, three)] == [0, 1, 2]
    assert [str(c["host"][ben]["STATUS"]) for c in (one, two, three)] == [
        "CONFIRMED",
        "CANCELLED",
        "CONFIRMED",
    ]
    assert three["host"][ben].decoded("SEQUENCE") == 2 > two["host"][ben].decoded("SEQUENCE")
    assert three["g2"]["meeting-ben.g2.tiny@summit-sim"].decoded("SEQUENCE") == 2


def test_a_plan_not_re_planned_from_the_published_one_is_refused(tmp_path: Any) -> None:
    # Made afresh, it says revision 0: published over revision 1 it would carry
    # sequence numbers the clients have seen (or, published above them, a revision
    # its own file does not say, and the next re-plan from it would go back below).
    from sim.errors import InputError
    from sim.export import export
    from sim.schedule import read_schedule
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["meetings"] = [meeting("kim", "host", "g1")]
    first, _ = _publish(tmp_path, "one", document)
    second, _ = _publish(tmp_path, "two", document, first)
    scenario = scenario_of(document)
    published = read_schedule(second, scenario, published=True)
    assert published.revision == 1
    afresh = solve(scenario).schedule
    assert afresh.revision == 0
    with pytest.raises(InputError, match="revision 0, not above the published plan's 1"):
        export(scenario, afresh, tmp_path / "out", ["ics"], previous=published)
    assert not (tmp_path / "out").exists()
    # re-planned from it: revision 2, published
    again = solve(scenario, previous=published).schedule
    assert again.revision == 2
    export(scenario, again, tmp_path / "out", ["ics"], previous=published)


def test_a_delegation_added_since_gets_nothing_cancelled(tmp_path: Any) -> None:
    # Rebuilt on today's scenario, the published plan would give the newcomer the
    # opening plenary's ride; it was never sent one, so nothing may be cancelled.
    from tests.tiny import base_document, meeting

    document = base_document()
    document["meetings"] = [meeting("kim", "host", "g1", venues=["b"])]
    document["fixed_events"] = [_plenary("12:30", venue="b")]
    first, _ = _publish(tmp_path, "one", document)
    document["parties"].append({"id": "zed", "name": "Zed", "rank": "head_of_state", "base": "a"})
    # the newcomer's first meeting, at b before the opening: its ride now leads there
    newcomer = meeting("zed-host", "zed", "host", venues=["b"], pinned=f"{DAY} 10:00")
    document["meetings"].append(newcomer)
    _, two = _publish(tmp_path, "two", document, first)
    statuses = {str(e["STATUS"]) for e in two["zed"].values()}
    assert statuses == {"CONFIRMED"}
    assert any(uid.startswith("ride-zed-host.zed.") for uid in two["zed"])
    assert str(two["zed"]["meeting-zed-host.zed.tiny@summit-sim"]["STATUS"]) == "CONFIRMED"


@pytest.mark.parametrize("value", [-1, "2", 1.5, 2**31])
def test_a_bad_revision_is_refused_by_name(tmp_path: Any, value: Any) -> None:
    import json

    from sim.errors import ScheduleFileError
    from sim.schedule import read_schedule
    from tests.tiny import base_document, meeting

    document = base_document()
    document["meetings"] = [meeting("kim", "host", "g1")]
    path, _ = _publish(tmp_path, "one", document)
    data = json.loads(path.read_text())
    assert data["revision"] == 0
    data["revision"] = value
    path.write_text(json.dumps(data))
    with pytest.raises(ScheduleFileError) as caught:
        read_schedule(path)
    assert "revision" in str(caught.value)


def test_a_delegation_deleted_since_gets_its_calendar_cancelled(tmp_path: Any) -> None:
    # Its bilateral and the plenary it was sent must be cancelled in its own calendar,
    # though the scenario no longer knows it: the file is still written, by its id.
    from sim.export import export
    from sim.schedule import read_schedule
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["meetings"] = [meeting("kim", "host", "g1"), meeting("ben", "host", "g2")]
    document["fixed_events"] = [_plenary("12:30")]
    first, one = _publish(tmp_path, "one", document)
    document["parties"] = [p for p in document["parties"] if p["id"] != "g2"]
    document["meetings"] = [meeting("kim", "host", "g1")]
    _, two = _publish(tmp_path, "two", document, first)
    assert (
        set(two["g2"])
        == set(one["g2"])
        == {
            "meeting-ben.g2.tiny@summit-sim",
            "event-opening.g2.tiny@summit-sim",
        }
    )
    assert {str(e["STATUS"]) for e in two["g2"].values()} == {"CANCELLED"}
    # ... and the export writes it beside the others
    scenario = scenario_of(document)
    previous = read_schedule(first, scenario, published=True)
    export(
        scenario,
        solve(scenario, previous=previous).schedule,
        tmp_path / "out",
        ["ics"],
        previous=previous,
    )
    assert (tmp_path / "out" / "calendars" / "g2.ics").is_file()


@pytest.mark.parametrize(
    ("field", "value"),
    [("minutes", 2**63 - 1), ("start", "0001-01-01T00:10:00+14:00"), ("minutes", 10**6)],
)
def test_an_itinerary_entry_out_of_range_is_passed_over(
    tmp_path: Any, field: str, value: Any
) -> None:
    # The itineraries are a courtesy copy: a ride of 2**63 minutes, or one leading to
    # a meeting in the year 1, must not stop the file being read (the fuzz tests
    # found an OverflowError); such a ride is simply not one that was sent.
    import json

    from sim.schedule import read_schedule
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()
    document["meetings"] = [meeting("kim", "host", "g1", venues=["b"])]
    path, _ = _publish(tmp_path, "one", document)
    data = json.loads(path.read_text())
    ride, engagement = data["itineraries"]["host"][:2]
    assert ride["kind"] == "travel" and engagement["id"] == "kim"
    (ride if field == "minutes" else engagement)[field] = value
    path.write_text(json.dumps(data))
    published = read_schedule(path, scenario_of(document), published=True).published
    assert not [s for s in published if s.kind == "travel" and s.ident == "kim"]
