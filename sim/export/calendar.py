"""One RFC 5545 calendar (``.ics``) per delegation: its meetings, programme and rides.

Each engagement is a VEVENT in the scenario's time zone (a VTIMEZONE is included,
covering the summit's days), named from the delegation's side ("Bilateral with Xi
Jinping"), with the venue and room as LOCATION and who attends, the priority and
the reason for the slot in DESCRIPTION. Protocol buffers are not events.

Re-importing after a re-plan must update events, not duplicate them, so:

* a UID is stable per (kind, meeting or event id, party, scenario id);
* every event carries the plan's revision as its SEQUENCE (``schedule.json``'s
  ``revision``: a re-plan with 'sim solve --from' is the published plan's + 1;
  ``sim.schedule.publication_revision``), so each publication's events supersede
  the last one's, whatever changed: a time, a room, a name or a title;
* given the previous (published) plan, what it gave a party and the new plan does
  not is emitted once more with STATUS:CANCELLED. What it gave is read from the
  published file's itineraries, not from the old plan rebuilt on today's
  scenario, which differs once the scenario has changed: the ride to a deleted
  meeting is cancelled, and a delegation added since gets nothing cancelled;
* DTSTAMP comes from the scenario (its first day, 00:00 UTC), not the wall clock,
  so the same plan always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from sim.export.agenda import Agenda, AgendaItem, ItemKind
from sim.export.briefing import (
    attendees,
    event_kind_words,
    item_heading,
    item_notes,
    leads_to_engagement,
    meeting_kind_words,
    meeting_of,
    place,
)
from sim.model import Scenario, Status
from sim.schedule import PublishedItem, publication_revision
from sim.times import in_repeated_hour

PRODID = "-//summit-sim//EN"

# The kinds that become events, and the UID's word for each.
_UID_KIND = {ItemKind.MEETING: "meeting", ItemKind.EVENT: "event", ItemKind.TRAVEL: "ride"}

# Characters kept as they are in the parts of a UID; the rest are %-escaped (the
# separator "." too), so distinct (kind, id, party, scenario) never share a UID.
_UID_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _uid_part(text: str) -> str:
    return "".join(
        char if char in _UID_SAFE else "".join(f"%{byte:02X}" for byte in char.encode())
        for char in text
    )


def event_uid(agenda: Agenda, item: AgendaItem) -> str:
    """``meeting-putin-xi.putin.kazan-2024@summit-sim``: the same for the same
    engagement of the same party in every plan of the scenario."""
    return _uid(item.kind, item.ident, item.party, agenda.scenario.id)


def _uid(kind: ItemKind, ident: str, party_id: str, scenario_id: str) -> str:
    parts = (f"{_UID_KIND[kind]}-{ident}", party_id, scenario_id)
    return ".".join(_uid_part(p) for p in parts) + "@summit-sim"


def dtstamp(agenda: Agenda) -> dt.datetime:
    """The scenario's first day at 00:00 UTC: reproducible, unlike the wall clock."""
    days = agenda.scenario.days
    first = days[0].date if days else agenda.scenario.epoch.date()
    return dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)


def _calendar_items(agenda: Agenda, party_id: str) -> list[AgendaItem]:
    return [i for i in agenda.items.get(party_id, ()) if i.kind in _UID_KIND]


def _key(item: AgendaItem) -> tuple[ItemKind, str]:
    return (item.kind, item.ident)


def _summary(agenda: Agenda, item: AgendaItem) -> str:
    if item.kind is ItemKind.TRAVEL:
        destination = agenda.venue_name(item.venue)
        if leads_to_engagement(agenda, item):
            return f"Motorcade to {destination}"
        return f"Motorcade back to {destination}"
    return item_heading(agenda, item)


def _location(agenda: Agenda, item: AgendaItem) -> str:
    if item.kind is ItemKind.TRAVEL:  # where the motorcade leaves from
        return agenda.venue_name(item.origin) if item.origin is not None else ""
    return place(agenda, item.venue, item.room)


