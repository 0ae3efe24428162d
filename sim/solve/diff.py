"""Changes between a published schedule and a new one, for re-planning reports."""

from __future__ import annotations

from sim.schedule import Assignment, Change, ChangeKind, Schedule


def diff_schedules(previous: Schedule, assignments: tuple[Assignment, ...]) -> tuple[Change, ...]:
    """Every meeting that moved, was dropped or was added (unchanged ones are left out)."""
    before = {a.meeting: a for a in previous.assignments}
    after = {a.meeting: a for a in assignments}
    changes: list[Change] = []
    for meeting in sorted(before.keys() | after.keys()):
        old, new = before.get(meeting), after.get(meeting)
        if old is not None and new is not None:
            if (old.day, old.start, old.venue) != (new.day, new.start, new.venue):
                changes.append(Change(meeting, ChangeKind.MOVED, old, new))
        elif old is not None:
            changes.append(Change(meeting, ChangeKind.DROPPED, old, None))
        else:
            changes.append(Change(meeting, ChangeKind.ADDED, None, new))
    return tuple(changes)
