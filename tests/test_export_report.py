"""The robustness report: made from the result files alone, offline, escaped,
deterministic, and in the scenario's names."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sim.export.report import robustness_report_html
from sim.export.simulation import write_results
from sim.model import Scenario
from sim.scenario.load import load_scenario
from sim.schedule import Schedule
from sim.simulate.monte_carlo import simulate
from sim.solve import SolveSettings, solve

TUTORIAL = Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.yaml"
POLICIES = ("as-planned", "shorten")
EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def run(tmp_path_factory: Any) -> tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]]:
    """A small tutorial run, read back from the files ``write_results`` wrote."""
    scenario = load_scenario(TUTORIAL)
    schedule = solve(scenario, SolveSettings(time_limit=10)).schedule
    result = simulate(scenario, schedule, runs=20, seed=3, policies=POLICIES)
    out = tmp_path_factory.mktemp("simulation")
    write_results(out, result, scenario)
    simulation = json.loads((out / "simulation.json").read_text())
    timelines = json.loads((out / "timelines.json").read_text())
    return scenario, schedule, simulation, timelines


@pytest.fixture(scope="module")
def page(run: tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]]) -> str:
    return robustness_report_html(*run)


def text_of(page: str) -> str:
    """The page without its scripts (plotly.js and the chart data)."""
    return re.sub(r"<script\b.*?</script>", "", page, flags=re.DOTALL)


def test_title_and_summary(
    run: tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]], page: str
) -> None:
    scenario, _, simulation, _ = run
    assert f"<title>How well the plan holds up: {scenario.name}</title>" in page
    body = text_of(page)
    assert "20 simulated replays" in body and "random seed 3" in body
    shorten = next(v for v in simulation["variants"] if v["policy"] == "shorten")
    share = f"{round(100 * shorten['p_all_required_held'])}%"
    assert (
        f"With the <b>shorten</b> policy, every required meeting was held in <b>{share}</b> "
        "of 20 replays" in body
    )
    assert f"<b>{shorten['held_weight']['mean']:.1f}</b> weight points were held" in body


def test_names_and_policies_are_on_the_page(
    run: tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]], page: str
) -> None:
    scenario = run[0]
    body = text_of(page)
    for meeting in scenario.meetings:
        for party in meeting.parties:
            assert scenario.party_by_id[party].name in body, (meeting.id, party)
    for party in scenario.parties:
        assert party.name in body
    for policy in POLICIES:
        assert f"<b>{policy}</b>" in body
    # Names, not ids, label the meetings.
    assert "host-ana" not in body


def test_offline_with_plotly_inlined_once(page: str) -> None:
    assert 'src="http' not in page and "src='http" not in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link[^>]*\bhref=", page)
    assert page.count("* plotly.js v") == 1
    assert page.count("window.PlotlyConfig") == 1
    assert page.count("Plotly.newPlot(") == 2  # held and delay charts
    assert 'id="report-chart-held"' in page and 'id="report-chart-delay"' in page


def test_same_input_same_bytes(
    run: tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]], page: str
) -> None:
    assert robustness_report_html(*run) == page
    scenario, schedule, simulation, timelines = run
    again = simulate(scenario, schedule, runs=20, seed=3, policies=POLICIES)
    # The same run again, through the same files, gives the same page.
    from sim.export.simulation import result_to_dict

    data = result_to_dict(again, scenario)
    data.pop("timing")
    assert json.loads(json.dumps(data)) == simulation
    assert robustness_report_html(scenario, schedule, simulation, timelines) == page


def test_names_from_the_scenario_are_escaped(
    run: tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]],
) -> None:
    scenario, schedule, simulation, timelines = run
    renamed = replace(
        scenario,
        name=f"Summit {EVIL}",
        parties=tuple(
            replace(p, name=EVIL, title="<b>title</b>") if p.id == "ana" else p
            for p in scenario.parties
        ),
        meetings=tuple(
            replace(m, title='<img src=x onerror="alert(2)">') if m.id == "host-ben" else m
            for m in scenario.meetings
        ),
    )
    page = robustness_report_html(renamed, schedule, simulation, timelines)
    assert EVIL not in page
    assert "<img src=x" not in page and "<b>title</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text_of(page)
    # In the charts' labels and hover texts too: escaped before plotly writes its JSON
    # (which spells "<" as \u003c and "/" as \u002f).
    scripts = "".join(re.findall(r"<script\b.*?</script>", page, flags=re.DOTALL)[1:])
    assert "&lt;script&gt;alert(1)&lt;" in scripts
    assert "\\u003cscript\\u003ealert" not in scripts
    assert "&lt;img src=x" in scripts and "\\u003cimg" not in scripts


def test_without_timelines_and_with_a_replan_variant(
    run: tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]],
) -> None:
    scenario, schedule, simulation, _ = run
    with_replan = copy.deepcopy(simulation)
    replan = copy.deepcopy(with_replan["variants"][1])
    replan.update(label="replan", policy="replan", replans=2.5, replan_failures=3)
    with_replan["variants"].append(replan)
    page = robustness_report_html(scenario, schedule, with_replan)
    body = text_of(page)
    assert "The worst replay" not in body
    assert "<b>replan</b>" in body and "2.5" in body and "3 found no plan" in body
    assert page.count("* plotly.js v") == 1


def test_worst_replays_from_the_timelines(page: str) -> None:
    body = text_of(page)
    assert "The worst replay of each policy" in body
    assert "replay no." in body


def test_no_replays_is_said_plainly(
    run: tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]],
) -> None:
    scenario, schedule, simulation, _ = run
    empty = {**simulation, "variants": [], "differences": []}
    page = robustness_report_html(scenario, schedule, empty)
    assert "The results hold no replays." in page
    assert "plotly.js" not in page


def _intervals(table: dict[tuple[str, str, str], tuple[float, float]]) -> Any:
    both = {**table, **{(b, a, m): (-hi, -lo) for (a, b, m), (lo, hi) in table.items()}}
    return lambda a, b, metric: both.get((a, b, metric))


def test_a_policy_worse_on_late_starts_and_better_on_nothing_is_not_the_best() -> None:
    # kazan, 20 replays (the fifth robustness sweep): replan leads shorten on the
    # averages by 1.1 weight points within chance, and is significantly worse on late
    # starts and changes; it was called the most robust.
    from sim.simulate.metrics import beats, clearly_best

    replan_minus_shorten = _intervals(
        {
            ("replan", "shorten", "all_required"): (0.0, 0.0),
            ("replan", "shorten", "held_weight"): (-0.3, 2.5),
            ("replan", "shorten", "knock_on_delay"): (2.0, 84.0),
            ("replan", "shorten", "changes"): (0.5, 1.9),
        }
    )
    assert beats(replan_minus_shorten, "shorten", "replan")
    assert not beats(replan_minus_shorten, "replan", "shorten")
    assert clearly_best(["replan", "shorten"], replan_minus_shorten) == "shorten"
    # a difference within chance on every measure singles out nobody
    tie = _intervals({("a", "b", m): (-1.0, 1.0) for m in ("all_required", "held_weight")})
    assert clearly_best(["a", "b"], tie) is None
    # the first measure that tells them apart decides: a required meeting before weight
    first = _intervals(
        {("a", "b", "all_required"): (0.05, 0.3), ("a", "b", "held_weight"): (-9.0, -2.0)}
    )
    assert clearly_best(["a", "b"], first) == "a"
    # one policy, or no interval (a single replay): nothing to single out
    assert clearly_best(["a"], first) is None
    assert clearly_best(["a", "b"], lambda a, b, m: None) is None


def test_the_headline_names_a_policy_only_when_the_replays_single_it_out(
    run: tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]],
) -> None:
    scenario, schedule, simulation, timelines = run

    def page_with(intervals: dict[str, tuple[float, float]]) -> str:
        edited = copy.deepcopy(simulation)
        for d in edited["differences"]:
            low, high = intervals[d["metric"]]
            d["difference"] = {"mean": (low + high) / 2, "low": low, "high": high}
        return text_of(robustness_report_html(scenario, schedule, edited, timelines))

    a, b = (d for d in (simulation["differences"][0]["a"], simulation["differences"][0]["b"]))
    none = page_with(
        {m: (-1.0, 1.0) for m in ("all_required", "held_weight", "knock_on_delay", "changes")}
    )
    assert "No policy is clearly better on these 20 replays" in none
    assert "(most robust)" not in none and "The most robust policy" not in none
    # a minus b significantly worse on late starts, nothing before it: b is the best
    late = page_with(
        {
            "all_required": (0.0, 0.0),
            "held_weight": (-1.0, 2.0),
            "knock_on_delay": (5.0, 40.0),
            "changes": (-1.0, 1.0),
        }
    )
    assert f"The most robust policy is {b}." in late
    assert f"<b>{b}</b> (most robust)" in late and f"<b>{a}</b> (most robust)" not in late


def test_an_early_start_reads_early_not_as_a_negative_late_start(
    run: tuple[Scenario, Schedule, dict[str, Any], dict[str, Any]],
) -> None:
    # A re-plan may move a meeting earlier: "Late start -15 / -15" read as nonsense.
    scenario, schedule, simulation, timelines = run
    edited = copy.deepcopy(simulation)
    variant = edited["variants"][0]
    row = next(m for m in variant["meetings"] if m["delay_p50"] is not None)
    row["delay_p50"], row["delay_p90"] = -15.0, -15.0
    variant["parties"][0]["overrun_p50"] = -2.0
    page = robustness_report_html(scenario, schedule, edited, timelines)
    body = text_of(page)
    assert "15 early / 15 early" in body and "-15" not in body
    assert ">2 early</td>" in body
    assert "starts 15 min early typically" in page
