"""Every export of a plan (and of its replays) into one folder, with an index page.

``export_plan`` writes the Gantt charts, calendars, briefings and tables of a
schedule; ``export_replays`` the robustness report and the planned-versus-
realised Gantt charts of a simulation's median and worst replications;
``write_index`` the ``index.html`` that links them all. Each file is written
atomically (whole or not at all) with the umask's permissions; file names made
from ids are sanitised (``sim.export.naming``). The exporters themselves are
pure functions in ``gantt``, ``calendar``, ``briefing``, ``table`` and
``report``; this module only names files and writes them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.atomic import write_bytes_atomic, write_text_atomic
from sim.errors import InputError, Problem, ScheduleFileError
from sim.export.agenda import Agenda, build_agenda
from sim.export.naming import safe_file_stem
from sim.model import Scenario
from sim.schedule import Schedule, reference_problems

PLAN_FORMATS = ("html", "png", "svg", "ics", "csv", "md")

# What each format brings, for --help and the docs.
FORMAT_WORDS = {
    "html": "interactive Gantt chart (gantt.html) and printable briefings (briefings/*.html)",
    "png": "Gantt chart picture (gantt.png)",
    "svg": "Gantt chart drawing (gantt.svg)",
    "ics": "one calendar per delegation (calendars/*.ics)",
    "csv": "one row per engagement (engagements.csv)",
    "md": "briefings in Markdown (briefings/*.md) and a Mermaid Gantt (plan.md)",
}


@dataclass(frozen=True)
class Written:
    """One file written: where, and what it is, in words for the index page."""

    path: Path
    what: str
    group: str


class ExportError(ValueError):
    """A request the exporter cannot honour (an unknown format, say)."""


def parse_formats(text: str) -> tuple[str, ...]:
    """``"html,png"`` -> ``("html", "png")``; ``"all"`` -> every format."""
    return chosen_formats(text.split(","))


def chosen_formats(names: Iterable[str]) -> tuple[str, ...]:
    """The formats named (in any case, once each); none or ``all``: every format.
    ExportError for a name that is not one."""
    wanted = [name.strip().lower() for name in names if name.strip()]
    if not wanted or wanted == ["all"]:
        return PLAN_FORMATS
    unknown = [f for f in wanted if f not in PLAN_FORMATS]
    if unknown:
        raise ExportError(
            f"unknown format {', '.join(unknown)}; choose from {', '.join(PLAN_FORMATS)} or all"
        )
    return tuple(dict.fromkeys(wanted))


def refuse_unusable(
    scenario: Scenario,
    schedule: Schedule,
    previous: Schedule | None = None,
    names: tuple[str, str] = ("schedule", "previous"),
) -> None:
    """What ``sim export`` refuses before writing, for the Python API too: a schedule
    naming meetings, venues or days the scenario does not have (another summit's);
    a published plan (``previous``) of another summit, whose calendar events would
    all go out as cancellations under the other summit's UIDs; and a plan whose
    ``revision`` is not above the published one's (not re-planned from it), whose
    calendar updates the clients would ignore. ``names``: what to call the two in
    the messages (the CLI passes their paths)."""
    problems = reference_problems(schedule, scenario, names[0])
    if problems:
        raise ScheduleFileError(problems)
    if previous is None:
        return
    if previous.scenario_id != scenario.id:
        raise InputError(
            [
                Problem(
                    names[1],
                    None,
                    None,
                    "scenario.id",
                    f"the published schedule is of scenario {previous.scenario_id!r}, "
                    f"not {scenario.id!r}",
                    "give the schedule.json published for this summit",
                )
            ]
        )
    problems = reference_problems(previous, scenario, names[1], published=True)
    if problems:
        raise ScheduleFileError(problems)
    if schedule.revision <= previous.revision:
        # Its calendars would carry a sequence number the clients have seen already
        # (or, published one above, a number its own file does not say, so that the
        # next re-plan from it would go back below): they would ignore the update.
        raise InputError(
            [
                Problem(
                    names[0],
                    None,
                    None,
                    "revision",
                    f"the plan is revision {schedule.revision}, not above the published "
                    f"plan's {previous.revision}: calendar clients would ignore its updates",
                    f"re-plan from the published plan ('sim solve SCENARIO --from "
                    f"{names[1]} -o DIR'): it keeps what it can of it, and is revision "
                    f"{previous.revision + 1}",
                )
            ]
        )


def party_file_stems(agenda: Agenda, removed: Sequence[str] = ()) -> dict[str, str]:
    """A distinct, safe file stem per party id (two ids that sanitise alike get -2, -3);
    ``removed``: ids of delegations the scenario no longer has, after its own (whose
    stems stay as they were)."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for party_id in [*(p.id for p in agenda.parties), *removed]:
        stem = base = safe_file_stem(party_id, "party")
        count = 1
        while stem.lower() in taken:
            count += 1
            stem = f"{base}-{count}"
        taken.add(stem.lower())
        stems[party_id] = stem
    return stems


def _engaged(agenda: Agenda) -> list[str]:
    return [p.id for p in agenda.parties if agenda.items.get(p.id)]


def export_plan(
    scenario: Scenario,
    schedule: Schedule,
    directory: Path,
    formats: Sequence[str] = PLAN_FORMATS,
    *,
    previous: Schedule | None = None,
    before_write: Callable[[], None] | None = None,
) -> list[Written]:
    """Write the plan's exports into ``directory``; the files written, in order.
    ``before_write`` is called before each file is written (an output set's
    ``begin``: the folder's previous manifest goes only once a file is replaced, so
    an export that fails before writing anything leaves the previous set whole)."""
    from sim.export import briefing, calendar, gantt, table

    agenda = build_agenda(scenario, schedule)
    before = build_agenda(scenario, previous) if previous is not None else None
    stems = party_file_stems(agenda, calendar.removed_parties(agenda, before))
    written: list[Written] = []

    def text(name: str, content: str, what: str, group: str) -> None:
        path = directory / name
        if before_write is not None:
            before_write()
        write_text_atomic(path, content)
        written.append(Written(path, what, group))

    def data(name: str, content: bytes, what: str, group: str) -> None:
        path = directory / name
        if before_write is not None:
            before_write()
        write_bytes_atomic(path, content)
        written.append(Written(path, what, group))

    if "html" in formats:
        text("gantt.html", gantt.gantt_html(agenda), "interactive Gantt chart", "plan")
    if "png" in formats:
        data("gantt.png", gantt.gantt_png(agenda), "Gantt chart (picture)", "plan")
    if "svg" in formats:
        data("gantt.svg", gantt.gantt_svg(agenda), "Gantt chart (drawing)", "plan")
    if "csv" in formats:
        text("engagements.csv", table.engagements_csv(agenda), "every engagement", "plan")
    if "md" in formats:
        text("plan.md", table.mermaid_markdown(agenda), "Mermaid Gantt for Markdown", "plan")
    if "ics" in formats:
        for party_id, content in calendar.calendars(agenda, before).items():
            data(
                f"calendars/{stems[party_id]}.ics",
                content,
                f"calendar of {scenario.party_name(party_id)}",
                "calendars",
            )
    for party_id in _engaged(agenda):
        name = agenda.name(party_id)
        if "html" in formats:
            text(
                f"briefings/{stems[party_id]}.html",
                briefing.briefing_html(agenda, party_id),
                f"briefing of {name}",
                "briefings",
            )
        if "md" in formats:
            text(
                f"briefings/{stems[party_id]}.md",
                briefing.briefing_markdown(agenda, party_id),
                f"briefing of {name} (Markdown)",
                "briefings",
            )
    return written


@dataclass(frozen=True)
class Replays:
    """What ``sim simulate -o DIR`` wrote, read and checked against the scenario."""

    folder: Path
    result: Mapping[str, Any]  # simulation.json
    timelines: Mapping[str, Any] | None  # timelines.json, when there is one


def _bad_replays(path: Path, message: str, line: int | None = None) -> InputError:
    return InputError(
        [
            Problem(
                str(path),
                line,
                None,
                "",
                message,
                "give the folder that 'sim simulate -o DIR' wrote for this scenario, unchanged",
            )
        ]
    )


def _read_json_mapping(path: Path) -> Mapping[str, Any]:
    try:
        with path.open(encoding="utf-8") as stream:
            data = json.load(stream)
    except FileNotFoundError:
        raise _bad_replays(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad_replays(path, f"cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise _bad_replays(path, f"not valid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise _bad_replays(path, "the JSON is nested too deeply") from None
    if not isinstance(data, Mapping):
        raise _bad_replays(path, "not the results of 'sim simulate' (not a JSON object)")
    return data


def read_replays(scenario: Scenario, folder: Path) -> Replays:
    """Read ``simulation.json`` (and ``timelines.json``) from ``folder``; InputError,
    naming the file, when one is unreadable or the replays are of another scenario
    (a report that mixed the two would name one summit's meetings with the other's
    numbers)."""
    path = folder / "simulation.json"
    result = _read_json_mapping(path)
    ran_on = result.get("scenario")
    ran_on_id = ran_on.get("id") if isinstance(ran_on, Mapping) else None
    if ran_on_id != scenario.id:
        raise _bad_replays(
            path,
            f"these replays are of scenario {ran_on_id!r}, not of {scenario.id!r}",
        )
    if result.get("format") != 1:
        raise _bad_replays(path, f"format {result.get('format')!r} is not one this sim reads (1)")
    if not isinstance(result.get("variants"), list):
        raise _bad_replays(path, "not the results of 'sim simulate' (no list of variants)")
    timelines_path = folder / "timelines.json"
    timelines = _read_json_mapping(timelines_path) if timelines_path.exists() else None
    return Replays(folder, result, timelines)


@dataclass(frozen=True)
class _Rendered:
    name: str  # relative to the output folder
    content: str | bytes
    what: str


def render_replays(scenario: Scenario, schedule: Schedule, replays: Replays) -> list[_Rendered]:
    """The robustness report and the planned-versus-realised Gantt charts, made in
    memory: a malformed file is found before anything is written (InputError)."""
    from sim.export import gantt, report

    try:
        return _render_replays(scenario, schedule, replays, gantt, report)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # The files are the simulator's own output, read back without a schema
        # validator: whatever in them the report cannot use is a bad input file.
        raise _bad_replays(
            replays.folder / "simulation.json",
            "these files do not hold the results 'sim simulate' writes "
            f"({type(exc).__name__}: {exc})",
        ) from None


def _render_replays(
    scenario: Scenario, schedule: Schedule, replays: Replays, gantt: Any, report: Any
) -> list[_Rendered]:
    agenda = build_agenda(scenario, schedule)
    rendered = [
        _Rendered(
            "report.html",
            report.robustness_report_html(scenario, schedule, replays.result, replays.timelines),
            "robustness report",
        )
    ]
    for variant, cases in sorted((replays.timelines or {}).items()):
        for case in ("median", "worst"):
            replication = cases.get(case) if isinstance(cases, Mapping) else None
            if not replication:
                continue
            spans = replication.get("timeline", [])
            stem = f"replay-{safe_file_stem(variant, 'variant')}-{case}"
            number = replication.get("replication")
            what = f"{variant}: planned and realised, {case} replication (no. {number})"
            rendered.append(_Rendered(f"{stem}.html", gantt.replay_gantt_html(agenda, spans), what))
            picture = gantt.replay_gantt_png(agenda, spans)
            rendered.append(_Rendered(f"{stem}.png", picture, what + " (picture)"))
    return rendered


def write_replays(rendered: list[_Rendered], directory: Path) -> list[Written]:
    written: list[Written] = []
    for item in rendered:
        path = directory / item.name
        if isinstance(item.content, bytes):
            write_bytes_atomic(path, item.content)
        else:
            write_text_atomic(path, item.content)
        written.append(Written(path, item.what, "replays"))
    return written


def export_replays(
    scenario: Scenario,
    schedule: Schedule,
    simulation_dir: Path,
    directory: Path,
) -> list[Written]:
    """The robustness report and the planned-versus-realised Gantt charts, from the
    files ``sim simulate -o`` wrote into ``simulation_dir``."""
    replays = read_replays(scenario, simulation_dir)
    return write_replays(render_replays(scenario, schedule, replays), directory)


GROUP_TITLES = {
    "plan": "The plan",
    "replays": "How the plan holds up",
    "briefings": "Briefings, one per delegation",
    "calendars": "Calendars, one per delegation (import into Outlook, Google, Apple)",
    "data": "Data files",
}


def write_index(
    directory: Path,
    scenario: Scenario,
    schedule: Schedule,
    written: Iterable[Written],
    summary: Sequence[str] = (),
) -> Path:
    """``index.html``: a page that links every file written, grouped, with plain words."""
    written_list = list(written)
    groups: dict[str, list[Written]] = {}
    for item in written_list:
        groups.setdefault(item.group, []).append(item)
    esc = html.escape
    held = len(schedule.assignments)
    asked = held + len(schedule.unscheduled)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(scenario.name)}: plan and replays</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem;color:#222}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;"
        "border-bottom:1px solid #ccc}li{margin:.25rem 0}a{color:#0645ad}"
        ".gantt{max-width:100%;border:1px solid #ddd}</style></head><body>",
        f"<h1>{esc(scenario.name)}</h1>",
        f"<p>{held} of {asked} requested meetings are in the plan"
        f"{' (proven the best plan under the objectives)' if schedule.proven_optimal else ''}."
        " Weight points measure how much the meetings matter, as the scenario rates them.</p>",
    ]
    if summary:
        parts.append("<ul>" + "".join(f"<li>{esc(line)}</li>" for line in summary) + "</ul>")
    starts = [
        f'<a href="{esc(item.path.relative_to(directory).as_posix())}">{esc(label)}</a>'
        for label, name in (
            ("the interactive Gantt chart", "gantt.html"),
            ("the robustness report", "report.html"),
        )
        for item in written_list
        if item.path.name == name and item.path.parent == directory
    ]
    if starts:
        parts.append(f"<p><strong>Start here:</strong> {' and '.join(starts)}.</p>")
    for item in groups.get("plan", []):
        if item.path.name == "gantt.png":
            parts.append(
                '<p><a href="gantt.html"><img class="gantt" src="gantt.png" '
                'alt="Gantt chart of the plan"></a></p>'
            )
            break
    for group in ("plan", "replays", "briefings", "calendars", "data"):
        items = groups.get(group)
        if not items:
            continue
        parts.append(f"<h2>{esc(GROUP_TITLES[group])}</h2><ul>")
        for item in items:
            relative = item.path.relative_to(directory).as_posix()
            parts.append(f'<li><a href="{esc(relative)}">{esc(item.what)}</a></li>')
        parts.append("</ul>")
    parts.append("</body></html>\n")
    path = directory / "index.html"
    write_text_atomic(path, "\n".join(parts))
    return path
