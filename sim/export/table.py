"""The plan as data: one CSV row per engagement, and a Mermaid Gantt for Markdown.

``engagements_csv``: one row per meeting, programme event and ride of each party
(protocol buffers are left out), then one ``unscheduled`` row per party of each
request the plan could not place. Times are both local ISO 8601 (with the offset)
and integer minutes from the scenario's epoch. ``read_engagements_csv`` reads it
back.

``mermaid_gantt``: the principals' days (or one party's) as Mermaid ``gantt`` text,
one section per party and day, a task per meeting (named by the counterpart, ``crit`` when
required) and per programme event (``active``); ``mermaid_markdown`` wraps it in a
```` ```mermaid ```` fence to paste into Markdown.
"""

from __future__ import annotations

import csv
import io
import re

from sim.export.agenda import Agenda, AgendaItem, ItemKind, Priority, priority_of
from sim.export.briefing import date_of, engagements, meeting_of, names_list, short_date

COLUMNS = (
    "party_id",
    "party_name",
    "day",
    "date",
    "kind",
    "item_id",
    "title",
    "start_local",
    "end_local",
    "start_minute",
    "end_minute",
    "venue_id",
    "venue_name",
    "room",
    "with_ids",
    "with_names",
    "priority",
    "reason",
)

UNSCHEDULED = "unscheduled"


def engagement_row(agenda: Agenda, item: AgendaItem) -> dict[str, str]:
    """One engagement as a CSV row (every value a string)."""
    scenario = agenda.scenario
    return {
        "party_id": item.party,
        "party_name": agenda.name(item.party),
        "day": str(item.day + 1),
        "date": date_of(agenda, item).isoformat(),
        "kind": item.kind.value,
        "item_id": item.ident,
        "title": item.title,
        "start_local": scenario.to_datetime(item.start).isoformat(),
        "end_local": scenario.to_datetime(item.end).isoformat(),
        "start_minute": str(item.start),
        "end_minute": str(item.end),
        "venue_id": item.venue,
        "venue_name": agenda.venue_name(item.venue),
        "room": "" if item.room is None else str(item.room),
        "with_ids": ";".join(item.others),
        "with_names": ";".join(agenda.name(p) for p in item.others),
        "priority": "" if item.priority is None else item.priority.value,
        "reason": item.why,
    }


def engagement_rows(agenda: Agenda) -> list[dict[str, str]]:
    """Every party's engagements in protocol order, then the unscheduled requests."""
    rows = [
        engagement_row(agenda, item)
        for party in agenda.parties
        for item in engagements(agenda, party.id)
    ]
    for unplaced in agenda.unplaced:
        meeting = unplaced.meeting
        for party_id in meeting.parties:
            others = [p for p in meeting.parties if p != party_id]
            rows.append(
                {
                    **dict.fromkeys(COLUMNS, ""),
                    "party_id": party_id,
                    "party_name": agenda.name(party_id),
                    "kind": UNSCHEDULED,
                    "item_id": meeting.id,
                    "title": agenda.meeting_title(meeting),
                    "with_ids": ";".join(others),
                    "with_names": ";".join(agenda.name(p) for p in others),
                    "priority": priority_of(meeting).value,
                    "reason": unplaced.reason,
                }
            )
    return rows


