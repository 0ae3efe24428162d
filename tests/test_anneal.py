"""Annealing the first plan's idle gaps (``sim.solve.anneal``).

Every annealed plan must pass the independent checker whenever the plan it
started from did, count its gaps as the checker does, never be worse than where
it started (fairness first, then the total), and be the same for the same seed.
It moves only meetings whose parties' days are counted on the grain, and the
planner uses it only when ``compact_days`` leads the objectives.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.check import check
from sim.check.objectives import compact_days, fairness_problems
from sim.check.view import plan_view
from sim.model import Scenario
from sim.schedule import SolveStatus
from sim.solve import SolveSettings, solve
from sim.solve.anneal import anneal, annealable, work_for
from sim.solve.cpmodel import SummitModel
from sim.solve.greedy import greedy_schedule
from tests.tiny import DAY, scenario_of


def forum_document(
    slots: int,
    tables: int,
    pairs: list[tuple[int, int]],
    parties: int,
    unavailable: list[tuple[int, int]],
    fairness: int | None,
    order: bool,
) -> dict[str, Any]:
    """A business forum: one day of ``slots`` half-hour slots from 09:00, one hall with
    ``tables`` tables, every meeting one slot and required, no buffer; a party may be
    unavailable for one slot; the first meeting may have to follow the second."""
    end = 9 * 60 + 30 * slots
    people: list[dict[str, Any]] = [
        {"id": f"p{i}", "name": f"Participant {i}", "rank": "other", "principal": True}
        for i in range(parties)
    ]
    for party, slot in unavailable:
        start = 9 * 60 + 30 * (slot % slots)
        people[party % parties]["unavailable"] = [
            {"start": _clock(start), "end": _clock(start + 30)}
        ]
    meetings: list[dict[str, Any]] = []
    for number, (a, b) in enumerate(pairs):
        meetings.append(
            {
                "id": f"m{number}",
                "parties": [f"p{a}", f"p{b}"],
                "duration": "30min",
                "required": True,
                "venues": ["hall"],
            }
        )
    if order and len(meetings) > 1:
        meetings[0]["after"] = [meetings[1]["id"]]
    rules: dict[str, Any] = {"buffer": "0min", "objectives": ["compact_days"]}
    if fairness is not None:
        rules["fairness"] = fairness
    return {
        "version": 1,
        "id": "forum",
        "name": "forum",
        "timezone": "UTC",
        "grain": "30min",
        "days": [{"date": DAY, "start": "09:00", "end": _clock(end)}],
        "venues": [{"id": "hall", "rooms": tables}],
        "parties": people,
        "meetings": meetings,
        "rules": rules,
    }


FORUM = Path(__file__).resolve().parent.parent / "scenarios" / "business-forum.yaml"


def bundled_forum(objectives: list[str] | None = None) -> Scenario:
    """The bundled business forum (40 one-slot meetings, five tables), whose greedy
    plan leaves gaps (9), optionally with other objectives."""
    document = yaml.safe_load(FORUM.read_text())
    if objectives is not None:
        document["rules"]["objectives"] = objectives
    return scenario_of(document)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def forums(draw: st.DrawFn) -> Scenario:
    parties = draw(st.integers(3, 7))
    pair = st.tuples(st.integers(0, parties - 1), st.integers(0, parties - 1)).filter(
        lambda p: p[0] != p[1]
    )
    pairs = draw(st.lists(pair, min_size=2, max_size=14, unique_by=lambda p: tuple(sorted(p))))
    slots = draw(st.integers(6, 12))
    unavailable = draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 11)), max_size=3))
    document = forum_document(
        slots,
        draw(st.integers(1, 3)),
        pairs,
        parties,
        unavailable,
        draw(st.none() | st.integers(0, 2)),
        draw(st.booleans()),
    )
    return scenario_of(document)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=forums(), work=st.integers(0, 3_000), seed=st.integers(0, 3))
def test_an_annealed_plan_keeps_every_rule_and_is_never_worse(
    scenario: Scenario, work: int, seed: int
) -> None:
    start = greedy_schedule(scenario)
    assume(start.status is SolveStatus.FEASIBLE and check(scenario, start).ok)
    summit = SummitModel(scenario)
    result = anneal(summit, start.assignments, work, seed)
    annealed = replace(start, assignments=result.assignments)
    report = check(scenario, annealed)
    assert report.ok, report
    view, before = plan_view(scenario, result.assignments), plan_view(scenario, start.assignments)
    assert result.gaps_after == compact_days(view)
    assert result.gaps_before == compact_days(before)
    # the plan given keeps the rules, fairness among them: so does the result, with
    # no more gaps
    assert result.fairness_excess == 0 and result.gaps_after <= result.gaps_before
    assert {a.meeting for a in result.assignments} == {a.meeting for a in start.assignments}
    if scenario.rules.fairness is not None:
        assert fairness_problems(view) == []
    again = anneal(SummitModel(scenario), start.assignments, work, seed)
    assert again.assignments == result.assignments


def test_annealing_closes_gaps_a_greedy_plan_leaves() -> None:
    # The bundled forum's greedy plan has 9 gaps; its optimum, proven by the
    # planner, is 1.
    scenario = bundled_forum()
    start = greedy_schedule(scenario)
    assert compact_days(plan_view(scenario, start.assignments)) >= 5
    result = anneal(SummitModel(scenario), start.assignments, 200_000, 0)
    assert result.gaps_after <= 2 and result.moved_meetings > 0
    assert compact_days(plan_view(scenario, result.assignments)) == result.gaps_after
    assert check(scenario, replace(start, assignments=result.assignments)).ok


def test_only_meetings_on_days_counted_on_the_grain_move() -> None:
    # With a buffer, the successor arcs count the gaps: nothing is annealed.
    pairs = [(0, 1), (0, 2), (1, 2), (2, 3)]
    document = forum_document(10, 1, pairs, 4, [], None, False)
    document["rules"]["buffer"] = "10min"
    scenario = scenario_of(document)
    start = greedy_schedule(scenario)
    result = anneal(SummitModel(scenario), start.assignments, 5_000, 0)
    assert result.moved_meetings == 0
    assert result.assignments == start.assignments


def test_the_planner_anneals_only_when_gaps_lead() -> None:
    assert annealable(["compact_days"])
    assert annealable(["unheld_weight", "shortening", "compact_days", "preferences"])
    assert not annealable(["unheld_weight", "preferences", "compact_days"])
    assert not annealable(["unheld_weight", "safety"])
    assert work_for(100, 10.0) == 400_000
    assert work_for(1_000, 10.0) == 625_000  # at most about a quarter of the limit


def test_the_planner_says_it_rearranged_the_first_plan() -> None:
    scenario = bundled_forum()
    said: list[str] = []
    result = solve(scenario, SolveSettings(time_limit=10), progress=said.append)
    assert any("rearranged the first plan: 9 idle gaps" in line for line in said), said
    # the end of each tier in plain words, not the tier's id or solver terms
    ended = [
        line
        for line in said
        if re.match(r"idle gaps .*: \d+ \((proven best|best possible \d+)\)$", line)
    ]
    assert ended, said
    assert not any(line.startswith("compact_days") or "bound" in line for line in said), said
    assert check(scenario, result.schedule).ok
    quiet: list[str] = []
    solve(scenario, SolveSettings(time_limit=2, anneal=False), progress=quiet.append)
    assert not any("rearranged" in line for line in quiet)


def test_tiers_after_the_gaps_do_not_stop_the_annealing() -> None:
    # Slack and travel tiers give each principal's day successor arcs; with no buffer
    # and no travel they say nothing the no-overlap does not, and the meetings still
    # move (they once stayed put whenever such a tier was listed).
    scenario = bundled_forum(["compact_days", "travel", "min_slack", "weighted_slack"])
    summit = SummitModel(scenario)
    assert any(pd.arcs for pd in summit.party_days)
    start = greedy_schedule(scenario)
    result = anneal(summit, start.assignments, 200_000, 0)
    assert result.moved_meetings > 0 and result.gaps_after < result.gaps_before
    assert check(scenario, replace(start, assignments=result.assignments)).ok


def test_a_plan_that_breaks_an_order_is_given_back_as_it_is() -> None:
    # m0 must follow m1: a plan with m0 first is not annealed (the annealer keeps
    # rules; it does not repair them).
    pairs = [(0, 1), (0, 2), (1, 2), (2, 3)]
    scenario = scenario_of(forum_document(8, 2, pairs, 4, [], None, True))
    start = greedy_schedule(scenario)
    by_id = {a.meeting: a for a in start.assignments}
    first, second = by_id["m0"], by_id["m1"]
    if first.start > second.start:  # put m0 before m1
        first, second = (
            replace(first, start=second.start, end=second.end),
            replace(second, start=first.start, end=first.end),
        )
    broken = [a for a in start.assignments if a.meeting not in ("m0", "m1")] + [first, second]
    assert first.start < second.start
    result = anneal(SummitModel(scenario), broken, 20_000, 0)
    assert result.moved_meetings == 0
    assert {(a.meeting, a.start) for a in result.assignments} == {
        (a.meeting, a.start) for a in broken
    }


def test_the_annealing_stops_when_asked() -> None:
    scenario = bundled_forum()
    start = greedy_schedule(scenario)
    result = anneal(SummitModel(scenario), start.assignments, 10**9, 0, stop=lambda: True)
    assert result.tries == 256