def _description(agenda: Agenda, item: AgendaItem) -> str:
    lines: list[str] = []
    meeting = meeting_of(agenda, item)
    if meeting is not None and meeting.title:
        lines.append(meeting.title)
    if item.kind is ItemKind.TRAVEL:
        lines.append(item_heading(agenda, item) + ".")
    elif item.kind is ItemKind.EVENT:
        lines.append(f"Programme ({event_kind_words(agenda, item)}).")
    who = attendees(agenda, item)
    if item.kind is ItemKind.MEETING:  # names with titles, one a line
        lines += ["Attending:", *(f"- {label}" for label in who)]
    elif who:
        lines.append("Attending: " + ", ".join(who) + ".")
    lines += [f"{note}." for note in item_notes(agenda, item) if not note.startswith("Programme")]
    return "\n".join(lines)


def _categories(agenda: Agenda, item: AgendaItem) -> list[str]:
    meeting = meeting_of(agenda, item)
    if meeting is not None:
        words = [meeting_kind_words(meeting)]
        if item.priority is not None:
            words.append(item.priority.value.capitalize())
        return words
    if item.kind is ItemKind.EVENT:
        return ["Summit programme", event_kind_words(agenda, item).capitalize()]
    return ["Motorcade"]


def _unambiguous(moment: dt.datetime) -> dt.datetime:
    """The moment in the scenario's zone, or in UTC when its wall-clock time happens
    twice (the hour the clocks go back): RFC 5545 reads such a local time as its
    first occurrence, so a meeting from 01:00 summer time to 01:00 winter time
    would last no time at all."""
    return moment.astimezone(dt.UTC) if in_repeated_hour(moment) else moment


def _vevent(
    agenda: Agenda, item: AgendaItem, uid: str, sequence: int, cancelled: bool, stamp: dt.datetime
) -> Event:
    """``agenda`` is the plan the item comes from (the previous one when cancelled)."""
    scenario = agenda.scenario
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", _unambiguous(scenario.to_datetime(item.start)))
    event.add("dtend", _unambiguous(scenario.to_datetime(item.end)))
    summary = _summary(agenda, item)
    event.add("summary", f"Cancelled: {summary}" if cancelled else summary)
    location = _location(agenda, item)
    if location:
        event.add("location", location)
    event.add("description", _description(agenda, item))
    event.add("categories", _categories(agenda, item))
    meeting = meeting_of(agenda, item)
    if cancelled:
        _cancel(event, sequence)
        return event
    tentative = meeting is not None and meeting.status is Status.TENTATIVE
    event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    event.add("sequence", sequence)
    return event


def _cancel(event: Event, sequence: int) -> None:
    event.add("status", "CANCELLED")
    event.add("sequence", sequence)
    event.add("transp", "TRANSPARENT")  # frees the slot in the calendar's busy time


def _timezone(agenda: Agenda) -> Timezone:
    """The scenario's zone over the summit's days (a week either side)."""
    scenario = agenda.scenario
    dates = [d.date for d in scenario.days] or [scenario.epoch.date()]
    return Timezone.from_tzinfo(
        ZoneInfo(scenario.timezone),
        tzid=scenario.timezone,
        first_date=min(dates) - dt.timedelta(days=7),
        last_date=max(dates) + dt.timedelta(days=7),
    )


