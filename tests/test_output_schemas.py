"""The JSON Schemas of schedule.json and simulation.json: the committed copies in
docs/ are what the code returns, and real outputs validate against them."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sim.export.json_schemas import (
    CHANGE_KINDS,
    DISRUPTION_MODELS,
    PAIRED_METRICS,
    POLICIES,
    SOLVE_STATUSES,
    schedule_json_schema,
    schema_text,
    simulation_json_schema,
)
from sim.export.simulation import write_results
from sim.model import Scenario
from sim.scenario.load import load_scenario
from sim.schedule import Change, ChangeKind, Schedule, SolveStatus, schedule_to_json
from sim.simulate import metrics
from sim.simulate.calibrated import Disruptions
from sim.simulate.monte_carlo import simulate
from sim.simulate.policies import POLICY_NAMES
from sim.solve import SolveSettings, solve

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
DOCS = ROOT / "docs"

SCHEDULE_VALIDATOR = jsonschema.Draft202012Validator(schedule_json_schema())
SIMULATION_VALIDATOR = jsonschema.Draft202012Validator(simulation_json_schema())


def errors(validator: Any, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def solved(name: str, time_limit: float = 10.0) -> tuple[Scenario, Schedule]:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    return scenario, solve(scenario, SolveSettings(time_limit=time_limit)).schedule


@pytest.fixture(scope="module")
def tutorial() -> tuple[Scenario, Schedule]:
    return solved("tutorial")


@pytest.fixture(scope="module")
def simulation_json(tutorial: tuple[Scenario, Schedule], tmp_path_factory: Any) -> Any:
    scenario, schedule = tutorial
    result = simulate(scenario, schedule, runs=20, seed=0, policies=("as-planned", "shorten"))
    out = tmp_path_factory.mktemp("simulation")
    write_results(out, result, scenario)
    return json.loads((out / "simulation.json").read_text())


# --- the committed files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "schema"),
    [
        ("schedule.schema.json", schedule_json_schema),
        ("simulation.schema.json", simulation_json_schema),
    ],
)
def test_committed_schema_is_what_the_code_returns(file: str, schema: Any) -> None:
    committed = (DOCS / file).read_text(encoding="utf-8")
    assert committed == schema_text(schema()), (
        f"docs/{file} is out of date; regenerate it: python -c 'from sim.export.json_schemas "
        f"import *; import sys; sys.stdout.write(schema_text({schema.__name__}()))' > docs/{file}"
    )
    assert committed == json.dumps(json.loads(committed), indent=2, sort_keys=True) + "\n"


CONDITIONS = ("if", "then", "else", "allOf")  # cross-field rules, not fields


@pytest.mark.parametrize("schema", [schedule_json_schema, simulation_json_schema])
def test_schemas_are_valid_draft_2020_12_and_documented(schema: Any) -> None:
    document = schema()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "properties" in node:
                for key, child in node["properties"].items():
                    assert child.get("title") and child.get("description"), f"{where}.{key}"
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, where
            for key, child in node.items():
                if key not in CONDITIONS:
                    walk(child, f"{where}.{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{where}[{index}]")

    walk(document, "$")


def test_enums_match_the_code() -> None:
    assert list(SOLVE_STATUSES) == [s.value for s in SolveStatus]
    assert list(CHANGE_KINDS) == [k.value for k in ChangeKind]
    assert tuple(POLICIES) == POLICY_NAMES
    assert list(DISRUPTION_MODELS) == [d.value for d in Disruptions]
    assert tuple(PAIRED_METRICS) == metrics.PAIRED_METRICS


# --- schedule.json -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [("tutorial", "optimal"), ("oversubscribed", "optimal"), ("infeasible", "infeasible")],
)
def test_bundled_schedules_validate(name: str, status: str) -> None:
    scenario, schedule = solved(name)
    document = json.loads(schedule_to_json(schedule, scenario))
    assert errors(SCHEDULE_VALIDATOR, document) == []
    assert document["status"] == status
    if status == "infeasible":
        assert not any(m["scheduled"] for m in document["meetings"])
        assert document["notes"], "the conflict is named"


@pytest.mark.slow
def test_kazan_schedule_validates() -> None:
    scenario, schedule = solved("kazan-2024")
    assert errors(SCHEDULE_VALIDATOR, json.loads(schedule_to_json(schedule, scenario))) == []


def test_replanned_schedule_with_changes_validates(tutorial: tuple[Scenario, Schedule]) -> None:
    scenario, schedule = tutorial
    optional = next(
        a for a in schedule.assignments if not scenario.meeting_by_id[a.meeting].required
    )
    # Published without one optional meeting: the re-plan adds it back (a change).
    published = replace(
        schedule, assignments=tuple(a for a in schedule.assignments if a is not optional)
    )
    replanned = solve(scenario, SolveSettings(time_limit=10), previous=published).schedule
    assert [c.kind for c in replanned.changes] == [ChangeKind.ADDED]
    # And one of each kind, by hand.
    first, second = schedule.assignments[:2]
    by_hand = replace(
        schedule,
        changes=(
            Change(first.meeting, ChangeKind.MOVED, replace(first, start=first.start - 30), first),
            Change(second.meeting, ChangeKind.DROPPED, second, None),
            *replanned.changes,
        ),
    )
    for plan in (replanned, by_hand):
        for text in (schedule_to_json(plan, scenario), schedule_to_json(plan)):
            assert errors(SCHEDULE_VALIDATOR, json.loads(text)) == []


def test_schedule_without_its_scenario_validates(tutorial: tuple[Scenario, Schedule]) -> None:
    document = json.loads(schedule_to_json(tutorial[1]))
    assert "itineraries" not in document
    assert errors(SCHEDULE_VALIDATOR, document) == []


def test_broken_schedules_are_rejected(tutorial: tuple[Scenario, Schedule]) -> None:
    scenario, schedule = tutorial
    good = json.loads(schedule_to_json(schedule, scenario))

    def broken(change: Any) -> Any:
        document = copy.deepcopy(good)
        change(document)
        return document

    cases = {
        "missing status": lambda d: d.pop("status"),
        "wrong status": lambda d: d.update(status="done"),
        "missing start_minute": lambda d: d["meetings"][0].pop("start_minute"),
        "unknown key": lambda d: d["solver"].update(threads=4),
        "room 0": lambda d: d["meetings"][0].update(room=0),
        "format 2": lambda d: d.update(format=2),
        "bad sha256": lambda d: d["scenario"].update(sha256="xyz"),
        "itineraries without the scenario's name": lambda d: d["scenario"].pop("name"),
        "unscheduled with a venue": lambda d: d["meetings"][0].update(scheduled=False),
        "dropped without its before": lambda d: d["changes"].append(
            {"meeting": "m", "kind": "dropped", "before": None, "after": None}
        ),
    }
    for what, change in cases.items():
        assert errors(SCHEDULE_VALIDATOR, broken(change)), what


# --- simulation.json ---------------------------------------------------------------------


def test_simulation_json_validates(simulation_json: Any) -> None:
    assert errors(SIMULATION_VALIDATOR, simulation_json) == []
    assert [v["policy"] for v in simulation_json["variants"]] == ["as-planned", "shorten"]


def test_broken_simulation_json_is_rejected(simulation_json: Any) -> None:
    def broken(change: Any) -> Any:
        document = copy.deepcopy(simulation_json)
        change(document)
        return document

    cases = {
        "missing runs": lambda d: d.pop("runs"),
        "missing p_held": lambda d: d["variants"][0]["meetings"][0].pop("p_held"),
        "wrong policy": lambda d: d["variants"][0].update(policy="panic"),
        "wrong disruptions": lambda d: d.update(disruptions="some"),
        "probability above 1": lambda d: d["variants"][0].update(p_all_required_held=1.5),
        "timing kept": lambda d: d.update(timing={}),
        "unknown metric": lambda d: d["differences"][0].update(metric="joy"),
        "no variants": lambda d: d.update(variants=[]),
    }
    for what, change in cases.items():
        assert errors(SIMULATION_VALIDATOR, broken(change)), what
