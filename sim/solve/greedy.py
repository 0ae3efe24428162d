"""A greedy baseline: required meetings first (the most constrained first), then by
weight, each at its earliest feasible slot at its nominal length, or, when none is
left and the scenario allows shortening, at the longest shorter length that fits
(shorten before dropping). It is what a careful person with a spreadsheet would
do, and the benchmark shows what the optimiser gains over it. It does not
search: a meeting that fits nowhere is placed only when moving one other meeting
elsewhere makes room (``_Plan.repair``), so it can fail to place a required
meeting that a search would fit.
When the scenario counts gaps (``compact_days``, the fairness rule) a last pass
moves meetings one at a time to close them (``_compact``).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from sim.model import Meeting, Scenario
from sim.schedule import Assignment, Schedule, SolverSettings, SolveStatus, Unscheduled
from sim.solve.candidates import alternatives
from sim.solve.rooms import assign_rooms

# Open slots counted per required meeting before it is no longer "most constrained".
OPEN_ENOUGH = 64

# Fit tests that the repairs of optional meetings spend in all, per meeting of the
# summit: a count rather than a clock, so that the plan is the same on every run. A
# generated 300-request summit: weight left out 170 -> 133 for about 1 s more (100
# per meeting: 141; 1,000: 133 for 2.5 s more; unbounded: 121 in 46 s). Required
# meetings' repairs are not bounded.
REPAIR_WORK_PER_MEETING = 330

# A place for a meeting, in the order ``_Plan.fits`` and ``_Plan.place`` take it:
# (day, venue, start, length).
Slot = tuple[int, str, int, int]


@dataclass(frozen=True)
class _Engagement:
    start: int
    end: int
    venue: str
    is_meeting: bool


class _Plan:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.by_party: dict[tuple[str, int], list[_Engagement]] = defaultdict(list)
        self.placed: dict[str, Assignment] = {}
        self.slots_of: dict[str, list[Slot]] = {}
        # fit tests the repairs of optional meetings may still spend (``repair``)
        self.repair_work = REPAIR_WORK_PER_MEETING * len(scenario.meetings)
        # the meetings whose order or same-day relations name a meeting: a fit test
        # reads these, not every meeting of the summit (it was most of the greedy's
        # time on a 300-meeting forum)
        self.named_by: dict[str, list[Meeting]] = defaultdict(list)
        for other in scenario.meetings:
            for named in {*other.after, *other.before, *other.same_day_as}:
                self.named_by[named].append(other)
        for event in scenario.fixed_events:
            day = scenario.day_containing(event.time.start, event.time.end)
            if day is None:
                continue
            for party in event.attendees:
                self.by_party[(party, day.index)].append(
                    _Engagement(event.time.start, event.time.end, event.venue, False)
                )

    def _gap_ok(self, party_id: str, day: int, new: _Engagement) -> bool:
        """Whether ``new`` keeps the party's day feasible. Only the pairs that hold it are
        tested (the others were when placed; the programme's own are not ours to
        judge), unsorted: this is the greedy's innermost test."""
        scenario, rules = self.scenario, self.scenario.rules
        party = scenario.party_by_id[party_id]
        engagements = self.by_party[(party_id, day)]
        head = tail = new
        for other in engagements:
            first, second = (other, new) if other.start <= new.start else (new, other)
            gap = scenario.travel_time(first.venue, second.venue) + rules.buffer
            if second.start < first.end + gap:
                return False
            if other.start < head.start:
                head = other
            if other.end > tail.end:
                tail = other
        if party.base is not None:
            window = scenario.days[day].window
            start_ok = max(window.start, party.presence.start)
            end_ok = min(window.end, party.presence.end)
            if head is new and new.start < start_ok + scenario.travel_time(party.base, new.venue):
                return False
            if tail is new and new.end + scenario.travel_time(new.venue, party.base) > end_ok:
                return False
        if rules.max_continuous is not None:
            items = sorted([*engagements, new], key=lambda e: e.start)
            block_start, has_meeting, last_end = items[0].start, items[0].is_meeting, None
            for item in items:
                if last_end is not None and item.start - last_end >= rules.min_break:
                    block_start, has_meeting = item.start, False
                has_meeting = has_meeting or item.is_meeting
                if has_meeting and item.end - block_start > rules.max_continuous:
                    return False
                last_end = item.end if last_end is None else max(last_end, item.end)
        return True

    def fits(self, meeting: Meeting, day: int, venue: str, start: int, length: int) -> bool:
        scenario, rules = self.scenario, self.scenario.rules
        end = start + length
        new = _Engagement(start, end, venue, True)
        for party_id in meeting.parties:
            limit = scenario.party_by_id[party_id].max_meetings_per_day
            limit = rules.max_meetings_per_day if limit is None else limit
            today = [e for e in self.by_party[(party_id, day)] if e.is_meeting]
            if limit is not None and len(today) >= limit:
                return False
            if not self._gap_ok(party_id, day, new):
                return False
        rooms = scenario.venue_by_id[venue].rooms
        overlapping = [
            a for a in self.placed.values() if a.venue == venue and a.start < end and start < a.end
        ]
        if len(overlapping) >= rooms:
            # Interval graphs: the count at the busiest instant decides; check it exactly.
            points = sorted({start, *(a.start for a in overlapping if start <= a.start < end)})
            for t in points:
                if sum(1 for a in overlapping if a.start <= t < a.end) >= rooms:
                    return False
        return self._relations_ok(meeting, day, start, end)

    def _relations_ok(self, meeting: Meeting, day: int, start: int, end: int) -> bool:
        placed = self.placed
        for other in meeting.after:
            if other in placed and start < placed[other].end:
                return False
        for other in meeting.before:
            if other in placed and placed[other].start < end:
                return False
        for other_meeting in self.named_by.get(meeting.id, ()):
            if other_meeting.id not in placed:
                continue
            placed_other = placed[other_meeting.id]
            if meeting.id in other_meeting.after and placed_other.start < end:
                return False
            if meeting.id in other_meeting.before and start < placed_other.end:
                return False
            if meeting.id in other_meeting.same_day_as and placed_other.day != day:
                return False
        return all(placed[o].day == day for o in meeting.same_day_as if o in placed)

    def place(self, meeting: Meeting, day: int, venue: str, start: int, length: int) -> None:
        end = start + length
        self.placed[meeting.id] = Assignment(meeting.id, day, start, end, venue)
        for party_id in meeting.parties:
            self.by_party[(party_id, day)].append(_Engagement(start, end, venue, True))

    def remove(self, meeting: Meeting) -> Assignment:
        placed = self.placed.pop(meeting.id)
        gone = _Engagement(placed.start, placed.end, placed.venue, True)
        for party_id in meeting.parties:
            self.by_party[(party_id, placed.day)].remove(gone)
        return placed

    def put_back(self, meeting: Meeting, was: Assignment) -> None:
        """Place ``meeting`` where ``remove`` took it from."""
        self.place(meeting, was.day, was.venue, was.start, was.end - was.start)

    def in_the_way(self, meeting: Meeting, slot: Slot, *, rooms: bool) -> list[str]:
        """The placed meetings of ``meeting``'s parties on the slot's day, and with
        ``rooms`` also those holding a room of its venue during it."""
        by_id, parties = self.scenario.meeting_by_id, set(meeting.parties)
        day, venue, start, length = slot
        return sorted(
            other
            for other, a in self.placed.items()
            if a.day == day
            and (
                bool(set(by_id[other].parties) & parties)
                or (rooms and a.venue == venue and a.start < start + length and start < a.end)
            )
        )

    def repair(self, meeting: Meeting, slots: list[Slot]) -> bool:
        """Place ``meeting`` (which fits no open slot) by moving one meeting of its
        parties, or one in the way of a room, elsewhere: for each of its slots, each
        meeting in the way is taken out, and kept out only if this one then fits and
        that one fits elsewhere (its slots in ``slots_of``). One level deep: cheap,
        and it places most of what the plain greedy order leaves out. An optional
        meeting's repair spends at most ``repair_work`` fit tests (shared by all)."""
        by_id = self.scenario.meeting_by_id
        bounded = not meeting.required
        for day, venue, start, length in slots:
            if bounded and self.repair_work <= 0:
                return False
            in_the_way = sorted(
                self.in_the_way(meeting, (day, venue, start, length), rooms=True),
                key=lambda other: (by_id[other].required, by_id[other].weight, other),
            )
            for other_id in in_the_way:
                other = by_id[other_id]
                was = self.remove(other)
                self.repair_work -= 1
                if self.fits(meeting, day, venue, start, length):
                    self.place(meeting, day, venue, start, length)
                    moved = None
                    for o in self.slots_of[other_id]:
                        self.repair_work -= 1
                        if self.fits(other, *o):
                            moved = o
                            break
                    if moved is not None:
                        self.place(other, *moved)
                        return True
                    self.remove(meeting)
                self.put_back(other, was)
        return False


