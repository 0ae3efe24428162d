"""The random disruptions of one replication, drawn before the replay starts.

A replication's disruptions (how long each meeting really lasts, how late each
party lands, how slow each motorcade leg is, how long each session runs over,
which meetings are cancelled, who walks out, which meetings are asked for on
the day) are all drawn up front from the scenario's distributions, each kind
from its own random stream keyed by ``(root seed, replication, kind)``
(numpy ``SeedSequence(root, spawn_key=...)``). So:

* a replication's draws do not depend on how many workers run or in which
  order: replication 17 is replication 17 everywhere;
* every policy and every schedule replays the same draws (common random
  numbers): a meeting's length is drawn for the meeting, a motorcade's
  slowness for the (party, destination engagement) pair, so a policy that
  takes another path does not shift anyone else's luck.

The distributions are sampled by ``sim.simulate.sampling``; the default model
when a scenario has none is ``sim.simulate.calibrated.CALIBRATED``.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from sim.model import (
    Distribution,
    DistributionKind,
    Interval,
    Meeting,
    Scenario,
    ScriptedEvent,
    ScriptedKind,
    Uncertainty,
)
from sim.simulate.sampling import Stream, sample, stream
from sim.times import ceil_to_grain

_UNUSED = np.random.Generator(np.random.PCG64(0))  # passed where a fixed value is drawn


# --- one replication's draws ------------------------------------------------------


@dataclass(frozen=True)
class Addition:
    """A meeting asked for on the day: it becomes known at ``at``."""

    at: int
    meeting: Meeting


@dataclass(frozen=True)
class Draws:
    """Everything random about one replication; the replay only reads it.

    ``length`` is the minutes each meeting lasts if nothing cuts it short;
    ``travel`` the factor on the nominal time of a leg, per (party, engagement
    the leg leads to; ``home:<day>`` for the way back to base); ``cancel_notice``
    the meetings cancelled, with the fraction of the way from the start of their
    planned day to their planned start at which the notice comes.
    """

    replication: int
    length: Mapping[str, int]
    arrival_delay: Mapping[str, int]
    travel: Mapping[tuple[str, str], float]
    overrun: Mapping[str, int]
    cancel_notice: Mapping[str, float]
    walkout: frozenset[str]
    additions: tuple[Addition, ...]
    walkout_wait: int | None = None  # minutes of waiting after which ``walkout`` meetings fail
    scripted: tuple[ScriptedEvent, ...] = ()

    def travel_factor(self, party: str, engagement: str) -> float:
        return self.travel.get((party, engagement), 1.0)


def home_leg(day: int) -> str:
    """The engagement id of a party's ride back to its base at the end of ``day``."""
    return f"home:{day}"


