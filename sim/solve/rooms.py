"""Rooms for the meetings of a plan.

The planner enforces each venue's room capacity as a cumulative constraint and
leaves the room numbers to this step, which the greedy baseline shares.
"""

from __future__ import annotations

from sim.model import Scenario
from sim.schedule import Assignment


def assign_rooms(scenario: Scenario, placed: list[Assignment]) -> list[Assignment]:
    """Give each meeting a room: by start time, the lowest-numbered room free then.
    Capacity was enforced, so on these interval graphs greedy never runs out."""
    result: list[Assignment] = []
    free_at: dict[str, list[int]] = {v.id: [-(10**9)] * v.rooms for v in scenario.venues}
    for a in sorted(placed, key=lambda a: (a.start, a.end, a.meeting)):
        rooms = free_at[a.venue]
        room = next((r for r, t in enumerate(rooms) if t <= a.start), None)
        if room is None:  # cannot happen with a feasible model; keep the data honest
            room = min(range(len(rooms)), key=lambda r: rooms[r])
        rooms[room] = a.end
        result.append(Assignment(a.meeting, a.day, a.start, a.end, a.venue, room + 1))
    return result
