"""Ctrl-C during a solve, again and again: prints a table.

Each trial starts ``sim solve SCENARIO -o DIR`` in a fresh process, sends it SIGINT
(what Ctrl-C sends) at a random moment, and records the exit status (130 expected;
a negative one is a signal such as SIGABRT, a core dump), how long the process took
to stop, and whether the folder holds a schedule that ``sim check`` accepts or no
schedule at all (never a half-written file).

    python benchmarks/interrupt.py [--scenario scenarios/whole-summit.yaml]
                                   [--trials 10] [--seed 0] [--latest 10]
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sim(*args: str) -> list[str]:
    return [sys.executable, "-m", "sim", *args]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def trial(scenario: Path, delay: float, folder: Path) -> dict[str, object]:
    process = subprocess.Popen(
        _sim("solve", str(scenario), "-o", str(folder), "--time-limit", "60", "-q"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        # as from a terminal: a shell's background job starts with SIGINT ignored
        preexec_fn=_default_sigint,
    )
    time.sleep(delay)
    sent = time.perf_counter()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    stopped = time.perf_counter() - sent
    schedule = folder / "schedule.json"
    files = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    status, checked = "none", "-"
    if schedule.exists():
        status = json.loads(schedule.read_text())["status"]
        check = subprocess.run(
            _sim("check", str(scenario), str(schedule)), cwd=ROOT, capture_output=True
        )
        checked = "passes" if check.returncode == 0 else f"exit {check.returncode}"
    return {
        "delay": delay,
        "code": process.returncode,
        "stopped": stopped,
        "status": status,
        "check": checked,
        "files": ", ".join(files) or "-",
        "traceback": "Traceback" in err.decode(errors="replace"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/whole-summit.yaml")
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latest", type=float, default=10.0, help="latest moment (s)")
    args = parser.parse_args()
    moments = random.Random(args.seed)
    scenario = (ROOT / args.scenario).resolve()
    print(f"Ctrl-C during `sim solve {args.scenario}`, {args.trials} trials")
    print("| trial | SIGINT at | exit | stopped after | schedule | sim check | files | traceback |")
    print("|---|---|---|---|---|---|---|---|")
    codes = []
    for number in range(1, args.trials + 1):
        delay = moments.uniform(0.3, args.latest)
        with tempfile.TemporaryDirectory() as scratch:
            row = trial(scenario, delay, Path(scratch) / "out")
        codes.append(row["code"])
        print(
            f"| {number} | {delay:.1f} s | {row['code']} | {row['stopped']:.2f} s | "
            f"{row['status']} | {row['check']} | {row['files']} | "
            f"{'yes' if row['traceback'] else 'no'} |",
            flush=True,
        )
    cores = sum(1 for code in codes if isinstance(code, int) and code < 0)
    print(f"exit 130: {codes.count(130)} of {len(codes)}; killed by a signal: {cores}")


if __name__ == "__main__":
    main()
