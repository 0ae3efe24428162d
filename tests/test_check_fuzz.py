"""A fuzz target for ``sim check``: whatever the schedule file holds, the reader and the
checker answer with an exit code and words, never a traceback.

Three families of documents: arbitrary JSON-ish values (any shape, numbers JSON allows
but a schedule cannot hold: NaN, Infinity, 1e400, 40-digit integers, deep nesting),
mutations of a valid schedule.json of a tiny summit (a field replaced by any value or
removed, a meeting listed twice, an unknown meeting or venue, a status that
contradicts the meetings), and well-formed schedules that make no sense for the
scenario (any ids, days, minutes up to the reader's bounds, venues, rooms, statuses).
Each document goes to the reader
(``schedule_from_json``: a schedule or ``ScheduleFileError``, nothing else) and to
``sim check`` through ``sim.cli.main``: exit 0 (valid), 1 (the file is no schedule,
and the message names the file) or 5 (a hard rule is broken), never 2 or 70.

The default runs are small (the inner loop); the ``slow`` variants run many more.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.check import check
from sim.cli import main
from sim.errors import ScheduleFileError
from sim.exit_codes import ExitCode
from sim.schedule import (
    Assignment,
    Schedule,
    SolverSettings,
    SolveStatus,
    Unscheduled,
    schedule_from_json,
    schedule_to_json,
)
from tests.tiny import base_document, meeting, scenario_of

FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SLOW = settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

ALLOWED = {ExitCode.OK, ExitCode.INVALID_INPUT, ExitCode.RULES_BROKEN}


def tiny_document() -> dict[str, Any]:
    """The tiny morning (tests/tiny.py) with a required meeting, an optional one at the
    other venue and a programme event."""
    document = base_document()
    document["meetings"] = [
        meeting("host-g1", "host", "g1"),
        meeting("host-g2", "host", "g2", duration="45min", required=False, venues=["a", "b"]),
    ]
    document["fixed_events"] = [
        {
            "id": "photo",
            "name": "Family photo",
            "start": "2025-01-10 12:45",
            "end": "2025-01-10 13:00",
            "venue": "a",
            "attendees": ["host", "g3"],
        }
    ]
    return document


SCENARIO = scenario_of(tiny_document())
# 09:40-10:40 at a (the host's base), then 11:20-12:05 at b (10 buffer + 30 travel),
# then back at a for the photo at 12:45 (10 buffer + 30 travel again): nothing to spare.
VALID = Schedule(
    scenario_id=SCENARIO.id,
    scenario_sha256=SCENARIO.source_sha256,
    status=SolveStatus.FEASIBLE,
    settings=SolverSettings(time_limit=10.0, seed=0, workers=1),
    assignments=(
        Assignment("host-g1", 0, 9 * 60 + 40, 10 * 60 + 40, "a"),
        Assignment("host-g2", 0, 11 * 60 + 20, 12 * 60 + 5, "b"),
    ),
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fuzz")
    scenario = folder / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny_document(), sort_keys=False), encoding="utf-8")
    return {"scenario": scenario, "schedule": folder / "schedule.json"}


def test_the_valid_schedule_is_valid(files: dict[str, Path]) -> None:
    """The mutations start from a schedule that breaks nothing (else they prove less)."""
    assert scenario_of(tiny_document()).source_sha256 == SCENARIO.source_sha256
    report = check(SCENARIO, VALID)
    assert report.ok, [str(v) for v in report.violations]
    files["schedule"].write_text(schedule_to_json(VALID, SCENARIO), encoding="utf-8")
    assert main(["check", str(files["scenario"]), str(files["schedule"])]) == ExitCode.OK


# --- documents ----------------------------------------------------------------------

# Numbers as JSON text: what a schedule can hold, and what it cannot.
NUMBER_TEXTS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(
        ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "0.0", "-0", "1E2"]
    ),
    st.sampled_from(["9223372036854775807", "9223372036854775808", str(2**63 * 10**10)]),
)


class Raw(str):
    """A piece of JSON text put in a document as it is (a number JSON's writer would
    refuse or rewrite, such as NaN or 1e400)."""


def to_json(value: Any) -> str:
    """JSON text of ``value``; ``Raw`` pieces go in verbatim."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(str(k))}: {to_json(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


