"""``sim generate``: write a synthetic scenario of a given size, from a seed."""

from __future__ import annotations

import argparse
import sys

from sim.atomic import write_text_atomic
from sim.budget import default_memory_limit, generate_estimate, over_budget
from sim.commands import SUMMARIES
from sim.commands.console import add_budget_flags, say, seed, usable_output_file
from sim.exit_codes import ExitCode
from sim.scenario.load import load_scenario_text
from sim.synth.draft import Size
from sim.synth.summit import DEFAULT_DENSITY, generate_scenario

# the generator itself has no upper bound on parties (10**8 of them did not end);
# a thousand take about two seconds
MAX_PARTIES = 1000
# the largest summit the generator makes takes some 15 s: say so from 5 s on
SAY_ESTIMATE_FROM = 5.0


def run(args: argparse.Namespace) -> int:
    output = usable_output_file(args.output) if args.output else None
    if args.parties > MAX_PARTIES:
        say(
            f"sim generate: --parties: parties must be 2..{MAX_PARTIES}, got {args.parties}",
            error=True,
        )
        return ExitCode.USAGE
    try:  # the generator's own bounds first: they name the option's range
        Size(args.parties, args.requests, args.days, args.venues, args.principals, args.density)
    except ValueError as exc:
        say(f"sim generate: {exc}", error=True)
        return ExitCode.USAGE
    guess = generate_estimate(
        parties=args.parties, requests=args.requests, days=args.days, venues=args.venues
    )
    what = f"a summit of {args.parties} parties and {args.requests} requests"
    refusal = over_budget(
        guess, args.max_seconds, args.memory_limit or default_memory_limit(), what
    )
    if refusal is not None:
        say(f"sim generate: {refusal}", error=True)
        return ExitCode.USAGE
    if guess.seconds >= SAY_ESTIMATE_FROM:
        say(f"estimate: {what} takes {guess.words()}", error=True)
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
        say(f"sim generate: {exc}", error=True)
        return ExitCode.USAGE
    # A generator bug must not leave an invalid file behind: check before writing.
    load_scenario_text(text, args.output or "<generated>")
    if output is not None:
        write_text_atomic(output, text)
    else:
        sys.stdout.write(text)
    return ExitCode.OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "generate",
        help=SUMMARIES["generate"],
        description="Write a valid, realistic synthetic scenario: a fixed programme, travel "
        "times, presence windows, weighted requests (a few required, all of those feasible) "
        "and disruption models. The same arguments give the same bytes.",
    )
    # the sizes' ranges are the generator's (it names them); parties alone has no top there
    parser.add_argument(
        "--parties", type=int, required=True, metavar="N", help=f"delegations, 2 to {MAX_PARTIES}"
    )
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
    parser.add_argument(
        "--seed", type=seed, required=True, metavar="S", help="random seed, 0 to 2**31-1"
    )
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")
    add_budget_flags(parser)
    parser.set_defaults(run=run)
