"""Start-up time of the command line: prints a table.

Each command runs in a fresh process, as a user types it, ``--runs`` times; the
table gives the median, the fastest and the slowest wall-clock seconds, beside
a bare ``python -c pass`` (the floor no command can go under). Run it on an idle
machine for absolute numbers; on a shared one, compare the medians with the bare
interpreter's. With PYTHONDONTWRITEBYTECODE set and no ``__pycache__`` in ``sim/``,
every run also compiles the package's sources (about 25 ms of ``sim validate``), which
an installed copy does not: the table then says so.

    python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIM = [sys.executable, "-m", "sim.cli"]

COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass (the floor)", [sys.executable, "-c", "pass"]),
    ("sim --help", [*SIM, "--help"]),
    ("sim validate kazan-2024", [*SIM, "validate", "scenarios/kazan-2024.yaml"]),
    ("sim validate whole-summit", [*SIM, "validate", "scenarios/whole-summit.yaml"]),
    ("sim validate (an error)", [*SIM, "validate", "scenarios/missing.yaml"]),
]


def timed(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(f"{'command':<30} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, command in COMMANDS:
        timed(command)  # warm the file cache first
        seconds = [timed(command) for _ in range(runs)]
        print(
            f"{name:<30} {statistics.median(seconds):>9.3f} "
            f"{min(seconds):>7.3f} {max(seconds):>7.3f}"
        )
    compiled = sys.pycache_prefix or (ROOT / "sim" / "__pycache__").is_dir()
    if sys.flags.dont_write_bytecode and not compiled:
        print("note: PYTHONDONTWRITEBYTECODE is set: each run compiled sim's sources")


if __name__ == "__main__":
    main()
