"""Simulated annealing of a plan's idle gaps, on days counted on the grain.

A business forum's day (the B2B benchmark's) is one-grain meetings at tables,
and its objective is compact days: few idle gaps in each party's day, no party
much worse off than the best (``rules.fairness``). CP-SAT proves such plans well
once it has one near the optimum, but its own first plans, and the greedy's
one-move-at-a-time compacting, stay far from it on the larger instances (B2B
forum-14: 67-71 gaps after 10 s, optimum 2). Annealing the start times reaches a
small fraction of that within a couple of seconds; its plan is then the
search's first hint. A move takes a meeting to another of its grains and
trades grains along a *Kempe chain* (the meetings of its parties at the new
grain go to its old one, theirs at the old one to the new, and so on), the move
that timetabling's annealers use because it keeps every party in one place at
a time. On the B2B originals, 2 s each: forum-14 16-22 gaps with chains of up
to 6 to 40 meetings, 43 when only one meeting moves; tic-14crafc 3-5 against 21.

It moves only what it can move without touching anything but the gaps: a held
meeting keeps its day, venue and length, and moves only when every party's day
it is in counts its gaps on the grain (all its engagements meetings one grain
long; no buffer, no travel between its venues or from its base, no continuous
limit: ``_on_the_grain``). Every hard rule stays true at every step: the
meeting's own allowed starts (presence, unavailability, windows, pins), one
meeting per party and grain, rooms, order relations and hard precedence. The
held meetings, their days and lengths do not change, so neither do the tiers
``unheld_weight`` and ``shortening``; the planner anneals only when no other
tier comes before ``compact_days`` (``annealable``).

A count of meetings moved, not the clock, bounds the work, and the random
stream is seeded: the same scenario, seed and time limit (which sets the
count) give the same plan on every machine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sim.schedule import Assignment
from sim.solve.cpmodel import PartyDay, SummitModel
from sim.solve.greedy import gaps_of
from sim.solve.objectives import is_unit_day
from sim.solve.rooms import assign_rooms

# The temperature falls geometrically from the first to the last value over the
# work: a move that adds one gap is taken with probability e^-1/0.6 = 19 % at the
# start, e^-1/0.1 = 0.005 % at the end. Tried on the B2B originals (2 s each, with
# chains): 1.0 to 0.1 and 0.4 to 0.05 within the noise of 0.6 to 0.1; ending at
# 0.2 left forum-14 and ticf-14crafa at 28 gaps against 16-20.
FIRST_TEMPERATURE = 0.6
LAST_TEMPERATURE = 0.1
# A gap of unfairness (a party's gaps above the fewest any party has plus the
# spread allowed) costs as much as this many gaps of the total.
UNFAIR_COST = 3
# Each idle grain inside a party's day (from its first meeting to its last) costs
# this much: a guide, not the objective (the best plan is chosen on gaps alone).
# Without it, every arrangement of the same gaps is as good, and the search walks
# a plateau; with it, a move that narrows a day is taken first, and the gaps it
# closes follow. B2B, 2 s each, two seeds, forum-14 19-20 -> 11-12 gaps,
# ticf-14crafa 15-21 -> 12-14, forum-13crafc 10-11 -> 6-8, tic-14crafc 3 -> 1-3;
# 0.05 gained about half of that, 0.4 and 0.8 a little less than 0.2.
IDLE_COST = 0.2
# The budget (``work_for``), in meetings moved: a try costs one, plus each meeting
# its chain carries, so that the work tracks the time whatever the chains' length
# (about 280,000 a second on this machine, 2,000,000 taking 6.0-8.3 s on each of
# the 20 B2B originals; counting tries instead, one B2B instance took 7 times as
# long per try as another).
WORK_PER_MEETING = 4_000
WORK_PER_SECOND = 250_000
SHARE = 0.25
# The most meetings one move may carry (a chain longer than that is not tried):
# 15 and 40 did as well as 20, 6 a little worse (B2B, 2 s each).
MOST_CHAIN = 20
# Tiers a move leaves as they are: the held meetings and their lengths are kept.
UNCHANGED_TIERS = frozenset({"unheld_weight", "shortening"})


@dataclass(frozen=True)
class Annealed:
    """The plan after annealing, and what it did. ``fairness_excess`` is how far
    the plan is from the fairness rule (0: it holds, or there is none)."""

    assignments: tuple[Assignment, ...]
    gaps_before: int
    gaps_after: int
    fairness_excess: int
    tries: int
    moved_meetings: int


def annealable(tier_names: Sequence[str]) -> bool:
    """Whether the planner anneals its first plan, given the tiers it minimises in
    order: it counts gaps, and every tier before ``compact_days`` is one a move
    leaves as it is."""
    if "compact_days" not in tier_names:
        return False
    before = tier_names[: list(tier_names).index("compact_days")]
    return set(before) <= UNCHANGED_TIERS


def work_for(meetings: int, time_limit: float) -> int:
    """The work the planner gives the annealing: ``WORK_PER_MEETING`` for each
    meeting of the plan, at most about ``SHARE`` of the time limit (at
    ``WORK_PER_SECOND``). A count, not a clock: the plan is the same on every
    machine."""
    return int(min(WORK_PER_MEETING * meetings, SHARE * time_limit * WORK_PER_SECOND))


def anneal(
    summit: SummitModel,
    assignments: Sequence[Assignment],
    work: int,
    seed: int,
    stop: Callable[[], bool] | None = None,
) -> Annealed:
    """Anneal the starts of ``assignments`` (a valid plan) for ``work`` meetings moved
    (``work_for``), or until ``stop()`` says so (read every 256 tries: Ctrl-C); the
    best plan met, by (fairness excess, total gaps), never worse than the one given.
    A plan that breaks an order relation or hard precedence (the greedy does not
    attempt precedence) is given back as it is: the annealer keeps rules, it does not
    repair them."""
    return _Annealer(summit, assignments, seed).run(work, stop)


def _on_the_grain(summit: SummitModel, pd: PartyDay) -> bool:
    """Whether this party's day counts its gaps on the grain, as a bit mask: every
    engagement a meeting one grain long, nothing to leave between two of them (no
    buffer, no travel between its venues or from and to its base), no continuous
    limit. The model may still give the day successor arcs (for a slack or travel
    tier, say); with nothing between engagements they say no more than the
    no-overlap."""
    scenario = summit.scenario
    if scenario.rules.buffer > 0 or scenario.rules.max_continuous is not None:
        return False
    if not is_unit_day(summit, pd):
        return False
    places = {v for n in pd.nodes for v in n.venues}
    if pd.party.base is not None:
        places.add(pd.party.base)
    return not any(scenario.travel_time(a, b) for a in places for b in places if a != b)


class _Annealer:
    def __init__(self, summit: SummitModel, assignments: Sequence[Assignment], seed: int) -> None:
        scenario = summit.scenario
        self.scenario = scenario
        self.grain = grain = scenario.grain
        self.rng = random.Random(seed)
        self.spread = scenario.rules.fairness
        self.held = held = list({a.meeting: a for a in assignments}.values())
        unit_days = {(pd.party.id, pd.day) for pd in summit.party_days if _on_the_grain(summit, pd)}
        by_id = scenario.meeting_by_id
        # one index per counted party-day; its engagements as a bit mask over grains
        # from the day's first grain (masks read only relative positions)
        self.pd_index: dict[tuple[str, int], int] = {}
        self.pd_party: list[int] = []
        self.mask: list[int] = []
        self.owner: list[dict[int, int]] = []  # per party-day: grain -> meeting index
        parties = [p.id for p in scenario.parties]
        party_index = {p: i for i, p in enumerate(parties)}
        ids = [a.meeting for a in held]
        self.unit = [a.start // grain for a in held]  # starts are on the grain
        self.length = [a.end - a.start for a in held]
        index = {m: i for i, m in enumerate(ids)}
        self.day_base: dict[int, int] = {}
        for day in scenario.days:
            self.day_base[day.index] = day.window.start // grain - 1
        self.counted_pds: list[list[int]] = []  # per meeting: its counted party-days
        for i, a in enumerate(held):
            pds = []
            for party in by_id[a.meeting].parties:
                key = (party, a.day)
                if key not in unit_days:
                    continue
                if key not in self.pd_index:
                    self.pd_index[key] = len(self.mask)
                    self.pd_party.append(party_index[party])
                    self.mask.append(0)
                    self.owner.append({})
                pd = self.pd_index[key]
                self.mask[pd] |= 1 << (self.unit[i] - self.day_base[a.day])
                self.owner[pd][self.unit[i]] = i
                pds.append(pd)
            self.counted_pds.append(pds)
        # the movable meetings: every party's day counted on the grain, a slot to go to
        self.domain: list[list[int]] = [[] for _ in held]
        self.movable: list[int] = []
        for i, a in enumerate(held):
            meeting = by_id[a.meeting]
            if len(self.counted_pds[i]) != len(meeting.parties) or self.length[i] != grain:
                continue
            units = sorted(
                {
                    s // grain
                    for o in summit.alts[a.meeting]
                    if o.alt.day == a.day and o.alt.venue == a.venue and o.duration == grain
                    for s in o.starts
                }
            )
            if len(units) > 1 and self.unit[i] in units:
                self.domain[i] = units
                self.movable.append(i)
        # rooms in use per (venue, grain): every held meeting, on the grains it covers
        self.rooms = {v.id: v.rooms for v in scenario.venues}
        self.venue = [a.venue for a in held]
        self.in_use: dict[tuple[str, int], list[int]] = {}
        for i, a in enumerate(held):
            for unit in range(a.start // grain, -(-a.end // grain)):
                self.in_use.setdefault((a.venue, unit), []).append(i)
        # order: (earlier, later, least minutes from the earlier's start to the later's)
        self.orders: list[list[tuple[int, int, int]]] = [[] for _ in held]
        pairs: list[tuple[int, int, int]] = []
        for meeting in scenario.meetings:
            if meeting.id not in index:
                continue
            this = index[meeting.id]
            for other in meeting.after:  # this one starts once the other has ended
                if other in index:
                    pairs.append((index[other], this, self.length[index[other]]))
            for other in meeting.before:
                if other in index:
                    pairs.append((this, index[other], self.length[this]))
        if scenario.rules.precedence.hard:
            for _, senior, junior, on in summit.precedence_pairs():
                both = senior.id in index and junior.id in index
                if both and held[index[senior.id]].day == on == held[index[junior.id]].day:
                    pairs.append((index[senior.id], index[junior.id], 1))
        for pair in pairs:
            self.orders[pair[0]].append(pair)
            self.orders[pair[1]].append(pair)
        # each party's gaps: a constant part (days not counted here) and its unit days
        counts = gaps_of(scenario, held)
        self.gaps_pd = [_gaps(m) for m in self.mask]
        counted = [0] * len(parties)
        for pd, gaps in enumerate(self.gaps_pd):
            counted[self.pd_party[pd]] += gaps
        self.fixed_part = [counts[p] - counted[party_index[p]] for p in parties]
        self.party_gaps = [self.fixed_part[k] + counted[k] for k in range(len(parties))]
        self.histogram: dict[int, int] = {}
        for gaps in self.party_gaps:
            self.histogram[gaps] = self.histogram.get(gaps, 0) + 1
        self.total = sum(self.party_gaps)
        # each party's counted party-days, so that a recount reads only its own
        self.pds_of: list[list[int]] = [[] for _ in parties]
        for pd, owner in enumerate(self.pd_party):
            self.pds_of[owner].append(pd)
        self.base_of = [self.day_base[a.day] for a in held]
        self.allowed = [frozenset(d) for d in self.domain]
        self.idle_pd = [_idle(m) for m in self.mask]
        self.idle = sum(self.idle_pd)
        self._saved: list[tuple[int, int]] = []
        if not all(self._ordered(i) for i in range(len(held))):
            # a plan breaking an order (the greedy does not attempt hard precedence)
            # is given back as it is: the annealer keeps rules, it does not repair them
            self.movable = []

    # --- the state --------------------------------------------------------------------

    def excess(self) -> int:
        if self.spread is None or not self.histogram:
            return 0
        return max(0, max(self.histogram) - min(self.histogram) - self.spread)

    def _set_party(self, party: int, gaps: int) -> None:
        old = self.party_gaps[party]
        if old == gaps:
            return
        histogram = self.histogram
        histogram[old] -= 1
        if not histogram[old]:
            del histogram[old]
        histogram[gaps] = histogram.get(gaps, 0) + 1
        self.party_gaps[party] = gaps
        self.total += gaps - old

    def _place(self, i: int, unit: int) -> None:
        """Move meeting ``i`` to ``unit`` (its old grain already vacated)."""
        base = self.base_of[i]
        for pd in self.counted_pds[i]:
            self.mask[pd] |= 1 << (unit - base)
            self.owner[pd][unit] = i
        self.unit[i] = unit
        self.in_use.setdefault((self.venue[i], unit), []).append(i)

    def _vacate(self, i: int) -> None:
        unit = self.unit[i]
        base = self.base_of[i]
        for pd in self.counted_pds[i]:
            self.mask[pd] &= ~(1 << (unit - base))
            del self.owner[pd][unit]
        self.in_use[(self.venue[i], unit)].remove(i)

    def _ordered(self, i: int) -> bool:
        unit, grain = self.unit, self.grain
        return all(
            unit[later] * grain >= unit[earlier] * grain + least
            for earlier, later, least in self.orders[i]
        )

    def _recount(self, pds: list[int]) -> None:
        """Recount the gaps of these party-days (changed by a move), keeping what they
        were for ``_restore``."""
        gaps_pd, saved = self.gaps_pd, self._saved
        saved.clear()
        for pd in pds:
            saved.append((pd, gaps_pd[pd]))
            gaps_pd[pd] = _gaps(self.mask[pd])
            self._reidle(pd)
        self._refresh(pds)

    def _reidle(self, pd: int) -> None:
        idle = _idle(self.mask[pd])
        self.idle += idle - self.idle_pd[pd]
        self.idle_pd[pd] = idle

    def _restore(self) -> None:
        """Put back the gap counts ``_recount`` changed last."""
        for pd, gaps in self._saved:
            self.gaps_pd[pd] = gaps
            self._reidle(pd)
        self._refresh([pd for pd, _ in self._saved])

    def _refresh(self, pds: list[int]) -> None:
        for pd in pds:
            party = self.pd_party[pd]
            self._set_party(party, self.fixed_part[party] + self._counted(party))

    def _counted(self, party: int) -> int:
        return sum(self.gaps_pd[pd] for pd in self.pds_of[party])

    # --- the search -------------------------------------------------------------------

    def run(self, budget: int, stop: Callable[[], bool] | None = None) -> Annealed:
        before = self.total
        best_value = (self.excess(), self.total)
        best_units = list(self.unit)
        tries = work = 0
        if self.movable:
            rng, movable = self.rng, self.movable
            temperature = FIRST_TEMPERATURE
            while work < budget:
                tries += 1
                work += 1
                if tries % 256 == 0:
                    if stop is not None and stop():
                        break
                    done = work / budget
                    temperature = FIRST_TEMPERATURE * (LAST_TEMPERATURE / FIRST_TEMPERATURE) ** done
                i = movable[rng.randrange(len(movable))]
                domain = self.domain[i]
                unit = domain[rng.randrange(len(domain))]
                if unit == self.unit[i]:
                    continue
                chain = self._chain(i, unit)
                if chain is None:
                    continue
                work += len(chain)
                old = self.total + UNFAIR_COST * self.excess() + IDLE_COST * self.idle
                was = self.unit[i]
                if not self._swap(chain, was, unit):
                    continue
                new = self.total + UNFAIR_COST * self.excess() + IDLE_COST * self.idle
                if new <= old or rng.random() < math.exp((old - new) / temperature):
                    value = (self.excess(), self.total)
                    if value < best_value:
                        best_value, best_units = value, list(self.unit)
                else:
                    self._trade(chain, was, unit)
                    self._restore()
        return self._result(before, best_value, best_units, tries)

    def _chain(self, i: int, unit: int) -> list[int] | None:
        """The meetings that trade grains when ``i`` goes from its grain to ``unit``:
        ``i``, every meeting of its parties at ``unit``, every meeting of *their*
        parties at ``i``'s grain, and so on (a Kempe chain, as in timetabling: each
        party keeps at most one meeting per grain). When the room ``i`` needs is
        taken and none of its parties is in the way, one meeting holding that room
        starts a chain too. None when a meeting of the chain cannot move there."""
        was = self.unit[i]
        chain = [i]
        if not any(unit in self.owner[pd] for pd in self.counted_pds[i]):
            here = self.in_use.get((self.venue[i], unit), [])
            if len(here) >= self.rooms[self.venue[i]]:
                chain.append(here[self.rng.randrange(len(here))])
        seen = set(chain)
        k = 0
        while k < len(chain):
            meeting = chain[k]
            k += 1
            there = unit if self.unit[meeting] == was else was
            if there not in self.allowed[meeting]:
                return None
            for pd in self.counted_pds[meeting]:
                holder = self.owner[pd].get(there)
                if holder is not None and holder not in seen:
                    seen.add(holder)
                    chain.append(holder)
            if len(chain) > MOST_CHAIN:
                return None
        return chain

    def _swap(self, chain: list[int], was: int, unit: int) -> bool:
        """Trade the chain's two grains, if the rooms and the order rules allow it;
        False (nothing changed) if not."""
        self._trade(chain, was, unit)
        venues = {self.venue[i] for i in chain}
        if any(
            len(self.in_use.get((venue, at), [])) > self.rooms[venue]
            for venue in venues
            for at in (was, unit)
        ) or not all(self._ordered(i) for i in chain):
            self._trade(chain, was, unit)  # back
            return False
        # each party-day once: ``_restore`` puts back the first value saved
        self._recount(list(dict.fromkeys(pd for i in chain for pd in self.counted_pds[i])))
        return True

    def _trade(self, chain: list[int], was: int, unit: int) -> None:
        """Every meeting of the chain at one of the two grains goes to the other (the
        same call again puts them back); the gap counts are not touched."""
        for i in chain:
            self._vacate(i)
        for i in chain:
            self._place(i, unit if self.unit[i] == was else was)

    def _result(self, before: int, best: tuple[int, int], units: list[int], tries: int) -> Annealed:
        grain, assignments, moved = self.grain, [], 0
        for i, a in enumerate(self.held):
            meeting = a.meeting
            if units[i] * grain != a.start:
                moved += 1
                start = units[i] * grain
                a = Assignment(meeting, a.day, start, start + self.length[i], a.venue)
            assignments.append(a)
        placed = tuple(assign_rooms(self.scenario, assignments))
        return Annealed(placed, before, best[1], best[0], tries, moved)


def _gaps(mask: int) -> int:
    """Idle gaps in a day's mask of occupied grains: its runs of ones, less one."""
    return (mask & ~(mask << 1)).bit_count() - 1 if mask else 0


def _idle(mask: int) -> int:
    """Idle grains between the first and the last occupied grain of a day's mask."""
    if not mask:
        return 0
    return mask.bit_length() - (mask & -mask).bit_length() + 1 - mask.bit_count()
