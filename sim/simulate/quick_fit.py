"""Fit one meeting into a plan: the earliest slot its parties, a room and the rules allow.

On the day, a meeting asked for under a policy that does not re-plan goes where a
protocol officer would put it: the first gap in which every party is free (the
buffer and the ride on both sides), a room at the venue is free, and its
windows, meal window, the parties' stays and unavailable periods, the latest
end, a pin, the base rule and the per-day limit allow. Order relations and
precedence are not considered: this is a quick fit, not the planner. The
continuous-engagement limit (``rules.max_continuous``) is kept when asked
(``continuous=True``, as re-planning does): the bookings then include what was
already held today, so a morning of back-to-back meetings counts.

The search jumps from one forbidden stretch to the end of the next instead of
trying every grain, so it stays cheap on a busy day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sim.model import Interval, Meeting, Scenario
from sim.times import ceil_to_grain


@dataclass(frozen=True)
class Booking:
    """Something already in a party's day: a meeting (counted for the per-day limit), a
    programme event, or just where the party is until when (``buffer`` false: no
    protocol buffer is due after a position, only the ride; ``engaged`` false: it
    does not count towards the continuous-engagement limit)."""

    start: int
    end: int
    venue: str
    is_meeting: bool = True
    buffer: bool = True
    engaged: bool = True


@dataclass(frozen=True)
class Slot:
    day: int
    start: int
    venue: str


def first_fit(
    scenario: Scenario,
    meeting: Meeting,
    earliest: int,
    bookings: Mapping[str, Sequence[Booking]],
    rooms: Mapping[str, Sequence[tuple[int, int]]],
    presence: Mapping[str, Interval] | None = None,
    *,
    continuous: bool = False,
    days: Sequence[int] | None = None,
) -> Slot | None:
    """The earliest slot (ties: the meeting's venue order) starting at or after
    ``earliest``, or None. ``rooms`` lists the meetings already at each venue;
    ``presence`` overrides the parties' stays (late arrivals); ``continuous`` keeps
    ``rules.max_continuous`` with the bookings; ``days`` limits the search to
    these day indices."""
    stays = {p: (presence or {}).get(p, scenario.party_by_id[p].presence) for p in meeting.parties}
    venues = (meeting.pinned_venue,) if meeting.pinned_venue else meeting.venues
    best: Slot | None = None
    for day in scenario.days:
        if days is not None and day.index not in days:
            continue
        if day.window.end <= earliest or not _under_daily_limit(
            scenario, meeting, day.index, day.window, bookings
        ):
            continue
        for venue in venues:
            start = _earliest_on(
                scenario, meeting, day.index, venue, earliest, bookings, rooms, stays, continuous
            )
            if start is not None and (best is None or start < best.start):
                best = Slot(day.index, start, venue)
        if best is not None:
            return best
    return None


def _under_daily_limit(
    scenario: Scenario,
    meeting: Meeting,
    day: int,
    window: Interval,
    bookings: Mapping[str, Sequence[Booking]],
) -> bool:
    for party_id in meeting.parties:
        limit = scenario.party_by_id[party_id].max_meetings_per_day
        if limit is None:
            limit = scenario.rules.max_meetings_per_day
        if limit is None:
            continue
        held = sum(
            1
            for b in bookings.get(party_id, ())
            if b.is_meeting and window.contains(b.start, b.end)
        )
        if held >= limit:
            return False
    return True


def _earliest_on(
    scenario: Scenario,
    meeting: Meeting,
    day: int,
    venue: str,
    earliest: int,
    bookings: Mapping[str, Sequence[Booking]],
    rooms: Mapping[str, Sequence[tuple[int, int]]],
    stays: Mapping[str, Interval],
    continuous: bool = False,
) -> int | None:
    grain, length, rules = scenario.grain, meeting.duration, scenario.rules
    window = scenario.days[day].window
    lo, hi = max(window.start, earliest), window.end - length
    if rules.latest_end is not None:
        hi = min(hi, scenario.at_clock(scenario.days[day], rules.latest_end) - length)
    forbidden: list[tuple[int, int]] = []  # open intervals of forbidden starts
    for party_id in meeting.parties:
        stay = stays[party_id]
        lo, hi = max(lo, stay.start), min(hi, stay.end - length)
        party = scenario.party_by_id[party_id]
        forbidden += [(u.start - length, u.end) for u in party.unavailable]
        for b in bookings.get(party_id, ()):
            if not window.overlaps(b.start, b.end + 1):
                continue
            buffer = rules.buffer if b.buffer else 0
            before = scenario.travel_time(b.venue, venue) + buffer
            after = scenario.travel_time(venue, b.venue) + buffer
            forbidden.append((b.start - after - length, b.end + before))
        if party.base is not None:
            opens, closes = max(window.start, stay.start), min(window.end, stay.end)
            lo = max(lo, opens + scenario.travel_time(party.base, venue))
            hi = min(hi, closes - scenario.travel_time(venue, party.base) - length)
    capacity = scenario.venue_by_id[venue].rooms
    taken = [r for r in rooms.get(venue, ()) if window.overlaps(r[0], r[1])]
    if capacity == 1:
        forbidden += [(r[0] - length, r[1]) for r in taken]
    ranges = [(lo, hi)]
    if meeting.windows:
        ranges = _clip(ranges, [(w.start, w.end - length) for w in meeting.windows])
    meal = rules.meal_windows.for_format(meeting.format)
    if meal is not None:
        the_day = scenario.days[day]
        opens, closes = scenario.at_clock(the_day, meal.start), scenario.at_clock(the_day, meal.end)
        ranges = _clip(ranges, [(opens, closes - length)])
    if meeting.pinned_start is not None:
        ranges = _clip(ranges, [(meeting.pinned_start, meeting.pinned_start)])
    forbidden.sort()
    for low, high in ranges:
        start = ceil_to_grain(low, grain)
        while start <= high:
            blocker = next((f for f in forbidden if f[0] < start < f[1]), None)
            if blocker is not None:
                start = ceil_to_grain(blocker[1], grain)
                continue
            if capacity > 1 and _busiest(taken, start, start + length) >= capacity:
                start += grain
                continue
            if continuous and not _rested(scenario, meeting, start, bookings):
                start += grain
                continue
            return start
    return None


def _clip(ranges: list[tuple[int, int]], allowed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = [(max(a, c), min(b, d)) for a, b in ranges for c, d in allowed]
    return sorted(r for r in out if r[0] <= r[1])


def _busiest(taken: list[tuple[int, int]], start: int, end: int) -> int:
    """The most meetings at once at the venue during [start, end)."""
    inside = [r for r in taken if r[0] < end and start < r[1]]
    points = {start, *(r[0] for r in inside if start <= r[0] < end)}
    return max((sum(1 for r in inside if r[0] <= t < r[1]) for t in points), default=0)


def _rested(
    scenario: Scenario, meeting: Meeting, start: int, bookings: Mapping[str, Sequence[Booking]]
) -> bool:
    """Whether every party of a meeting at ``start`` stays within ``rules.max_continuous``:
    the run of engagements less than ``rules.min_break`` apart that holds it (meetings
    and programme events booked, held ones included; positions are not engagements)
    spans at most the limit (the checker's ``continuous`` rule)."""
    longest = scenario.rules.max_continuous
    if longest is None:
        return True
    end, gap = start + meeting.duration, scenario.rules.min_break
    for party_id in meeting.parties:
        first, last = start, end
        spans = sorted((b.start, b.end) for b in bookings.get(party_id, ()) if b.engaged)
        grown = True
        while grown:  # widen the run while an engagement lies less than a break away
            grown = False
            for s, e in spans:
                if s < last + gap and e > first - gap and (s < first or e > last):
                    first, last, grown = min(first, s), max(last, e), True
        if last - first > longest:
            return False
    return True