def party_calendar(agenda: Agenda, party_id: str, previous: Agenda | None = None) -> bytes:
    """The calendar of one delegation. With ``previous`` (the agenda of the plan
    this one replaces), engagements no longer in the plan come once more as
    cancelled events, and every event's SEQUENCE is the publication's revision, so
    re-importing updates."""
    scenario = agenda.scenario
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{scenario.party_name(party_id)} – {scenario.name}")
    calendar.add("x-wr-timezone", scenario.timezone)
    calendar.add_component(_timezone(agenda))
    stamp = dtstamp(agenda)
    sequence = publication_revision(
        agenda.schedule, None if previous is None else previous.schedule
    )
    items = _calendar_items(agenda, party_id)
    for item in items:
        uid = event_uid(agenda, item)
        calendar.add_component(_vevent(agenda, item, uid, sequence, False, stamp))
    if previous is not None:
        now = {_key(i) for i in items}
        # The previous agenda is the published plan rebuilt on today's scenario: it
        # names what was sent richly, but differs from it once the scenario has
        # changed (a meeting deleted: the rides around it; a guest taken off a
        # programme event; a delegation added, which was sent nothing). When the
        # published file has its itineraries, they decide what was sent.
        before = {_key(i): i for i in _calendar_items(previous, party_id)}
        sent: dict[tuple[ItemKind, str], PublishedItem | None]
        if previous.schedule.published:
            sent = {
                (ItemKind(s.kind), s.ident): s
                for s in previous.schedule.published
                if s.party == party_id
            }
        else:  # a file written without its scenario: the rebuilt plan is all there is
            sent = {key: None for key in before}
        for key, published in sent.items():
            if key in now:
                continue
            old = before.get(key)
            if old is not None:
                uid = event_uid(previous, old)
                calendar.add_component(_vevent(previous, old, uid, sequence, True, stamp))
            elif published is not None:
                calendar.add_component(_cancelled_as_sent(previous, published, sequence, stamp))
    content: bytes = calendar.to_ical()
    return content


def _sent_summary(scenario: Scenario, sent: PublishedItem) -> str:
    """What a cancelled published entry was, in the words today's scenario still has
    for it (a deleted meeting or event only by its id)."""
    if sent.kind == "travel":
        where = scenario.venue_name(sent.venue)
        return f"ride back to {where}" if sent.ident.startswith("home:") else f"ride to {where}"
    if sent.kind == "meeting":
        known = sent.ident in scenario.meeting_by_id
        return scenario.meeting_name(sent.ident) if known else f"meeting {sent.ident}"
    event = scenario.event_by_id.get(sent.ident)
    return event.name if event is not None else f"programme item {sent.ident}"


def _cancelled_as_sent(
    previous: Agenda, sent: PublishedItem, sequence: int, stamp: dt.datetime
) -> Event:
    """A published engagement that neither the new plan nor the old one rebuilt on
    today's scenario gives the party (a meeting deleted from the scenario, the ride
    to it, a programme event the party no longer attends), cancelled under the UID
    and at the time it was published with."""
    summary = _sent_summary(previous.scenario, sent)
    event = Event()
    uid = _uid(ItemKind(sent.kind), sent.ident, sent.party, previous.schedule.scenario_id)
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", sent.start.astimezone(dt.UTC))
    event.add("dtend", sent.end.astimezone(dt.UTC))
    event.add("summary", f"Cancelled: {summary}")
    event.add("description", f"{summary[:1].upper()}{summary[1:]}: no longer in the plan.")
    _cancel(event, sequence)
    return event


def removed_parties(agenda: Agenda, previous: Agenda | None) -> list[str]:
    """The delegations the published plan sent engagements to that the scenario no
    longer has, by id: their calendars cancel everything they were sent."""
    if previous is None:
        return []
    known = agenda.scenario.party_by_id
    return sorted({s.party for s in previous.schedule.published if s.party not in known})


def _parties(agenda: Agenda, previous: Agenda | None) -> Iterable[str]:
    sent_to = set() if previous is None else {s.party for s in previous.schedule.published}
    for party in agenda.parties:
        if (
            _calendar_items(agenda, party.id)
            or (previous is not None and _calendar_items(previous, party.id))
            or party.id in sent_to
        ):
            yield party.id


def calendars(agenda: Agenda, previous: Agenda | None = None) -> dict[str, bytes]:
    """Party id -> its calendar, for every party with an engagement (in this plan, or
    in ``previous``, whose engagements it then cancels), in protocol order."""
    parties = [*_parties(agenda, previous), *removed_parties(agenda, previous)]
    return {p: party_calendar(agenda, p, previous) for p in parties}
