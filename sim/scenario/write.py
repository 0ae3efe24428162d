"""Domain model -> scenario document: write a ``Scenario`` back in the file format.

The loader turns what people write ('2024-10-22 14:30', '1h30', a period that
repeats every day) into minutes; this module turns minutes back into those
forms, so that loading what it writes gives an equal scenario:
``load_scenario_text(scenario_to_yaml(s)) == s``. Values equal to the format's
defaults are left out, as a person would leave them out.

Two things cannot be written back because the model does not keep them: the
``reason`` of an unavailable period and a lognormal given by ``p90`` (it is
written by its ``sigma``). Mixture weights are written normalised.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

import yaml

from sim.model import (
    DEFAULT_OBJECTIVES,
    MINUTES_PER_DAY,
    Distribution,
    DistributionKind,
    EventKind,
    FixedEvent,
    Interval,
    MealWindows,
    Meeting,
    MeetingFormat,
    Party,
    Precedence,
    Rank,
    Rules,
    Scenario,
    ScriptedEvent,
    ScriptedKind,
    Status,
    Uncertainty,
)
from sim.scenario.safe_yaml import reads_as_text
from sim.times import format_clock, format_datetime, format_duration

Document = dict[str, Any]

# As a header line: editors then check a file in scenarios/ against the JSON Schema.
SCHEMA_HEADER = "yaml-language-server: $schema=../docs/scenario.schema.json"


def scenario_to_yaml(scenario: Scenario, header: str = "") -> str:
    """The scenario as YAML text; ``header`` (comment lines) goes first."""
    return document_to_yaml(scenario_to_document(scenario), header)


def document_to_yaml(document: Document, header: str = "") -> str:
    """A scenario document as YAML text in the bundled scenarios' style."""
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    return "\n".join([*lines, body]) if lines else body


def scenario_to_document(scenario: Scenario) -> Document:
    """The scenario as the plain data of a document (what ``yaml.safe_load`` would give)."""
    return _Writer(scenario).document()


