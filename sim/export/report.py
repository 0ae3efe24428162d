"""The robustness report: one offline HTML page that says how well a plan holds up.

``robustness_report_html(scenario, schedule, result_json, timelines=None)`` reads the
files ``sim simulate -o`` wrote (``simulation.json``, parsed, and optionally
``timelines.json``), the scenario (for names) and the schedule (for planned times
and what comes before what), and returns the page: a summary in plain words, the
policies side by side with the paired differences in words, every meeting's chance
of being held and of starting on time, which meetings put the required ones at
risk, each party's day, and, with the timelines, the worst replay of each policy.

The page needs no network: plotly.js is inlined once, the CSS is inline, nothing is
fetched. Everything that comes from the scenario or the results is HTML-escaped,
in the page and in the charts' labels and hover texts. The same inputs give the
same bytes (fixed chart ids, no clock).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import plotly.graph_objects as go

from sim.export.agenda import protocol_order
from sim.model import Scenario, ScriptedKind, Uncertainty
from sim.schedule import Assignment, Schedule, SolveStatus
from sim.simulate.metrics import ON_TIME, clearly_best
from sim.times import format_date, format_moment_with_weekday, format_time_of_day

# What each reaction policy does, in a protocol officer's words.
POLICY_WORDS = {
    "as-planned": "Keep the plan's order; every meeting starts as soon as everyone is there "
    "(never early). A meeting that cannot end before someone's next programme event "
    "moves past it.",
    "shorten": "As planned, but a meeting running late is cut (never below its minimum "
    "length) so that no one is late for their next engagement.",
    "drop": "As planned, but when a party's day can no longer fit, its lowest-value "
    "optional meeting left that day is dropped.",
    "replan": "At each disruption, the rest of the summit is planned again by the planner.",
}

# One colour per policy (Okabe-Ito, readable by colour-blind readers and in print).
POLICY_COLOURS = {
    "as-planned": "#0072B2",
    "shorten": "#E69F00",
    "drop": "#009E73",
    "replan": "#CC79A7",
}
MEETINGS_PER_CARD = 6  # a party with more (a principal) is pointed to the meeting table

OTHER_COLOURS = ("#D55E00", "#56B4E9", "#000000", "#F0E442", "#999999")

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif'


def _e(text: object) -> str:
    return html.escape(str(text))


# --- the results, read from simulation.json ------------------------------------------


@dataclass(frozen=True)
class _Interval:
    mean: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class _MeetingRow:
    meeting: str
    planned: bool
    p_held: float
    p_on_time: float
    delay_p50: float | None
    delay_p90: float | None
    reasons: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class _PartyRow:
    party: str
    overrun_p50: float | None
    overrun_p90: float | None
    latest_end_minute: int | None


@dataclass(frozen=True)
class _Variant:
    label: str
    schedule: str
    policy: str
    runs: int
    p_all: float
    held: _Interval
    late: float
    changes: float
    replans: float
    replan_failures: int
    late_events: float
    requests: float
    requests_held: float
    meetings: Mapping[str, _MeetingRow]
    parties: Mapping[str, _PartyRow]
    colour: str
    name: str  # how the page calls it: the policy, or "policy on plan X"


def _interval(data: Mapping[str, Any]) -> _Interval:
    return _Interval(float(data["mean"]), data.get("low"), data.get("high"))


def _read_variants(result_json: Mapping[str, Any]) -> list[_Variant]:
    raw = list(result_json.get("variants", []))
    several = len({v["schedule"] for v in raw}) > 1
    variants: list[_Variant] = []
    for index, v in enumerate(raw):
        policy = str(v["policy"])
        colour = (
            POLICY_COLOURS.get(policy, OTHER_COLOURS[index % len(OTHER_COLOURS)])
            if not several
            else (*POLICY_COLOURS.values(), *OTHER_COLOURS)[index % 9]
        )
        variants.append(
            _Variant(
                label=str(v["label"]),
                schedule=str(v["schedule"]),
                policy=policy,
                runs=int(v["runs"]),
                p_all=float(v["p_all_required_held"]),
                held=_interval(v["held_weight"]),
                late=float(v["knock_on_delay_minutes"]),
                changes=float(v["changes"]),
                replans=float(v["replans"]),
                replan_failures=int(v["replan_failures"]),
                late_events=float(v["late_for_events"]),
                requests=float(v["requests_on_the_day"]),
                requests_held=float(v["requests_held"]),
                meetings={
                    str(m["meeting"]): _MeetingRow(
                        meeting=str(m["meeting"]),
                        planned=bool(m["planned"]),
                        p_held=float(m["p_held"]),
                        p_on_time=float(m["p_on_time"]),
                        delay_p50=m["delay_p50"],
                        delay_p90=m["delay_p90"],
                        reasons=tuple(
                            (str(r["reason"]), float(r["share"])) for r in m["not_held_because"]
                        ),
                    )
                    for m in v["meetings"]
                },
                parties={
                    str(p["party"]): _PartyRow(
                        party=str(p["party"]),
                        overrun_p50=p["overrun_p50"],
                        overrun_p90=p["overrun_p90"],
                        latest_end_minute=p["latest_end_minute"],
                    )
                    for p in v["parties"]
                },
                colour=colour,
                name=f"{policy} on plan {v['schedule']}" if several else policy,
            )
        )
    return variants


def _differences(
    result_json: Mapping[str, Any],
) -> dict[tuple[str, str, str], _Interval]:
    """(a, b, metric) -> a minus b; also (b, a, metric) -> b minus a."""
    found: dict[tuple[str, str, str], _Interval] = {}
    for d in result_json.get("differences", []):
        value = _interval(d["difference"])
        found[(d["a"], d["b"], d["metric"])] = value
        found[(d["b"], d["a"], d["metric"])] = _Interval(
            -value.mean,
            None if value.high is None else -value.high,
            None if value.low is None else -value.low,
        )
    return found


# --- words and numbers ------------------------------------------------------------------


def _pct(p: float | None) -> str:
    if p is None or math.isnan(p):
        return "–"
    value = round(100 * p)
    if value == 100 and p < 1:
        return "over 99%"
    if value == 0 and p > 0:
        return "under 1%"
    return f"{value}%"


def _minutes(value: float | None) -> str:
    """Minutes against the plan in a "late by" column: a negative value is early (a
    re-plan can move a meeting earlier), and says so instead of "-15"."""
    if value is None:
        return "–"
    if round(value) < 0:
        return f"{-value:.0f} early"
    return f"{abs(value):.0f}"


def _late_words(value: float) -> str:
    """``12 min late``, ``15 min early`` or ``on time``."""
    if round(value) == 0:
        return "on time"
    return f"{abs(value):.0f} min {'late' if value > 0 else 'early'}"


def _level(p: float) -> str:
    """A cell's colour class for a probability: good, fair or poor."""
    if p >= 0.95:
        return "good"
    if p >= 0.8:
        return "fair"
    return "poor"


