"""The hard rules of docs/planning-rules.md, one function per rule, in the table's order.

Each function reads the plan view and yields a ``Violation`` per breach, worded in
the scenario's own ids and local times. They are written from the text, not for
speed: this is the referee the planner is judged by.

Where one fact breaks two rules, it is reported once: two overlapping engagements
are an ``overlap`` (not also a ``gap``), and a meeting outside every day's window
is not also measured against that day's ``latest_end``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations, pairwise

from sim.check.objectives import gaps_by_party
from sim.check.report import Violation
from sim.check.view import (
    Engagement,
    Held,
    PlanView,
    clock,
    described,
    moment,
    needed_gap,
    on_wall_clock,
    precedence_inversions,
    span,
    travel,
)
from sim.model import Scenario

Rule = Callable[[PlanView], Iterator[Violation]]


def _meeting(scenario: Scenario, held: Held) -> str:
    return described(scenario, held.engagement)


def required(view: PlanView) -> Iterator[Violation]:
    for m in view.scenario.meetings:
        if m.required and m.id not in view.held:
            yield Violation(
                "required",
                (m.id,),
                m.parties,
                f"{view.scenario.party_names(m.parties)} ({m.id}, "
                f"{m.duration} min) is required but not held",
            )


def duration(view: PlanView) -> Iterator[Violation]:
    """A held meeting lasts its ``duration``, its ``min_duration``, or a whole number of
    grains between the two (docs/planning-rules.md, ``duration``)."""
    step = view.scenario.grain
    for h in view.held.values():
        meeting = h.meeting
        length = h.assignment.end - h.assignment.start
        shortest, longest = meeting.min_duration, meeting.duration
        if length in (shortest, longest) or (shortest < length < longest and length % step == 0):
            continue
        if shortest == longest:
            rule = f"it must last {longest} min"
        elif shortest < length < longest:
            rule = (
                f"it may be shortened from {longest} min to as little as {shortest} min, "
                f"but only in whole {step}-minute steps"
            )
        else:
            rule = f"it must last between {shortest} and {longest} min"
        yield Violation(
            "duration",
            (meeting.id,),
            meeting.parties,
            f"{_meeting(view.scenario, h)} lasts {length} min; {rule}",
        )


def grain(view: PlanView) -> Iterator[Violation]:
    step = view.scenario.grain
    for h in view.held.values():
        if h.assignment.start % step:
            yield Violation(
                "grain",
                (h.meeting.id,),
                h.meeting.parties,
                f"{_meeting(view.scenario, h)} does not start on the {step}-minute grain",
            )


def day(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    latest = scenario.rules.latest_end
    for h in view.held.values():
        a, ids = h.assignment, (h.meeting.id,)
        inside = scenario.day_containing(a.start, a.end)
        if inside is None:
            windows = ", ".join(span(scenario, d.window.start, d.window.end) for d in scenario.days)
            yield Violation(
                "day",
                ids,
                h.meeting.parties,
                f"{_meeting(scenario, h)} lies inside no day's working window ({windows})",
            )
        elif latest is not None and a.end > on_wall_clock(scenario, inside.index, latest):
            limit = on_wall_clock(scenario, inside.index, latest)
            yield Violation(
                "day",
                ids,
                h.meeting.parties,
                f"{_meeting(scenario, h)} ends after the latest end {clock(scenario, limit)}",
            )


def presence(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for h in view.held.values():
        for pid in h.meeting.parties:
            stay = scenario.party_by_id[pid].presence
            if not stay.contains(h.assignment.start, h.assignment.end):
                yield Violation(
                    "presence",
                    (h.meeting.id,),
                    (pid,),
                    f"{scenario.party_name(pid)} is present "
                    f"{span(scenario, stay.start, stay.end)}, "
                    f"not for all of {_meeting(scenario, h)}",
                )


def unavailable(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for h in view.held.values():
        for pid in h.meeting.parties:
            for period in scenario.party_by_id[pid].unavailable:
                if period.overlaps(h.assignment.start, h.assignment.end):
                    yield Violation(
                        "unavailable",
                        (h.meeting.id,),
                        (pid,),
                        f"{scenario.party_name(pid)} is unavailable "
                        f"{span(scenario, period.start, period.end)}, "
                        f"during {_meeting(scenario, h)}",
                    )


def venue(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for h in view.held.values():
        m, where = h.meeting, h.assignment.venue
        name, at = scenario.meeting_name(m.id), scenario.venue_name(where)
        if where not in m.venues:
            allowed = ", ".join(scenario.venue_name(v) for v in m.venues)
            message = f"{name} is at {at}; it may be held only at {allowed}"
        elif m.pinned_venue is not None and where != m.pinned_venue:
            message = f"{name} is at {at}, pinned to {scenario.venue_name(m.pinned_venue)}"
        else:
            continue
        yield Violation("venue", (m.id,), m.parties, message)


def window(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for h in view.held.values():
        m, a = h.meeting, h.assignment
        if m.windows and not any(w.contains(a.start, a.end) for w in m.windows):
            allowed = ", ".join(span(scenario, w.start, w.end) for w in m.windows)
            yield Violation(
                "window",
                (m.id,),
                m.parties,
                f"{_meeting(scenario, h)} lies in none of its windows ({allowed})",
            )


def meal(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for h in view.held.values():
        m, a = h.meeting, h.assignment
        of_day = scenario.rules.meal_windows.for_format(m.format)
        if of_day is None or h.day is None:
            continue  # talks have no meal window; off every day is the `day` rule's
        start = on_wall_clock(scenario, h.day, of_day.start)
        end = on_wall_clock(scenario, h.day, of_day.end)
        if not (start <= a.start and a.end <= end):
            yield Violation(
                "meal",
                (m.id,),
                m.parties,
                f"{_meeting(scenario, h)} is a {m.format.value}, "
                f"which must lie within {span(scenario, start, end)}",
            )


def pinned(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for h in view.held.values():
        m = h.meeting
        if m.pinned_start is not None and h.assignment.start != m.pinned_start:
            yield Violation(
                "pinned",
                (m.id,),
                m.parties,
                f"{_meeting(scenario, h)} is pinned to start {moment(scenario, m.pinned_start)}",
            )


def overlap(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for party in scenario.parties:
        for a, b in combinations(view.engagements[party.id], 2):
            # Two fixed events never overlap: the loader refuses such a programme.
            if (a.is_meeting or b.is_meeting) and a.overlaps(b):
                yield Violation(
                    "overlap",
                    _meeting_ids(a, b),
                    (party.id,),
                    f"{scenario.party_name(party.id)}: {described(scenario, a)} and "
                    f"{described(scenario, b)} overlap",
                )


def gap(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for party in scenario.parties:
        for engagements in view.days_of(party.id).values():
            for a, b in pairwise(engagements):
                if not (a.is_meeting or b.is_meeting) or a.overlaps(b):
                    continue  # the programme is given; an overlap is reported as such
                buffer, move = needed_gap(scenario, a, b)
                left = b.start - a.end
                if left < buffer + move:
                    yield Violation(
                        "gap",
                        _meeting_ids(a, b),
                        (party.id,),
                        f"{scenario.party_name(party.id)}: {described(scenario, a)} and "
                        f"{described(scenario, b)} leave {left} min, need "
                        f"{buffer + move} (buffer {buffer} + travel {move})",
                    )


def base(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for party in scenario.parties:
        if party.base is None:
            continue
        home = party.base
        for index, engagements in view.days_of(party.id).items():
            hours = scenario.days[index].window
            first, last = engagements[0], engagements[-1]
            if first.is_meeting:
                move = travel(scenario, home, first.venue)
                earliest = max(hours.start, party.presence.start) + move
                if first.start < earliest:
                    yield Violation(
                        "base",
                        (first.id,),
                        (party.id,),
                        f"{scenario.party_name(party.id)}: first engagement "
                        f"{described(scenario, first)} starts before "
                        f"{clock(scenario, earliest)} (from {clock(scenario, earliest - move)} "
                        f"plus travel {move} from base {scenario.venue_name(home)})",
                    )
            if last.is_meeting:
                move = travel(scenario, last.venue, home)
                latest = min(hours.end, party.presence.end) - move
                if last.end > latest:
                    yield Violation(
                        "base",
                        (last.id,),
                        (party.id,),
                        f"{scenario.party_name(party.id)}: last engagement "
                        f"{described(scenario, last)} ends after {clock(scenario, latest)} "
                        f"(travel {move} back to base {scenario.venue_name(home)} by "
                        f"{clock(scenario, latest + move)})",
                    )


def rooms(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for h in view.held.values():
        a, place = h.assignment, scenario.venue_by_id.get(h.assignment.venue)
        if place is not None and not 1 <= a.room <= place.rooms:
            yield Violation(
                "rooms",
                (h.meeting.id,),
                h.meeting.parties,
                f"{_meeting(scenario, h)} is in room {a.room}; {place.id} has rooms "
                f"1..{place.rooms}",
            )
    # Rooms in range and never shared while overlapping means never more meetings
    # than rooms at a venue at once (pigeonhole), so no separate count is needed.
    for x, y in combinations(view.held.values(), 2):
        a, b = x.assignment, y.assignment
        if a.venue == b.venue and a.room == b.room and x.engagement.overlaps(y.engagement):
            yield Violation(
                "rooms",
                (a.meeting, b.meeting),
                _parties(x, y),
                f"{_meeting(scenario, x)} and {_meeting(scenario, y)} share room {a.room}",
            )


def order(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for h in view.held.values():
        m, a = h.meeting, h.assignment
        for other_id in m.after:
            other = view.held.get(other_id)
            if other is not None and a.start < other.assignment.end:
                yield Violation(
                    "order",
                    (m.id, other_id),
                    _parties(h, other),
                    f"{_meeting(scenario, h)} must start after {_meeting(scenario, other)} ends",
                )
        for other_id in m.before:
            other = view.held.get(other_id)
            if other is not None and other.assignment.start < a.end:
                yield Violation(
                    "order",
                    (m.id, other_id),
                    _parties(h, other),
                    f"{_meeting(scenario, h)} must end before {_meeting(scenario, other)} starts",
                )


def same_day(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for h in view.held.values():
        for other_id in h.meeting.same_day_as:
            other = view.held.get(other_id)
            if other is not None and other.day != h.day:
                yield Violation(
                    "same_day",
                    (h.meeting.id, other_id),
                    _parties(h, other),
                    f"{_meeting(scenario, h)} must be on the same day as "
                    f"{_meeting(scenario, other)}",
                )


def per_day(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    for party in scenario.parties:
        own = party.max_meetings_per_day is not None
        limit = party.max_meetings_per_day if own else scenario.rules.max_meetings_per_day
        if limit is None:
            continue
        for index, engagements in view.days_of(party.id).items():
            ids = tuple(e.id for e in engagements if e.is_meeting)
            if len(ids) > limit:
                whose = f"{scenario.party_name(party.id)}'s own limit" if own else "the limit"
                yield Violation(
                    "per_day",
                    ids,
                    (party.id,),
                    f"{scenario.party_name(party.id)} holds {len(ids)} meetings on "
                    f"{scenario.days[index].date:%d %b}, {whose} is {limit}",
                )


def continuous(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    longest = scenario.rules.max_continuous
    if longest is None:
        return
    for party in scenario.parties:
        for engagements in view.days_of(party.id).values():
            for block in _blocks(engagements, scenario.rules.min_break):
                first, last_end = block[0].start, max(e.end for e in block)
                if any(e.is_meeting for e in block) and last_end - first > longest:
                    yield Violation(
                        "continuous",
                        tuple(e.id for e in block if e.is_meeting),
                        (party.id,),
                        f"{scenario.party_name(party.id)} is engaged without a "
                        f"{scenario.rules.min_break}-min break "
                        f"{span(scenario, first, last_end)} ({last_end - first} min: "
                        f"{'; '.join(_name(scenario, e) for e in block)}), at most {longest}",
                    )


def _name(scenario: Scenario, engagement: Engagement) -> str:
    if engagement.is_meeting:
        return scenario.meeting_name(engagement.id)
    event = scenario.event_by_id.get(engagement.id)
    return event.name if event is not None else engagement.id


def _blocks(engagements: tuple[Engagement, ...], min_break: int) -> list[list[Engagement]]:
    """Runs of engagements less than ``min_break`` apart (end of one to start of next)."""
    blocks: list[list[Engagement]] = []
    for e in engagements:
        if blocks and e.start - max(x.end for x in blocks[-1]) < min_break:
            blocks[-1].append(e)
        else:
            blocks.append([e])
    return blocks


def precedence(view: PlanView) -> Iterator[Violation]:
    scenario = view.scenario
    if not scenario.rules.precedence.hard:
        return  # soft precedence costs points in the `preferences` tier instead
    for inv in precedence_inversions(view):
        yield Violation(
            "precedence",
            (inv.senior.meeting.id, inv.junior.meeting.id),
            (inv.principal, inv.senior_party, inv.junior_party),
            f"{inv.principal}: {_meeting(scenario, inv.senior)} with {inv.senior_party} "
            f"must start before {_meeting(scenario, inv.junior)} with {inv.junior_party}",
        )


def fairness(view: PlanView) -> Iterator[Violation]:
    """With ``rules.fairness: d``: no party has more gaps (docs/planning-rules.md,
    "Compact days") than the fewest any party has plus ``d``."""
    spread = view.scenario.rules.fairness
    if spread is None:
        return
    counts = gaps_by_party(view)
    fewest = min(counts.values(), default=0)
    for party, count in counts.items():
        if count > fewest + spread:
            yield Violation(
                "fairness",
                (),
                (party,),
                f"{party} has {count} gaps over the summit, more than the fewest any party "
                f"has ({fewest}) plus {spread}",
            )


def _meeting_ids(*engagements: Engagement) -> tuple[str, ...]:
    return tuple(e.id for e in engagements if e.is_meeting)


def _parties(*held: Held) -> tuple[str, ...]:
    """The parties of the meetings, each once, in order."""
    return tuple(dict.fromkeys(p for h in held for p in h.meeting.parties))


# In the order of the table in docs/planning-rules.md.
RULES: tuple[tuple[str, Rule], ...] = (
    ("required", required),
    ("duration", duration),
    ("grain", grain),
    ("day", day),
    ("presence", presence),
    ("unavailable", unavailable),
    ("venue", venue),
    ("window", window),
    ("meal", meal),
    ("pinned", pinned),
    ("overlap", overlap),
    ("gap", gap),
    ("base", base),
    ("rooms", rooms),
    ("order", order),
    ("same_day", same_day),
    ("per_day", per_day),
    ("continuous", continuous),
    ("precedence", precedence),
    ("fairness", fairness),
)


def hard_rule_violations(view: PlanView) -> tuple[Violation, ...]:
    return tuple(v for _, rule in RULES for v in rule(view))
