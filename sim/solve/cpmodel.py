"""The CP-SAT model of a summit: variables, then one method per constraint family.

Time is in minutes; a meeting's start is ``grain x u`` with ``u`` an integer,
so every start is on the grain while fixed events may keep off-grain times.
A meeting has one optional fixed-size interval per allowed (day, venue, length,
stretch of starts); at most one is present, exactly one when the meeting is
held. A length below the nominal ``duration`` is an alternative of its own (down
to ``min_duration``, when the scenario prices shortening): intervals keep a fixed
size, and a meeting without ``min_duration`` adds no variable at all. Each
party's day is a circuit over its engagements (one node per meeting and day,
whichever venue it takes, and one per fixed event) from and back to a depot
(its base): an arc literal from i to j enforces the protocol buffer plus the
travel time between them, a constant when the venues are fixed, else equal to
the travel between the venues chosen (cpsat-primer; OR-Tools'
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
from sim.solve.reserves import reserve

SLACK_CAP = 60
SLACK_AFTER_CAP = 30
PREFERENCE_POINTS = 10

# OR-Tools is untyped to mypy here (see pyproject.toml): name the role, not the type.
LinearExpr: TypeAlias = Any


@dataclass
class AltVar:
    """One option of a meeting: a (day, venue, length) alternative restricted to one
    run of consecutive allowed starts (``starts``); ``duration`` is its length."""

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
    """One engagement in a party's day: a meeting on that day (whichever of its
    venues and stretches of starts it takes) or a fixed event.

    ``venues`` maps each venue the engagement can be at to the literal that is true
    when it is there (``None``: its only venue, whenever it is present)."""

    key: str
    venues: dict[str, cp_model.IntVar | None]
    start: LinearExpr
    end: LinearExpr
    present: cp_model.IntVar | None  # None: always present (a fixed event, plain model)
    meeting: str | None = None
    alts: tuple[AltVar, ...] = ()
    earliest_start: int = 0
    latest_start: int = 0
    earliest_end: int = 0
    latest_end: int = 0
    duration: int = 0  # the longest it can last
    interval: cp_model.IntervalVar | None = None
    lengths: tuple[int, ...] = ()  # every length it can last (a meeting's options)

    @property
    def is_meeting(self) -> bool:
        return self.meeting is not None

    @property
    def venue(self) -> str | None:
        """The venue, when there is only one."""
        return next(iter(self.venues)) if len(self.venues) == 1 else None

    @property
    def alt(self) -> AltVar | None:
        """The alternative, when the meeting has only one on this day."""
        return self.alts[0] if len(self.alts) == 1 else None


@dataclass
class Arc:
    """``literal`` is true when ``head`` directly follows ``tail`` (None: the depot, the
    party's base before its first and after its last engagement). ``travel`` and
    ``gap`` (travel plus the buffer) are ints when the venues are fixed, else linear
    expressions of the venues chosen, exact when the arc is taken (and read only
    then)."""

    tail: Node | None
    head: Node | None
    literal: cp_model.IntVar
    gap: LinearExpr = 0
    travel: LinearExpr = 0
    most_travel: int = 0  # the largest value ``travel`` can take


@dataclass
class PartyDay:
    party: Party
    day: int
    nodes: list[Node] = field(default_factory=list)
    arcs: list[Arc] = field(default_factory=list)


class _Separation:
    """Whether a fixed engagement every plan has (``mandatory``) lies wholly between
    two of a party's engagements on a day, so that neither can directly follow the
    other (or the depot): read per arc, so each question is answered from the two
    smallest (or largest) bounds, not by scanning the mandatory engagements (a
    busy day's circuit asks it for every pair: a quarter of the build of a
    300-request summit before)."""

    def __init__(self, nodes: list[Node], mandatory: list[Node]) -> None:
        self._mandatory = mandatory
        # the two earliest ends and the two latest starts, with their nodes: the
        # best one unless it is the node asked about, then the next
        self._ends = sorted((k.latest_end, id(k)) for k in mandatory)[:2]
        self._starts = sorted(((k.earliest_start, id(k)) for k in mandatory), reverse=True)[:2]

    @staticmethod
    def _other(best: list[tuple[int, int]], node: Node) -> int | None:
        for value, owner in best:
            if owner != id(node):
                return value
        return None

    def before(self, head: Node) -> bool:
        """A mandatory engagement ends before ``head`` can start: it cannot be first."""
        end = self._other(self._ends, head)
        return end is not None and end <= head.earliest_start

    def after(self, tail: Node) -> bool:
        """A mandatory engagement starts after ``tail`` has surely ended: it cannot be
        last."""
        start = self._other(self._starts, tail)
        return start is not None and tail.latest_end <= start

    def cut_after(self, tail: Node) -> list[tuple[int, int]] | None:
        """The two earliest ends of the mandatory engagements (not ``tail``) that start
        after ``tail`` has surely ended; None when there is none."""
        if not self._mandatory:
            return None
        ends = sorted(
            (k.latest_end, id(k))
            for k in self._mandatory
            if k is not tail and tail.latest_end <= k.earliest_start
        )[:2]
        return ends or None

    def between(self, tail: Node, head: Node, cut: list[tuple[int, int]]) -> bool:
        """One of them (not ``head``) also ends before ``head`` can start."""
        end = self._other(cut, head)
        return end is not None and end <= head.earliest_start


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
        self.meeting_nodes: dict[tuple[str, int], Node] = {}
        # travel: the distinct minutes between two sets of venues; the expression or
        # variable of each (node, venue) or pair of nodes
        self._travel_minutes: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]] = {}
        self._travel_exprs: dict[tuple[str, str, str], LinearExpr] = {}
        self._symmetric_travel = all(
            scenario.travel_time(a.id, b.id) == scenario.travel_time(b.id, a.id)
            for a in scenario.venues
            for b in scenario.venues
        )
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
            for day in self.scenario.days:
                on_day = [o.present for o in options if o.alt.day == day.index]
                if len(on_day) == 1:  # its one option's own literal
                    self.held_on[(meeting.id, day.index)] = on_day[0]
                elif on_day:
                    flag = self.model.new_bool_var(f"held_on[{meeting.id},{day.index}]")
                    self.model.add(sum(on_day) == flag)
                    self.held_on[(meeting.id, day.index)] = flag
            # the day it is held on (read only when it is held): one sum, not one
            # constraint per option
            self.model.add(
                day_var
                == sum(
                    d * self.held_on[(meeting.id, d)]
                    for d in range(1, len(self.scenario.days))
                    if (meeting.id, d) in self.held_on
                )
            )

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
            start, alt.length, present, f"interval[{name}]"
        )
        return AltVar(alt, starts, present, units, start, start + alt.length, interval, alt.length)

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
            {event.venue: None},
            start,
            end,
            present,
            earliest_start=start,
            latest_start=start,
            earliest_end=end,
            latest_end=end,
            duration=end - start,
            interval=self._event_interval(event),
        )

    def _meeting_node(self, meeting: Meeting, day: int, options: list[AltVar]) -> Node:
        """The meeting on ``day`` as one node, shared by its parties' circuits: its
        start, whether it is held that day, and a literal per venue. One node per
        meeting and day, not per venue and stretch, keeps a busy party's circuit at
        the square of its meetings rather than of their options (25 times fewer
        arcs on generated summits of 60 to 300 requests)."""
        key = (meeting.id, day)
        if key in self.meeting_nodes:
            return self.meeting_nodes[key]
        model, grain = self.model, self.scenario.grain
        label = f"{meeting.id}@{day}"
        lengths = tuple(sorted({o.duration for o in options}, reverse=True))
        end: LinearExpr
        if len(options) == 1:
            only = options[0]
            start, end, present, interval = only.start, only.end, only.present, only.interval
        else:
            units = sorted({s // grain for o in options for s in o.starts})
            unit = model.new_int_var_from_domain(cp_model.Domain.from_values(units), f"u[{label}]")
            for option in options:
                model.add(unit == option.units).only_enforce_if(option.present)
            start = unit * grain
            present = self.held_on[key]
            if len(lengths) == 1:
                end = start + lengths[0]
                interval = model.new_optional_fixed_size_interval_var(
                    start, lengths[0], present, f"interval[{label}]"
                )
            else:
                # the length of the option chosen: the node ends where the meeting does
                size = model.new_int_var_from_domain(
                    cp_model.Domain.from_values(lengths), f"length[{label}]"
                )
                for option in options:
                    model.add(size == option.duration).only_enforce_if(option.present)
                # an interval's end must be one variable: start and size are two
                end = model.new_int_var(
                    min(o.starts[0] + o.duration for o in options),
                    max(o.starts[-1] + o.duration for o in options),
                    f"end[{label}]",
                )
                model.add(end == start + size)
                interval = model.new_optional_interval_var(
                    start, size, end, present, f"interval[{label}]"
                )
        venues: dict[str, cp_model.IntVar | None] = {}
        for venue in sorted({o.alt.venue for o in options}):
            here = [o.present for o in options if o.alt.venue == venue]
            if len(options) == 1:
                venues[venue] = None
            elif len(here) == 1:
                venues[venue] = here[0]
            else:
                flag = model.new_bool_var(f"at[{label}/{venue}]")
                model.add(sum(here) == flag)
                venues[venue] = flag
        node = Node(
            label,
            venues,
            start,
            end,
            present,
            meeting.id,
            tuple(options),
            min(o.starts[0] for o in options),
            max(o.starts[-1] for o in options),
            min(o.starts[0] + o.duration for o in options),
            max(o.starts[-1] + o.duration for o in options),
            lengths[0],
            interval,
            lengths,
        )
        self.meeting_nodes[key] = node
        return node

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
                    options = [o for o in self.alts[meeting.id] if o.alt.day == day.index]
                    if options:
                        pd.nodes.append(self._meeting_node(meeting, day.index, options))
                if not pd.nodes:
                    continue
                if self._needs_successors(pd):
                    self._add_circuit(pd, buffer)
                self.party_days.append(pd)

    def _needs_successors(self, pd: PartyDay) -> bool:
        """Whether anything reads who follows whom on this party's day: a buffer or a
        travel time between engagements, the ride from and to a base, the continuous
        limit, or an objective the scenario asks for (slack, travel; compact days
        on a day it cannot count on the grain). When nothing does, the party's
        no-overlap says all there is, and the circuit (quadratic in the day's
        engagements) is left out: on one-venue days of one-slot meetings with no
        buffer, such as the B2B benchmark's, the model is then linear in size."""
        scenario, rules = self.scenario, self.scenario.rules
        if self.switchable or rules.buffer > 0 or rules.max_continuous is not None:
            return True
        venues = {v for n in pd.nodes for v in n.venues}
        if pd.party.base is not None:
            venues.add(pd.party.base)
        if any(scenario.travel_time(a, b) for a in venues for b in venues if a != b):
            return True
        objectives = set(rules.objectives)
        if pd.party.principal and objectives & {"travel", "min_slack"}:
            return True
        if "safety" in objectives and self._has_reserve(pd):
            return True
        weighty = any(
            n.meeting is not None and scenario.meeting_by_id[n.meeting].weight > 0 for n in pd.nodes
        )
        if "weighted_slack" in objectives and weighty:
            return True
        unit_day = all(n.meeting is not None and n.lengths == (scenario.grain,) for n in pd.nodes)
        return "compact_days" in objectives and not unit_day

    def _has_reserve(self, pd: PartyDay) -> bool:
        """Whether the ``safety`` tier reads this day: it has a meeting with an overrun
        reserve (``sim.solve.reserves``)."""
        scenario = self.scenario
        return any(
            n.meeting is not None and reserve(scenario, scenario.meeting_by_id[n.meeting]) > 0
            for n in pd.nodes
        )

    def _venue_sum(self, node: Node, minutes: dict[str, int]) -> LinearExpr:
        """``minutes[v]`` for the venue ``v`` the node is at, linear in its venue
        literals (exact when the node is held)."""
        return sum(
            m * (1 if at is None else at) for v, at in node.venues.items() if (m := minutes[v])
        )

    def _travel_times(self, origins: tuple[str, ...], destinations: tuple[str, ...]) -> list[int]:
        """The distinct minutes of travel from any of ``origins`` to any of
        ``destinations``, sorted: once per pair of venue sets."""
        pair = (origins, destinations)
        times = self._travel_minutes.get(pair)
        if times is None:
            travel = self.scenario.travel_time
            times = sorted({travel(a, b) for a in origins for b in destinations})
            self._travel_minutes[pair] = times
        return times

    def _going(self, origin: str, head: Node) -> LinearExpr:
        """The travel from venue ``origin`` to wherever ``head`` is, linear in its venue
        literals (exact when it is held); one per head and origin."""
        key = (head.key, origin, "to")
        travel = self._travel_exprs.get(key)
        if travel is None:
            minutes = {b: self.scenario.travel_time(origin, b) for b in head.venues}
            travel = self._travel_exprs[key] = self._venue_sum(head, minutes)
        return travel

    def _travel(self, tail: Node, head: Node, times: list[int]) -> tuple[LinearExpr, int]:
        """The travel from ``tail`` to ``head``, exact whenever both are held (an arc
        between them reads it only when taken), and its largest possible value. A
        constant when the venues leave one possible value; linear in the other's venue
        literals when one of them has a single venue; else a variable, one per pair of
        nodes (both directions when travel is symmetric) whichever party's circuit
        holds the arc, equal to the travel from each venue of the tail while the tail
        is there and the head held (one constraint per venue and pair of nodes, not
        per venue, arc and party: docs/planning.md). ``times``: the distinct minutes
        between their venues (``_travel_times``)."""
        scenario = self.scenario
        most = times[-1]
        if len(times) == 1:
            return most, most
        if len(tail.venues) == 1:
            return self._going(next(iter(tail.venues)), head), most
        if len(head.venues) == 1:
            (destination,) = head.venues
            key = (tail.key, destination, "from")
            travel = self._travel_exprs.get(key)
            if travel is None:
                coming = {a: scenario.travel_time(a, destination) for a in tail.venues}
                travel = self._travel_exprs[key] = self._venue_sum(tail, coming)
            return travel, most
        key = (tail.key, head.key, "pair")
        if self._symmetric_travel and head.key < tail.key:
            key = (head.key, tail.key, "pair")
        variable = self._travel_exprs.get(key)
        if variable is None:
            model = self.model
            variable = model.new_int_var_from_domain(
                cp_model.Domain.from_values(times), f"travel[{key[0]}--{key[1]}]"
            )
            # free while either is not held (no venue literal of the head is true then);
            # by symmetry the same values serve the pair both ways
            held = [] if head.present is None else [head.present]
            for origin, at in tail.venues.items():
                enforce = held if at is None else [at, *held]
                model.add(variable == self._going(origin, head)).only_enforce_if(enforce)
            self._travel_exprs[key] = variable
        return variable, most

    def _base_travel(self, node: Node, base: str, outward: bool) -> tuple[LinearExpr, int]:
        """Travel between the party's base and ``node`` (linear in the node's venue
        literals, exact when it is held) and its largest possible value."""
        scenario = self.scenario
        minutes = {
            v: scenario.travel_time(base, v) if outward else scenario.travel_time(v, base)
            for v in node.venues
        }
        most = max(minutes.values())
        if len(set(minutes.values())) == 1:
            return most, most
        return self._venue_sum(node, minutes), most

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
        separated = _Separation(pd.nodes, mandatory)

        for index, node in enumerate(pd.nodes, start=1):
            if node.present is not None:
                arcs.append((index, index, node.present.Not()))
            if not separated.before(node):
                first = model.new_bool_var(f"first[{label},{node.key}]")
                arcs.append((0, index, first))
                travel_in: LinearExpr = 0
                most_in = 0
                if party.base is not None:
                    travel_in, most_in = self._base_travel(node, party.base, True)
                    if node.is_meeting:
                        model.add(node.start >= available_from + travel_in).only_enforce_if(
                            [first, *base_switch]
                        )
                pd.arcs.append(Arc(None, node, first, 0, travel_in, most_in))
            if not separated.after(node):
                last = model.new_bool_var(f"last[{label},{node.key}]")
                arcs.append((index, 0, last))
                travel_out: LinearExpr = 0
                most_out = 0
                if party.base is not None:
                    travel_out, most_out = self._base_travel(node, party.base, False)
                    if node.is_meeting:
                        model.add(node.end + travel_out <= available_until).only_enforce_if(
                            [last, *base_switch]
                        )
                pd.arcs.append(Arc(node, None, last, 0, travel_out, most_out))
        plain_buffer = not self.switchable
        venue_sets = [tuple(n.venues) for n in pd.nodes]
        is_meeting = [n.is_meeting for n in pd.nodes]
        for i, tail in enumerate(pd.nodes, start=1):
            tail_venues, tail_end = venue_sets[i - 1], tail.earliest_end
            cut = separated.cut_after(tail)
            for j, head in enumerate(pd.nodes, start=1):
                if i == j:
                    continue
                needs_buffer = is_meeting[i - 1] or is_meeting[j - 1]
                times = self._travel_times(tail_venues, venue_sets[j - 1])
                least = times[0] + buffer if needs_buffer else times[0]
                if tail_end + least > head.latest_start or (
                    cut is not None and separated.between(tail, head, cut)
                ):
                    continue  # never possible: leave the arc out
                literal = model.new_bool_var(f"arc[{label},{tail.key}->{head.key}]")
                arcs.append((i, j, literal))
                travel, most = self._travel(tail, head, times)
                gap = travel + buffer if needs_buffer else travel
                if needs_buffer and not plain_buffer:
                    model.add(head.start >= tail.end + travel).only_enforce_if(literal)
                    model.add(head.start >= tail.end + gap).only_enforce_if(
                        [literal, *buffer_switch]
                    )
                else:
                    model.add(head.start >= tail.end + gap).only_enforce_if(literal)
                pd.arcs.append(Arc(tail, head, literal, gap, travel, most))
        model.add_circuit(arcs)

    def _add_party_no_overlap(self) -> None:
        """Redundant with the circuits (which also order the engagements), but
        CP-SAT propagates a no-overlap far better: one interval per engagement."""
        by_party: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
        for pd in self.party_days:
            by_party[pd.party.id] += [n.interval for n in pd.nodes if n.interval is not None]
        for intervals in by_party.values():
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
        ``has_meeting`` flow forward along each circuit's arcs.

        Both are bounded from one side only, the side that can only tighten the
        limit: ``block_start`` at most the node's start and at most its
        predecessor's when the two are chained, ``has_meeting`` at least its
        predecessor's when chained; a gap under ``min_break`` forces the chain. A
        solution may take each at its true value, so the plans allowed are exactly
        those whose true blocks keep the limit, with two constraints an arc
        instead of four (docs/planning.md, "Model size and speed")."""
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
                model.add(block_start[key] <= node.start)
                has_meeting[key] = (
                    1
                    if node.is_meeting
                    else model.new_bool_var(f"has_meeting[{pd.party.id},{node.key}]")
                )
            for arc in pd.arcs:
                head, tail = arc.head, arc.tail
                if head is None or tail is None:
                    continue
                hk, tk = id(head), id(tail)
                chained = model.new_bool_var("chained")
                model.add(head.start - tail.end >= min_break).only_enforce_if(
                    [arc.literal, chained.Not()]
                )
                model.add(block_start[hk] <= block_start[tk]).only_enforce_if(
                    [arc.literal, chained]
                )
                if not head.is_meeting:
                    model.add(has_meeting[hk] >= has_meeting[tk]).only_enforce_if(
                        [arc.literal, chained]
                    )
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
            {n.meeting: n.duration for n in pd.nodes if n.meeting is not None}.values(),
            reverse=True,
        )
        limit = pd.party.max_meetings_per_day
        limit = rules.max_meetings_per_day if limit is None else limit
        if limit is not None:
            durations = durations[:limit]
        events = [n.latest_end - n.earliest_start for n in pd.nodes if n.meeting is None]
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
                    self.start[later] >= self.start[earlier] + self.length(by_id[earlier])
                ).only_enforce_if([self.held[later], self.held[earlier], *self.switch(name)])
            for other in meeting.same_day_as:
                self.model.add(self.day_of[meeting.id] == self.day_of[other]).only_enforce_if(
                    [
                        self.held[meeting.id],
                        self.held[other],
                        *self.switch(Requirement(RequirementKind.SAME_DAY, meeting.id, other)),
                    ]
                )

    def length(self, meeting: Meeting) -> LinearExpr:
        """How long the meeting lasts when held: a constant when every option has its
        length, else the length of the option chosen (0 when it is not held)."""
        options = self.alts[meeting.id]
        lengths = {o.duration for o in options}
        if len(lengths) <= 1:
            return next(iter(lengths), meeting.duration)
        return sum(o.duration * o.present for o in options)

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
