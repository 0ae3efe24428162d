"""Properties of the planner over generated scenarios.

* Every schedule it returns passes the independent checker; or it says
  infeasible, and the requirements it names really are infeasible together
  (solved again with only those requirements switched on).
* On tiny instances its objective vector equals exhaustive search.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.check import check
from sim.model import Scenario
from sim.schedule import SolveStatus
from sim.solve import SolveSettings, solve
from sim.solve.explain import infeasible_together
from sim.testing import scenarios
from tests.brute_force import brute_force
from tests.tiny import DAY, base_document, scenario_of

PROPERTY_SETTINGS = SolveSettings(time_limit=5.0)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_parties=5, max_meetings=5, max_days=2))
def test_schedule_passes_checker_or_infeasibility_is_real(scenario: Scenario) -> None:
    result = solve(scenario, PROPERTY_SETTINGS)
    schedule = result.schedule
    if schedule.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        report = check(scenario, schedule)
        assert report.ok, [str(v) for v in report.violations]
        # The checker recomputes the objectives the solver reports.
        recomputed = report.objectives.as_dict()
        for objective in schedule.objectives:
            assert recomputed[objective.name] == objective.value, objective.name
    elif schedule.status is SolveStatus.INFEASIBLE:
        explanation = result.explanation
        assert explanation is not None
        names = [name for name, _ in explanation.requirements]
        if names:
            assert infeasible_together(scenario, names) is not False, names


def _tiny(draw: Any) -> Scenario:
    """A two-hour morning, venues a and b 30 minutes apart, up to three meetings."""
    doc = base_document()
    doc["days"][0]["end"] = "11:00"
    count = draw(st.integers(1, 3))
    meetings = []
    for index in range(count):
        guest = draw(st.sampled_from(["g1", "g2", "g3"]))
        meetings.append(
            {
                "id": f"m{index}",
                "parties": ["host", guest],
                "duration": draw(st.sampled_from(["30min", "45min", "1h"])),
                "required": draw(st.booleans()),
                "weight": draw(st.integers(0, 5)),
                "venues": draw(st.sampled_from([["a"], ["b"], ["a", "b"]])),
            }
        )
        if draw(st.booleans()):
            meetings[-1]["preferred"] = [{"start": "09:00", "end": "10:00"}]
    doc["meetings"] = meetings
    if draw(st.booleans()):
        doc["fixed_events"] = [
            {
                "id": "photo",
                "name": "Photo",
                "start": f"{DAY} 10:00",
                "duration": "15min",
                "venue": draw(st.sampled_from(["a", "b"])),
                "attendees": ["host"],
            }
        ]
    if draw(st.booleans()):
        doc["rules"]["precedence"] = {"mode": "rank"}
        doc["parties"][2]["rank"] = "head_of_government"
    return scenario_of(doc)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_objectives_equal_exhaustive_search(data: st.DataObject) -> None:
    scenario = _tiny(data.draw)
    result = solve(scenario, SolveSettings(time_limit=10))
    best = brute_force(scenario)
    if best is None:
        assert result.schedule.status is SolveStatus.INFEASIBLE
        return
    assert result.schedule.status is SolveStatus.OPTIMAL
    assert tuple(o.value for o in result.schedule.objectives) == tuple(best)
