"""``sim generate``: write a synthetic scenario of a given size, from a seed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.atomic import write_text_atomic
from sim.exit_codes import ExitCode
from sim.scenario.load import load_scenario_text
from sim.synth.summit import DEFAULT_DENSITY, generate_scenario


def run(args: argparse.Namespace) -> int:
    try:
        text = generate_scenario(
            parties=args.parties,
            requests=args.requests,
            days=args.days,
            venues=args.venues,
            principals=args.principals,
            density=args.density,
            seed=args.seed,
        )
    except ValueError as exc:
        print(f"sim generate: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    # A generator bug must not leave an invalid file behind: check before writing.
    load_scenario_text(text, args.output or "<generated>")
    if args.output:
        write_text_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return ExitCode.OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "generate",
        help="write a synthetic scenario of a given size (the same seed gives the same file)",
        description="Write a valid, realistic synthetic scenario: a fixed programme, travel "
        "times, presence windows, weighted requests (a few required, all of those feasible) "
        "and disruption models. The same arguments give the same bytes.",
    )
    parser.add_argument("--parties", type=int, required=True, metavar="N", help="delegations")
    parser.add_argument("--requests", type=int, required=True, metavar="N", help="meetings")
    parser.add_argument("--days", type=int, required=True, metavar="N", help="summit days")
    parser.add_argument("--venues", type=int, required=True, metavar="N", help="venues")
    parser.add_argument(
        "--principals",
        type=int,
        default=1,
        metavar="N",
        help="parties whose meetings are planned, the host first (default 1)",
    )
    parser.add_argument(
        "--density",
        type=float,
        default=DEFAULT_DENSITY,
        metavar="F",
        help="how full the principals' free time would be if every request were held; "
        f"sets the meetings' lengths (default {DEFAULT_DENSITY})",
    )
    parser.add_argument("--seed", type=int, required=True, metavar="S", help="random seed")
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")
    parser.set_defaults(run=run)
