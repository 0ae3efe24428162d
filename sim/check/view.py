"""The plan as the checker sees it: held meetings and every party's day, rebuilt from
the schedule's own times.

The checker trusts nothing the planner says about a meeting except where and when
it is: the day a meeting is on is the summit day of its local start date (not the
schedule's ``day`` field, which is checked separately), and each party's
*engagements* (held meetings it takes part in, fixed events it attends) are put in
start order day by day here, once. The rule and objective modules only read this
view, and word their messages with the helpers at the bottom, in local time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

from sim.model import Meeting, PrecedenceMode, Scenario
from sim.schedule import Assignment
from sim.times import format_moment, format_span, format_time_of_day


@dataclass(frozen=True)
class Engagement:
    """A held meeting or a fixed event, in one party's day."""

    id: str
    start: int
    end: int
    venue: str
    day: int | None
    meeting: Meeting | None = None  # None for a fixed event

    @property
    def is_meeting(self) -> bool:
        return self.meeting is not None

    def overlaps(self, other: Engagement) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Held:
    """A meeting the schedule holds, with the day its start falls on (None: no summit day)."""

    meeting: Meeting
    assignment: Assignment
    day: int | None

    @property
    def engagement(self) -> Engagement:
        a = self.assignment
        return Engagement(a.meeting, a.start, a.end, a.venue, self.day, self.meeting)


@dataclass(frozen=True)
class PlanView:
    scenario: Scenario
    held: Mapping[str, Held]  # by meeting id, in the scenario's order
    engagements: Mapping[str, tuple[Engagement, ...]]  # by party id, all days, start order
    by_day: Mapping[str, Mapping[int, tuple[Engagement, ...]]]  # the same, per day index

    def days_of(self, party_id: str) -> Mapping[int, tuple[Engagement, ...]]:
        """A party's engagements by day, in day order (days without any are left out)."""
        return self.by_day[party_id]


def plan_view(scenario: Scenario, assignments: Iterable[Assignment]) -> PlanView:
    """The view of ``assignments``: each names a meeting of the scenario, at most once."""
    by_meeting = {a.meeting: a for a in assignments}
    held = {
        m.id: Held(m, by_meeting[m.id], day_index(scenario, by_meeting[m.id].start))
        for m in scenario.meetings
        if m.id in by_meeting
    }
    engagements: dict[str, tuple[Engagement, ...]] = {}
    for party in scenario.parties:
        items = [h.engagement for h in held.values() if party.id in h.meeting.parties]
        items += [
            Engagement(e.id, e.time.start, e.time.end, e.venue, day_index(scenario, e.time.start))
            for e in scenario.fixed_events_of(party.id)
        ]
        engagements[party.id] = tuple(sorted(items, key=lambda e: (e.start, e.end, e.id)))
    return PlanView(scenario, held, engagements, _by_day(engagements))


def _by_day(
    engagements: Mapping[str, tuple[Engagement, ...]],
) -> dict[str, dict[int, tuple[Engagement, ...]]]:
    result: dict[str, dict[int, tuple[Engagement, ...]]] = {}
    for party, items in engagements.items():
        days: dict[int, list[Engagement]] = {}
        for engagement in items:
            if engagement.day is not None:
                days.setdefault(engagement.day, []).append(engagement)
        result[party] = {day: tuple(today) for day, today in sorted(days.items())}
    return result


def day_index(scenario: Scenario, minute: int) -> int | None:
    """The summit day whose working window holds ``minute``; outside every window, the
    day whose date is the local date of ``minute`` (None between days).

    A day's window may run past midnight (a last night's bilaterals at 01:00 belong
    to the day before); for a meeting put outside every window the date is still
    the day a protocol officer would file it under.
    """
    inside = next((d.index for d in scenario.days if d.window.start <= minute < d.window.end), None)
    if inside is not None:
        return inside
    date = scenario.to_datetime(minute).date()
    return next((d.index for d in scenario.days if d.date == date), None)


