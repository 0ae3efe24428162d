"""The narrow surface through which reaction policies and re-planning act on a replay.

A policy sees the replay's clock, the scenario, the live records of parties,
meetings and programme events, and a handful of verbs: defer a meeting past an
obstacle, give it up, let its waiting parties go, take it out of the plan or
put it into agendas, log, and book-keep a re-plan. It cannot reach the SimPy
environment, the drawn luck or the replay's accounting. ``sim.simulate.replay``
implements this protocol; ``policies`` and ``replanning`` import only this
module, so the replay can import them without an import circle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sim.model import Scenario
from sim.simulate.state import LiveEvent, LiveMeeting, LiveParty, Obstacle, Stage


class ReplayControl(Protocol):
    @property
    def now(self) -> int:
        """The simulated minute."""
        ...

    @property
    def scenario(self) -> Scenario: ...

    @property
    def stage(self) -> Stage:
        """What does not change between replications (the plan, day limits)."""
        ...

    @property
    def parties(self) -> Mapping[str, LiveParty]: ...

    @property
    def meetings(self) -> Mapping[str, LiveMeeting]: ...

    @property
    def events(self) -> Mapping[str, LiveEvent]: ...

    def log(self, who: str, what: str) -> None:
        """Add a line to the replay's trace (kept only when asked for)."""
        ...

    def deadline(self, meeting: LiveMeeting) -> tuple[int, Obstacle]:
        """The latest the meeting may end, and what stands there."""
        ...

    def defer(self, meeting: LiveMeeting, obstacle: Obstacle) -> None:
        """Move the meeting past an obstacle that ends (right-shift)."""
        ...

    def give_up(self, meeting: LiveMeeting, reason: str) -> None:
        """The meeting will not be held."""
        ...

    def release(self, meeting: LiveMeeting) -> None:
        """Let the parties waiting for the meeting go (it will not start now)."""
        ...

    def unschedule(self, meeting: LiveMeeting, reason: str) -> None:
        """Take the meeting out of the current plan (a re-plan may bring it back)."""
        ...

    def add_to_agendas(self, meeting: LiveMeeting) -> None:
        """Put a (re)placed meeting into its parties' agendas and wake them."""
        ...

    def claim_replan(self) -> bool:
        """True, once per simulated minute: several disruptions at one minute share
        one re-plan."""
        ...

    def record_replan(self, seconds: float, *, failed: bool) -> None:
        """Count a re-plan and the wall-clock seconds the planner took."""
        ...
