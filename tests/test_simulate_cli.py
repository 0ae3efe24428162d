"""``sim simulate`` end to end."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from sim.cli import main
from sim.exit_codes import ExitCode
from sim.scenario.load import load_scenario
from sim.schedule import write_schedule
from sim.solve.greedy import greedy_schedule

TUTORIAL = "scenarios/tutorial.yaml"


@pytest.fixture()
def schedule_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan" / "schedule.json"
    scenario = load_scenario(TUTORIAL)
    write_schedule(path, greedy_schedule(scenario), scenario)
    return path


def test_simulate_prints_and_writes(schedule_file: Path, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "simulate",
            TUTORIAL,
            "--schedule",
            str(schedule_file),
            "--runs",
            "6",
            "--workers",
            "1",
            "--policy",
            "as-planned",
            "--policy",
            "shorten",
            "-q",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "6 replications per variant" in printed and "shorten" in printed
    # the tables name people, as a protocol officer reads them, not the file's ids
    assert "The Host – Ana Silva" in printed and "Ben Okafor" in printed
    assert "host-ana" not in printed
    data = json.loads((out / "simulation.json").read_text())
    assert data["runs"] == 6 and data["disruptions"] == "auto"
    assert [v["label"] for v in data["variants"]] == ["as-planned", "shorten"]
    assert (out / "meetings.csv").read_text().startswith("variant,meeting,planned,p_held")


def test_replan_is_skipped_when_the_planner_is_missing(
    schedule_file: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sim.solve", None)  # import sim.solve -> ImportError
    code = main(
        [
            "simulate",
            TUTORIAL,
            "--schedule",
            str(schedule_file),
            "--runs",
            "2",
            "--workers",
            "1",
            "--policy",
            "as-planned",
            "--policy",
            "replan",
            "-q",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert "replan is unavailable" in captured.err
    assert "as-planned" in captured.out and "replan" not in captured.out.split("Meetings")[0]


def test_a_schedule_of_another_scenario_is_refused(tmp_path: Path, capsys: Any) -> None:
    # Its meetings and venues are not the scenario's: nothing of it could be replayed.
    # (A schedule of another version of the same scenario is warned about and replayed:
    # tests/test_cli_basics.py, tests/test_hostile_input.py.)
    scenario = load_scenario("scenarios/kazan-2024.yaml")
    path = tmp_path / "kazan.json"
    write_schedule(path, greedy_schedule(scenario), scenario)
    code = main(["simulate", TUTORIAL, "--schedule", str(path), "--runs", "2", "-q"])
    assert code == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err
    assert f"{path}: scenario: the schedule was made for scenario 'kazan-2024'" in err
    assert "which the scenario does not have" in err
