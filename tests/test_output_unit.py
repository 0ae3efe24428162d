"""A command's outputs as one unit: manifest.json written last, a lock per folder, no
hidden files left behind, and a reader that can tell a complete set from a mix.

The SIGKILL tests run ``sim simulate -o`` in a child process and kill it: at a random
moment of the whole run, and (so that the few milliseconds of writing are hit every
time) after a random number of the files have been written.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.cli import main
from sim.exit_codes import ExitCode
from sim.export import export
from sim.output_lock import LOCK_NAME, OutputBusy, output_lock
from sim.output_set import MANIFEST, OutputSet, verify
from sim.schedule import read_schedule, write_schedule
from sim.solve.greedy import greedy_schedule

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"
KAZAN = ROOT / "scenarios" / "kazan-2024.yaml"


def _hidden(folder: Path) -> list[Path]:
    """Hidden files (temporary files, the lock) anywhere under ``folder``."""
    return sorted(p for p in folder.rglob(".*"))


@pytest.fixture(scope="module")
def tutorial_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = sim.load_scenario(TUTORIAL)
    path = tmp_path_factory.mktemp("plan") / "schedule.json"
    write_schedule(path, greedy_schedule(scenario), scenario)
    return path


@pytest.fixture(scope="module")
def kazan_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = sim.load_scenario(KAZAN)
    path = tmp_path_factory.mktemp("kazan") / "schedule.json"
    write_schedule(path, greedy_schedule(scenario), scenario)
    return path


# --- the unit, in process ----------------------------------------------------------------


def test_the_manifest_lists_every_file_with_its_size_and_hash(tmp_path: Path) -> None:
    with OutputSet(tmp_path, "test", {"n": 1}, subfolders=("sub",)) as outputs:
        outputs.begin()
        (tmp_path / "sub").mkdir()
        (tmp_path / "a.txt").write_text("alpha")
        (tmp_path / "sub" / "b.bin").write_bytes(b"\0" * 10)
        outputs.add([tmp_path / "a.txt", tmp_path / "sub" / "b.bin"])
        manifest_path = outputs.commit()
    manifest = json.loads(manifest_path.read_text())
    assert manifest["complete"] is True and manifest["command"] == "test"
    assert manifest["arguments"] == {"n": 1} and len(manifest["run_id"]) == 32
    listed = {f["path"]: (f["size"], f["sha256"]) for f in manifest["files"]}
    assert listed == {
        "a.txt": (5, "8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8"),
        "sub/b.bin": (10, "01d448afd928065458cf670b60f5a594d735af0172c8d67f22a81680132681ca"),
    }
    assert verify(tmp_path).complete
    assert _hidden(tmp_path) == []  # the lock file is gone too
    (tmp_path / "sub" / "b.bin").write_bytes(b"\1" * 10)  # another run's file
    verdict = verify(tmp_path)
    assert not verdict.complete and "b.bin: changed since manifest.json" in verdict.reason


def test_an_unfinished_set_leaves_no_manifest_and_no_hidden_file(tmp_path: Path) -> None:
    mine = tmp_path / "notes.txt"  # the user's own file: never touched
    mine.write_text("mine")
    with OutputSet(tmp_path, "first") as outputs:
        (tmp_path / "a.txt").write_text("old")
        outputs.add([tmp_path / "a.txt"])
        outputs.commit()
    assert verify(tmp_path).complete
    with pytest.raises(RuntimeError), OutputSet(tmp_path, "second") as outputs:
        outputs.begin()
        (tmp_path / "a.txt").write_text("new")
        raise RuntimeError("the run fails half-way")
    assert not (tmp_path / MANIFEST).exists()
    verdict = verify(tmp_path)
    assert not verdict.complete and "no manifest.json" in verdict.reason
    assert mine.read_text() == "mine" and _hidden(tmp_path) == []


def test_a_set_that_never_begins_keeps_the_previous_manifest(tmp_path: Path) -> None:
    with OutputSet(tmp_path, "first") as outputs:
        (tmp_path / "a.txt").write_text("old")
        outputs.add([tmp_path / "a.txt"])
        outputs.commit()
    with OutputSet(tmp_path, "second"):
        pass  # refused before writing anything (an invalid schedule, say)
    assert verify(tmp_path).complete


def test_the_previous_runs_files_not_written_again_are_retired(tmp_path: Path) -> None:
    # a delegation dropped from the scenario: its calendar must not stay beside the new
    # run's files; a file the user changed since, or added, is left alone
    (tmp_path / "calendars").mkdir()
    calendars = {name: tmp_path / "calendars" / f"{name}.ics" for name in ("ana", "ben", "eve")}
    with OutputSet(tmp_path, "first") as outputs:
        for path in calendars.values():
            path.write_text(f"{path.stem}, first run")
        outputs.add(calendars.values())
        outputs.commit()
    calendars["eve"].write_text("edited by hand")
    mine = tmp_path / "calendars" / "notes.txt"
    mine.write_text("mine")
    with OutputSet(tmp_path, "second") as outputs:
        calendars["ana"].write_text("ana, second run")
        outputs.add([calendars["ana"]])
        outputs.commit()
    assert outputs.retired == [calendars["ben"]]
    assert not calendars["ben"].exists()
    assert calendars["eve"].read_text() == "edited by hand" and mine.read_text() == "mine"
    assert verify(tmp_path).complete


def test_stale_temporary_files_are_removed_by_the_next_run(tmp_path: Path) -> None:
    (tmp_path / "calendars").mkdir()
    (tmp_path / "elsewhere").mkdir()
    stale = [tmp_path / ".gantt.png.k3j2.sim.tmp", tmp_path / "calendars" / ".a.ics.x.sim.tmp"]
    kept = [tmp_path / ".user.tmp", tmp_path / "elsewhere" / ".b.ics.y.sim.tmp"]
    for path in stale + kept:
        path.write_text("left by a killed run")
    with OutputSet(tmp_path, "next", subfolders=("calendars",)) as outputs:
        assert sorted(outputs.removed) == sorted(stale)
    assert not any(p.exists() for p in stale) and all(p.exists() for p in kept)


def test_the_python_export_writes_a_manifest_last(tutorial_plan: Path, tmp_path: Path) -> None:
    scenario = sim.load_scenario(TUTORIAL)
    schedule = sim.schedule.read_schedule(tutorial_plan)
    paths = export(scenario, schedule, tmp_path, ["csv", "md"])
    assert paths[-1] == tmp_path / MANIFEST
    verdict = verify(tmp_path)
    assert verdict.complete and verdict.manifest is not None
    assert verdict.manifest["command"] == "sim.export.export"
    listed = {f["path"] for f in verdict.manifest["files"]}
    assert listed == {p.relative_to(tmp_path).as_posix() for p in paths[:-1]}
    assert _hidden(tmp_path) == []


def test_an_export_that_fails_leaves_no_manifest_and_no_hidden_file(
    tutorial_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = sim.load_scenario(TUTORIAL)
    schedule = sim.schedule.read_schedule(tutorial_plan)
    export(scenario, schedule, tmp_path, ["csv"])
    from sim.export import table

    def broken(*args: Any) -> str:
        raise ValueError("a bug in the exporter")

    monkeypatch.setattr(table, "mermaid_markdown", broken)
    with pytest.raises(ValueError, match="a bug"):
        export(scenario, schedule, tmp_path, ["csv", "md"])
    assert not verify(tmp_path).complete
    assert _hidden(tmp_path) == []


def test_export_refuses_a_simulation_folder_that_is_a_mix(
    tutorial_plan: Path, tmp_path: Path, capsys: Any
) -> None:
    replays = tmp_path / "replays"
    argv = ["simulate", str(TUTORIAL), "--schedule", str(tutorial_plan), "--runs", "3"]
    argv += ["--workers", "1", "--policy", "drop", "-q", "-o", str(replays)]
    assert main(argv) == ExitCode.OK
    export_argv = ["export", str(tutorial_plan), "--scenario", str(TUTORIAL), "--format", "csv"]
    export_argv += ["--simulation", str(replays), "-q", "-o", str(tmp_path / "out")]
    assert main(export_argv) == ExitCode.OK
    assert verify(tmp_path / "out").complete
    capsys.readouterr()
    # another run's file among them: refused, the report would mix two runs
    (replays / "timelines.json").write_text("{}\n")
    assert main(export_argv) == ExitCode.INVALID_INPUT
    assert "timelines.json: changed since manifest.json was written" in capsys.readouterr().err
    # no manifest (an interrupted run, or one from before manifests): a warning
    (replays / MANIFEST).unlink()
    assert main(export_argv) == ExitCode.OK
    assert "warning: " in capsys.readouterr().err


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (lambda text: text[:40], "not valid JSON"),
        (lambda text: "[]", "not the results of 'sim simulate' (not a JSON object)"),
        (
            lambda text: text.replace('"id": "tutorial"', '"id": "another-summit"'),
            "these replays are of scenario 'another-summit', not of 'tutorial'",
        ),
        (
            lambda text: text.replace('"variants"', '"variants_"'),
            "no list of variants",
        ),
        (
            lambda text: text.replace('"label"', '"label_"'),
            "these files do not hold the results 'sim simulate' writes",
        ),
    ],
    ids=["truncated", "not-an-object", "another-scenario", "no-variants", "a-field-missing"],
)
def test_a_bad_simulation_folder_is_refused_before_anything_is_written(
    tutorial_plan: Path, tmp_path: Path, capsys: Any, spoil: Any, said: str
) -> None:
    replays = tmp_path / "replays"
    argv = ["simulate", str(TUTORIAL), "--schedule", str(tutorial_plan), "--runs", "3"]
    argv += ["--workers", "1", "--policy", "drop", "-q", "-o", str(replays)]
    assert main(argv) == ExitCode.OK
    results = replays / "simulation.json"
    assert '"id": "tutorial"' in results.read_text()
    results.write_text(spoil(results.read_text()))
    (replays / MANIFEST).unlink()  # (else the changed file is refused as a mix)
    capsys.readouterr()
    out = tmp_path / "out"
    export_argv = ["export", str(tutorial_plan), "--scenario", str(TUTORIAL), "--format", "csv"]
    export_argv += ["--simulation", str(replays), "-q", "-o", str(out)]
    assert main(export_argv) == ExitCode.INVALID_INPUT
    err = " ".join(capsys.readouterr().err.split())  # (the console wraps long lines)
    assert f"{results}" in err and said in err and "internal error" not in err
    assert not out.exists() or not any(out.iterdir())
    # the Python API refuses it the same way, also before writing
    scenario = sim.load_scenario(TUTORIAL)
    schedule = read_schedule(tutorial_plan, scenario)
    with pytest.raises(sim.InputError, match=r"simulation\.json"):
        export(scenario, schedule, out, ["csv"], simulation_dir=replays)
    assert not out.exists() or not any(out.iterdir())


# --- the lock ------------------------------------------------------------------------------


def test_a_second_lock_on_a_folder_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    with output_lock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())
        with pytest.raises(OutputBusy) as refused, output_lock(tmp_path):
            pass
        assert refused.value.pid == os.getpid()
        assert f"another sim run (process {os.getpid()})" in str(refused.value)
        with output_lock(tmp_path / "sub"):  # another folder: its own lock
            pass
    with output_lock(tmp_path):  # released: free again
        pass
    assert _hidden(tmp_path) == []


def test_a_run_into_a_locked_folder_exits_2_at_once(
    tutorial_plan: Path, tmp_path: Path, capsys: Any
) -> None:
    previous = [
        "simulate",
        str(TUTORIAL),
        "--schedule",
        str(tutorial_plan),
        "--runs",
        "3",
        "--workers",
        "1",
        "-q",
        "-o",
        str(tmp_path),
    ]
    with output_lock(tmp_path):
        assert main(previous) == ExitCode.USAGE
        err = capsys.readouterr().err
        assert str(tmp_path) in err and f"(process {os.getpid()})" in err
        assert not (tmp_path / "simulation.json").exists()
        schedule = sim.schedule.read_schedule(tutorial_plan)
        with pytest.raises(OutputBusy):
            export(sim.load_scenario(TUTORIAL), schedule, tmp_path, ["csv"])
        code = main(["run", str(TUTORIAL), "-o", str(tmp_path), "--runs", "0", "-q"])
        assert code == ExitCode.USAGE
    assert main(previous) == ExitCode.OK  # the folder is free again
    assert verify(tmp_path).complete


def test_a_file_system_without_locks_is_written_unguarded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with output_lock(tmp_path), output_lock(tmp_path):  # neither refused nor failing
        pass
    assert _hidden(tmp_path) == []


def test_a_killed_holder_does_not_block_the_next_run(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from sim.output_lock import output_lock\n"
            f"with output_lock({str(tmp_path)!r}):\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        with pytest.raises(OutputBusy) as refused, output_lock(tmp_path):
            pass
        assert refused.value.pid == holder.pid
    finally:
        holder.kill()
        holder.wait()
    with output_lock(tmp_path):  # the kernel released the dead process's lock
        pass
    assert _hidden(tmp_path) == []


@pytest.mark.slow
def test_two_simulate_runs_into_one_folder_the_second_is_refused(
    kazan_plan: Path, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "sim", "simulate", str(KAZAN), "--schedule", str(kazan_plan)]
    command += ["--policy", "as-planned", "--workers", "1", "-q", "-o", str(tmp_path)]
    first = subprocess.Popen([*command, "--runs", "1500"], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / LOCK_NAME).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the PID is written just after the lock is taken
        started = time.perf_counter()
        second = subprocess.run(
            [*command, "--runs", "5"], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert second.returncode == ExitCode.USAGE, second.stderr
        assert f"{tmp_path}: another sim run (process {first.pid})" in second.stderr
        assert time.perf_counter() - started < 30  # refused at once, not after the first
        assert first.poll() is None, "the first run should still be replaying"
        assert first.wait(timeout=300) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    verdict = verify(tmp_path)
    assert verdict.complete and verdict.manifest is not None
    assert verdict.manifest["arguments"]["runs"] == 1500
    assert _hidden(tmp_path) == []


# --- SIGKILL during sim simulate -o ----------------------------------------------------------


def _simulate_args(plan: Path, out: Path, seed: int, runs: int = 40) -> list[str]:
    return [
        "simulate",
        str(KAZAN),
        "--schedule",
        str(plan),
        "--runs",
        str(runs),
        "--seed",
        str(seed),
        "--policy",
        "as-planned",
        "--policy",
        "shorten",
        "--workers",
        "1",
        "-q",
        "-o",
        str(out),
    ]


def _complete_set(plan: Path, out: Path) -> dict[str, str]:
    """A first, complete run into ``out``; its manifest's hashes by file."""
    assert main(_simulate_args(plan, out, seed=1)) == ExitCode.OK
    verdict = verify(out)
    assert verdict.complete and verdict.manifest is not None
    return {f["path"]: f["sha256"] for f in verdict.manifest["files"]}