KEYS = st.sampled_from(
    [
        "format",
        "scenario",
        "status",
        "solver",
        "meetings",
        "objectives",
        "notes",
        "changes",
        "meeting",
        "day",
        "start_minute",
        "end_minute",
        "venue",
        "room",
        "scheduled",
        "reason",
        "id",
        "sha256",
        "name",
        "value",
        "bound",
        "seed",
        "workers",
        "time_limit_seconds",
    ]
) | st.text(max_size=8)

LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    NUMBER_TEXTS.map(Raw),
    st.text(max_size=20),
    st.sampled_from(
        ["host-g1", "host-g2", "nobody", "a", "b", "optimal", "infeasible", "\x1b[2J", "\ud800"]
    ),
)

VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


# Any value at all, or an object that passes the first test (format 1) with any keys.
ANY_DOCUMENT = VALUES | st.dictionaries(KEYS, VALUES, max_size=8).map(lambda d: {"format": 1, **d})


def valid_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(schedule_to_json(VALID, SCENARIO))
    return document


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document (not the root)."""
    found: list[tuple[Any, ...]] = []
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for key, child in children:
        found.append((*prefix, key))
        found += paths(child, (*prefix, key))
    return found


def parent_of(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


VALID_PATHS = paths(valid_document())


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """The valid schedule.json with one to three changes."""
    document = valid_document()
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in paths(document) if p] or VALID_PATHS[:1]))
        try:
            parent = parent_of(document, path)
            key = path[-1]
            _ = parent[key]  # an earlier change may have removed it
        except (KeyError, IndexError, TypeError):
            continue
        action = draw(st.sampled_from(["replace", "remove", "number", "duplicate", "nest"]))
        if action == "replace":
            parent[key] = draw(VALUES)
        elif action == "number":
            parent[key] = Raw(draw(NUMBER_TEXTS))
        elif action == "remove":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[key] = [[[{"x": [parent[key]]}]]]
    return document


MEETING_IDS = st.sampled_from(["host-g1", "host-g2", "host-g9", "photo", "a"])
MINUTES = st.one_of(
    st.integers(0, 10_000_000),
    st.integers(9 * 60 - 30, 13 * 60 + 30),  # near the tiny summit's morning
    st.sampled_from([0, 1, 24 * 60 - 1, 24 * 60, 10_000_000]),
)


@st.composite
def well_formed(draw: st.DrawFn) -> Schedule:
    """A schedule the reader takes (every field of the right type and range) that may
    make no sense at all for the scenario: any meetings, days, minutes, venues, rooms."""
    assignments = draw(
        st.lists(
            st.builds(
                Assignment,
                meeting=MEETING_IDS,
                day=st.integers(0, 10_000),
                start=MINUTES,
                end=MINUTES,
                venue=st.sampled_from(["a", "b", "nowhere"]),
                room=st.integers(1, 1000),
            ),
            max_size=4,
        )
    )
    unscheduled = draw(st.lists(st.builds(Unscheduled, MEETING_IDS, st.text(max_size=5))))
    return Schedule(
        scenario_id=draw(st.sampled_from([SCENARIO.id, "other"])),
        scenario_sha256=draw(st.sampled_from([SCENARIO.source_sha256, ""])),
        status=draw(st.sampled_from(list(SolveStatus))),
        settings=VALID.settings,
        assignments=tuple(assignments),
        unscheduled=tuple(unscheduled[:4]),
    )


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "a meeting held twice": lambda d: d["meetings"].append(copy.deepcopy(d["meetings"][0])),
    "an unknown meeting": lambda d: d["meetings"][0].update(meeting="host-g9"),
    "an unknown venue": lambda d: d["meetings"][0].update(venue="nowhere"),
    "an unknown day": lambda d: d["meetings"][0].update(day=9999),
    "a huge room": lambda d: d["meetings"][0].update(room=1000),
    "ends before it starts": lambda d: d["meetings"][0].update(end_minute=0),
    "the last minute there is": lambda d: d["meetings"][0].update(
        start_minute=10_000_000, end_minute=10_000_000
    ),
    "held and not held": lambda d: d["meetings"].append(
        {"meeting": "host-g1", "scheduled": False, "reason": ""}
    ),
    "no meetings at all": lambda d: d.update(meetings=[]),
    "infeasible but holding meetings": lambda d: d.update(status="infeasible"),
    "another scenario": lambda d: d["scenario"].update(id="other", sha256=""),
    "claims that lie": lambda d: d.update(
        objectives=[{"name": "travel", "value": -(2**63) + 1, "bound": 2**63 - 1}]
    ),
    "an unknown objective": lambda d: d.update(objectives=[{"name": "x", "value": 1, "bound": 0}]),
    "negative minutes": lambda d: d["meetings"][0].update(start_minute=-60, end_minute=0),
    "a lone surrogate in an id": lambda d: d["meetings"][0].update(meeting="\ud800"),
    "escapes in an id": lambda d: d["meetings"][0].update(meeting="\x1b]0;owned\x07"),
    "a lone surrogate in a venue": lambda d: d["meetings"][0].update(venue="\udfff"),
}


# --- the target ---------------------------------------------------------------------


def run_check(
    files: dict[str, Path], text: str, capsys: pytest.CaptureFixture[str], as_json: bool = False
) -> int:
    """``sim check`` (with ``--json`` when ``as_json``) on ``text`` as a schedule file; the
    exit code, after asserting what every answer must be."""
    files["schedule"].write_text(text, encoding="utf-8")
    capsys.readouterr()
    flags = ["--json"] if as_json else []
    code = main(["check", *flags, str(files["scenario"]), str(files["schedule"])])
    out, err = capsys.readouterr()
    assert code in ALLOWED, (code, err[-2000:])
    assert "Traceback" not in out + err
    assert "internal error" not in err
    if code == ExitCode.INVALID_INPUT:
        assert err.startswith(str(files["schedule"])), err[:500]
        assert "problem" in err.splitlines()[-1]
        if as_json:
            assert json.loads(out)["exit_code"] == 1
    elif as_json:
        assert json.loads(out)["ok"] is (code == ExitCode.OK)
    else:
        assert "valid" in out.lower()  # the verdict line: "valid: ..." or "not valid: ..."
    return code


def read_directly(text: str) -> None:
    """The reader alone: a schedule, or ScheduleFileError naming the file; never another
    exception. A schedule it returns must be one the checker can judge."""
    try:
        schedule = schedule_from_json(text, "given.json")
    except ScheduleFileError as exc:
        assert exc.problems
        assert all(p.file == "given.json" for p in exc.problems)
        return
    for a in schedule.assignments:
        assert all(type(x) is int for x in (a.day, a.start, a.end, a.room))
    assert all(type(o.value) is int and type(o.bound) is int for o in schedule.objectives)
    assert math.isfinite(schedule.settings.time_limit)
    check(SCENARIO, schedule)  # must not raise
    # read against the scenario (as simulate and export read it): the same answers
    for published in (False, True):
        try:
            schedule_from_json(text, "given.json", SCENARIO, published=published)
        except ScheduleFileError as exc:
            assert exc.problems
            assert all(p.file == "given.json" for p in exc.problems)


def fuzz_any(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], value: Any, as_json: bool
) -> None:
    text = to_json(value)
    read_directly(text)
    run_check(files, text, capsys, as_json)


def fuzz_mutation(
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    document: dict[str, Any],
    as_json: bool,
) -> None:
    text = to_json(document)
    read_directly(text)
    run_check(files, text, capsys, as_json)


@FAST
@given(value=ANY_DOCUMENT, as_json=st.booleans())
def test_any_json_document(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], value: Any, as_json: bool
) -> None:
    fuzz_any(files, capsys, value, as_json)


@FAST
@given(document=mutated(), as_json=st.booleans())
def test_a_mutated_schedule(
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    document: dict[str, Any],
    as_json: bool,
) -> None:
    fuzz_mutation(files, capsys, document, as_json)


@pytest.mark.slow
@SLOW
@given(value=ANY_DOCUMENT, as_json=st.booleans())
def test_any_json_document_many(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], value: Any, as_json: bool
) -> None:
    fuzz_any(files, capsys, value, as_json)


@pytest.mark.slow
@SLOW
@given(document=mutated(), as_json=st.booleans())
def test_a_mutated_schedule_many(
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    document: dict[str, Any],
    as_json: bool,
) -> None:
    fuzz_mutation(files, capsys, document, as_json)


def judge_well_formed(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], schedule: Schedule
) -> None:
    text = schedule_to_json(schedule)
    read_directly(text)
    code = run_check(files, text, capsys)
    # the reader takes it, so the checker judges it: valid or not, never a file problem
    assert code in {ExitCode.OK, ExitCode.RULES_BROKEN}


@FAST
@given(schedule=well_formed())
def test_a_well_formed_schedule_of_anything(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], schedule: Schedule
) -> None:
    judge_well_formed(files, capsys, schedule)


@pytest.mark.slow
@SLOW
@given(schedule=well_formed())
def test_a_well_formed_schedule_of_anything_many(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], schedule: Schedule
) -> None:
    judge_well_formed(files, capsys, schedule)


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_a_named_mutation(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], edit: str
) -> None:
    """Mutations a hostile user tries first, each one on its own."""
    document = valid_document()
    EDITS[edit](document)
    text = to_json(document)
    read_directly(text)
    code = run_check(files, text, capsys)
    if edit in {"another scenario", "claims that lie", "an unknown objective"}:
        assert code == ExitCode.OK  # warnings only: the plan itself is unchanged
    else:
        assert code in {ExitCode.INVALID_INPUT, ExitCode.RULES_BROKEN}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"format": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"format": 1, "meetings": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}",
        "",
        "null",
        "NaN",
        "Infinity",
        '{"format": NaN}',
        '{"format": 1e400}',
        '{"format": 1.0}',
        '{"format": 1, "format": 1}',
        "\ufeff{}",
        '"\\ud800"',
        '{"format": 1, "status": "\\u0000"}',
    ],
    ids=lambda t: t[:24],
)
def test_odd_texts(files: dict[str, Path], capsys: pytest.CaptureFixture[str], text: str) -> None:
    read_directly(text)
    assert run_check(files, text, capsys) == ExitCode.INVALID_INPUT


# --- regressions ----------------------------------------------------------------------


def test_half_a_character_is_refused_with_its_field() -> None:
    """A lone surrogate (JSON's "\\ud800") in a meeting id reached the terminal and ended
    ``sim check`` with an internal error (exit 70); it is refused where it stands."""
    document = valid_document()
    document["meetings"][1]["venue"] = "\ud800"
    with pytest.raises(ScheduleFileError) as refused:
        schedule_from_json(json.dumps(document), "given.json")
    assert [p.path for p in refused.value.problems] == ["meetings[1].venue"]
    assert "half of a character" in refused.value.problems[0].message


def test_a_byte_order_mark_is_fine(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Some editors start a UTF-8 file with a byte-order mark; the scenario reader takes
    it, and so does the schedule reader (it was 'not valid JSON: Unexpected UTF-8 BOM')."""
    assert schedule_from_json("\ufeff" + schedule_to_json(VALID, SCENARIO)) == VALID
    assert run_check(files, "\ufeff" + schedule_to_json(VALID, SCENARIO), capsys) == ExitCode.OK
