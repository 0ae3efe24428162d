"""Consoles for command output."""

from __future__ import annotations

from rich.console import Console


def wide_console() -> Console:
    """Standard output; when it is not a terminal (a file, a pipe, CI) rich would wrap
    tables at 80 columns, which cuts meeting ids: give it room instead."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=160)
    return console
