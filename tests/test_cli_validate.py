"""``sim validate``: exit codes 0 (valid), 1 (invalid), 2 (usage), and what it prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


def sim(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command the way a user does."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=ROOT
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_exits_0_and_summarises(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(TUTORIAL)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "valid: 2 days, 2 venues, 4 parties (principals: host)" in out
    assert "3 meeting requests (1 required)" in out


def test_invalid_file_exits_1_with_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = TUTORIAL.read_text(encoding="utf-8").replace("[host, ana]", "[host, anna]")
    path = write(tmp_path, text)
    assert main(["validate", str(path)]) == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err
    line = 1 + text[: text.index("anna")].count("\n")
    assert f"{path}:{line}:21: meetings[0].parties[1]: unknown party 'anna'" in err
    assert "did you mean 'ana'?" in err
    assert err.rstrip().endswith("1 problem found")
    assert "Traceback" not in err


def test_several_problems_are_all_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        TUTORIAL.read_text(encoding="utf-8")
        .replace("[host, ana]", "[host, anna]")
        .replace("venues: [palace]", "venues: [palce]")
        .replace("after: [host-ana]", "after: [host-bob]")
    )
    path = write(tmp_path, text)
    assert main(["validate", str(path)]) == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 4 and err[-1] == "3 problems found"
    assert all(line.startswith(f"{path}:") for line in err[:3])
    assert ["'anna'" in err[0], "'palce'" in err[1], "'host-bob'" in err[2]] == [True] * 3


def test_empty_file_is_invalid_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(write(tmp_path, ""))]) == ExitCode.INVALID_INPUT
    assert "the file is empty" in capsys.readouterr().err


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nowhere.yaml")]) == ExitCode.USAGE
    assert "nowhere.yaml: no such file" in capsys.readouterr().err


def test_no_arguments_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate"])
    assert caught.value.code == ExitCode.USAGE


# --- the real command, in a subprocess --------------------------------------------------


@pytest.mark.slow
def test_command_exit_codes() -> None:
    assert sim("validate", str(TUTORIAL)).returncode == 0
    assert sim("validate").returncode == 2
    assert sim().returncode == 2
    missing = sim("validate", "no/such/file.yaml")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_command_on_an_invalid_file(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nid: x\nname: [unclosed\n")
    result = sim("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:4:1: YAML syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_command_refuses_code_in_the_file(tmp_path: Path) -> None:
    canary = tmp_path / "ran"
    path = write(tmp_path, f"version: !!python/object/apply:os.system ['touch {canary}']\n")
    result = sim("validate", str(path))
    assert result.returncode == 1 and "is not allowed" in result.stderr
    assert not canary.exists()