def on_wall_clock(scenario: Scenario, day: int, minutes_after_midnight: int) -> int:
    """Minutes from the epoch of a time of day (``rules.latest_end``, a meal window) on
    a summit day, read on the wall clock: 22:00 is 22:00 local time even on the day
    the clocks change, when it is not 22 hours after midnight."""
    midnight = dt.datetime.combine(scenario.days[day].date, dt.time())
    return scenario.minutes_from(midnight + dt.timedelta(minutes=minutes_after_midnight))


# --- distances, gaps, seniority ---------------------------------------------------


def travel(scenario: Scenario, origin: str, destination: str) -> int:
    """Minutes between venues; zero within one venue.

    A pair the scenario has no time for can only involve a venue the meeting may
    not use (the loader insists on every pair among venues in use); the ``venue``
    rule reports that, so here it counts as no travel rather than a crash.
    """
    if origin == destination:
        return 0
    return scenario.travel.get((origin, destination), 0)


def needed_gap(scenario: Scenario, earlier: Engagement, later: Engagement) -> tuple[int, int]:
    """(buffer, travel) the ``gap`` rule asks between two consecutive engagements."""
    move = travel(scenario, earlier.venue, later.venue)
    if not earlier.is_meeting and not later.is_meeting:
        return 0, move  # two fixed events: the programme is given, only travel applies
    return scenario.rules.buffer, move


def seniority(scenario: Scenario, party_id: str) -> int:
    """Smaller is more senior, as ``rules.precedence`` orders parties."""
    precedence = scenario.rules.precedence
    if precedence.mode is PrecedenceMode.ORDER:
        if party_id in precedence.order:
            return precedence.order.index(party_id)
        return len(precedence.order)  # unlisted: after all listed, equal among themselves
    return scenario.party_by_id[party_id].rank.precedence


@dataclass(frozen=True)
class Inversion:
    """A principal's day where the meeting with the more senior counterpart comes later."""

    principal: str
    senior: Held
    junior: Held
    senior_party: str
    junior_party: str


def precedence_inversions(view: PlanView) -> tuple[Inversion, ...]:
    """Every pair of a principal's meetings on a day in the wrong order of precedence."""
    scenario = view.scenario
    if scenario.rules.precedence.mode is PrecedenceMode.NONE:
        return ()
    found: list[Inversion] = []
    for principal in scenario.principals:
        mine = [h for h in view.held.values() if principal.id in h.meeting.parties]
        for a, b in combinations(mine, 2):
            if a.day is None or a.day != b.day:
                continue
            (rank_a, who_a), (rank_b, who_b) = (
                _most_senior(scenario, a, principal.id),
                _most_senior(scenario, b, principal.id),
            )
            if rank_a == rank_b:
                continue  # equal seniority: either order is right
            if rank_a > rank_b:
                a, b, who_a, who_b = b, a, who_b, who_a
            if not a.assignment.start < b.assignment.start:
                found.append(Inversion(principal.id, a, b, who_a, who_b))
    return tuple(found)


def _most_senior(scenario: Scenario, held: Held, principal: str) -> tuple[int, str]:
    return min((seniority(scenario, p), p) for p in held.meeting.parties if p != principal)


# --- words ------------------------------------------------------------------------


def moment(scenario: Scenario, minute: int) -> str:
    """``22 Oct 16:35``, local time."""
    return format_moment(scenario.to_datetime(minute))


def span(scenario: Scenario, start: int, end: int) -> str:
    """``22 Oct 15:00-16:30`` (the end's date only when it differs), local time."""
    return format_span(scenario.to_datetime(start), scenario.to_datetime(end))


def clock(scenario: Scenario, minute: int) -> str:
    """``16:35``, local time."""
    return format_time_of_day(scenario.to_datetime(minute))


def described(scenario: Scenario, engagement: Engagement) -> str:
    """``Vladimir Putin – Xi Jinping (Kazan Kremlin, 22 Oct 15:00-16:30)``: a meeting
    by its parties' names, an event by its name (the ids are in the finding's
    meetings and parties)."""
    when = span(scenario, engagement.start, engagement.end)
    if engagement.meeting is not None:
        title = scenario.party_names(engagement.meeting.parties)
    else:
        event = scenario.event_by_id.get(engagement.id)
        title = event.name if event is not None else engagement.id
    return f"{title} ({scenario.venue_name(engagement.venue)}, {when})"