def _delay_level(minutes: float | None) -> str:
    if minutes is None:
        return ""
    if minutes <= ON_TIME:
        return "good"
    if minutes <= 3 * ON_TIME:
        return "fair"
    return "poor"


def _meeting_cell(scenario: Scenario, meeting_id: str) -> str:
    """The meeting's name, its parties when it has a title, and its priority, as HTML."""
    meeting = scenario.meeting_by_id.get(meeting_id)
    if meeting is None:
        return f"<b>{_e(meeting_id)}</b>"
    parts = [f"<b>{_e(scenario.meeting_name(meeting_id))}</b>"]
    if meeting.required:
        parts.append(' <span class="badge required">required</span>')
    elif meeting.headline:
        parts.append(' <span class="badge headline">headline</span>')
    if meeting.title:
        parts.append(f'<br><span class="sub">{_e(scenario.party_names(meeting.parties))}</span>')
    return "".join(parts)


def _reason(scenario: Scenario, reason: str) -> str:
    """A reason a meeting was not held, with party ids (``the day of putin would
    overflow``) turned into names and summit days (``day 2``, counted from 1) into dates
    (plain text, not escaped)."""

    def date(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        if 0 <= index < len(scenario.days):
            return _weekday_date(scenario.days[index].date)
        return match.group(0)

    reason = re.sub(r"(?<=on )day (\d+)\b", date, reason)
    ids = sorted(scenario.party_by_id, key=len, reverse=True)
    if not ids:
        return reason
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(i) for i in ids) + r")(?![\w-])")
    return pattern.sub(lambda match: scenario.party_name(match.group(1)), reason)


def _weekday_date(day: dt.date) -> str:
    """``Wed 23 Oct``."""
    return day.strftime("%a %d %b")


def _when(scenario: Scenario, minute: int) -> str:
    return format_moment_with_weekday(scenario.to_datetime(minute))


def _clock_on(scenario: Scenario, minute: int) -> str:
    """``16:00 on 23 Oct``: when a what-if happens, as an office says it."""
    when = scenario.to_datetime(minute)
    return f"{format_time_of_day(when)} on {format_date(when.date())}"


def _span(scenario: Scenario, start: int, end: int) -> str:
    return f"{_when(scenario, start)}–{format_time_of_day(scenario.to_datetime(end))}"


def _wrap(text: str, width: int = 40) -> str:
    """Plain text as an escaped chart label, wrapped onto lines of about ``width``."""
    return "<br>".join(_e(line) for line in textwrap.wrap(text, width) or [""])


def _chart_label(scenario: Scenario, meeting_id: str) -> str:
    meeting = scenario.meeting_by_id.get(meeting_id)
    label = _wrap(scenario.meeting_name(meeting_id))
    if meeting is not None and meeting.required:
        return f"<b>{label}</b> (required)"
    return label


# --- the order of things --------------------------------------------------------------


def _meeting_order(scenario: Scenario, schedule: Schedule, ids: Iterable[str]) -> list[str]:
    """Required meetings first, then the others; each group in plan order (meetings not in
    the plan last), then in scenario order."""
    position = {m.id: i for i, m in enumerate(scenario.meetings)}
    planned = {a.meeting: a.start for a in schedule.assignments}

    def key(meeting_id: str) -> tuple[int, int, int, int, str]:
        meeting = scenario.meeting_by_id.get(meeting_id)
        required = meeting is not None and meeting.required
        start = planned.get(meeting_id)
        return (
            0 if required else 1,
            0 if start is not None else 1,
            start if start is not None else 0,
            position.get(meeting_id, len(position)),
            meeting_id,
        )

    return sorted(ids, key=key)


def _best(
    variants: Sequence[_Variant], differences: Mapping[tuple[str, str, str], _Interval]
) -> tuple[_Variant, bool]:
    """The variant whose numbers the page details, and whether the replays single it
    out (``sim.simulate.metrics.clearly_best``): that one when they do, else the
    first by the averages (the chance that every required meeting is held, then the
    weight held, then the fewest minutes of late starts and changes)."""

    def interval_of(a: str, b: str, metric: str) -> tuple[float, float] | None:
        value = differences.get((a, b, metric))
        if value is None or value.low is None or value.high is None:
            return None
        return value.low, value.high

    clear = clearly_best([v.label for v in variants], interval_of)
    if clear is not None:
        return next(v for v in variants if v.label == clear), True
    leading = max(
        variants,
        key=lambda v: (v.p_all, v.held.mean, -v.late, -v.changes, -variants.index(v)),
    )
    return leading, False


# --- the paired differences in words ------------------------------------------------------


@dataclass(frozen=True)
class _Metric:
    key: str
    higher_is_better: bool
    scale: float
    digits: int
    better: str  # "{x} ..." for an advantage
    worse: str  # "{x} ..." for a disadvantage
    subject: str  # "no clear difference in {subject}"
    unit: str  # "{x} {unit} better"


METRICS = (
    _Metric(
        "all_required",
        True,
        100,
        0,
        "every required meeting held in {x} more replays out of 100",
        "every required meeting held in {x} fewer replays out of 100",
        "the chance that every required meeting is held",
        "replays in 100",
    ),
    _Metric(
        "held_weight",
        True,
        1,
        1,
        "{x} more weight points held on average",
        "{x} fewer weight points held on average",
        "the weight held",
        "weight points",
    ),
    _Metric(
        "knock_on_delay",
        False,
        1,
        0,
        "{x} fewer minutes of late starts per replay",
        "{x} more minutes of late starts per replay",
        "late starts",
        "minutes",
    ),
    _Metric(
        "changes",
        False,
        1,
        1,
        "{x} fewer changes to the plan per replay",
        "{x} more changes to the plan per replay",
        "changes to the plan",
        "changes",
    ),
)


def _advantage(metric: _Metric, value: _Interval) -> tuple[float, float | None, float | None]:
    """The difference turned so that positive is better, scaled for words."""
    sign = metric.scale if metric.higher_is_better else -metric.scale
    ends = [None if x is None else sign * x for x in (value.low, value.high)]
    low, high = ends if sign > 0 else ends[::-1]
    return sign * value.mean, low, high


def _difference_words(metric: _Metric, value: _Interval) -> tuple[str, str]:
    """('better' | 'worse' | 'same', the words)."""
    mean, low, high = _advantage(metric, value)

    def number(x: float) -> str:
        return f"{abs(x):.{metric.digits}f}"

    if low is None or high is None:  # fewer than two replays: no interval
        if round(mean, metric.digits) == 0:
            return "same", f"no difference in {metric.subject}"
        words = metric.better if mean > 0 else metric.worse
        return ("better" if mean > 0 else "worse"), words.format(x=number(mean))
    if low > 0:
        return "better", (
            metric.better.format(x=number(mean)) + f" (95% range {number(low)} to {number(high)})"
        )
    if high < 0:
        return "worse", (
            metric.worse.format(x=number(mean)) + f" (95% range {number(high)} to {number(low)})"
        )
    if round(low, metric.digits) == 0 and round(high, metric.digits) == 0:
        return "same", f"no difference in {metric.subject}"
    return "same", (
        f"no clear difference in {metric.subject} (95% range from {number(low)} "
        f"{metric.unit} worse to {number(high)} better)"
    )


