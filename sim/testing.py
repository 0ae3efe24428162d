"""Hypothesis strategies for scenarios, so that users can property-test their own code.

``scenario_documents()`` draws the structure of a summit directly (so that
hypothesis can shrink a failing case to a small one) and is valid by
construction: every reference resolves, fixed events never clash, every time
lies on the grain and inside the summit. It draws the rarer parts too:
several principals, trilaterals, pins, windows, preferred times, working
meals, order relations, unavailable periods, custom rules, distributions and
scripted events, and ids such as ``NO`` or ``1e5`` that YAML 1.1 would mistype.
``scenario_yaml()`` writes such a document as text, ``scenarios()`` loads it.
``generated_scenario_yaml()`` draws from ``sim.synth.summit`` instead: realistic, bigger.

    from hypothesis import given
    from sim.testing import scenarios

    @given(scenarios(max_meetings=4))
    def test_my_planner(scenario): ...

Dates are drawn in June to August, when no time zone changes its clocks, so a
time of day is the same whichever way it is counted.
"""

from __future__ import annotations

import datetime as dt

try:
    from hypothesis import strategies as st
except ImportError as exc:
    raise ImportError("sim.testing needs hypothesis: pip install 'summit-sim[test]'") from exc

from sim.model import Scenario
from sim.scenario.load import load_scenario_text
from sim.scenario.write import Document, document_to_yaml
from sim.times import format_clock, format_duration

TIME_ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/New_York",
    "Australia/Sydney",
    "Pacific/Chatham",
)
# Ids a YAML 1.1 reader would turn into booleans, numbers or null.
TRICKY_IDS = ("NO", "yes", "on", "Off", "y", "null", "1e5", "123", "0x10", "1_000", "1.5", "True")
LANGUAGES = ("en", "fr", "NO", "no", "on", "de", "pt")
DISTRIBUTION_KINDS = ("fixed", "uniform", "normal", "exponential", "lognormal")

Draw = st.DrawFn


def _text(max_size: int = 20) -> st.SearchStrategy[str]:
    alphabet = st.characters(
        blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"), blacklist_characters="\ufeff"
    )
    return st.text(alphabet, max_size=max_size)


@st.composite
def scenario_documents(
    draw: Draw,
    /,
    *,
    max_parties: int = 5,
    max_meetings: int = 6,
    max_days: int = 2,
    max_venues: int = 3,
    max_events: int = 3,
) -> Document:
    """Valid scenario documents (plain data, times as text), small by default."""
    return _Drawing(draw).document(max_parties, max_meetings, max_days, max_venues, max_events)


@st.composite
def scenario_yaml(draw: Draw, /, **bounds: int) -> str:
    """Valid scenario files as YAML text; ``bounds`` as for ``scenario_documents``."""
    return document_to_yaml(draw(scenario_documents(**bounds)))


@st.composite
def scenarios(draw: Draw, /, **bounds: int) -> Scenario:
    """Valid, loaded ``Scenario`` objects; ``bounds`` as for ``scenario_documents``."""
    return load_scenario_text(draw(scenario_yaml(**bounds)), "<hypothesis>")


@st.composite
def generated_scenario_yaml(
    draw: Draw, /, *, max_parties: int = 8, max_requests: int = 15, max_days: int = 2
) -> str:
    """Scenarios from ``sim.synth.summit`` with drawn sizes and seed: realistic, less varied."""
    from sim.synth.summit import generate_scenario

    parties = draw(st.integers(2, max_parties))
    return generate_scenario(
        parties=parties,
        requests=draw(st.integers(0, max_requests)),
        days=draw(st.integers(1, max_days)),
        venues=draw(st.integers(1, 4)),
        principals=draw(st.integers(1, parties - 1)),
        density=draw(st.sampled_from((0.3, 0.7, 1.5))),
        seed=draw(st.integers(0, 2**32 - 1)),
    )


