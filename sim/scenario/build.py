"""Document -> domain model: parse times, resolve references, cross-check meaning.

Every check records a problem against the field it concerns and goes on, so a
user sees all that is wrong in one run. Only when nothing is wrong is the
frozen ``Scenario`` built.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sim.errors import Problem, ScenarioError
from sim.model import (
    OBJECTIVE_TIERS,
    Day,
    FixedEvent,
    Interval,
    MealWindows,
    Meeting,
    Party,
    Precedence,
    PrecedenceMode,
    Rules,
    Scenario,
    Status,
    Uncertainty,
    Venue,
)
from sim.scenario.build_uncertainty import build_uncertainty
from sim.scenario.document import (
    MeetingDoc,
    PeriodDoc,
    RequestMeetingDoc,
    ScenarioDoc,
    WindowOfDayDoc,
)
from sim.scenario.safe_yaml import Located
from sim.times import (
    LATEST_CLOCK,
    is_clock,
    parse_clock,
    parse_date,
    parse_datetime,
    parse_duration,
)

Path_ = tuple[str | int, ...]
_PLURALS = {"party": "parties"}
Z_90 = 1.2815515655446004  # the standard normal's 90th percentile


# Names in the time zone database that are not a place: "localtime" is whatever the
# machine is set to, "Factory" has no offset of its own, "posixrules" and the "posix/"
# and "right/" copies are installation details (the "right/" zones even count leap
# seconds). A plan read on another machine would move.
_NOT_PLACES = frozenset({"localtime", "factory", "posixrules"})


def _before(start: int, end: int) -> str:
    """How an end at or before its start is said: "when it starts" is no length."""
    return "when it starts" if end == start else "before it starts"


def _machine_dependent(zone: str) -> bool:
    return zone.lower() in _NOT_PLACES or zone.lower().startswith(("posix/", "right/"))


class _Builder:
    def __init__(self, doc: ScenarioDoc, located: Located) -> None:
        self.doc = doc
        self.located = located
        self.problems: list[Problem] = []
        self.zone: ZoneInfo | None = None
        self.epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        self.days: list[Day] = []
        self.grain = 5

    # -- reporting ------------------------------------------------------------------

    def error(self, path: Path_, message: str, hint: str = "") -> None:
        self.problems.append(self.located.problem(path, message, hint))

    def unknown(self, path: Path_, kind: str, name: str, known: Iterable[str]) -> None:
        import difflib  # imported here: only a bad file needs suggestions, not every start

        known = sorted(set(known))  # (an id given twice is said once here)
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        if close:
            hint = f"did you mean {close[0]!r}?"
        else:
            listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            hint = f"known {_PLURALS.get(kind, kind + 's')}: {listed}"
        self.error(path, f"unknown {kind} {name!r}", hint)

    # -- times ----------------------------------------------------------------------

    def minutes(self, local: dt.datetime) -> int:
        assert self.zone is not None
        return int((local.replace(tzinfo=self.zone) - self.epoch).total_seconds() // 60)

    def wall_clock(self, date: dt.date, minutes_after_midnight: int) -> int:
        """The minute at which the local clock shows that time on ``date``
        (the same reading as ``Scenario.at_clock``)."""
        local = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes_after_midnight)
        return self.minutes(local)

    def _shown(self, local: dt.datetime) -> dt.datetime | None:
        """The moment a local (naive) time is read as when the clocks skip it (an
        hour later, or 30 minutes on Lord Howe Island); None when it exists."""
        assert self.zone is not None
        shown = local.replace(tzinfo=self.zone).astimezone(dt.UTC).astimezone(self.zone)
        return None if shown.replace(tzinfo=None) == local else shown

    def _skipped(self, date: dt.date, minutes_after_midnight: int) -> dt.datetime | None:
        """``_shown`` for a time of day on ``date``."""
        local = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes_after_midnight)
        return self._shown(local)

    def first_real_clock(self, date: dt.date, minutes_after_midnight: int) -> int:
        """That time of day, or the first one after it that exists on ``date``: a daily
        period starting (or ending) in the hour the clocks skip begins (or ends) when
        they go on."""
        clock = minutes_after_midnight
        while self._skipped(date, clock) is not None and clock < minutes_after_midnight + 24 * 60:
            clock += 1
        return clock

    def refuse_skipped(self, path: Path_, date: dt.date, minutes_after_midnight: int) -> None:
        """An error when that time of day does not exist on ``date`` (the hour the
        clocks skip): it would be read as another time, as ``instant`` refuses."""
        shown = self._skipped(date, minutes_after_midnight)
        if shown is None:
            return
        assert self.zone is not None
        local = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes_after_midnight)
        # in the user's own notation: past 24:00 for the night after ``date``
        after = (shown.date() - date).days * 24 * 60 + shown.hour * 60 + shown.minute
        written = f"{minutes_after_midnight // 60:02d}:{minutes_after_midnight % 60:02d}"
        when = f"{written} on {date}"
        if minutes_after_midnight >= 24 * 60:
            when += f" ({local.strftime('%H:%M on %Y-%m-%d')})"
        self.error(
            path,
            f"{when} does not exist in {self.zone.key}: the clocks go forward then",
            f"write '{after // 60:02d}:{after % 60:02d}', the same moment",
        )

    def duration(self, path: Path_, value: str | int, *, on_grain: bool = True) -> int:
        try:
            minutes = parse_duration(value)
        except ValueError as exc:
            self.error(path, str(exc), "write a duration such as '45min' or '1h30'")
            return 0
        if on_grain and minutes % self.grain:
            self.error(
                path,
                f"{value!r} is not a multiple of the {self.grain}-minute grain",
                f"round it to {_round(minutes, self.grain)} minutes",
            )
        return minutes

    def instant(self, path: Path_, text: str, *, on_grain: bool = False) -> int:
        try:
            local = parse_datetime(text)
            minute = self.minutes(local)
        except ValueError as exc:
            self.error(path, str(exc), "write a date and time such as '2024-10-22 14:30'")
            return 0
        shown = self._shown(local)
        if shown is not None:
            # the hour the clocks skip: no moment shows it (it was read as another one)
            assert self.zone is not None
            self.error(
                path,
                f"{text!r} does not exist in {self.zone.key}: the clocks go forward then",
                f"write {shown.strftime('%Y-%m-%d %H:%M')}, the same moment",
            )
            return minute
        if on_grain and minute % self.grain:
            self.off_grain(path, f"{text!r} is", minute, local.hour * 60 + local.minute)
        return minute

    def off_grain(self, path: Path_, what: str, minute: int, clock: int) -> None:
        """A time off the grain. The grain counts minutes from the first day's local
        midnight: after a clock change of less than the grain (Lord Howe's is 30
        minutes), a time on the grain by the clock is off it by elapsed time."""
        shift = (minute - clock) % self.grain
        if clock % self.grain == 0 and shift:
            fits = math.gcd(self.grain, shift)
            self.error(
                path,
                f"{what} on the {self.grain}-minute grain by the clock, but the clocks "
                f"have moved {shift} minutes since the first day began, and the grain "
                "counts the minutes that pass",
                f"use grain: {fits}min",
            )
        else:
            self.error(path, f"{what} not on the {self.grain}-minute grain")

    def clock(self, path: Path_, text: str) -> int:
        try:
            return parse_clock(text, latest=LATEST_CLOCK)
        except ValueError as exc:
            self.error(
                path,
                str(exc),
                "write a time of day such as '14:30' (past midnight: '25:30' for 01:30)",
            )
            return 0

    def periods(self, path: Path_, periods: Sequence[PeriodDoc]) -> tuple[Interval, ...]:
        """Absolute intervals; a period given by times of day repeats on every day."""
        result: list[Interval] = []
        for index, period in enumerate(periods):
            here = (*path, index)
            both_clock = is_clock(period.start) and is_clock(period.end)
            if both_clock:
                if period.date is not None:
                    date = self.date((*here, "date"), period.date)
                    dates = [date] if date is not None else []
                else:
                    dates = [day.date for day in self.days]
                for date in dates:
                    asked = [self.clock((*here, n), getattr(period, n)) for n in ("start", "end")]
                    clocks = asked
                    if period.date is not None:  # its one date: a skipped time is refused
                        known = len(self.problems)
                        self.refuse_skipped((*here, "start"), date, clocks[0])
                        self.refuse_skipped((*here, "end"), date, clocks[1])
                        if len(self.problems) > known:
                            break  # (not also "ends when it starts": it was read shifted)
                    else:  # a daily period: the part of it that exists that night
                        clocks = [self.first_real_clock(date, c) for c in asked]
                    start, end = (self.wall_clock(date, c) for c in clocks)
                    if end <= start and asked[0] < asked[1]:
                        continue  # a daily period wholly in the hour the clocks skip
                    if end <= start:
                        self.error((*here, "end"), f"the period ends {_before(start, end)}")
                        break
                    result.append(Interval(start, end))
                continue
            if is_clock(period.start) or is_clock(period.end):
                self.error(
                    here,
                    "mixes a time of day with a date and time",
                    "write both as '2024-10-22 14:30', or both as '14:30' with 'date'",
                )
                continue
            if period.date is not None:
                self.error((*here, "date"), "'date' is only for times of day", "remove it")
            start = self.instant((*here, "start"), period.start)
            end = self.instant((*here, "end"), period.end)
            if end <= start:
                self.error((*here, "end"), f"the period ends {_before(start, end)}")
                continue
            if not any(day.window.overlaps(start, end) for day in self.days):
                self.error(here, "lies outside every summit day", self.days_hint())
                continue
            result.append(Interval(start, end))
        return tuple(sorted(result))

    def date(self, path: Path_, text: str) -> dt.date | None:
        try:
            date = parse_date(text)
        except ValueError as exc:
            self.error(path, str(exc))
            return None
        if self.days and date not in {d.date for d in self.days}:
            self.error(path, f"{text} is not a summit day", self.days_hint())
        return date

    def days_hint(self) -> str:
        if not self.days:
            return ""
        first, last = self.days[0], self.days[-1]
        return f"the summit runs from {first.date} to {last.date}"

    # -- sections -------------------------------------------------------------------

    def build(self, sha256: str) -> Scenario:
        doc = self.doc
        self.grain = self.duration(("grain",), doc.grain, on_grain=False)
        if self.problems:
            self.grain = 5
        elif self.grain <= 0 or 60 % self.grain:
            self.error(("grain",), f"grain must divide an hour, got {self.grain}", "use 5min")
            self.grain = 5
        try:
            if _machine_dependent(doc.timezone):
                self.error(
                    ("timezone",),
                    f"time zone {doc.timezone!r} is not a place: its meaning depends on the "
                    "machine that reads the scenario",
                    "use the IANA name of the summit's city, such as 'Europe/Moscow'",
                )
            self.zone = ZoneInfo(doc.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.error(
                ("timezone",),
                f"unknown time zone {doc.timezone!r}",
                "use an IANA name such as 'Europe/Moscow'",
            )
            self.zone = ZoneInfo("UTC")
        self.build_days()
        if self.problems:
            # Without valid days and grain every time below would be wrong, and
            # its messages noise.
            raise ScenarioError(_unique(self.problems))
        venues = self.build_venues()
        venue_ids = [v.id for v in venues]
        travel = self.build_travel(venue_ids)
        parties = self.build_parties(venue_ids)
        party_ids = [p.id for p in parties]
        events = self.build_events(venue_ids, parties)
        meetings = self.build_meetings(venue_ids, party_ids, events)
        rules = self.build_rules(party_ids)
        self.check_travel_complete(travel, venues, parties, events, meetings)
        self.check_party_events(parties, events, travel)
        if not any(p.principal for p in parties):
            self.error(
                ("parties",),
                "no party is a principal",
                "mark the host (or each delegation whose meetings are planned) 'principal: true'",
            )
        uncertainty = self.build_uncertainty(parties, meetings, venue_ids, [e.id for e in events])
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: (p.line or 0, p.column or 0))
            raise ScenarioError(_unique(ordered))
        return Scenario(
            id=doc.id,
            name=doc.name.strip() or doc.id,  # (an empty name would head every page)
            description=doc.description,
            timezone=doc.timezone,
            grain=self.grain,
            epoch=self.epoch,
            days=tuple(self.days),
            venues=tuple(venues),
            travel=travel,
            parties=tuple(parties),
            fixed_events=tuple(events),
            meetings=tuple(meetings),
            rules=rules,
            uncertainty=uncertainty,
            source_sha256=sha256,
        )

    def build_days(self) -> None:
        dates: list[dt.date] = []
        for index, day in enumerate(self.doc.days):
            parsed = self.date(("days", index, "date"), day.date)
            if parsed is None:
                continue
            date = parsed
            if date in dates:
                self.error(("days", index, "date"), f"the day {date} is listed twice")
            if dates and date < dates[-1]:
                self.error(("days", index, "date"), "days must be listed in order")
            dates.append(date)
        if len(dates) < len(self.doc.days):
            return  # every later time is measured from the days: build() stops here
        assert self.zone is not None
        first = dt.datetime.combine(min(dates), dt.time(), tzinfo=self.zone)
        self.epoch = first.astimezone(dt.UTC)
        for index, (day, date) in enumerate(zip(self.doc.days, dates, strict=True)):
            # Times of day are read on the local wall clock of their date
            # (Scenario.at_clock), as meal windows and latest_end are everywhere else.
            known = len(self.problems)  # a bad start or end is said once, not twice
            clocks = {
                "start": self.clock(("days", index, "start"), day.start),
                "end": self.clock(("days", index, "end"), day.end),
            }
            for name in ("start", "end"):
                self.refuse_skipped(("days", index, name), date, clocks[name])
            start = self.wall_clock(date, clocks["start"])
            end = self.wall_clock(date, clocks["end"])
            if clocks["start"] >= 24 * 60:
                # a day is headed by its date: one that begins on the next date is
                # that date's day (times past 24:00 are for a night past midnight)
                self.error(
                    ("days", index, "start"),
                    f"{day.start!r} is past midnight: the day would begin on the next date",
                    f"write date {date + dt.timedelta(days=1)} and start "
                    f"'{clocks['start'] // 60 - 24:02d}:{clocks['start'] % 60:02d}'",
                )
            if end <= start:
                if len(self.problems) == known:
                    self.error(("days", index, "end"), f"the day ends {_before(start, end)}")
                end = start + self.grain
            for name, minute, text in (("start", start, day.start), ("end", end, day.end)):
                if minute % self.grain:
                    wall = clocks[name] % (24 * 60)
                    self.off_grain(("days", index, name), f"{text!r} is", minute, wall)
            if self.days and start < self.days[-1].window.end:
                # a night past midnight must be over before the next day begins
                self.error(
                    ("days", index, "start"),
                    "the day starts before the previous day ends",
                    "end the previous day earlier, or start this one later",
                )
            self.days.append(Day(index, date, Interval(start, end)))

    def build_venues(self) -> list[Venue]:
        venues: list[Venue] = []
        seen: set[str] = set()
        for index, venue in enumerate(self.doc.venues):
            if venue.id in seen:
                self.error(("venues", index, "id"), f"the venue id {venue.id!r} is used twice")
            seen.add(venue.id)
            venues.append(Venue(venue.id, venue.name.strip() or venue.id, venue.rooms))
        return venues

    def build_travel(self, venue_ids: list[str]) -> dict[tuple[str, str], int]:
        travel: dict[tuple[str, str], int] = {}
        for index, leg in enumerate(self.doc.travel):
            here: Path_ = ("travel", index)
            if leg.between is not None and (leg.from_ is not None or leg.to is not None):
                self.error(here, "give either 'between' or 'from'/'to', not both")
                continue
            if leg.between is not None:
                a, b = leg.between
                pairs = [(a, b), (b, a)]
                names: list[tuple[Path_, str]] = [
                    ((*here, "between", 0), a),
                    ((*here, "between", 1), b),
                ]
            elif leg.from_ is not None and leg.to is not None:
                pairs = [(leg.from_, leg.to)]
                names = [((*here, "from"), leg.from_), ((*here, "to"), leg.to)]
            else:
                self.error(here, "a travel entry needs 'between: [a, b]' or both 'from' and 'to'")
                continue
            bad = False
            for path, name in names:
                if name not in venue_ids:
                    self.unknown(path, "venue", name, venue_ids)
                    bad = True
            if pairs[0][0] == pairs[0][1]:
                self.error(here, "travel from a venue to itself is always zero", "remove it")
                continue
            minutes = self.duration((*here, "time"), leg.time, on_grain=False)
            if bad:
                continue
            for pair in pairs:
                if pair in travel:
                    self.error(here, f"travel from {pair[0]} to {pair[1]} is given twice")
                travel[pair] = minutes
        return travel

    def build_parties(self, venue_ids: list[str]) -> list[Party]:
        parties: list[Party] = []
        seen: set[str] = set()
        summit = Interval(self.days[0].window.start, self.days[-1].window.end)
        for index, doc in enumerate(self.doc.parties):
            here: Path_ = ("parties", index)
            if doc.id in seen:
                self.error((*here, "id"), f"the party id {doc.id!r} is used twice")
            seen.add(doc.id)
            if doc.base is not None and doc.base not in venue_ids:
                self.unknown((*here, "base"), "venue", doc.base, venue_ids)
            arrival = self.instant((*here, "arrival"), doc.arrival) if doc.arrival else summit.start
            departure = (
                self.instant((*here, "departure"), doc.departure) if doc.departure else summit.end
            )
            if departure <= arrival:
                # the field the file gives is the one to blame (an arrival alone: the
                # departure is the summit's end)
                field, hint = "departure", f"{self.days_hint()}; or leave the party out"
                if doc.arrival and not doc.departure:
                    field, said = "arrival", "arrives after the summit's last day ends"
                elif doc.departure and not doc.arrival:
                    said = "departs before the summit's first day starts"
                else:
                    when = "at the moment it arrives" if departure == arrival else "before arriving"
                    said, hint = f"departs {when}", "departure must come after arrival"
                self.error((*here, field), said, hint)
                departure = arrival
            elif not summit.overlaps(arrival, departure):
                self.error((*here, "arrival"), "is not present on any summit day", self.days_hint())
            parties.append(
                Party(
                    id=doc.id,
                    name=doc.name.strip() or doc.id,
                    title=doc.title,
                    rank=doc.rank,
                    languages=tuple(doc.languages),
                    presence=Interval(arrival, departure),
                    unavailable=self.periods((*here, "unavailable"), doc.unavailable),
                    max_meetings_per_day=doc.max_meetings_per_day,
                    base=doc.base,
                    principal=doc.principal,
                )
            )
        return parties

    def build_events(self, venue_ids: list[str], parties: list[Party]) -> list[FixedEvent]:
        events: list[FixedEvent] = []
        seen: set[str] = set()
        party_ids = [p.id for p in parties]
        for index, doc in enumerate(self.doc.fixed_events):
            here: Path_ = ("fixed_events", index)
            if doc.id in seen:
                self.error((*here, "id"), f"the event id {doc.id!r} is used twice")
            seen.add(doc.id)
            if doc.venue not in venue_ids:
                self.unknown((*here, "venue"), "venue", doc.venue, venue_ids)
            known = len(self.problems)  # a bad start or end is said once, not twice
            start = self.instant((*here, "start"), doc.start)
            if (doc.end is None) == (doc.duration is None):
                self.error(here, "give the event's 'end' or its 'duration' (one of the two)")
                end = start + self.grain
            elif doc.end is not None:
                end = self.instant((*here, "end"), doc.end)
            else:
                assert doc.duration is not None
                end = start + self.duration((*here, "duration"), doc.duration, on_grain=False)
            if end <= start:
                if len(self.problems) == known and doc.end is None:
                    self.error(
                        (*here, "duration"), "an event must last some time", "give 5min or more"
                    )
                elif len(self.problems) == known:
                    self.error((*here, "end"), f"the event ends {_before(start, end)}")
                end = start + self.grain
            day = next((d for d in self.days if d.window.contains(start, end)), None)
            if day is None:
                self.error(
                    (*here, "start"),
                    "the event does not lie inside one summit day's working window",
                    self.days_hint() + "; widen the day's start/end",
                )
            for offset, party_id in enumerate(doc.except_):
                if party_id not in party_ids:
                    self.unknown((*here, "except", offset), "party", party_id, party_ids)
            if doc.except_ and doc.attendees != "all":
                # docs/planning-rules.md: an explicit list names who attends; an
                # exception beside it is a contradiction or a slip, never silent
                self.error(
                    (*here, "except"),
                    "except applies only to attendees: all",
                    "leave the party out of the attendees list, or use attendees: all",
                )
            if doc.attendees == "all":
                attendees = tuple(
                    p.id
                    for p in parties
                    if p.presence.contains(start, end) and p.id not in doc.except_
                )
                everyone = True
            else:
                attendees_list: list[str] = []
                for offset, party_id in enumerate(doc.attendees):
                    where = (*here, "attendees", offset)
                    party = next((p for p in parties if p.id == party_id), None)
                    if party is None:
                        self.unknown(where, "party", party_id, party_ids)
                    elif not party.presence.contains(start, end):
                        self.error(
                            where,
                            f"{party_id} is not present for the whole event",
                            "change the party's arrival/departure or the attendees",
                        )
                    elif party_id in attendees_list:
                        self.error(where, f"{party_id} is listed twice")
                    else:
                        attendees_list.append(party_id)
                attendees = tuple(attendees_list)
                everyone = False
            events.append(
                FixedEvent(
                    doc.id,
                    doc.name.strip() or doc.id,
                    doc.kind,
                    Interval(start, end),
                    doc.venue,
                    attendees,
                    everyone,
                )
            )
        return events

    def build_meeting(
        self,
        here: Path_,
        doc: MeetingDoc,
        venue_ids: list[str],
        party_ids: list[str],
    ) -> Meeting:
        for offset, party_id in enumerate(doc.parties):
            if party_id not in party_ids:
                self.unknown((*here, "parties", offset), "party", party_id, party_ids)
        if len(set(doc.parties)) != len(doc.parties):
            self.error((*here, "parties"), "a party is listed twice", "list each party once")
        before = len(self.problems)
        duration = self.duration((*here, "duration"), doc.duration)
        if duration <= 0 and len(self.problems) == before:
            self.error((*here, "duration"), "a meeting must last longer than zero")
        min_duration = duration
        if doc.min_duration is not None:
            before = len(self.problems)
            min_duration = self.duration((*here, "min_duration"), doc.min_duration)
            if len(self.problems) > before:
                min_duration = duration
            elif not 0 < min_duration <= duration:
                self.error(
                    (*here, "min_duration"),
                    f"must lie between one grain and the duration ({duration} min)",
                )
                min_duration = duration
        venues = tuple(doc.venues) if doc.venues is not None else tuple(venue_ids)
        for offset, venue_id in enumerate(venues):
            if venue_id not in venue_ids:
                self.unknown((*here, "venues", offset), "venue", venue_id, venue_ids)
        if not venues:
            self.error((*here, "venues"), "no venue is allowed", "list at least one venue")
        if doc.required and doc.status is Status.TENTATIVE:
            self.error(
                (*here, "required"),
                "a tentative meeting cannot be required",
                "confirm it (status: confirmed) or make it optional with a weight",
            )
        pinned_start = None
        if doc.pinned is not None:
            pinned_start = self.instant((*here, "pinned"), doc.pinned, on_grain=True)
            if self.days and not any(
                d.window.contains(pinned_start, pinned_start + duration) for d in self.days
            ):
                self.error(
                    (*here, "pinned"),
                    "the pinned meeting does not fit inside a summit day's working window",
                    self.days_hint(),
                )
        if doc.pinned_venue is not None and doc.pinned_venue not in venues:
            self.error(
                (*here, "pinned_venue"),
                f"{doc.pinned_venue!r} is not among the meeting's allowed venues",
                f"allowed: {', '.join(venues)}",
            )
        return Meeting(
            id=doc.id,
            parties=tuple(doc.parties),
            duration=duration,
            min_duration=min_duration,
            required=doc.required,
            weight=doc.weight,
            venues=venues,
            windows=self.periods((*here, "windows"), doc.windows),
            preferred=self.periods((*here, "preferred"), doc.preferred),
            format=doc.format,
            after=tuple(doc.after),
            before=tuple(doc.before),
            same_day_as=tuple(doc.same_day_as),
            pinned_start=pinned_start,
            pinned_venue=doc.pinned_venue,
            status=doc.status,
            title=doc.title,
            headline=doc.headline,
        )

    def build_meetings(
        self, venue_ids: list[str], party_ids: list[str], events: list[FixedEvent]
    ) -> list[Meeting]:
        meetings: list[Meeting] = []
        seen: set[str] = set()
        event_ids = {e.id for e in events}
        for index, doc in enumerate(self.doc.meetings):
            here: Path_ = ("meetings", index)
            if doc.id in seen:
                self.error((*here, "id"), f"the meeting id {doc.id!r} is used twice")
            if doc.id in event_ids:
                self.error((*here, "id"), f"{doc.id!r} is already a fixed event's id")
            seen.add(doc.id)
            meetings.append(self.build_meeting(here, doc, venue_ids, party_ids))
        principals = {p.id for p in self.doc.parties if p.principal}
        for index, meeting in enumerate(meetings):
            here = ("meetings", index)
            if principals and not principals.intersection(meeting.parties):
                self.error(
                    (*here, "parties"),
                    "none of the meeting's parties is a principal, so nobody plans it",
                    "mark one of them 'principal: true'",
                )
            for relation in ("after", "before", "same_day_as"):
                for offset, other in enumerate(getattr(meeting, relation)):
                    if other == meeting.id:
                        self.error((*here, relation, offset), "a meeting cannot refer to itself")
                    elif other not in seen:
                        self.unknown((*here, relation, offset), "meeting", other, seen)
        if not self.problems:
            self.order_cycles(meetings)
        return meetings

    def order_cycles(self, meetings: list[Meeting]) -> None:
        """Order relations (``after``, ``before``) that go round in a circle: no plan
        can hold every meeting of the circle, and the planner would drop one with a
        reason that does not say why. One problem per circle, at the entry that
        closes it (a depth-first walk: an entry back to a meeting on the walk)."""
        # edges: earlier -> later, each with where it is written
        later: dict[str, list[tuple[str, Path_]]] = {m.id: [] for m in meetings}
        for i, m in enumerate(meetings):
            for offset, other in enumerate(m.after):
                later[other].append((m.id, ("meetings", i, "after", offset)))
            for offset, other in enumerate(m.before):
                later[m.id].append((other, ("meetings", i, "before", offset)))
        done: set[str] = set()
        named: set[frozenset[str]] = set()
        for root in later:
            if root in done:
                continue
            walk = [root]
            entries = [iter(later[root])]
            while walk:
                step = next(entries[-1], None)
                if step is None:
                    done.add(walk.pop())
                    entries.pop()
                    continue
                other, where = step
                if other in walk:
                    circle = walk[walk.index(other) :]
                    if frozenset(circle) not in named:
                        named.add(frozenset(circle))
                        words = " before ".join(repr(m) for m in [*circle, circle[0]])
                        self.error(
                            where,
                            f"the order relations go round in a circle: {words}; no plan "
                            "can hold all of these meetings",
                            "remove one of these after/before entries",
                        )
                elif other not in done:
                    walk.append(other)
                    entries.append(iter(later[other]))

    def build_rules(self, party_ids: list[str]) -> Rules:
        doc = self.doc.rules
        listed: set[str] = set()
        for offset, party_id in enumerate(doc.precedence.order):
            if party_id not in party_ids:
                self.unknown(("rules", "precedence", "order", offset), "party", party_id, party_ids)
            elif party_id in listed:
                self.error(
                    ("rules", "precedence", "order", offset),
                    f"{party_id!r} is listed twice",
                    "give each party one place in the order",
                )
            listed.add(party_id)
        if doc.precedence.mode is PrecedenceMode.ORDER and not doc.precedence.order:
            self.error(
                ("rules", "precedence", "order"),
                "mode 'order' needs the order of parties",
                "list party ids, most senior first",
            )
        max_continuous = None
        if doc.max_continuous is not None:
            max_continuous = self.duration(("rules", "max_continuous"), doc.max_continuous)
        latest_end = self.clock(("rules", "latest_end"), doc.latest_end) if doc.latest_end else None
        prefer_end_by = (
            self.clock(("rules", "prefer_end_by"), doc.prefer_end_by) if doc.prefer_end_by else None
        )
        meals = doc.meal_windows
        return Rules(
            objectives=self.objectives(doc.objectives),
            fairness=doc.fairness,
            reserve_quantile=doc.reserve_quantile,
            buffer=self.duration(("rules", "buffer"), doc.buffer, on_grain=False),
            max_meetings_per_day=doc.max_meetings_per_day,
            max_continuous=max_continuous,
            min_break=self.duration(("rules", "min_break"), doc.min_break, on_grain=False),
            precedence=Precedence(
                doc.precedence.mode, tuple(doc.precedence.order), doc.precedence.hard
            ),
            latest_end=latest_end,
            prefer_end_by=prefer_end_by,
            meal_windows=MealWindows(
                breakfast=self.window_of_day(
                    ("rules", "meal_windows", "breakfast"), meals.breakfast
                ),
                lunch=self.window_of_day(("rules", "meal_windows", "lunch"), meals.lunch),
                dinner=self.window_of_day(("rules", "meal_windows", "dinner"), meals.dinner),
            ),
        )

    def objectives(self, names: list[str]) -> tuple[str, ...]:
        """The tiers in the scenario's order: each a known tier, named once."""
        seen: set[str] = set()
        for offset, name in enumerate(names):
            path: Path_ = ("rules", "objectives", offset)
            if name not in OBJECTIVE_TIERS:
                import difflib  # imported here, as in unknown()

                close = difflib.get_close_matches(name, OBJECTIVE_TIERS, n=1, cutoff=0.5)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.error(
                    path,
                    f"unknown objective {name!r}",
                    f"{hint}valid objectives: {', '.join(OBJECTIVE_TIERS)}",
                )
            elif name in seen:
                self.error(path, f"objective {name!r} is listed twice", "list each once")
            seen.add(name)
        return tuple(names)

    def window_of_day(self, path: Path_, doc: WindowOfDayDoc) -> Interval:
        start, end = self.clock((*path, "start"), doc.start), self.clock((*path, "end"), doc.end)
        if end <= start:
            self.error((*path, "end"), f"the window ends {_before(start, end)}")
            return Interval(start, start)
        return Interval(start, end)

    # -- cross-checks ------------------------------------------------------------------

    def check_travel_complete(
        self,
        travel: dict[tuple[str, str], int],
        venues: list[Venue],
        parties: list[Party],
        events: list[FixedEvent],
        meetings: list[Meeting],
    ) -> None:
        known = {v.id for v in venues}
        in_use = {e.venue for e in events} | {p.base for p in parties if p.base}
        for meeting in meetings:
            in_use.update(meeting.venues)
        for scripted in self.doc.uncertainty.scripted:
            # A meeting requested on the day may go to any of its venues too.
            if isinstance(scripted, RequestMeetingDoc):
                in_use.update(scripted.request.venues or known)
        in_use &= known
        ordered = list(dict.fromkeys(v.id for v in venues if v.id in in_use))  # (once each)
        # With no travel section at all, point at the venues that need it.
        where: Path_ = ("travel",) if "travel" in self.located.value else ("venues",)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                there, back = (a, b) not in travel, (b, a) not in travel
                if there and back:
                    self.error(
                        where,
                        f"no travel time between {a} and {b}",
                        f"add '- {{between: [{a}, {b}], time: 20min}}' with the real time",
                    )
                elif there or back:
                    origin, destination = (a, b) if there else (b, a)
                    self.error(
                        where,
                        f"no travel time from {origin} to {destination}",
                        f"add '- {{from: {origin}, to: {destination}, time: 20min}}' "
                        "with the real time",
                    )

    def check_party_events(
        self,
        parties: list[Party],
        events: list[FixedEvent],
        travel: dict[tuple[str, str], int],
    ) -> None:
        index_of = {e.id: i for i, e in enumerate(events)}
        for party in parties:
            own = sorted((e for e in events if party.id in e.attendees), key=lambda e: e.time)
            for first, second in pairwise(own):
                here: Path_ = ("fixed_events", index_of[second.id], "start")
                if second.time.start < first.time.end:
                    self.error(
                        here,
                        f"{party.id} would be at {first.id} and {second.id} at once",
                        "move one of them or change the attendees",
                    )
                    continue
                leg = (
                    0 if first.venue == second.venue else travel.get((first.venue, second.venue), 0)
                )
                if second.time.start - first.time.end < leg:
                    self.error(
                        here,
                        f"{party.id} cannot travel from {first.id} at {first.venue} to "
                        f"{second.id} at {second.venue} in time ({leg} min needed)",
                        "move one of them or change the attendees",
                    )
            for offset, period in enumerate(party.unavailable):
                clash = next((e for e in own if period.overlaps(e.time.start, e.time.end)), None)
                if clash is not None:
                    pi = [p.id for p in parties].index(party.id)
                    self.error(
                        ("parties", pi, "unavailable", offset),
                        f"{party.id} is unavailable during {clash.id}, which it attends",
                        "change the period or the event's attendees",
                    )

    def build_uncertainty(
        self,
        parties: list[Party],
        meetings: list[Meeting],
        venue_ids: list[str],
        event_ids: list[str],
    ) -> Uncertainty:
        principals = {p.id for p in self.doc.parties if p.principal}
        return build_uncertainty(
            self, self.doc.uncertainty, principals, parties, meetings, venue_ids, event_ids
        )


def build_scenario(doc: ScenarioDoc, located: Located, sha256: str) -> Scenario:
    """Build the domain model from a shape-valid document, or raise ScenarioError."""
    return _Builder(doc, located).build(sha256)


def _round(minutes: int, grain: int) -> int:
    return max(grain, round(minutes / grain) * grain)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    result = []
    for problem in problems:
        if str(problem) not in seen:
            seen.add(str(problem))
            result.append(problem)
    return result
