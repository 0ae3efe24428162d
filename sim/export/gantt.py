"""Gantt charts of a summit plan, for a protocol office: who is where, when, and why.

* ``gantt_html(agenda)``: one self-contained interactive page (plotly.js inlined,
  so it works offline): a panel per day with a row per party, then a panel per
  day with a row per venue (and room), then the meetings that could not be
  scheduled and why. Hovering a bar says who, where, when, the priority and
  why the meeting sits in that slot.
* ``gantt_png(agenda)``, ``gantt_svg(agenda)``: the party view for a slide
  (1920 pixels wide, at most 1080 high), drawn by ``sim.export.gantt_static``.
* ``replay_gantt_html``, ``replay_gantt_png``, ``replay_gantt_svg``: planned
  against realised for one replication of a replay, from the spans of
  ``timelines.json``.

Every function returns the document (text or bytes); the caller writes it. The
same input gives the same output, byte for byte. Text from the scenario (names,
titles, venues, reasons) is HTML-escaped wherever it goes into the page,
including plotly's hover and tick text, which render some HTML tags.

plotly and matplotlib are imported when a chart is drawn, not when this module
is imported.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sim.export.agenda import PRIORITY_WORDS, Agenda, AgendaItem, ItemKind, priority_of
from sim.export.gantt_static import (
    STYLES,
    Bar,
    Chart,
    Panel,
    Rows,
    clock_range,
    render,
    to_label,
)
from sim.model import Day, Scenario
from sim.schedule import SolveStatus
from sim.times import format_duration, format_moment_with_weekday, format_time_of_day

PRIORITIES = ("required", "headline", "optional")

STATUS_WORDS = {
    SolveStatus.OPTIMAL: "the best plan under the objectives (proven optimal)",
    SolveStatus.FEASIBLE: "a workable plan (not proven the best)",
    SolveStatus.INFEASIBLE: "no plan (the requirements cannot all hold)",
    SolveStatus.UNKNOWN: "no plan found within the time limit",
}


# --- the charts as data --------------------------------------------------------------


Arrangement = Literal["columns", "rows"]
PRINCIPAL_WEIGHT = 2.5  # a principal's row is taller: the busiest row, two-line labels
ROOM_WEIGHT = 2.0  # a venue room's row is twice as tall, for two-line labels
# A slide stacks the days when that makes at most this many rows (a principal counts
# 2.5), else puts them side by side.
STACK_AT_MOST = 42


def party_chart(agenda: Agenda, arrangement: Arrangement | None = None) -> Chart:
    """A row per party (principals first, then protocol order) and a panel per day.

    ``rows``: days stacked, each with the parties busy that day, on the same hours
    (wide panels, so names fit in the bars); ``columns``: days side by side, every
    party in every panel. By default ``rows``, unless that makes more than
    ``STACK_AT_MOST`` rows."""
    scenario = agenda.scenario
    rows = tuple(p.id for p in agenda.parties if agenda.items.get(p.id))
    days = []
    for day in scenario.days:
        bars = [
            _item_bar(agenda, item)
            for party in rows
            for item in agenda.items[party]
            if item.day == day.index
        ]
        days.append((day, bars))
    if arrangement is None:
        weights = {p.id: PRINCIPAL_WEIGHT if p.principal else 1.0 for p in agenda.parties}
        stacked = sum(weights[r] for _, bars in days for r in _rows_used(rows, bars))
        arrangement = "rows" if stacked <= STACK_AT_MOST else "columns"
    panels = _panels(scenario, days, rows, arrangement)
    return Chart(
        title=f"{scenario.name}: who is where, when",
        subtitle=_plan_line(agenda),
        panels=tuple(panels),
        row_labels=_party_labels(agenda),
        legend=_legend(panels, always=PRIORITIES),
        clock=scenario.to_datetime,
        arrangement=arrangement,
        row_weights={p.id: PRINCIPAL_WEIGHT for p in agenda.parties if p.principal},
    )


def venue_chart(agenda: Agenda) -> Chart:
    """A row per venue room (and one for the programme at each venue), days stacked."""
    scenario = agenda.scenario
    seen: set[str] = set()
    bars_by_day: dict[int, list[Bar]] = {}
    for item in agenda.all_items():
        if item.kind not in (ItemKind.MEETING, ItemKind.EVENT) or item.ident in seen:
            continue
        seen.add(item.ident)
        row = _room_row(item.venue, item.room or 1) if item.kind is ItemKind.MEETING else item.venue
        bar = _item_bar(agenda, item, row=row, venue_view=True)
        bars_by_day.setdefault(item.day, []).append(bar)
    labels: dict[str, str] = {}
    weights: dict[str, float] = {}
    order: list[str] = []
    for venue in scenario.venues:
        name = _venue_short(venue.name)
        labels[venue.id] = f"{name}: programme"
        order.append(venue.id)
        for room in range(1, venue.rooms + 1):
            key = _room_row(venue.id, room)
            labels[key] = f"{name}, room {room}" if venue.rooms > 1 else name
            order.append(key)
            weights[key] = ROOM_WEIGHT
    days = [(day, bars_by_day.get(day.index, [])) for day in scenario.days]
    panels = _panels(scenario, days, tuple(order), "rows")
    return Chart(
        title=f"{scenario.name}: venues and rooms",
        subtitle=_plan_line(agenda),
        panels=tuple(panels),
        row_labels=labels,
        legend=_legend(panels, always=PRIORITIES),
        clock=scenario.to_datetime,
        arrangement="rows",
        row_weights=weights,
    )


def _room_row(venue: str, room: int) -> str:
    """The row key of a venue's room (a venue's own key is its id: its programme)."""
    return f"{venue}\troom {room}"


@dataclass(frozen=True)
class _Span:
    party: str
    kind: str
    ident: str
    venue: str
    start: int
    end: int


def _spans(timeline: Iterable[Mapping[str, Any]]) -> list[_Span]:
    """Spans as ``timelines.json`` writes them (``id``, ``start_minute``...) or with the
    field names of ``sim.simulate.outcome.Span`` (``ident``, ``start``...)."""
    found = []
    for raw in timeline:
        kind = raw["kind"]
        found.append(
            _Span(
                party=str(raw["party"]),
                kind=str(getattr(kind, "value", kind)),
                ident=str(raw.get("id", raw.get("ident", ""))),
                venue=str(raw.get("venue", "")),
                start=int(raw.get("start_minute", raw.get("start", 0))),
                end=int(raw.get("end_minute", raw.get("end", 0))),
            )
        )
    return sorted(found, key=lambda s: (s.party, s.start, s.end, s.kind, s.ident))


def replay_chart(
    agenda: Agenda,
    timeline: Sequence[Mapping[str, Any]],
    arrangement: Arrangement = "rows",
) -> Chart:
    """Per party, the plan (a pale upper bar) and what happened in one replication (a
    solid lower bar). A planned meeting with no realised span is marked not held."""
    scenario = agenda.scenario
    spans = _spans(timeline)
    realised_ids = {(s.party, s.ident) for s in spans if s.kind == "meeting"}
    members: dict[str, list[str]] = {}
    for span in spans:
        if span.kind == "meeting" and span.party not in members.get(span.ident, []):
            members.setdefault(span.ident, []).append(span.party)
    bars_by_day: dict[int, list[Bar]] = {}
    for item in agenda.all_items():
        if item.kind not in (ItemKind.MEETING, ItemKind.EVENT):
            continue
        held = item.kind is ItemKind.EVENT or (item.party, item.ident) in realised_ids
        lines = _item_hover(agenda, item)
        lines = (f"planned: {lines[0]}", *lines[1:])
        if not held:
            lines = (*lines, "not held in this replication")
        bar = Bar(item.party, item.start, item.end, "planned" if held else "not-held", (), lines)
        bars_by_day.setdefault(item.day, []).append(bar)
    for span in spans:
        bar = _span_bar(agenda, span, members.get(span.ident, [span.party]))
        bars_by_day.setdefault(_day_of(scenario, span.start).index, []).append(bar)
    known = {p.id for p in agenda.parties}
    order = [p.id for p in agenda.parties] + sorted({s.party for s in spans} - known)
    rows = tuple(r for r in order if any(b.row == r for bs in bars_by_day.values() for b in bs))
    days = [(day, bars_by_day.get(day.index, [])) for day in scenario.days]
    panels = _panels(scenario, days, rows, arrangement)
    planned = {i.ident for i in agenda.all_items() if i.kind is ItemKind.MEETING}
    realised = {s.ident for s in spans if s.kind == "meeting"}
    added = realised - planned
    subtitle = (
        f"Pale upper bars: the plan. Solid lower bars: one replication. "
        f"{len(planned & realised)} of {len(planned)} planned meetings held"
        + (f", {len(added)} added during the summit" if added else "")
        + f". Local times ({scenario.timezone})."
    )
    return Chart(
        title=f"{scenario.name}: planned and realised",
        subtitle=subtitle,
        panels=tuple(panels),
        row_labels=_party_labels(agenda) | {r: r for r in rows if r not in known},
        legend=_legend(panels, always=("planned",)),
        clock=scenario.to_datetime,
        arrangement=arrangement,
        row_weights={p.id: PRINCIPAL_WEIGHT for p in agenda.parties if p.principal},
    )


# A realised bar takes the lower part of its row; the plan is the pale bar above it.
REALISED_OFFSET, REALISED_HEIGHT = 0.17, 0.55


def _span_bar(agenda: Agenda, span: _Span, members: list[str]) -> Bar:
    scenario = agenda.scenario
    where = agenda.venue_name(span.venue)
    when = _when(scenario, span.start, span.end)
    if span.kind == "meeting":
        meeting = scenario.meeting_by_id.get(span.ident)
        others = [p for p in members if p != span.party]
        if meeting is None:
            style, title = "added", "meeting added during the summit"
        else:
            style, title = priority_of(meeting).value, agenda.meeting_title(meeting)
        planned = agenda.schedule.assignment_of(span.ident)
        lines = [title, "with: " + _names(agenda, others, labels=True), f"where: {where}"]
        lines.append(f"when: {when}")
        if planned is not None:
            shift = span.start - planned.start
            lines.append(f"planned: {_when(scenario, planned.start, planned.end)}")
            if shift:
                lines.append(f"started {format_duration(abs(shift))} {_late(shift)}")
        labels = _counterpart_labels(agenda, others)
        return _realised(span, style, labels, tuple(lines), spill=True)
    if span.kind == "event":
        event = scenario.event_by_id.get(span.ident)
        title = event.name if event is not None else span.ident
        lines = [title, "programme event", f"where: {where}", f"when: {when}"]
        if event is not None and span.start != event.time.start:
            shift = span.start - event.time.start
            lines.append(f"began {format_duration(abs(shift))} {_late(shift)}")
        return _realised(span, "event", (title,), tuple(lines), group=span.ident)
    style = "travel" if span.kind == "travel" else "wait"
    title = f"ride to {where}" if span.kind == "travel" else f"waiting at {where}"
    return _realised(span, style, (), (title, f"when: {when}"))


def _realised(
    span: _Span,
    style: str,
    labels: tuple[str, ...],
    hover: tuple[str, ...],
    *,
    spill: bool = False,
    group: str = "",
) -> Bar:
    """A realised bar, in the lower part of its row (thin styles keep their height)."""
    return Bar(
        span.party,
        span.start,
        span.end,
        style,
        labels,
        hover,
        spill=spill,
        offset=REALISED_OFFSET,
        height=REALISED_HEIGHT if STYLES[style].labelled else None,
        group=group,
    )


def _late(shift: int) -> str:
    return "late" if shift > 0 else "early"


def _item_bar(
    agenda: Agenda, item: AgendaItem, *, row: str | None = None, venue_view: bool = False
) -> Bar:
    """The bar of an agenda item. In a party's row a meeting is labelled with the
    counterparts; in a venue's row (``venue_view``) with its guests (its parties
    other than principals, or all of them when all are principals), and never
    beside the bar (a room's meetings follow each other closely)."""
    row = row or item.party
    hover = _item_hover(agenda, item)
    if item.kind is ItemKind.MEETING:
        style = item.priority.value if item.priority is not None else "optional"
        if venue_view:
            parties = list(agenda.scenario.meeting_by_id[item.ident].parties)
            known = agenda.scenario.party_by_id
            guests = [p for p in parties if p not in known or not known[p].principal]
            labels = _counterpart_labels(agenda, guests or parties)
        else:
            labels = _counterpart_labels(agenda, list(item.others))
        return Bar(row, item.start, item.end, style, labels, hover, spill=not venue_view)
    if item.kind is ItemKind.EVENT:
        return Bar(row, item.start, item.end, "event", (item.title,), hover, group=item.ident)
    style = "travel" if item.kind is ItemKind.TRAVEL else "buffer"
    return Bar(row, item.start, item.end, style, (), hover)


def _item_hover(agenda: Agenda, item: AgendaItem) -> tuple[str, ...]:
    """Plain lines: the heading, then who, where, when, priority and why."""
    scenario = agenda.scenario
    when = f"when: {_when(scenario, item.start, item.end)}"
    where = agenda.venue_name(item.venue)
    if item.kind is ItemKind.MEETING:
        meeting = scenario.meeting_by_id[item.ident]
        room = f", room {item.room}" if item.room is not None else ""
        lines = [
            item.title,
            "who: " + _names(agenda, list(meeting.parties), labels=True),
            f"where: {where}{room}",
            when,
        ]
        if item.priority is not None:
            lines.append(f"priority: {PRIORITY_WORDS[item.priority]}")
        if item.why:
            lines.append(f"why this slot: {item.why}")
        return tuple(lines)
    if item.kind is ItemKind.EVENT:
        event = scenario.event_by_id.get(item.ident)
        if event is not None and (absent := scenario.left_out_of(event)):
            who = f"everyone but {_names(agenda, list(absent))}"
        elif event is None or event.everyone:
            who = "everyone"
        elif len(event.attendees) <= 6:
            who = _names(agenda, list(event.attendees))
        else:
            who = f"{len(event.attendees)} parties"
        return (item.title, "programme event (fixed)", f"where: {where}", when, f"who: {who}")
    if item.kind is ItemKind.TRAVEL:
        origin = agenda.venue_name(item.origin) if item.origin else "?"
        return (f"{agenda.name(item.party)}: {item.title}", f"from {origin} to {where}", when)
    return (f"{agenda.name(item.party)}: protocol buffer", f"at {where}", when)


def _counterpart_labels(agenda: Agenda, parties: list[str]) -> tuple[str, ...]:
    """The names (the renderers shorten them where they do not fit)."""
    names = [agenda.scenario.party_name(p) for p in parties]
    return (", ".join(names),) if names else ()


def _names(agenda: Agenda, parties: list[str], *, labels: bool = False) -> str:
    known = agenda.scenario.party_by_id
    words = [(agenda.label(p) if labels else agenda.name(p)) if p in known else p for p in parties]
    return "; ".join(words) or "-"


def _party_labels(agenda: Agenda) -> dict[str, str]:
    """Row labels: names, with the id added where two parties share a name."""
    counts: dict[str, int] = {}
    for party in agenda.scenario.parties:
        counts[party.name] = counts.get(party.name, 0) + 1
    return {
        p.id: p.name if counts[p.name] == 1 else f"{p.name} ({p.id})"
        for p in agenda.scenario.parties
    }


def _rows_used(order: tuple[str, ...], bars: list[Bar]) -> tuple[str, ...]:
    used = {b.row for b in bars}
    return tuple(r for r in order if r in used)


def _panels(
    scenario: Scenario,
    days: list[tuple[Day, list[Bar]]],
    rows: tuple[str, ...],
    arrangement: Arrangement,
) -> list[Panel]:
    """A panel per day, from its first to its last bar (the day's window when it has
    none), on full hours. Stacked panels (``rows``) share the hours of the day, so
    they line up, and hold only the rows busy that day; side by side (``columns``),
    every row."""
    spans = []
    for day, bars in days:
        start = min((b.start for b in bars), default=day.window.start)
        end = max((b.end for b in bars), default=day.window.end)
        spans.append(clock_range(scenario.to_datetime, start, end))
    if arrangement == "rows":
        midnights = [scenario.midnight(day) for day, _ in days]
        first = min(s - m for (s, _), m in zip(spans, midnights, strict=True))
        last = max(e - m for (_, e), m in zip(spans, midnights, strict=True))
        spans = [(m + first, m + last) for m in midnights]
    panels = []
    for (day, bars), (start, end) in zip(days, spans, strict=True):
        title = scenario.to_datetime(scenario.midnight(day) + 12 * 60).strftime("%A %d %B %Y")
        busy = rows if arrangement == "columns" else _rows_used(rows, bars)
        panels.append(Panel(title, start, end, busy, tuple(bars)))
    return panels


def _day_of(scenario: Scenario, minute: int) -> Day:
    """The day whose window holds ``minute``, else the day whose window is nearest (a
    ride before the day's start, an overrun past its end)."""
    found = scenario.day_of(minute)
    if found is not None:
        return found
    return min(
        scenario.days,
        key=lambda d: (max(d.window.start - minute, minute - d.window.end), d.index),
    )


def _legend(panels: list[Panel], always: tuple[str, ...]) -> tuple[str, ...]:
    used = {b.style for p in panels for b in p.bars} | set(always)
    return tuple(name for name in STYLES if name in used)


def _when(scenario: Scenario, start: int, end: int) -> str:
    first, last = scenario.to_datetime(start), scenario.to_datetime(end)
    tail = (
        format_time_of_day(last)
        if last.date() == first.date()
        else format_moment_with_weekday(last)
    )
    return f"{format_moment_with_weekday(first)}–{tail} ({format_duration(end - start)})"


def _plan_line(agenda: Agenda) -> str:
    schedule = agenda.schedule
    scenario = agenda.scenario
    held = sum(1 for a in schedule.assignments if a.meeting in scenario.meeting_by_id)
    return (
        f"Plan status: {STATUS_WORDS[schedule.status]}. {held} of {len(scenario.meetings)} "
        f"requested meetings scheduled. Local times ({scenario.timezone})."
    )


def _venue_short(name: str, limit: int = 44) -> str:
    """A venue's name for a row label: without a remark in brackets, at most
    ``limit`` characters (the hover has the whole name)."""
    if name.find(" (") >= 3:
        name = name[: name.find(" (")]
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


# --- static charts ---------------------------------------------------------------------


def gantt_png(agenda: Agenda) -> bytes:
    """The party view for a slide, as PNG (1920 pixels wide, at most 1080 high)."""
    return render(party_chart(agenda), "png")


def gantt_svg(agenda: Agenda) -> bytes:
    """The party view for a slide, as SVG (text kept as text)."""
    return render(party_chart(agenda), "svg")


def replay_gantt_png(agenda: Agenda, timeline: Sequence[Mapping[str, Any]]) -> bytes:
    """Planned against realised for one replication, as PNG."""
    return render(replay_chart(agenda, timeline), "png")


def replay_gantt_svg(agenda: Agenda, timeline: Sequence[Mapping[str, Any]]) -> bytes:
    """Planned against realised for one replication, as SVG."""
    return render(replay_chart(agenda, timeline), "svg")


# --- the interactive page --------------------------------------------------------------

ROW_PX = 30  # a row of weight 1, in pixels
PANEL_GAP_PX = 70
PLOTLY_PATTERNS = {"///": "/", "xx": "x"}


def gantt_html(agenda: Agenda) -> str:
    """One self-contained page: parties by day, venues by day, what is not scheduled."""
    scenario = agenda.scenario
    parties = _figure(party_chart(agenda, "rows"))
    venues = _figure(venue_chart(agenda))
    body = [
        f"<h1>{_esc(scenario.name)}</h1>",
        f"<p class='status'>{_esc(_plan_line(agenda))}</p>",
        "<h2>Who is where, day by day</h2>",
        _div(parties, "gantt-parties", include_plotly=True),
        "<h2>Venues and rooms</h2>",
        _div(venues, "gantt-venues", include_plotly=False),
        _unplaced_html(agenda),
    ]
    return _page(f"{scenario.name}: plan", body)


def replay_gantt_html(agenda: Agenda, timeline: Sequence[Mapping[str, Any]]) -> str:
    """One self-contained page: planned against realised for one replication."""
    chart = replay_chart(agenda, timeline, "rows")
    body = [
        f"<h1>{_esc(agenda.scenario.name)}: planned and realised</h1>",
        f"<p class='status'>{_esc(chart.subtitle)}</p>",
        _div(_figure(chart), "gantt-replay", include_plotly=True),
    ]
    return _page(f"{agenda.scenario.name}: planned and realised", body)


def _unplaced_html(agenda: Agenda) -> str:
    if not agenda.unplaced:
        return "<h2>Not scheduled</h2>\n<p>Every requested meeting is scheduled.</p>"
    items = []
    for unplaced in agenda.unplaced:
        meeting = unplaced.meeting
        words = PRIORITY_WORDS[priority_of(meeting)]
        who = _names(agenda, list(meeting.parties), labels=True)
        items.append(
            f"<li><strong>{_esc(agenda.meeting_title(meeting))}</strong> "
            f"({_esc(who)}; {_esc(words)}): {_esc(unplaced.reason or 'no reason given')}</li>"
        )
    return (
        f"<h2>Not scheduled ({len(items)})</h2>\n<ul class='unplaced'>\n"
        + "\n".join(items)
        + "\n</ul>"
    )


def _page(title: str, body: list[str]) -> str:
    style = (
        "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:16px 24px;color:#1a1a1a}"
        "h1{font-size:24px;margin:4px 0}h2{font-size:19px;margin:24px 0 4px}"
        ".status{font-size:15px;margin:2px 0 8px}ul.unplaced li{margin:4px 0;font-size:15px}"
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{_esc(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _div(figure: Any, div_id: str, *, include_plotly: bool) -> str:
    config = {"displaylogo": False, "responsive": True}
    text: str = figure.to_html(
        full_html=False, include_plotlyjs=include_plotly, div_id=div_id, config=config
    )
    return text


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _figure(chart: Chart) -> Any:
    """The chart as a plotly figure: panels stacked, one trace per (panel, style).

    The y axes are numeric (rows placed as the static drawing places them, so a
    principal's row is taller), with the row names as tick labels."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = chart.panels or (Panel("", 0, 60, (), ()),)
    layouts = [Rows.of(chart, p) for p in panels]
    height = int(sum(r.total for r in layouts) * ROW_PX + PANEL_GAP_PX * len(panels) + 110)
    figure = make_subplots(
        rows=len(panels),
        cols=1,
        row_heights=[r.total for r in layouts],
        vertical_spacing=PANEL_GAP_PX / height,
        subplot_titles=[_esc(p.title) for p in panels],
    )
    used = {b.style for p in panels for b in p.bars}
    shown: set[str] = set()
    for number, (panel, rows) in enumerate(zip(panels, layouts, strict=True), start=1):
        texts = {id(b): _plotly_text(panel, rows, b) for b in to_label(panel, rows)}
        for name in DRAWING_ORDER:
            bars = [b for b in panel.bars if b.style == name]
            if (
                not bars
                and number == 1
                and panel.rows  # an empty chart (no engagement at all) has no row to hide it in
                and name in chart.legend
                and name not in used
            ):
                # Listed in the legend though no bar uses it: one bar out of sight.
                bars = [Bar(panel.rows[0], panel.start - 120, panel.start - 60, name)]
            if bars:
                trace = _trace(go, chart, panel, rows, name, bars, texts, legend=name not in shown)
                figure.add_trace(trace, number, 1)
                shown.add(name)
        figure.update_yaxes(
            tickvals=[rows.centre[r] for r in panel.rows],
            ticktext=[_esc(chart.row_labels.get(r, r)) for r in panel.rows],
            range=[rows.total, 0],
            fixedrange=True,
            showgrid=False,
            zeroline=False,
            tickfont={"size": 13},
            row=number,
            col=1,
        )
        for i, row in enumerate(panel.rows):  # zebra rows, as in the static drawing
            if i % 2 == 0:
                half = rows.weight[row] / 2
                figure.add_hrect(
                    y0=rows.centre[row] - half, y1=rows.centre[row] + half, fillcolor="#F1F4F7",
                    line_width=0, layer="below", row=number, col=1,
                )  # fmt: skip
        figure.update_xaxes(
            type="date",
            range=[_iso(chart, panel, panel.start - 5), _iso(chart, panel, panel.end + 5)],
            **_clock_ticks(chart, panel),
            gridcolor="#D9D9D9",
            showgrid=True,
            row=number,
            col=1,
        )
    figure.update_layout(
        height=height,
        barmode="overlay",
        plot_bgcolor="#FFFFFF",
        paper_bgcolor="#FFFFFF",
        margin={"l": 10, "r": 10, "t": 90, "b": 30},  # the legend sits below the tool bar
        legend={
            "orientation": "h", "yanchor": "bottom", "y": 1.0 + 36 / height, "x": 0,
            "font": {"size": 13}, "traceorder": "normal",
        },
        uniformtext={"minsize": 10, "mode": "hide"},
        hoverlabel={"align": "left", "font": {"size": 13}},
        font={"family": "DejaVu Sans, Verdana, sans-serif", "size": 13},
    )  # fmt: skip
    figure.update_annotations(font={"size": 15}, xanchor="left", x=0)
    return figure


# Thin bars first, so that a label beside a meeting is drawn over the buffer after it.
DRAWING_ORDER = sorted(STYLES, key=lambda name: STYLES[name].labelled)
SPILL_MINUTES = 100  # a label may go beside its bar when the row is free this long after it


def _plotly_text(panel: Panel, rows: Rows, bar: Bar) -> tuple[str, str]:
    """The (escaped) text of a bar and where plotly puts it. Plotly cannot measure text
    for us: it shrinks what is inside to fit, hides it below the minimum size, and
    (``auto``) moves it beside the bar when it does not fit, which is allowed only
    where the row is free for a while after the bar. Two-word labels go on two
    lines in rows tall enough."""
    words = [_esc(w) for w in bar.labels[0].split(" ")]
    weight = rows.weight[bar.row]
    lines = 1 if weight < 2 else 2 if weight < 2.5 else 3
    escaped = "<br>".join(" ".join(line) for line in _balanced(words, lines))
    following = [
        b.start
        for b in panel.bars
        if b.row == bar.row and b.start >= bar.end and STYLES[b.style].labelled
    ]
    free = min(following, default=panel.end) - bar.end
    if bar.spill and free >= SPILL_MINUTES:
        return "\u2002" + escaped, "auto"  # an en space keeps it off the buffer bar
    return escaped, "inside"


def _balanced(words: list[str], lines: int) -> list[list[str]]:
    """Words on at most ``lines`` lines, the longest line as short as can be."""
    if lines <= 1 or len(words) <= 1:
        return [words]
    best: list[list[str]] = [words]
    for cut in range(1, len(words)):
        candidate = [words[:cut], *_balanced(words[cut:], lines - 1)]
        if _widest(candidate) < _widest(best):
            best = candidate
    return best


def _widest(lines: list[list[str]]) -> int:
    return max(len(" ".join(line)) for line in lines)


def _trace(
    go: Any,
    chart: Chart,
    panel: Panel,
    rows: Rows,
    name: str,
    bars: list[Bar],
    texts: dict[int, tuple[str, str]],
    *,
    legend: bool,
) -> Any:
    style = STYLES[name]
    places = [rows.place(b) for b in bars]
    edge = style.edge if style.edge != "none" else style.face
    pattern = {"shape": PLOTLY_PATTERNS.get(style.hatch, ""), "fgcolor": edge, "size": 6,
               "solidity": 0.15}  # fmt: skip
    return go.Bar(
        orientation="h",
        name=_esc(style.legend),
        legendgroup=name,
        legendrank=list(STYLES).index(name) + 1,
        showlegend=legend,
        y=[y for y, _ in places],
        width=[h for _, h in places],
        offset=[-h / 2 for _, h in places],
        base=[_iso(chart, panel, b.start) for b in bars],
        x=[(b.end - b.start) * 60_000 for b in bars],
        marker={
            "color": style.face,
            "line": {"color": edge, "width": 1},
            "pattern": pattern,
            "opacity": style.alpha,
        },
        text=[texts.get(id(b), ("", ""))[0] for b in bars],
        textposition=[texts.get(id(b), ("", "inside"))[1] for b in bars],
        insidetextanchor="middle",
        textangle=0,
        textfont={"color": style.text},
        outsidetextfont={"color": "#1A1A1A"},
        cliponaxis=True,
        hovertext=[_hover(b) for b in bars],
        hovertemplate="%{hovertext}<extra></extra>",
        hoverinfo="skip" if not any(b.hover for b in bars) else None,
    )


def _hover(bar: Bar) -> str:
    if not bar.hover:
        return ""
    head, *rest = bar.hover
    return "<br>".join([f"<b>{_esc(head)}</b>", *(_esc(line) for line in rest)])


def _iso(chart: Chart, panel: Panel, minute: int) -> str:
    """Where a minute sits on a panel's date axis (plotly reads no zone): elapsed time
    at the UTC offset of the panel's start. That is the local wall-clock time unless
    the clocks change inside the panel; then the axis stays true to elapsed time (an
    hour repeated in autumn keeps its length) and ``_clock_ticks`` labels it."""
    offset = chart.clock(panel.start).utcoffset() or dt.timedelta()
    moment = chart.clock(minute).astimezone(dt.UTC) + offset
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _clock_ticks(chart: Chart, panel: Panel) -> dict[str, Any]:
    """Tick labels for a panel in which the clocks change: each full hour of elapsed
    time, labelled with the wall clock (02:00 twice in autumn, no 02:00 in spring;
    the first label after the change names the zone, e.g. "02:00 CET"). Other panels
    keep plotly's own hourly ticks (the axis is then the wall clock)."""
    first, last = chart.clock(panel.start), chart.clock(panel.end)
    if first.utcoffset() == last.utcoffset():
        return {"tickformat": "%H:%M", "dtick": 3600000}
    start, end = clock_range(chart.clock, panel.start, panel.end)
    values, labels = [], []
    offset = first.utcoffset()
    for minute in range(start, end + 1, 60):
        moment = chart.clock(minute)
        label = moment.strftime("%H:%M")
        if moment.utcoffset() != offset:
            label += f" {moment.tzname()}"
            offset = moment.utcoffset()
        values.append(_iso(chart, panel, minute))
        labels.append(label)
    return {"tickmode": "array", "tickvals": values, "ticktext": labels}
