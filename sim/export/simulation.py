"""The results of a simulation, for people (rich tables) and for programs (JSON, CSV).

``write_results(directory, result, scenario)`` writes, each file atomically:

* ``simulation.json``: everything (settings, per-variant metrics, per-meeting and
  per-party metrics, paired differences, timings apart);
* ``variants.csv``, ``meetings.csv``, ``parties.csv``, ``differences.csv``: the
  same numbers as flat tables;
* ``timelines.json``: the realised timelines of the median and the worst
  replication of each variant, for Gantt exports.

The JSON files are deterministic for a given scenario, schedules and seed
(sorted keys; the re-planning times, which are wall-clock, live only under
``timing``).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

from rich.table import Table

from sim.atomic import write_text_atomic
from sim.model import Scenario
from sim.simulate.metrics import WRITTEN_DIGITS, Interval95, SimulationResult, VariantStats
from sim.simulate.outcome import outcome_to_dict
from sim.times import format_moment_with_weekday

FORMAT = 1


def _number(value: float | None, digits: int = WRITTEN_DIGITS) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def _interval(value: Interval95) -> dict[str, float | None]:
    return {"mean": _number(value.mean), "low": _number(value.low), "high": _number(value.high)}


def clock(scenario: Scenario, minute: int | None) -> str:
    if minute is None:
        return "-"
    return format_moment_with_weekday(scenario.to_datetime(minute))


def result_to_dict(result: SimulationResult, scenario: Scenario) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "scenario": {"id": scenario.id, "name": scenario.name, "timezone": scenario.timezone},
        "runs": result.runs,
        "seed": result.seed,
        "disruptions": result.disruptions,
        "variants": [_variant_dict(v, scenario) for v in result.variants],
        "differences": [
            {
                "a": d.a,
                "b": d.b,
                "metric": d.metric,
                "runs": d.runs,
                "difference": _interval(d.difference),
            }
            for d in result.differences
        ],
        "timing": {
            v.label: {"replan_seconds_p50": _number(v.replan_seconds_p50, 4)}
            for v in result.variants
        },
    }


def _variant_dict(v: VariantStats, scenario: Scenario) -> dict[str, Any]:
    return {
        "label": v.label,
        "schedule": v.schedule,
        "policy": v.policy,
        "runs": v.runs,
        "p_all_required_held": _number(v.p_all_required),
        "held_weight": _interval(v.held_weight),
        "lost_planned_weight": _number(v.lost_weight),
        "changes": _number(v.changes),
        "knock_on_delay_minutes": _number(v.knock_on),
        "primary_delay_minutes": _number(v.primary),
        "delay_multiplier": _number(v.delay_multiplier),
        "requests_on_the_day": _number(v.requests),
        "requests_held": _number(v.requests_held),
        "late_for_events": _number(v.late_events),
        "minutes_cut": _number(v.cut),
        "p_principal_missed_event": _number(v.p_principal_missed_event),
        "principal_event_late_minutes": _number(v.principal_event_late_minutes),
        "replans": _number(v.replans),
        "replan_failures": v.replan_failures,
        "chosen_replications": dict(v.chosen),
        "meetings": [
            {
                "meeting": m.meeting,
                "planned": m.planned,
                "p_held": _number(m.p_held),
                "p_on_time": _number(m.p_on_time),
                "delay_p50": m.delay_p50,
                "delay_p90": m.delay_p90,
                "not_held_because": [{"reason": r, "share": _number(s)} for r, s in m.reasons],
            }
            for m in v.meetings
        ],
        "parties": [
            {
                "party": p.party,
                "overrun_p50": p.overrun_p50,
                "overrun_p90": p.overrun_p90,
                "p_missed_event": _number(p.p_missed_event),
                "event_late_minutes": _number(p.event_late_minutes),
                "latest_end_minute": p.latest_end,
                "latest_end": scenario.to_datetime(p.latest_end).isoformat()
                if p.latest_end is not None
                else None,
            }
            for p in v.parties
        ],
    }


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def write_results(directory: Path, result: SimulationResult, scenario: Scenario) -> list[Path]:
    """Write the result files into ``directory``; the paths written."""
    data = result_to_dict(result, scenario)
    # Wall-clock timings differ from run to run: they go to their own file, so that
    # simulation.json is byte-identical for the same inputs and seed.
    timing = data.pop("timing")
    files: dict[str, str] = {
        "simulation.json": json.dumps(data, indent=2, sort_keys=True) + "\n",
        "timing.json": json.dumps(timing, indent=2, sort_keys=True) + "\n",
        "variants.csv": _csv(
            [
                {
                    k: (v["mean"] if isinstance(v, dict) and "mean" in v else v)
                    for k, v in variant.items()
                    if k not in ("meetings", "parties", "chosen_replications")
                }
                for variant in data["variants"]
            ]
        ),
        "meetings.csv": _csv(
            [
                {
                    "variant": variant["label"],
                    **{k: v for k, v in m.items() if k != "not_held_because"},
                    "top_reason": m["not_held_because"][0]["reason"]
                    if m["not_held_because"]
                    else "",
                }
                for variant in data["variants"]
                for m in variant["meetings"]
            ]
        ),
        "parties.csv": _csv(
            [
                {"variant": variant["label"], **p}
                for variant in data["variants"]
                for p in variant["parties"]
            ]
        ),
        "differences.csv": _csv(
            [
                {
                    "a": d["a"],
                    "b": d["b"],
                    "metric": d["metric"],
                    "runs": d["runs"],
                    "mean": d["difference"]["mean"],
                    "low": d["difference"]["low"],
                    "high": d["difference"]["high"],
                }
                for d in data["differences"]
            ]
        ),
        "timelines.json": json.dumps(
            {
                label: {which: outcome_to_dict(o) for which, o in chosen.items()}
                for label, chosen in result.timelines.items()
            },
            indent=2,
            sort_keys=True,
        )
        + "\n",
    }
    paths = []
    for name, text in files.items():
        path = directory / name
        write_text_atomic(path, text)
        paths.append(path)
    return paths


# --- tables ----------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _ci(value: Interval95, digits: int = 1) -> str:
    """The mean and the half-width of its (symmetric) 95 % confidence interval."""
    if math.isnan(value.low):
        return f"{value.mean:.{digits}f}"
    return f"{value.mean:.{digits}f} ± {value.high - value.mean:.{digits}f}"


def result_tables(result: SimulationResult, scenario: Scenario) -> list[Table]:
    variants = result.variants
    summary = Table(
        title=f"{scenario.name}: {result.runs} replications per variant "
        f"(seed {result.seed}, disruptions: {result.disruptions})"
    )
    for column in (
        "variant",
        "P(all req.)",
        "held weight",
        "changes",
        "late min",
        "delay x",
        "requests held",
        "re-plans",
    ):
        summary.add_column(column, justify="left" if column == "variant" else "right")
    for v in variants:
        summary.add_row(
            v.label,
            _pct(v.p_all_required),
            _ci(v.held_weight),
            f"{v.changes:.1f}",
            f"{v.knock_on:.0f}",
            "-" if v.delay_multiplier is None else f"{v.delay_multiplier:.2f}",
            f"{v.requests_held:.1f}/{v.requests:.1f}",
            f"{v.replans:.1f}" + (f" ({v.replan_failures} failed)" if v.replan_failures else ""),
        )
    meetings = Table(
        title="Meetings: P(held) / P(within 10 min of plan) / start delay P50-P90 (min)"
    )
    meetings.add_column("meeting")
    for v in variants:
        meetings.add_column(v.label, justify="right")
    for index, meeting in enumerate(scenario.meetings):
        cells = []
        for v in variants:
            m = v.meetings[index]
            if not m.planned and m.p_held == 0:
                cells.append("not planned")
                continue
            delay = "-" if m.delay_p50 is None else f"{m.delay_p50:.0f}-{m.delay_p90:.0f}"
            cells.append(f"{_pct(m.p_held)} / {_pct(m.p_on_time)} / {delay}")
        meetings.add_row(
            scenario.meeting_name(meeting.id) + (" *" if meeting.required else ""), *cells
        )
    parties = Table(
        title="Parties: the day's overrun P50 / P90 (min), the latest end in any replay"
    )
    parties.add_column("party")
    for v in variants:
        parties.add_column(v.label, justify="right")
    for index, party in enumerate(scenario.parties):
        row = []
        for v in variants:
            p = v.parties[index]
            if p.overrun_p50 is None:
                row.append("-")
                continue
            latest = clock(scenario, p.latest_end)[4:]  # (the weekday left out: "22 Oct 23:29")
            row.append(f"{p.overrun_p50:.0f} / {p.overrun_p90:.0f}, {latest}")
        parties.add_row(party.name, *row)
    tables = [summary, meetings, parties]
    if result.differences:
        diffs = Table(title="Paired differences, a - b on the same replications (± 95% CI)")
        for column in ("a - b", "held weight", "P(all required)", "late starts (min)", "changes"):
            diffs.add_column(column, justify="left" if column == "a - b" else "right")
        pairs: dict[tuple[str, str], dict[str, Interval95]] = {}
        for d in result.differences:
            pairs.setdefault((d.a, d.b), {})[d.metric] = d.difference
        for (a, b), metrics in pairs.items():
            diffs.add_row(
                f"{a} - {b}",
                _ci(metrics["held_weight"]),
                _ci(metrics["all_required"], 2),
                _ci(metrics["knock_on_delay"], 0),
                _ci(metrics["changes"]),
            )
        tables.append(diffs)
    return tables
