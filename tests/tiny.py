"""Tiny scenario documents shared by the planner and simulator tests."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from sim.model import Scenario
from sim.scenario.load import load_scenario_text

DAY = "2025-01-10"


def base_document() -> dict[str, Any]:
    """One morning, 09:00-13:00; venues a and b 30 min apart; host (based at a) and
    three guests; a 10-minute buffer; no meetings yet."""
    return {
        "version": 1,
        "id": "tiny",
        "name": "tiny",
        "timezone": "UTC",
        "days": [{"date": DAY, "start": "09:00", "end": "13:00"}],
        "venues": [{"id": "a", "rooms": 1}, {"id": "b", "rooms": 1}],
        "travel": [{"between": ["a", "b"], "time": "30min"}],
        "parties": [
            {"id": "host", "name": "Host", "rank": "head_of_state", "principal": True, "base": "a"},
            {"id": "g1", "name": "Guest One", "rank": "head_of_state"},
            {"id": "g2", "name": "Guest Two", "rank": "head_of_state"},
            {"id": "g3", "name": "Guest Three", "rank": "head_of_state"},
        ],
        "meetings": [],
        "rules": {"buffer": "10min"},
    }


def meeting(mid: str, *parties: str, duration: str = "1h", **extra: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "parties": list(parties),
        "duration": duration,
        "required": True,
        "venues": ["a"],
        **extra,
    }


def scenario_of(document: dict[str, Any]) -> Scenario:
    return load_scenario_text(yaml.safe_dump(copy.deepcopy(document), sort_keys=False))


def fall_back_night() -> Scenario:
    """New York, the night the clocks go back (2 Nov 2025: 01:00-02:00 happens twice):
    one evening, 20:00 to 04:00; the host meets g1 at the first 01:00 and g2 at 02:00
    winter time, two hours later."""
    document = base_document()
    document["timezone"] = "America/New_York"
    document["days"] = [{"date": "2025-11-01", "start": "20:00", "end": "28:00"}]
    document["meetings"] = [
        meeting("early", "host", "g1", pinned="2025-11-02 01:00"),
        meeting("late", "host", "g2", pinned="2025-11-02 02:00"),
    ]
    return scenario_of(document)
