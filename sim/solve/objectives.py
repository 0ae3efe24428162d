"""The lexicographic objective tiers, as CP-SAT expressions (all minimised).

The definitions are those of docs/planning-rules.md; the independent checker
recomputes the same numbers from a finished schedule. Soft terms get
descriptive variable names (OR-Tools' shift_scheduling example) so a report
can say which preference was given up.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from sim.model import Meeting
from sim.schedule import Schedule
from sim.solve.candidates import starts_inside
from sim.solve.cpmodel import (
    PREFERENCE_POINTS,
    SLACK_AFTER_CAP,
    SLACK_CAP,
    AltVar,
    PartyDay,
    SummitModel,
)
from sim.solve.gap_bounds import fewest_gaps
from sim.solve.requirements import Requirement, RequirementKind
from sim.solve.reserves import reserve


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
                and o.duration == assignment.end - assignment.start
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


def shortening_tier(summit: SummitModel) -> Tier:
    """Minutes cut below the meetings' nominal durations, unweighted: it comes right
    after ``unheld_weight``, so a meeting is shortened to hold more weight, and
    never for a preference, travel or slack (docs/planning-rules.md)."""
    terms = []
    high = 0
    for meeting in summit.scenario.meetings:
        options = summit.alts[meeting.id]
        cuts = [(meeting.duration - o.duration, o.present) for o in options]
        terms += [cut * present for cut, present in cuts if cut]
        high += max((cut for cut, _ in cuts), default=0)
    return Tier(
        "shortening",
        sum(terms),
        "minutes cut below the meetings' nominal durations",
        0,
        high,
    )


def _cut(meeting: Meeting, option: AltVar) -> str:
    """A variable name's mark for an option shorter than nominal (none at nominal
    length, so a scenario without shortening names its variables as before)."""
    return "" if option.duration == meeting.duration else f"~{option.duration}"


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
                    s // grain for s in starts_inside(grid, option.duration, meeting.preferred)
                )
                where = f"{meeting.id}@{option.alt.day}/{option.alt.venue}{_cut(meeting, option)}"
                in_preferred = model.new_bool_var(f"preferred[{where}]")
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
                latest_end = option.starts[-1] + option.duration
                if latest_end > limit:
                    late = model.new_int_var(
                        0,
                        (latest_end - limit) // grain + 1,
                        f"late[{meeting.id}@{option.alt.day}/{option.alt.venue}"
                        f"{_cut(meeting, option)}]",
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
    """The principals' minutes on the road: an arc whose travel is fixed counts it
    when taken; where it depends on the venues chosen, each engagement has one
    variable for the ride into it (and one for the ride back to base after it), at
    least the travel of whichever arc is taken, so minimising holds it at exactly
    that (a plan not proven best is re-read with every tier minimised before its
    values are reported). Per engagement, not per arc: on a 300-request summit the
    principals' days have 69,000 arcs, and a variable and two constraints per arc
    cost a second of the build."""
    model = summit.model
    terms: list[cp_model.LinearExprT] = []
    for pd in summit.party_days:
        if not pd.party.principal:
            continue
        most = max((arc.most_travel for arc in pd.arcs), default=0)
        rides: dict[tuple[str, bool], cp_model.IntVar] = {}
        for arc in pd.arcs:
            if not arc.most_travel:
                continue
            if isinstance(arc.travel, int):
                terms.append(arc.travel * arc.literal)
                continue
            # the ride into the head, or home from the tail when the head is the depot
            end = arc.head or arc.tail
            assert end is not None  # an arc joins at least one engagement
            key = (end.key, arc.head is not None)
            ride = rides.get(key)
            if ride is None:
                ride = rides[key] = model.new_int_var(0, most, f"ride[{pd.party.id},{key[0]}]")
                terms.append(ride)
            model.add(ride >= arc.travel).only_enforce_if(arc.literal)
    high = sum(
        (len(pd.nodes) + 1) * max((arc.most_travel for arc in pd.arcs), default=0)
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


def safety_tier(summit: SummitModel) -> Tier:
    """Minutes by which important meetings fall short of their overrun reserve: the
    spare time each of their parties has from the meeting's end to the next point it
    cannot move (a programme event, the end of its day or stay), the idle time along
    the way summed over the meetings in between (docs/planning-rules.md, "Safety
    before ceremony").

    ``spare[node]`` is, per party and day, the spare time from a meeting node to that
    point, capped at the day's largest reserve: on the arc the party takes after the
    node, at most the arc's slack, plus the next meeting's own spare when the arc leads
    to one. The tier pushes every ``spare`` up to what the plan really leaves. The
    shortfall is counted in grains (the rule rounds it up to the grain), so the search
    steps through a fifth of the values on a 5-minute grain."""
    scenario, model = summit.scenario, summit.model
    grain = scenario.grain
    reserves = {m.id: reserve(scenario, m) for m in scenario.meetings}
    short: dict[str, cp_model.IntVar] = {}
    for pd in summit.party_days:
        wanted = [n for n in pd.nodes if n.meeting is not None and reserves[n.meeting] > 0]
        if not wanted or not pd.arcs:
            continue
        cap = max(reserves[n.meeting] for n in wanted if n.meeting is not None)
        label = f"{pd.party.id},{pd.day}"
        spare = {
            n.key: model.new_int_var(0, cap, f"spare[{label},{n.key}]")
            for n in pd.nodes
            if n.is_meeting
        }
        day = scenario.days[pd.day]
        until = min(day.window.end, pd.party.presence.end)
        for arc in pd.arcs:
            tail, head = arc.tail, arc.head
            if tail is None or not tail.is_meeting:
                continue
            if head is None:  # the end of the party's day: its window, its stay, the ride home
                room: cp_model.LinearExprT = until - tail.end - arc.travel
            elif head.is_meeting:
                room = head.start - tail.end - arc.gap + spare[head.key]
            else:
                room = head.start - tail.end - arc.gap
            model.add(spare[tail.key] <= room).only_enforce_if(arc.literal)
        for node in wanted:
            assert node.meeting is not None
            needed = reserves[node.meeting]
            if node.meeting not in short:
                short[node.meeting] = model.new_int_var(
                    0, -(-needed // grain), f"short_of_reserve[{node.meeting}]"
                )
            condition = [node.present] if node.present is not None else []
            model.add(grain * short[node.meeting] >= needed - spare[node.key]).only_enforce_if(
                condition
            )
    return Tier(
        "safety",
        grain * sum(short.values()),
        "minutes by which important meetings fall short of their overrun reserve "
        "before what their parties cannot move",
        0,
        sum(reserves[m] for m in short),
    )


# --- compact days ------------------------------------------------------------------


@dataclass(frozen=True)
class PartyGaps:
    """Each party's number of gaps over the summit, as CP-SAT expressions (exact, not
    bounds: the fairness rule compares them), and the most any can reach."""

    by_party: dict[str, cp_model.LinearExprT]
    high: dict[str, int]


def _options_of(summit: SummitModel, pd: PartyDay) -> list[tuple[str, AltVar]]:
    """The alternatives of the party's meetings on this day, with their meeting."""
    return [
        (meeting.id, option)
        for meeting in summit.scenario.meetings_of(pd.party.id)
        for option in summit.alts[meeting.id]
        if option.alt.day == pd.day
    ]