def greedy_schedule(scenario: Scenario) -> Schedule:
    """Required meetings first, the one with the fewest slots still open each time
    (the most constrained: a meeting with many options can still go elsewhere), then
    the others by weight (ties by id); each at its earliest feasible slot.

    Hard precedence is not attempted: the baseline is for comparison, not for use.
    """
    plan = _Plan(scenario)
    # the nominal length's slots first, earliest first; then each shorter length's
    options = {
        m.id: sorted(
            (
                (alt.day, alt.venue, start, alt.length)
                for alt in alternatives(scenario, m)
                for start in alt.allowed_starts()
            ),
            key=lambda slot: (-slot[3], slot[2], slot[0], slot[1]),
        )
        for m in scenario.meetings
    }
    plan.slots_of = options
    unscheduled: list[Unscheduled] = []

    def place(meeting: Meeting, open_slots: list[Slot]) -> None:
        if not open_slots:
            if plan.repair(meeting, options[meeting.id]):
                return
            unscheduled.append(Unscheduled(meeting.id, "greedy: no feasible slot left"))
            return
        plan.place(meeting, *open_slots[0])

    def first_open(meeting: Meeting) -> list[Slot]:
        slot = next((o for o in options[meeting.id] if plan.fits(meeting, *o)), None)
        return [] if slot is None else [slot]

    def open_count(meeting: Meeting) -> int:
        """Open slots, counted up to OPEN_ENOUGH: beyond that a meeting is not the
        most constrained, and a summit of whole days at many venues has tens of
        thousands of slots per meeting."""
        count = 0
        for slot in options[meeting.id]:
            if plan.fits(meeting, *slot):
                count += 1
                if count >= OPEN_ENOUGH:
                    break
        return count

    required = sorted((m for m in scenario.meetings if m.required), key=lambda m: m.id)
    open_now = {m.id: open_count(m) for m in required}
    while required:
        meeting = min(required, key=lambda m: (open_now[m.id], -m.weight, m.id))
        required.remove(meeting)
        place(meeting, first_open(meeting))
        # only meetings of the same parties lose slots to it (a room taken is seen
        # when a meeting is placed: the counts only choose the order)
        for other in required:
            if set(other.parties) & set(meeting.parties):
                open_now[other.id] = open_count(other)
    optional = sorted(
        (m for m in scenario.meetings if not m.required), key=lambda m: (-m.weight, m.id)
    )
    for meeting in optional:
        place(meeting, first_open(meeting))
    if "compact_days" in scenario.rules.objectives or scenario.rules.fairness is not None:
        _compact(plan)
    missing_required = any(scenario.meeting_by_id[u.meeting].required for u in unscheduled)
    status = SolveStatus.UNKNOWN if missing_required else SolveStatus.FEASIBLE
    return Schedule(
        scenario_id=scenario.id,
        scenario_sha256=scenario.source_sha256,
        status=status,
        settings=SolverSettings(time_limit=0.0, seed=0, workers=1),
        assignments=tuple(assign_rooms(scenario, list(plan.placed.values()))),
        unscheduled=tuple(unscheduled),
    )