def _assert_a_reader_can_tell(out: Path, old: dict[str, str]) -> str:
    """After a kill: either a manifest that every file matches (the old set untouched,
    or the new one whole), or no manifest at all. Never a manifest beside a mix."""
    verdict = verify(out)
    if (out / MANIFEST).exists():
        assert verdict.complete, verdict.reason
        assert verdict.manifest is not None
        listed = {f["path"]: f["sha256"] for f in verdict.manifest["files"]}
        return "old" if listed == old else "new"
    assert not verdict.complete and "no manifest.json" in verdict.reason
    return "incomplete"


# A child that runs ``sim simulate`` and SIGKILLs itself when the k-th result file has
# been renamed into place, or halfway through writing it (a temporary file left).
_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    import sim.atomic
    from sim.cli import main

    kill_after, halfway = int(sys.argv[1]), sys.argv[2] == "halfway"
    real = sim.atomic.os.replace
    renamed = []

    def replace(source, target):
        if len(renamed) == kill_after and halfway:
            os.kill(os.getpid(), signal.SIGKILL)
        real(source, target)
        renamed.append(target)
        if len(renamed) == kill_after and not halfway:
            os.kill(os.getpid(), signal.SIGKILL)

    sim.atomic.os.replace = replace
    sys.exit(main(sys.argv[3:]))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(4))
