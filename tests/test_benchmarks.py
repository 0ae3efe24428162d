"""The benchmark scripts still run against the planner as it is (they reach into
its internals, which no type check covers): the smallest size, a short budget."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_scale_benchmark_prints_its_table() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/scale.py", "--sizes", "15", "--time-limit", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    (row,) = [line for line in done.stdout.splitlines() if line.startswith("| 15 ")]
    assert row.count("|") == 12
