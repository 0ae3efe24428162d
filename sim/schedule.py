"""The schedule: what the planner decided, and its canonical file ``schedule.json``.

The planner writes it, ``sim check`` and ``sim simulate`` read it back, every
export is made from it. The file is versioned (``format``) and deterministic:
the same schedule always gives the same bytes (sorted keys, no wall-clock
times), so two runs can be compared with ``cmp``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sim.atomic import read_regular_file, write_text_atomic
from sim.errors import Problem, ScheduleFileError, format_path
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
class PublishedItem:
    """One entry of a party's calendar as a published plan gave it (read from the
    published file's ``itineraries``): a meeting, a programme event or a ride.
    ``kind`` is "meeting", "event" or "travel"; ``ident`` the meeting or event id, for
    a ride the engagement it leads to, or ``home:DAY`` for the ride back to the
    party's base after its last engagement of day DAY, as the calendars name them.
    Only the published file knows what was sent once the scenario has changed (a
    meeting deleted, a plenary moved, a travel time changed): the calendars compare
    against it, so what is gone is cancelled and what moved is updated."""

    party: str
    kind: str
    ident: str
    start: dt.datetime  # as published, with its UTC offset
    end: dt.datetime
    venue: str  # a ride's: where it goes


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
    # 0 for a first plan; a re-plan from a published one ('sim solve --from') is that
    # plan's revision + 1: the calendars' sequence numbers come from it
    revision: int = 0
    # only in a plan read as published (read_schedule(..., published=True)): what it
    # gave each party, as its itineraries say, which today's scenario may no longer
    # know (a meeting deleted) or time differently (a plenary moved)
    published: tuple[PublishedItem, ...] = ()

    def assignment_of(self, meeting_id: str) -> Assignment | None:
        return next((a for a in self.assignments if a.meeting == meeting_id), None)

    @property
    def proven_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL


def next_revision(previous: Schedule | None) -> int:
    """The revision of a plan made from ``previous`` (None: a first plan)."""
    return 0 if previous is None else min(previous.revision + 1, MAX_REVISION)


def publication_revision(schedule: Schedule, previous: Schedule | None) -> int:
    """The revision a plan is published as over ``previous`` (the plan published
    before it): its own, or the published one's + 1 when it is not above it, so
    that calendars made from agendas directly still supersede the last ones.
    ``sim export`` (and ``sim.export.export``) refuse such a plan instead: its file
    would say a lower revision than its calendars, and the next re-plan from it
    would go back below them."""
    if previous is None:
        return schedule.revision
    return max(schedule.revision, next_revision(previous))


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
        # engagements that start together: the shorter first, then by id (ids of
        # meetings and events are unique together), as docs/planning-rules.md orders them
        items.sort(key=lambda item: (item[0], item[1], item[3]))
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
        "revision": schedule.revision,
    }
    if scenario is not None:
        document["scenario"]["name"] = scenario.name
        document["scenario"]["timezone"] = scenario.timezone
        document["itineraries"] = itineraries(scenario, schedule)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schedule(path: Path, schedule: Schedule, scenario: Scenario | None = None) -> None:
    write_text_atomic(path, schedule_to_json(schedule, scenario))


# --- reading schedule.json back: strict, every field named -------------------------------

# Bounds far beyond any summit that keep every later computation (time zones, CP-SAT's
# 64-bit integers, numpy) away from overflow.
MAX_MINUTE = 10_000_000  # minutes from the scenario's epoch: about 19 years
MAX_DAY = 10_000
MAX_ROOM = 1000  # as a scenario's venue (docs/scenario-format.md)
MAX_INT64 = 2**63 - 1
MAX_SCHEDULE_BYTES = 50_000_000
MAX_RIDE_MINUTES = 7 * 24 * 60  # longer is not a ride a published plan gave
MAX_RIDE = dt.timedelta(minutes=MAX_RIDE_MINUTES)
MAX_REVISION = 2**31 - 1  # a calendar's SEQUENCE is a 32-bit integer (RFC 5545)


class _Unusable(str):
    """A number JSON allows but a schedule cannot hold (NaN, Infinity, 1e400, a
    40-digit integer): kept as its text, so that the field it sits in is named."""


def _json_constant(text: str) -> _Unusable:
    return _Unusable(text)


def _json_float(text: str) -> float | _Unusable:
    value = float(text)
    return value if math.isfinite(value) else _Unusable(text)


def _json_int(text: str) -> int | _Unusable:
    return int(text) if len(text.lstrip("-")) <= 30 else _Unusable(text)


def _describe(value: Any) -> str:
    if isinstance(value, _Unusable):
        return str(value) if len(value) <= 40 else f"a number of {len(value)} digits"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {value[:40] + '...' if len(value) > 40 else value!r}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


class _Invalid(Exception):
    """One field of the file is wrong (carries the problem)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _Fields:
    """Typed access to the fields of a parsed schedule.json, failing with the field's
    path (``meetings[3].start_minute``)."""

    HINT = "regenerate it with 'sim solve', or fix this field by hand"

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, path: tuple[str | int, ...], message: str, hint: str = HINT) -> _Invalid:
        return _Invalid(Problem(self.name, None, None, format_path(path), message, hint))

    def get(self, data: dict[str, Any], key: str, path: tuple[str | int, ...]) -> Any:
        if key not in data:
            raise self.fail(path, f"missing required key {key!r}")
        return data[key]

    def obj(self, value: Any, path: tuple[str | int, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected an object {{...}}, got {_describe(value)}")
        return value

    def array(self, value: Any, path: tuple[str | int, ...]) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list [...], got {_describe(value)}")
        return value

    def text(self, value: Any, path: tuple[str | int, ...]) -> str:
        if type(value) is not str:  # an _Unusable number is no text either
            raise self.fail(path, f"expected text, got {_describe(value)}")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                # JSON's \ud800 escapes allow half of a character, which no terminal,
                # file or report can show; an id or a note never holds one
                raise self.fail(
                    path,
                    f"the text holds {value[exc.start]!r}, half of a character "
                    "(a lone surrogate), which is no text",
                ) from None
        return value

    def flag(self, value: Any, path: tuple[str | int, ...]) -> bool:
        if type(value) is not bool:
            raise self.fail(path, f"expected true or false, got {_describe(value)}")
        return value

    def whole(
        self, value: Any, path: tuple[str | int, ...], low: int, high: int, what: str = ""
    ) -> int:
        # type(), not isinstance(): True is an int in Python, not in a schedule
        noun = f"a whole number{what}"
        if type(value) is not int:
            raise self.fail(path, f"expected {noun}, got {_describe(value)}")
        if not low <= value <= high:
            raise self.fail(path, f"expected {noun} from {low} to {high:,}, got {value:,}")
        return value

    def number(self, value: Any, path: tuple[str | int, ...], low: float, high: float) -> float:
        if type(value) not in (int, float):
            raise self.fail(path, f"expected a number, got {_describe(value)}")
        if not low <= value <= high:
            raise self.fail(path, f"expected a number from {low:g} to {high:g}, got {value:g}")
        return float(value)


def _assignment_from(f: _Fields, data: dict[str, Any], path: tuple[str | int, ...]) -> Assignment:
    room = data.get("room", 1)
    return Assignment(
        meeting=f.text(f.get(data, "meeting", path), (*path, "meeting")),
        day=f.whole(f.get(data, "day", path), (*path, "day"), 0, MAX_DAY),
        start=f.whole(
            f.get(data, "start_minute", path),
            (*path, "start_minute"),
            0,
            MAX_MINUTE,
            " of minutes",
        ),
        end=f.whole(
            f.get(data, "end_minute", path), (*path, "end_minute"), 0, MAX_MINUTE, " of minutes"
        ),
        venue=f.text(f.get(data, "venue", path), (*path, "venue")),
        room=f.whole(room, (*path, "room"), 1, MAX_ROOM),
    )


def _objective_from(f: _Fields, data: Any, path: tuple[str | int, ...]) -> ObjectiveValue:
    data = f.obj(data, path)
    return ObjectiveValue(
        f.text(f.get(data, "name", path), (*path, "name")),
        f.whole(f.get(data, "value", path), (*path, "value"), -MAX_INT64, MAX_INT64),
        f.whole(f.get(data, "bound", path), (*path, "bound"), -MAX_INT64, MAX_INT64),
        f.text(data.get("description", ""), (*path, "description")),
    )


def _schedule_from(
    f: _Fields, data: dict[str, Any], problems: list[Problem], positions: list[int]
) -> Schedule:
    """The schedule in ``data``; a problem of one meeting entry is added to
    ``problems`` and the next entry read, so that one run names them all.
    ``positions`` gets the index in ``meetings`` of each assignment, then of each
    meeting not held."""
    scenario = f.obj(f.get(data, "scenario", ()), ("scenario",))
    solver = f.obj(f.get(data, "solver", ()), ("solver",))
    status = f.text(f.get(data, "status", ()), ("status",))
    if status not in {s.value for s in SolveStatus}:
        raise f.fail(
            ("status",),
            f"unknown status {status[:40]!r}",
            f"one of {', '.join(s.value for s in SolveStatus)}",
        )
    settings = SolverSettings(
        f.number(
            f.get(solver, "time_limit_seconds", ("solver",)),
            ("solver", "time_limit_seconds"),
            0,
            1e9,
        ),
        f.whole(f.get(solver, "seed", ("solver",)), ("solver", "seed"), -MAX_INT64, MAX_INT64),
        f.whole(f.get(solver, "workers", ("solver",)), ("solver", "workers"), 0, 1_000_000),
    )
    assignments: list[Assignment] = []
    unscheduled: list[Unscheduled] = []
    held_at: list[int] = []
    unheld_at: list[int] = []
    for index, entry in enumerate(f.array(f.get(data, "meetings", ()), ("meetings",))):
        path: tuple[str | int, ...] = ("meetings", index)
        try:
            entry = f.obj(entry, path)
            if f.flag(f.get(entry, "scheduled", path), (*path, "scheduled")):
                assignments.append(_assignment_from(f, entry, path))
                held_at.append(index)
            else:
                unscheduled.append(
                    Unscheduled(
                        f.text(f.get(entry, "meeting", path), (*path, "meeting")),
                        f.text(entry.get("reason", ""), (*path, "reason")),
                    )
                )
                unheld_at.append(index)
        except _Invalid as exc:
            problems.append(exc.problem)
            if len(problems) >= 20:
                break
    positions += held_at + unheld_at
    objectives = f.array(data.get("objectives", []), ("objectives",))
    notes = f.array(data.get("notes", []), ("notes",))
    return Schedule(
        scenario_id=f.text(f.get(scenario, "id", ("scenario",)), ("scenario", "id")),
        scenario_sha256=f.text(scenario.get("sha256", ""), ("scenario", "sha256")),
        status=SolveStatus(status),
        settings=settings,
        assignments=tuple(assignments),
        unscheduled=tuple(unscheduled),
        objectives=tuple(
            _objective_from(f, o, ("objectives", i)) for i, o in enumerate(objectives)
        ),
        notes=tuple(f.text(n, ("notes", i)) for i, n in enumerate(notes)),
        revision=f.whole(data.get("revision", 0), ("revision",), 0, MAX_REVISION),
    )


def reference_problems(
    schedule: Schedule,
    scenario: Scenario,
    name: str,
    positions: Sequence[int] = (),
    *,
    published: bool = False,
) -> list[Problem]:
    """What in ``schedule`` the scenario does not have: meetings, venues, days, rooms,
    and meetings listed twice or ending before they start. The replay and the exports
    need every one to exist; the checker (``sim check``) reports them as broken rules
    instead. ``positions``: where each assignment, then each meeting not held, is in
    the file's ``meetings`` (default: that order). When there is any problem, the
    first one says whose schedule it is if it was made from another scenario (the
    likely cause).

    ``published``: the schedule is a plan published before the scenario changed (the
    calendars' previous plan), which may name meetings since withdrawn; only the
    venues of the meetings the scenario still has must exist (they are looked up)."""
    problems: list[Problem] = []
    entries: list[tuple[str, Assignment | None]] = [(a.meeting, a) for a in schedule.assignments]
    entries += [(u.meeting, None) for u in schedule.unscheduled]
    where = list(positions) or list(range(len(entries)))

    def add(index: int, field: str, message: str, hint: str = "") -> None:
        path = f"meetings[{where[index]}].{field}"
        problems.append(Problem(name, None, None, path, message, hint))

    def listed(ids: Sequence[str]) -> str:
        shown = ", ".join(ids[:10])
        return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")

    meeting_ids = [m.id for m in scenario.meetings]
    venue_ids = [v.id for v in scenario.venues]
    seen: set[str] = set()
    for key, (meeting, held) in enumerate(entries):
        if published:
            if (
                held is not None
                and meeting in scenario.meeting_by_id
                and held.venue not in scenario.venue_by_id
            ):
                add(
                    key,
                    "venue",
                    f"the published schedule names venue {held.venue!r}, which the "
                    "scenario does not have",
                    "keep the venue in the scenario while a published plan names it, or "
                    "leave out --previous",
                )
            continue
        if meeting not in scenario.meeting_by_id:
            add(
                key,
                "meeting",
                f"the schedule names meeting {meeting!r}, which the scenario does not have",
                f"the scenario's meetings: {listed(meeting_ids)}",
            )
        elif meeting in seen:
            add(key, "meeting", f"meeting {meeting!r} is listed more than once")
        seen.add(meeting)
        if held is None:
            continue
        venue = scenario.venue_by_id.get(held.venue)
        if venue is None:
            add(
                key,
                "venue",
                f"the schedule names venue {held.venue!r}, which the scenario does not have",
                f"the scenario's venues: {listed(venue_ids)}",
            )
        elif held.room > venue.rooms:
            add(
                key,
                "room",
                f"venue {venue.id!r} has {venue.rooms} room{'s' if venue.rooms != 1 else ''}, "
                f"not a room {held.room}",
            )
        if held.end <= held.start:
            add(
                key,
                "end_minute",
                f"the meeting ends (minute {held.end}) before it starts (minute {held.start})",
            )
        if held.day >= len(scenario.days):
            add(
                key,
                "day",
                f"the schedule names day {held.day}, but the scenario's days are "
                f"0 to {len(scenario.days) - 1}",
            )
        elif held.end > held.start:
            day = scenario.days[held.day]
            first = scenario.minutes_from(dt.datetime.combine(day.date, dt.time()))
            last = scenario.minutes_from(dt.datetime.combine(day.date + dt.timedelta(1), dt.time()))
            last = max(last, day.window.end)  # a day may run past midnight
            if not first <= held.start < held.end <= last:
                add(
                    key,
                    "start_minute",
                    f"the meeting (minutes {held.start} to {held.end}) is not within its day "
                    f"{held.day}, {day.date.isoformat()} (minutes {first} to {last})",
                )
    mismatch = provenance_mismatch(schedule, scenario)
    if problems and mismatch is not None and not published:  # a published plan is older
        problems.insert(
            0,
            Problem(
                name,
                None,
                None,
                "scenario",
                mismatch,
                "give the schedule that 'sim solve' made from this scenario",
            ),
        )
    return problems


def schedule_from_json(
    text: str,
    name: str = "<schedule>",
    scenario: Scenario | None = None,
    *,
    published: bool = False,
) -> Schedule:
    """Parse schedule.json; raise ScheduleFileError (naming the file and the field) if
    it is malformed, or, when ``scenario`` is given, if it names a meeting, venue, day
    or room the scenario does not have (``reference_problems``; ``published``: a plan
    published before the scenario changed)."""
    f = _Fields(name)
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark, as some editors write: fine, as in a scenario
    try:
        data = json.loads(
            text, parse_constant=_json_constant, parse_float=_json_float, parse_int=_json_int
        )
    except json.JSONDecodeError as exc:
        raise ScheduleFileError(
            [Problem(name, exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")]
        ) from None
    except RecursionError:
        raise ScheduleFileError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "",
                    "the JSON is nested too deeply to be a schedule",
                    "give the schedule.json written by 'sim solve'",
                )
            ]
        ) from None
    # type(): the format is the number 1, not true
    if not isinstance(data, dict) or type(data.get("format")) is not int:
        raise ScheduleFileError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "",
                    f"not a schedule.json of format {SCHEDULE_FORMAT}",
                    "give the schedule.json written by 'sim solve'",
                )
            ]
        )
    if data["format"] != SCHEDULE_FORMAT:
        raise ScheduleFileError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "format",
                    f"format {data['format']} is not one this program reads "
                    f"(it reads format {SCHEDULE_FORMAT})",
                    "regenerate it with this version's 'sim solve'",
                )
            ]
        )
    problems: list[Problem] = []
    positions: list[int] = []
    try:
        schedule = _schedule_from(f, data, problems, positions)
    except _Invalid as exc:
        problems.append(exc.problem)
    if problems:
        raise ScheduleFileError(problems)
    if scenario is not None:
        problems = reference_problems(schedule, scenario, name, positions, published=published)
        if problems:
            raise ScheduleFileError(problems)
        if published:
            schedule = replace(schedule, published=_published_items(data))
    return schedule


