"""``sim validate SCENARIO``: check a scenario file and report every problem."""

from __future__ import annotations

import argparse

from sim.scenario import load_scenario


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    principals = ", ".join(p.id for p in scenario.principals)
    print(
        f"{args.scenario}: valid: {len(scenario.days)} days, {len(scenario.venues)} venues, "
        f"{len(scenario.parties)} parties (principals: {principals}), "
        f"{len(scenario.fixed_events)} fixed events, {len(scenario.meetings)} meeting requests "
        f"({sum(m.required for m in scenario.meetings)} required)"
    )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "validate", help="check a scenario file and report every problem with its line"
    )
    parser.add_argument("scenario", help="the scenario YAML file")
    parser.set_defaults(run=run)
