"""The objective tiers of docs/planning-rules.md, recomputed from the schedule alone.

``unheld_weight``, ``shortening`` and ``preferences`` are sums over the soft
preferences given up, so they are computed from the very list the report shows: a
reader can add the costs up by hand. The other tiers measure the principals' travel
and the slack between engagements.
"""

from __future__ import annotations

from itertools import pairwise

from sim.check.report import GivenUp, Objectives
from sim.check.safety import short_reserves
from sim.check.view import (
    Engagement,
    PlanView,
    clock,
    described,
    needed_gap,
    on_wall_clock,
    precedence_inversions,
    travel,
)

PREFERRED_POINTS = 10
PRECEDENCE_POINTS = 10
MIN_SLACK_CAP = 60
SLACK_AFTER_CAP = 30


def given_up(view: PlanView) -> tuple[GivenUp, ...]:
    """Every soft preference the schedule gives up, tier 1 first."""
    return (
        *_unheld(view),
        *_shortened(view),
        *_short_reserves(view),
        *_preferred(view),
        *_soft_precedence(view),
        *_late_ends(view),
    )


def objectives(view: PlanView, gave_up: tuple[GivenUp, ...]) -> Objectives:
    return Objectives(
        unheld_weight=sum(g.cost for g in gave_up if g.tier == "unheld_weight"),
        shortening=sum(g.cost for g in gave_up if g.tier == "shortening"),
        safety=sum(g.cost for g in gave_up if g.tier == "safety"),
        preferences=sum(g.cost for g in gave_up if g.tier == "preferences"),
        travel=principals_travel(view),
        min_slack=-min([MIN_SLACK_CAP, *principals_slacks(view)]),
        weighted_slack=-sum(
            h.meeting.weight * min([SLACK_AFTER_CAP, *slacks_after(view, h.meeting.id)])
            for h in view.held.values()
        ),
    )


# --- what is given up -------------------------------------------------------------


def _unheld(view: PlanView) -> list[GivenUp]:
    # A required meeting not held breaks the `required` rule; it is no preference.
    return [
        GivenUp(
            "unheld",
            (m.id,),
            m.parties,
            m.weight,
            f"{view.scenario.party_names(m.parties)} ({m.id}, weight {m.weight}) is not held",
        )
        for m in view.scenario.meetings
        if not m.required and m.id not in view.held
    ]


def _shortened(view: PlanView) -> list[GivenUp]:
    """Each held meeting shorter than its nominal duration, costing the minutes cut
    (unweighted: a minute of talks is a minute, whoever meets). A meeting longer than
    nominal breaks the `duration` rule and costs nothing here."""
    found: list[GivenUp] = []
    for h in view.held.values():
        length = h.assignment.end - h.assignment.start
        cut = h.meeting.duration - length
        if cut > 0:
            found.append(
                GivenUp(
                    "shortened",
                    (h.meeting.id,),
                    h.meeting.parties,
                    cut,
                    f"{described(view.scenario, h.engagement)} is shortened to {length} min "
                    f"(of {h.meeting.duration})",
                )
            )
    return found


def _short_reserves(view: PlanView) -> list[GivenUp]:
    """Each important meeting whose overrun reserve falls short (docs/planning-rules.md,
    "Safety before ceremony"), costing the minutes short, by the party that has the
    least spare time; their sum is the `safety` tier."""
    found: list[GivenUp] = []
    for short in short_reserves(view):
        held = view.held[short.meeting]
        event = view.scenario.event_by_id.get(short.until)
        before = event.name if event is not None else "the end of its day"
        found.append(
            GivenUp(
                "short_reserve",
                (short.meeting,),
                (short.party,),
                short.short,
                f"{described(view.scenario, held.engagement)} leaves "
                f"{view.scenario.party_name(short.party)} "
                f"{max(short.spare, 0)} min before {before}, of the {short.reserve} min its "
                "likely overrun needs",
            )
        )
    return found


def _preferred(view: PlanView) -> list[GivenUp]:
    # Without preferred windows there is no preference to miss.
    return [
        GivenUp(
            "preferred",
            (h.meeting.id,),
            h.meeting.parties,
            PREFERRED_POINTS,
            f"{described(view.scenario, h.engagement)} lies outside its preferred times",
        )
        for h in view.held.values()
        if h.meeting.preferred
        and not any(p.contains(h.assignment.start, h.assignment.end) for p in h.meeting.preferred)
    ]


