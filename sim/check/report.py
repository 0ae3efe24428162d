"""What the independent checker finds: broken rules, preferences given up, objectives.

Plain records only; ``sim.check`` fills them and ``sim check`` prints them. Every
finding names the rule (the ids of docs/planning-rules.md) and the meetings and
parties involved, so a test or a person can act on it without parsing the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Problems with the schedule file itself (not a rule of planning-rules.md): unknown
# or repeated meeting ids, a meeting both held and not, a day index that
# contradicts the start.
STRUCTURE = "structure"

OBJECTIVE_NAMES = (
    "unheld_weight",
    "shortening",
    "safety",
    "preferences",
    "travel",
    "min_slack",
    "weighted_slack",
)


@dataclass(frozen=True)
class Violation:
    """A broken hard rule."""

    rule: str
    meetings: tuple[str, ...]
    parties: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class GivenUp:
    """A soft preference the schedule gives up, and what it costs in its tier.

    ``kind`` is ``unheld`` (tier ``unheld_weight``, costing the meeting's weight),
    ``shortened`` (tier ``shortening``, costing the minutes cut below the nominal
    duration), ``short_reserve`` (tier ``safety``, costing the minutes an important
    meeting's overrun reserve falls short), or ``preferred``, ``precedence`` or
    ``late_end`` (tier ``preferences``, in points).
    """

    kind: str
    meetings: tuple[str, ...]
    parties: tuple[str, ...]
    cost: int
    message: str

    @property
    def tier(self) -> str:
        return _TIER_OF_KIND.get(self.kind, "preferences")

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


_TIER_OF_KIND = {"unheld": "unheld_weight", "shortened": "shortening", "short_reserve": "safety"}


@dataclass(frozen=True)
class Objectives:
    """The seven tiers of planning-rules.md, each minimised, in the default lexicographic
    order; and ``compact_days`` (docs/planning-rules.md, "Compact days"), recomputed
    only when the scenario's ``rules.objectives`` lists it."""

    unheld_weight: int
    shortening: int
    safety: int
    preferences: int
    travel: int
    min_slack: int
    weighted_slack: int
    compact_days: int | None = None

    def as_tuple(self) -> tuple[int, int, int, int, int, int, int]:
        return (
            self.unheld_weight,
            self.shortening,
            self.safety,
            self.preferences,
            self.travel,
            self.min_slack,
            self.weighted_slack,
        )

    def as_dict(self) -> dict[str, int]:
        values = dict(zip(OBJECTIVE_NAMES, self.as_tuple(), strict=True))
        if self.compact_days is not None:
            values["compact_days"] = self.compact_days
        return values


@dataclass(frozen=True)
class CheckReport:
    violations: tuple[Violation, ...]
    given_up: tuple[GivenUp, ...]
    objectives: Objectives
    warnings: tuple[str, ...] = ()
    # The tiers the scenario minimises, most important first (its rules.objectives);
    # the others are recomputed and shown all the same.
    tiers: tuple[str, ...] = OBJECTIVE_NAMES

    @property
    def ok(self) -> bool:
        """No hard rule is broken (warnings do not count)."""
        return not self.violations

    def rules_broken(self) -> set[str]:
        return {v.rule for v in self.violations}


def report_to_dict(report: CheckReport) -> dict[str, Any]:
    """A JSON-ready form of the report (for ``sim check --json``)."""
    return {
        "ok": report.ok,
        "violations": [
            {
                "rule": v.rule,
                "meetings": list(v.meetings),
                "parties": list(v.parties),
                "message": v.message,
            }
            for v in report.violations
        ],
        "given_up": [
            {
                "kind": g.kind,
                "tier": g.tier,
                "cost": g.cost,
                "meetings": list(g.meetings),
                "parties": list(g.parties),
                "message": g.message,
            }
            for g in report.given_up
        ],
        "objectives": report.objectives.as_dict(),
        "tiers": list(report.tiers),
        "warnings": list(report.warnings),
    }
