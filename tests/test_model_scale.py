"""The planner's model at scale: travel shared per pair of engagements, and still exact.

Travel between two engagements that can each be at several venues is one variable
per pair of meeting nodes (both directions when travel is symmetric), tied to
their venues once, rather than a variable and a constraint per venue on every
arc of every party's circuit (docs/planning.md, "Model size"). These tests hold
the size down and the plans exact: asymmetric travel, bases and multi-venue
meetings against exhaustive search, and every plan through the checker.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.check import check
from sim.schedule import SolveStatus
from sim.solve import SolveSettings, solve
from sim.solve.cpmodel import SummitModel
from sim.synth.summit import generate_scenario_model
from tests.brute_force import brute_force
from tests.tiny import base_document, scenario_of


def test_travel_is_one_variable_per_pair_of_nodes() -> None:
    scenario = generate_scenario_model(
        parties=20, requests=60, days=3, venues=4, principals=2, seed=1
    )
    summit = SummitModel(scenario)
    arcs = [arc for pd in summit.party_days for arc in pd.arcs]
    by_pair = {(id(a.tail), id(a.head)): a for a in arcs if a.tail and a.head}
    shared = 0
    for arc in by_pair.values():
        back = by_pair.get((id(arc.head), id(arc.tail)))
        if back is None or isinstance(arc.travel, int):
            continue
        if len(arc.tail.venues) > 1 and len(arc.head.venues) > 1:  # type: ignore[union-attr]
            assert arc.travel is back.travel  # symmetric travel: one variable both ways
            shared += 1
    assert shared > 1000
    # 7.0 constraints an arc (62,175 for 8,867 arcs) when each arc had its own travel
    # variable (one constraint per venue of its tail, one for "0 when not taken", the
    # gap); 3.5 with one per pair of nodes
    constraints = len(summit.model.proto.constraints)
    assert constraints < 4 * len(arcs), (constraints, len(arcs))


def _three_venues(durations: tuple[str, str, str], base: str | None) -> dict[str, Any]:
    """Venues a, b and c with travel that differs by direction; the host meets two or
    three guests, each meeting at any venue, in a two-hour morning."""
    doc = base_document()
    doc["days"][0]["end"] = "11:00"
    doc["venues"] = [{"id": v, "rooms": 1} for v in ("a", "b", "c")]
    doc["travel"] = [
        {"from": "a", "to": "b", "time": "5min"},
        {"from": "b", "to": "a", "time": "40min"},
        {"from": "a", "to": "c", "time": "20min"},
        {"from": "c", "to": "a", "time": "10min"},
        {"from": "b", "to": "c", "time": "15min"},
        {"from": "c", "to": "b", "time": "35min"},
    ]
    doc["parties"][0]["base"] = base
    if base is None:
        del doc["parties"][0]["base"]
    doc["meetings"] = [
        {
            "id": f"m{index}",
            "parties": ["host", guest],
            "duration": duration,
            "required": False,
            "weight": 3 - index,
            "venues": ["a", "b", "c"],
        }
        for index, (guest, duration) in enumerate(zip(("g1", "g2", "g3"), durations, strict=True))
        if duration
    ]
    return doc


@pytest.mark.parametrize(
    ("durations", "base"),
    [
        (("45min", "45min", ""), "a"),
        (("30min", "45min", ""), "b"),
        (("30min", "30min", "30min"), None),
        (("30min", "30min", "15min"), "c"),
    ],
)
def test_asymmetric_travel_matches_exhaustive_search(
    durations: tuple[str, str, str], base: str | None
) -> None:
    scenario = scenario_of(_three_venues(durations, base))
    result = solve(scenario, SolveSettings(time_limit=20))
    assert result.schedule.status is SolveStatus.OPTIMAL
    assert check(scenario, result.schedule).ok
    best = brute_force(scenario)
    assert best is not None
    assert tuple(o.value for o in result.schedule.objectives) == tuple(best)


def test_generated_summit_with_travel_passes_the_checker() -> None:
    scenario = generate_scenario_model(
        parties=12, requests=30, days=2, venues=3, principals=1, seed=3
    )
    # every venue choice and travel of four parties' circuits, read by the checker
    settings = SolveSettings(time_limit=1, tiers=("unheld_weight", "travel", "min_slack"))
    result = solve(scenario, settings)
    assert result.schedule.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    report = check(scenario, result.schedule)
    assert report.ok, [str(v) for v in report.violations]