def _soft_precedence(view: PlanView) -> list[GivenUp]:
    if view.scenario.rules.precedence.hard:
        return []  # hard precedence is a rule, reported as a violation
    scenario = view.scenario
    return [
        GivenUp(
            "precedence",
            (inv.senior.meeting.id, inv.junior.meeting.id),
            (inv.principal, inv.senior_party, inv.junior_party),
            PRECEDENCE_POINTS,
            f"{scenario.party_name(inv.principal)}: {described(scenario, inv.senior.engagement)} "
            f"comes after {described(scenario, inv.junior.engagement)}, though "
            f"{scenario.party_name(inv.senior_party)} takes precedence over "
            f"{scenario.party_name(inv.junior_party)}",
        )
        for inv in precedence_inversions(view)
    ]


def _late_ends(view: PlanView) -> list[GivenUp]:
    scenario = view.scenario
    prefer_end_by = scenario.rules.prefer_end_by
    if prefer_end_by is None:
        return []
    found: list[GivenUp] = []
    for h in view.held.values():
        if h.day is None:
            continue  # off every summit day: the `day` rule says so
        limit = on_wall_clock(scenario, h.day, prefer_end_by)
        late = h.assignment.end - limit
        if late > 0:
            grains = -(-late // scenario.grain)  # a started grain counts in full
            found.append(
                GivenUp(
                    "late_end",
                    (h.meeting.id,),
                    h.meeting.parties,
                    grains,
                    f"{described(scenario, h.engagement)} ends {late} min after "
                    f"{clock(scenario, limit)}",
                )
            )
    return found


# --- travel and slack -------------------------------------------------------------


def principals_travel(view: PlanView) -> int:
    """Minutes the principals spend between venues, from and back to their base daily."""
    scenario = view.scenario
    total = 0
    for principal in scenario.principals:
        for engagements in view.days_of(principal.id).values():
            venues = [e.venue for e in engagements]
            if principal.base is not None:
                venues = [principal.base, *venues, principal.base]
            total += sum(travel(scenario, a, b) for a, b in pairwise(venues))
    return total


def slack(view: PlanView, earlier: Engagement, later: Engagement) -> int:
    """The gap left between two engagements minus the gap the `gap` rule asks."""
    buffer, move = needed_gap(view.scenario, earlier, later)
    return later.start - earlier.end - buffer - move


def principals_slacks(view: PlanView) -> list[int]:
    """Slack of every consecutive pair of a principal's engagements with a meeting in it."""
    return [
        slack(view, a, b)
        for principal in view.scenario.principals
        for engagements in view.days_of(principal.id).values()
        for a, b in pairwise(engagements)
        if a.is_meeting or b.is_meeting
    ]


def slacks_after(view: PlanView, meeting_id: str) -> list[int]:
    """Slack from a held meeting to each of its parties' next engagement that day."""
    held = view.held[meeting_id]
    found: list[int] = []
    for pid in held.meeting.parties:
        today = view.days_of(pid).get(held.day, ()) if held.day is not None else ()
        ids = [e.id for e in today]
        if meeting_id in ids and ids.index(meeting_id) + 1 < len(today):
            found.append(slack(view, held.engagement, today[ids.index(meeting_id) + 1]))
    return found


# --- compact days -----------------------------------------------------------------


def gaps_by_party(view: PlanView) -> dict[str, int]:
    """Each party's gaps over the summit: consecutive engagements on a day with an idle
    pause between them, i.e. the later starts at least one grain more than the `gap`
    rule asks after the earlier ends (docs/planning-rules.md, "Compact days")."""
    scenario = view.scenario
    counts = {}
    for party in scenario.parties:
        count = 0
        for day, engagements in view.days_of(party.id).items():
            if day is None:
                continue  # off every summit day: the `day` rule reports it
            for earlier, later in pairwise(engagements):
                buffer, move = needed_gap(scenario, earlier, later)
                if later.start - earlier.end >= buffer + move + scenario.grain:
                    count += 1
        counts[party.id] = count
    return counts


def compact_days(view: PlanView) -> int:
    """The `compact_days` tier: every party's gaps, summed."""
    return sum(gaps_by_party(view).values())


def fairness_problems(view: PlanView) -> list[str]:
    """With `rules.fairness` set: each party with more gaps than the fewest any party
    has plus `fairness`, in words (empty when the rule holds or is not set)."""
    spread = view.scenario.rules.fairness
    if spread is None:
        return []
    counts = gaps_by_party(view)
    fewest = min(counts.values(), default=0)
    names = view.scenario.party_by_id
    return [
        f"{names[party].name} has {count} gaps, more than the fewest any party has "
        f"({fewest}) plus {spread}"
        for party, count in counts.items()
        if count > fewest + spread
    ]