class _Drawing:
    """One scenario being drawn; times are (day index, minute of that day)."""

    def __init__(self, draw: Draw) -> None:
        self.draw = draw
        self.grain = 5
        self.dates: list[dt.date] = []
        self.windows: list[tuple[int, int]] = []  # each day's working window
        self.venues: list[str] = []
        self.travel_max = 0
        self.parties: list[str] = []
        self.principals: list[str] = []
        self.presence: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {}
        self.attends: dict[str, list[tuple[int, int, int]]] = {}  # party -> (day, start, end)

    def at(self, day: int, minute: int) -> str:
        return f"{self.dates[day].isoformat()} {format_clock(minute)}"

    def minute(self, low: int, high: int, grain: int | None = None) -> int:
        step = grain or self.grain
        return step * int(self.draw(st.integers(-(-low // step), high // step)))

    def document(
        self, max_parties: int, max_meetings: int, max_days: int, max_venues: int, max_events: int
    ) -> Document:
        draw = self.draw
        self.grain = draw(st.sampled_from((5, 10, 15)))
        doc: Document = {"version": 1, "id": draw(st.sampled_from(("summit", "s-1", "NO")))}
        doc["name"] = draw(_text())
        if draw(st.booleans()):
            doc["description"] = draw(_text(60))
        doc["timezone"] = draw(st.sampled_from(TIME_ZONES))
        doc["grain"] = draw(st.sampled_from((format_duration(self.grain), self.grain)))
        doc["days"] = self.days(draw(st.integers(1, max_days)))
        doc["venues"] = self.venue_list(draw(st.integers(1, max_venues)))
        doc["travel"] = self.travel()
        doc["parties"] = self.party_list(draw(st.integers(2, max(2, max_parties))))
        doc["fixed_events"] = self.events(draw(st.integers(0, max_events)))
        for party in doc["parties"]:
            self.unavailable(party)
        doc["meetings"] = self.meetings(draw(st.integers(0, max_meetings)))
        doc["rules"] = self.rules()
        meeting_ids = [m["id"] for m in doc["meetings"]]
        if draw(st.booleans()):
            doc["uncertainty"] = self.uncertainty(meeting_ids)
        return doc

    # -- calendar and places ------------------------------------------------------

    def days(self, count: int) -> list[Document]:
        first = self.draw(st.dates(dt.date(2025, 6, 1), dt.date(2025, 8, 1)))
        result = []
        date = first
        for _ in range(count):
            start = self.minute(6 * 60, 10 * 60, 30)
            end = self.minute(start + 6 * 60, 23 * 60, 30)
            self.dates.append(date)
            self.windows.append((start, end))
            day: Document = {"date": date.isoformat()}
            if (start, end) != (8 * 60, 22 * 60) or self.draw(st.booleans()):
                day |= {"start": format_clock(start), "end": format_clock(end)}
            result.append(day)
            date += dt.timedelta(days=self.draw(st.sampled_from((1, 1, 2))))
        return result

    def venue_list(self, count: int) -> list[Document]:
        self.venues = [f"v{i}" for i in range(count)]
        result = []
        for ident in self.venues:
            venue: Document = {"id": ident, "rooms": self.draw(st.integers(1, 3))}
            if self.draw(st.booleans()):
                venue["name"] = self.draw(_text())
            result.append(venue)
        return result

    def travel(self) -> list[Document]:
        result: list[Document] = []
        for i, a in enumerate(self.venues):
            for b in self.venues[i + 1 :]:
                there, back = (self.draw(st.integers(0, 60)) for _ in range(2))
                if self.draw(st.booleans()):
                    result.append({"between": [a, b], "time": format_duration(there)})
                    back = there
                else:
                    result.append({"from": a, "to": b, "time": there})
                    result.append({"from": b, "to": a, "time": format_duration(back)})
                self.travel_max = max(self.travel_max, there, back)
        return result

    # -- who ----------------------------------------------------------------------

    def party_list(self, count: int) -> list[Document]:
        draw = self.draw
        pool = draw(st.permutations(TRICKY_IDS + tuple(f"p{i}" for i in range(count))))
        self.parties = list(pool[:count])
        principals = draw(st.integers(1, count - 1))
        self.principals = self.parties[:principals]
        last = len(self.dates) - 1
        result = []
        for ident in self.parties:
            party: Document = {"id": ident, "name": draw(_text())}
            if draw(st.booleans()):
                party["title"] = draw(_text())
            if draw(st.booleans()):
                party["rank"] = draw(
                    st.sampled_from(("head_of_state", "head_of_government", "head_of_organisation"))
                )
            if draw(st.booleans()):
                party["languages"] = draw(st.lists(st.sampled_from(LANGUAGES), max_size=2))
            if ident in self.principals:
                party["principal"] = True
            if draw(st.booleans()):
                party["base"] = draw(st.sampled_from(self.venues))
            arrive, leave = (0, self.windows[0][0]), (last, self.windows[last][1])
            if draw(st.integers(0, 3)) == 0:
                lo, hi = self.windows[0]
                arrive = (0, draw(st.integers(lo, hi - 60)))
                party["arrival"] = self.at(*arrive)
            if draw(st.integers(0, 3)) == 0:
                lo, hi = self.windows[last]
                earliest = arrive[1] + 30 if last == 0 else lo
                leave = (last, draw(st.integers(earliest, hi)))
                party["departure"] = self.at(*leave)
            if draw(st.integers(0, 4)) == 0:
                party["max_meetings_per_day"] = draw(st.integers(0, 5))
            self.presence[ident] = (arrive, leave)
            self.attends[ident] = []
            result.append(party)
        return result

    def present(self, party: str, day: int, start: int, end: int) -> bool:
        (day_in, arrive), (day_out, leave) = self.presence[party]
        after_arrival = day > day_in or start >= arrive
        before_leaving = day < day_out or end <= leave
        return after_arrival and before_leaving

    def events(self, count: int) -> list[Document]:
        """Fixed events, each day's far enough apart to travel between, so none clash."""
        draw, result = self.draw, []
        cursor = {day: self.windows[day][0] for day in range(len(self.dates))}
        for index in range(count):
            day = draw(st.integers(0, len(self.dates) - 1))
            lo, hi = cursor[day], self.windows[day][1]
            if hi - lo < 15:
                continue
            start = draw(st.integers(lo, hi - 15))
            end = draw(st.integers(start + 1, min(start + 180, hi)))
            cursor[day] = end + self.travel_max
            event: Document = {
                "id": f"e{index}",
                "name": draw(_text()),
                "start": self.at(day, start),
                "venue": draw(st.sampled_from(self.venues)),
            }
            if draw(st.booleans()):
                event["kind"] = draw(st.sampled_from(("plenary", "meal", "press", "ceremony")))
            if draw(st.booleans()):
                event["end"] = self.at(day, end)
            else:
                event["duration"] = format_duration(end - start)
            present = [p for p in self.parties if self.present(p, day, start, end)]
            if draw(st.booleans()):
                left_out = draw(st.lists(st.sampled_from(self.parties), unique=True, max_size=2))
                if draw(st.booleans()):
                    event["attendees"] = "all"
                if left_out:
                    event["except"] = left_out
                attending = [p for p in present if p not in left_out]
            else:
                attending = draw(st.lists(st.sampled_from(present), unique=True)) if present else []
                event["attendees"] = attending
            for party in attending:
                self.attends[party].append((day, start, end))
            result.append(event)
        return result

    def unavailable(self, party: Document) -> None:
        """At most one period, clear of every event the party attends."""
        draw = self.draw
        if draw(st.integers(0, 3)):
            return
        day = draw(st.integers(0, len(self.dates) - 1))
        lo, hi = self.windows[day]
        start = draw(st.integers(0, 23 * 60))
        end = draw(st.integers(start + 1, 24 * 60))
        form = draw(st.sampled_from(("every day", "dated", "absolute")))
        days = range(len(self.dates)) if form == "every day" else [day]
        if any(d in days and start < e and s < end for d, s, e in self.attends[party["id"]]) or (
            form == "absolute" and not (start < hi and lo < end and end < 24 * 60)
        ):
            return
        period: Document = {"start": format_clock(start), "end": format_clock(end)}
        if form == "dated":
            period["date"] = self.dates[day].isoformat()
        elif form == "absolute":
            period = {"start": self.at(day, start), "end": self.at(day, end)}
        if draw(st.booleans()):
            period["reason"] = draw(_text())
        party["unavailable"] = [period]

    # -- what ---------------------------------------------------------------------

    def period(self) -> Document:
        """A window or preferred time: every day, on a date, or absolute in one day."""
        draw = self.draw
        day = draw(st.integers(0, len(self.dates) - 1))
        lo, hi = self.windows[day]
        start = draw(st.integers(lo, hi - 1))
        end = draw(st.integers(start + 1, hi))
        form = draw(st.sampled_from(("every day", "dated", "absolute")))
        if form == "absolute":
            return {"start": self.at(day, start), "end": self.at(day, end)}
        period: Document = {"start": format_clock(start), "end": format_clock(end)}
        if form == "dated":
            period["date"] = self.dates[day].isoformat()
        return period

    def meetings(self, count: int) -> list[Document]:
        ids = [f"m{i}" for i in range(count)]
        return [self.meeting(ident, ids) for ident in ids]

    def meeting(self, ident: str, ids: list[str]) -> Document:
        draw = self.draw
        principal = draw(st.sampled_from(self.principals))
        others = [p for p in self.parties if p != principal]
        guests = draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
        steps = draw(st.integers(1, 120 // self.grain))
        meeting: Document = {"id": ident, "parties": [principal, *guests]}
        meeting["duration"] = draw(
            st.sampled_from((format_duration(steps * self.grain), steps * self.grain))
        )
        if draw(st.booleans()):
            meeting["min_duration"] = format_duration(self.grain * draw(st.integers(1, steps)))
        if draw(st.booleans()):
            meeting["title"] = draw(_text())
        tentative = draw(st.integers(0, 4)) == 0
        if tentative:
            meeting["status"] = "tentative"
        elif draw(st.booleans()):
            meeting["required"] = True
        meeting["weight"] = draw(st.integers(0, 100))
        if draw(st.integers(0, 4)) == 0:
            meeting["headline"] = True
        if draw(st.booleans()):
            meeting["venues"] = draw(
                st.lists(st.sampled_from(self.venues), min_size=1, unique=True)
            )
        allowed = meeting.get("venues", self.venues)
        for key in ("windows", "preferred"):
            if draw(st.integers(0, 3)) == 0:
                meeting[key] = [self.period() for _ in range(draw(st.integers(1, 2)))]
        if draw(st.integers(0, 3)) == 0:
            meeting["format"] = draw(st.sampled_from(("breakfast", "lunch", "dinner")))
        # order relations only point forward in the list (after an earlier meeting,
        # before a later one): a circle of them is refused by the loader
        position = ids.index(ident) if ident in ids else 0
        related = {
            "after": ids[:position],
            "before": ids[position + 1 :],
            "same_day_as": [i for i in ids if i != ident],
        }
        for relation, others_ids in related.items():
            if others_ids and draw(st.integers(0, 3)) == 0:
                meeting[relation] = draw(
                    st.lists(st.sampled_from(others_ids), min_size=1, max_size=2, unique=True)
                )
        if draw(st.integers(0, 3)) == 0:
            day = draw(st.integers(0, len(self.dates) - 1))
            lo, hi = self.windows[day]
            length = steps * self.grain
            if hi - lo >= length:
                meeting["pinned"] = self.at(day, self.minute(lo, hi - length))
        if draw(st.integers(0, 3)) == 0:
            meeting["pinned_venue"] = draw(st.sampled_from(allowed))
        return meeting

    def rules(self) -> Document:
        draw = self.draw
        rules: Document = {}
        if draw(st.booleans()):
            rules["buffer"] = format_duration(draw(st.integers(0, 30)))
        if draw(st.booleans()):
            rules["min_break"] = draw(st.integers(0, 30))
        if draw(st.booleans()):
            rules["max_meetings_per_day"] = draw(st.integers(0, 8))
        if draw(st.booleans()):
            rules["max_continuous"] = format_duration(self.grain * draw(st.integers(1, 40)))
        mode = draw(st.sampled_from(("none", "rank", "order", None)))
        if mode is not None:
            precedence: Document = {"mode": mode, "hard": draw(st.booleans())}
            if mode == "order" or draw(st.booleans()):
                precedence["order"] = draw(
                    st.lists(st.sampled_from(self.parties), min_size=1, unique=True)
                )
            rules["precedence"] = precedence
        for key in ("latest_end", "prefer_end_by"):
            if draw(st.booleans()):
                rules[key] = format_clock(draw(st.integers(0, 24 * 60)))
        if draw(st.integers(0, 3)) == 0:
            meals: Document = {}
            for meal in draw(
                st.lists(st.sampled_from(("breakfast", "lunch", "dinner")), unique=True)
            ):
                start = draw(st.integers(0, 23 * 60))
                end = draw(st.integers(start + 1, 24 * 60))
                meals[meal] = {"start": format_clock(start), "end": format_clock(end)}
            rules["meal_windows"] = meals
        return rules

    # -- disruption models --------------------------------------------------------

    def distribution(self, *, in_mixture: bool = False) -> Document:
        draw = self.draw
        kinds = DISTRIBUTION_KINDS if in_mixture else (*DISTRIBUTION_KINDS, "mixture")
        kind = draw(st.sampled_from(kinds))
        number = st.floats(0.05, 5, allow_nan=False).map(lambda x: round(x, 3))
        doc: Document = {"dist": kind}
        if kind == "fixed":
            doc["value"] = draw(number)
        elif kind == "uniform":
            low = draw(number)
            doc |= {"low": low, "high": low + draw(number)}
        elif kind == "normal":
            doc |= {"mean": draw(number), "sd": draw(number)}
        elif kind == "exponential":
            doc["mean"] = draw(number)
        elif kind == "lognormal":
            median = draw(number)
            if draw(st.booleans()):
                doc |= {"median": median, "sigma": draw(number)}
            else:
                doc |= {"median": median, "p90": median + draw(number)}
        else:
            doc["components"] = [
                {**self.distribution(in_mixture=True), "weight": draw(st.integers(1, 5))}
                for _ in range(draw(st.integers(1, 3)))
            ]
        if draw(st.integers(0, 3)) == 0:
            doc["shift"] = draw(number)
        if draw(st.integers(0, 3)) == 0:
            # a cap lies above the shift: below it, every draw would be the cap
            doc["cap"] = round(doc.get("shift", 0) + draw(number) * 10, 3)
        return doc

    def uncertainty(self, meeting_ids: list[str]) -> Document:
        draw = self.draw
        doc: Document = {}
        for key in (
            "meeting_duration",
            "headline_meeting_duration",
            "arrival_delay",
            "travel_time",
            "fixed_event_overrun",
        ):
            if draw(st.booleans()):
                doc[key] = self.distribution()
        if draw(st.booleans()):
            doc["cancellation_probability"] = draw(st.floats(0, 1).map(lambda x: round(x, 3)))
        if draw(st.booleans()):
            doc["additions_per_planned"] = draw(st.floats(0, 10).map(lambda x: round(x, 3)))
        if draw(st.booleans()):
            doc["walkout"] = {
                "after_waiting": format_duration(draw(st.integers(0, 120))),
                "probability": draw(st.sampled_from((0, 0.25, 1))),
            }
        scripted: list[Document] = []
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(
                st.sampled_from(
                    (
                        "cancel_party",
                        "delay_arrival",
                        "cancel_meeting",
                        "overrun",
                        "request_meeting",
                    )
                )
            )
            day = draw(st.integers(0, len(self.dates) - 1))
            at = self.at(day, self.windows[day][0])
            if kind in ("cancel_party", "delay_arrival"):
                event: Document = {"event": kind, "party": draw(st.sampled_from(self.parties))}
            elif kind == "request_meeting":
                ident = f"late{len(scripted)}"
                event = {"event": kind, "at": at, "request": self.meeting(ident, [])}
            elif meeting_ids:
                event = {"event": kind, "meeting": draw(st.sampled_from(meeting_ids))}
            else:
                continue
            if kind in ("delay_arrival", "overrun"):
                event["by"] = format_duration(draw(st.integers(0, 180)))
            elif kind != "request_meeting":
                event["at"] = at
            scripted.append(event)
        if scripted:
            doc["scripted"] = scripted
        return doc
