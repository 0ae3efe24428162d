"""The disruption model: sampling, the calibrated defaults, seeding and common random numbers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.model import Distribution, DistributionKind, ScriptedEvent, ScriptedKind, Uncertainty
from sim.scenario.load import load_scenario
from sim.simulate.calibrated import CALIBRATED, effective_uncertainty, lognormal, mixture, uniform
from sim.simulate.disruptions import DrawPlan
from sim.simulate.sampling import sample


def _p(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q))


def test_lognormal_by_median_and_p90() -> None:
    values = sample(lognormal(1.1, 1.6), np.random.default_rng(0), 200_000)
    assert abs(_p(values, 50) - 1.1) < 0.01 and abs(_p(values, 90) - 1.6) < 0.02


def test_mixture_shift_and_cap() -> None:
    dist = replace(
        mixture((0.8, Distribution.fixed(0.0)), (0.2, uniform(10, 20))), shift=1.0, cap=15.0
    )
    values = sample(dist, np.random.default_rng(1), 100_000)
    assert abs(float(np.mean(values == 1.0)) - 0.8) < 0.01
    assert values.max() == 15.0 and values.min() == 1.0


def test_every_kind_samples() -> None:
    rng = np.random.default_rng(2)
    normal = Distribution(DistributionKind.NORMAL, (("mean", 5.0), ("sd", 1.0)))
    exponential = Distribution(DistributionKind.EXPONENTIAL, (("mean", 3.0),))
    assert abs(float(sample(normal, rng, 50_000).mean()) - 5.0) < 0.05
    assert abs(float(sample(exponential, rng, 50_000).mean()) - 3.0) < 0.1


def test_calibrated_defaults_match_calibration_md() -> None:
    rng = np.random.default_rng(3)
    routine = sample(CALIBRATED.meeting_duration_factor, rng, 200_000)
    assert 1.05 < _p(routine, 50) < 1.12 and 1.5 < _p(routine, 90) < 1.65
    # ~5 % end early at about half, plus the lognormal's own 1.8 % below 0.6
    assert 0.06 < float(np.mean(routine <= 0.6)) < 0.075
    assert CALIBRATED.headline_duration_factor is not None
    headline = sample(CALIBRATED.headline_duration_factor, rng, 200_000)
    assert 1.4 < _p(headline, 50) < 1.55 and 3.0 < _p(headline, 90) < 3.6
    overrun = sample(CALIBRATED.fixed_event_overrun, rng, 200_000)
    assert abs(_p(overrun, 50) - 15) < 0.5 and abs(_p(overrun, 90) - 60) < 2
    arrival = sample(CALIBRATED.arrival_delay, rng, 200_000)
    assert abs(float(np.mean(np.abs(arrival) <= 15)) - 0.80) < 0.02
    assert abs(float(np.mean(arrival >= 120)) - 0.05) < 0.01
    travel = sample(CALIBRATED.travel_factor, rng, 200_000)
    assert abs(_p(travel, 50) - 1.0) < 0.01 and abs(float(np.mean(travel >= 2.5)) - 0.02) < 0.005
    assert (CALIBRATED.cancellation_probability, CALIBRATED.additions_per_planned) == (0.04, 0.15)
    assert (CALIBRATED.walkout_wait, CALIBRATED.walkout_probability) == (20, 0.5)


def test_which_model_a_simulation_uses() -> None:
    tutorial = load_scenario("scenarios/tutorial.yaml")  # no uncertainty section
    kazan = load_scenario("scenarios/kazan-2024.yaml")  # its own, with what-ifs
    assert effective_uncertainty(tutorial, "auto") == CALIBRATED
    assert effective_uncertainty(tutorial, "scenario") == Uncertainty()
    assert effective_uncertainty(kazan, "auto") == kazan.uncertainty
    assert effective_uncertainty(kazan, "none") == Uncertainty(scripted=kazan.uncertainty.scripted)
    assert effective_uncertainty(kazan, "calibrated").scripted == kazan.uncertainty.scripted
    with pytest.raises(ValueError):
        effective_uncertainty(kazan, "sometimes")


def test_draws_are_reproducible_and_independent_per_kind() -> None:
    kazan = load_scenario("scenarios/kazan-2024.yaml")
    plan = DrawPlan.of(kazan, kazan.uncertainty)
    assert plan.draw(5, 3) == plan.draw(5, 3)
    assert plan.draw(5, 3) != plan.draw(5, 4) != plan.draw(6, 3)
    # Common random numbers: changing one kind of disruption leaves the others' draws.
    other = DrawPlan.of(kazan, replace(kazan.uncertainty, cancellation_probability=0.5))
    a, b = plan.draw(5, 3), other.draw(5, 3)
    assert a.length == b.length and a.travel == b.travel and a.overrun == b.overrun
    assert a.arrival_delay == b.arrival_delay and a.cancel_notice != b.cancel_notice


def test_scripted_what_ifs_replace_the_draw_they_are_about() -> None:
    kazan = load_scenario("scenarios/kazan-2024.yaml")
    what_ifs = (
        *kazan.uncertainty.scripted,
        ScriptedEvent(ScriptedKind.OVERRUN, meeting="putin-xi", minutes=45),
        ScriptedEvent(ScriptedKind.DELAY_ARRIVAL, party="erdogan", minutes=90),
    )
    draws = DrawPlan.of(kazan, replace(kazan.uncertainty, scripted=what_ifs)).draw(0, 0)
    xi = kazan.meeting_by_id["putin-xi"]
    assert draws.length["putin-xi"] == xi.duration + 45
    assert draws.arrival_delay["erdogan"] == 90
    assert "putin-maduro" in draws.length  # the scripted request has its own length


def test_additions_are_same_day_requests_of_a_principal() -> None:
    tutorial = load_scenario("scenarios/tutorial.yaml")
    model = replace(CALIBRATED, additions_per_planned=2.0)
    plan = DrawPlan.of(tutorial, model)
    additions = [a for r in range(20) for a in plan.draw(0, r).additions]
    assert len(additions) > 60  # Poisson, mean 6 per replication
    for addition in additions:
        meeting = addition.meeting
        assert "host" in meeting.parties and not meeting.required
        day = tutorial.day_of(addition.at)
        assert day is not None and meeting.windows[0].end == day.window.end
        assert meeting.windows[0].start >= addition.at