def engagements_csv(agenda: Agenda) -> str:
    """The rows of ``engagement_rows`` as CSV with a header (``\\n`` line ends; the
    csv module quotes commas, quotes and line breaks inside values)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(engagement_rows(agenda))
    return out.getvalue()


def read_engagements_csv(text: str) -> list[dict[str, str]]:
    """The rows of an ``engagements.csv``, as strings keyed by column."""
    return [dict(row) for row in csv.DictReader(io.StringIO(text, newline=""))]


# --- Mermaid ----------------------------------------------------------------------

# In a Mermaid gantt line ":" ends the task name, "#" and ";" start entities and
# statements, "%%" a comment; brackets and quotes are kept out for safety.
_MERMAID_UNSAFE = re.compile(r"[:;#%{}\[\]<>\"`\\]+")


# Words that start a statement of their own at the beginning of a gantt line.
_MERMAID_KEYWORDS = frozenset(
    (
        "accdescr",
        "acctitle",
        "axisformat",
        "dateformat",
        "excludes",
        "includes",
        "inclusiveenddates",
        "section",
        "tickinterval",
        "title",
        "todaymarker",
        "topaxis",
        "weekday",
        "weekend",
    )
)


def mermaid_text(text: str) -> str:
    """A task or section name Mermaid reads as plain text, on one line."""
    cleaned = " ".join(_MERMAID_UNSAFE.sub(" ", text).split()) or "-"
    first = cleaned.split(" ", 1)[0].lower()
    if any(first.startswith(word) for word in _MERMAID_KEYWORDS):
        cleaned = "– " + cleaned
    return cleaned


def _moment(agenda: Agenda, minute: int) -> str:
    return agenda.scenario.to_datetime(minute).strftime("%Y-%m-%d %H:%M")


def _task(agenda: Agenda, item: AgendaItem) -> str:
    meeting = meeting_of(agenda, item)
    tags: list[str] = []
    if meeting is not None:
        name = names_list([agenda.name(p) for p in item.others]) or item.title
        if priority_of(meeting) is Priority.REQUIRED:
            tags.append("crit")
    else:
        name = item.title
        tags.append("active")
    to_datetime = agenda.scenario.to_datetime
    end = _moment(agenda, item.end)
    if to_datetime(item.start).utcoffset() != to_datetime(item.end).utcoffset():
        # across a clock change the wall-clock end may even equal the start (02:40
        # summer time to 02:40 winter time): its real length keeps the bar
        end = f"{item.end - item.start}m"
    fields = [*tags, _moment(agenda, item.start), end]
    return f"    {mermaid_text(name)} :{', '.join(fields)}"


def mermaid_gantt(agenda: Agenda, party_id: str | None = None) -> str:
    """Mermaid ``gantt`` text (no fence): one section per day of each principal (or
    of just ``party_id``), a task per meeting (``crit`` when required) and per programme
    event (``active``). Local times; rides and buffers are left out."""
    scenario = agenda.scenario
    if party_id is not None:
        parties = [scenario.party_by_id[party_id]]
    else:
        parties = [p for p in agenda.parties if p.principal] or list(agenda.parties)
    lines = [
        "gantt",
        f"    title {mermaid_text(scenario.name)}",
        "    dateFormat YYYY-MM-DD HH:mm",
        "    axisFormat %H:%M",
        "    todayMarker off",
    ]
    for party in parties:
        items = [
            i for i in engagements(agenda, party.id) if i.kind in (ItemKind.MEETING, ItemKind.EVENT)
        ]
        # A section per party and day: the axis shows times of day only, so the
        # section's name says which day its rows are on.
        for day in sorted({i.day for i in items}):
            today = [i for i in items if i.day == day]
            when = short_date(date_of(agenda, today[0]))
            first = scenario.to_datetime(min(i.start for i in today))
            last = scenario.to_datetime(max(i.end for i in today))
            if first.utcoffset() != last.utcoffset():
                # Mermaid's axis is a wall clock: across the change, the hour
                # repeated or skipped cannot be drawn true
                when += f", clocks change from {first.tzname()} to {last.tzname()}"
                when += ", not to scale across it"
            lines.append(f"    section {mermaid_text(party.name)}, {mermaid_text(when)}")
            lines += [_task(agenda, item) for item in today]
    return "\n".join(lines) + "\n"


def mermaid_markdown(agenda: Agenda, party_id: str | None = None) -> str:
    """``mermaid_gantt`` in a ```` ```mermaid ```` fence, ready for a Markdown file."""
    return f"```mermaid\n{mermaid_gantt(agenda, party_id)}```\n"
