"""Times as people write them (``2024-10-22 14:30``, ``45min``, ``1h30``, ``1.5h``) -> minutes.

Only the loader and the exporters use this module: inside, time is integer minutes.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

# [0-9], not \d: Python's \d also matches other scripts' digits, which the JSON
# Schema's patterns (ECMA regexes) would reject.
_DURATION = re.compile(
    r"^\s*(?:(?P<h>[0-9]+)\s*h(?:ours?|rs?)?)?\s*(?:(?P<m>[0-9]+)\s*(?:m|min|mins|minutes?)?)?\s*$",
    re.IGNORECASE,
)
# Decimal hours, alone: '1.5h', '0.25 hours' (only when they make whole minutes).
_DECIMAL_HOURS = re.compile(
    r"^\s*(?P<h>[0-9]{0,6}\.[0-9]{1,6})\s*h(?:ours?|rs?)?\s*$", re.IGNORECASE
)
_CLOCK = re.compile(r"^\s*(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})\s*$")
_DATETIME = re.compile(
    r"^\s*(?P<d>[0-9]{4}-[0-9]{2}-[0-9]{2})[ T](?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})\s*$"
)
_DATE = re.compile(r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$")

DURATION_PATTERN = (
    r"^\s*(([0-9]+\s*h(ours?|rs?)?)?\s*([0-9]+\s*(m|min|mins|minutes?)?)?"
    r"|[0-9]{0,6}\.[0-9]{1,6}\s*h(ours?|rs?)?)\s*$"
)
DURATION_FORMS = "'45min', '1h30', '1h 30min', '2h', '1.5h' or a number of minutes such as 90"
CLOCK_PATTERN = r"^\s*[0-9]{1,2}:[0-9]{2}\s*$"
DATETIME_PATTERN = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{1,2}:[0-9]{2}\s*$"
DATE_PATTERN = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$"

# Bounds that keep every later computation (time zones, CP-SAT's 64-bit
# integers) far from overflow: no summit lasts a week per item or sits outside
# these years.
MAX_DURATION = 7 * 24 * 60
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_duration(text: str | int) -> int:
    """``45min``, ``1h30``, ``1h30min``, ``1h 30min``, ``2h``, ``90min``, ``90``, and
    decimal hours that make whole minutes (``1.5h``, ``0.25h``) -> minutes."""
    if isinstance(text, bool) or not isinstance(text, int | str):
        raise ValueError(f"expected a duration such as {DURATION_FORMS}, got {text!r}")
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"negative duration {text}")
        if text > MAX_DURATION:
            raise ValueError(f"{text} minutes is longer than a week")
        return text
    if len(text) > 40:  # int() refuses more than 4300 digits; no duration needs 40
        raise ValueError(f"expected a duration such as {DURATION_FORMS}, got {text[:40]!r}...")
    decimal = _DECIMAL_HOURS.match(text)
    if decimal:
        minutes = Fraction(decimal.group("h")) * 60
        if minutes.denominator != 1:
            raise ValueError(f"{text!r} is not a whole number of minutes ({float(minutes):g})")
        total = int(minutes)
    else:
        match = _DURATION.match(text)
        if not match or (match.group("h") is None and match.group("m") is None):
            raise ValueError(f"expected a duration such as {DURATION_FORMS}, got {text!r}")
        total = int(match.group("h")) * 60 if match.group("h") else 0
        total += int(match.group("m") or 0)
    if total > MAX_DURATION:
        raise ValueError(f"{text!r} is longer than a week")
    return total


# A summit day's times of day may run past midnight, written as the night goes on
# (``25:30`` is half past one the next morning), up to this: 06:00 the next morning.
LATEST_CLOCK = 30 * 60


def parse_clock(text: str, latest: int = 24 * 60) -> int:
    """``14:30`` -> minutes after midnight; at most ``latest`` (``24:00`` by default,
    the end of a day; a scenario's times of day allow up to ``LATEST_CLOCK``)."""
    match = _CLOCK.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"expected a time of day such as '14:30', got {text!r}")
    hours, minutes = int(match.group("h")), int(match.group("m"))
    if minutes >= 60:
        raise ValueError(f"no such time of day: {text!r}")
    if hours * 60 + minutes > latest:
        if latest > 24 * 60:
            raise ValueError(
                f"{text!r} is too late: a summit day's times may run past midnight "
                f"up to {latest // 60}:{latest % 60:02d} ({latest // 60 - 24:02d}:"
                f"{latest % 60:02d} the next morning)"
            )
        raise ValueError(f"no such time of day: {text!r}")
    return hours * 60 + minutes


def parse_datetime(text: str) -> dt.datetime:
    """``2024-10-22 14:30`` (or with ``T``) -> naive local datetime."""
    match = _DATETIME.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"expected a date and time such as '2024-10-22 14:30', got {text!r}")
    date = parse_date(match.group("d"))
    clock = parse_clock(f"{match.group('h')}:{match.group('m')}")
    return dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=clock)


def parse_date(text: str) -> dt.date:
    if not isinstance(text, str) or not _DATE.match(text):
        raise ValueError(f"expected a date such as '2024-10-22', got {text!r}")
    try:
        date = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"no such date: {text!r}") from None
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        raise ValueError(f"{text!r} is not between the years {FIRST_YEAR} and {LAST_YEAR}")
    return date


def is_clock(text: str) -> bool:
    return isinstance(text, str) and _CLOCK.match(text) is not None


def format_duration(minutes: int) -> str:
    """Minutes -> the shortest form people write (``45min``, ``1h``, ``1h30``)."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}min"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


def format_clock(minutes_after_midnight: int) -> str:
    hours, minutes = divmod(minutes_after_midnight, 60)
    return f"{hours:02d}:{minutes:02d}"


def format_datetime(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


# --- moments for people: one family, local datetimes in, words out ------------------


def in_repeated_hour(when: dt.datetime) -> bool:
    """Whether the wall-clock time happens twice (the hour the clocks go back: 02:30
    CEST, then 02:30 CET); never for a naive time."""
    if when.tzinfo is None:
        return False
    return when.replace(fold=1 - when.fold).utcoffset() != when.utcoffset()


def repeated_hour_zone(when: dt.datetime) -> str:
    """`` CET`` when the wall-clock time happens twice, so that the two read apart;
    else nothing."""
    return f" {when.tzname()}" if in_repeated_hour(when) else ""


def format_moment(when: dt.datetime) -> str:
    """``22 Oct 16:35`` (``26 Oct 02:30 CET`` in the hour that happens twice)."""
    return when.strftime("%d %b %H:%M") + repeated_hour_zone(when)


def format_moment_with_weekday(when: dt.datetime) -> str:
    """``Tue 22 Oct 16:35`` (with the zone in the hour that happens twice)."""
    return when.strftime("%a %d %b %H:%M") + repeated_hour_zone(when)


def format_time_of_day(when: dt.datetime) -> str:
    """``16:35`` (``02:30 CEST`` in the hour that happens twice)."""
    return when.strftime("%H:%M") + repeated_hour_zone(when)


def format_date(when: dt.date) -> str:
    """``22 Oct``."""
    return when.strftime("%d %b")


def format_span(first: dt.datetime, last: dt.datetime) -> str:
    """``22 Oct 15:00-16:30``; the end's date only when it differs."""
    tail = format_time_of_day(last) if last.date() == first.date() else format_moment(last)
    return f"{format_moment(first)}-{tail}"


# --- the grain --------------------------------------------------------------------


def ceil_to_grain(minute: int, grain: int) -> int:
    """The first minute on the grain at or after ``minute``."""
    return -(-minute // grain) * grain