@dataclass(frozen=True)
class DrawPlan:
    """What to draw for a scenario, in a fixed order (computed once, reused per replication)."""

    scenario: Scenario
    uncertainty: Uncertainty
    requests: tuple[Meeting, ...]
    travel_pairs: tuple[tuple[str, str], ...]
    template: Meeting  # what a meeting asked for on the day looks like
    day_shares: tuple[float, ...]  # where in the summit's working time a request falls

    @staticmethod
    def of(scenario: Scenario, uncertainty: Uncertainty) -> DrawPlan:
        requests = tuple(
            e.request
            for e in uncertainty.scripted
            if e.kind is ScriptedKind.REQUEST_MEETING and e.request is not None
        )
        pairs: list[tuple[str, str]] = []
        for party in scenario.parties:
            pairs += [(party.id, m.id) for m in scenario.meetings if party.id in m.parties]
            pairs += [(party.id, e.id) for e in scenario.fixed_events if party.id in e.attendees]
            pairs += [(party.id, r.id) for r in requests if party.id in r.parties]
            pairs += [(party.id, home_leg(d.index)) for d in scenario.days]
        lengths = np.array([d.window.length for d in scenario.days], dtype=float)
        shares = tuple(float(x) for x in np.cumsum(lengths) / max(lengths.sum(), 1.0))
        return DrawPlan(
            scenario, uncertainty, requests, tuple(pairs), _request_template(scenario), shares
        )

    def draw(self, root_seed: int, replication: int) -> Draws:
        """The draws of one replication; the same arguments always give the same draws."""
        scenario, model = self.scenario, self.uncertainty

        def rng(what: Stream) -> np.random.Generator:
            return stream(root_seed, replication, what)

        def values(dist: Distribution, what: Stream, size: int) -> np.ndarray:
            # A fixed value needs no randomness: no stream to seed (seeding is the cost).
            fixed = dist.kind is DistributionKind.FIXED
            return sample(dist, _UNUSED if fixed else rng(what), size)

        meetings = (*scenario.meetings, *self.requests)
        headline_model = model.headline_duration_factor or model.meeting_duration_factor
        fixed = DistributionKind.FIXED == model.meeting_duration_factor.kind == headline_model.kind
        generator = _UNUSED if fixed else rng(Stream.DURATION)
        routine = sample(model.meeting_duration_factor, generator, len(meetings))
        headline = sample(headline_model, generator, len(meetings))
        length = {
            m.id: _length(m, float(headline[i] if m.headline else routine[i]))
            for i, m in enumerate(meetings)
        }
        delays = values(model.arrival_delay, Stream.ARRIVAL, len(scenario.parties))
        arrival_delay = {
            p.id: round(float(d)) for p, d in zip(scenario.parties, delays, strict=True)
        }
        factors = values(model.travel_factor, Stream.TRAVEL, len(self.travel_pairs))
        travel = dict(zip(self.travel_pairs, np.maximum(factors, 0.0).tolist(), strict=True))
        events = scenario.fixed_events
        overruns = values(model.fixed_event_overrun, Stream.OVERRUN, len(events))
        overrun = {
            e.id: max(round(float(o)), 1 - e.time.length)
            for e, o in zip(events, overruns, strict=True)
        }
        cancel_notice: dict[str, float] = {}
        if model.cancellation_probability > 0:
            generator = rng(Stream.CANCEL)
            cancelled = generator.random(len(scenario.meetings)) < model.cancellation_probability
            notice = generator.random(len(scenario.meetings))
            cancel_notice = {
                m.id: float(notice[i]) for i, m in enumerate(scenario.meetings) if cancelled[i]
            }
        walkout: set[str] = set()
        if model.walkout_probability > 0:
            walks = rng(Stream.WALKOUT).random(len(meetings)) < model.walkout_probability
            walkout = {m.id for i, m in enumerate(meetings) if walks[i]}
        additions: tuple[Addition, ...] = ()
        if model.additions_per_planned > 0:
            additions = self._additions(rng(Stream.ADDITIONS), length, travel, walkout)
        for event in model.scripted:  # what-ifs replace the random draw they are about
            if event.kind is ScriptedKind.OVERRUN and event.meeting in length:
                length[event.meeting] = _duration_of(meetings, event.meeting) + event.minutes
            elif event.kind is ScriptedKind.DELAY_ARRIVAL and event.party is not None:
                arrival_delay[event.party] = event.minutes
            elif event.kind is ScriptedKind.EVENT_OVERRUN and event.fixed_event in overrun:
                overrun[event.fixed_event] = event.minutes
        return Draws(
            replication,
            length,
            arrival_delay,
            travel,
            overrun,
            cancel_notice,
            frozenset(walkout),
            additions,
            model.walkout_wait,
            model.scripted,
        )

    def _additions(
        self,
        generator: np.random.Generator,
        length: dict[str, int],
        travel: dict[tuple[str, str], float],
        walkout: set[str],
    ) -> tuple[Addition, ...]:
        """Same-day requests: Poisson(additions_per_planned x requests) of them, each for a
        principal (or any party) and a guest present that day, from a random moment
        of a summit day to the end of that day."""
        scenario, model = self.scenario, self.uncertainty
        count = int(generator.poisson(model.additions_per_planned * len(scenario.meetings)))
        if count == 0 or len(scenario.parties) < 2:
            return ()
        # A fixed number of draws per addition, whether or not it is kept.
        picks = generator.random((count, 5)).tolist()
        factors = np.maximum(sample(model.travel_factor, generator, 2 * count), 0.0).tolist()
        drawn = sample(model.meeting_duration_factor, generator, count).tolist()
        hosts = scenario.principals or scenario.parties
        grain = scenario.grain
        additions: list[Addition] = []
        for k, (day_pick, moment, host_pick, guest_pick, walks) in enumerate(picks):
            index = next(
                (i for i, share in enumerate(self.day_shares) if day_pick < share),
                len(scenario.days) - 1,
            )
            day = scenario.days[index]
            at = day.window.start + int(moment * day.window.length) // grain * grain
            host = hosts[int(host_pick * len(hosts))]
            guests = [
                p
                for p in scenario.parties
                if p.id != host.id and p.presence.overlaps(at, day.window.end)
            ]
            if not guests:
                continue
            guest = guests[int(guest_pick * len(guests))]
            meeting_id = f"added-{k + 1}"
            window = Interval(min(ceil_to_grain(at, grain), day.window.end), day.window.end)
            meeting = replace(
                self.template, id=meeting_id, parties=(host.id, guest.id), windows=(window,)
            )
            length[meeting_id] = _length(meeting, drawn[k])
            travel[(host.id, meeting_id)] = factors[2 * k]
            travel[(guest.id, meeting_id)] = factors[2 * k + 1]
            if walks < model.walkout_probability:
                walkout.add(meeting_id)
            additions.append(Addition(at, meeting))
        return tuple(additions)


def _length(meeting: Meeting, factor: float) -> int:
    return max(1, round(meeting.duration * factor))


def _duration_of(meetings: tuple[Meeting, ...], meeting_id: str) -> int:
    return next(m.duration for m in meetings if m.id == meeting_id)


def _request_template(scenario: Scenario) -> Meeting:
    """A typical optional meeting of the scenario: median length and weight, the
    venues its principals meet in."""
    grain = scenario.grain
    durations = [m.duration for m in scenario.meetings] or [3 * grain * 2]
    duration = max(grain, round(statistics.median(durations) / grain) * grain)
    shortest = [m.min_duration for m in scenario.meetings] or [duration]
    min_duration = min(duration, max(grain, round(statistics.median(shortest) / grain) * grain))
    weights = [m.weight for m in scenario.meetings if not m.required] or [1]
    principals = {p.id for p in scenario.principals}
    venues = sorted(
        {v for m in scenario.meetings if principals & set(m.parties) for v in m.venues}
    ) or [v.id for v in scenario.venues]
    return Meeting(
        id="added",
        parties=(),
        duration=duration,
        min_duration=min_duration,
        required=False,
        weight=max(1, round(statistics.median(weights))),
        venues=tuple(venues),
        title="asked for on the day",
    )