# --- the page -------------------------------------------------------------------------------


CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d5dae3; --head: #eef1f6;
  --good: #dff3e4; --fair: #fff1cc; --poor: #fbdcdc; --accent: #0072B2; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; color: var(--ink); margin: 0 auto; max-width: 1080px; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-bottom: 4px;
  border-bottom: 2px solid var(--ink); break-after: avoid; }
h3 { font-size: 16px; margin: 0 0 6px; }
p { margin: 6px 0; max-width: 70em; }
.meta, .sub, .note { color: var(--muted); }
.sub { font-size: 12px; }
.note { font-size: 13px; }
.summary { background: #f3f6fb; border-left: 5px solid var(--accent); padding: 10px 18px;
  margin: 16px 0; }
.summary li { margin: 4px 0; }
.warning { background: var(--poor); padding: 8px 14px; border-radius: 4px; }
.glossary { columns: 2 420px; font-size: 13px; color: var(--muted); margin: 8px 0; }
.glossary p { break-inside: avoid; margin: 0 0 6px; }
.glossary b { color: var(--ink); }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0;
  font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 7px; vertical-align: top; }
th { background: var(--head); text-align: left; font-weight: 600; }
th.group { text-align: center; border-bottom: 3px solid var(--policy, var(--line)); }
td.num { text-align: right; white-space: nowrap; }
td.good { background: var(--good); } td.fair { background: var(--fair); }
td.poor { background: var(--poor); }
tr.best td.num { font-weight: 600; }
tr { break-inside: avoid; }
.policy { white-space: nowrap; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
  margin-right: 6px; vertical-align: baseline; }