def test_sigkill_while_the_files_are_written_leaves_no_manifest(
    trial: int, kazan_plan: Path, tmp_path: Path
) -> None:
    old = _complete_set(kazan_plan, tmp_path)
    chance = random.Random(trial)
    kill_after = chance.randrange(1, len(old) + 1)  # seven result files, the manifest last
    how = "halfway" if trial % 2 else "between"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _KILLER,
            str(kill_after),
            how,
            *_simulate_args(kazan_plan, tmp_path, seed=2),
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    now = {name: sha256((tmp_path / name).read_bytes()).hexdigest() for name in old}
    assert now != old, "the killed run replaced no file (another seed gives other results)"
    # killed before its manifest: new files beside old ones, and the reader is told
    assert _assert_a_reader_can_tell(tmp_path, old) == "incomplete"
    if how == "halfway":
        assert list(tmp_path.glob(".*.sim.tmp")), "the kill should leave a temporary file"
    # the next run into the folder removes what the killed one left, and completes
    command = [sys.executable, "-m", "sim", *_simulate_args(kazan_plan, tmp_path, seed=3)]
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == ExitCode.OK, again.stderr
    if how == "halfway":
        assert "note: removed 1 hidden temporary file that an interrupted run left" in (
            again.stderr
        )
    assert verify(tmp_path).complete and _hidden(tmp_path) == []