def is_unit_day(summit: SummitModel, pd: PartyDay) -> bool:
    """A party's day whose engagements are all meetings one grain long: its gaps can be
    counted on the grain (time-indexed), which CP-SAT propagates far better than the
    successor arcs."""
    grain = summit.scenario.grain
    return all(n.meeting is not None and n.lengths == (grain,) for n in pd.nodes)


def _required_slots(summit: SummitModel, options: list[tuple[str, AltVar]]) -> int | None:
    """The grains a party must leave between two consecutive meetings of this day
    (buffer plus travel, rounded up to the grain), when it is the same for every pair
    of its venues; None when it is not (travel differs), and the arcs must count."""
    scenario, grain = summit.scenario, summit.scenario.grain
    venues = sorted({o.alt.venue for _, o in options})
    needed = {
        -(-(scenario.rules.buffer + scenario.travel_time(a, b)) // grain)
        for a in venues
        for b in venues
    }
    return needed.pop() if len(needed) == 1 else None


def _unit_day_gaps(
    summit: SummitModel,
    pd: PartyDay,
    options: list[tuple[str, AltVar]],
    slots: int,
    starts_at: dict[tuple[int, int], cp_model.IntVar],
) -> tuple[cp_model.LinearExprT, int]:
    """Gaps of a day of one-grain meetings: the party is *occupied* in the grain of each
    meeting and the ``slots`` grains after it (its buffer and travel); a gap is a run of
    grains not occupied between two occupied ones, so gaps = blocks - 1 (0 on an empty
    day), and a block starts where an occupied grain follows a free one."""
    model, grain = summit.model, summit.scenario.grain
    occupied: dict[int, list[cp_model.IntVar]] = {}
    for _, option in options:
        for start in option.starts:
            unit = start // grain
            key = (id(option), unit)
            if key not in starts_at:
                starts_at[key] = _starts_at(summit, option, unit)
            for covered in range(unit, unit + slots + 1):
                occupied.setdefault(covered, []).append(starts_at[key])
    meetings = {meeting for meeting, _ in options}
    label = f"{pd.party.id},{pd.day}"
    most = max(len(meetings) - 1, 0)
    if not occupied:
        return 0, 0
    units = sorted(occupied)
    # One flag per grain, the party's occupancy there (its meetings never share a
    # grain): blocks are read off the flags, as two-literal clauses, rather than off
    # the sums of start literals (long clauses the search propagates far worse:
    # B2B forum-13 found no gap-free plan in 20 s, and finds one in about 3 s).
    flags: dict[int, cp_model.IntVar] = {}
    for unit in units:
        flags[unit] = model.new_bool_var(f"occupied[{label},{unit}]")
        model.add(sum(occupied[unit]) == flags[unit])
    active = model.new_bool_var(f"active[{label}]")
    blocks = []
    for unit in units:
        here, before = flags[unit], flags.get(unit - 1)
        block = model.new_bool_var(f"block_start[{label},{unit}]")
        # exact: a block starts here iff this grain is occupied and the one before is not
        model.add_implication(block, here)
        if before is None:
            model.add_implication(here, block)
        else:
            model.add_implication(block, before.Not())
            model.add_bool_or([block, here.Not(), before])
        model.add_implication(block, active)
        blocks.append(block)
    model.add(active <= sum(blocks))
    held = _surely_held_units(summit, pd, options)
    # the fewest gaps its meetings allow on their own, as the count's lower bound
    fewest = 0 if held is None else min(fewest_gaps(list(held.values()), slots + 1), most)
    gaps = model.new_int_var(fewest, most, f"gaps[{label}]")
    model.add(gaps == sum(blocks) - active)
    # Redundant, for the bound: the span from the first to the last occupied grain
    # holds every occupied grain; any free grain left inside it means a gap (and
    # fewer free grains than the widest span possible).
    first = model.new_int_var(units[0], units[-1] + 1, f"first_grain[{label}]")
    last = model.new_int_var(units[0] - 1, units[-1], f"last_grain[{label}]")
    for unit in units:
        model.add(first <= unit).only_enforce_if(flags[unit])
        model.add(last >= unit).only_enforce_if(flags[unit])
    free_inside = last - first + 1 - sum(flags.values())
    model.add((units[-1] - units[0] + 1) * gaps >= free_inside)
    model.add(gaps <= free_inside)  # each gap is at least one free grain
    _add_distinct_starts(summit, pd)
    if held is not None:
        _add_exact_span(summit, pd, len(held), slots + 1, gaps)
    return gaps, most


def _surely_held_units(
    summit: SummitModel, pd: PartyDay, options: list[tuple[str, AltVar]]
) -> dict[str, list[int]] | None:
    """The grains each of the party's meetings of the day may start at, when every one
    of them is surely held that day (required, no other day): then its gaps are at
    least the fewest these meetings allow on their own (sim/solve/gap_bounds.py). None
    otherwise: another meeting might fill a gap, or a meeting might not be held."""
    if summit.switchable:
        return None  # a required meeting may be switched off (the explainer's model)
    by_id, grain = summit.scenario.meeting_by_id, summit.scenario.grain
    units: dict[str, set[int]] = {}
    for meeting, option in options:
        units.setdefault(meeting, set()).update(s // grain for s in option.starts)
    for meeting in units:
        if not by_id[meeting].required or any(o.alt.day != pd.day for o in summit.alts[meeting]):
            return None
    return {meeting: sorted(u) for meeting, u in units.items()}


def _add_exact_span(
    summit: SummitModel, pd: PartyDay, count: int, width: int, gaps: cp_model.IntVar
) -> None:
    """Redundant, for propagation: with all ``count`` meetings of the day surely
    held, the first and last starts are exact (a min and a max of the starts); the
    day spans ``count * width`` grains when it has no gap, and each gap adds at
    least one grain. Told to have no gap, the search then knows the day's window."""
    model, grain = summit.model, summit.scenario.grain
    starts = [n.start for n in pd.nodes if n.meeting is not None]
    if len(starts) < 2:
        return
    label = f"{pd.party.id},{pd.day}"
    low = min(n.earliest_start for n in pd.nodes)
    high = max(n.latest_start for n in pd.nodes)
    first = model.new_int_var(low, high, f"first_start[{label}]")
    last = model.new_int_var(low, high, f"last_start[{label}]")
    model.add_min_equality(first, starts)
    model.add_max_equality(last, starts)
    packed = (count - 1) * width * grain  # last - first with no gap
    model.add(last - first >= packed + grain * gaps)
    model.add(last - first <= packed + (high - low) * gaps)


def _add_distinct_starts(summit: SummitModel, pd: PartyDay) -> None:
    """Redundant: the party's meetings of a unit day that are surely held that day
    start at distinct grains (an all-different, which CP-SAT propagates by Hall
    intervals: with no gap allowed, n meetings fill exactly n consecutive grains)."""
    if summit.switchable:
        return  # a required meeting may be switched off (the explainer's model)
    by_id = summit.scenario.meeting_by_id
    surely = [
        n.start
        for n in pd.nodes
        if n.meeting is not None
        and by_id[n.meeting].required
        and all(o.alt.day == pd.day for o in summit.alts[n.meeting])
    ]
    if len(surely) > 1:
        summit.model.add_all_different(surely)


def _starts_at(summit: SummitModel, alt: AltVar, unit: int) -> cp_model.IntVar:
    """A literal true exactly when the alternative is chosen and starts at ``unit``
    (the grain number); the literals of one alternative sum to its ``present``."""
    model = summit.model
    literal = model.new_bool_var(f"starts[{alt.alt.day}/{alt.alt.venue}#{alt.starts[0]}@{unit}]")
    model.add(alt.units == unit).only_enforce_if(literal)
    model.add_implication(literal, alt.present)
    return literal


def _arc_day_gaps(summit: SummitModel, pd: PartyDay) -> tuple[cp_model.LinearExprT, int]:
    """Gaps of any other day, on the successor arcs: an arc taken is idle iff its head
    starts at least one grain later than the required gap after its tail ends."""
    model, grain = summit.model, summit.scenario.grain
    terms = []
    for arc in pd.arcs:
        if arc.tail is None or arc.head is None:
            continue
        idle = model.new_bool_var(f"idle[{pd.party.id},{pd.day},{arc.tail.key}->{arc.head.key}]")
        model.add_implication(idle, arc.literal)
        pause = arc.head.start - arc.tail.end
        model.add(pause >= arc.gap + grain).only_enforce_if([arc.literal, idle])
        model.add(pause <= arc.gap + grain - 1).only_enforce_if([arc.literal, idle.Not()])
        terms.append(idle)
    engagements = {n.meeting or n.key for n in pd.nodes}
    return sum(terms), max(len(engagements) - 1, 0)


def party_gaps(summit: SummitModel) -> PartyGaps:
    """Every party's gaps (docs/planning-rules.md, "Compact days")."""
    by_party: dict[str, list[cp_model.LinearExprT]] = {p.id: [] for p in summit.scenario.parties}
    high = {p.id: 0 for p in summit.scenario.parties}
    starts_at: dict[tuple[int, int], cp_model.IntVar] = {}
    for pd in summit.party_days:
        options = _options_of(summit, pd)
        unit_day = is_unit_day(summit, pd)
        slots = _required_slots(summit, options) if unit_day else None
        if slots is not None:
            gaps, most = _unit_day_gaps(summit, pd, options, slots, starts_at)
        else:
            gaps, most = _arc_day_gaps(summit, pd)
        by_party[pd.party.id].append(gaps)
        high[pd.party.id] += most
    _link_starts(summit, starts_at)
    return PartyGaps({p: sum(terms) for p, terms in by_party.items()}, high)


def _link_starts(summit: SummitModel, starts_at: dict[tuple[int, int], cp_model.IntVar]) -> None:
    """One start literal is true for each chosen alternative: together they are its
    ``present`` (the channel CP-SAT uses to propagate between the two views)."""
    grain = summit.scenario.grain
    for options in summit.alts.values():
        for option in options:
            chosen = [
                starts_at[(id(option), s // grain)]
                for s in option.starts
                if (id(option), s // grain) in starts_at
            ]
            if chosen:
                summit.model.add(sum(chosen) == option.present)
    _add_rooms_by_grain(summit, starts_at)


def _add_rooms_by_grain(
    summit: SummitModel, starts_at: dict[tuple[int, int], cp_model.IntVar]
) -> None:
    """Redundant with the venue's cumulative: at most ``rooms`` of the one-grain
    meetings counted on the grain start in each grain of a venue (a sum of literals,
    which the LP and clause learning read directly). B2B, a gap-free plan asked for,
    2 seeds: forum-13 3.3-3.4 s with it, 5.8 s and not in 15 s without; tic-12crafc
    1.9-6.5 s with, 2.4 s and not in 15 s without; others alike."""
    if summit.switchable:
        return  # the rooms may be switched off (the explainer's model)
    grain = summit.scenario.grain
    by_grain: dict[tuple[str, int], list[cp_model.IntVar]] = {}
    for options in summit.alts.values():
        for option in options:
            if option.duration != grain:
                continue
            for start in option.starts:
                literal = starts_at.get((id(option), start // grain))
                if literal is not None:
                    by_grain.setdefault((option.alt.venue, start // grain), []).append(literal)
    rooms = {v.id: v.rooms for v in summit.scenario.venues}
    for (venue, _), literals in by_grain.items():
        if len(literals) > rooms[venue]:
            summit.model.add(sum(literals) <= rooms[venue])


def compact_days_tier(gaps: PartyGaps) -> Tier:
    return Tier(
        "compact_days",
        sum(gaps.by_party.values()),
        "idle gaps between the engagements of each party's days, summed over the parties",
        0,
        sum(gaps.high.values()),
    )


def add_fairness(summit: SummitModel, gaps: PartyGaps, spread: int) -> None:
    """Every party's gaps at most the fewest any party has plus ``spread``: ``fewest``
    is at most every party's count, so each count <= fewest + spread <= min + spread."""
    model = summit.model
    switch = summit.switch(Requirement(RequirementKind.FAIRNESS))
    fewest = model.new_int_var(0, max(gaps.high.values(), default=0), "fewest_gaps")
    for count in gaps.by_party.values():
        model.add(fewest <= count)
        model.add(count <= fewest + spread).only_enforce_if(switch)


# --- the scenario's order ------------------------------------------------------------


def all_tiers(summit: SummitModel, previous: Schedule | None) -> list[Tier]:
    """The tiers in the scenario's order (``rules.objectives``); when re-planning,
    ``changes`` first and ``displacement`` right after ``unheld_weight``. The fairness
    rule, a hard rule, is added to the model here too (it needs the gap counts)."""
    rules = summit.scenario.rules
    gaps = None
    if "compact_days" in rules.objectives or rules.fairness is not None:
        gaps = party_gaps(summit)
        if rules.fairness is not None:
            add_fairness(summit, gaps, rules.fairness)
    tiers = [changes_tier(summit, previous)] if previous is not None else []
    for name in rules.objectives:
        if name == "unheld_weight":
            tiers.append(unheld_tier(summit))
        elif name == "shortening":
            tiers.append(shortening_tier(summit))
        elif name == "safety":
            tiers.append(safety_tier(summit))
        elif name == "preferences":
            tiers.append(preferences_tier(summit))
        elif name == "travel":
            tiers.append(travel_tier(summit))
        elif name == "min_slack":
            tiers.append(min_slack_tier(summit))
        elif name == "weighted_slack":
            tiers.append(weighted_slack_tier(summit))
        elif name == "compact_days":
            assert gaps is not None
            tiers.append(compact_days_tier(gaps))
        else:  # the loader accepts only the names above
            raise ValueError(f"unknown objective tier {name!r}")
    if previous is not None:
        # after held weight: moving a meeting must never look worse than dropping it
        names = [t.name for t in tiers]
        at = names.index("unheld_weight") + 1 if "unheld_weight" in names else 1
        tiers.insert(at, displacement_tier(summit, previous))
    return tiers


# Tiers solved together as one weighted sum (lexicographic by construction): each
# CP-SAT call pays for presolve and for proving its bound, so fewer calls are faster.
# The default order's groups; ``groups_for`` groups any order.
TIER_GROUPS = (
    ("changes",),
    ("unheld_weight", "displacement", "shortening", "safety", "preferences"),
    ("compact_days",),
    ("travel", "min_slack", "weighted_slack"),
)

# Tiers that share a solve well when they follow each other: what is held and where
# (small ranges, the same decisions), and the principals' travel and slack.
_FAMILIES = {
    "unheld_weight": "held",
    "displacement": "held",
    "shortening": "held",
    "safety": "held",
    "preferences": "held",
    "travel": "slack",
    "min_slack": "slack",
    "weighted_slack": "slack",
}


def groups_for(tiers: list[Tier]) -> list[list[Tier]]:
    """The scenario's tiers in order, consecutive tiers of one family solved together
    (``changes`` and ``compact_days`` alone: a count that needs its own proof, and the
    first of them weighting everything after it would blow up the multipliers)."""
    groups: list[list[Tier]] = []
    for tier in tiers:
        family = _FAMILIES.get(tier.name)
        if groups and family is not None and _FAMILIES.get(groups[-1][-1].name) == family:
            groups[-1].append(tier)
        else:
            groups.append([tier])
    return groups


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
