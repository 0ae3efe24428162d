"""Properties every replay keeps, over generated summits, seeds and policies.

The summits come from ``sim.testing.scenarios`` (valid by construction, with
drawn distributions and scripted what-ifs); the plans from the greedy baseline
planner, accepted only when the independent checker finds them valid.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from sim.check import check
from sim.model import Scenario, Uncertainty
from sim.scenario.load import load_scenario_text
from sim.schedule import Schedule
from sim.simulate.calibrated import effective_uncertainty
from sim.simulate.disruptions import DrawPlan, Draws
from sim.simulate.outcome import Outcome, SpanKind
from sim.simulate.policies import POLICY_NAMES, make_policy
from sim.simulate.replay import Replay
from sim.simulate.state import Stage
from sim.solve.greedy import greedy_schedule
from sim.synth.summit import generate_scenario
from sim.testing import generated_scenario_yaml, scenarios
from tests.replay_helpers import checked_planner

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _planned(scenario: Scenario) -> Schedule:
    schedule = greedy_schedule(scenario)
    assume(check(scenario, schedule).ok)
    return schedule


def _replay(scenario: Scenario, schedule: Schedule, draws: Draws, policy: str) -> Outcome:
    chosen = make_policy(policy, checked_planner)
    return Replay(Stage.of(scenario, schedule), draws, chosen, record=True, trace=True).run()


def assert_invariants(
    scenario: Scenario, schedule: Schedule, draws: Draws, outcome: Outcome
) -> None:
    # Time never runs backwards.
    times = [t for t, _, _ in outcome.trace]
    assert times == sorted(times)
    # Every meeting ends held (with times and a venue) or not held with a reason.
    requests = {e.request.id: e.request for e in draws.scripted if e.request is not None}
    requests.update({a.meeting.id: a.meeting for a in draws.additions})
    meetings = {**scenario.meeting_by_id, **requests}
    results = {r.meeting: r for r in outcome.meetings}
    assert set(scenario.meeting_by_id) <= set(results) <= set(meetings)
    planned = {a.meeting: a.end - a.start for a in schedule.assignments}
    for result in outcome.meetings:
        if result.held:
            assert result.start is not None and result.end is not None and result.venue
            assert result.end > result.start and result.reason == ""
            meeting = meetings[result.meeting]
            length = draws.length.get(result.meeting, meeting.duration)
            if planned.get(result.meeting, meeting.duration) < meeting.duration:
                # planned shorter: the drawn overrun applies to the planned length
                length = max(1, length - meeting.duration + planned[result.meeting])
            assert result.end - result.start == max(1, length - result.cut)
            assert result.cut == 0 or result.end - result.start >= meeting.min_duration
        else:
            assert result.reason and result.start is None
    # No party in two places: its spans never overlap.
    spans = defaultdict(list)
    for span in outcome.timeline:
        assert span.end > span.start
        spans[span.party].append(span)
    for own in spans.values():
        own.sort(key=lambda s: (s.start, s.end))
        for before, after in itertools.pairwise(own):
            assert after.start >= before.end, (before, after)
    # A meeting is held only with all its parties there, for all of it.
    for result in outcome.meetings:
        if not result.held:
            continue
        for party in meetings[result.meeting].parties:
            assert any(
                s.kind is SpanKind.MEETING
                and s.ident == result.meeting
                and (s.start, s.end, s.venue) == (result.start, result.end, result.venue)
                for s in spans[party]
            ), (party, result)
    # Rides take the nominal time times the drawn factor, from where the party was.
    for party_id, own in spans.items():
        base = scenario.party_by_id[party_id].base
        for index, span in enumerate(own):
            if span.kind is not SpanKind.TRAVEL:
                continue
            origin = own[index - 1].venue if index else base
            assert origin is not None
            nominal = scenario.travel_time(origin, span.venue)
            factor = draws.travel_factor(party_id, span.ident)
            assert span.end - span.start == round(nominal * factor)
    # Nobody is anywhere before landing.
    arrival = {p.id: p.presence.start + draws.arrival_delay.get(p.id, 0) for p in scenario.parties}
    for party_id, own in spans.items():
        assert own[0].start >= arrival[party_id]
    # Never earlier than planned (protocol), except what a re-plan moved.
    if outcome.policy != "replan":
        plan = {a.meeting: a for a in schedule.assignments}
        for result in outcome.meetings:
            if result.held and result.meeting in plan:
                assert result.start is not None and result.start >= plan[result.meeting].start
    # Rooms: never more meetings at once at a venue than it has rooms.
    for venue in scenario.venues:
        held = [r for r in outcome.meetings if r.held and r.venue == venue.id]
        for r in held:
            assert r.start is not None
            running = sum(
                1
                for o in held
                if o.start is not None and o.end is not None and o.start <= r.start < o.end
            )
            assert running <= venue.rooms


@pytest.mark.slow
@SETTINGS
@given(
    scenario=scenarios(max_parties=5, max_meetings=6, max_events=3),
    seed=st.integers(0, 2**32 - 1),
    calibrated=st.booleans(),
)
def test_replays_keep_the_invariants(scenario: Scenario, seed: int, calibrated: bool) -> None:
    schedule = _planned(scenario)
    model = effective_uncertainty(scenario, "calibrated" if calibrated else "scenario")
    draws = DrawPlan.of(scenario, model).draw(seed, 0)
    for policy in POLICY_NAMES:
        assert_invariants(scenario, schedule, draws, _replay(scenario, schedule, draws, policy))


@pytest.mark.slow
@SETTINGS
@given(scenario=scenarios(max_parties=5, max_meetings=6, max_events=3))
def test_without_disruption_the_replay_is_the_plan(scenario: Scenario) -> None:
    schedule = _planned(scenario)
    draws = DrawPlan.of(scenario, Uncertainty()).draw(0, 0)
    plan = {a.meeting: a for a in schedule.assignments}
    for policy in POLICY_NAMES:
        outcome = _replay(scenario, schedule, draws, policy)
        for result in outcome.meetings:
            planned = plan.get(result.meeting)
            if planned is None:
                assert not result.held and result.reason == "not in the schedule"
            else:
                assert (result.held, result.start, result.end, result.venue) == (
                    True,
                    planned.start,
                    planned.end,
                    planned.venue,
                ), (policy, result)
        assert outcome.replans == 0 and outcome.primary_delay == 0


@pytest.mark.parametrize("path", ["scenarios/tutorial.yaml", "scenarios/kazan-2024.yaml"])
def test_bundled_scenarios_replay_their_plan_without_disruption(path: str) -> None:
    from sim.scenario.load import load_scenario

    scenario = load_scenario(path)
    schedule = greedy_schedule(scenario)
    assert check(scenario, schedule).ok
    draws = DrawPlan.of(scenario, Uncertainty()).draw(0, 0)
    outcome = _replay(scenario, schedule, draws, "as-planned")
    held = {r.meeting: (r.start, r.end, r.venue) for r in outcome.meetings if r.held}
    assert held == {a.meeting: (a.start, a.end, a.venue) for a in schedule.assignments}
    assert outcome.late == ()


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(text=generated_scenario_yaml(max_parties=8, max_requests=15), seed=st.integers(0, 999))
@example(  # a party without a base lands late; its first meeting moves before it sits down
    text=generate_scenario(parties=2, requests=9, days=1, venues=4, density=0.7, seed=3555),
    seed=1,
)
def test_generated_summits_keep_the_invariants(text: str, seed: int) -> None:
    scenario = load_scenario_text(text)
    schedule = _planned(scenario)
    draws = DrawPlan.of(scenario, effective_uncertainty(scenario, "calibrated")).draw(seed, 0)
    for policy in POLICY_NAMES:
        assert_invariants(scenario, schedule, draws, _replay(scenario, schedule, draws, policy))