.badge { display: inline-block; white-space: nowrap; font-size: 11px; line-height: 16px;
  padding: 0 6px;
  border-radius: 8px; color: #fff; background: var(--accent); font-weight: 600; }
.badge.headline { background: #D55E00; }
.badge.risk { background: #b42318; }
.badge.ok { background: #2e7d32; }
.chart { break-inside: avoid; margin: 8px 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr));
  gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
  break-inside: avoid; }
.card table { font-size: 12px; }
.card ul { margin: 4px 0 0; padding-left: 18px; font-size: 13px; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  table, .glossary { font-size: 8.5pt; }
  .summary { break-inside: avoid; }
  h2 { break-before: auto; }
}
"""


class _Charts:
    """Charts as HTML fragments: plotly.js goes into the first one only."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, figure: go.Figure, div_id: str, height: int) -> str:
        self.count += 1
        fragment: str = figure.to_html(
            full_html=False,
            include_plotlyjs=self.count == 1,
            div_id=div_id,
            default_width="100%",
            default_height=f"{height}px",
            config={"displaylogo": False, "displayModeBar": False, "responsive": True},
        )
        return f'<div class="chart">{fragment}</div>'


def _layout(height: int, x_title: str, **more: Any) -> dict[str, Any]:
    return {
        "height": height,
        "template": "plotly_white",
        "font": {"family": FONT, "size": 13, "color": "#1d2433"},
        "margin": {"l": 10, "r": 20, "t": 30, "b": 50},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        "xaxis": {"title": {"text": x_title}, "automargin": True, "zeroline": True},
        "yaxis": {"automargin": True, "autorange": "reversed", "type": "category"},
        **more,
    }


def robustness_report_html(
    scenario: Scenario,
    schedule: Schedule,
    result_json: Mapping[str, Any],
    timelines: Mapping[str, Any] | None = None,
) -> str:
    """The robustness report as one self-contained HTML page.

    ``result_json`` is the parsed ``simulation.json`` of a run on ``scenario`` with
    ``schedule``; ``timelines``, the parsed ``timelines.json`` of the same run, adds
    the worst replay of each policy. Needs no other file and no network."""
    variants = _read_variants(result_json)
    differences = _differences(result_json)
    charts = _Charts()
    runs = int(result_json.get("runs", variants[0].runs if variants else 0))
    seed = result_json.get("seed", "?")
    body: list[str] = [_header(scenario, schedule, result_json, runs, seed)]
    if not variants:
        body.append("<p>The results hold no replays.</p>")
    else:
        best, clear = _best(variants, differences)
        risks = _risks(scenario, schedule, best)
        body += [
            _summary(scenario, schedule, variants, (best, clear), differences, risks, runs),
            _glossary(runs),
            _policy_table(variants, best if clear else None),
            _meeting_section(scenario, schedule, variants, best, charts),
            _risk_section(scenario, schedule, best, risks),
            _party_section(scenario, schedule, variants, best),
        ]
        if timelines:
            body.append(_worst_section(scenario, schedule, variants, timelines))
    body.append(
        "<footer>Made by summit-sim from simulation.json"
        + (" and timelines.json" if timelines else "")
        + ". The same files always give the same page. Times are local to the summit ("
        + _e(scenario.timezone)
        + ").</footer>"
    )
    title = f"How well the plan holds up: {scenario.name}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _disruption_words(scenario: Scenario, mode: str) -> str:
    scripted = len(scenario.uncertainty.scripted)
    own_random = replace(scenario.uncertainty, scripted=()) != Uncertainty()
    if mode == "none":
        words = "none drawn at random"
    elif mode == "calibrated" or (mode == "auto" and not own_random):
        words = "the calibrated defaults (overruns, late landings, slow rides, cancellations, "
        words += "requests on the day, as reported at past summits)"
    elif mode in ("auto", "scenario"):
        words = "as the scenario's uncertainty section describes them"
    else:
        words = mode
    if scripted:
        words += f", plus {scripted} scripted what-if{'s' if scripted > 1 else ''} (below)"
    return words


def _scripted_words(scenario: Scenario) -> list[str]:
    """The scenario's scripted what-ifs in plain words (not escaped)."""
    found: list[str] = []
    for event in scenario.uncertainty.scripted:
        at = f" at {_when(scenario, event.at)}" if event.at is not None else ""
        party = scenario.party_name(event.party) if event.party else "a party"
        meeting = scenario.meeting_name(event.meeting) if event.meeting else "a meeting"
        if event.kind is ScriptedKind.CANCEL_PARTY:
            found.append(f"{party} withdraws{at}")
        elif event.kind is ScriptedKind.CANCEL_MEETING:
            found.append(f"{meeting} is cancelled{at}")
        elif event.kind is ScriptedKind.REQUEST_MEETING:
            request = event.request
            if request is not None:
                names = scenario.party_names(request.parties)
                meeting = f"{request.title} ({names})" if request.title else names
            wanted = ""
            if event.start is not None:
                wanted = f", wanted at {_clock_on(scenario, event.start)}"
            found.append(f"{meeting} is asked for{at}{wanted}")
        elif event.kind is ScriptedKind.OVERRUN:
            found.append(f"{meeting} runs {event.minutes} minutes long")
        elif event.kind is ScriptedKind.DELAY_ARRIVAL:
            found.append(f"{party} arrives {event.minutes} minutes late")
        elif event.kind is ScriptedKind.EVENT_OVERRUN:
            fixed = scenario.event_by_id.get(event.fixed_event or "")
            name = fixed.name if fixed is not None else event.fixed_event or "a programme event"
            found.append(f"{name} runs {event.minutes} minutes long")
        elif event.kind is ScriptedKind.LEAVE_EARLY and event.at is not None:
            known = event.announced
            told = f" (known from {_clock_on(scenario, known)})" if known is not None else ""
            found.append(f"{party} leaves at {_clock_on(scenario, event.at)}{told}")
        elif event.kind is ScriptedKind.MOVE_MEETING and event.to is not None:
            told = ""
            if event.at is not None:
                told = f" (announced at {_clock_on(scenario, event.at)})"
            found.append(f"{meeting} moved to {_clock_on(scenario, event.to)}{told}")
        else:
            found.append(str(event.kind))
    return found


def _header(
    scenario: Scenario, schedule: Schedule, result_json: Mapping[str, Any], runs: int, seed: Any
) -> str:
    held = len(schedule.assignments)
    status = {
        SolveStatus.OPTIMAL: "proven the best possible",
        SolveStatus.FEASIBLE: "valid, not proven the best",
        SolveStatus.INFEASIBLE: "no plan can hold every required meeting",
        SolveStatus.UNKNOWN: "no plan found in time",
    }[schedule.status]
    lines = [
        f"<h1>How well the plan holds up: {_e(scenario.name)}</h1>",
        '<p class="meta">',
        f"{_count(runs, 'simulated replay')} of the summit per policy · random seed {_e(seed)} "
        "(the same seed gives the same results) · disruptions: "
        f"{_e(_disruption_words(scenario, str(result_json.get('disruptions', 'auto'))))}",
        f"<br>The plan: {held} of {len(scenario.meetings)} requested meetings scheduled "
        f"({_e(status)}).",
    ]
    scripted = _scripted_words(scenario)
    if scripted:
        lines.append("<br>What-ifs in every replay: " + "; ".join(_e(s) for s in scripted) + ".")
    lines += ["</p>"]
    warnings = []
    ran_on = result_json.get("scenario", {}).get("id")
    if ran_on is not None and ran_on != scenario.id:
        warnings.append(
            f"These results are for scenario {_e(ran_on)}, not {_e(scenario.id)}: names "
            "and planned times below may not match."
        )
    if schedule.scenario_id != scenario.id:
        warnings.append(
            f"The plan was made for scenario {_e(schedule.scenario_id)}, not {_e(scenario.id)}."
        )
    lines += [f'<p class="warning">{w}</p>' for w in warnings]
    return "\n".join(lines)


def _plan_weight(scenario: Scenario, schedule: Schedule) -> int:
    return sum(
        scenario.meeting_by_id[a.meeting].weight
        for a in schedule.assignments
        if a.meeting in scenario.meeting_by_id
    )


def _summary(
    scenario: Scenario,
    schedule: Schedule,
    variants: Sequence[_Variant],
    chosen: tuple[_Variant, bool],
    differences: Mapping[tuple[str, str, str], _Interval],
    risks: Sequence[_Risk],
    runs: int,
) -> str:
    best = chosen[0]
    has_required = any(m.required for m in scenario.meetings)
    weight = _plan_weight(scenario, schedule)
    items: list[str] = []
    for v in variants:
        held = f"on average <b>{v.held.mean:.1f}</b> weight points were held"
        if v.held.low is not None and v.held.high is not None:
            held += f" (95% range {v.held.low:.1f} to {v.held.high:.1f})"
        held += f", against {weight} in the plan (meetings asked for on the day count too)"
        if has_required:
            sentence = (
                f"With {_with(v)}, every required meeting was held in "
                f"<b>{_pct(v.p_all)}</b> of {_count(v.runs, 'replay')}; {held}."
            )
        else:
            sentence = f"With {_with(v)}, {held}."
        items.append(f"<li>{sentence}</li>")
    parts = [
        '<section class="summary">',
        "<h2 style='margin-top:4px'>In short</h2>",
        f"<ul>{''.join(items)}</ul>",
    ]
    if len(variants) > 1:
        parts.append(_best_words(variants, chosen, differences, runs))
    link = '<a href="#risk">What puts the required meetings at risk</a>'
    found = []
    for risk, parties in _risk_groups(risks):
        who = " and ".join(_e(scenario.party_name(p)) for p in parties)
        required = f"<b>{_e(scenario.meeting_name(risk.required))}</b>"
        if risk.at_risk:
            found.append(
                f"<li>{_e(risk.before_name)}, planned just before {required} with "
                f"{risk.free} minutes free between them for {who}, starts "
                f"{_minutes(risk.delay_p90)} minutes late in 1 replay out of 10.</li>"
            )
        elif risk.event_likely:
            found.append(
                f"<li>{required} starts on time in only {_pct(risk.own_on_time)} of the "
                f"replays: the programme event {_e(risk.before_name)} ends {risk.free} minutes "
                f"before it (after the ride) for {who}, and sessions run over.</li>"
            )
        elif risk.arrival_likely:
            found.append(
                f"<li>{required} starts on time in only {_pct(risk.own_on_time)} of the "
                f"replays; nothing comes before it that day for {who}: a late arrival or a "
                "slow ride is the likely cause.</li>"
            )
    if found:
        parts.append(f"<p><b>{link}</b> ({_e(best.name)} policy):</p><ul>{''.join(found[:5])}</ul>")
    elif has_required:
        parts.append(
            f"<p><b>{link}:</b> no engagement planned just before a required meeting makes it "
            "late in 1 replay out of 10.</p>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _best_words(
    variants: Sequence[_Variant],
    chosen: tuple[_Variant, bool],
    differences: Mapping[tuple[str, str, str], _Interval],
    runs: int,
) -> str:
    best, clear = chosen
    comparisons: list[str] = []
    for other in variants:
        if other is best:
            continue
        words: list[str] = []
        for metric in METRICS:
            value = differences.get((best.label, other.label, metric.key))
            if value is None:
                continue
            _, text = _difference_words(metric, value)
            words.append(text)
        if words:
            comparisons.append(f"<li>against <b>{_e(other.name)}</b>: {'; '.join(words)}.</li>")
    replays = _count(runs, "replay")
    if clear:
        head = (
            f"<p><b>The most robust policy is {_e(best.name)}.</b> On the same {replays} "
            "(every policy meets exactly the same disruptions), against each other policy "
            "the first measure that tells them apart (in this order: every required "
            "meeting held, weight held, late starts, changes) is in its favour:</p>"
        )
    else:
        head = (
            f"<p><b>No policy is clearly better on these {replays}</b>: for none of them "
            "does the first measure that tells it from each other policy (in this order: "
            "every required meeting held, weight held, late starts, changes) come out in "
            f"its favour. {_e(best.name)} has the best averages; on the same replays:</p>"
        )
    return head + f"<ul>{''.join(comparisons)}</ul>"


def _count(number: int, noun: str) -> str:
    """``1 replay``, ``20 replays``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _glossary(runs: int) -> str:
    terms = [
        (
            "Replay",
            "one simulated run of the whole summit with random disruptions; "
            + (f"there are {runs} per policy" if runs != 1 else "there is 1 per policy")
            + ", and every policy meets the same disruptions, so the differences "
            "between policies are theirs alone.",
        ),
        (
            "Policy",
            "how the protocol office reacts on the day when things run late (each is "
            "described in the table below).",
        ),
        (
            "Weight points",
            "the value of the meetings held, as the scenario weighs them; meetings asked for "
            "on the day count too.",
        ),
        (
            "95% range",
            "the range in which the true average lies with 95% confidence, given the number "
            "of replays (more replays make it narrower). A difference whose range includes "
            "zero may be chance.",
        ),
        (
            "On time",
            f"held on its planned day and starting within {ON_TIME} minutes of its planned start.",
        ),
        (
            "Typical / 1 in 10",
            "the median (half the replays are better, half worse) and the 90th percentile "
            "(1 replay in 10 is worse still).",
        ),
    ]
    return (
        '<section class="glossary">'
        + "".join(f"<p><b>{_e(t)}</b>: {_e(d)}</p>" for t, d in terms)
        + "</section>"
    )


def _with(v: _Variant) -> str:
    """``the <b>shorten</b> policy``, or ``plan <b>a</b> and the <b>shorten</b> policy``."""
    policy = f"the <b>{_e(v.policy)}</b> policy"
    return policy if v.name == v.policy else f"plan <b>{_e(v.schedule)}</b> and {policy}"


def _swatch(v: _Variant) -> str:
    return f'<span class="swatch" style="background:{v.colour}"></span>'


def _policy_name(v: _Variant) -> str:
    """The variant's colour and name, kept on one line."""
    return f'<span class="policy">{_swatch(v)}{_e(v.name)}</span>'


def _policy_table(variants: Sequence[_Variant], best: _Variant | None) -> str:
    """``best``: the policy the replays single out, marked; None when they do not."""
    rows = []
    for v in variants:
        held = f"{v.held.mean:.1f}"
        if v.held.low is not None and v.held.high is not None:
            held += f' <span class="sub">({v.held.low:.1f}–{v.held.high:.1f})</span>'
        if v.policy == "replan" or v.replans:
            replans = f"{v.replans:.1f}"
            if v.replan_failures:
                replans += f' <span class="sub">({v.replan_failures} found no plan)</span>'
        else:
            replans = "–"
        requests = f"{v.requests_held:.1f} of {v.requests:.1f}" if v.requests else "none asked"
        highlight = ' class="best"' if v is best and len(variants) > 1 else ""
        rows.append(
            f"<tr{highlight}>"
            f"<td>{_swatch(v)}<b>{_e(v.name)}</b>"
            + (" (most robust)" if v is best and len(variants) > 1 else "")
            + f'<br><span class="sub">{_e(POLICY_WORDS.get(v.policy, ""))}</span></td>'
            f'<td class="num {_level(v.p_all)}">{_pct(v.p_all)}</td>'
            f'<td class="num">{held}</td>'
            f'<td class="num">{v.late:.0f}</td>'
            f'<td class="num">{v.changes:.1f}</td>'
            f'<td class="num">{v.late_events:.1f}</td>'
            f'<td class="num">{requests}</td>'
            f'<td class="num">{replans}</td></tr>'
        )
    return (
        "<h2>The policies side by side</h2>\n"
        "<p>Averages per replay, except the first column (the share of replays).</p>\n"
        "<table><thead><tr><th>Policy: what the office does on the day</th>"
        "<th>Every required meeting held</th><th>Weight points held (95% range)</th>"
        "<th>Minutes of late starts, all meetings</th><th>Changes to the plan</th>"
        "<th>Programme events reached late or missed</th>"
        "<th>Meetings asked for on the day: held</th><th>Re-plans</th></tr></thead>\n<tbody>"
        + "\n".join(rows)
        + "</tbody></table>"
    )


# --- meetings --------------------------------------------------------------------------------


def _shortened(scenario: Scenario, meeting_id: str, length: int) -> str:
    """A line under a planned meeting held shorter than asked (none otherwise)."""
    meeting = scenario.meeting_by_id.get(meeting_id)
    if meeting is None or length >= meeting.duration:
        return ""
    return f'<br><span class="sub">shortened to {length} min (of {meeting.duration})</span>'


def _meeting_section(
    scenario: Scenario,
    schedule: Schedule,
    variants: Sequence[_Variant],
    best: _Variant,
    charts: _Charts,
) -> str:
    ids = _meeting_order(scenario, schedule, dict.fromkeys(m for v in variants for m in v.meetings))
    placed = {a.meeting: a for a in schedule.assignments}
    head_top = "<tr><th rowspan='2'>Meeting</th><th rowspan='2'>Planned</th>" + "".join(
        f'<th class="group" colspan="3" style="--policy:{v.colour}">{_swatch(v)}{_e(v.name)}</th>'
        for v in variants
    )
    head_top += (
        "<th rowspan='2'>Commonest reasons not held"
        + (f" ({_e(best.name)})" if len(variants) > 1 else "")
        + "</th></tr>"
    )
    head_low = (
        "<tr>"
        + "<th>Held</th><th>On time</th><th>Late start, typical / 1 in 10 (min)</th>"
        * len(variants)
        + "</tr>"
    )
    rows = []
    for meeting_id in ids:
        a = placed.get(meeting_id)
        planned = (
            f"{_e(_span(scenario, a.start, a.end))}<br>"
            f'<span class="sub">{_e(scenario.venue_name(a.venue))}</span>'
            + _shortened(scenario, a.meeting, a.end - a.start)
            if a is not None
            else '<span class="sub">not in the plan</span>'
        )
        cells = []
        for v in variants:
            m = v.meetings.get(meeting_id)
            if m is None:
                cells.append('<td class="num" colspan="3">–</td>')
                continue
            delay = (
                "–" if m.delay_p50 is None else f"{_minutes(m.delay_p50)} / {_minutes(m.delay_p90)}"
            )
            cells.append(
                f'<td class="num {_level(m.p_held)}">{_pct(m.p_held)}</td>'
                f'<td class="num {_level(m.p_on_time)}">{_pct(m.p_on_time)}</td>'
                f'<td class="num {_delay_level(m.delay_p90)}">{delay}</td>'
            )
        reasons = best.meetings.get(meeting_id)
        why = (
            "<br>".join(f"{_e(_reason(scenario, r))} ({_pct(s)})" for r, s in reasons.reasons)
            if reasons is not None and reasons.reasons
            else "–"
        )
        rows.append(
            f"<tr><td>{_meeting_cell(scenario, meeting_id)}</td><td>{planned}</td>"
            + "".join(cells)
            + f'<td class="sub">{why}</td></tr>'
        )
    table = (
        f"<table><thead>{head_top}{head_low}</thead><tbody>" + "\n".join(rows) + "</tbody></table>"
    )
    return "\n".join(
        [
            '<h2 id="meetings">Meeting by meeting</h2>',
            "<p>For each meeting and policy: the share of replays in which it was held, the "
            f"share in which it also started on time (within {ON_TIME} minutes of the plan), "
            "and how late it started when held on its planned day: typically (median) and "
            "in the worst replay out of 10. Required meetings come first, then the rest, in "
            "the order of the plan. Green: 95% or better (late by 10 minutes or less); "
            "yellow: 80–95% (up to 30 minutes); red: below 80% (more than 30 minutes).</p>",
            table,
            _held_chart(scenario, ids, variants, charts),
            _delay_chart(scenario, ids, variants, charts),
        ]
    )


def _held_chart(
    scenario: Scenario, ids: Sequence[str], variants: Sequence[_Variant], charts: _Charts
) -> str:
    figure = go.Figure()
    labels = [_chart_label(scenario, m) for m in ids]
    for v in variants:
        values, hover = [], []
        for meeting_id in ids:
            m = v.meetings.get(meeting_id)
            values.append(None if m is None else round(100 * m.p_held, 1))
            hover.append(
                f"{_e(scenario.meeting_name(meeting_id))}<br>{_e(v.name)}: held in "
                + (f"{_pct(m.p_held)} of replays" if m is not None else "–")
            )
        figure.add_trace(
            go.Bar(
                x=values,
                y=labels,
                orientation="h",
                name=_e(v.name),
                marker={"color": v.colour},
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    rows = max(1, len(ids))
    height = 130 + rows * (14 * len(variants) + 18)
    figure.update_layout(
        **_layout(
            height,
            "held in this share of replays (%)",
            barmode="group",
            bargap=0.25,
        )
    )
    figure.update_xaxes(range=[0, 101], ticksuffix="%")
    return "<h3>How often each meeting is held, per policy</h3>" + charts.html(
        figure, "report-chart-held", height
    )


def _delay_chart(
    scenario: Scenario, ids: Sequence[str], variants: Sequence[_Variant], charts: _Charts
) -> str:
    shown = [
        m
        for m in ids
        if any(
            (row := v.meetings.get(m)) is not None and row.delay_p50 is not None for v in variants
        )
    ]
    if not shown:
        return "<p>No meeting was held on its planned day in any replay: no delays to show.</p>"
    labels = [_chart_label(scenario, m) for m in shown]
    figure = go.Figure()
    for v in variants:
        x: list[float | None] = []
        plus: list[float | None] = []
        hover: list[str] = []
        for meeting_id in shown:
            m = v.meetings.get(meeting_id)
            if m is None or m.delay_p50 is None or m.delay_p90 is None:
                x.append(None)
                plus.append(None)
                hover.append("")
                continue
            x.append(m.delay_p50)
            plus.append(round(m.delay_p90 - m.delay_p50, 1))
            hover.append(
                f"{_e(scenario.meeting_name(meeting_id))}<br>{_e(v.name)}: starts "
                f"{_late_words(m.delay_p50)} typically, {_late_words(m.delay_p90)} "
                "1 replay in 10"
            )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=labels,
                mode="markers",
                orientation="h",
                name=_e(v.name),
                marker={"color": v.colour, "size": 9, "symbol": "circle"},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": plus,
                    "arrayminus": [0 if p is not None else None for p in plus],
                    "color": v.colour,
                    "thickness": 3,
                    "width": 6,
                },
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    height = 150 + len(shown) * (14 * len(variants) + 18)
    figure.update_layout(
        **_layout(
            height,
            "minutes late at the start",
            scattermode="group",
            scattergap=0.3,
            shapes=[
                {
                    "type": "line",
                    "x0": ON_TIME,
                    "x1": ON_TIME,
                    "xref": "x",
                    "y0": 0,
                    "y1": 1,
                    "yref": "paper",
                    "line": {"color": "#5b6475", "dash": "dash", "width": 1},
                }
            ],
        )
    )
    ends = [
        value
        for v in variants
        for m in shown
        if (row := v.meetings.get(m)) is not None
        for value in (row.delay_p50, row.delay_p90)
        if value is not None
    ]
    low, high = min([0.0, *ends]), max([float(ON_TIME), *ends])
    margin = max(2.0, (high - low) * 0.02)
    figure.update_xaxes(range=[low - margin, high + margin])
    note = (
        "<h3>How late each meeting starts, when held on its planned day</h3>"
        "<p class='note'>simulation.json keeps two points of each delay distribution, the "
        "median and the 90th percentile; the chart shows exactly those: the dot is the "
        "typical delay, the bar reaches the delay exceeded in 1 replay in 10. The dashed "
        f"line is the limit of 'on time' ({ON_TIME} minutes).</p>"
    )
    return note + charts.html(figure, "report-chart-delay", height)


# --- what puts the required meetings at risk ----------------------------------------------


@dataclass(frozen=True)
class _Risk:
    """A required meeting and, for one of its parties, the engagement planned just
    before it on the same day."""

    required: str
    party: str
    order: int  # for a stable order
    before_kind: str  # "meeting", "event" or "" (nothing before it that day)
    before_id: str
    before_name: str
    before_end: int
    free: int  # minutes between the two, less the ride
    delay_p90: float | None  # the earlier meeting's 1-in-10 start delay (best policy)
    own_on_time: float  # the required meeting's share of on-time starts (best policy)
    own_delay_p50: float | None  # and its typical start delay

    @property
    def excess(self) -> float:
        return -math.inf if self.delay_p90 is None else self.delay_p90 - self.free

    @property
    def at_risk(self) -> bool:
        return self.before_kind == "meeting" and self.excess > 0

    @property
    def event_likely(self) -> bool:
        """A programme event just before, and the required meeting is typically later than
        the free time after it: the session running over is the likely cause."""
        return (
            self.before_kind == "event"
            and self.own_on_time < 0.8
            and self.own_delay_p50 is not None
            and self.own_delay_p50 > max(self.free, ON_TIME)
        )

    @property
    def arrival_likely(self) -> bool:
        """Nothing before it that day, and the required meeting is often late: a late
        arrival or a slow ride is the likely cause."""
        return not self.before_kind and self.own_on_time < 0.8


def _risk_groups(risks: Sequence[_Risk]) -> list[tuple[_Risk, list[str]]]:
    """The flagged risks, one per (required meeting, engagement before it) with the parties
    it concerns, the largest first."""
    groups: dict[tuple[str, str], tuple[_Risk, list[str]]] = {}
    for risk in risks:
        if risk.at_risk or risk.event_likely or risk.arrival_likely:
            groups.setdefault((risk.required, risk.before_id), (risk, []))[1].append(risk.party)
    return sorted(
        groups.values(),
        key=lambda g: (not g[0].at_risk, -g[0].excess, g[0].own_on_time, g[0].order),
    )


def _travel(scenario: Scenario, origin: str, destination: str) -> int:
    if origin == destination:
        return 0
    return scenario.travel.get((origin, destination), 0)


def _risks(scenario: Scenario, schedule: Schedule, best: _Variant) -> list[_Risk]:
    placed = {a.meeting: a for a in schedule.assignments}
    found: list[_Risk] = []
    for meeting in scenario.meetings:
        target = placed.get(meeting.id)
        if not meeting.required or target is None:
            continue
        own = best.meetings.get(meeting.id)
        own_on_time = own.p_on_time if own is not None else 1.0
        own_delay = own.delay_p50 if own is not None else None
        for party in meeting.parties:
            before = _engagement_before(scenario, schedule, party, target)
            order = len(found)
            if before is None:
                found.append(
                    _Risk(meeting.id, party, order, "", "", "", 0, 0, None, own_on_time, own_delay)
                )
                continue
            kind, ident, name, end, venue = before
            row = best.meetings.get(ident) if kind == "meeting" else None
            free = target.start - end - _travel(scenario, venue, target.venue)
            found.append(
                _Risk(
                    meeting.id,
                    party,
                    order,
                    kind,
                    ident,
                    name,
                    end,
                    free,
                    row.delay_p90 if row is not None else None,
                    own_on_time,
                    own_delay,
                )
            )
    return found


def _engagement_before(
    scenario: Scenario, schedule: Schedule, party: str, target: Assignment
) -> tuple[str, str, str, int, str] | None:
    """(kind, id, name, end, venue) of the party's last engagement before ``target`` on
    the same day, or None."""
    candidates: list[tuple[int, int, str, str, str, str]] = []
    for a in schedule.assignments:
        meeting = scenario.meeting_by_id.get(a.meeting)
        if (
            meeting is None
            or a.meeting == target.meeting
            or party not in meeting.parties
            or a.day != target.day
            or a.end > target.start
        ):
            continue
        candidates.append(
            (a.end, a.start, "meeting", a.meeting, scenario.meeting_name(a.meeting), a.venue)
        )
    day = scenario.days[target.day] if 0 <= target.day < len(scenario.days) else None
    for event in scenario.fixed_events_of(party):
        if event.time.end > target.start or (
            day is not None and not day.window.start <= event.time.start < day.window.end
        ):
            continue
        candidates.append(
            (event.time.end, event.time.start, "event", event.id, event.name, event.venue)
        )
    if not candidates:
        return None
    end, _, kind, ident, name, venue = max(candidates)
    return kind, ident, name, end, venue


def _risk_section(
    scenario: Scenario, schedule: Schedule, best: _Variant, risks: Sequence[_Risk]
) -> str:
    parts = [
        '<h2 id="risk">What puts the required meetings at risk</h2>',
        "<p><b>Method:</b> for each party of each required meeting we take the engagement "
        "planned just before it that day and the free time the plan leaves between the two "
        "(after the ride), and name an earlier meeting when, in 1 replay out of 10 under the "
        f"<b>{_e(best.name)}</b> policy, it starts later than that free time allows, or a "
        "programme event when the required meeting itself typically starts later than "
        "that, or a late arrival or slow ride when nothing comes before it and it starts on "
        "time in fewer than 80% of the replays. The results keep no overrun per meeting or "
        "event, so overruns are inferred from start delays and the risk shown is, if "
        "anything, too small.</p>",
    ]
    if not any(m.required for m in scenario.meetings):
        parts.append("<p>This scenario has no required meetings.</p>")
        return "\n".join(parts)
    placed = {a.meeting: a for a in schedule.assignments}
    missing = [m for m in scenario.meetings if m.required and m.id not in placed]
    if missing:
        parts.append(
            "<p class='warning'>Required meetings not in the plan at all: "
            + ", ".join(_e(scenario.meeting_name(m.id)) for m in missing)
            + ".</p>"
        )
    rows = []
    by_meeting: dict[str, list[_Risk]] = {}
    for risk in risks:
        by_meeting.setdefault(risk.required, []).append(risk)
    ordered = sorted(
        by_meeting,
        key=lambda m: (
            -max(r.excess for r in by_meeting[m]),
            best.meetings[m].p_on_time if m in best.meetings else 1,
            m,
        ),
    )
    for meeting_id in ordered:
        group = by_meeting[meeting_id]
        stats = best.meetings.get(meeting_id)
        a = placed[meeting_id]
        reasons = (
            "<br>".join(f"{_e(_reason(scenario, r))} ({_pct(s)})" for r, s in stats.reasons)
            if stats is not None and stats.reasons
            else "–"
        )
        for index, risk in enumerate(group):
            lead = ""
            if index == 0:
                span = f" rowspan='{len(group)}'" if len(group) > 1 else ""
                held = (
                    f"{_pct(stats.p_held)} / {_pct(stats.p_on_time)}" if stats is not None else "–"
                )
                lead = (
                    f"<td{span}>{_meeting_cell(scenario, meeting_id)}<br>"
                    f'<span class="sub">{_e(_span(scenario, a.start, a.end))}</span></td>'
                    f'<td{span} class="num {_level(stats.p_on_time if stats else 1)}">'
                    f"{held}</td>"
                    f'<td{span} class="sub">{reasons}</td>'
                )
            if not risk.before_kind:
                before = '<span class="sub">nothing earlier that day</span>'
                free = delay = "–"
                verdict = (
                    '<span class="badge risk">likely cause</span><br>'
                    '<span class="sub">a late arrival or a slow ride</span>'
                    if risk.arrival_likely
                    else '<span class="sub">only a late arrival or a slow ride</span>'
                )
            else:
                what = "programme event" if risk.before_kind == "event" else "meeting"
                before = (
                    f"{_e(risk.before_name)}<br><span class='sub'>{what}, ends "
                    f"{_e(format_time_of_day(scenario.to_datetime(risk.before_end)))}</span>"
                )
                free = f"{risk.free}"
                delay = _minutes(risk.delay_p90) if risk.before_kind == "meeting" else "not kept"
                if risk.at_risk:
                    verdict = '<span class="badge risk">puts it at risk</span>'
                elif risk.event_likely:
                    verdict = (
                        '<span class="badge risk">likely cause</span><br>'
                        '<span class="sub">the session runs over</span>'
                    )
                elif risk.before_kind == "event":
                    verdict = '<span class="sub">a session that runs over pushes it</span>'
                else:
                    verdict = '<span class="badge ok">enough free time</span>'
            rows.append(
                f"<tr>{lead}<td>{_e(scenario.party_name(risk.party))}</td><td>{before}</td>"
                f'<td class="num">{free}</td><td class="num">{delay}</td><td>{verdict}</td></tr>'
            )
    parts.append(
        "<table><thead><tr><th>Required meeting</th>"
        f"<th>Held / on time ({_e(best.name)})</th><th>Commonest reasons not held</th>"
        "<th>For</th><th>Just before it in the plan</th><th>Free time between (min)</th>"
        "<th>Its start delay, 1 in 10 (min)</th><th>Verdict</th></tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table>"
    )
    return "\n".join(parts)


# --- parties --------------------------------------------------------------------------------


def _party_section(
    scenario: Scenario, schedule: Schedule, variants: Sequence[_Variant], best: _Variant
) -> str:
    placed = {a.meeting for a in schedule.assignments}
    cards = []
    for party in protocol_order(scenario):
        rows = []
        for v in variants:
            p = v.parties.get(party.id)
            if p is None or p.overrun_p50 is None:
                rows.append(
                    f"<tr><td>{_policy_name(v)}</td>"
                    "<td class='num' colspan='3'>nothing planned</td></tr>"
                )
                continue
            latest = "–" if p.latest_end_minute is None else _when(scenario, p.latest_end_minute)
            rows.append(
                f"<tr><td>{_policy_name(v)}</td>"
                f'<td class="num {_delay_level(p.overrun_p50)}">{_minutes(p.overrun_p50)}</td>'
                f'<td class="num {_delay_level(p.overrun_p90)}">{_minutes(p.overrun_p90)}</td>'
                f'<td class="num">{_e(latest)}</td></tr>'
            )
        meetings = []
        for meeting in scenario.meetings_of(party.id):
            stats = best.meetings.get(meeting.id)
            if meeting.id not in placed:
                status = "not in the plan"
            elif stats is None:
                status = "–"
            else:
                status = (
                    f"held in {_pct(stats.p_held)}, on time in {_pct(stats.p_on_time)} of replays"
                )
            required = " (required)" if meeting.required else ""
            meetings.append(
                f"<li>{_e(scenario.meeting_name(meeting.id))}{required}: {_e(status)}</li>"
            )
        title = f'<br><span class="sub">{_e(party.title)}</span>' if party.title else ""
        if not meetings:
            listing = "<p class='sub'>No meetings requested.</p>"
        elif len(meetings) > MEETINGS_PER_CARD:
            listing = (
                f"<p class='sub'>{len(meetings)} meetings: see "
                '<a href="#meetings">meeting by meeting</a>.</p>'
            )
        else:
            listing = (
                f"<p class='sub'>Meetings ({_e(best.name)} policy):</p><ul>{''.join(meetings)}</ul>"
            )
        cards.append(
            f'<div class="card"><h3>{_e(party.name)}{title}</h3>'
            "<table><thead><tr><th rowspan='2'>Policy</th>"
            "<th colspan='2'>Day ends late by (min)</th>"
            "<th rowspan='2'>Latest finish seen</th></tr>"
            "<tr><th>typical</th><th>1 in 10</th></tr></thead><tbody>"
            + "".join(rows)
            + f"</tbody></table>{listing}</div>"
        )
    return (
        "<h2>Party by party</h2>\n"
        "<p>How much later than planned each party's day ends (its last engagement against "
        "the plan's, on its worst day of each replay): typically, and in 1 replay out of "
        "10; and the latest finish seen in any replay. Meetings asked for on the day "
        "(the scripted what-ifs too) count, so a party with a late addition can end far "
        "past its plan. Principals first, then by rank.</p>\n"
        f'<div class="cards">{"".join(cards)}</div>'
    )


# --- the worst replays ----------------------------------------------------------------------


def _worst_section(
    scenario: Scenario,
    schedule: Schedule,
    variants: Sequence[_Variant],
    timelines: Mapping[str, Any],
) -> str:
    placed = {a.meeting: a for a in schedule.assignments}
    blocks = []
    for v in variants:
        cases = timelines.get(v.label)
        worst = cases.get("worst") if isinstance(cases, Mapping) else None
        if not isinstance(worst, Mapping):
            continue
        lost, late, added = [], [], []
        for m in worst.get("meetings", []):
            meeting_id = str(m.get("meeting", ""))
            if m.get("added"):
                added.append(bool(m.get("held")))
                continue
            name = _e(scenario.meeting_name(meeting_id))
            if meeting_id in scenario.meeting_by_id and scenario.meeting_by_id[meeting_id].required:
                name = f"<b>{name}</b> (required)"
            a = placed.get(meeting_id)
            if not m.get("held"):
                if a is not None:
                    reason = _reason(scenario, str(m.get("reason", "")))
                    lost.append(f"<li>{name}: {_e(reason)}</li>")
                continue
            start = m.get("start_minute")
            if a is not None and isinstance(start, int) and start - a.start > ON_TIME:
                late.append(
                    f"<li>{name}: {start - a.start} min late "
                    f"({_e(format_time_of_day(scenario.to_datetime(start)))} instead of "
                    f"{_e(format_time_of_day(scenario.to_datetime(a.start)))})</li>"
                )
        events = []
        for item in worst.get("late_for_events", []):
            event = scenario.event_by_id.get(str(item.get("event", "")))
            event_name = event.name if event is not None else str(item.get("event", ""))
            who = _e(scenario.party_name(str(item.get("party", ""))))
            if item.get("missed"):
                events.append(f"<li>{who} missed {_e(event_name)}</li>")
            else:
                events.append(
                    f"<li>{who} reached {_e(event_name)} {_e(item.get('minutes'))} min late</li>"
                )
        lines = [
            f"<h3>{_swatch(v)}{_e(v.name)}: replay no. {_e(worst.get('replication', '?'))}</h3>"
        ]
        lines.append(
            f"<p>Planned meetings not held: {len(lost)}</p><ul>{''.join(lost)}</ul>"
            if lost
            else "<p>Every planned meeting was held.</p>"
        )
        if late:
            lines.append(
                f"<p>Started more than {ON_TIME} minutes late:</p><ul>{''.join(late)}</ul>"
            )
        if events:
            lines.append(f"<p>Programme events:</p><ul>{''.join(events)}</ul>")
        if added:
            lines.append(
                f"<p>Meetings asked for on the day: {len(added)}, of which {sum(added)} held.</p>"
            )
        if v.policy == "replan" or worst.get("replans"):
            lines.append(f"<p>Re-plans: {_e(worst.get('replans', 0))}.</p>")
        blocks.append(f'<div class="card">{"".join(lines)}</div>')
    if not blocks:
        return ""
    return (
        "<h2>The worst replay of each policy</h2>\n"
        "<p>The replay that lost the most planned weight (required meetings above all), then "
        "had the most minutes of late starts: what went wrong, in order to prepare for it.</p>\n"
        f'<div class="cards">{"".join(blocks)}</div>'
    )
