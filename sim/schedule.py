"""The schedule: what the planner decided, and its canonical file ``schedule.json``.

The planner writes it, ``sim check`` and ``sim simulate`` read it back, every
export is made from it. The file is versioned (``format``) and deterministic:
the same schedule always gives the same bytes (sorted keys, no wall-clock
times), so two runs can be compared with ``cmp``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sim.atomic import write_text_atomic
from sim.errors import InputFileError, Problem, ScheduleFileError
from sim.model import Scenario

SCHEDULE_FORMAT = 1


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Assignment:
    """A held meeting: when, where, in which room (rooms numbered from 1)."""

    meeting: str
    day: int
    start: int
    end: int
    venue: str
    room: int = 1


@dataclass(frozen=True)
class Unscheduled:
    meeting: str
    reason: str


@dataclass(frozen=True)
class ObjectiveValue:
    """One tier of the lexicographic objective (all tiers are minimised)."""

    name: str
    value: int
    bound: int
    description: str = ""


class ChangeKind(StrEnum):
    """How a meeting differs from the previous schedule (unchanged ones are not listed)."""

    MOVED = "moved"  # another day, time or venue: before and after
    DROPPED = "dropped"  # no longer held: before only
    ADDED = "added"  # newly held: after only


@dataclass(frozen=True)
class Change:
    """A difference from a previous schedule."""

    meeting: str
    kind: ChangeKind
    before: Assignment | None
    after: Assignment | None


@dataclass(frozen=True)
class SolverSettings:
    time_limit: float
    seed: int
    workers: int


@dataclass(frozen=True)
class Schedule:
    scenario_id: str
    scenario_sha256: str
    status: SolveStatus
    settings: SolverSettings
    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Unscheduled, ...] = ()
    objectives: tuple[ObjectiveValue, ...] = ()
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def assignment_of(self, meeting_id: str) -> Assignment | None:
        return next((a for a in self.assignments if a.meeting == meeting_id), None)

    @property
    def proven_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL


def provenance_mismatch(schedule: Schedule, scenario: Scenario) -> str | None:
    """None when ``schedule`` was made from exactly this scenario file (same id, same
    sha256), else what differs, in plain words (the checker's wording)."""
    differences: list[str] = []
    if schedule.scenario_id != scenario.id:
        differences.append(
            f"the schedule was made for scenario {schedule.scenario_id!r}, not {scenario.id!r}"
        )
    if schedule.scenario_sha256 != scenario.source_sha256:
        differences.append(
            "the schedule was made from another version of the scenario file "
            f"(sha256 {schedule.scenario_sha256[:12] or 'not given'}, "
            f"file {scenario.source_sha256[:12]})"
        )
    return "; ".join(differences) or None


# --- to and from JSON -------------------------------------------------------------


# A planner as the simulator sees it: (what is left to plan, the current plan as the
# previous schedule) -> a new schedule. The simulator never imports the solver; the
# command line passes ``sim.solve.make_planner(...)`` in as one of these.
Planner = Callable[[Scenario, Schedule], Schedule]


def _assignment_json(a: Assignment, scenario: Scenario | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "meeting": a.meeting,
        "day": a.day,
        "start_minute": a.start,
        "end_minute": a.end,
        "venue": a.venue,
        "room": a.room,
    }
    if scenario is not None:
        out["start"] = scenario.to_datetime(a.start).isoformat()
        out["end"] = scenario.to_datetime(a.end).isoformat()
    return out


def itineraries(scenario: Scenario, schedule: Schedule) -> dict[str, list[dict[str, Any]]]:
    """Each party's day by day: engagements and travel legs between venues, in order."""
    result: dict[str, list[dict[str, Any]]] = {}
    for party in scenario.parties:
        items: list[tuple[int, int, str, str, str]] = []
        for event in scenario.fixed_events_of(party.id):
            items.append((event.time.start, event.time.end, "event", event.id, event.venue))
        for assignment in schedule.assignments:
            if party.id in scenario.meeting_by_id[assignment.meeting].parties:
                items.append(
                    (
                        assignment.start,
                        assignment.end,
                        "meeting",
                        assignment.meeting,
                        assignment.venue,
                    )
                )
        items.sort()
        entries: list[dict[str, Any]] = []
        for day in scenario.days:
            today = [i for i in items if day.window.contains(i[0], i[1])]
            where = party.base
            for start, end, kind, ident, venue in today:
                if where is not None and where != venue:
                    minutes = scenario.travel_time(where, venue)
                    entries.append(
                        {
                            "kind": "travel",
                            "from": where,
                            "to": venue,
                            "minutes": minutes,
                            "day": day.index,
                            "arrive_by_minute": start,
                        }
                    )
                entries.append(
                    {
                        "kind": kind,
                        "id": ident,
                        "venue": venue,
                        "day": day.index,
                        "start_minute": start,
                        "end_minute": end,
                        "start": scenario.to_datetime(start).isoformat(),
                        "end": scenario.to_datetime(end).isoformat(),
                    }
                )
                where = venue
            if today and party.base is not None and where != party.base and where is not None:
                entries.append(
                    {
                        "kind": "travel",
                        "from": where,
                        "to": party.base,
                        "minutes": scenario.travel_time(where, party.base),
                        "day": day.index,
                        "depart_minute": today[-1][1],
                    }
                )
        result[party.id] = entries
    return result


def schedule_to_json(schedule: Schedule, scenario: Scenario | None = None) -> str:
    """The canonical text of schedule.json (deterministic: sorted keys, no timings)."""
    document: dict[str, Any] = {
        "format": SCHEDULE_FORMAT,
        "scenario": {"id": schedule.scenario_id, "sha256": schedule.scenario_sha256},
        "status": schedule.status.value,
        "solver": {
            "time_limit_seconds": schedule.settings.time_limit,
            "seed": schedule.settings.seed,
            "workers": schedule.settings.workers,
        },
        "objectives": [
            {
                "tier": i + 1,
                "name": o.name,
                "value": o.value,
                "bound": o.bound,
                "description": o.description,
            }
            for i, o in enumerate(schedule.objectives)
        ],
        "meetings": [
            {**_assignment_json(a, scenario), "scheduled": True}
            for a in sorted(schedule.assignments, key=lambda a: (a.start, a.meeting))
        ]
        + [
            {"meeting": u.meeting, "scheduled": False, "reason": u.reason}
            for u in sorted(schedule.unscheduled, key=lambda u: u.meeting)
        ],
        "changes": [
            {
                "meeting": c.meeting,
                "kind": c.kind.value,
                "before": _assignment_json(c.before, scenario) if c.before else None,
                "after": _assignment_json(c.after, scenario) if c.after else None,
            }
            for c in schedule.changes
        ],
        "notes": list(schedule.notes),
    }
    if scenario is not None:
        document["scenario"]["name"] = scenario.name
        document["scenario"]["timezone"] = scenario.timezone
        document["itineraries"] = itineraries(scenario, schedule)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schedule(path: Path, schedule: Schedule, scenario: Scenario | None = None) -> None:
    write_text_atomic(path, schedule_to_json(schedule, scenario))


def _assignment_from(data: dict[str, Any]) -> Assignment:
    return Assignment(
        meeting=str(data["meeting"]),
        day=int(data["day"]),
        start=int(data["start_minute"]),
        end=int(data["end_minute"]),
        venue=str(data["venue"]),
        room=int(data.get("room", 1)),
    )


def schedule_from_json(text: str, name: str = "<schedule>") -> Schedule:
    """Parse schedule.json; raise ScheduleFileError (with the file's name) if malformed."""

    def fail(message: str, hint: str = "") -> ScheduleFileError:
        return ScheduleFileError([Problem(name, None, None, "", message, hint)])

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScheduleFileError(
            [Problem(name, exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")]
        ) from None
    if not isinstance(data, dict) or data.get("format") != SCHEDULE_FORMAT:
        raise fail(
            f"not a schedule.json of format {SCHEDULE_FORMAT}",
            "give the schedule.json written by 'sim solve'",
        )
    try:
        solver = data["solver"]
        meetings = data["meetings"]
        return Schedule(
            scenario_id=str(data["scenario"]["id"]),
            scenario_sha256=str(data["scenario"].get("sha256", "")),
            status=SolveStatus(data["status"]),
            settings=SolverSettings(
                float(solver["time_limit_seconds"]), int(solver["seed"]), int(solver["workers"])
            ),
            assignments=tuple(_assignment_from(m) for m in meetings if m["scheduled"]),
            unscheduled=tuple(
                Unscheduled(str(m["meeting"]), str(m.get("reason", "")))
                for m in meetings
                if not m["scheduled"]
            ),
            objectives=tuple(
                ObjectiveValue(
                    str(o["name"]), int(o["value"]), int(o["bound"]), str(o.get("description", ""))
                )
                for o in data.get("objectives", [])
            ),
            notes=tuple(str(n) for n in data.get("notes", [])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise fail(f"malformed schedule: {exc!r}", "regenerate it with 'sim solve'") from None


def read_schedule(path: str | Path) -> Schedule:
    """Read schedule.json: InputFileError if the file is missing or unreadable (a usage
    error), ScheduleFileError if it is not a schedule."""
    name = str(path)

    def problem(message: str) -> list[Problem]:
        return [Problem(name, None, None, "", message)]

    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputFileError(problem("no such file")) from None
    except IsADirectoryError:
        raise InputFileError(problem("is a directory, not a file")) from None
    except OSError as exc:
        raise InputFileError(problem(f"cannot read: {exc.strerror}")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScheduleFileError(problem(f"cannot read: {exc}")) from None
    return schedule_from_json(text, name)
