"""Outputs for people and other programs: each module turns a schedule or
simulation results into one kind of file, and never plans or replays.

``export(scenario, schedule, directory)`` writes everything for a plan (Gantt
charts, calendars, briefings, tables) and, given the folder ``sim simulate -o``
wrote, the robustness report and the replay Gantt charts, plus ``index.html``.
The heavy libraries (plotly, matplotlib, icalendar) load only when used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations; the real imports happen when called
    from sim.model import Scenario
    from sim.schedule import Schedule

__all__ = ["export"]


def export(
    scenario: Scenario,
    schedule: Schedule,
    directory: str | Path,
    formats: Sequence[str] | None = None,
    *,
    previous: Schedule | None = None,
    simulation_dir: str | Path | None = None,
    command: str = "sim.export.export",
    arguments: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write the exports of ``schedule`` into ``directory``; the paths written, the
    ``index.html`` and then ``manifest.json`` last. ``formats``: a subset of html, png,
    svg, ics, csv, md (default all; ExportError for another); ``previous``: the
    published plan, so calendars update every event and cancel dropped ones.
    A schedule of another summit (naming meetings, venues or days the scenario does
    not have: ScheduleFileError) and a published plan of another summit (InputError)
    are refused before anything is written, as ``sim export`` refuses them.

    The files are one set (``sim.output_set``): the folder is locked for the call
    (``OutputBusy`` when another run writes there), the previous ``manifest.json`` is
    removed before the first file is replaced, and the new one, listing every file
    with its size and SHA-256, is written last. An export that fails or is
    interrupted before its first file leaves the previous set as it was, manifest
    included. ``command`` and ``arguments`` are
    recorded in it."""
    from sim.errors import InputFileError, Problem
    from sim.export.bundle import (
        chosen_formats,
        export_plan,
        read_replays,
        refuse_unusable,
        render_replays,
        write_index,
        write_replays,
    )
    from sim.output_set import OutputSet

    # what the command line refuses, refused here too, before anything is written
    chosen = chosen_formats(formats or ())  # ExportError for an unknown one
    refuse_unusable(scenario, schedule, previous)
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise InputFileError(
            [Problem(str(out), None, None, "", "is a file, not a folder", "give a folder")]
        )
    # the replays are read and their pages made first: a bad simulation folder is
    # reported before any file of the set is replaced
    rendered = (
        render_replays(scenario, schedule, read_replays(scenario, Path(simulation_dir)))
        if simulation_dir is not None
        else []
    )
    with OutputSet(out, command, arguments, subfolders=("calendars", "briefings")) as outputs:
        written = export_plan(
            scenario,
            schedule,
            out,
            chosen,
            previous=previous,
            before_write=outputs.begin,
        )
        outputs.begin()  # (once only) before the replays' files and the index, if no plan file
        written += write_replays(rendered, out)
        index = write_index(out, scenario, schedule, written)
        outputs.add([*(w.path for w in written), index])
        manifest = outputs.commit()
    return [w.path for w in written] + [index, manifest]
