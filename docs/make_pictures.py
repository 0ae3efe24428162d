"""Make the pictures of docs/user-guide.md from the bundled Kazan scenario.

    python docs/make_pictures.py

Runs ``sim run`` on scenarios/kazan-2024.yaml into a temporary folder, copies the
Gantt chart, and screenshots the robustness report and the host's briefing with
headless Chromium (Debian's ``chromium``; without it only the Gantt chart is made).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"


def screenshot(page: Path, picture: Path, width: int, height: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print(f"skipped {picture.name}: chromium is not installed", file=sys.stderr)
        return
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
            f"--screenshot={picture}",
            f"--window-size={width},{height}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    print(f"wrote {picture}")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "kazan"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sim",
                "run",
                str(ROOT / "scenarios" / "kazan-2024.yaml"),
                "-o",
                str(out),
                "-q",
            ],
            check=True,
        )
        shutil.copyfile(out / "gantt.png", IMAGES / "kazan-gantt.png")
        print(f"wrote {IMAGES / 'kazan-gantt.png'}")
        screenshot(out / "report.html", IMAGES / "kazan-report.png", 1200, 1500)
        screenshot(
            out / "briefings" / "putin.html", IMAGES / "kazan-briefing-putin.png", 1000, 1300
        )


if __name__ == "__main__":
    main()
