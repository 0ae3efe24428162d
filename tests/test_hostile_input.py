"""Trust under bad input: whatever a user gives ``sim``, no traceback; a clear error
naming the file, the field (and line) and a fix; the right exit code (1 for bad
file contents, 2 for bad arguments and unusable paths); no half-written file.

Each case family of the issue "Trust under bad input" is a section below. Every
command run goes through ``sim_main`` (in-process) or ``sim_process`` (a fresh
``python -m sim``), which record (family, exit code, traceback seen); run this file
as a module (``python -m tests.test_hostile_input``) for the table of the issue:
family | cases tried | exit codes seen | tracebacks.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.cli import main
from sim.errors import ScheduleFileError
from sim.exit_codes import ExitCode
from sim.scenario.load import load_scenario
from sim.schedule import read_schedule, schedule_from_json, write_schedule
from sim.solve import SolveSettings, solve
from sim.times import parse_duration
from tests.tiny import base_document, meeting

ROOT = Path(__file__).resolve().parent.parent
ROOTED = hasattr(os, "geteuid") and os.geteuid() == 0

# (family, exit code, whether a traceback was seen), one per command run
RESULTS: list[tuple[str, int, bool]] = []


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def sim_main(family: str, capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Outcome:
    """``sim ARGV`` in this process (argparse's refusals arrive as SystemExit)."""
    capsys.readouterr()  # what came before is not this command's
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    except BaseException:
        RESULTS.append((family, -1, True))
        raise
    captured = capsys.readouterr()
    outcome = Outcome(int(code), captured.out, captured.err)
    RESULTS.append((family, outcome.code, "Traceback" in outcome.text))
    assert "Traceback" not in outcome.text, outcome.text
    return outcome


def sim_process(family: str, *argv: str | Path, timeout: float = 120) -> Outcome:
    """``python -m sim ARGV`` in a fresh interpreter, with a time limit."""
    done = subprocess.run(
        [sys.executable, "-m", "sim", *(str(a) for a in argv)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )
    outcome = Outcome(done.returncode, done.stdout, done.stderr)
    RESULTS.append((family, outcome.code, "Traceback" in outcome.text))
    assert "Traceback" not in outcome.text, outcome.text
    return outcome


# --- fixtures: a tiny scenario, a good schedule of it, a published output folder -------


def tiny_document() -> dict[str, Any]:
    document = base_document()
    document["meetings"] = [
        meeting("host-g1", "host", "g1", required=False),
        meeting("host-g2", "host", "g2", required=False),
    ]
    return document


def write_yaml(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``scenario``: tiny.yaml; ``schedule``: its solved schedule.json."""
    folder = tmp_path_factory.mktemp("hostile")
    scenario_path = write_yaml(folder / "tiny.yaml", tiny_document())
    scenario = load_scenario(scenario_path)
    schedule_path = folder / "good" / "schedule.json"
    write_schedule(schedule_path, solve(scenario, SolveSettings(time_limit=10)).schedule, scenario)
    return {"scenario": scenario_path, "schedule": schedule_path}


@pytest.fixture()
def scenario(files: dict[str, Path]) -> Path:
    return files["scenario"]


@pytest.fixture()
def schedule(files: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the good schedule.json, in this test's own folder."""
    copied = tmp_path / "given" / "schedule.json"
    copied.parent.mkdir()
    copied.write_bytes(files["schedule"].read_bytes())
    return copied


@pytest.fixture()
def published(files: dict[str, Path], tmp_path: Path) -> Iterator[Path]:
    """An output folder that already holds a good schedule.json: a failing command
    must leave it exactly as it was, and leave no temporary file anywhere."""
    folder = tmp_path / "published"
    folder.mkdir()
    before = files["schedule"].read_bytes()
    (folder / "schedule.json").write_bytes(before)
    yield folder
    assert (folder / "schedule.json").read_bytes() == before
    assert sorted(folder.iterdir()) == [folder / "schedule.json"]
    assert list(tmp_path.rglob(".*.tmp")) == []


def no_temporary_files(root: Path) -> None:
    assert list(root.rglob(".*.tmp")) == []


# --- 1. output paths that cannot be used ---------------------------------------------------

FOLDER_COMMANDS: dict[str, Callable[[Path, Path, Path], list[str | Path]]] = {
    "solve": lambda sc, sh, out: ["solve", sc, "-q", "--time-limit", "5", "-o", out],
    "simulate": lambda sc, sh, out: [
        "simulate", sc, "--schedule", sh, "--runs", "2", "--workers", "1", "-q", "-o", out,
    ],
    "export": lambda sc, sh, out: ["export", sh, "--scenario", sc, "-q", "-o", out],
    "run": lambda sc, sh, out: ["run", sc, "--runs", "0", "-q", "-o", out],
}  # fmt: skip
FILE_COMMANDS: dict[str, Callable[[Path, Path, Path], list[str | Path]]] = {
    "schema": lambda sc, sh, out: ["schema", "-o", out],
    "generate": lambda sc, sh, out: [
        "generate", "--parties", "4", "--requests", "3", "--days", "1", "--venues", "2",
        "--seed", "1", "-o", out,
    ],
}  # fmt: skip


def bad_output(kind: str, tmp_path: Path, folder_wanted: bool) -> tuple[Path, str]:
    """An output path of the given kind, and what the error must say about it."""
    a_file = tmp_path / "file.txt"
    a_file.write_text("a file\n", encoding="utf-8")
    if kind == "existing file":
        if folder_wanted:
            return a_file, "is a file, not a folder"
        folder = tmp_path / "a-folder"
        folder.mkdir()
        return folder, "is a folder, not a file"
    if kind == "under a file":
        return a_file / "out", f"{a_file} is a file, not a folder"
    if kind == "dangling symlink":
        link = tmp_path / "dangling"
        link.symlink_to(tmp_path / "nowhere" / "x")
        return link, "which does not exist"
    if kind == "symlink loop":
        link = tmp_path / "loop"
        link.symlink_to(link)
        return link, "leads back to itself"
    if kind == "under a symlink loop":
        link = tmp_path / "loop"
        link.symlink_to(link)
        return link / "out", "leads back to itself"
    assert kind == "folder without write permission"
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    return locked / "out", "permission denied"


OUTPUT_KINDS = [
    "existing file",
    "under a file",
    "dangling symlink",
    "symlink loop",
    "under a symlink loop",
    pytest.param(
        "folder without write permission",
        marks=pytest.mark.skipif(ROOTED, reason="root may write anywhere"),
    ),
]


@pytest.mark.parametrize("kind", OUTPUT_KINDS)
@pytest.mark.parametrize("command", [*FOLDER_COMMANDS, *FILE_COMMANDS])
def test_an_unusable_output_path_is_a_usage_error(
    command: str,
    kind: str,
    scenario: Path,
    schedule: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder_wanted = command in FOLDER_COMMANDS
    out, reason = bad_output(kind, tmp_path, folder_wanted)
    argv = (FOLDER_COMMANDS | FILE_COMMANDS)[command](scenario, schedule, out)
    outcome = sim_main("1. unusable output paths", capsys, *argv)
    assert outcome.code == ExitCode.USAGE
    assert f"{out}: --output: " in outcome.err
    assert reason in outcome.err
    no_temporary_files(tmp_path)
    if kind == "existing file" and folder_wanted:
        assert (tmp_path / "file.txt").read_text(encoding="utf-8") == "a file\n"


@pytest.mark.parametrize("command", ["schema", "generate"])
def test_a_device_is_no_output_file(
    command: str, scenario: Path, schedule: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file is written whole by renaming over it: that would replace /dev/full itself.
    argv = FILE_COMMANDS[command](scenario, schedule, Path("/dev/full"))
    outcome = sim_main("1. unusable output paths", capsys, *argv)
    assert outcome.code == ExitCode.USAGE
    assert "/dev/full: --output: is a device or a pipe, not a regular file" in outcome.err
    assert Path("/dev/full").is_char_device()


def test_the_output_is_checked_before_the_work(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A budget of an hour: the command must refuse at once, not after the solve.
    (tmp_path / "file.txt").write_text("", encoding="utf-8")
    outcome = sim_main(
        "1. unusable output paths",
        capsys,
        *("solve", scenario, "--time-limit", "3600", "-o", tmp_path / "file.txt"),
    )
    assert outcome.code == ExitCode.USAGE
    assert "result:" not in outcome.out  # no plan printed: nothing was solved


def test_a_folder_in_the_way_of_an_output_file(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not found by the early check: the write itself fails, and the error names the
    # file meant, not the temporary one.
    out = tmp_path / "out"
    (out / "schedule.json").mkdir(parents=True)
    outcome = sim_main("1. unusable output paths", capsys, "solve", scenario, "-q", "-o", out)
    assert outcome.code == ExitCode.USAGE
    assert f"{out / 'schedule.json'}: Is a directory; a folder is in the way" in outcome.err
    no_temporary_files(tmp_path)


def test_an_unusable_output_with_json_is_a_json_problem(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("", encoding="utf-8")
    outcome = sim_main(
        "1. unusable output paths", capsys, "solve", scenario, "--json", "-o", a_file
    )
    assert outcome.code == ExitCode.USAGE
    reported = json.loads(outcome.out)
    assert reported["ok"] is False and reported["exit_code"] == ExitCode.USAGE
    assert reported["problems"][0]["message"] == "is a file, not a folder"


def test_more_workers_than_cores_are_capped_with_a_note(
    scenario: Path, schedule: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cores = os.cpu_count() or 1
    outcome = sim_main(
        "3. numeric arguments",
        capsys,
        *("solve", scenario, "-q", "--time-limit", "5", "--workers", "1000"),
    )
    assert outcome.code == ExitCode.OK
    assert f"note: --workers 1000 is more than the {cores} cores here; using {cores}" in (
        outcome.err
    )
    outcome = sim_main(
        "3. numeric arguments",
        capsys,
        *("simulate", scenario, "--schedule", schedule, "--runs", "2", "-q"),
        *("--workers", "1000", "--policy", "as-planned"),
    )
    assert outcome.code == ExitCode.OK
    assert "note: --workers 1000 is more than" in outcome.err


# --- 2. rich markup and terminal escapes in names and paths -------------------------------

MARKUP_NAME = "Summit [/bold] [red]x\x1b[2J :smile:"
MARKUP_PARTY = "Guest [/bold]\x1b]0;pwned\x07"


@pytest.fixture()
def marked_up(tmp_path: Path) -> Path:
    document = tiny_document()
    document["name"] = MARKUP_NAME
    document["parties"][1]["name"] = MARKUP_PARTY
    document["venues"][0]["name"] = "Hall [/i] [link=file:///etc]x"
    document["meetings"][1]["title"] = "[bold]talks[/]"
    return write_yaml(tmp_path / "markup.yaml", document)


def test_markup_in_names_and_paths_is_shown_literally(
    marked_up: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    family = "2. markup and escapes in names"
    out = tmp_path / "plan[/bold]"
    solved = sim_main(family, capsys, "solve", marked_up, "--time-limit", "5", "-o", out)
    assert solved.code == ExitCode.OK
    assert "Summit [/bold] [red]x?[2J :smile:: 2 meetings in the plan" in solved.out
    assert "Host – Guest [/bold]?]0;pwned?" in solved.out
    assert "Hall [/i] [link=file:///etc]x" in solved.out
    assert f"wrote {out / 'schedule.json'}" in solved.out
    runs = [
        ("validate", marked_up),
        ("check", marked_up, out / "schedule.json"),
        ("simulate", marked_up, "--schedule", out / "schedule.json", "--runs", "2"),
        ("export", out / "schedule.json", "--scenario", marked_up, "-o", tmp_path / "e[/x]"),
        ("run", marked_up, "--runs", "2", "-o", tmp_path / "r[red]"),
    ]
    for argv in [solved_argv for solved_argv in runs]:
        extra = ("--workers", "1") if argv[0] in ("simulate", "run") else ()
        outcome = sim_main(family, capsys, *argv, *extra)
        assert outcome.code == ExitCode.OK, outcome.text
        assert "\x1b" not in outcome.text  # no escape sequence of the scenario's
        assert "\x07" not in outcome.text
    assert (tmp_path / "r[red]" / "index.html").is_file()
    no_temporary_files(tmp_path)


def test_markup_in_the_simulation_tables(
    marked_up: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The tables come from sim.export.simulation with the scenario's name in a title
    # and, with two schedules, their names (a folder's name) in the variants' labels.
    family = "2. markup and escapes in names"
    plan = tmp_path / "[bold]plan" / "schedule.json"
    assert sim_main(family, capsys, "solve", marked_up, "-q", "-o", plan.parent).code == 0
    other = plan.with_name("[red]other.json")
    other.write_bytes(plan.read_bytes())
    outcome = sim_main(
        family,
        capsys,
        *("simulate", marked_up, "--schedule", plan, "--schedule", other),
        *("--runs", "2", "--workers", "1", "--policy", "as-planned"),
    )
    assert outcome.code == ExitCode.OK
    assert "Summit [/bold] [red]x?[2J :smile:: 2 replications" in outcome.out
    assert "[bold]plan/as-planned" in outcome.out
    assert "[red]other/as-planned" in outcome.out


def test_escapes_in_a_real_terminal_process(marked_up: Path) -> None:
    outcome = sim_process("2. markup and escapes in names", "validate", marked_up)
    assert outcome.code == ExitCode.OK
    broken = marked_up.with_name("broken.yaml")
    document = yaml.safe_load(marked_up.read_text(encoding="utf-8"))
    document["meetings"][0]["parties"] = ["host", "nobody"]
    document["meetings"][0]["title"] = "\x1b[2J[/bold]"
    write_yaml(broken, document)
    outcome = sim_process("2. markup and escapes in names", "solve", broken)
    assert outcome.code == ExitCode.INVALID_INPUT
    assert "unknown party 'nobody'" in outcome.err
    assert "\x1b" not in outcome.text


# --- 3. numeric arguments ---------------------------------------------------------------

BAD_ARGUMENTS = [
    ("solve", "--seed", "-1", "a seed is a whole number from 0 to 2147483647"),
    ("solve", "--seed", str(2**31), "a seed is a whole number from 0 to 2147483647"),
    ("solve", "--seed", str(2**64), "a seed is a whole number from 0 to 2147483647"),
    ("solve", "--seed", "1e3", "expected a whole number"),
    ("solve", "--seed", "٣", "expected a whole number"),
    ("solve", "--time-limit", "-1", "a positive, finite number of seconds"),
    ("solve", "--time-limit", "0", "a positive, finite number of seconds"),
    ("solve", "--time-limit", "nan", "a positive, finite number of seconds"),
    ("solve", "--time-limit", "inf", "a positive, finite number of seconds"),
    ("solve", "--time-limit", "soon", "expected a number of seconds"),
    ("solve", "--workers", "0", "whole number of workers, at least 1"),
    ("solve", "--workers", "-4", "whole number of workers, at least 1"),
    ("solve", "--robust-runs", "0", "whole number of replays, at least 1"),
    ("solve", "--robust-seed", "-1", "a seed is a whole number"),
    ("solve", "--robust-workers", "0", "whole number of workers, at least 1"),
    ("simulate", "--runs", "-1", "whole number of replications, at least 1"),
    ("simulate", "--runs", "0", "whole number of replications, at least 1"),
    ("simulate", "--seed", "-1", "a seed is a whole number"),
    ("simulate", "--seed", str(2**31), "a seed is a whole number"),
    ("simulate", "--workers", "0", "whole number of workers, at least 1"),
    ("simulate", "--replan-time-limit", "0", "a positive, finite number of seconds"),
    ("simulate", "--replan-time-limit", "nan", "a positive, finite number of seconds"),
    ("simulate", "--tolerance", "-1", "whole number of minutes, from 0 to 10080"),
    ("simulate", "--tolerance", str(10**6), "whole number of minutes, from 0 to 10080"),
    ("run", "--runs", "-1", "whole number of replays, from 0 to 100000"),
    ("run", "--runs", "100001", "whole number of replays, from 0 to 100000"),
    ("run", "--seed", str(2**64), "a seed is a whole number"),
    ("run", "--time-limit", "inf", "a positive, finite number of seconds"),
    ("run", "--replan-time-limit", "-1", "a positive, finite number of seconds"),
    ("run", "--workers", "0", "whole number of workers, at least 1"),
    ("generate", "--seed", "-1", "a seed is a whole number"),
    ("generate", "--seed", str(2**31), "a seed is a whole number"),
]


@pytest.mark.parametrize(("command", "option", "value", "says"), BAD_ARGUMENTS)
def test_a_bad_number_is_refused_before_any_work(
    command: str,
    option: str,
    value: str,
    says: str,
    scenario: Path,
    schedule: Path,
    published: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sizes = ["--parties", "4", "--requests", "3", "--days", "1", "--venues", "2", "--seed", "1"]
    commands: dict[str, list[str | Path]] = {
        "solve": ["solve", scenario, "-o", published],
        "simulate": ["simulate", scenario, "--schedule", schedule, "-o", published],
        "run": ["run", scenario, "-o", published],
        "generate": ["generate", *sizes, "-o", published / "schedule.json"],
    }
    argv = commands[command]
    outcome = sim_main("3. numeric arguments", capsys, *argv, f"{option}={value}")
    assert outcome.code == ExitCode.USAGE
    assert f"argument {option}: " in outcome.err and says in outcome.err


def test_too_many_parties_to_generate(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcome = sim_main(
        "3. numeric arguments",
        capsys,
        *("generate", "--parties", str(10**8), "--requests", "3", "--days", "1"),
        *("--venues", "2", "--seed", "1", "-o", published / "schedule.json"),
    )
    assert outcome.code == ExitCode.USAGE
    assert "parties must be 2..1000, got 100000000" in outcome.err


# --- 4. schedule files --------------------------------------------------------------------


def edited(schedule: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    document = json.loads(schedule.read_text(encoding="utf-8"))
    change(document)
    path = schedule.with_name("edited.json")
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def first_meeting(document: dict[str, Any]) -> dict[str, Any]:
    held: dict[str, Any] = document["meetings"][0]
    assert held["scheduled"] is True
    return held


MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "float start": (
        lambda d: first_meeting(d).update(start_minute=1.5),
        "meetings[0].start_minute: expected a whole number of minutes, got 1.5",
    ),
    "text start": (
        lambda d: first_meeting(d).update(start_minute="540"),
        "meetings[0].start_minute: expected a whole number of minutes, got the text '540'",
    ),
    "scheduled 'no'": (
        lambda d: first_meeting(d).update(scheduled="no"),
        "meetings[0].scheduled: expected true or false, got the text 'no'",
    ),
    "true as a day": (
        lambda d: first_meeting(d).update(day=True),
        "meetings[0].day: expected a whole number, got true",
    ),
    "10**30 end": (
        lambda d: first_meeting(d).update(end_minute=10**30),
        "meetings[0].end_minute: expected a whole number of minutes, "
        "got 1000000000000000000000000000000",
    ),
    "10**20 start": (
        lambda d: first_meeting(d).update(start_minute=10**20),
        "meetings[0].start_minute: expected a whole number of minutes from 0 to 10,000,000",
    ),
    "negative day": (
        lambda d: first_meeting(d).update(day=-1),
        "meetings[0].day: expected a whole number from 0 to 10,000, got -1",
    ),
    "room 0": (
        lambda d: first_meeting(d).update(room=0),
        "meetings[0].room: expected a whole number from 1 to 1,000, got 0",
    ),
    "meetings not a list": (
        lambda d: d.update(meetings={"a": 1}),
        "meetings: expected a list [...], got an object",
    ),
    "a meeting that is a number": (
        lambda d: d["meetings"].insert(0, 7),
        "meetings[0]: expected an object {...}, got 7",
    ),
    "no venue": (
        lambda d: first_meeting(d).pop("venue"),
        "meetings[0]: missing required key 'venue'",
    ),
    "status 'done'": (
        lambda d: d.update(status="done"),
        "status: unknown status 'done'; one of optimal, feasible, infeasible, unknown",
    ),
    "format true": (lambda d: d.update(format=True), "not a schedule.json of format 1"),
    "format 2": (lambda d: d.update(format=2), "format: format 2 is not one this program"),
    "seed 1.5": (
        lambda d: d["solver"].update(seed=1.5),
        "solver.seed: expected a whole number, got 1.5",
    ),
    "notes of numbers": (
        lambda d: d.update(notes=[1]),
        "notes[0]: expected text, got 1",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_schedule_names_the_field(
    case: str,
    scenario: Path,
    schedule: Path,
    published: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    change, says = MALFORMED[case]
    bad = edited(schedule, change)
    for argv in (
        ("check", scenario, bad),
        ("simulate", scenario, "--schedule", bad, "--runs", "2", "-q", "-o", published),
        ("export", bad, "--scenario", scenario, "-q", "-o", published),
        ("solve", scenario, "--from", bad, "-q", "-o", published),
    ):
        outcome = sim_main("4. schedule files", capsys, *argv)
        assert outcome.code == ExitCode.INVALID_INPUT, argv
        assert f"{bad}: {says}" in outcome.err


NINES = "9" * 5000
TEXTS: dict[str, tuple[Callable[[str], str], str]] = {
    # the good file's text, edited where JSON itself has the trouble
    "Infinity": (
        lambda t: t.replace('"start_minute": 540, "venue"', '"start_minute": Infinity, "venue"'),
        "meetings[0].start_minute: expected a whole number of minutes, got Infinity",
    ),
    "-Infinity": (
        lambda t: t.replace('"start_minute": 540, "venue"', '"start_minute": -Infinity, "venue"'),
        "meetings[0].start_minute: expected a whole number of minutes, got -Infinity",
    ),
    "NaN": (
        lambda t: re.sub(r'"time_limit_seconds": [0-9.]+', '"time_limit_seconds": NaN', t),
        "solver.time_limit_seconds: expected a number, got NaN",
    ),
    "1e400": (
        lambda t: t.replace('"start_minute": 540, "venue"', '"start_minute": 1e400, "venue"'),
        "meetings[0].start_minute: expected a whole number of minutes, got 1e400",
    ),
    "a 5000-digit number": (
        lambda t: t.replace('"start_minute": 540, "venue"', f'"start_minute": {NINES}, "venue"'),
        "meetings[0].start_minute: expected a whole number of minutes, got a number of 5000 digits",
    ),
    "100k-deep nesting": (lambda t: "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "5 MB of text junk": (lambda t: "x" * 5_000_000, ":1:1: not valid JSON"),
    "truncated": (lambda t: t[: len(t) // 2], "not valid JSON"),
    "a list": (lambda t: "[]", "not a schedule.json of format 1"),
    "empty": (lambda t: "", ":1:1: not valid JSON"),
}  # fmt: skip


@pytest.mark.parametrize("case", TEXTS)
def test_a_schedule_that_json_allows_and_a_schedule_cannot_hold(
    case: str,
    scenario: Path,
    schedule: Path,
    published: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    change, says = TEXTS[case]
    compact = json.dumps(json.loads(schedule.read_text(encoding="utf-8")))
    bad = schedule.with_name("bad.json")
    text = change(compact)
    assert text != compact
    bad.write_text(text, encoding="utf-8")
    for argv in (
        ("check", scenario, bad),
        ("simulate", scenario, "--schedule", bad, "--runs", "2", "-q", "-o", published),
    ):
        outcome = sim_main("4. schedule files", capsys, *argv)
        assert outcome.code == ExitCode.INVALID_INPUT
        assert f"{bad}" in outcome.err and says in outcome.err


def test_binary_junk_as_a_schedule(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.json"
    junk.write_bytes(bytes(range(256)) * 20_000)  # 5 MB
    outcome = sim_main("4. schedule files", capsys, "check", scenario, junk)
    assert outcome.code == ExitCode.INVALID_INPUT
    assert f"{junk}: this is a binary file, not a schedule.json" in outcome.err
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"format": 1, "notes": ["Curaçao"]}'.encode("latin-1"))
    outcome = sim_main("4. schedule files", capsys, "check", scenario, latin1)
    assert outcome.code == ExitCode.INVALID_INPUT
    assert f"{latin1}: not UTF-8 text (byte 29)" in outcome.err


def test_deep_nesting_in_a_fresh_interpreter(scenario: Path, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("{" + '"a":{' * 200_000 + "}" * 200_001, encoding="utf-8")
    outcome = sim_process("4. schedule files", "check", scenario, deep)
    assert outcome.code == ExitCode.INVALID_INPUT
    assert "nested too deeply" in outcome.err


FOREIGN_PARTS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "unknown venue": (
        lambda d: first_meeting(d).update(venue="x"),
        "meetings[0].venue: the schedule names venue 'x', which the scenario does not have; "
        "the scenario's venues: a, b",
    ),
    "unknown meeting": (
        lambda d: first_meeting(d).update(meeting="host-g9"),
        "meetings[0].meeting: the schedule names meeting 'host-g9', which the scenario does "
        "not have",
    ),
    "unknown meeting not held": (
        lambda d: d["meetings"].append({"meeting": "ghost", "scheduled": False}),
        "meetings[2].meeting: the schedule names meeting 'ghost', which the scenario does not have",
    ),
    "day out of range": (
        lambda d: first_meeting(d).update(day=7),
        "meetings[0].day: the schedule names day 7, but the scenario's days are 0 to 0",
    ),
    "room 5 of 1": (
        lambda d: first_meeting(d).update(room=5),
        "meetings[0].room: venue 'a' has 1 room, not a room 5",
    ),
    "listed twice": (
        lambda d: d["meetings"].append(dict(first_meeting(d))),
        "meetings[2].meeting: meeting 'host-g1' is listed more than once",
    ),
    "ends before it starts": (
        lambda d: first_meeting(d).update(end_minute=first_meeting(d)["start_minute"] - 5),
        "meetings[0].end_minute: the meeting ends (minute 535) before it starts",
    ),
    "a week long": (
        lambda d: first_meeting(d).update(end_minute=first_meeting(d)["start_minute"] + 10080),
        "meetings[0].start_minute: the meeting (minutes 540 to 10620) is not within its day 0",
    ),
}


@pytest.mark.parametrize("case", FOREIGN_PARTS)
def test_a_schedule_naming_what_the_scenario_lacks(
    case: str,
    scenario: Path,
    schedule: Path,
    published: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    change, says = FOREIGN_PARTS[case]
    bad = edited(schedule, change)
    # replayed or exported, it is refused with the list
    for argv in (
        ("simulate", scenario, "--schedule", bad, "--runs", "2", "-q", "-o", published),
        ("export", bad, "--scenario", scenario, "-q", "-o", published),
    ):
        outcome = sim_main("4. schedule files", capsys, *argv)
        assert outcome.code == ExitCode.INVALID_INPUT
        assert f"{bad}: {says}" in outcome.err
    # checked, it is judged: a broken rule (or nothing wrong for the checker's rules)
    outcome = sim_main("4. schedule files", capsys, "check", scenario, bad)
    assert outcome.code in (ExitCode.RULES_BROKEN, ExitCode.OK)


def test_a_published_schedule_may_name_withdrawn_meetings(
    scenario: Path,
    schedule: Path,
    tmp_path: Path,
    published: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # export --previous: the plan published before the scenario changed
    family = "4. schedule files"
    withdrawn = edited(schedule, lambda d: first_meeting(d).update(meeting="gone", venue="x"))
    later = tmp_path / "later.json"  # re-planned from it, as 'sim solve --from' writes it
    later.write_text(
        json.dumps({**json.loads(schedule.read_text(encoding="utf-8")), "revision": 1}),
        encoding="utf-8",
    )
    outcome = sim_main(
        family,
        capsys,
        *("export", later, "--scenario", scenario, "-q", "-o", tmp_path / "calendars"),
        *("--previous", withdrawn, "--format", "ics"),
    )
    assert outcome.code == ExitCode.OK
    moved = edited(schedule, lambda d: first_meeting(d).update(venue="x"))
    outcome = sim_main(
        family,
        capsys,
        *("export", schedule, "--scenario", scenario, "-q", "-o", published),
        *("--previous", moved, "--format", "ics"),
    )
    assert outcome.code == ExitCode.INVALID_INPUT
    assert (
        f"{moved}: meetings[0].venue: the published schedule names venue 'x', which the "
        "scenario does not have; keep the venue in the scenario while a published plan "
        "names it, or leave out --previous"
    ) in outcome.err
    # another summit's published plan: its events would all go out as cancellations
    other = edited(schedule, lambda d: d["scenario"].update(id="another-summit"))
    outcome = sim_main(
        family,
        capsys,
        *("export", schedule, "--scenario", scenario, "-q", "-o", published),
        *("--previous", other, "--format", "ics"),
    )
    assert outcome.code == ExitCode.INVALID_INPUT
    assert f"{other}: scenario.id: the published schedule is of scenario 'another-summit'" in (
        " ".join(outcome.err.split())
    )


def test_schedule_from_json_alone(schedule: Path) -> None:
    text = schedule.read_text(encoding="utf-8")
    assert schedule_from_json(text, "s.json") == read_schedule(schedule)
    with pytest.raises(ScheduleFileError) as caught:
        schedule_from_json(text.replace('"scheduled": true', '"scheduled": 1'), "s.json")
    assert str(caught.value).startswith("s.json: meetings[0].scheduled: expected true or false")
    # every bad meeting is named in one go
    document = json.loads(text)
    for entry in document["meetings"]:
        entry["meeting"] = 3
    with pytest.raises(ScheduleFileError) as caught:
        schedule_from_json(json.dumps(document), "s.json")
    assert len(caught.value.problems) == len(document["meetings"])


# --- 5. the uncertainty section -----------------------------------------------------------

UNCERTAIN: dict[str, tuple[dict[str, Any], str, str]] = {
    "travel factor 1e300": (
        {"travel_time": {"dist": "fixed", "value": 1e300}},
        "uncertainty.travel_time.value: 1e+300 is out of range",
        "give a value from 0 to 20",
    ),
    "lognormal sigma 1000": (
        {"meeting_duration": {"dist": "lognormal", "median": 1, "sigma": 1000}},
        "uncertainty.meeting_duration.sigma: 1000 is out of range",
        "give a sigma from 0 to 5",
    ),
    "lognormal p90 2000 times the median": (
        {"meeting_duration": {"dist": "lognormal", "median": 0.01, "p90": 20}},
        "uncertainty.meeting_duration.p90: the 90th percentile is 2,000 times the median",
        "give a p90 at most 607 times the median",
    ),
    "mixture weight 0": (
        {"arrival_delay": {"dist": "mixture", "components": [
            {"dist": "fixed", "value": 0, "weight": 0},
            {"dist": "fixed", "value": 10, "weight": 1},
        ]}},
        "uncertainty.arrival_delay.components[0].weight: must be more than 0",
        "",
    ),
    "mixture weight -1": (
        {"arrival_delay": {"dist": "mixture", "components": [
            {"dist": "fixed", "value": 0, "weight": -1},
        ]}},
        "uncertainty.arrival_delay.components[0].weight: must be more than 0",
        "",
    ),
    "mixture weights 1e308": (
        {"arrival_delay": {"dist": "mixture", "components": [
            {"dist": "fixed", "value": 0, "weight": 1e308},
            {"dist": "fixed", "value": 5, "weight": 1e308},
        ]}},
        "uncertainty.arrival_delay.components[1].weight: 1e+308 is out of range",
        "only the ratios of the weights count",
    ),
    "overrun mean 1e12 minutes": (
        {"fixed_event_overrun": {"dist": "normal", "mean": 1e12, "sd": 5}},
        "uncertainty.fixed_event_overrun.mean: 1e+12 is out of range",
        "here a draw is minutes: give a value from -1440 to 1440",
    ),
    "arrival delay exponential mean a billion": (
        {"arrival_delay": {"dist": "exponential", "mean": 1e9}},
        "uncertainty.arrival_delay.mean: 1e+09 is out of range",
        "give a value from 0 to 1440",
    ),
    "duration factor 50 in a mixture": (
        {"meeting_duration": {"dist": "mixture", "components": [
            {"dist": "uniform", "low": 1, "high": 50, "weight": 1},
        ]}},
        "uncertainty.meeting_duration.components[0].high: 50 is out of range",
        "give a value from 0 to 20",
    ),
    "a shift of a million": (
        {"travel_time": {"dist": "fixed", "value": 1, "shift": 1e6}},
        "uncertainty.travel_time.shift: 1e+06 is out of range",
        "give a value from -20 to 20",
    ),
    "scripted overrun of 25 hours": (
        {"scripted": [{"event": "overrun", "meeting": "host-g1", "by": "25h"}]},
        "uncertainty.scripted[0].by: an overrun of 1500 minutes is more than a day",
        "give at most 24h",
    ),
    "probability 1.5": (
        {"cancellation_probability": 1.5},
        "uncertainty.cancellation_probability: must be at most 1",
        "",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", UNCERTAIN)
def test_an_absurd_disruption_model_is_refused_with_its_line(
    case: str, tmp_path: Path, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    section, says, hint = UNCERTAIN[case]
    document = tiny_document()
    document["uncertainty"] = section
    path = write_yaml(tmp_path / "uncertain.yaml", document)
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("uncertainty:") + 1
    for argv in (("validate", path), ("solve", path, "-q", "-o", published)):
        outcome = sim_main("5. uncertainty section", capsys, *argv)
        assert outcome.code == ExitCode.INVALID_INPUT
        line = next(e for e in outcome.err.splitlines() if says in e)
        where = line.split(": ", 1)[0]  # file:line:column
        assert where.startswith(f"{path}:")
        assert int(where.split(":")[-2]) > start  # a line of the uncertainty section
        assert hint in line


def test_sensible_disruption_models_still_load() -> None:
    for name in ("kazan-2024", "whole-summit", "tutorial"):
        load_scenario(ROOT / "scenarios" / f"{name}.yaml")


# --- 6. durations as people write them ----------------------------------------------------

ACCEPTED = {
    "1h30": 90,
    "1h30min": 90,
    "1h 30min": 90,
    "1h30m": 90,
    "90min": 90,
    "90": 90,
    "1.5h": 90,
    "1.5 hours": 90,
    "0.25h": 15,
    "2 hours": 120,
}
REFUSED = ["1:30", "1.33h", "PT1H30M", "an hour", "1h30h", "-30min"]


@pytest.mark.parametrize(("text", "minutes"), ACCEPTED.items())
def test_a_duration_as_people_write_it(
    text: str, minutes: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert parse_duration(text) == minutes
    document = tiny_document()
    document["meetings"][0]["duration"] = text
    path = write_yaml(tmp_path / "durations.yaml", document)
    assert sim_main("6. durations", capsys, "validate", path).code == ExitCode.OK
    assert load_scenario(path).meeting_by_id["host-g1"].duration == minutes


@pytest.mark.parametrize("text", REFUSED)
def test_a_duration_that_is_none(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValueError, match=r"'45min', '1h30'|not a whole number of minutes"):
        parse_duration(text)
    document = tiny_document()
    document["meetings"][0]["duration"] = text
    path = write_yaml(tmp_path / "durations.yaml", document)
    outcome = sim_main("6. durations", capsys, "validate", path)
    assert outcome.code == ExitCode.INVALID_INPUT
    assert f"{path}:" in outcome.err and "meetings[0].duration: " in outcome.err
    assert "'45min'" in outcome.err and "'1h30'" in outcome.err  # forms that are accepted


def test_the_accepted_forms_are_listed() -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration("soon")
    assert str(caught.value) == (
        "expected a duration such as '45min', '1h30', '1h 30min', '2h', '1.5h' or a number "
        "of minutes such as 90, got 'soon'"
    )


# --- 7. inputs that are not regular files -------------------------------------------------


def not_a_file(kind: str, tmp_path: Path) -> tuple[Path, str]:
    if kind == "named pipe":
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        return fifo, "is a named pipe, not a regular file"
    if kind == "directory":
        return tmp_path, "is a directory, not a file"
    if kind == "/dev/zero":
        return Path("/dev/zero"), "is a device, not a regular file"
    if kind == "dangling symlink":
        link = tmp_path / "dangling"
        link.symlink_to(tmp_path / "nowhere")
        return link, "which does not exist"
    if kind == "symlink loop":
        link = tmp_path / "loop"
        link.symlink_to(link)
        return link, "leads back to itself"
    assert kind == "missing"
    return tmp_path / "nowhere.yaml", "no such file"


INPUT_KINDS = ["named pipe", "directory", "/dev/zero", "dangling symlink", "symlink loop"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("kind", [*INPUT_KINDS, "missing"])
def test_an_input_that_is_not_a_file_is_refused_at_once(
    kind: str,
    scenario: Path,
    schedule: Path,
    published: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    given, says = not_a_file(kind, tmp_path)
    for argv in (
        ("validate", given),
        ("solve", given, "-q", "-o", published),
        ("check", scenario, given),
        ("check", given, schedule),
        ("simulate", scenario, "--schedule", given, "-q", "-o", published),
        ("export", given, "--scenario", scenario, "-q", "-o", published),
        ("solve", scenario, "--from", given, "-q", "-o", published),
    ):
        outcome = sim_main("7. inputs that are not files", capsys, *argv)
        assert outcome.code == ExitCode.USAGE, argv
        assert f"{given}: {says}" in outcome.err or (
            f"{given}: " in outcome.err and says in outcome.err
        )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_does_not_hang_a_fresh_interpreter(scenario: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    outcome = sim_process("7. inputs that are not files", "validate", fifo, timeout=60)
    assert outcome.code == ExitCode.USAGE
    outcome = sim_process("7. inputs that are not files", "check", scenario, fifo, timeout=60)
    assert outcome.code == ExitCode.USAGE
    assert f"{fifo}: is a named pipe, not a regular file" in outcome.err


def test_files_that_are_too_large(
    scenario: Path, tmp_path: Path, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 5_000_001)
    outcome = sim_main("7. inputs that are not files", capsys, "solve", big, "-o", published)
    assert outcome.code == ExitCode.INVALID_INPUT
    assert f"{big}: the file is larger than the 5,000,000 bytes allowed" in outcome.err
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * 50_000_001)
    outcome = sim_main("7. inputs that are not files", capsys, "check", scenario, huge)
    assert outcome.code == ExitCode.INVALID_INPUT
    assert f"{huge}: the file is larger than the 50,000,000 bytes a schedule may be" in (
        outcome.err
    )


# --- 8. a schedule of another scenario ---------------------------------------------------


def test_a_schedule_of_another_version_is_warned_about(
    scenario: Path, schedule: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    family = "8. schedule of another scenario"
    document = tiny_document()
    document["name"] = "tiny, second draft"
    other = write_yaml(tmp_path / "tiny-v2.yaml", document)
    warning = f"warning: {schedule}: the schedule was made from another version"
    checked = sim_main(family, capsys, "check", other, schedule)
    assert checked.code == ExitCode.OK
    assert "warning: the schedule was made from another version" in checked.out
    replayed = sim_main(
        family,
        capsys,
        *("simulate", other, "--schedule", schedule, "--runs", "2", "--workers", "1", "-q"),
    )
    assert replayed.code == ExitCode.OK
    assert warning in replayed.err
    exported = sim_main(
        family, capsys, "export", schedule, "--scenario", other, "-q", "-o", tmp_path / "x"
    )
    assert exported.code == ExitCode.OK
    assert warning in exported.err


def test_a_schedule_of_another_scenario(
    schedule: Path, tmp_path: Path, published: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    family = "8. schedule of another scenario"
    kazan = ROOT / "scenarios" / "kazan-2024.yaml"
    checked = sim_main(family, capsys, "check", kazan, schedule)
    assert checked.code == ExitCode.RULES_BROKEN  # the checker judges it, with a warning
    assert "warning: the schedule was made for scenario 'tiny', not 'kazan-2024'" in checked.out
    for argv in (
        ("simulate", kazan, "--schedule", schedule, "--runs", "2", "-q", "-o", published),
        ("export", schedule, "--scenario", kazan, "-q", "-o", published),
    ):
        outcome = sim_main(family, capsys, *argv)
        assert outcome.code == ExitCode.INVALID_INPUT
        lines = outcome.err.splitlines()
        # the likely cause first, then what of it the scenario does not have
        assert lines[0] == (
            f"{schedule}: scenario: the schedule was made for scenario 'tiny', not "
            "'kazan-2024'; the schedule was made from another version of the scenario file "
            f"(sha256 {json.loads(schedule.read_text())['scenario']['sha256'][:12]}, file "
            f"{load_scenario(kazan).source_sha256[:12]}); give the schedule that 'sim solve' "
            "made from this scenario"
        )
        assert "the schedule names meeting 'host-g1', which the scenario does not have" in (
            outcome.err
        )


# --- 9. a bug: the safety net ------------------------------------------------------------


def test_a_bug_is_one_line_not_a_traceback(
    scenario: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sim.commands.validate

    def broken(path: object) -> None:
        raise KeyError("venue-x")

    monkeypatch.setattr(sim.commands.validate, "load_scenario", broken)
    outcome = sim_main("9. a bug (the safety net)", capsys, "validate", scenario)
    assert outcome.code == 70
    assert outcome.err.startswith(
        "sim validate: internal error: KeyError: 'venue-x' (at validate.py:"
    )
    assert "This is a bug in sim, not in your files" in outcome.err
    monkeypatch.setenv("SIM_TRACEBACK", "1")
    with pytest.raises(KeyError):
        main(["validate", str(scenario)])


# --- the table of the issue ---------------------------------------------------------------


def table(results: list[tuple[str, int, bool]]) -> str:
    rows = ["| case family | cases tried | exit codes seen | tracebacks |", "|---|---|---|---|"]
    for family in sorted({r[0] for r in results}):
        mine = [r for r in results if r[0] == family]
        codes = ", ".join(
            f"{code} (x{sum(r[1] == code for r in mine)})" for code in sorted({r[1] for r in mine})
        )
        rows.append(f"| {family} | {len(mine)} | {codes} | {sum(r[2] for r in mine)} |")
    return "\n".join(rows)


if __name__ == "__main__":
    status = pytest.main([__file__, "-q", "-p", "no:cacheprovider", *sys.argv[1:]])
    module = sys.modules.get("tests.test_hostile_input") or sys.modules[__name__]
    recorded: list[tuple[str, int, bool]] = copy.copy(module.RESULTS)
    print(table(recorded))
    sys.exit(int(status))


def test_a_cap_not_above_the_shift_is_refused() -> None:
    from sim.errors import ScenarioError
    from tests.tiny import scenario_of

    document = base_document()
    document["meetings"] = [meeting("m", "host", "g1")]
    document["uncertainty"] = {
        "meeting_duration": {
            "dist": "lognormal",
            "median": 1.0,
            "sigma": 0.3,
            "shift": 2,
            "cap": 1.5,
        }
    }
    with pytest.raises(
        ScenarioError, match=r"uncertainty\.meeting_duration\.cap.*every draw is the cap"
    ):
        scenario_of(document)
