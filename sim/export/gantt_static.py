"""A Gantt chart as plain data, and its static drawing (PNG, SVG) with matplotlib.

``sim.export.gantt`` turns an agenda (or a replay's timeline) into a ``Chart``:
panels (one per summit day), rows (parties or venues) and bars, each bar with a
``Style`` that says what it is (a required bilateral, a programme event, a
ride...). The interactive page draws the same ``Chart`` with plotly; this module
draws it for a slide: 1920 pixels wide and at most 1080 high (less when a small
summit needs less), fonts of 9 pt and more. A meeting's label goes inside its bar
(on two lines in a tall row) where it fits, else beside the bar where the row is
free, else shortened with an ellipsis.

Times on the x axis are minutes from the scenario's epoch; the ticks are local
full hours, found through the chart's ``clock`` (``Scenario.to_datetime``), so
nothing here knows about time zones. Output is reproducible: fonts are the
DejaVu Sans that matplotlib ships, the SVG carries no date and a fixed hash
salt, the PNG no software tag.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Style:
    """How one kind of bar looks. ``height`` and ``offset`` are fractions of a row
    (offset from the row's centre, down is positive); ``legend`` is what the legend
    says."""

    legend: str
    face: str
    edge: str = "none"
    text: str = "#000000"
    hatch: str = ""
    height: float = 0.78
    offset: float = 0.0
    alpha: float = 1.0
    labelled: bool = True


# Okabe-Ito colours (safe for colour-blind readers), strong for what matters most.
STYLES: dict[str, Style] = {
    "required": Style("required bilateral", "#0072B2", "#003F63", "#FFFFFF"),
    "headline": Style("headline bilateral (the press watches it)", "#D55E00", "#7A3600", "#FFFFFF"),
    "optional": Style("optional bilateral", "#9CCBEB", "#3C7FA8", "#000000"),
    "added": Style("bilateral added during the summit", "#CC79A7", "#7D3A61", "#000000"),
    "event": Style("programme event (fixed)", "#F2F2F2", "#6E6E6E", "#333333", hatch="///"),
    "travel": Style("ride between venues", "#4D4D4D", height=0.2, labelled=False),
    "buffer": Style("protocol buffer", "#C4C4C4", height=0.2, labelled=False),
    "wait": Style("waiting", "#E8A6A6", height=0.2, labelled=False),
    "planned": Style(
        "as planned (pale, upper bar)", "#D5DEE8", "#7B8FA6", height=0.22, offset=-0.3,
        labelled=False,
    ),
    "not-held": Style(
        "planned, not held in this run", "#FFFFFF", "#C0392B", hatch="xx", height=0.22,
        offset=-0.3, labelled=False,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Bar:
    """One bar: ``labels`` from the longest to the shortest (the first that fits is
    drawn); ``hover`` is plain lines of text for the interactive page (the first one
    is the heading); ``spill``: the label may go beside the bar when it does not fit."""

    row: str
    start: int
    end: int
    style: str
    labels: tuple[str, ...] = ()
    hover: tuple[str, ...] = ()
    spill: bool = False
    offset: float | None = None  # overrides the style's offset
    height: float | None = None  # overrides the style's height
    group: str = ""  # bars of one group (a programme event) are labelled once per panel


@dataclass(frozen=True)
class Panel:
    """One day: its title, the minutes it spans and its rows, top to bottom."""

    title: str
    start: int
    end: int
    rows: tuple[str, ...]
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    """``arrangement``: panels side by side (``columns``, sharing rows) or stacked
    (``rows``, each with its own rows). ``row_labels`` maps row keys to what is
    written; ``legend``: the styles the legend lists, in order."""

    title: str
    subtitle: str
    panels: tuple[Panel, ...]
    row_labels: dict[str, str]
    legend: tuple[str, ...]
    clock: Callable[[int], dt.datetime]
    arrangement: Literal["columns", "rows"] = "columns"
    row_weights: dict[str, float] = field(default_factory=dict)  # row heights, 1 if absent


# --- drawing --------------------------------------------------------------------

WIDTH_IN, DPI = 19.2, 100  # 1920 pixels wide
MAX_HEIGHT_PX = 1080  # a 16:9 slide at most; shorter when the rows need less
MAX_ROW_PX = 44.0  # a row (of weight 1) is never taller than this
PANEL_GAP_PX = 54.0  # between panels: one panel's hour ticks, the next one's title
FONT, SMALL, TITLE = 11.0, 9.0, 17.0  # points
PAD_PX = 6  # room kept around a label inside a bar
LINE_PX = SMALL * 1.25 * DPI / 72  # one line of bar labels


def render(chart: Chart, fmt: Literal["png", "svg"]) -> bytes:
    """The chart as PNG or SVG bytes (the same bytes for the same chart)."""
    from matplotlib import rc_context

    # DejaVu Sans ships with matplotlib, so every machine draws the same glyphs; SVG
    # text stays text (searchable, editable on a slide); the hash salt fixes SVG ids.
    with rc_context(
        {
            "font.family": "DejaVu Sans",
            "font.size": FONT,
            "svg.hashsalt": "summit-sim-gantt",
            "svg.fonttype": "none",
            "hatch.linewidth": 0.6,
        }
    ):
        figure = _draw(chart)
        buffer = io.BytesIO()
        if fmt == "svg":
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        else:
            figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _draw(chart: Chart) -> Figure:
    """Laid out in pixels from the top: title, subtitle, legend, then the panels, whose
    rows get at most ``MAX_ROW_PX`` each (a small summit gives a shorter picture)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    legend_lines = _legend_lines(chart)
    header = 46.0 + (26 if chart.subtitle else 0) + (26 * legend_lines + 4 if legend_lines else 0)
    top, bottom = header + 30, 30.0  # the first panel's title sits above it
    units = [max(sum(chart.row_weights.get(r, 1.0) for r in p.rows), 1.0) for p in chart.panels]
    stacked = chart.arrangement == "rows"
    body = sum(units) if stacked else max(units, default=1.0)
    gaps = PANEL_GAP_PX * (len(units) - 1) if stacked else 0.0
    row_px = min(MAX_ROW_PX, (MAX_HEIGHT_PX - top - bottom - gaps) / body)
    height = top + bottom + gaps + row_px * body
    width = WIDTH_IN * DPI

    figure = Figure(figsize=(WIDTH_IN, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.text(16 / width, 1 - 12 / height, chart.title, fontsize=TITLE, fontweight="bold",
                va="top")  # fmt: skip
    if chart.subtitle:
        figure.text(16 / width, 1 - 46 / height, chart.subtitle, fontsize=FONT,
                    color="#333333", va="top")  # fmt: skip
    if legend_lines:
        _legend(chart, figure, header - 26 * legend_lines - 4, legend_lines, height)

    labels = [chart.row_labels.get(r, r) for p in chart.panels for r in p.rows]
    left = max((_text_px(t, FONT) for t in labels), default=60.0) + 24
    right = width - 30
    x, y = left, top
    for panel, panel_units in zip(chart.panels, units, strict=True):
        if stacked:
            box_w, box_h = right - left, row_px * panel_units
        else:
            spans = sum(max(p.end - p.start, 1) for p in chart.panels)
            usable = right - left - PANEL_GAP_PX * (len(chart.panels) - 1)
            box_w, box_h = usable * max(panel.end - panel.start, 1) / spans, row_px * body
        axes = figure.add_axes((x / width, 1 - (y + box_h) / height, box_w / width, box_h / height))
        _draw_panel(chart, panel, axes, row_px, show_rows=stacked or x == left)
        if stacked:
            y += box_h + PANEL_GAP_PX
        else:
            x += box_w + PANEL_GAP_PX
    return figure


@dataclass(frozen=True)
class Rows:
    """Where a panel's rows are, in y units from the top (a row of weight 1 is one
    unit tall), and pixels per unit where the drawing knows them."""

    centre: dict[str, float]
    weight: dict[str, float]
    total: float
    px_per_unit: float = 0.0

    @staticmethod
    def of(chart: Chart, panel: Panel, px_per_unit: float = 0.0) -> Rows:
        centre, weight, y = {}, {}, 0.0
        for row in panel.rows:
            weight[row] = chart.row_weights.get(row, 1.0)
            centre[row] = y + weight[row] / 2
            y += weight[row]
        return Rows(centre, weight, max(y, 1.0), px_per_unit)

    def place(self, bar: Bar) -> tuple[float, float]:
        """The centre and height of a bar: engagements grow with their row's weight,
        thin bars (rides, buffers) keep their thickness."""
        style = STYLES[bar.style]
        weight = self.weight[bar.row]
        offset = style.offset if bar.offset is None else bar.offset
        height = style.height if bar.height is None else bar.height
        return self.centre[bar.row] + offset * weight, height * weight if style.labelled else height


def _draw_panel(chart: Chart, panel: Panel, axes: Axes, row_px: float, *, show_rows: bool) -> None:
    rows = Rows.of(chart, panel, row_px)
    axes.set_xlim(panel.start, panel.end)
    axes.set_ylim(rows.total, 0)
    for i, row in enumerate(panel.rows):  # zebra rows, so a long row is easy to follow
        if i % 2 == 0:
            half = rows.weight[row] / 2
            axes.axhspan(rows.centre[row] - half, rows.centre[row] + half, color="#F1F4F7",
                         zorder=0, lw=0)  # fmt: skip
    axes.set_yticks([rows.centre[r] for r in panel.rows])
    if show_rows:
        axes.set_yticklabels([chart.row_labels.get(r, r) for r in panel.rows], fontsize=FONT)
    else:
        axes.set_yticklabels([])
    axes.tick_params(axis="y", length=0)
    ticks, names = _hour_ticks(chart.clock, panel.start, panel.end, axes)
    axes.set_xticks(ticks)
    axes.set_xticklabels(names, fontsize=SMALL)
    axes.grid(axis="x", color="#D0D0D0", lw=0.6, zorder=0.5)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(panel.title, fontsize=FONT + 1, fontweight="bold", loc="left", pad=4)

    for bar in sorted(panel.bars, key=lambda b: (b.style, b.row, b.start, b.end)):
        style = STYLES[bar.style]
        y, height = rows.place(bar)
        axes.barh(
            y, bar.end - bar.start, left=bar.start, height=height,
            color=style.face, edgecolor=style.edge, hatch=style.hatch or None,
            linewidth=0.8 if style.edge != "none" else 0, alpha=style.alpha, zorder=2,
        )  # fmt: skip
    px_per_minute = axes.get_position().width * WIDTH_IN * DPI / max(panel.end - panel.start, 1)
    for number, bar in enumerate(to_label(panel, rows)):
        _label(axes, panel, bar, rows, px_per_minute, f"bar-label-{panel.start}-{number}")


def to_label(panel: Panel, rows: Rows) -> list[Bar]:
    """The bars that carry a label: every labelled one, but a group (a programme
    event) only once, in its top row."""
    chosen: list[Bar] = []
    groups: set[str] = set()
    for bar in sorted(panel.bars, key=lambda b: (rows.centre[b.row], b.start, b.end)):
        if not STYLES[bar.style].labelled or not bar.labels or bar.group in groups:
            continue
        if bar.group:
            groups.add(bar.group)
        chosen.append(bar)
    return chosen


def _label(
    axes: Axes,
    panel: Panel,
    bar: Bar,
    rows: Rows,
    px_per_minute: float,
    gid: str,
) -> None:
    """In order: a label candidate inside the bar on one line, or on two where the bar
    is tall enough; (``spill``) the full label beside the bar when the row is free up
    to the next bar; the full label cut short with an ellipsis; nothing (the page's
    hover says it). ``gid`` names the label in an SVG."""
    style = STYLES[bar.style]
    if not style.labelled or not bar.labels:
        return
    y, height = rows.place(bar)
    width_px = (bar.end - bar.start) * px_per_minute - PAD_PX
    lines = max(1, int((height * rows.px_per_unit - 2) // LINE_PX))
    middle = (bar.start + bar.end) / 2

    # On a hatched bar the text gets a patch of the bar's colour behind it.
    backing = {"boxstyle": "square,pad=0.15", "fc": style.face, "ec": "none"}

    def inside(text: str) -> None:
        axes.text(middle, y, text, ha="center", va="center", fontsize=SMALL,
                  color=style.text, zorder=4, clip_on=True, linespacing=1.0,
                  bbox=backing if style.hatch else None, gid=gid)  # fmt: skip

    for text in bar.labels:
        for candidate in (text, *(_splits(text) if lines >= 2 else ())):
            if _fits(candidate, width_px):
                inside(candidate)
                return
    full = bar.labels[0]
    if bar.spill:
        after = max([bar.end, *(b.end for b in _thin_after(panel, bar))])
        following = [b.start for b in panel.bars if b.row == bar.row and b.start >= after]
        free = (min(following, default=panel.end) - after) * px_per_minute - PAD_PX
        if _fits(full, free):
            axes.text(after + PAD_PX / 2 / px_per_minute, y, full, ha="left", va="center",
                      fontsize=SMALL, color="#1A1A1A", zorder=4, clip_on=True,
                      gid=gid)  # fmt: skip
            return
    shortened = [_truncate(full, width_px)]
    if lines >= 2:
        for split in _splits(full):
            first, second = split.split("\n")
            shortened.append(f"{_truncate(first, width_px)}\n{_truncate(second, width_px)}")
    kept = [t for t in shortened if t.count("…") == 1 and "" not in t.split("\n")]
    if kept:
        inside(max(kept, key=lambda t: (len(t.replace("…", "")), -t.count("\n"))))


def _thin_after(panel: Panel, bar: Bar) -> list[Bar]:
    """The rides and buffers that follow a bar without a gap, in its row."""
    chain: list[Bar] = []
    end = bar.end
    thin = sorted(
        (b for b in panel.bars if b.row == bar.row and not STYLES[b.style].labelled),
        key=lambda b: b.start,
    )
    for other in thin:
        if other.start == end:
            chain.append(other)
            end = other.end
    return chain


def _splits(text: str) -> list[str]:
    """The text on two lines, split at each space, the most balanced first."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    spaces.sort(key=lambda i: (abs(len(text) / 2 - i), i))
    return [f"{text[:i]}\n{text[i + 1 :]}" for i in spaces]


def _fits(text: str, width_px: float) -> bool:
    return all(_text_px(line, SMALL) <= width_px for line in text.split("\n"))


def _truncate(text: str, width_px: float) -> str:
    """``text`` if it fits, else its longest start (3 characters at least) that fits
    with an ellipsis, else nothing."""
    if _fits(text, width_px):
        return text
    for end in range(len(text) - 1, 2, -1):
        short = text[:end].rstrip(" ,;-") + "…"
        if _fits(short, width_px):
            return short
    return ""


def _hour_ticks(
    clock: Callable[[int], dt.datetime],
    start: int,
    end: int,
    axes: Axes,
) -> tuple[list[int], list[str]]:
    """Local full hours between start and end, every 1, 2, 3 or 4 hours so the labels
    do not touch."""
    first = start + (-clock(start).minute) % 60
    hours = list(range(first, end + 1, 60))
    box = axes.get_position()
    px_per_hour = box.width * WIDTH_IN * DPI / max(end - start, 1) * 60
    need = _text_px("00:00", SMALL) + 10
    step = next((s for s in (1, 2, 3, 4, 6) if s * px_per_hour >= need), 6)
    chosen = [m for m in hours if clock(m).hour % step == 0] or hours[:1]
    return chosen, [clock(m).strftime("%H:%M") for m in chosen]


def _legend_lines(chart: Chart) -> int:
    """The fewest lines the legend fits on (its entries fill the columns top down,
    each column as wide as its widest entry); 0 without a legend."""
    # an entry: the swatch (2.4 em), the gap to its text (0.8 em), the text, and the
    # space to the next column (1.8 em)
    entries = [_text_px(STYLES[n].legend, FONT) + 5.0 * FONT * DPI / 72 for n in chart.legend]
    for lines in range(1, len(entries) + 1):
        columns = [entries[i : i + lines] for i in range(0, len(entries), lines)]
        if sum(max(c) for c in columns) < WIDTH_IN * DPI - 40:
            return lines
    return len(entries)


def _legend(chart: Chart, figure: Figure, top_px: float, lines: int, height_px: float) -> None:
    from matplotlib.patches import Patch

    handles = []
    for name in chart.legend:
        style = STYLES[name]
        edge = style.edge if style.edge != "none" else style.face
        handles.append(
            Patch(facecolor=style.face, edgecolor=edge, hatch=style.hatch or None,
                  label=style.legend, alpha=style.alpha)
        )  # fmt: skip
    figure.legend(
        handles=handles, loc="upper left", ncols=-(-len(handles) // lines), frameon=False,
        fontsize=FONT, bbox_to_anchor=(8 / (WIDTH_IN * DPI), 1 - top_px / height_px),
        handlelength=2.4, handleheight=1.1, columnspacing=1.8, borderaxespad=0,
    )  # fmt: skip


@functools.cache
def _text_px(text: str, size: float) -> float:
    """How wide ``text`` is drawn, in pixels (DejaVu Sans at ``size`` points): measured
    on a scratch figure by the Agg renderer that draws the PNG."""
    scratch = _scratch_figure()
    label = scratch.text(0, 0, text, fontsize=size, family="DejaVu Sans")
    width = label.get_window_extent().width
    label.remove()
    return float(width)


@functools.cache
def _scratch_figure() -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, MAX_HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def clock_range(clock: Callable[[int], dt.datetime], start: int, end: int) -> tuple[int, int]:
    """``start`` down and ``end`` up to local full hours."""
    return start - clock(start).minute, end + (-clock(end).minute) % 60
