"""Scenario files: read safely, check the shape, build the frozen model, write back.

``safe_yaml`` (text -> located plain values) -> ``document`` (pydantic models of
the format, also its JSON Schema) -> ``load`` (shape errors as ``file:line``) ->
``build`` and ``build_uncertainty`` (meaning, cross-checks, the frozen
``Scenario``); ``write`` turns a ``Scenario`` back into YAML.
"""

from sim.scenario.load import load_scenario, load_scenario_text

__all__ = ["load_scenario", "load_scenario_text"]
