"""The hard requirements of a plan, as typed values.

One ``Requirement`` names one switchable group of hard constraints: the
candidates narrow a meeting's starts by it, the CP-SAT model enforces it
(behind a switch literal when explaining infeasibility), and the explainer
names it back to the user. Its text form (``attend:plenary``,
``order:a:b``) is what reports and notes show and what ``parse`` reads back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RequirementKind(StrEnum):
    REQUIRED = "required"  # a required meeting is held (subject: meeting)
    PRESENCE = "presence"  # a party's meetings lie within its stay (subject: party)
    UNAVAILABLE = "unavailable"  # ... and outside its unavailable periods (subject: party)
    ATTEND = "attend"  # attendees attend a programme event (subject: event)
    WINDOW = "window"  # a meeting lies in its windows (subject: meeting)
    MEAL = "meal"  # a working meal lies in its meal window (subject: meeting)
    LATEST_END = "latest_end"  # no meeting ends after rules.latest_end
    PINNED = "pinned"  # a pinned meeting is at its pin (subject: meeting)
    BUFFER = "buffer"  # rules.buffer between a party's engagements
    BASE = "base"  # a party starts and ends each day at its base (subject: party)
    ROOMS = "rooms"  # a venue's rooms (subject: venue)
    MAX_MEETINGS_PER_DAY = "max_meetings_per_day"  # rules.max_meetings_per_day
    PARTY_LIMIT = "party_limit"  # a party's own per-day limit (subject: party)
    MAX_CONTINUOUS = "max_continuous"  # rules.max_continuous with min_break
    PRECEDENCE = "precedence"  # rules.precedence, when hard
    ORDER = "order"  # subject comes after/before other (meetings)
    SAME_DAY = "same_day"  # subject on the same day as other (meetings)
    FAIRNESS = "fairness"  # rules.fairness: gaps at most the fewest plus d


@dataclass(frozen=True)
class Requirement:
    kind: RequirementKind
    subject: str = ""
    other: str = ""

    def __str__(self) -> str:
        return ":".join(part for part in (self.kind.value, self.subject, self.other) if part)

    @staticmethod
    def parse(text: str) -> Requirement:
        """The requirement whose text form is ``text`` (ids contain no colon)."""
        kind, _, rest = text.partition(":")
        subject, _, other = rest.partition(":")
        return Requirement(RequirementKind(kind), subject, other)