def gaps_of(scenario: Scenario, assignments: list[Assignment]) -> dict[str, int]:
    """Each party's idle gaps in a plan (docs/planning-rules.md, "Compact days"): on
    each day, consecutive engagements with at least one grain more between them than
    the buffer (when a meeting is one of them) and the travel ask. The planner's own
    count, for the fairness rule."""
    plan = _Plan(scenario)  # the programme's engagements, per party and day
    for a in assignments:
        plan.place(scenario.meeting_by_id[a.meeting], a.day, a.venue, a.start, a.end - a.start)
    counts = {p.id: 0 for p in scenario.parties}
    for party, day in plan.by_party:
        counts[party] += _day_gaps(plan, party, day)
    return counts


def _day_gaps(plan: _Plan, party: str, day: int) -> int:
    scenario = plan.scenario
    ordered = sorted(plan.by_party[(party, day)], key=lambda e: (e.start, e.end))
    count = 0
    for earlier, later in itertools.pairwise(ordered):
        needed = scenario.travel_time(earlier.venue, later.venue)
        if earlier.is_meeting or later.is_meeting:
            needed += scenario.rules.buffer
        if later.start - earlier.end >= needed + scenario.grain:
            count += 1
    return count


# The work the compacting pass may do, in fit tests times meetings placed (a fit test
# reads the placed meetings of the venue): counted rather than timed so that the plan
# is the same on every run; about 200,000 tests on the 302 meetings of B2B forum-14
# (the whole greedy 2.7 s), fewer on a larger summit so that the pass stays within
# seconds.
COMPACT_WORK = 60_000_000


