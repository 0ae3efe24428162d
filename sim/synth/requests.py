"""The meeting requests of a generated summit (see ``sim.synth.summit``).

Requests go round the principals (the host twice as often), each to the guest
it has asked least so far, so pairs repeat only once every pair is used. Their
lengths follow the density; a few become required, the rest get the rarer
features. Order relations always point from an earlier request to a later one,
so they never form a cycle; pinned requests take part in none.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from sim.scenario.write import Document
from sim.synth.draft import BUFFER, DAY_END, DAY_START, LATEST_END, SummitDraft
from sim.times import format_clock, format_duration, parse_duration

DURATIONS = (15, 20, 30, 45, 60, 75, 90, 120)
REQUIRED_SHARE = 0.08  # of all requests, within the caps in choose_required()
REQUIRED_PER_PRINCIPAL_DAY = 2
# Rates of the rarer features, per request (optional ones only, but TRILATERAL).
TRILATERAL, WINDOW, PREFERRED, PIN, MEAL = 0.05, 0.05, 0.1, 0.03, 0.05
AFTER, BEFORE, SAME_DAY = 0.05, 0.02, 0.03
HEADLINE, TENTATIVE, MIN_DURATION, VENUE_SUBSET = 0.05, 0.1, 0.2, 0.15
WEIGHTS_BY_RANK = {"head_of_state": (3, 11), "head_of_government": (2, 8)}
SENIORITY = ("other", "head_of_organisation", "head_of_government", "head_of_state")


class MeetingPlanner:
    """Draws the requests of one draft summit whose programme is already set."""

    def __init__(self, draft: SummitDraft) -> None:
        self.g = draft
        self.rng: np.random.Generator = draft.rng
        self.principals = draft.party_ids[: draft.size.principals]
        self.meetings: list[Document] = []
        self.pinned: set[int] = set()
        self.venue_pins: list[tuple[str, int, int, int]] = []  # venue, day, start, end

    def plan(self) -> list[Document]:
        for _ in range(self.g.size.requests):
            self.meetings.append(self.request())
        self.lengths()
        required = self.choose_required()
        for index, meeting in enumerate(self.meetings):
            if index not in required:
                self.features(index, meeting)
        for index, meeting in enumerate(self.meetings):
            if index not in required and index not in self.pinned:
                self.relations(index, meeting)
        return self.meetings

    # -- who meets whom -----------------------------------------------------------

    def request(self) -> Document:
        weights = np.array([2.0] + [1.0] * (len(self.principals) - 1))
        principal = self.principals[
            int(self.rng.choice(len(self.principals), p=weights / weights.sum()))
        ]
        asked = Counter(p for m in self.meetings if principal in m["parties"] for p in m["parties"])
        others = [p for p in self.g.party_ids if p != principal]
        fewest = min(asked[p] for p in others)
        guest = self.g.pick([p for p in others if asked[p] == fewest])
        parties = [principal, guest]
        if len(others) > 1 and self.g.chance(TRILATERAL):
            parties.append(self.g.pick([p for p in others if p != guest]))
        base = "-".join(parties)
        taken = {m["id"] for m in self.meetings}
        ident = (
            base
            if base not in taken
            else next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)
        )
        meeting: Document = {"id": ident}
        if len(parties) > 2:
            meeting["title"] = "Trilateral talks"
        meeting["parties"] = parties
        return meeting

    def lengths(self) -> None:
        """Durations such that each principal's requests fill ``density`` of its free time."""
        days = self.g.size.days
        free: dict[str, float] = {}
        for p in self.principals:
            busy = sum(e - s for d in range(days) for s, e in self.g.busy.get((p, d), []))
            count = sum(p in m["parties"] for m in self.meetings) or 1
            free[p] = self.g.size.density * (days * (LATEST_END - DAY_START) - busy) / count
        for meeting in self.meetings:
            mean = min(free[p] for p in meeting["parties"] if p in free)
            target = mean * float(self.rng.lognormal(0.0, 0.3))
            duration = min(DURATIONS, key=lambda d: abs(d - target))
            meeting["duration"] = format_duration(duration)

    def choose_required(self) -> set[int]:
        """A few short bilaterals with guests present throughout; at most two per
        principal per day and one per guest, so all of them always fit."""
        size = self.g.size
        wanted = round(REQUIRED_SHARE * size.requests)
        count: Counter[str] = Counter()
        chosen: set[int] = set()
        whole = ((DAY_START, DAY_END), (DAY_START, DAY_END))
        for index in self.rng.permutation(len(self.meetings)):
            meeting = self.meetings[int(index)]
            parties = meeting["parties"]
            if len(chosen) >= wanted or len(parties) > 2:
                continue
            if any(self.g.presence[p] != whole for p in parties):
                continue
            limits = [
                REQUIRED_PER_PRINCIPAL_DAY * size.days if p in self.principals else 1
                for p in parties
            ]
            if any(count[p] >= limit for p, limit in zip(parties, limits, strict=True)):
                continue
            count.update(parties)
            chosen.add(int(index))
            meeting["duration"] = format_duration(min(parse_duration(meeting["duration"]), 45))
            meeting["required"] = True
            meeting["weight"] = 10
        return chosen

    # -- the rarer features -------------------------------------------------------

    def features(self, index: int, meeting: Document) -> None:
        g = self.g
        duration = parse_duration(meeting["duration"])
        guest_rank = max((g.ranks[p] for p in meeting["parties"][1:]), key=SENIORITY.index)
        low, high = WEIGHTS_BY_RANK.get(guest_rank, (1, 6))
        meeting["weight"] = int(self.rng.integers(low, high))
        if g.chance(MIN_DURATION) and duration >= 30:
            meeting["min_duration"] = format_duration(duration - 15)
        if g.chance(HEADLINE):
            meeting["headline"] = True
            meeting["weight"] = int(self.rng.integers(8, 21))
        if len(g.venue_ids) > 1 and g.chance(VENUE_SUBSET):
            size = int(self.rng.integers(1, len(g.venue_ids)))
            chosen = sorted(self.rng.choice(len(g.venue_ids), size=size, replace=False))
            meeting["venues"] = [g.venue_ids[int(i)] for i in chosen]
        if g.chance(WINDOW):
            day = int(self.rng.integers(g.size.days))
            start = g.on_grain(DAY_START, 15 * 60)
            end = min(start + g.on_grain(180, 360), DAY_END)
            if g.chance(0.5):
                window = {"start": g.at(day, start), "end": g.at(day, end)}
            else:
                date = g.dates[day].isoformat()
                window = {"start": format_clock(start), "end": format_clock(end), "date": date}
            meeting["windows"] = [window]
        if g.chance(PREFERRED):
            morning = g.chance(0.5)
            meeting["preferred"] = [
                {"start": "09:00", "end": "12:00"}
                if morning
                else {"start": "14:00", "end": "18:00"}
            ]
        pinned = g.chance(PIN) and self.pin(index, meeting, duration)
        if not pinned and g.chance(MEAL):  # a pin need not fall in a meal window
            meal = ("lunch", "breakfast", "dinner")[int(self.rng.choice(3, p=[0.6, 0.3, 0.1]))]
            meeting["format"] = meal
            meeting["duration"] = format_duration(g.pick((60, 90)))
            meeting.pop("min_duration", None)
        if g.chance(TENTATIVE):
            meeting["status"] = "tentative"

    def pin(self, index: int, meeting: Document, duration: int) -> bool:
        """Pin the meeting at a time all its parties are free, with room to travel."""
        g = self.g
        margin = BUFFER + max(g.travel.values(), default=0)
        parties = meeting["parties"]
        for _ in range(30):
            day = int(self.rng.integers(g.size.days))
            start = g.on_grain(DAY_START + margin, LATEST_END - duration - margin)
            span = (start, start + duration)
            if not all(g.present(p, day, span) for p in parties):
                continue
            if not g.free(parties, day, span, margin):
                continue
            venue = g.pick(meeting.get("venues", g.venue_ids)) if g.chance(0.5) else None
            if venue is not None and any(
                v == venue and d == day and s < span[1] and span[0] < e
                for v, d, s, e in self.venue_pins
            ):
                continue  # another pin holds that venue then (it may have one room)
            meeting.pop("windows", None)  # the announced time is what counts
            meeting["pinned"] = g.at(day, start)
            if venue is not None:
                meeting["pinned_venue"] = venue
                self.venue_pins.append((venue, day, *span))
            for p in parties:
                g.busy.setdefault((p, day), []).append(span)
            self.pinned.add(index)
            return True
        return False

    def relations(self, index: int, meeting: Document) -> None:
        g = self.g
        principal = meeting["parties"][0]

        def related(indices: range) -> list[str]:
            return [
                self.meetings[i]["id"]
                for i in indices
                if i not in self.pinned and principal in self.meetings[i]["parties"]
            ]

        earlier, later = related(range(index)), related(range(index + 1, len(self.meetings)))
        if earlier and g.chance(AFTER):
            meeting["after"] = [g.pick(earlier)]
        if later and g.chance(BEFORE):
            meeting["before"] = [g.pick(later)]
        if (earlier or later) and g.chance(SAME_DAY):
            meeting["same_day_as"] = [g.pick(earlier + later)]
