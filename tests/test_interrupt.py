"""Ctrl-C: the planner keeps its best plan.

* SIGINT during a CP-SAT search stops it; ``solve`` returns the best schedule found
  (``interrupted``, status feasible, a note), which the independent checker
  accepts. It never ends in SIGABRT (a KeyboardInterrupt inside OR-Tools, or
  CPython 3.11's ``Thread.join`` mistaking a running solver thread for a finished
  one, used to end the process in ``std::terminate``).
* A second SIGINT ends ``sim solve`` at once with status 130, leaving no file.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sim.check import check
from sim.scenario.load import load_scenario
from sim.schedule import SolveStatus, read_schedule
from sim.solve import SolveSettings, solve
from sim.solve import run as solve_run
from sim.solve.greedy import greedy_schedule

ROOT = Path(__file__).resolve().parent.parent
WHOLE_SUMMIT = "scenarios/whole-summit.yaml"


# --- in process -----------------------------------------------------------------


def _sigint_later(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, signal.raise_signal, args=(signal.SIGINT,))
    timer.start()
    return timer


@pytest.mark.slow
def test_ctrl_c_during_the_search_keeps_the_best_plan() -> None:
    scenario = load_scenario(ROOT / WHOLE_SUMMIT)
    before = signal.getsignal(signal.SIGINT)
    timers: list[threading.Timer] = []

    def progress(message: str) -> None:
        # Called inside the search (the solver's thread): the signal lands mid-search.
        if not timers:
            timers.append(_sigint_later(0.5))

    started = time.perf_counter()
    result = solve(scenario, SolveSettings(time_limit=60), progress=progress)
    elapsed = time.perf_counter() - started
    for timer in timers:
        timer.join()
    assert timers, "the search reported no solution"
    assert result.interrupted
    schedule = result.schedule
    assert schedule.status is SolveStatus.FEASIBLE
    assert any("interrupted" in note for note in schedule.notes)
    assert schedule.assignments
    report = check(scenario, schedule)
    assert report.ok, [str(v) for v in report.violations]
    assert elapsed < 40, "the search did not stop"
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back


@pytest.mark.slow
def test_ctrl_c_before_the_search_starts_is_not_lost(monkeypatch: Any) -> None:
    """SIGINT while the first hint is computed (before CP-SAT runs): the search that
    follows stops at once and the result still holds a valid plan."""
    real = greedy_schedule
    calls: list[int] = []

    def greedy_then_ctrl_c(*args: Any, **kwargs: Any) -> Any:
        schedule = real(*args, **kwargs)
        if not calls:  # once: a second Ctrl-C would end the process
            signal.raise_signal(signal.SIGINT)  # handled at once, in this (main) thread
        calls.append(1)
        return schedule

    monkeypatch.setattr(solve_run, "greedy_schedule", greedy_then_ctrl_c)
    scenario = load_scenario(ROOT / WHOLE_SUMMIT)
    started = time.perf_counter()
    result = solve(scenario, SolveSettings(time_limit=60))
    assert time.perf_counter() - started < 30
    assert result.interrupted
    assert result.schedule.status is SolveStatus.FEASIBLE
    assert check(scenario, result.schedule).ok


def test_keep_on_interrupt_false_raises_after_stopping_the_solver() -> None:
    scenario = load_scenario(ROOT / "scenarios/tutorial.yaml")
    before = signal.getsignal(signal.SIGINT)
    raised: list[bool] = []

    def progress(message: str) -> None:
        if not raised:
            raised.append(True)
            signal.raise_signal(signal.SIGINT)  # from the solver's thread

    with pytest.raises(KeyboardInterrupt):
        solve(scenario, SolveSettings(time_limit=10, keep_on_interrupt=False), progress=progress)
    assert signal.getsignal(signal.SIGINT) is before
    assert not [t for t in threading.enumerate() if t.name == "cp-sat"]


def test_an_error_in_the_progress_callback_is_raised_not_an_abort() -> None:
    """The progress callback runs inside CP-SAT (C++): an exception escaping from it
    would abort the process, so this runs in a child process."""
    code = (
        "import sys\n"
        "from sim.scenario.load import load_scenario\n"
        "from sim.solve import SolveSettings, solve\n"
        "def progress(message):\n"
        "    raise BrokenPipeError('the reader went away')\n"
        "try:\n"
        "    solve(load_scenario('scenarios/tutorial.yaml'), SolveSettings(time_limit=5),"
        " progress=progress)\n"
        "except BrokenPipeError:\n"
        "    sys.exit(7)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 7, done.stderr.decode()


# --- sim solve, in a child process --------------------------------------------------


def _start_solve(out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "solve", WHOLE_SUMMIT, "--time-limit", "20", "-o", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_the_search(process: subprocess.Popen[bytes]) -> list[bytes]:
    """Block until the command prints its first progress line (the search is on); the
    rest of standard error is drained in a thread so the child never blocks on it."""
    assert process.stderr is not None
    stream = process.stderr
    lines: list[bytes] = []
    while True:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if b"best" in line:
            break
    threading.Thread(target=lambda: lines.extend(stream), daemon=True).start()
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("moment", range(5))
def test_sim_solve_on_ctrl_c_writes_the_best_plan_and_never_aborts(
    moment: int, tmp_path: Path
) -> None:
    delay = random.Random(2024 + moment).uniform(0.5, 8.0)
    process = _start_solve(tmp_path)
    lines = _wait_for_the_search(process)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=120)
    stderr = b"".join(lines).decode(errors="replace")
    assert code in (0, 130), f"exit {code} after {delay:.2f} s:\n{stderr[-3000:]}"
    path = tmp_path / "schedule.json"
    if code == 0 or path.exists():
        scenario = load_scenario(ROOT / WHOLE_SUMMIT)
        schedule = read_schedule(path)
        assert check(scenario, schedule).ok
        if schedule.status is not SolveStatus.OPTIMAL:
            assert any("interrupted" in note for note in schedule.notes)
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.slow
def test_a_second_ctrl_c_exits_at_once_leaving_no_file(tmp_path: Path) -> None:
    process = _start_solve(tmp_path)
    _wait_for_the_search(process)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130
    assert list(tmp_path.iterdir()) == []
