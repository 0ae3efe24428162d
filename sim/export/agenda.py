"""The plan as people read it: each party's days as a list of named items.

Every export (Gantt charts, calendars, briefings, tables) starts from this
view, so they all agree on who is where, when, and why. An item is a
bilateral, a programme event, a ride between venues or the protocol buffer
after an engagement. Parties are ordered as protocol lists them: principals
first, then by rank, then by name. Times stay integer minutes from the
scenario's epoch; ``Scenario.to_datetime`` turns them into local times at the
edge.

The ride before an engagement is shown leaving at the latest moment that still
arrives on time (``start - travel``): that is the time a motorcade must leave
by, which is what a briefing says. The buffer after an engagement is the
protocol margin the rules keep free before the next one (or the ride to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sim.model import Meeting, Party, Scenario
from sim.schedule import Assignment, Schedule


class ItemKind(StrEnum):
    MEETING = "meeting"
    EVENT = "event"
    TRAVEL = "travel"
    BUFFER = "buffer"


class Priority(StrEnum):
    """How much a bilateral matters, as the charts colour it."""

    REQUIRED = "required"
    HEADLINE = "headline"
    OPTIONAL = "optional"


PRIORITY_WORDS = {
    Priority.REQUIRED: "required",
    Priority.HEADLINE: "headline (optional, but the press watches it)",
    Priority.OPTIONAL: "optional",
}


def priority_of(meeting: Meeting) -> Priority:
    if meeting.required:
        return Priority.REQUIRED
    if meeting.headline:
        return Priority.HEADLINE
    return Priority.OPTIONAL


@dataclass(frozen=True)
class AgendaItem:
    """One thing on a party's day. ``ident`` is the meeting or event id (for a ride or
    a buffer, the engagement it leads to or follows)."""

    party: str
    day: int
    kind: ItemKind
    ident: str
    title: str
    start: int
    end: int
    venue: str
    origin: str | None = None  # a ride's starting venue
    others: tuple[str, ...] = ()  # the other parties of a meeting
    priority: Priority | None = None
    room: int | None = None
    why: str = ""  # why this slot (meetings): what held it there


@dataclass(frozen=True)
class Unplaced:
    meeting: Meeting
    reason: str


@dataclass(frozen=True)
class Agenda:
    scenario: Scenario
    schedule: Schedule
    parties: tuple[Party, ...]  # in protocol order
    items: dict[str, tuple[AgendaItem, ...]]  # party id -> items in time order
    unplaced: tuple[Unplaced, ...]

    def name(self, party_id: str) -> str:
        return self.scenario.party_by_id[party_id].name

    def label(self, party_id: str) -> str:
        """``Xi Jinping, President of the People's Republic of China``."""
        party = self.scenario.party_by_id[party_id]
        return f"{party.name}, {party.title}" if party.title else party.name

    def venue_name(self, venue_id: str) -> str:
        return self.scenario.venue_name(venue_id)

    def meeting_title(self, meeting: Meeting) -> str:
        """The meeting's own title, else its parties' names."""
        return meeting.title or " – ".join(self.name(p) for p in meeting.parties)

    def days_of(self, party_id: str) -> list[int]:
        return sorted({item.day for item in self.items.get(party_id, ())})

    def all_items(self) -> list[AgendaItem]:
        return [item for party in self.parties for item in self.items.get(party.id, ())]


def protocol_order(scenario: Scenario) -> tuple[Party, ...]:
    """Principals first (in file order), then by rank, then by name."""
    principals = [p for p in scenario.parties if p.principal]
    guests = sorted(
        (p for p in scenario.parties if not p.principal),
        key=lambda p: (p.rank.precedence, p.name, p.id),
    )
    return (*principals, *guests)


def build_agenda(scenario: Scenario, schedule: Schedule) -> Agenda:
    """The plan of every party, day by day, with rides and buffers between engagements."""
    placed = {a.meeting: a for a in schedule.assignments if a.meeting in scenario.meeting_by_id}
    items: dict[str, tuple[AgendaItem, ...]] = {}
    for party in scenario.parties:
        items[party.id] = tuple(_party_items(scenario, party, placed))
    unplaced = tuple(
        Unplaced(scenario.meeting_by_id[u.meeting], u.reason)
        for u in schedule.unscheduled
        if u.meeting in scenario.meeting_by_id
    )
    return Agenda(scenario, schedule, protocol_order(scenario), items, unplaced)