class _Writer:
    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.summit = Interval(scenario.days[0].window.start, scenario.days[-1].window.end)
        self.venue_ids = tuple(v.id for v in scenario.venues)

    # -- times --------------------------------------------------------------------

    def local(self, minute: int) -> str:
        """'2024-10-22 14:30' for a minute offset; refuses the second pass through
        the hour a DST change repeats, which that form cannot tell apart."""
        text = format_datetime(self.s.to_datetime(minute))
        if self.s.minutes_from(dt.datetime.strptime(text, "%Y-%m-%d %H:%M")) != minute:
            raise ValueError(f"minute {minute} ({text}, repeated by a clock change) has no name")
        return text

    def day_clock(self, minute: int, day_index: int) -> str:
        """A time of day as the loader reads it: the local wall clock on that day's date
        (``Scenario.at_clock``); refuses a minute that reading cannot give back."""
        day = self.s.days[day_index]
        local = self.s.to_datetime(minute)
        clock = (local.date() - day.date).days * MINUTES_PER_DAY + local.hour * 60 + local.minute
        if self.s.at_clock(day, clock) != minute:
            raise ValueError(f"minute {minute} is not a wall-clock time of day {day.date}")
        return format_clock(clock)

    def date_of(self, interval: Interval) -> int | None:
        """The summit day whose calendar date holds ``interval`` entirely, if any."""
        for day in self.s.days:
            midnight = self.s.midnight(day)
            if midnight <= interval.start and interval.end <= midnight + MINUTES_PER_DAY:
                return day.index
        return None

    def periods(self, intervals: Sequence[Interval]) -> list[Document]:
        """Periods as people write them: one time-of-day period for each span that
        recurs on every summit day, a dated one for each other span within a day,
        and absolute date-times for a span across midnight."""
        placed: list[tuple[int, str, str]] = []
        absolute: list[Document] = []
        for interval in intervals:
            index = self.date_of(interval)
            if index is None:
                absolute.append(
                    {"start": self.local(interval.start), "end": self.local(interval.end)}
                )
            else:
                start = self.day_clock(interval.start, index)
                placed.append((index, start, self.day_clock(interval.end, index)))
        by_clock = Counter((start, end) for _, start, end in placed)
        per_day = Counter(placed)
        days = range(len(self.s.days))
        result: list[Document] = []
        for start, end in sorted(by_clock):
            every_day = min(per_day[(i, start, end)] for i in days)
            result += [{"start": start, "end": end}] * every_day
            for i in days:
                for _ in range(per_day[(i, start, end)] - every_day):
                    date = self.s.days[i].date.isoformat()
                    result.append({"start": start, "end": end, "date": date})
        return result + absolute

    # -- sections -----------------------------------------------------------------

    def document(self) -> Document:
        s = self.s
        doc: Document = {"version": 1, "id": s.id, "name": s.name}
        if s.description:
            doc["description"] = s.description
        doc["timezone"] = s.timezone
        doc["grain"] = format_duration(s.grain)
        doc["days"] = [
            {
                "date": day.date.isoformat(),
                "start": self.day_clock(day.window.start, day.index),
                "end": self.day_clock(day.window.end, day.index),
            }
            for day in s.days
        ]
        doc["venues"] = [
            {"id": v.id, **({"name": v.name} if v.name != v.id else {}), "rooms": v.rooms}
            for v in s.venues
        ]
        doc["travel"] = self.travel()
        doc["parties"] = [self.party(p) for p in s.parties]
        doc["fixed_events"] = [self.event(e) for e in s.fixed_events]
        doc["meetings"] = [self.meeting(m) for m in s.meetings]
        doc["rules"] = self.rules(s.rules)
        uncertainty = self.uncertainty(s.uncertainty)
        if uncertainty:
            doc["uncertainty"] = uncertainty
        return doc

    def travel(self) -> list[Document]:
        order = {v: i for i, v in enumerate(self.venue_ids)}
        legs = sorted(
            self.s.travel.items(),
            key=lambda item: (order.get(item[0][0], len(order)), order.get(item[0][1], len(order))),
        )
        result: list[Document] = []
        written: set[tuple[str, str]] = set()
        for (a, b), minutes in legs:
            if (a, b) in written:
                continue
            if self.s.travel.get((b, a)) == minutes and (b, a) not in written:
                result.append({"between": [a, b], "time": format_duration(minutes)})
                written |= {(a, b), (b, a)}
            else:
                result.append({"from": a, "to": b, "time": format_duration(minutes)})
                written.add((a, b))
        return result

    def party(self, p: Party) -> Document:
        doc: Document = {"id": p.id, "name": p.name}
        if p.title:
            doc["title"] = p.title
        if p.rank is not Rank.OTHER:
            doc["rank"] = p.rank.value
        if p.languages:
            doc["languages"] = list(p.languages)
        if p.principal:
            doc["principal"] = True
        if p.base is not None:
            doc["base"] = p.base
        if p.presence.start != self.summit.start:
            doc["arrival"] = self.local(p.presence.start)
        if p.presence.end != self.summit.end:
            doc["departure"] = self.local(p.presence.end)
        if p.unavailable:
            doc["unavailable"] = self.periods(p.unavailable)
        if p.max_meetings_per_day is not None:
            doc["max_meetings_per_day"] = p.max_meetings_per_day
        return doc

    def event(self, e: FixedEvent) -> Document:
        doc: Document = {"id": e.id, "name": e.name}
        if e.kind is not EventKind.OTHER:
            doc["kind"] = e.kind.value
        doc["start"] = self.local(e.time.start)
        doc["duration"] = format_duration(e.time.length)
        doc["venue"] = e.venue
        if e.everyone:
            doc["attendees"] = "all"
            # "all" means everyone present for the whole event: name who is left out.
            absent = self.s.left_out_of(e)
            if absent:
                doc["except"] = list(absent)
        else:
            doc["attendees"] = list(e.attendees)
        return doc

    def meeting(self, m: Meeting) -> Document:
        doc: Document = {"id": m.id}
        if m.title:
            doc["title"] = m.title
        doc["parties"] = list(m.parties)
        doc["duration"] = format_duration(m.duration)
        if m.min_duration != m.duration:
            doc["min_duration"] = format_duration(m.min_duration)
        if m.required:
            doc["required"] = True
        if m.weight != 1:
            doc["weight"] = m.weight
        if m.headline:
            doc["headline"] = True
        if m.venues != self.venue_ids:
            doc["venues"] = list(m.venues)
        if m.windows:
            doc["windows"] = self.periods(m.windows)
        if m.preferred:
            doc["preferred"] = self.periods(m.preferred)
        if m.format is not MeetingFormat.TALKS:
            doc["format"] = m.format.value
        for relation in ("after", "before", "same_day_as"):
            if getattr(m, relation):
                doc[relation] = list(getattr(m, relation))
        if m.pinned_start is not None:
            doc["pinned"] = self.local(m.pinned_start)
        if m.pinned_venue is not None:
            doc["pinned_venue"] = m.pinned_venue
        if m.status is not Status.CONFIRMED:
            doc["status"] = m.status.value
        return doc

    def rules(self, r: Rules) -> Document:
        doc: Document = {"buffer": format_duration(r.buffer)}
        if r.max_meetings_per_day is not None:
            doc["max_meetings_per_day"] = r.max_meetings_per_day
        if r.max_continuous is not None:
            doc["max_continuous"] = format_duration(r.max_continuous)
        doc["min_break"] = format_duration(r.min_break)
        if r.precedence != Precedence():
            precedence: Document = {"mode": r.precedence.mode.value}
            if r.precedence.order:
                precedence["order"] = list(r.precedence.order)
            if r.precedence.hard:
                precedence["hard"] = True
            doc["precedence"] = precedence
        if r.latest_end is not None:
            doc["latest_end"] = format_clock(r.latest_end)
        if r.prefer_end_by is not None:
            doc["prefer_end_by"] = format_clock(r.prefer_end_by)
        if r.meal_windows != MealWindows():
            meals = r.meal_windows
            doc["meal_windows"] = {
                name: {"start": format_clock(window.start), "end": format_clock(window.end)}
                for name, window in (
                    ("breakfast", meals.breakfast),
                    ("lunch", meals.lunch),
                    ("dinner", meals.dinner),
                )
            }
        if r.objectives != DEFAULT_OBJECTIVES:
            doc["objectives"] = list(r.objectives)
        if r.fairness is not None:
            doc["fairness"] = r.fairness
        if r.reserve_quantile != Rules().reserve_quantile:
            doc["reserve_quantile"] = r.reserve_quantile
        return doc

    def uncertainty(self, u: Uncertainty) -> Document:
        default = Uncertainty()
        doc: Document = {}
        for key, value, fallback in (
            ("meeting_duration", u.meeting_duration_factor, default.meeting_duration_factor),
            ("headline_meeting_duration", u.headline_duration_factor, None),
            ("arrival_delay", u.arrival_delay, default.arrival_delay),
            ("travel_time", u.travel_factor, default.travel_factor),
            ("fixed_event_overrun", u.fixed_event_overrun, default.fixed_event_overrun),
        ):
            if value is not None and value != fallback:
                doc[key] = _distribution(value)
        if u.cancellation_probability:
            doc["cancellation_probability"] = u.cancellation_probability
        if u.additions_per_planned:
            doc["additions_per_planned"] = u.additions_per_planned
        if u.walkout_wait is not None:
            doc["walkout"] = {
                "after_waiting": format_duration(u.walkout_wait),
                "probability": u.walkout_probability,
            }
        if u.scripted:
            doc["scripted"] = [self.scripted(event) for event in u.scripted]
        return doc

    def scripted(self, e: ScriptedEvent) -> Document:
        doc: Document = {"event": e.kind.value}
        if e.kind in (
            ScriptedKind.CANCEL_PARTY,
            ScriptedKind.DELAY_ARRIVAL,
            ScriptedKind.LEAVE_EARLY,
        ):
            doc["party"] = e.party
        if e.kind in (ScriptedKind.CANCEL_MEETING, ScriptedKind.OVERRUN, ScriptedKind.MOVE_MEETING):
            doc["meeting"] = e.meeting
        if e.kind is ScriptedKind.EVENT_OVERRUN:
            doc["fixed_event"] = e.fixed_event
        if e.kind in (ScriptedKind.OVERRUN, ScriptedKind.DELAY_ARRIVAL, ScriptedKind.EVENT_OVERRUN):
            doc["by"] = format_duration(e.minutes)
        elif e.kind is ScriptedKind.MOVE_MEETING:
            assert e.to is not None, "a move_meeting event needs its new start"
            doc["to"] = self.local(e.to)
            if e.at is not None:  # else announced at the opening of the day
                doc["at"] = self.local(e.at)
        else:
            assert e.at is not None, f"a {e.kind.value} event needs its time"
            doc["at"] = self.local(e.at)
        if e.kind is ScriptedKind.LEAVE_EARLY and e.announced is not None:
            doc["announced"] = self.local(e.announced)
        if e.kind is ScriptedKind.REQUEST_MEETING:
            assert e.request is not None, "a request_meeting event needs its request"
            doc["request"] = self.meeting(e.request)
            if e.start is not None:
                doc["start"] = self.local(e.start)
        return doc


def _distribution(d: Distribution) -> Document:
    doc: Document = {"dist": d.kind.value}
    if d.kind is DistributionKind.MIXTURE:
        doc["components"] = [
            {**_distribution(inner), "weight": weight} for weight, inner in d.components
        ]
    else:
        doc.update(d.params)
    if d.shift:
        doc["shift"] = d.shift
    if d.cap is not None:
        doc["cap"] = d.cap
    return doc


# --- YAML style ------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Short mappings and lists of names on one line, as in the bundled scenarios;
    text that would read back as a number, boolean or null is quoted."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # repeated periods are written out, not as &anchors


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = None if reads_as_text(text) else "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _is_short(value: Any) -> bool:
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return False
    scalar = (str, int, float, bool, type(None))
    simple = all(
        isinstance(v, scalar) or (isinstance(v, list) and all(isinstance(x, scalar) for x in v))
        for v in items
    )
    return simple and len(repr(value)) <= 80


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=_is_short(data))


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    flow = _is_short(data) and not any(isinstance(v, dict | list) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)
