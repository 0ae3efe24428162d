"""Ctrl-C: the planner keeps its best plan, the simulator leaves no worker behind.

* SIGINT during a CP-SAT search stops it; ``solve`` returns the best schedule found
  (``interrupted``, status feasible, a note), which the independent checker
  accepts. It never ends in SIGABRT (a KeyboardInterrupt inside OR-Tools, or
  CPython 3.11's ``Thread.join`` mistaking a running solver thread for a finished
  one, used to end the process in ``std::terminate``).
* A second SIGINT ends ``sim solve`` at once with status 130, leaving no file.
* ``sim simulate --workers N`` ends its worker processes when interrupted.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from sim.check import check
from sim.scenario.load import load_scenario
from sim.schedule import SolveStatus, read_schedule, write_schedule
from sim.simulate.executors import LocalProcesses
from sim.solve import SolveSettings, solve
from sim.solve import run as solve_run
from sim.solve.greedy import greedy_schedule

ROOT = Path(__file__).resolve().parent.parent
WHOLE_SUMMIT = "scenarios/whole-summit.yaml"
KAZAN = "scenarios/kazan-2024.yaml"
SIMULATE = ("--runs", "2000", "--workers", "2", "--policy", "as-planned")


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
    # no schedule, whole or half; the folder's lock file may stay behind (the kernel
    # released the lock itself, and the next run takes it over)
    assert [p.name for p in tmp_path.iterdir()] in ([], [".sim.lock"])


# --- worker processes -----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        with suppress(OSError):  # a thread that has just ended
            found += [int(x) for x in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return found


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a live (not zombie) process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def _grandchildren(pid: int) -> dict[int, str | None]:
    """Worker processes: the children of the forkserver, itself a child of ``pid``."""
    return {g: _start_time(g) for c in _children(pid) for g in _children(c)}


def _still_running(processes: dict[int, str | None]) -> list[int]:
    return [p for p, started in processes.items() if started and _start_time(p) == started]


def _wait_for(condition: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def _nap(job: int) -> int:
    if job == 0:
        time.sleep(0.5)
        raise ValueError("job 0 fails")
    time.sleep(0.3)
    return job


skip_without_proc = pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="reads the process tree from /proc"
)


@pytest.mark.slow
@skip_without_proc
def test_a_failed_job_ends_the_workers_without_running_the_queue() -> None:
    started = time.perf_counter()
    with pytest.raises(ValueError, match="job 0 fails"):
        for _ in LocalProcesses(2).run(_nap, list(range(60))):  # 60 x 0.3 s / 2 = 9 s
            pass
    assert time.perf_counter() - started < 6


@pytest.mark.slow
@skip_without_proc
def test_closing_the_iterator_ends_the_workers_at_once() -> None:
    batches = LocalProcesses(2).run(_nap, list(range(1, 60)))
    next(batches)
    workers = _grandchildren(os.getpid())
    assert workers
    started = time.perf_counter()
    batches.close()  # type: ignore[attr-defined]
    assert time.perf_counter() - started < 3  # not after the 58 jobs left (about 9 s)
    assert _wait_for(lambda: _still_running(workers) == [], 5), _still_running(workers)


@pytest.mark.slow
@skip_without_proc
@pytest.mark.parametrize(
    "how", ["parent", "terminal", "twice"], ids=["to-parent", "to-group", "twice"]
)
def test_sim_simulate_leaves_no_worker_after_ctrl_c(how: str, tmp_path: Path) -> None:
    """SIGINT to the parent alone, to the whole process group (as a terminal does), or
    twice to the parent: it exits at once and every worker is gone. (Twice used to
    hang the parent in the pool's shutdown; killed, it left the workers waiting for
    work forever.)"""
    scenario = load_scenario(ROOT / KAZAN)
    plan = tmp_path / "schedule.json"
    write_schedule(plan, greedy_schedule(scenario), scenario)
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "simulate", KAZAN, "--schedule", str(plan), *SIMULATE],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    everyone: dict[int, str | None] = {}
    try:
        assert _wait_for(lambda: len(_grandchildren(process.pid)) >= 2, 60), "no workers"
        time.sleep(1.0)  # let them work
        everyone |= {c: _start_time(c) for c in _children(process.pid)}
        everyone |= _grandchildren(process.pid)
        interrupted = time.perf_counter()
        if how == "terminal":
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        if how == "twice":
            time.sleep(0.2)
            process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        assert time.perf_counter() - interrupted < 3  # not after the batches under way
        # A second Ctrl-C can land after the command has returned 130, while Python
        # winds down: then Python itself ends by SIGINT (sim/cli.py's business).
        assert code == 130 or (how == "twice" and code == -signal.SIGINT)
        assert _wait_for(lambda: _still_running(everyone) == [], 5), _still_running(everyone)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in _still_running(everyone):
            os.kill(pid, signal.SIGKILL)  # this test's own leftovers only


@pytest.mark.slow
@skip_without_proc
def test_workers_end_when_sim_simulate_is_killed_outright(tmp_path: Path) -> None:
    """SIGKILL (or the out-of-memory killer) gives the parent no chance to end its
    workers; they notice it is gone and end themselves (they used to run on, then
    wait for work forever)."""
    scenario = load_scenario(ROOT / KAZAN)
    plan = tmp_path / "schedule.json"
    write_schedule(plan, greedy_schedule(scenario), scenario)
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "simulate", KAZAN, "--schedule", str(plan), *SIMULATE],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    everyone: dict[int, str | None] = {}
    try:
        assert _wait_for(lambda: len(_grandchildren(process.pid)) >= 2, 60), "no workers"
        time.sleep(1.0)
        everyone |= {c: _start_time(c) for c in _children(process.pid)}
        everyone |= _grandchildren(process.pid)
        process.kill()
        assert process.wait(timeout=30) == -signal.SIGKILL
        assert _wait_for(lambda: _still_running(everyone) == [], 10), _still_running(everyone)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in _still_running(everyone):
            os.kill(pid, signal.SIGKILL)  # this test's own leftovers only


def test_ctrl_c_while_a_c_extension_loads_exits_130(
    monkeypatch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Ctrl-C that lands while OR-Tools' C extension initialises surfaces as
    # "ImportError: initialization failed", caused by the KeyboardInterrupt.
    import sim.cli

    def loading(only: str | None = None) -> Any:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as ctrl_c:
            raise ImportError("initialization failed") from ctrl_c

    monkeypatch.setattr(sim.cli, "build_parser", loading)
    previous = signal.getsignal(signal.SIGINT)
    try:
        assert sim.cli.main(["solve", WHOLE_SUMMIT]) == 130
    finally:
        signal.signal(signal.SIGINT, previous)
    assert capsys.readouterr().err.strip() == "interrupted"


@pytest.mark.slow
def test_ctrl_c_while_sim_run_plans_stops_the_run_and_leaves_the_folder(tmp_path: Path) -> None:
    # A search cut short is not what `sim run` was asked to replay and export: the run
    # stops (130) and the folder keeps what it held, here nothing.
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", WHOLE_SUMMIT, "--runs", "5", "-o", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # the scenario's line: planning is under way
    assert b"delegations" in first
    time.sleep(2.0)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130
    assert not [p for p in tmp_path.iterdir() if p.name != ".sim.lock"]


@pytest.mark.parametrize("command", ["solve", "run"])
def test_a_reader_that_stops_reading_costs_no_file(command: str, tmp_path: Path) -> None:
    # ``sim run ... | head -1``: the reader goes away; the command must
    # still write its whole folder and exit as usual (rich's console exited 1 at once,
    # before schedule.json was written)
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "sim", command, str(ROOT / "scenarios" / "tutorial.yaml")]
    argv += ["-o", str(out)] + (["--runs", "5", "--workers", "1"] if command == "run" else [])
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader goes away before the first line
    err = child.stderr.read().decode()
    assert child.wait(timeout=300) == 0, err
    assert "internal error" not in err
    assert read_schedule(out / "schedule.json").assignments
    if command == "run":
        assert (out / "manifest.json").exists() and (out / "report.html").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_standard_output_is_not_blamed_on_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "sim", "solve", str(ROOT / "scenarios" / "tutorial.yaml")]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*argv, "-o", str(out)], stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
    assert done.returncode == 2
    assert "cannot print the results: No space left on device" in done.stderr
    assert "another disk" not in done.stderr
    assert read_schedule(out / "schedule.json").assignments  # written before printing
