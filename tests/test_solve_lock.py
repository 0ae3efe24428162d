"""``sim solve -o DIR`` refuses to write where another run is writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.output_lock import output_lock

TUTORIAL = Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.yaml"


def test_a_second_solve_into_a_busy_folder_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with output_lock(out):  # another run holds the folder
        code = main(["solve", str(TUTORIAL), "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert "another sim run" in err and str(out) in err
    assert not (out / "schedule.json").exists()
    # once the other run is done, the folder is free again
    assert main(["solve", str(TUTORIAL), "-o", str(out), "-q"]) == 0
    assert (out / "schedule.json").exists()
    assert not (out / ".sim.lock").exists()
