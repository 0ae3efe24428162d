"""Monte Carlo: the same results whoever runs the replications, and the metrics."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from sim.export.simulation import write_results
from sim.model import Scenario
from sim.scenario.load import load_scenario
from sim.schedule import Schedule
from sim.simulate.executors import DaskCluster, LocalProcesses, Serial
from sim.simulate.metrics import SimulationResult, mean_interval, t_975
from sim.simulate.monte_carlo import batches_of, simulate
from sim.solve.greedy import greedy_schedule
from tests.replay_helpers import keep_or_fit_planner, schedule_of
from tests.tiny import base_document, meeting, scenario_of

POLICIES = ("as-planned", "shorten", "drop", "replan")


Case = tuple[Scenario, Schedule]


@pytest.fixture(scope="module")
def tutorial() -> Case:
    scenario = load_scenario("scenarios/tutorial.yaml")
    return scenario, greedy_schedule(scenario)


def _simulate(tutorial: Case, **options: Any) -> SimulationResult:
    scenario, schedule = tutorial
    return simulate(
        scenario,
        schedule,
        runs=24,
        seed=7,
        policies=POLICIES,
        planner=keep_or_fit_planner,
        **options,
    )


def test_one_or_two_workers_give_the_same_result(tutorial: Case) -> None:
    alone = _simulate(tutorial, workers=1, executor=Serial())
    pair = _simulate(tutorial, workers=2, executor=LocalProcesses(2))
    assert alone == pair
    # The batches differ with the worker count; the result does not.
    assert batches_of(24, 1) != batches_of(24, 2)


def test_a_dask_cluster_gives_the_same_result(tutorial: Case) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = _simulate(tutorial, workers=2, executor=DaskCluster(client))
    assert remote == _simulate(tutorial, workers=1)


def test_identical_schedules_meet_identical_disruptions(tutorial: Case) -> None:
    scenario, schedule = tutorial
    result = simulate(
        scenario,
        {"one": schedule, "two": schedule},
        runs=16,
        policies=("as-planned",),
        timelines=False,
    )
    assert [v.label for v in result.variants] == ["one/as-planned", "two/as-planned"]
    for difference in result.differences:
        assert (
            difference.difference.mean,
            difference.difference.low,
            difference.difference.high,
        ) == (0.0, 0.0, 0.0)


def test_results_are_written_deterministically(tutorial: Case, tmp_path: Path) -> None:
    scenario = tutorial[0]
    result = _simulate(tutorial)
    first = write_results(tmp_path / "a", result, scenario)
    write_results(tmp_path / "b", _simulate(tutorial), scenario)
    names = sorted(p.name for p in first)
    assert names == [
        "differences.csv",
        "meetings.csv",
        "parties.csv",
        "simulation.json",
        "timelines.json",
        "timing.json",
        "variants.csv",
    ]
    for name in names:
        if name != "timing.json":  # wall-clock re-planning times
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    data = json.loads((tmp_path / "a" / "simulation.json").read_text())
    assert [v["policy"] for v in data["variants"]] == list(POLICIES)
    timelines = json.loads((tmp_path / "a" / "timelines.json").read_text())
    assert set(timelines) == set(POLICIES)
    assert set(timelines["as-planned"]) == {"median", "worst"}
    assert timelines["as-planned"]["worst"]["timeline"]


def test_metrics_of_a_hand_made_summit() -> None:
    # No randomness, one what-if: m1 (09:00-10:00) runs 20 minutes long, every time. m2
    # (10:10-11:10) starts 10 minutes late: still "on time" (within 10 minutes), not a
    # change; the host's and g2's days end 10 minutes late.
    doc = base_document()
    doc["meetings"] = [
        meeting("m1", "host", "g1"),
        meeting("m2", "host", "g2", required=False, weight=3),
    ]
    doc["uncertainty"] = {"scripted": [{"event": "overrun", "meeting": "m1", "by": "20min"}]}
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    result = simulate(
        scenario, schedule, runs=3, policies=("as-planned",), disruptions="none", timelines=False
    )
    stats = result.variants[0]
    assert stats.p_all_required == 1.0 and stats.held_weight.mean == 4
    assert stats.changes == 0 and stats.knock_on == 10 and stats.primary == 20
    assert stats.delay_multiplier == 0.5
    assert [(m.meeting, m.p_held, m.p_on_time, m.delay_p50) for m in stats.meetings] == [
        ("m1", 1.0, 1.0, 0.0),
        ("m2", 1.0, 1.0, 10.0),
    ]
    assert {p.party: (p.overrun_p90, p.latest_end) for p in stats.parties} == {
        "host": (10.0, 680),
        "g1": (20.0, 620),
        "g2": (10.0, 680),
        "g3": (None, None),
    }


def test_student_t_and_confidence_intervals() -> None:
    assert t_975(1) == 12.706 and t_975(30) == 2.042
    assert abs(t_975(120) - 1.980) < 0.001 and abs(t_975(10_000) - 1.960) < 0.001
    interval = mean_interval([1.0, 2.0, 3.0, 4.0])
    assert interval.mean == 2.5
    # sd = sqrt(5/3), so the standard error is sqrt(5/3) / 2 = sqrt(5/12)
    assert math.isclose(interval.high - interval.mean, 3.182 * math.sqrt(5 / 12), rel_tol=1e-9)
    assert math.isnan(mean_interval([5.0]).low)


def test_bad_arguments_are_refused(tutorial: Case) -> None:
    scenario, schedule = tutorial
    with pytest.raises(ValueError, match="needs a planner"):
        simulate(scenario, schedule, policies=("replan",))
    with pytest.raises(ValueError, match="Unknown policy 'wait'"):
        simulate(scenario, schedule, policies=("wait",))
