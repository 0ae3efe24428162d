"""A B2B meeting-scheduling instance (Bofill et al., JAIR 2022) as a summit scenario.

One day of one-slot meetings, a slot being the scenario's grain: the tables are
the rooms of one venue, the morning and afternoon sessions are meeting windows,
a participant's forbidden slots are unavailable periods, a fixed meeting is
pinned, a precedence is an ``after`` relation, every meeting is required, and
the objective is ``compact_days`` with the paper's fairness bound d = 2.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from pathlib import Path
from typing import Any

from sim.b2b.dzn import DznError, Value, read_dzn
from sim.errors import Problem, ScenarioError
from sim.model import Scenario
from sim.scenario.load import load_scenario_text
from sim.scenario.safe_yaml import read_input
from sim.scenario.write import document_to_yaml

SLOT_MINUTES = 30
DAY_START = 9 * 60  # 09:00
DATE = "2022-01-10"  # any date: the instances have none
FAIRNESS = 2  # the paper's d

_INTEGERS = ("nBusiness", "nMeetings", "nTables", "nTotalSlots", "nMorningSlots")
# the other fields of the benchmark's files (``meetingsxBusiness`` is not read: it
# restates ``requested``)
_OPTIONAL = ("forbidden", "fixed", "precedences", "nMeetingsBusiness", "meetingsxBusiness")
_FIELDS = (*_INTEGERS, "requested", *_OPTIONAL)
# far beyond the largest instances (78 participants, 302 meetings), and what the
# scenario format takes (at most 1,000 rooms)
MAX_PARTICIPANTS = 10_000
MAX_MEETINGS = 50_000
MAX_TABLES = 1_000


class _Instance:
    """The fields of one .dzn file, checked against each other."""

    def __init__(self, values: dict[str, Value], lines: dict[str, int], file: str) -> None:
        self.values, self.lines, self.file = values, lines, file
        for name in values:
            if name not in _FIELDS:
                close = difflib.get_close_matches(name, _FIELDS, 1)
                hint = f"did you mean {close[0]}?" if close else "remove it"
                raise self.fail(name, "not a field of the B2B benchmark's instances", hint)
        for name in (*_INTEGERS, "requested"):
            if name not in values:
                raise self.fail(name, "missing", f"add {name} = ...;")
        for name in _INTEGERS:
            value = values[name]
            if not isinstance(value, int) or value < 0:
                raise self.fail(name, "not a whole number >= 0")
        self.businesses = self.integer("nBusiness")
        self.count = self.integer("nMeetings")
        self.tables = self.integer("nTables")
        self.slots = self.integer("nTotalSlots")
        self.morning = self.integer("nMorningSlots")
        if self.tables < 1:
            raise self.fail("nTables", "there must be at least one table")
        for name, most in (
            ("nBusiness", MAX_PARTICIPANTS),
            ("nMeetings", MAX_MEETINGS),
            ("nTables", MAX_TABLES),
        ):
            if self.integer(name) > most:
                raise self.fail(name, f"{self.integer(name):,} is more than {most:,}")
        if not 1 <= self.slots <= 40:
            raise self.fail("nTotalSlots", f"{self.slots} slots", "give 1 to 40 slots")
        if self.morning > self.slots:
            raise self.fail("nMorningSlots", f"{self.morning} is more than nTotalSlots")
        self.requested = self.rows()
        self.forbidden = self.sets("forbidden", self.businesses, 0, self.slots)
        self.fixed = self.fixed_slots()
        self.precedences = self.sets("precedences", self.count, 0, self.count)
        self.check_counts()

    def fail(self, field: str, message: str, hint: str = "", item: int | None = None) -> DznError:
        """``item``: the row or item (from 1) at fault, whose own line is named."""
        line = self.lines.get(f"{field}[{item}]") if item is not None else None
        line = line or self.lines.get(field)
        return DznError([Problem(self.file, line, None, field, message, hint)])

    def integer(self, name: str) -> int:
        value = self.values[name]
        assert isinstance(value, int)
        return value

    def rows(self) -> list[tuple[int, int, int]]:
        table = self.values["requested"]
        if not isinstance(table, list) or len(table) != self.count:
            raise self.fail(
                "requested", f"expected a table of {self.count} rows [| p1, p2, session | ... |]"
            )
        rows = []
        for number, row in enumerate(table, start=1):
            numbers = _ints(row)
            if numbers is None or len(numbers) != 3:
                raise self.fail(
                    "requested",
                    f"row {number} is not p1, p2, session",
                    "write the two participants' numbers and the session (1, 2 or 3)",
                    number,
                )
            a, b, session = numbers
            for party in (a, b):
                if not 1 <= party <= self.businesses:
                    raise self.fail(
                        "requested",
                        f"row {number}: participant {party} is not 1..{self.businesses}",
                        f"participants are numbered 1 to nBusiness ({self.businesses})",
                        number,
                    )
            if a == b:
                raise self.fail(
                    "requested",
                    f"row {number}: a participant meets itself",
                    "a meeting is between two participants: fix the row or remove it "
                    "(and lower nMeetings)",
                    number,
                )
            if session not in (1, 2, 3):
                raise self.fail(
                    "requested",
                    f"row {number}: session {session}",
                    "1 = morning, 2 = afternoon, 3 = either",
                    number,
                )
            if (session == 1 and self.morning == 0) or (
                session == 2 and self.morning == self.slots
            ):
                raise self.fail(
                    "requested",
                    f"row {number}: that session has no slots",
                    "give session 3 (either), or change nMorningSlots",
                    number,
                )
            rows.append((a, b, session))
        return rows

    def sets(self, name: str, length: int, low: int, high: int) -> list[frozenset[int]]:
        """An array of sets, 0 being padding; absent means empty sets."""
        if name not in self.values:
            return [frozenset()] * length
        array = self.values[name]
        if not isinstance(array, list) or len(array) != length:
            raise self.fail(name, f"expected an array of {length} sets")
        found = []
        for number, item in enumerate(array, start=1):
            if not isinstance(item, frozenset):
                raise self.fail(
                    name, f"item {number} is not a set {{...}}", "write {} for none", number
                )
            bad = [v for v in item if not low <= v <= high]
            if bad:
                raise self.fail(
                    name,
                    f"item {number}: {bad[0]} is not {low}..{high}",
                    "0 pads a set; the others count from 1",
                    number,
                )
            if name == "precedences" and number in item:
                raise self.fail(
                    name,
                    f"item {number}: meeting {number} cannot precede itself",
                    f"remove {number} from item {number}",
                    number,
                )
            found.append(frozenset(v for v in item if v != 0))
        return found

    def fixed_slots(self) -> list[int]:
        if "fixed" not in self.values:
            return [0] * self.count
        array = _ints(self.values["fixed"])
        if (
            array is None
            or len(array) != self.count
            or not all(0 <= v <= self.slots for v in array)
        ):
            raise self.fail("fixed", f"expected {self.count} slots 0..{self.slots} (0 = free)")
        return array

    def check_counts(self) -> None:
        """``nMeetingsBusiness``, when given, must agree with ``requested``."""
        if "nMeetingsBusiness" not in self.values:
            return
        given = self.values["nMeetingsBusiness"]
        counted = Counter(p for a, b, _ in self.requested for p in (a, b))
        expected = [counted[p] for p in range(1, self.businesses + 1)]
        if given != expected:
            raise self.fail(
                "nMeetingsBusiness", "does not match the meetings in requested", "fix either"
            )


def _ints(value: object) -> list[int] | None:
    """The value as a list of whole numbers, or None when it is not one."""
    if not isinstance(value, list):
        return None
    found = [v for v in value if isinstance(v, int)]
    return found if len(found) == len(value) else None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _slot(slot: int) -> int:
    """Minutes after midnight at which slot ``slot`` (1-based) starts."""
    return DAY_START + (slot - 1) * SLOT_MINUTES


def _runs(slots: frozenset[int]) -> list[tuple[int, int]]:
    """Consecutive slots as (first, last) runs."""
    runs: list[list[int]] = []
    for slot in sorted(slots):
        if runs and slot == runs[-1][1] + 1:
            runs[-1][1] = slot
        else:
            runs.append([slot, slot])
    return [(a, b) for a, b in runs]


def scenario_id(name: str) -> str:
    """A scenario id from the instance's file name, whatever that name is: ASCII
    letters, digits, '_', '-' and '.', starting with a letter or digit, at most 80
    characters ("café.dzn" gives "caf-", "_x.dzn" gives "x"); "b2b" when nothing is
    left. The file has no id of its own, so a name the format would refuse must
    not make a valid instance unreadable."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "_-.") else "-" for c in name)
    start = next((i for i, c in enumerate(ascii_name) if c.isalnum()), len(ascii_name))
    return ascii_name[start:][:80] or "b2b"


