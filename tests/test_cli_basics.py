"""The ``sim`` command's plumbing: exit codes and the errors behind them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import importlib.resources
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import sim
from sim.cli import main, version
from sim.errors import InputFileError, ScenarioError, ScheduleFileError
from sim.exit_codes import ExitCode
from sim.model import Scenario
from sim.scenario.load import load_scenario
from sim.schedule import (
    Assignment,
    Schedule,
    SolverSettings,
    SolveStatus,
    Unscheduled,
    provenance_mismatch,
    read_schedule,
    write_schedule,
)
from tests.tiny import DAY, base_document, meeting


def test_exit_codes_are_stable() -> None:
    # Scripts depend on these numbers: changing one is a breaking change.
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "INVALID_INPUT": 1,
        "USAGE": 2,
        "NO_SCHEDULE": 3,
        "NOT_FOUND_IN_TIME": 4,
        "RULES_BROKEN": 5,
        "INTERNAL_ERROR": 70,
        "INTERRUPTED": 130,
    }


# --- sim check: a broken rule, a malformed file, a missing file ------------------------


@pytest.fixture()
def scenario_file(tmp_path: Path) -> Path:
    """The tiny morning: host meets g1 and g2 (1 h each, at venue a, optional)."""
    document = base_document()
    document["meetings"] = [
        meeting("host-g1", "host", "g1", required=False),
        meeting("host-g2", "host", "g2", required=False),
    ]
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def at(scenario: Scenario, meeting_id: str, clock: str) -> Assignment:
    start = scenario.minutes_from(dt.datetime.fromisoformat(f"{DAY} {clock}"))
    end = start + scenario.meeting_by_id[meeting_id].duration
    return Assignment(meeting_id, 0, start, end, "a", 1)


def schedule_of(scenario: Scenario, *held: Assignment) -> Schedule:
    ids = {a.meeting for a in held}
    return Schedule(
        scenario_id=scenario.id,
        scenario_sha256=scenario.source_sha256,
        status=SolveStatus.FEASIBLE,
        settings=SolverSettings(1.0, 0, 1),
        assignments=held,
        unscheduled=tuple(Unscheduled(m.id, "test") for m in scenario.meetings if m.id not in ids),
    )


def test_check_exit_codes(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = load_scenario(scenario_file)
    good, broken = tmp_path / "good.json", tmp_path / "broken.json"
    write_schedule(good, schedule_of(scenario, at(scenario, "host-g1", "09:00")), scenario)
    # The host in two meetings at once, in the one room of venue a.
    both = schedule_of(scenario, at(scenario, "host-g1", "09:00"), at(scenario, "host-g2", "09:30"))
    write_schedule(broken, both, scenario)

    assert main(["check", str(scenario_file), str(good)]) == ExitCode.OK
    assert main(["check", str(scenario_file), str(broken)]) == ExitCode.RULES_BROKEN
    assert "not valid: the plan breaks the hard rules" in capsys.readouterr().out

    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"format": 1, "status": "optimal"', encoding="utf-8")
    assert main(["check", str(scenario_file), str(malformed)]) == ExitCode.INVALID_INPUT
    assert f"{malformed}:1:" in capsys.readouterr().err

    not_a_schedule = tmp_path / "list.json"
    not_a_schedule.write_text("[]", encoding="utf-8")
    assert main(["check", str(scenario_file), str(not_a_schedule)]) == ExitCode.INVALID_INPUT
    assert "not a schedule.json" in capsys.readouterr().err

    missing = tmp_path / "nowhere.json"
    assert main(["check", str(scenario_file), str(missing)]) == ExitCode.USAGE
    assert f"{missing}: no such file" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "nowhere.yaml"), str(good)]) == ExitCode.USAGE


def test_schedule_file_errors_are_not_scenario_errors(tmp_path: Path) -> None:
    malformed = tmp_path / "schedule.json"
    malformed.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScheduleFileError) as caught:
        read_schedule(malformed)
    assert not isinstance(caught.value, ScenarioError)
    assert "not valid JSON" in str(caught.value)
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"name": "Curaçao"}'.encode("latin-1"))
    with pytest.raises(ScheduleFileError):
        read_schedule(latin1)
    with pytest.raises(InputFileError, match="no such file"):
        read_schedule(tmp_path / "nowhere.json")
    with pytest.raises(InputFileError, match="is a directory"):
        read_schedule(tmp_path)


# --- a schedule of another scenario: one warning line, everywhere -----------------------


def test_provenance_mismatch(scenario_file: Path) -> None:
    scenario = load_scenario(scenario_file)
    schedule = schedule_of(scenario)
    assert provenance_mismatch(schedule, scenario) is None
    other_version = dataclasses.replace(schedule, scenario_sha256="0123456789abcdef")
    assert provenance_mismatch(other_version, scenario) == (
        "the schedule was made from another version of the scenario file "
        f"(sha256 0123456789ab, file {scenario.source_sha256[:12]})"
    )
    other = dataclasses.replace(schedule, scenario_id="kazan-2024")
    assert provenance_mismatch(other, scenario) == (
        "the schedule was made for scenario 'kazan-2024', not 'tiny'"
    )


def test_solve_from_and_simulate_warn_alike(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = load_scenario(scenario_file)
    foreign = tmp_path / "foreign.json"
    write_schedule(
        foreign,
        dataclasses.replace(
            schedule_of(scenario, at(scenario, "host-g1", "09:00")), scenario_id="x"
        ),
        scenario,
    )
    expected = f"warning: {foreign}: the schedule was made for scenario 'x', not 'tiny'\n"
    solve = ["solve", str(scenario_file), "--from", str(foreign), "-q", "--time-limit", "5"]
    assert main(solve) == ExitCode.OK
    assert capsys.readouterr().err == expected
    simulate = ["simulate", str(scenario_file), "--schedule", str(foreign), "--runs", "2"]
    assert main([*simulate, "--workers", "1", "--policy", "as-planned", "-q"]) == ExitCode.OK
    assert capsys.readouterr().err == expected


# --- the command itself ---------------------------------------------------------------


ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == ExitCode.OK
    assert capsys.readouterr().out == f"sim (summit-sim) {version()}\n"
    assert version() == sim.__version__  # the installed metadata and the package agree


def test_version_when_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert version() == sim.__version__


@pytest.mark.slow  # three fresh interpreters
def test_python_m_sim() -> None:
    helped = run("-m", "sim", "--help")
    assert helped.returncode == ExitCode.OK
    assert helped.stdout.startswith("usage: sim ")
    assert all(command in helped.stdout for command in ("validate", "solve", "check"))
    assert run("-m", "sim", "--version").stdout == f"sim (summit-sim) {sim.__version__}\n"
    assert run("-m", "sim").returncode == ExitCode.USAGE


# --- packaging ------------------------------------------------------------------------


def test_the_package_says_it_is_typed() -> None:
    assert importlib.resources.files("sim").joinpath("py.typed").is_file()


def test_help_lists_every_command_by_its_own_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """``sim --help`` lists the summaries of sim.commands.SUMMARIES without loading the
    command modules; each module's own parser must say the same."""
    from sim.cli import build_parser
    from sim.commands import SUMMARIES

    full = build_parser("*")
    subparsers = next(a for a in full._actions if a.dest == "command")
    registered = {c.dest: c.help for c in subparsers._choices_actions}
    assert registered == SUMMARIES
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    listing = capsys.readouterr().out
    for name, summary in SUMMARIES.items():
        assert name in listing and summary[:40] in " ".join(listing.split())


def test_help_loads_neither_the_planner_nor_the_simulator() -> None:
    code = (
        "import sys\n"
        "from sim.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('ortools', 'simpy', 'numpy', 'pydantic') if m in sys.modules]\n"
        "print('loaded:' + ','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "loaded:"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_json_to_a_full_disk_is_one_problem_not_a_traceback() -> None:
    root = Path(__file__).resolve().parent.parent
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "sim",
                "validate",
                str(root / "scenarios/tutorial.yaml"),
                "--json",
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == ExitCode.USAGE
    assert "Traceback" not in done.stderr
    assert "No space left on device" in done.stderr and "1 problem found" in done.stderr