def _compact(plan: _Plan) -> None:
    """Move meetings to close their parties' gaps: what the fairness rule forbids
    first (a party's gaps above the fewest any party has plus ``rules.fairness``),
    then the total. A plan made earliest-first leaves holes that a forum's fairness
    rule rejects: before this pass the greedy plan of 18 of the 20 B2B benchmark
    originals broke it, and it was no fallback. See ``_Compactor``."""
    _Compactor(plan).run()


class _Compactor:
    """Moves of one meeting to a slot of the same length, each kept only when it
    improves (fairness excess, total gaps), so the pass ends; when none is left and
    the fairness rule is still broken, a *kick*: a meeting of an unfair party takes a
    slot another meeting of its parties holds, and that one moves elsewhere."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.scenario = plan.scenario
        self.spread = self.scenario.rules.fairness
        self.counts = gaps_of(self.scenario, list(plan.placed.values()))
        self.best = self.score(self.counts)
        self.tries = 0
        self.most_tries = COMPACT_WORK // max(len(plan.placed), 1)

    def score(self, gaps: dict[str, int]) -> tuple[int, int]:
        if self.spread is None:
            return 0, sum(gaps.values())
        allowed = min(gaps.values(), default=0) + self.spread
        return sum(max(0, g - allowed) for g in gaps.values()), sum(gaps.values())

    def run(self) -> None:
        while self.best != (0, 0) and self.tries < self.most_tries:
            if not self.move_pass() and not (self.best[0] > 0 and self.kick_pass()):
                return

    def trial(self, meetings: list[Meeting]) -> dict[str, int]:
        """The gap counts with the plan as it stands, for these meetings' parties."""
        gaps = dict(self.counts)
        for party in {p for m in meetings for p in m.parties}:
            gaps[party] = sum(_day_gaps(self.plan, party, d.index) for d in self.scenario.days)
        return gaps

    def other_slots(self, meeting: Meeting, was: Assignment) -> list[Slot]:
        length = was.end - was.start
        here = (was.day, was.venue, was.start, length)
        return [s for s in self.plan.slots_of[meeting.id] if s[3] == length and s != here]

    def best_move(
        self, meeting: Meeting, was: Assignment, also: list[Meeting]
    ) -> tuple[Slot, tuple[int, int], dict[str, int]] | None:
        """The best slot for ``meeting`` (out of the plan) that improves on ``best``,
        counting the gaps of ``also`` too."""
        kept: tuple[Slot, tuple[int, int], dict[str, int]] | None = None
        for slot in self.other_slots(meeting, was):
            self.tries += 1
            if self.tries > self.most_tries:
                break
            if not self.plan.fits(meeting, *slot):
                continue
            self.plan.place(meeting, *slot)
            gaps = self.trial([meeting, *also])
            self.plan.remove(meeting)
            value = self.score(gaps)
            if value < self.best and (kept is None or value < kept[1]):
                kept = (slot, value, gaps)
        return kept

    def move_pass(self) -> bool:
        plan, by_id, improved = self.plan, self.scenario.meeting_by_id, False
        for meeting_id in sorted(plan.placed):
            meeting = by_id[meeting_id]
            was = plan.remove(meeting)
            kept = self.best_move(meeting, was, [])
            if kept is None:
                plan.put_back(meeting, was)
            else:
                plan.place(meeting, *kept[0])
                self.best, self.counts, improved = kept[1], kept[2], True
        return improved

    def kick_pass(self) -> bool:
        plan, by_id = self.plan, self.scenario.meeting_by_id
        allowed = min(self.counts.values(), default=0) + (self.spread or 0)
        unfair = {p for p, g in self.counts.items() if g > allowed}
        for meeting_id in sorted(plan.placed):
            meeting = by_id[meeting_id]
            if not unfair & set(meeting.parties):
                continue
            was = plan.remove(meeting)
            for slot in self.other_slots(meeting, was):
                if self.tries > self.most_tries:
                    break
                if self.kick(meeting, slot):
                    return True
            plan.put_back(meeting, was)
        return False

    def kick(self, meeting: Meeting, slot: Slot) -> bool:
        """Put ``meeting`` (out of the plan) at ``slot`` by moving one meeting of its
        parties that day elsewhere; True when that improves the plan (then kept)."""
        plan, by_id = self.plan, self.scenario.meeting_by_id
        for other_id in plan.in_the_way(meeting, slot, rooms=False):
            other = by_id[other_id]
            self.tries += 1
            moved = plan.remove(other)
            if plan.fits(meeting, *slot):
                plan.place(meeting, *slot)
                kept = self.best_move(other, moved, [meeting])
                if kept is not None:
                    plan.place(other, *kept[0])
                    self.best, self.counts = kept[1], kept[2]
                    return True
                plan.remove(meeting)
            plan.put_back(other, moved)
        return False
