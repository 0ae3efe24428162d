"""The CP-SAT model of a summit: variables, then one method per constraint family.

Time is in minutes; a meeting's start is ``grain x u`` with ``u`` an integer,
so every start is on the grain while fixed events may keep off-grain times.
A meeting has one optional fixed-size interval per allowed (day, venue); at
most one is present, exactly one when the meeting is held. Each party's day is
a circuit over its engagements (meeting alternatives and fixed events) from
and back to a depot (its base): an arc literal from i to j enforces the
protocol buffer plus the travel time between them (cpsat-primer; OR-Tools'
``transitions_in_no_overlap_sample_sat``); ``add_no_overlap`` stays beside it
for propagation.

Every hard requirement family can be built *switchable*: its constraints are
enforced only if a named literal is true. The planner builds them plain; the
infeasibility explainer builds them switchable and asks CP-SAT which switches
cannot be on together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from ortools.sat.python import cp_model

from sim.model import FixedEvent, Meeting, Party, PrecedenceMode, Rank, Scenario
from sim.solve.candidates import Alternative, alternatives
from sim.solve.requirements import Requirement, RequirementKind

SLACK_CAP = 60
SLACK_AFTER_CAP = 30
PREFERENCE_POINTS = 10

# OR-Tools is untyped to mypy here (see pyproject.toml): name the role, not the type.
LinearExpr: TypeAlias = Any


@dataclass
class AltVar:
    """One node of a meeting: a (day, venue) alternative restricted to one run of
    consecutive allowed starts (``starts``)."""

    alt: Alternative
    starts: tuple[int, ...]
    present: cp_model.IntVar
    units: cp_model.IntVar
    start: LinearExpr
    end: LinearExpr
    interval: cp_model.IntervalVar
    duration: int


@dataclass
class Node:
    """One engagement in a party's day: a meeting alternative or a fixed event."""

    key: str
    venue: str
    start: LinearExpr
    end: LinearExpr
    present: cp_model.IntVar | None  # None: always present (a fixed event, plain model)
    meeting: str | None = None
    alt: AltVar | None = None
    earliest_start: int = 0
    latest_start: int = 0
    earliest_end: int = 0
    latest_end: int = 0

    @property
    def is_meeting(self) -> bool:
        return self.meeting is not None


@dataclass
class Arc:
    tail: Node | None  # None: the depot
    head: Node | None
    literal: cp_model.IntVar
    gap: int = 0
    travel: int = 0


@dataclass
class PartyDay:
    party: Party
    day: int
    nodes: list[Node] = field(default_factory=list)
    arcs: list[Arc] = field(default_factory=list)


def start_runs(starts: tuple[int, ...], grain: int) -> list[tuple[int, ...]]:
    """Split sorted starts into runs of consecutive grain steps: each run becomes its own
    node, so a node's time window is one contiguous stretch between its parties'
    fixed engagements, and arcs between incompatible stretches are never built."""
    runs: list[list[int]] = []
    for start in starts:
        if runs and start - runs[-1][-1] == grain:
            runs[-1].append(start)
        else:
            runs.append([start])
    return [tuple(run) for run in runs]


class Switches:
    """Named enforcement literals for hard requirements (empty lists when plain)."""

    def __init__(self, model: cp_model.CpModel, switchable: bool) -> None:
        self._model = model
        self.switchable = switchable
        self.literals: dict[Requirement, cp_model.IntVar] = {}

    def __call__(self, name: Requirement) -> list[cp_model.IntVar]:
        if not self.switchable:
            return []
        if name not in self.literals:
            self.literals[name] = self._model.new_bool_var(f"switch[{name}]")
        return [self.literals[name]]