def b2b_document(text: str, file: str, name: str) -> dict[str, Any]:
    """The scenario document of a .dzn text (raises DznError naming file, line, field)."""
    values, lines = read_dzn(text, file)
    instance = _Instance(values, lines, file)
    ident = scenario_id(name)
    day_end = _slot(instance.slots + 1)
    parties = []
    for number in range(1, instance.businesses + 1):
        # Every participant's meetings are planned: each is a principal.
        party: dict[str, Any] = {
            "id": f"p{number}",
            "name": f"Participant {number}",
            "principal": True,
        }
        forbidden = instance.forbidden[number - 1]
        if forbidden:
            party["unavailable"] = [
                {"start": _clock(_slot(a)), "end": _clock(_slot(b + 1)), "reason": "forbidden"}
                for a, b in _runs(forbidden)
            ]
        parties.append(party)
    morning = {"start": _clock(DAY_START), "end": _clock(_slot(instance.morning + 1))}
    afternoon = {"start": _clock(_slot(instance.morning + 1)), "end": _clock(day_end)}
    meetings = []
    for number, (a, b, session) in enumerate(instance.requested, start=1):
        meeting: dict[str, Any] = {
            "id": f"m{number}",
            "parties": [f"p{a}", f"p{b}"],
            "duration": f"{SLOT_MINUTES}min",
            "required": True,
        }
        if session != 3 and 0 < instance.morning < instance.slots:
            meeting["windows"] = [morning if session == 1 else afternoon]
        earlier = sorted(instance.precedences[number - 1])
        if earlier:
            meeting["after"] = [f"m{m}" for m in earlier]
        if instance.fixed[number - 1]:
            # a date and time: slots from the 31st on start past midnight, the next date
            pinned = dt.datetime.fromisoformat(DATE) + dt.timedelta(
                minutes=_slot(instance.fixed[number - 1])
            )
            meeting["pinned"] = pinned.strftime("%Y-%m-%d %H:%M")
        meetings.append(meeting)
    return {
        "version": 1,
        "id": ident,
        "name": f"B2B meetings {name}",
        "description": f"Imported from {Path(file).name}: {instance.businesses} participants, "
        f"{instance.count} meetings, {instance.tables} tables, {instance.slots} slots of "
        f"{SLOT_MINUTES} min ({instance.morning} in the morning).",
        "timezone": "UTC",
        "grain": f"{SLOT_MINUTES}min",
        "days": [{"date": DATE, "start": _clock(DAY_START), "end": _clock(day_end)}],
        "venues": [{"id": "tables", "name": "Meeting tables", "rooms": instance.tables}],
        "parties": parties,
        "meetings": meetings,
        "rules": {
            "buffer": "0min",
            "objectives": ["compact_days"],
            "fairness": FAIRNESS,
        },
    }


def b2b_yaml(path: str | Path) -> str:
    """The scenario YAML of a B2B instance file."""
    raw = read_input(path)
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
    except UnicodeDecodeError as exc:
        raise DznError(
            [Problem(str(path), None, None, "", f"not UTF-8 text (byte {exc.start})")]
        ) from exc
    name = Path(path).name.removesuffix(".dzn")
    header = f"B2B instance {Path(path).name}, imported by sim import-b2b."
    return document_to_yaml(b2b_document(text, str(path), name), header)


def load_imported(text: str, path: str | Path) -> Scenario:
    """The scenario ``b2b_yaml`` made of the instance at ``path``, validated. A problem
    the scenario's checks find (one the instance's own checks let through) names the
    instance file and the scenario's field, not a line of a YAML file never written."""
    try:
        return load_scenario_text(text, f"{Path(path).name} (imported)")
    except ScenarioError as exc:
        raise DznError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    f"(as a scenario) {problem.path}".rstrip(),
                    problem.message,
                    problem.hint,
                )
                for problem in exc.problems
            ]
        ) from exc


def import_b2b(path: str | Path) -> Scenario:
    """A B2B instance file as a validated scenario."""
    return load_imported(b2b_yaml(path), path)
