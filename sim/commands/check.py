"""``sim check SCENARIO SCHEDULE``: judge a schedule by docs/planning-rules.md.

Prints every broken hard rule and every soft preference given up (what happened in
names, the meetings' and parties' ids beside it) and the objective values recomputed
from the schedule, in plain words (``--json``: the identifiers). Exit 0 (OK) when no hard rule is
broken, 5 (RULES_BROKEN) otherwise; 1 (INVALID_INPUT) for a malformed scenario or
schedule, 2 (USAGE) for a missing one.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from sim.check import CheckReport, check, report_to_dict
from sim.commands import SUMMARIES
from sim.commands.console import PlainConsole, plain_text
from sim.commands.plain import objective_in_words
from sim.exit_codes import ExitCode
from sim.scenario.load import load_scenario
from sim.schedule import read_schedule


def findings_table(title: str, rows: Sequence[tuple[str, ...]], columns: tuple[str, ...]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        # Text, not markup: ids and messages are the scenario's words, shown as written.
        table.add_row(*(plain_text(cell) for cell in row))
    return table


# A table longer than this is cut (rich takes minutes over a hundred thousand rows, and
# no one reads them); --json lists every finding.
ROWS_SHOWN = 200


def print_findings(
    console: Console, title: str, rows: Sequence[tuple[str, ...]], columns: tuple[str, ...]
) -> None:
    console.print(findings_table(f"{title}: {len(rows):,}", rows[:ROWS_SHOWN], columns))
    if len(rows) > ROWS_SHOWN:
        console.print(plain_text(f"... and {len(rows) - ROWS_SHOWN:,} more; --json lists them all"))


# The report's kinds and tiers in a protocol officer's words (--json keeps the
# identifiers, which docs/planning-rules.md defines).
GIVEN_UP_WORDS = {
    "unheld": "optional meeting not held",
    "shortened": "meeting shortened",
    "short_reserve": "overrun reserve short",
    "preferred": "outside its preferred time",
    "precedence": "order of precedence",
    "late_end": "late end",
}
# What a preference given up costs, by its tier (the only tiers such findings carry:
# sim.check.report.GivenUp)
COST_WORDS = {
    "unheld_weight": "weight of optional meetings left out",
    "shortening": "minutes cut from meetings",
    "safety": "minutes of overrun reserve missing",
    "preferences": "protocol preference points given up",
}


def print_report(console: Console, report: CheckReport) -> None:
    for warning in report.warnings:
        console.print(plain_text(f"warning: {warning}"))
    if report.violations:
        rows = [
            (v.rule, ", ".join(v.meetings), ", ".join(v.parties), v.message)
            for v in report.violations
        ]
        print_findings(console, "Hard rules broken", rows, ("rule", "meetings", "parties", "what"))
    if report.given_up:
        rows = [
            (
                GIVEN_UP_WORDS.get(g.kind, g.kind),
                ", ".join(g.meetings),
                f"{g.cost} ({COST_WORDS.get(g.tier, g.tier)})",
                g.message,
            )
            for g in report.given_up
        ]
        print_findings(console, "Preferences given up", rows, ("kind", "meetings", "cost", "what"))
    objectives = Table(
        title="What the plan achieves (recomputed from its meetings; most important first)"
    )
    for column in ("rank", "objective"):
        objectives.add_column(column)
    values = report.objectives.as_dict()
    # the scenario's tiers in its order, then any other recomputed value, unranked ("-")
    ranked = [name for name in report.tiers if name in values]
    for name in [*ranked, *(n for n in values if n not in ranked)]:
        rank = str(ranked.index(name) + 1) if name in ranked else "-"
        objectives.add_row(rank, objective_in_words(name, values[name]))
    console.print(objectives)
    verdict = (
        "valid: no hard rule is broken"
        if report.ok
        else "not valid: the plan breaks the hard rules listed above"
    )
    console.print(plain_text(verdict, style="bold"))


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    schedule = read_schedule(args.schedule)
    report = check(scenario, schedule)
    if args.json:
        print(json.dumps(report_to_dict(report), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print_report(PlainConsole(), report)
    return ExitCode.OK if report.ok else ExitCode.RULES_BROKEN


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check",
        help=SUMMARIES["check"],
        description=(
            "Independently check SCHEDULE (a schedule.json) against SCENARIO: every broken "
            "hard rule and every soft preference given up, by name with the ids beside it, "
            "and the objective tiers "
            "recomputed. Exit 0 when no hard rule is broken, 5 otherwise; 1 for a malformed "
            "scenario or schedule, 2 for a missing one."
        ),
    )
    parser.add_argument("scenario", metavar="SCENARIO", help="the scenario YAML file")
    parser.add_argument("schedule", metavar="SCHEDULE", help="the schedule.json to check")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=run)