def _engagements(
    scenario: Scenario, party: Party, placed: dict[str, Assignment]
) -> list[AgendaItem]:
    found: list[AgendaItem] = []
    for event in scenario.fixed_events_of(party.id):
        day = scenario.day_containing(event.time.start, event.time.end) or scenario.day_of(
            event.time.start
        )
        found.append(
            AgendaItem(
                party=party.id,
                day=day.index if day is not None else 0,
                kind=ItemKind.EVENT,
                ident=event.id,
                title=event.name,
                start=event.time.start,
                end=event.time.end,
                venue=event.venue,
            )
        )
    for meeting in scenario.meetings_of(party.id):
        assignment = placed.get(meeting.id)
        if assignment is None:
            continue
        found.append(
            AgendaItem(
                party=party.id,
                day=assignment.day,
                kind=ItemKind.MEETING,
                ident=meeting.id,
                title=meeting.title or scenario.party_names(meeting.parties),
                start=assignment.start,
                end=assignment.end,
                venue=assignment.venue,
                others=tuple(p for p in meeting.parties if p != party.id),
                priority=priority_of(meeting),
                room=assignment.room,
                why=_why_here(scenario, meeting),
            )
        )
    found.sort(key=lambda i: (i.start, i.end, i.kind != ItemKind.EVENT, i.ident))
    return found


def _party_items(
    scenario: Scenario, party: Party, placed: dict[str, Assignment]
) -> list[AgendaItem]:
    """Engagements with the rides between them and the buffers after meetings."""
    engagements = _engagements(scenario, party, placed)
    result: list[AgendaItem] = []
    buffer = scenario.rules.buffer
    for day in sorted({e.day for e in engagements}):
        today = [e for e in engagements if e.day == day]
        where = party.base
        for index, item in enumerate(today):
            if where is not None and where != item.venue:
                minutes = scenario.travel_time(where, item.venue)
                if minutes > 0:
                    result.append(
                        AgendaItem(
                            party=party.id,
                            day=day,
                            kind=ItemKind.TRAVEL,
                            ident=item.ident,
                            title=f"ride to {scenario.venue_name(item.venue)}",
                            start=item.start - minutes,
                            end=item.start,
                            venue=item.venue,
                            origin=where,
                        )
                    )
            result.append(item)
            later = today[index + 1] if index + 1 < len(today) else None
            if item.kind is ItemKind.MEETING and later is not None and buffer > 0:
                ride = scenario.travel_time(item.venue, later.venue)
                end = min(item.end + buffer, later.start - ride)
                if end > item.end:
                    result.append(
                        AgendaItem(
                            party=party.id,
                            day=day,
                            kind=ItemKind.BUFFER,
                            ident=item.ident,
                            title="protocol buffer",
                            start=item.end,
                            end=end,
                            venue=item.venue,
                        )
                    )
            where = item.venue
        last = today[-1] if today else None
        if last is not None and party.base is not None and last.venue != party.base:
            minutes = scenario.travel_time(last.venue, party.base)
            if minutes > 0:
                result.append(
                    AgendaItem(
                        party=party.id,
                        day=day,
                        kind=ItemKind.TRAVEL,
                        ident=f"home:{day}",
                        title=f"ride back to {scenario.venue_name(party.base)}",
                        start=last.end,
                        end=last.end + minutes,
                        venue=party.base,
                        origin=last.venue,
                    )
                )
    result.sort(key=lambda i: (i.day, i.start, i.end, i.kind != ItemKind.TRAVEL, i.ident))
    return result


def _why_here(scenario: Scenario, meeting: Meeting) -> str:
    """What holds a meeting where it is, in plain words (the requirements that narrow
    its slot; the planner chose among what is left)."""
    reasons: list[str] = []
    if meeting.pinned_start is not None:
        reasons.append("pinned to this time")
    if meeting.pinned_venue is not None:
        reasons.append(f"pinned to {scenario.venue_name(meeting.pinned_venue)}")
    if meeting.format.is_meal:
        reasons.append(
            f"a working {meeting.format.value}, inside the {meeting.format.value} window"
        )
    if meeting.windows:
        reasons.append("inside the window it was requested for")
    if meeting.preferred:
        reasons.append("a preferred time was asked for")
    if meeting.after or meeting.before:
        reasons.append(
            "ordered relative to "
            + ", ".join(scenario.meeting_name(m) for m in (*meeting.after, *meeting.before))
        )
    stays = [
        scenario.party_by_id[p]
        for p in meeting.parties
        if scenario.party_by_id[p].presence.start > scenario.days[0].window.start
        or scenario.party_by_id[p].presence.end < scenario.days[-1].window.end
    ]
    if stays:
        reasons.append("while " + " and ".join(p.name for p in stays) + " is at the summit")
    if not reasons:
        # nothing narrows it: the planner's choice among the free times (not always the
        # earliest: the objectives ask for spare time around meetings, less travel)
        reasons.append(
            "free for every party here, around the programme, travel and protocol "
            "buffers; chosen for spare time around it and less travel"
        )
    return "; ".join(reasons)
