"""The briefing a protocol officer prints for one delegation: its days, item by item.

For each day, in time order: when (local clock times), what (the meeting with whom,
the programme event, or the ride and when to leave), where (venue and room), who
attends, and notes (how much a meeting matters, what held it in its slot). Then the
requests of this delegation that the plan could not place, with the reasons.

Two forms: Markdown (``briefing_markdown``) and a standalone, print-friendly HTML page
(``briefing_html``: inline CSS, no external resources, every scenario text escaped).
``briefing_index_markdown`` lists every delegation on one page.

The wording helpers here (local clock times, dates, "Bilateral with ...", "Leave ...
by ...") are shared by the calendar and table exports, so that every file says the
same thing the same way.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from sim.export.agenda import (
    PRIORITY_WORDS,
    Agenda,
    AgendaItem,
    ItemKind,
    Priority,
    Unplaced,
)
from sim.model import EventKind, Meeting, MeetingFormat, Status
from sim.times import format_time_of_day

# English names, not the C library's locale: the same input gives the same bytes.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Items a delegation has to be at (or on the road to); buffers are the planner's margin.
ENGAGEMENT_KINDS = (ItemKind.MEETING, ItemKind.EVENT, ItemKind.TRAVEL)

_EVENT_KIND_WORDS = {
    EventKind.PLENARY: "plenary session",
    EventKind.CEREMONY: "ceremony",
    EventKind.MEAL: "meal",
    EventKind.RECEPTION: "reception",
    EventKind.PRESS: "press event",
    EventKind.CULTURAL: "cultural programme",
    EventKind.OTHER: "programme item",
}


# --- words shared by the exports ----------------------------------------------------


def long_date(day: dt.date) -> str:
    """``Tuesday 22 October 2024``."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    """``Tue 22 Oct``."""
    return f"{_WEEKDAYS[day.weekday()][:3]} {day.day} {_MONTHS[day.month - 1][:3]}"


def clock(agenda: Agenda, minute: int) -> str:
    """The local time of day, ``14:05``."""
    return format_time_of_day(agenda.scenario.to_datetime(minute))


def span(agenda: Agenda, start: int, end: int, on: dt.date | None = None) -> str:
    """``14:00–15:30``; ``23:30–00:30 (next day)`` when it ends on a later date. Under
    the summit day dated ``on``, an item that starts on a later date (a night past
    midnight) names its date: ``01:15–02:00 (Wed 4 Jun)``."""
    first = agenda.scenario.to_datetime(start)
    last = agenda.scenario.to_datetime(end)
    text = f"{format_time_of_day(first)}–{format_time_of_day(last)}"
    if on is not None and first.date() != on:
        until = f" to {short_date(last.date())}" if last.date() != first.date() else ""
        return f"{text} ({short_date(first.date())}{until})"
    days = (last.date() - first.date()).days
    if days == 1:
        text += " (next day)"
    elif days > 1:
        text += f" ({long_date(last.date())})"
    return text


def date_of(agenda: Agenda, item: AgendaItem) -> dt.date:
    """The summit day's date of an item (its local start date if the day is unknown)."""
    for day in agenda.scenario.days:
        if day.index == item.day:
            return day.date
    return agenda.scenario.to_datetime(item.start).date()


def meeting_of(agenda: Agenda, item: AgendaItem) -> Meeting | None:
    if item.kind is not ItemKind.MEETING:
        return None
    return agenda.scenario.meeting_by_id.get(item.ident)


