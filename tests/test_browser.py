"""The HTML exports open in a real browser: headless Chromium renders them, takes a
screenshot, and logs no console message (no script error, no missing resource).

Chromium comes from Debian's ``chromium`` package (``.ci/run`` installs it). Off CI
the test is skipped when it is missing; on CI (``CI`` set) a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.slow


def _screenshot(page: Path, shot: Path) -> list[str]:
    """Render ``page``; the console lines Chromium logged."""
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            f"--screenshot={shot}",
            "--window-size=1400,1000",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return [line for line in done.stderr.splitlines() if "CONSOLE" in line]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing on CI: .ci/run should have installed it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    out = tmp_path_factory.mktemp("run")
    # the main job, small: plan, 10 replays of one policy, every export
    code = main(
        [
            "run",
            str(ROOT / "scenarios" / "tutorial.yaml"),
            "-o",
            str(out),
            "--runs",
            "10",
            "--policy",
            "shorten",
            "-q",
        ]
    )
    assert code == 0
    return out


@pytest.mark.parametrize(
    "page",
    [
        "index.html",
        "gantt.html",
        "report.html",
        "replay-shorten-worst.html",
        "briefings/host.html",
    ],
)
def test_page_renders_without_console_errors(exported: Path, page: str, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    console = _screenshot(exported / page, shot)
    assert console == []
    assert shot.exists() and shot.stat().st_size > 10_000  # a blank page is ~3 kB
