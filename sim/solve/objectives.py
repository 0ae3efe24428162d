"""The lexicographic objective tiers, as CP-SAT expressions (all minimised).

The definitions are those of docs/planning-rules.md; the independent checker
recomputes the same numbers from a finished schedule. Soft terms get
descriptive variable names (OR-Tools' shift_scheduling example) so a report
can say which preference was given up.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from sim.schedule import Schedule
from sim.solve.candidates import starts_inside
from sim.solve.cpmodel import (
    PREFERENCE_POINTS,
    SLACK_AFTER_CAP,
    SLACK_CAP,
    SummitModel,
)


@dataclass(frozen=True)
class Tier:
    """A tier's expression and the range it can take (``low <= value <= high``), which
    lets several tiers be solved at once as one weighted sum without losing the order."""

    name: str
    expression: cp_model.LinearExprT
    description: str
    low: int
    high: int


DROP_FACTOR = 2  # a dropped published meeting costs (1 + DROP_FACTOR) x a moved one


def change_cost(summit: SummitModel, meeting_id: str) -> int:
    """What moving or dropping a published meeting costs: its weight, and more than all
    optional weight together for a required meeting (those are kept first)."""
    meeting = summit.scenario.meeting_by_id[meeting_id]
    if meeting.required:
        return 1 + sum(m.weight for m in summit.scenario.meetings if not m.required)
    return max(meeting.weight, 1)


def changes_tier(summit: SummitModel, previous: Schedule) -> Tier:
    model = summit.model
    terms = []
    high = 0
    for assignment in previous.assignments:
        if assignment.meeting not in summit.alts:
            continue
        kept = model.new_bool_var(f"kept[{assignment.meeting}]")
        option = next(
            (
                o
                for o in summit.alts[assignment.meeting]
                if o.alt.day == assignment.day
                and o.alt.venue == assignment.venue
                and assignment.start in o.starts
            ),
            None,
        )
        if option is None:
            model.add(kept == 0)  # the published slot is no longer possible
        else:
            model.add_implication(kept, option.present)
            model.add(option.start == assignment.start).only_enforce_if(kept)
        # A move costs the meeting's weight; a drop costs three times as much, so the
        # plan never drops a meeting to spare moving one or two others.
        cost = change_cost(summit, assignment.meeting)
        terms.append(cost * (1 - kept) + DROP_FACTOR * cost * (1 - summit.held[assignment.meeting]))
        high += (1 + DROP_FACTOR) * cost
    return Tier(
        "changes",
        sum(terms),
        "weighted changes against the published schedule (moved or dropped meetings)",
        0,
        high,
    )


def displacement_tier(summit: SummitModel, previous: Schedule) -> Tier:
    """Minutes that published meetings move (held both before and after): among
    schedules with equally few changes, the one that moves meetings least."""
    model = summit.model
    span = summit.scenario.days[-1].window.end - summit.scenario.days[0].window.start
    terms = []
    for assignment in previous.assignments:
        if assignment.meeting not in summit.start:
            continue
        moved = model.new_int_var(0, span, f"moved[{assignment.meeting}]")
        start = summit.start[assignment.meeting]
        held = summit.held[assignment.meeting]
        model.add(moved >= start - assignment.start).only_enforce_if(held)
        model.add(moved >= assignment.start - start).only_enforce_if(held)
        terms.append(moved)
    return Tier(
        "displacement",
        sum(terms),
        "minutes published meetings move",
        0,
        span * len(terms),
    )


def unheld_tier(summit: SummitModel) -> Tier:
    optional = [m for m in summit.scenario.meetings if not m.required]
    terms = [m.weight * (1 - summit.held[m.id]) for m in optional]
    return Tier(
        "unheld_weight",
        sum(terms),
        "total weight of optional meetings not held",
        0,
        sum(m.weight for m in optional),
    )


def preferences_tier(summit: SummitModel) -> Tier:
    scenario, model = summit.scenario, summit.model
    terms: list[cp_model.LinearExprT] = []
    grain = scenario.grain
    high = 0
    for meeting in scenario.meetings:
        if meeting.preferred:
            high += PREFERENCE_POINTS
        latest = 0
        for option in summit.alts[meeting.id]:
            if meeting.preferred:
                grid = option.starts
                inside = sorted(
                    s // grain for s in starts_inside(grid, meeting.duration, meeting.preferred)
                )
                in_preferred = model.new_bool_var(
                    f"preferred[{meeting.id}@{option.alt.day}/{option.alt.venue}]"
                )
                model.add_implication(in_preferred, option.present)
                if inside:
                    model.add_linear_expression_in_domain(
                        option.units, cp_model.Domain.from_values(inside)
                    ).only_enforce_if(in_preferred)
                else:
                    model.add(in_preferred == 0)
                terms.append(PREFERENCE_POINTS * (option.present - in_preferred))
            if scenario.rules.prefer_end_by is not None:
                day = scenario.days[option.alt.day]
                limit = scenario.at_clock(day, scenario.rules.prefer_end_by)
                latest_end = option.starts[-1] + meeting.duration
                if latest_end > limit:
                    late = model.new_int_var(
                        0,
                        (latest_end - limit) // grain + 1,
                        f"late[{meeting.id}@{option.alt.day}/{option.alt.venue}]",
                    )
                    # late >= (end - limit) / grain when present: end and limit are on the grain
                    model.add(late * grain >= option.end - limit).only_enforce_if(option.present)
                    terms.append(late)
                    latest = max(latest, (latest_end - limit) // grain + 1)
        high += latest
    if not scenario.rules.precedence.hard:
        for principal, a, b, day_index in summit.precedence_pairs():
            inverted = model.new_bool_var(f"precedence[{principal},{a.id}<{b.id},{day_index}]")
            model.add(summit.start[a.id] <= summit.start[b.id]).only_enforce_if(
                [
                    summit.held_on[(a.id, day_index)],
                    summit.held_on[(b.id, day_index)],
                    inverted.Not(),
                ]
            )
            terms.append(PREFERENCE_POINTS * inverted)
            high += PREFERENCE_POINTS
    return Tier(
        "preferences",
        sum(terms),
        "protocol preferences given up: preferred windows, order of precedence, late ends",
        0,
        high,
    )


def travel_tier(summit: SummitModel) -> Tier:
    terms = [
        arc.travel * arc.literal
        for pd in summit.party_days
        if pd.party.principal
        for arc in pd.arcs
        if arc.travel
    ]
    high = sum(
        (len(pd.nodes) + 1) * max((arc.travel for arc in pd.arcs), default=0)
        for pd in summit.party_days
        if pd.party.principal
    )
    return Tier("travel", sum(terms), "minutes the principals spend travelling", 0, high)


def min_slack_tier(summit: SummitModel) -> Tier:
    model = summit.model
    smallest = model.new_int_var(0, SLACK_CAP, "min_slack")
    for pd in summit.party_days:
        if not pd.party.principal:
            continue
        for arc in pd.arcs:
            if arc.tail is None or arc.head is None:
                continue
            if not (arc.tail.is_meeting or arc.head.is_meeting):
                continue
            model.add(smallest <= arc.head.start - arc.tail.end - arc.gap).only_enforce_if(
                arc.literal
            )
    return Tier(
        "min_slack",
        -smallest,
        f"minus the smallest slack between a principal's engagements (cap {SLACK_CAP})",
        -SLACK_CAP,
        0,
    )


def weighted_slack_tier(summit: SummitModel) -> Tier:
    model = summit.model
    after: dict[str, cp_model.IntVar] = {}
    for meeting in summit.scenario.meetings:
        if meeting.weight == 0:
            continue  # contributes nothing to the tier
        slack = model.new_int_var(0, SLACK_AFTER_CAP, f"slack_after[{meeting.id}]")
        model.add(slack <= SLACK_AFTER_CAP * summit.held[meeting.id])
        after[meeting.id] = slack
    for pd in summit.party_days:
        for arc in pd.arcs:
            if arc.tail is None or arc.head is None or arc.tail.meeting not in after:
                continue
            model.add(
                after[arc.tail.meeting] <= arc.head.start - arc.tail.end - arc.gap
            ).only_enforce_if(arc.literal)
    weight = {m.id: m.weight for m in summit.scenario.meetings}
    return Tier(
        "weighted_slack",
        -sum(weight[m] * v for m, v in after.items()),
        f"minus the weighted slack after each meeting (cap {SLACK_AFTER_CAP} min)",
        -SLACK_AFTER_CAP * sum(weight[m] for m in after),
        0,
    )


def all_tiers(summit: SummitModel, previous: Schedule | None) -> list[Tier]:
    tiers = [changes_tier(summit, previous)] if previous is not None else []
    tiers.append(unheld_tier(summit))
    if previous is not None:
        # after held weight: moving a meeting must never look worse than dropping it
        tiers.append(displacement_tier(summit, previous))
    tiers += [
        preferences_tier(summit),
        travel_tier(summit),
        min_slack_tier(summit),
        weighted_slack_tier(summit),
    ]
    return tiers


# Tiers solved together as one weighted sum (lexicographic by construction): each
# CP-SAT call pays for presolve and for proving its bound, so fewer calls are faster.
TIER_GROUPS = (
    ("changes",),
    ("unheld_weight", "displacement", "preferences"),
    ("travel", "min_slack", "weighted_slack"),
)


def combined(tiers: list[Tier]) -> tuple[cp_model.LinearExprT, list[int]]:
    """One expression whose minimum is the lexicographic minimum of ``tiers``, and the
    multiplier of each tier: a tier's multiplier exceeds the whole range of everything
    after it, so no trade-off among later tiers can pay for one unit of an earlier one."""
    multipliers: list[int] = []
    multiplier = 1
    for tier in reversed(tiers):
        multipliers.append(multiplier)
        multiplier *= tier.high - tier.low + 1
    multipliers.reverse()
    expression = sum(m * (t.expression - t.low) for m, t in zip(multipliers, tiers, strict=True))
    return expression, multipliers