def names_list(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def meeting_kind_words(meeting: Meeting) -> str:
    """``Bilateral``, ``Trilateral``, ``Meeting`` or ``Working lunch`` (meals)."""
    if meeting.format is not MeetingFormat.TALKS:
        return f"Working {meeting.format.value}"
    if len(meeting.parties) == 2:
        return "Bilateral"
    if len(meeting.parties) == 3:
        return "Trilateral"
    return "Meeting"


def meeting_heading(agenda: Agenda, meeting: Meeting, party_id: str) -> str:
    """What a meeting is from one party's side: ``Bilateral with Xi Jinping``.

    The meeting's own title is often written from the host's side ("Talks with the
    President of China"), so each delegation gets its counterparts' names instead."""
    others = [agenda.name(p) for p in meeting.parties if p != party_id]
    if len(others) == len(meeting.parties):  # not one of its parties: name them all
        return f"{meeting_kind_words(meeting)}: {' – '.join(others)}"
    return f"{meeting_kind_words(meeting)} with {names_list(others)}"


def item_heading(agenda: Agenda, item: AgendaItem) -> str:
    """One line naming an engagement: the meeting from this party's side, the
    programme event's name, or the ride."""
    meeting = meeting_of(agenda, item)
    if meeting is not None:
        return meeting_heading(agenda, meeting, item.party)
    if item.kind is ItemKind.TRAVEL:
        return ride_sentence(agenda, item)
    return item.title


def place(agenda: Agenda, venue_id: str, room: int | None = None) -> str:
    """``Kazan Expo, room 2``; the room only where the venue has more than one."""
    text = agenda.venue_name(venue_id)
    venue = agenda.scenario.venue_by_id.get(venue_id)
    if room is not None and venue is not None and venue.rooms > 1:
        text += f", room {room}"
    return text


def leads_to_engagement(agenda: Agenda, item: AgendaItem) -> bool:
    """A ride to an engagement (which it must reach in time), not the ride back."""
    scenario = agenda.scenario
    return item.ident in scenario.meeting_by_id or item.ident in scenario.event_by_id


def ride_sentence(agenda: Agenda, item: AgendaItem) -> str:
    """``Leave Kazan Kremlin by 19:25 for Kazan City Hall (5 min)``; the ride back
    after the last engagement leaves *at* its time."""
    origin = agenda.venue_name(item.origin) if item.origin is not None else "the last venue"
    word = "by" if leads_to_engagement(agenda, item) else "at"
    return (
        f"Leave {origin} {word} {clock(agenda, item.start)} for "
        f"{agenda.venue_name(item.venue)} ({item.end - item.start} min)"
    )


def event_kind_words(agenda: Agenda, item: AgendaItem) -> str:
    event = agenda.scenario.event_by_id.get(item.ident)
    return _EVENT_KIND_WORDS[event.kind] if event is not None else "programme item"


def attendees(agenda: Agenda, item: AgendaItem, titles: bool = True) -> list[str]:
    """Who is at an engagement: a meeting's parties (this party first), a programme
    event's attendees (``all delegations`` when it is for everyone); nobody for rides."""
    name = agenda.label if titles else agenda.name
    if item.kind is ItemKind.MEETING:
        return [name(item.party), *(name(p) for p in item.others)]
    return event_attendees(agenda, item)


def event_attendees(agenda: Agenda, item: AgendaItem, exclude: str | None = None) -> list[str]:
    """A programme event's attendees by name (but ``exclude``), or ``all delegations``."""
    event = agenda.scenario.event_by_id.get(item.ident)
    if item.kind is not ItemKind.EVENT or event is None:
        return []
    if event.everyone:
        absent = agenda.scenario.left_out_of(event)
        if absent:
            return [f"all delegations except {', '.join(agenda.name(p) for p in absent)}"]
        return ["all delegations"]
    return [agenda.name(p) for p in event.attendees if p != exclude]


def meeting_notes(agenda: Agenda, item: AgendaItem) -> list[str]:
    """Priority in words, tentative status, shortening, and why the slot."""
    meeting = meeting_of(agenda, item)
    notes: list[str] = []
    if item.priority is not None:
        notes.append(f"Priority: {PRIORITY_WORDS[item.priority]}")
    if meeting is not None and meeting.headline and item.priority is Priority.REQUIRED:
        notes.append("Headline: the press watches it")
    if meeting is not None and meeting.status is Status.TENTATIVE:
        notes.append("Tentative: not yet confirmed by both sides")
    if meeting is not None and item.end - item.start < meeting.duration:
        notes.append(f"Shortened to {item.end - item.start} min (of {meeting.duration})")
    if item.why:
        notes.append(f"Why this slot: {item.why}")
    return notes


def item_notes(agenda: Agenda, item: AgendaItem) -> list[str]:
    if item.kind is ItemKind.MEETING:
        return meeting_notes(agenda, item)
    if item.kind is ItemKind.EVENT:
        return [f"Programme: {event_kind_words(agenda, item)}"]
    if item.kind is ItemKind.TRAVEL and leads_to_engagement(agenda, item):
        return [f"Arrive {clock(agenda, item.end)} for {_engagement_name(agenda, item)}"]
    return []


def _engagement_name(agenda: Agenda, ride: AgendaItem) -> str:
    scenario = agenda.scenario
    if ride.ident in scenario.meeting_by_id:
        return meeting_heading(agenda, scenario.meeting_by_id[ride.ident], ride.party)
    event = scenario.event_by_id.get(ride.ident)
    return event.name if event is not None else ride.ident


def engagements(agenda: Agenda, party_id: str) -> list[AgendaItem]:
    """A party's meetings, programme events and rides, in time order (no buffers)."""
    return [i for i in agenda.items.get(party_id, ()) if i.kind in ENGAGEMENT_KINDS]


def unplaced_of(agenda: Agenda, party_id: str) -> list[Unplaced]:
    return [u for u in agenda.unplaced if party_id in u.meeting.parties]


def _offset_words(moment: dt.datetime) -> str:
    """``MSK, UTC+03:00`` (the abbreviation left out when it is only the offset)."""
    offset = moment.strftime("%z")
    utc = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    abbreviation = moment.tzname() or ""
    if not abbreviation or abbreviation.startswith(("+", "-")) or abbreviation == "UTC":
        return utc
    return f"{abbreviation}, {utc}"


def zone_words(agenda: Agenda) -> str:
    """``Europe/Moscow (MSK, UTC+03:00)``; when the clocks change during the summit,
    each offset and the moment it starts: ``Europe/Berlin (CEST, UTC+02:00; from
    Sun 26 Oct 02:00, CET, UTC+01:00)``."""
    scenario = agenda.scenario
    if not scenario.days:
        return scenario.timezone
    first = scenario.midnight(scenario.days[0])
    last = scenario.days[-1].window.end
    parts = [_offset_words(scenario.to_datetime(first))]
    # The zone's changes inside the summit, found on a 15-minute scan (every
    # zone's changes fall on a quarter hour).
    offset = scenario.to_datetime(first).utcoffset()
    for minute in range(first, last + 1, 15):
        moment = scenario.to_datetime(minute)
        if moment.utcoffset() != offset:
            offset = moment.utcoffset()
            when = f"{short_date(moment.date())} {moment:%H:%M}"  # (its zone follows)
            parts.append(f"from {when}, {_offset_words(moment)}")
    return f"{scenario.timezone} ({'; '.join(parts)})"


# --- the briefing as rows -------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    kind: ItemKind
    when: str
    what: str
    detail: str  # a second line under "what" (the meeting's own title)
    where: str
    who: list[str]
    notes: list[str]
    priority: Priority | None


@dataclass(frozen=True)
class _Day:
    heading: str
    rows: list[_Row]


def _rows(agenda: Agenda, party_id: str) -> list[_Day]:
    items = engagements(agenda, party_id)
    days: list[_Day] = []
    for day in sorted({i.day for i in items}):
        today = [i for i in items if i.day == day]
        rows = []
        for item in today:
            meeting = meeting_of(agenda, item)
            detail = ""
            if meeting is not None and meeting.title:
                detail = meeting.title
            # A ride's sentence says where from and where to; a meeting's counterparts
            # are named with their titles (this delegation goes without saying); a
            # programme event's attendees by name, on one line.
            where = "" if item.kind is ItemKind.TRAVEL else place(agenda, item.venue, item.room)
            if item.kind is ItemKind.MEETING:
                who = [agenda.label(p) for p in item.others]
            elif item.kind is ItemKind.EVENT:
                others = event_attendees(agenda, item, exclude=party_id)
                who = [", ".join(others)] if others else []
            else:
                who = []
            rows.append(
                _Row(
                    kind=item.kind,
                    when=span(agenda, item.start, item.end, date_of(agenda, today[0])),
                    what=item_heading(agenda, item),
                    detail=detail,
                    where=where,
                    who=who,
                    notes=item_notes(agenda, item),
                    priority=item.priority,
                )
            )
        days.append(_Day(long_date(date_of(agenda, today[0])), rows))
    return days


def _unplaced_lines(agenda: Agenda, party_id: str) -> list[tuple[str, str]]:
    """(what, why) for each request of this party that the plan could not place."""
    lines = []
    for unplaced in unplaced_of(agenda, party_id):
        meeting = unplaced.meeting
        others = [agenda.label(p) for p in meeting.parties if p != party_id]
        what = f"{meeting_kind_words(meeting)} with {names_list(others)}"
        if meeting.title:
            what += f" ({meeting.title})"
        lines.append((what, unplaced.reason))
    return lines


def _counts(agenda: Agenda, party_id: str) -> str:
    items = engagements(agenda, party_id)
    meetings = sum(1 for i in items if i.kind is ItemKind.MEETING)
    events = sum(1 for i in items if i.kind is ItemKind.EVENT)
    rides = sum(1 for i in items if i.kind is ItemKind.TRAVEL)
    days = len({i.day for i in items})

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    parts = [n(days, "day"), n(meetings, "meeting")]  # the rest only when there are any
    parts += [n(events, "programme event")] if events else []
    parts += [n(rides, "ride")] if rides else []
    return ", ".join(parts)


# --- Markdown ---------------------------------------------------------------------


_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def _md_inline(text: str) -> str:
    """Scenario text inside Markdown: no markup, no line breaks, no raw HTML (``<`` and
    ``>`` as entities, which every renderer shows as the characters)."""
    text = _MD_ENTITY.sub("&amp;", " ".join(text.split()))
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    for char in "\\`*_[]#|":
        text = text.replace(char, "\\" + char)
    return text


def briefing_markdown(agenda: Agenda, party_id: str) -> str:
    """The briefing of one delegation as Markdown: one table per day, then the
    requests not scheduled."""
    scenario = agenda.scenario
    party = scenario.party_by_id[party_id]
    out = [f"# {_md_inline(party.name)}", ""]
    if party.title:
        out += [f"**{_md_inline(party.title)}**", ""]
    out += [
        f"{_md_inline(scenario.name)}: {_counts(agenda, party_id)}. "
        f"All times are local, {_md_inline(zone_words(agenda))}.",
        "",
    ]
    days = _rows(agenda, party_id)
    if not days:
        out += ["Nothing scheduled.", ""]
    for day in days:
        out += [f"## {day.heading}", ""]
        out += ["| Time | What | Where | With | Notes |", "|---|---|---|---|---|"]
        for row in day.rows:
            what = _md_inline(row.what)
            if row.kind is ItemKind.TRAVEL:
                what = f"*{what}*"
            elif row.kind is ItemKind.MEETING:
                what = f"**{what}**"
            if row.detail:
                what += f"<br>*{_md_inline(row.detail)}*"
            cells = [
                row.when,
                what,
                _md_inline(row.where),
                "<br>".join(_md_inline(w) for w in row.who),
                "<br>".join(_md_inline(n) for n in row.notes),
            ]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    unplaced = _unplaced_lines(agenda, party_id)
    if unplaced:
        out += ["## Not scheduled", ""]
        out += [f"- **{_md_inline(what)}**: {_md_inline(why)}" for what, why in unplaced]
        out.append("")
    return "\n".join(out)


def briefing_index_markdown(agenda: Agenda, link: Callable[[str], str] | None = None) -> str:
    """Every delegation on one page, in protocol order, with what its briefing holds.
    ``link(party_id)``, when given, is the relative path of that party's briefing."""
    scenario = agenda.scenario
    out = [
        f"# {_md_inline(scenario.name)}: briefings",
        "",
        f"All times are local, {_md_inline(zone_words(agenda))}.",
        "",
        "| Delegation | Title | Programme | Not scheduled |",
        "|---|---|---|---|",
    ]
    for party in agenda.parties:
        name = _md_inline(party.name)
        if link is not None:
            target = link(party.id).replace(" ", "%20").replace(")", "%29").replace("(", "%28")
            name = f"[{name}]({target})"
        if party.principal:
            name += " (principal)"
        out.append(
            f"| {name} | {_md_inline(party.title)} | {_counts(agenda, party.id)} | "
            f"{len(unplaced_of(agenda, party.id))} |"
        )
    out.append("")
    return "\n".join(out)


# --- HTML -------------------------------------------------------------------------

_CSS = """
body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 10.5pt; color: #111;
  margin: 2em auto; max-width: 60em; padding: 0 1em; line-height: 1.35; }
h1 { font-size: 18pt; margin: 0; }
.title { font-size: 12pt; margin: 0.2em 0 0.6em; }
.summary { color: #444; margin: 0 0 1.2em; }
h2 { font-size: 13pt; border-bottom: 2px solid #111; padding-bottom: 0.15em;
  margin: 1.4em 0 0.4em; break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
col.time { width: 7.5em; } col.what { width: 27%; } col.where { width: 19%; }
col.with { width: 19%; }
th, td { text-align: left; vertical-align: top; padding: 0.35em 0.5em;
  border-bottom: 1px solid #bbb; }
th { font-size: 9pt; text-transform: uppercase; letter-spacing: 0.04em; color: #444; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.required td.notes li:first-child { font-weight: 600; }
tr.meeting td.what strong { font-size: 11pt; }
tr.travel td { color: #333; background: #f2f2f2; font-style: italic; }
tr.event td.what { font-weight: 600; }
.detail { display: block; color: #444; font-weight: normal; }
ul { margin: 0; padding-left: 1.1em; }
td ul { padding-left: 0; list-style: none; }
td li + li { margin-top: 0.2em; }
.unplaced li { margin-bottom: 0.3em; }
footer { margin-top: 2em; color: #666; font-size: 8.5pt; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  @page { size: A4; margin: 14mm; }
  tr.travel td { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_list(lines: list[str]) -> str:
    if not lines:
        return ""
    return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"


def briefing_html(agenda: Agenda, party_id: str) -> str:
    """The briefing of one delegation as a standalone, print-friendly HTML page."""
    scenario = agenda.scenario
    party = scenario.party_by_id[party_id]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(party.name)} – {_e(scenario.name)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(party.name)}</h1>",
    ]
    if party.title:
        out.append(f'<p class="title">{_e(party.title)}</p>')
    out += [
        f'<p class="summary">{_e(scenario.name)}: {_e(_counts(agenda, party_id))}. '
        f"All times are local, {_e(zone_words(agenda))}.</p>",
        "</header>",
    ]
    days = _rows(agenda, party_id)
    if not days:
        out.append("<p>Nothing scheduled.</p>")
    for day in days:
        out += [
            "<section>",
            f"<h2>{_e(day.heading)}</h2>",
            "<table>",
            '<colgroup><col class="time"><col class="what"><col class="where">'
            '<col class="with"><col class="notes"></colgroup>',
            "<thead><tr><th>Time</th><th>What</th><th>Where</th><th>With</th>"
            "<th>Notes</th></tr></thead>",
            "<tbody>",
        ]
        for row in day.rows:
            what = _e(row.what)
            if row.kind is ItemKind.MEETING:
                what = f"<strong>{what}</strong>"
            if row.detail:
                what += f'<span class="detail">{_e(row.detail)}</span>'
            classes = row.kind.value
            if row.priority is not None:
                classes += f" {row.priority.value}"
            if row.kind is ItemKind.TRAVEL:  # the sentence says from where to where
                cells = f'<td class="what" colspan="3">{what}</td>'
            else:
                cells = (
                    f'<td class="what">{what}</td><td>{_e(row.where)}</td>'
                    f"<td>{_html_list(row.who)}</td>"
                )
            out.append(
                f'<tr class="{classes}"><td class="time">{_e(row.when)}</td>{cells}'
                f'<td class="notes">{_html_list(row.notes)}</td></tr>'
            )
        out += ["</tbody>", "</table>", "</section>"]
    unplaced = _unplaced_lines(agenda, party_id)
    if unplaced:
        out += ["<section>", "<h2>Not scheduled</h2>", '<ul class="unplaced">']
        out += [f"<li><strong>{_e(what)}</strong>: {_e(why)}</li>" for what, why in unplaced]
        out += ["</ul>", "</section>"]
    out += [
        f"<footer>{_e(scenario.name)} · scenario {_e(scenario.id)} · "
        f"plan status {_e(agenda.schedule.status.value)}</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)
