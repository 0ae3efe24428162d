"""``sim validate SCENARIO``: check a scenario file and report every problem."""

from __future__ import annotations

import argparse

from sim.commands import SUMMARIES
from sim.commands.plain import add_output_flags, count, print_json, say
from sim.exit_codes import ExitCode
from sim.scenario.load import load_scenario


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    principals = ", ".join(p.id for p in scenario.principals)

    required = sum(m.required for m in scenario.meetings)
    if args.json:
        print_json(
            {
                "ok": True,
                "file": args.scenario,
                "id": scenario.id,
                "days": len(scenario.days),
                "venues": len(scenario.venues),
                "parties": len(scenario.parties),
                "principals": [p.id for p in scenario.principals],
                "fixed_events": len(scenario.fixed_events),
                "meetings": len(scenario.meetings),
                "required": required,
            }
        )
        return ExitCode.OK
    say(
        f"{args.scenario}: valid: {count(len(scenario.days), 'day')}, "
        f"{count(len(scenario.venues), 'venue')}, "
        f"{count(len(scenario.parties), 'party', 'parties')} (principals: {principals}), "
        f"{count(len(scenario.fixed_events), 'fixed event')}, "
        f"{count(len(scenario.meetings), 'meeting request')} ({required} required)"
    )
    return ExitCode.OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("validate", help=SUMMARIES["validate"])
    parser.add_argument("scenario", help="the scenario YAML file")
    add_output_flags(parser)
    parser.set_defaults(run=run)