def _moment(entry: Any, key: str) -> dt.datetime | None:
    """An itinerary entry's ISO time with its UTC offset; None when it has none."""
    if not isinstance(entry, dict):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(entry[key]))
        if moment.tzinfo is None:
            return None
        # a moment a ride's length away must still be one (the year 1 or 9999 is not)
        (moment - MAX_RIDE).astimezone(dt.UTC), (moment + MAX_RIDE).astimezone(dt.UTC)
    except (KeyError, ValueError, OverflowError):
        return None
    return moment


def _published_items(data: dict[str, Any]) -> tuple[PublishedItem, ...]:
    """The published itineraries' entries, for every party they name: one the
    scenario no longer has must still have its calendar cancelled. A ride is timed
    from the engagement it leads to (or, for the ride home, follows): its own entry
    has only the scenario's minute numbers, which mean another moment once the
    scenario's days have changed. A ride of no minutes is not one (the calendars
    have none); an entry that does not read as one is passed over."""
    itineraries = data.get("itineraries")
    if not isinstance(itineraries, dict):
        return ()
    found: list[PublishedItem] = []
    for party_id, entries in itineraries.items():
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            kind = entry.get("kind")
            if kind in ("meeting", "event"):
                start, end = _moment(entry, "start"), _moment(entry, "end")
                ident, venue = entry.get("id"), entry.get("venue")
                if start is None or end is None or end <= start:
                    continue
                if isinstance(ident, str) and isinstance(venue, str):
                    found.append(PublishedItem(party_id, kind, ident, start, end, venue))
                continue
            minutes, destination = entry.get("minutes"), entry.get("to")
            if kind != "travel" or not isinstance(destination, str):
                continue
            if not isinstance(minutes, int) or isinstance(minutes, bool):
                continue
            if not 0 < minutes <= MAX_RIDE_MINUTES:
                continue
            length = dt.timedelta(minutes=minutes)
            if "depart_minute" in entry:  # the ride back to the base
                day = entry.get("day")
                departure = _moment(entries[index - 1], "end") if index > 0 else None
                if departure is not None and isinstance(day, int) and not isinstance(day, bool):
                    ident, start, end = f"home:{day}", departure, departure + length
                    found.append(PublishedItem(party_id, kind, ident, start, end, destination))
                continue
            after = entries[index + 1] if index + 1 < len(entries) else None
            arrival = _moment(after, "start")
            ident = after.get("id") if isinstance(after, dict) else None
            if arrival is not None and isinstance(ident, str):
                start, end = arrival - length, arrival
                found.append(PublishedItem(party_id, kind, ident, start, end, destination))
    return tuple(sorted(found, key=lambda r: (r.party, r.start, r.kind, r.ident)))


def read_schedule(
    path: str | Path, scenario: Scenario | None = None, *, published: bool = False
) -> Schedule:
    """Read schedule.json: InputFileError if the file is missing, not a regular file or
    unreadable (a usage error), ScheduleFileError if it is not a schedule (or, with
    ``scenario``, names what the scenario does not have: ``schedule_from_json``)."""
    name = str(path)
    raw = read_regular_file(path, MAX_SCHEDULE_BYTES)
    if len(raw) > MAX_SCHEDULE_BYTES:
        raise ScheduleFileError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "",
                    f"the file is larger than the {MAX_SCHEDULE_BYTES:,} bytes a schedule may be",
                    "give the schedule.json written by 'sim solve'",
                )
            ]
        )
    if b"\x00" in raw:
        raise ScheduleFileError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "",
                    "this is a binary file, not a schedule.json",
                    "give the schedule.json written by 'sim solve'",
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScheduleFileError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "",
                    f"not UTF-8 text (byte {exc.start})",
                    "give the schedule.json written by 'sim solve'",
                )
            ]
        ) from None
    return schedule_from_json(text, name, scenario, published=published)