class SummitModel:
    """Builds the CP-SAT model for a scenario; ``objectives`` lists the tier expressions."""

    def __init__(self, scenario: Scenario, *, switchable: bool = False) -> None:
        self.scenario = scenario
        self.model = cp_model.CpModel()
        self.switch = Switches(self.model, switchable)
        self.switchable = switchable
        self.alts: dict[str, list[AltVar]] = {}
        self.held: dict[str, cp_model.IntVar] = {}
        self.start: dict[str, cp_model.IntVar] = {}
        self.day_of: dict[str, cp_model.IntVar] = {}
        self.held_on: dict[tuple[str, int], cp_model.IntVar] = {}
        self.party_days: list[PartyDay] = []
        self.event_intervals: dict[tuple[str, str], cp_model.IntervalVar] = {}
        self._add_variables()
        self._add_constraints()

    # --- variables -------------------------------------------------------------------

    def _add_variables(self) -> None:
        grain = self.scenario.grain
        for meeting in self.scenario.meetings:
            options: list[AltVar] = []
            for alt in alternatives(self.scenario, meeting):
                if self.switchable:
                    runs = [alt.day_starts] if alt.day_starts else []
                else:
                    runs = start_runs(alt.allowed_starts(), grain)
                for index, starts in enumerate(runs):
                    options.append(self._alt_var(meeting, alt, index, starts))
                if self.switchable and runs:
                    node = options[-1]
                    for f in alt.filters:
                        allowed = sorted(s // grain for s in f.starts)
                        self.model.add_linear_expression_in_domain(
                            node.units, cp_model.Domain.from_values(allowed)
                        ).only_enforce_if([node.present, *self.switch(f.requirement)])
            self.alts[meeting.id] = options
            held = self.model.new_bool_var(f"held[{meeting.id}]")
            self.held[meeting.id] = held
            self.model.add(sum(o.present for o in options) == held)
            all_starts = [s for o in options for s in (o.starts[0], o.starts[-1])]
            low = min(all_starts, default=0)
            high = max(all_starts, default=0)
            start_var = self.model.new_int_var(low, high, f"start[{meeting.id}]")
            day_var = self.model.new_int_var(0, len(self.scenario.days) - 1, f"day[{meeting.id}]")
            self.start[meeting.id] = start_var
            self.day_of[meeting.id] = day_var
            for option in options:
                self.model.add(start_var == option.start).only_enforce_if(option.present)
                self.model.add(day_var == option.alt.day).only_enforce_if(option.present)
            for day in self.scenario.days:
                on_day = [o.present for o in options if o.alt.day == day.index]
                if on_day:
                    flag = self.model.new_bool_var(f"held_on[{meeting.id},{day.index}]")
                    self.model.add(sum(on_day) == flag)
                    self.held_on[(meeting.id, day.index)] = flag

    def _alt_var(
        self, meeting: Meeting, alt: Alternative, run: int, starts: tuple[int, ...]
    ) -> AltVar:
        grain = self.scenario.grain
        name = f"{meeting.id}@{alt.day}/{alt.venue}#{run}"
        present = self.model.new_bool_var(f"present[{name}]")
        units = self.model.new_int_var_from_domain(
            cp_model.Domain.from_values([s // grain for s in starts]), f"u[{name}]"
        )
        start = units * grain
        interval = self.model.new_optional_fixed_size_interval_var(
            start, meeting.duration, present, f"interval[{name}]"
        )
        return AltVar(
            alt, starts, present, units, start, start + meeting.duration, interval, meeting.duration
        )

    # --- constraints ------------------------------------------------------------------

    def _add_constraints(self) -> None:
        self._add_required()
        self._add_party_days()  # nodes and circuits: overlap, gap, base
        self._add_party_no_overlap()  # redundant with the circuits, for propagation
        self._add_rooms()
        self._add_per_day_limits()
        self._add_continuous_limit()
        self._add_order_relations()
        self._add_hard_precedence()

    def _add_required(self) -> None:
        for meeting in self.scenario.meetings:
            if meeting.required:
                self.model.add(self.held[meeting.id] == 1).only_enforce_if(
                    self.switch(Requirement(RequirementKind.REQUIRED, meeting.id))
                )

    def _event_node(self, event: FixedEvent, party: Party) -> Node:
        present = None
        if self.switchable:
            present = self.switch(Requirement(RequirementKind.ATTEND, event.id))[0]
        start, end = event.time.start, event.time.end
        return Node(
            f"event:{event.id}",
            event.venue,
            start,
            end,
            present,
            earliest_start=start,
            latest_start=start,
            earliest_end=end,
            latest_end=end,
        )

    def _add_party_days(self) -> None:
        scenario = self.scenario
        buffer = scenario.rules.buffer
        for party in scenario.parties:
            meetings = scenario.meetings_of(party.id)
            events = scenario.fixed_events_of(party.id)
            for day in scenario.days:
                pd = PartyDay(party, day.index)
                for event in events:
                    if day.window.contains(event.time.start, event.time.end):
                        pd.nodes.append(self._event_node(event, party))
                for meeting in meetings:
                    for option in self.alts[meeting.id]:
                        if option.alt.day != day.index:
                            continue
                        starts = option.starts
                        pd.nodes.append(
                            Node(
                                f"{meeting.id}@{option.alt.venue}#{starts[0]}",
                                option.alt.venue,
                                option.start,
                                option.end,
                                option.present,
                                meeting.id,
                                option,
                                starts[0],
                                starts[-1],
                                starts[0] + option.duration,
                                starts[-1] + option.duration,
                            )
                        )
                if not pd.nodes:
                    continue
                self._add_circuit(pd, buffer)
                self.party_days.append(pd)

    def _add_circuit(self, pd: PartyDay, buffer: int) -> None:
        scenario, model = self.scenario, self.model
        party, day = pd.party, scenario.days[pd.day]
        label = f"{party.id},{pd.day}"
        arcs: list[tuple[int, int, cp_model.IntVar]] = []
        if all(n.present is not None for n in pd.nodes):
            empty = model.new_bool_var(f"empty[{label}]")
            arcs.append((0, 0, empty))
        available_from = max(day.window.start, party.presence.start)
        available_until = min(day.window.end, party.presence.end)
        base_switch = self.switch(Requirement(RequirementKind.BASE, party.id)) if party.base else []
        buffer_switch = self.switch(Requirement(RequirementKind.BUFFER))
        # Fixed events that every solution has (plain model): an engagement entirely
        # after one of them cannot be first, one entirely before cannot be last, and no
        # arc can jump over one.
        mandatory = [n for n in pd.nodes if n.present is None]

        def separated(tail: Node | None, head: Node | None) -> bool:
            return any(
                k is not tail
                and k is not head
                and (tail is None or tail.latest_end <= k.earliest_start)
                and (head is None or k.latest_end <= head.earliest_start)
                for k in mandatory
            )

        for index, node in enumerate(pd.nodes, start=1):
            if node.present is not None:
                arcs.append((index, index, node.present.Not()))
            first = last = None
            if not separated(None, node):
                first = model.new_bool_var(f"first[{label},{node.key}]")
                arcs.append((0, index, first))
            if not separated(node, None):
                last = model.new_bool_var(f"last[{label},{node.key}]")
                arcs.append((index, 0, last))
            travel_in = travel_out = 0
            if party.base is not None:
                travel_in = scenario.travel_time(party.base, node.venue)
                travel_out = scenario.travel_time(node.venue, party.base)
            if first is not None:
                if party.base is not None and node.is_meeting:
                    model.add(node.start >= available_from + travel_in).only_enforce_if(
                        [first, *base_switch]
                    )
                pd.arcs.append(Arc(None, node, first, 0, travel_in))
            if last is not None:
                if party.base is not None and node.is_meeting:
                    model.add(node.end + travel_out <= available_until).only_enforce_if(
                        [last, *base_switch]
                    )
                pd.arcs.append(Arc(node, None, last, 0, travel_out))
        for i, tail in enumerate(pd.nodes, start=1):
            for j, head in enumerate(pd.nodes, start=1):
                if i == j:
                    continue
                travel = scenario.travel_time(tail.venue, head.venue)
                needs_buffer = tail.is_meeting or head.is_meeting
                gap = travel + (buffer if needs_buffer else 0)
                if tail.meeting is not None and tail.meeting == head.meeting:
                    continue  # two nodes of one meeting: at most one is present
                if tail.earliest_end + gap > head.latest_start or separated(tail, head):
                    continue  # never possible: leave the arc out
                literal = model.new_bool_var(f"arc[{label},{tail.key}->{head.key}]")
                arcs.append((i, j, literal))
                if needs_buffer and self.switchable:
                    model.add(head.start >= tail.end + travel).only_enforce_if(literal)
                    model.add(head.start >= tail.end + gap).only_enforce_if(
                        [literal, *buffer_switch]
                    )
                else:
                    model.add(head.start >= tail.end + gap).only_enforce_if(literal)
                pd.arcs.append(Arc(tail, head, literal, gap, travel))
        model.add_circuit(arcs)

    def _add_party_no_overlap(self) -> None:
        for party in self.scenario.parties:
            intervals = [
                o.interval for m in self.scenario.meetings_of(party.id) for o in self.alts[m.id]
            ]
            for event in self.scenario.fixed_events_of(party.id):
                intervals.append(self._event_interval(event))
            if len(intervals) > 1:
                self.model.add_no_overlap(intervals)

    def _event_interval(self, event: FixedEvent) -> cp_model.IntervalVar:
        key = (event.id, "interval")
        if key not in self.event_intervals:
            size = event.time.end - event.time.start
            if self.switchable:
                self.event_intervals[key] = self.model.new_optional_fixed_size_interval_var(
                    event.time.start,
                    size,
                    self.switch(Requirement(RequirementKind.ATTEND, event.id))[0],
                    f"event[{event.id}]",
                )
            else:
                self.event_intervals[key] = self.model.new_fixed_size_interval_var(
                    event.time.start, size, f"event[{event.id}]"
                )
        return self.event_intervals[key]

    def _add_rooms(self) -> None:
        by_venue: dict[str, list[AltVar]] = defaultdict(list)
        for options in self.alts.values():
            for option in options:
                by_venue[option.alt.venue].append(option)
        for venue in self.scenario.venues:
            options = by_venue.get(venue.id, [])
            if len(options) <= venue.rooms:
                continue
            intervals = [o.interval for o in options]
            if self.switchable:
                capacity = self.model.new_int_var(venue.rooms, len(options), f"rooms[{venue.id}]")
                switch = self.switch(Requirement(RequirementKind.ROOMS, venue.id))
                self.model.add(capacity == venue.rooms).only_enforce_if(switch)
                self.model.add_cumulative(intervals, [1] * len(intervals), capacity)
            elif venue.rooms == 1:
                self.model.add_no_overlap(intervals)
            else:
                self.model.add_cumulative(intervals, [1] * len(intervals), venue.rooms)

    def _add_per_day_limits(self) -> None:
        rules = self.scenario.rules
        for party in self.scenario.parties:
            limit = party.max_meetings_per_day
            name = Requirement(RequirementKind.PARTY_LIMIT, party.id)
            if limit is None:
                limit, name = (
                    rules.max_meetings_per_day,
                    Requirement(RequirementKind.MAX_MEETINGS_PER_DAY),
                )
            if limit is None:
                continue
            for day in self.scenario.days:
                flags = [
                    self.held_on[(m.id, day.index)]
                    for m in self.scenario.meetings_of(party.id)
                    if (m.id, day.index) in self.held_on
                ]
                if len(flags) > limit:
                    self.model.add(sum(flags) <= limit).only_enforce_if(self.switch(name))

    def _add_continuous_limit(self) -> None:
        """Blocks of engagements less than ``min_break`` apart span at most
        ``max_continuous`` when they contain a meeting. ``block_start`` and
        ``has_meeting`` flow forward along each circuit's arcs."""
        rules = self.scenario.rules
        if rules.max_continuous is None:
            return
        model, limit, min_break = self.model, rules.max_continuous, rules.min_break
        switch = self.switch(Requirement(RequirementKind.MAX_CONTINUOUS))
        horizon = self.scenario.days[-1].window.end
        for pd in self.party_days:
            if self._longest_block(pd) <= limit:
                continue  # no block of this party's day can ever be too long
            block_start: dict[int, cp_model.IntVar] = {}
            has_meeting: dict[int, cp_model.IntVar | int] = {}
            for node in pd.nodes:
                key = id(node)
                block_start[key] = model.new_int_var(0, horizon, f"block[{node.key}]")
                has_meeting[key] = (
                    1
                    if node.is_meeting
                    else model.new_bool_var(f"has_meeting[{pd.party.id},{node.key}]")
                )
            for arc in pd.arcs:
                head = arc.head
                if head is None:
                    continue
                hk = id(head)
                if arc.tail is None:
                    model.add(block_start[hk] == head.start).only_enforce_if(arc.literal)
                    if not head.is_meeting:
                        model.add(has_meeting[hk] == 0).only_enforce_if(arc.literal)
                    continue
                tk = id(arc.tail)
                chained = model.new_bool_var("chained")
                model.add(head.start - arc.tail.end < min_break).only_enforce_if(
                    [arc.literal, chained]
                )
                model.add(head.start - arc.tail.end >= min_break).only_enforce_if(
                    [arc.literal, chained.Not()]
                )
                model.add(block_start[hk] == block_start[tk]).only_enforce_if(
                    [arc.literal, chained]
                )
                model.add(block_start[hk] == head.start).only_enforce_if(
                    [arc.literal, chained.Not()]
                )
                if not head.is_meeting:
                    model.add(has_meeting[hk] == has_meeting[tk]).only_enforce_if(
                        [arc.literal, chained]
                    )
                    model.add(has_meeting[hk] == 0).only_enforce_if([arc.literal, chained.Not()])
            for node in pd.nodes:
                key = id(node)
                enforce = [*switch]
                if node.present is not None:
                    enforce.append(node.present)
                flag = has_meeting[key]
                if not isinstance(flag, int):
                    enforce.append(flag)
                model.add(node.end - block_start[key] <= limit).only_enforce_if(enforce)

    def _longest_block(self, pd: PartyDay) -> int:
        """An upper bound on any block's span: every engagement the party could have that
        day (at most its per-day limit of meetings, the longest ones) back to back, with
        gaps just under ``min_break`` between them."""
        rules = self.scenario.rules
        durations = sorted(
            {n.meeting: n.alt.duration for n in pd.nodes if n.alt is not None}.values(),
            reverse=True,
        )
        limit = pd.party.max_meetings_per_day
        limit = rules.max_meetings_per_day if limit is None else limit
        if limit is not None:
            durations = durations[:limit]
        events = [n.latest_end - n.earliest_start for n in pd.nodes if n.alt is None]
        count = len(durations) + len(events)
        return sum(durations) + sum(events) + max(count - 1, 0) * max(rules.min_break - 1, 0)

    def _add_order_relations(self) -> None:
        by_id = self.scenario.meeting_by_id
        for meeting in self.scenario.meetings:
            pairs = [(meeting.id, other) for other in meeting.after]  # meeting after other
            pairs += [(other, meeting.id) for other in meeting.before]
            for later, earlier in pairs:
                name = Requirement(
                    RequirementKind.ORDER,
                    meeting.id,
                    earlier if later == meeting.id else later,
                )
                self.model.add(
                    self.start[later] >= self.start[earlier] + by_id[earlier].duration
                ).only_enforce_if([self.held[later], self.held[earlier], *self.switch(name)])
            for other in meeting.same_day_as:
                self.model.add(self.day_of[meeting.id] == self.day_of[other]).only_enforce_if(
                    [
                        self.held[meeting.id],
                        self.held[other],
                        *self.switch(Requirement(RequirementKind.SAME_DAY, meeting.id, other)),
                    ]
                )

    # --- precedence -------------------------------------------------------------------

    def seniority(self, party: Party) -> int:
        precedence = self.scenario.rules.precedence
        if precedence.mode is PrecedenceMode.ORDER:
            order = precedence.order
            return order.index(party.id) if party.id in order else len(order)
        return Rank(party.rank).precedence

    def precedence_pairs(self) -> list[tuple[str, Meeting, Meeting, int]]:
        """(principal, senior meeting, junior meeting, day) for each day both could be on."""
        if self.scenario.rules.precedence.mode is PrecedenceMode.NONE:
            return []
        result = []
        for principal in self.scenario.principals:
            meetings = self.scenario.meetings_of(principal.id)

            def senior(m: Meeting, principal: Party = principal) -> int:
                return min(
                    self.seniority(self.scenario.party_by_id[p])
                    for p in m.parties
                    if p != principal.id
                )

            for a in meetings:
                for b in meetings:
                    if senior(a) >= senior(b):
                        continue
                    for day in self.scenario.days:
                        if (a.id, day.index) in self.held_on and (b.id, day.index) in self.held_on:
                            result.append((principal.id, a, b, day.index))
        return result

    def _add_hard_precedence(self) -> None:
        if not self.scenario.rules.precedence.hard:
            return
        for _, a, b, day in self.precedence_pairs():
            self.model.add(self.start[a.id] + 1 <= self.start[b.id]).only_enforce_if(
                [
                    self.held_on[(a.id, day)],
                    self.held_on[(b.id, day)],
                    *self.switch(Requirement(RequirementKind.PRECEDENCE)),
                ]
            )
