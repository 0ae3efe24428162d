"""Where and when each meeting could start, before any interaction with others.

For every meeting and every (day, venue, length) alternative this module lists
the start minutes (on the grain) that each *named requirement* allows on its own:
the day window, each party's presence, unavailability, the meeting's windows,
its meal window, the latest end of a day, its pin, and the fixed events its
parties attend. The planner intersects them into a variable's domain; the
infeasibility explainer keeps them apart, one switchable requirement each, so
it can say which of them cannot hold together.

A meeting may be held shorter than its ``duration``, down to its ``min_duration``
(docs/planning-rules.md, ``duration``): each length it may take is an
alternative of its own, so every interval of the model keeps a fixed size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sim.model import Day, Interval, Meeting, Scenario
from sim.solve.requirements import Requirement, RequirementKind
from sim.times import ceil_to_grain


@dataclass(frozen=True)
class Filter:
    """A requirement that restricts a meeting's start on one day: the allowed starts."""

    requirement: Requirement
    starts: frozenset[int]


@dataclass(frozen=True)
class Alternative:
    """One (day, venue, length) option of a meeting, with the starts the day window
    allows and the requirements that narrow them further."""

    meeting: str
    day: int
    venue: str
    day_starts: tuple[int, ...]
    filters: tuple[Filter, ...]
    length: int

    def allowed_starts(self) -> tuple[int, ...]:
        allowed = set(self.day_starts)
        for f in self.filters:
            allowed &= f.starts
        return tuple(sorted(allowed))


def starts_inside(grid: Iterable[int], duration: int, spans: Iterable[Interval]) -> set[int]:
    """The starts of ``grid`` whose meeting of ``duration`` lies inside one of ``spans``."""
    starts = np.fromiter(grid, dtype=np.int64)
    inside = np.zeros(starts.shape, dtype=bool)
    for span in spans:  # a whole grid at once: a summit asks this some 10^6 times
        inside |= (span.start <= starts) & (starts + duration <= span.end)
    return set(starts[inside].tolist())


def starts_clear_of(grid: Iterable[int], duration: int, spans: Iterable[Interval]) -> set[int]:
    """The starts of ``grid`` whose meeting of ``duration`` overlaps none of ``spans``."""
    starts = np.fromiter(grid, dtype=np.int64)
    clear = np.ones(starts.shape, dtype=bool)
    for span in spans:
        clear &= (starts >= span.end) | (span.start >= starts + duration)
    return set(starts[clear].tolist())


def day_grid(scenario: Scenario, day: Day, duration: int) -> tuple[int, ...]:
    """Starts on the grain such that the meeting fits in the day's window."""
    grain = scenario.grain
    first = ceil_to_grain(day.window.start, grain)
    return tuple(range(first, day.window.end - duration + 1, grain))


def planned_lengths(scenario: Scenario, meeting: Meeting) -> tuple[int, ...]:
    """The lengths the planner may hold a meeting at, longest first: every length the
    ``duration`` rule allows when the scenario's objectives price a shortening (the
    ``shortening`` tier), else only the nominal one (a cut nothing counts would be
    free, and the plan would shorten meetings for nothing)."""
    if "shortening" not in scenario.rules.objectives:
        return (meeting.duration,)
    return meeting.lengths(scenario.grain)


def day_filters(
    scenario: Scenario, meeting: Meeting, day: Day, length: int | None = None
) -> tuple[Filter, ...]:
    """Every named restriction on the meeting's start on this day (venue-independent),
    held at ``length`` minutes (default: its nominal duration)."""
    duration = meeting.duration if length is None else length
    grid = day_grid(scenario, day, duration)
    filters: list[Filter] = []
    for party_id in meeting.parties:
        party = scenario.party_by_id[party_id]
        filters.append(
            Filter(
                Requirement(RequirementKind.PRESENCE, party_id),
                frozenset(starts_inside(grid, duration, [party.presence])),
            )
        )
        if party.unavailable:
            filters.append(
                Filter(
                    Requirement(RequirementKind.UNAVAILABLE, party_id),
                    frozenset(starts_clear_of(grid, duration, party.unavailable)),
                )
            )
    for event in scenario.fixed_events:
        if day.window.overlaps(event.time.start, event.time.end) and set(
            event.attendees
        ).intersection(meeting.parties):
            filters.append(
                Filter(
                    Requirement(RequirementKind.ATTEND, event.id),
                    frozenset(starts_clear_of(grid, duration, [event.time])),
                )
            )
    if meeting.windows:
        filters.append(
            Filter(
                Requirement(RequirementKind.WINDOW, meeting.id),
                frozenset(starts_inside(grid, duration, meeting.windows)),
            )
        )
    meal = scenario.rules.meal_windows.for_format(meeting.format)
    if meal is not None:
        span = Interval(scenario.at_clock(day, meal.start), scenario.at_clock(day, meal.end))
        filters.append(
            Filter(
                Requirement(RequirementKind.MEAL, meeting.id),
                frozenset(starts_inside(grid, duration, [span])),
            )
        )
    if scenario.rules.latest_end is not None:
        limit = scenario.at_clock(day, scenario.rules.latest_end)
        filters.append(
            Filter(
                Requirement(RequirementKind.LATEST_END),
                frozenset(s for s in grid if s + duration <= limit),
            )
        )
    if meeting.pinned_start is not None:
        filters.append(
            Filter(
                Requirement(RequirementKind.PINNED, meeting.id),
                frozenset({meeting.pinned_start}) & frozenset(grid),
            )
        )
    return tuple(filters)


def alternatives(scenario: Scenario, meeting: Meeting) -> tuple[Alternative, ...]:
    """All (day, venue, length) options of a meeting, including ones whose filters
    leave no start (the explainer needs those; the planner skips them)."""
    result: list[Alternative] = []
    for length in planned_lengths(scenario, meeting):
        for day in scenario.days:
            grid = day_grid(scenario, day, length)
            if not grid:
                continue
            filters = day_filters(scenario, meeting, day, length)
            for venue in meeting.venues:
                venue_filters = filters
                if meeting.pinned_venue is not None and venue != meeting.pinned_venue:
                    venue_filters = (
                        *filters,
                        Filter(Requirement(RequirementKind.PINNED, meeting.id), frozenset()),
                    )
                result.append(
                    Alternative(meeting.id, day.index, venue, grid, venue_filters, length)
                )
    return tuple(result)