@pytest.mark.slow
def test_sigkill_at_random_moments_never_leaves_an_undetectable_mix(
    kazan_plan: Path, tmp_path: Path
) -> None:
    old = _complete_set(kazan_plan, tmp_path)
    chance = random.Random(12)
    seen = []
    for attempt in range(4):
        process = subprocess.Popen(
            [sys.executable, "-m", "sim", *_simulate_args(kazan_plan, tmp_path, seed=10 + attempt)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chance.uniform(0.5, 6.0))
        process.kill()
        process.wait()
        seen.append(_assert_a_reader_can_tell(tmp_path, old))
        if seen[-1] == "new":  # a complete new set: judge the next kill against it
            verdict = verify(tmp_path)
            assert verdict.manifest is not None
            old = {f["path"]: f["sha256"] for f in verdict.manifest["files"]}
    assert main(_simulate_args(kazan_plan, tmp_path, seed=99)) == ExitCode.OK
    assert verify(tmp_path).complete and _hidden(tmp_path) == []


# --- Ctrl-C and errors leave nothing hidden ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("delay", [1.5, 2.5, 4.0])
def test_ctrl_c_during_simulate_o_writes_nothing_and_leaves_nothing_hidden(
    delay: float, kazan_plan: Path, tmp_path: Path
) -> None:
    """At 1.5 to 2.5 s the workers are starting: a Ctrl-C then used to leave one
    unrecorded, which printed a traceback once the parent had gone."""
    old = _complete_set(kazan_plan, tmp_path)
    before = {name: (tmp_path / name).read_bytes() for name in [*old, MANIFEST]}
    args = _simulate_args(kazan_plan, tmp_path, seed=5, runs=3000)
    args[args.index("--workers") + 1] = "2"
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERRUPTED, err.decode()
    assert b"Traceback" not in err
    # interrupted before the results: nothing written, the previous set intact
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert verify(tmp_path).complete and _hidden(tmp_path) == []


def test_an_invalid_schedule_writes_nothing_into_the_folder(tmp_path: Path) -> None:
    scenario = sim.load_scenario(TUTORIAL)
    schedule = greedy_schedule(scenario)
    first, second, *rest = schedule.assignments
    length = second.end - second.start
    on_top = replace(second, day=first.day, start=first.start, end=first.start + length)
    bad = tmp_path / "bad.json"
    write_schedule(bad, replace(schedule, assignments=(first, on_top, *rest)), scenario)
    out = tmp_path / "out"
    argv = ["simulate", str(TUTORIAL), "--schedule", str(bad), "--runs", "2", "-q", "-o", str(out)]
    assert main(argv) == ExitCode.RULES_BROKEN
    assert list(out.iterdir()) == []  # no file, no lock left behind
