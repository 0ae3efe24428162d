"""Summit bilateral scheduling: plan with CP-SAT, check independently, replay with SimPy.

The names below load on first use (PEP 562): ``sim`` on the command line starts
without loading the scenario reader, pydantic or OR-Tools until a command needs
them, and a Ctrl-C while it starts meets the command's own handler.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.errors import InputError, Problem, ScenarioError, ScheduleFileError
    from sim.model import Scenario
    from sim.scenario.load import load_scenario, load_scenario_text

__all__ = [
    "InputError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "ScheduleFileError",
    "load_scenario",
    "load_scenario_text",
]
__version__ = "0.1.0"

_HOMES = {
    "InputError": "sim.errors",
    "Problem": "sim.errors",
    "ScenarioError": "sim.errors",
    "ScheduleFileError": "sim.errors",
    "Scenario": "sim.model",
    "load_scenario": "sim.scenario.load",
    "load_scenario_text": "sim.scenario.load",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
