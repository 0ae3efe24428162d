"""Objectives the scenario chooses, the compact-days tier and the fairness rule.

The planner's gap count (``sim.solve.objectives``) and the checker's
(``sim.check.objectives``) are written separately; here they must agree, on a
day of one-grain meetings (counted on the grain) and on one that is not (counted
on the successor arcs), both with a buffer, at a hand-checked optimum.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.check import check
from sim.check.objectives import compact_days, fairness_problems
from sim.check.view import plan_view
from sim.errors import ScenarioError
from sim.model import DEFAULT_OBJECTIVES
from sim.scenario.load import load_scenario_text
from sim.scenario.write import scenario_to_yaml
from sim.schedule import SolveStatus
from sim.solve import SolveSettings, solve
from sim.solve.cpmodel import SummitModel
from sim.solve.greedy import gaps_of, greedy_schedule
from sim.solve.objectives import TIER_GROUPS, all_tiers, groups_for
from tests.tiny import DAY, base_document, meeting, scenario_of


def host_day(grain: str, end: str, **rules: Any) -> dict[str, Any]:
    """The host meets three guests for 30 min each at venue a (buffer 10 min) and is
    unavailable 10:00-11:00."""
    document = base_document()
    document["grain"] = grain
    document["days"][0]["end"] = end
    document["parties"][0]["unavailable"] = [{"start": "10:00", "end": "11:00"}]
    document["meetings"] = [meeting(f"m{g}", "host", f"g{g}", duration="30min") for g in (1, 2, 3)]
    document["rules"] = {"buffer": "10min", "objectives": ["compact_days"], **rules}
    return document


# Hand check, grain 30 (one-grain meetings): starts 09:00, 09:30, 11:00, 11:30, 12:00,
# 12:30; consecutive meetings start 60 min apart or more (30 + 10 buffer, on the grain)
# and a pause is idle from 10 + 30 = 40 min. No day without a gap: three meetings back
# to back need starts s, s+60, s+120, all free of 10:00-11:00 and ending by 13:00; none
# exist. 09:30, 11:00, 12:00 has one gap (10:00-11:00). Optimum 1.
# Grain 15, the day ending 12:45 (meetings two grains long): before 10:00 only one
# meeting fits (the next would start 09:45 at the earliest and overlap 10:00), three
# after 11:00 would end at 13:00; so one before and two after (11:00, 11:45, a pause of
# 15 min, under 10 + 15): one gap. Optimum 1.
@pytest.mark.parametrize(("grain", "end"), [("30min", "13:00"), ("15min", "12:45")])
def test_planner_and_checker_agree_at_the_optimum(grain: str, end: str) -> None:
    scenario = scenario_of(host_day(grain, end))
    result = solve(scenario, SolveSettings(time_limit=10))
    assert result.schedule.status is SolveStatus.OPTIMAL
    assert check(scenario, result.schedule).ok
    view = plan_view(scenario, result.schedule.assignments)
    planned = {o.name: o.value for o in result.schedule.objectives}
    assert planned == {"compact_days": 1} and compact_days(view) == 1


@pytest.mark.parametrize(("grain", "end"), [("30min", "13:00"), ("15min", "12:45")])
def test_fairness_holds_or_no_schedule(grain: str, end: str) -> None:
    # The guests have one meeting each, no gap: the fewest is 0, and the host needs one.
    strict = scenario_of(host_day(grain, end, fairness=0))
    assert solve(strict, SolveSettings(time_limit=10, explain=False)).status is (
        SolveStatus.INFEASIBLE
    )
    loose = scenario_of(host_day(grain, end, fairness=1))
    result = solve(loose, SolveSettings(time_limit=10))
    assert result.status is SolveStatus.OPTIMAL
    assert fairness_problems(plan_view(loose, result.schedule.assignments)) == []


def test_engagements_far_apart() -> None:
    # Two meetings pinned at 09:00 and 12:30: one gap, 09:30-12:30 (a bound on the free
    # grains once made this plan impossible, as if no day could be that sparse).
    document = host_day("30min", "13:00")
    document["parties"][0]["unavailable"] = []
    document["meetings"] = [
        meeting("m1", "host", "g1", duration="30min", pinned=f"{DAY} 09:00"),
        meeting("m2", "host", "g2", duration="30min", pinned=f"{DAY} 12:30"),
    ]
    scenario = scenario_of(document)
    result = solve(scenario, SolveSettings(time_limit=10))
    assert result.status is SolveStatus.OPTIMAL
    assert {o.name: o.value for o in result.schedule.objectives} == {"compact_days": 1}
    assert compact_days(plan_view(scenario, result.schedule.assignments)) == 1


def test_checker_counts_gaps_and_breaks_of_fairness() -> None:
    scenario = scenario_of(host_day("30min", "13:00", fairness=0))
    start = scenario.days[0].window.start
    from sim.schedule import Assignment

    def at(mid: str, minutes: int) -> Assignment:
        return Assignment(mid, 0, start + minutes, start + minutes + 30, "a")

    # 09:00, 11:00, 12:30: two gaps (09:30-11:00, 11:30-12:30); 11:00 -> 12:00 would
    # be none (a 30-minute pause is under 10 + 30)
    view = plan_view(scenario, [at("m1", 0), at("m2", 120), at("m3", 210)])
    assert compact_days(view) == 2
    assert fairness_problems(view) == [
        "Host has 2 gaps, more than the fewest any party has (0) plus 0"
    ]
    view = plan_view(scenario, [at("m1", 0), at("m2", 120), at("m3", 180)])
    assert compact_days(view) == 1


def test_default_order_and_groups() -> None:
    scenario = scenario_of(base_document())
    assert scenario.rules.objectives == DEFAULT_OBJECTIVES
    tiers = all_tiers(SummitModel(scenario), None)
    assert tuple(t.name for t in tiers) == DEFAULT_OBJECTIVES
    names = [[t.name for t in g] for g in groups_for(tiers)]
    # as TIER_GROUPS: held weight with shortening and preferences, travel with the slacks
    assert names == [
        ["unheld_weight", "shortening", "safety", "preferences"],
        ["travel", "min_slack", "weighted_slack"],
    ]
    assert ("unheld_weight", "displacement", "shortening", "safety", "preferences") in TIER_GROUPS


def test_the_scenario_order_and_its_groups() -> None:
    document = host_day("30min", "13:00")
    document["rules"]["objectives"] = ["travel", "compact_days", "unheld_weight", "preferences"]
    scenario = scenario_of(document)
    tiers = all_tiers(SummitModel(scenario), None)
    assert [t.name for t in tiers] == ["travel", "compact_days", "unheld_weight", "preferences"]
    assert [[t.name for t in g] for g in groups_for(tiers)] == [
        ["travel"],
        ["compact_days"],
        ["unheld_weight", "preferences"],
    ]
    assert load_scenario_text(scenario_to_yaml(scenario)) == scenario


def test_unknown_or_repeated_objectives_are_refused() -> None:
    text = scenario_to_yaml(scenario_of(host_day("30min", "13:00"))).replace(
        "objectives: [compact_days]", "objectives: [compact_day, unheld_weight, unheld_weight]"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "s.yaml")
    first, second = (str(p) for p in caught.value.problems)
    assert "rules.objectives[0]: unknown objective 'compact_day'; did you mean 'compact_days'?" in (
        first
    )
    assert "valid objectives: unheld_weight, shortening, safety, preferences, travel" in first
    assert first.startswith("s.yaml:") and "rules.objectives[2]" in second


def test_the_planner_follows_the_scenarios_order_of_tiers() -> None:
    # travel before held weight: the plan travels no more than any other valid plan,
    # even if it then holds less (the tutorial's host meets at two venues)
    import dataclasses
    from pathlib import Path

    from sim.scenario.load import load_scenario
    from sim.solve import SolveSettings, solve

    tutorial = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.yaml")
    reordered = dataclasses.replace(
        tutorial,
        rules=dataclasses.replace(tutorial.rules, objectives=("travel", "unheld_weight")),
    )
    result = solve(reordered, SolveSettings(time_limit=20))
    assert [t.name for t in result.tiers] == ["travel", "unheld_weight"]
    default = solve(tutorial, SolveSettings(time_limit=20))
    by_name = {t.name: t.value for t in default.tiers}
    assert result.tiers[0].value <= by_name["travel"]
    assert result.tiers[0].optimal


def test_the_greedy_closes_a_gap_when_the_scenario_counts_them() -> None:
    # g2 is busy until 10:00, so the greedy places m2 (the more constrained) at 10:00
    # and then m1 at the earliest, 09:00: a gap for the host at 09:30. Its last pass
    # moves m1 next to m2; a scenario that does not count gaps keeps 09:00.
    document = base_document()
    document["grain"] = "30min"
    document["rules"] = {"buffer": "0min", "objectives": ["compact_days"]}
    document["parties"][2]["unavailable"] = [{"start": "09:00", "end": "10:00"}]
    document["meetings"] = [
        meeting("m1", "host", "g1", duration="30min"),
        meeting("m2", "host", "g2", duration="30min"),
    ]
    counted = scenario_of(document)
    plan = greedy_schedule(counted)
    assert gaps_of(counted, list(plan.assignments))["host"] == 0
    assert check(counted, plan).ok
    document["rules"]["objectives"] = ["unheld_weight"]
    plain = scenario_of(document)
    starts = {a.meeting: a.start for a in greedy_schedule(plain).assignments}
    assert gaps_of(plain, list(greedy_schedule(plain).assignments))["host"] == 1
    assert starts["m1"] == 9 * 60


def test_the_greedy_kicks_a_meeting_aside_for_the_fairness_rule() -> None:
    # g2 can meet only at 10:00, g1 and g3 only before 10:00. Earliest first: m2 at
    # 10:00, m1 at 09:00, m3 at 09:30; the host has a gap (09:30), the others none,
    # and fairness 0 forbids it. No single move closes it (m1's other slot, 09:30, is
    # g1's m3; m3's other, 09:00, is g1's m1): m1 takes 09:30 and m3 moves to 09:00.
    document = base_document()
    document["grain"] = "30min"
    document["rules"] = {"buffer": "0min", "objectives": ["compact_days"], "fairness": 0}
    before_ten = [{"start": "10:00", "end": "13:00"}]
    document["parties"][1]["unavailable"] = before_ten
    document["parties"][2]["unavailable"] = [
        {"start": "09:00", "end": "10:00"},
        {"start": "10:30", "end": "13:00"},
    ]
    document["parties"][3]["unavailable"] = before_ten
    document["parties"][1]["principal"] = True  # m3 is g1's to plan
    document["meetings"] = [
        meeting("m1", "host", "g1", duration="30min"),
        meeting("m2", "host", "g2", duration="30min"),
        meeting("m3", "g1", "g3", duration="30min"),
    ]
    scenario = scenario_of(document)
    plan = greedy_schedule(scenario)
    starts = {a.meeting: a.start for a in plan.assignments}
    assert starts == {"m1": 9 * 60 + 30, "m2": 10 * 60, "m3": 9 * 60}
    assert fairness_problems(plan_view(scenario, list(plan.assignments))) == []
    assert check(scenario, plan).ok
