"""``sim simulate`` and ``sim generate`` guard their work: a schedule that breaks hard
rules is refused (or replayed with a warning), a large job is estimated first and
refused when over its budget, and workers are capped at the cores available."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.budget import Estimate, generate_estimate, over_budget, parse_memory
from sim.cli import main
from sim.commands.console import capped_workers
from sim.exit_codes import ExitCode
from sim.schedule import Schedule, write_schedule
from sim.simulate.monte_carlo import InvalidSchedule, estimate, simulate
from sim.solve.greedy import greedy_schedule

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


def _overlapping(scenario: sim.Scenario) -> Schedule:
    """The greedy plan with its second meeting moved onto the first: two of the host's
    meetings at once, in one room."""
    schedule = greedy_schedule(scenario)
    first, second, *rest = schedule.assignments
    length = second.end - second.start
    on_top = replace(second, day=first.day, start=first.start, end=first.start + length)
    return replace(schedule, assignments=(first, on_top, *rest))


@pytest.fixture(scope="module")
def scenario() -> sim.Scenario:
    return sim.load_scenario(TUTORIAL)


@pytest.fixture()
def bad_plan(scenario: sim.Scenario, tmp_path: Path) -> Path:
    path = tmp_path / "bad.json"
    write_schedule(path, _overlapping(scenario), scenario)
    return path


@pytest.fixture()
def good_plan(scenario: sim.Scenario, tmp_path: Path) -> Path:
    path = tmp_path / "good.json"
    write_schedule(path, greedy_schedule(scenario), scenario)
    return path


def _simulate(plan: Path, *extra: str) -> list[str]:
    return ["simulate", str(TUTORIAL), "--schedule", str(plan), "--workers", "1", *extra]


# --- a schedule that breaks hard rules ------------------------------------------------------


def test_a_schedule_that_breaks_hard_rules_is_refused_with_exit_5(
    bad_plan: Path, capsys: Any
) -> None:
    code = main(_simulate(bad_plan, "--runs", "3", "-q"))
    assert code == ExitCode.RULES_BROKEN
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing was replayed
    err = captured.err
    assert "the schedule bad breaks 3 hard rules:" in err
    assert (
        "  - overlap: The Host: The Host – Ben Okafor (The Palace, 02 Jun 09:00-09:45) and" in err
    )
    assert "  - rooms: " in err and "--allow-invalid" in err


def test_allow_invalid_replays_it_with_a_warning(bad_plan: Path, capsys: Any) -> None:
    code = main(_simulate(bad_plan, "--runs", "3", "-q", "--allow-invalid", "--policy", "drop"))
    assert code == ExitCode.OK
    captured = capsys.readouterr()
    assert "warning: replaying it anyway (--allow-invalid)" in captured.err
    assert "3 replications per variant" in captured.out


def test_a_valid_schedule_is_replayed_without_a_word_about_rules(
    good_plan: Path, capsys: Any
) -> None:
    assert main(_simulate(good_plan, "--runs", "2", "-q", "--policy", "drop")) == ExitCode.OK
    assert "hard rule" not in capsys.readouterr().err


def test_the_python_api_refuses_it_too_unless_allowed(scenario: sim.Scenario) -> None:
    bad = _overlapping(scenario)
    with pytest.raises(InvalidSchedule) as refused:
        simulate(scenario, {"mine": bad}, runs=2, policies=("as-planned",))
    assert set(refused.value.broken) == {"mine"}
    assert {v.rule for v in refused.value.broken["mine"]} >= {"overlap", "rooms"}
    assert "mine: overlap: The Host:" in str(refused.value)
    result = simulate(scenario, bad, runs=2, policies=("as-planned",), allow_invalid=True)
    assert result.runs == 2


# --- estimates and budgets --------------------------------------------------------------------


def test_too_many_runs_are_refused_naming_the_option_and_the_limit(
    good_plan: Path, capsys: Any
) -> None:
    assert main(_simulate(good_plan, "--runs", "10000000")) == ExitCode.USAGE
    assert "--runs 10000000 is more than the limit of 1,000,000" in capsys.readouterr().err


def test_a_job_over_the_time_budget_is_refused_before_it_starts(
    good_plan: Path, tmp_path: Path, capsys: Any
) -> None:
    out = tmp_path / "out"
    argv = _simulate(good_plan, "--runs", "500000", "--policy", "as-planned", "-o", str(out))
    assert main([*argv, "--max-seconds", "30"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "500000 replications of 1 variant would take" in err
    assert "more than --max-seconds 30 s" in err
    assert list(out.iterdir()) == []  # nothing written, no lock left


def test_a_job_over_the_memory_budget_is_refused_before_it_starts(
    good_plan: Path, capsys: Any
) -> None:
    argv = _simulate(good_plan, "--runs", "1000000", "--memory-limit", "1G")
    assert main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "1000000 replications of 4 variants would need" in err
    assert "more than --memory-limit 1.0 GB" in err


def test_a_bad_memory_limit_is_a_usage_error(good_plan: Path, capsys: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        main(_simulate(good_plan, "--memory-limit", "lots"))
    assert exited.value.code == ExitCode.USAGE
    assert "argument --memory-limit: expected a size such as 2G or 500M" in capsys.readouterr().err


@pytest.mark.slow
def test_a_large_job_prints_its_estimate_first(good_plan: Path, capsys: Any) -> None:
    code = main(_simulate(good_plan, "--runs", "2000", "--policy", "as-planned"))
    assert code == ExitCode.OK
    captured = capsys.readouterr()
    assert "estimate: 2000 replications of 1 variant take about " in captured.err
    assert " of memory" in captured.err


def test_the_estimate_grows_with_the_job(scenario: sim.Scenario) -> None:
    schedule = greedy_schedule(scenario)
    small = estimate(scenario, schedule, runs=1000, policies=("as-planned",))
    large = estimate(scenario, schedule, runs=100_000, policies=("as-planned",))
    assert 0 < small.seconds < large.seconds
    # the summaries held: some KB per replication
    assert large.memory - small.memory > 99_000 * 1000


def test_budget_words_and_sizes() -> None:
    assert parse_memory("2G") == 2 << 30 and parse_memory("500M") == 500 << 20
    assert parse_memory("1.5GiB") == 3 << 29 and parse_memory("2048m") == 2 << 30
    for bad in ("", "2X", "-1G", "10"):
        with pytest.raises(ValueError):
            parse_memory(bad)
    fits = Estimate(10, 1 << 30)
    assert over_budget(fits, None, 2 << 30, "job") is None
    assert over_budget(fits, 20, 2 << 30, "job") is None
    assert "--max-seconds 5 s" in (over_budget(fits, 5, 2 << 30, "job") or "")
    assert "--memory-limit 512.0 MB" in (over_budget(fits, None, 512 << 20, "job") or "")


def test_generate_refuses_a_summit_over_its_budget(capsys: Any, tmp_path: Path) -> None:
    argv = ["generate", "--parties", "1000", "--requests", "5000", "--days", "14"]
    argv += ["--venues", "50", "--seed", "1", "-o", str(tmp_path / "big.yaml")]
    assert main([*argv, "--max-seconds", "2"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "a summit of 1000 parties and 5000 requests would take" in err
    assert "--max-seconds 2 s" in err
    assert main([*argv, "--memory-limit", "64M"]) == ExitCode.USAGE
    assert "more than --memory-limit 64.0 MB" in capsys.readouterr().err
    assert not (tmp_path / "big.yaml").exists()
    # out of the generator's range: its own words, before any estimate
    assert main([*argv[:6], "9999", *argv[7:]]) == ExitCode.USAGE
    assert "days must be 1..14, got 9999" in capsys.readouterr().err
    assert main(["generate", "--parties", "1000000", *argv[3:]]) == ExitCode.USAGE
    assert "--parties: parties must be 2..1000, got 1000000" in capsys.readouterr().err


def test_generate_estimates_grow_with_the_summit() -> None:
    small = generate_estimate(parties=10, requests=20, days=2, venues=3)
    large = generate_estimate(parties=1000, requests=5000, days=14, venues=50)
    assert small.seconds < 5 <= large.seconds and small.memory < large.memory


@pytest.mark.slow
def test_generate_prints_the_estimate_of_a_large_summit(capsys: Any, tmp_path: Path) -> None:
    argv = ["generate", "--parties", "1000", "--requests", "2200", "--days", "3"]
    argv += ["--venues", "5", "--seed", "1", "-o", str(tmp_path / "big.yaml")]
    assert main(argv) == ExitCode.OK
    assert "estimate: a summit of 1000 parties and 2200 requests takes about" in (
        capsys.readouterr().err
    )
    assert (tmp_path / "big.yaml").is_file()


# --- workers ----------------------------------------------------------------------------------


def test_workers_are_capped_at_the_cores_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert capped_workers(8) == 1
    assert "note: --workers 8 is more than the 1 cores here; using 1" in capsys.readouterr().err
    assert capped_workers(None) == 1
    assert capped_workers(1) == 1 and capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"policies": ()}, "No policy to replay"),
        ({"policies": "shorten"}, "policies is a list of names"),
        ({"policies": ("shorten", "shorten")}, "given twice"),
        ({"schedules": {}}, "No schedule to replay"),
        ({"runs": 2.5}, "Need at least one run"),
        ({"seed": -1}, "seed must be a whole number from 0 to 2147483647"),
        ({"seed": 2**40}, "seed must be a whole number from 0 to 2147483647"),
        ({"seed": 1.5}, "seed must be a whole number"),
        ({"workers": 0}, "workers must be 1 or more"),
        ({"tolerance": -5}, "tolerance must be 0 or more minutes"),
    ],
)
def test_odd_arguments_are_refused_by_name(
    scenario: sim.Scenario, arguments: dict[str, Any], words: str
) -> None:
    # From Python these gave a result of 0 runs, two variants under one label,
    # "Unknown policy 's'" or numpy's own error.
    schedule = greedy_schedule(scenario)
    given: dict[str, Any] = {"schedules": schedule, "runs": 2, **arguments}
    with pytest.raises(ValueError, match=words):
        simulate(scenario, given.pop("schedules"), **given)
