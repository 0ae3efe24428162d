"""Summit bilateral scheduling: plan with CP-SAT, check independently, replay with SimPy."""

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
