"""Robustness metrics: from many replications to the numbers a protocol office reads.

Every replication of a variant is first reduced to a ``Summary`` (in the worker
that ran it). The metrics, per (schedule, policy) variant:

* P(every required meeting held), the expected held weight (all meetings,
  including those asked for on the day), the weight lost from the plan;
* per meeting: P(held), P(starts within 10 minutes of its planned start),
  the start delay's P50 and P90 (when held), and the commonest reasons it
  was not held;
* per party: the overrun of its day (the end of its last planned engagement
  against the plan's; a meeting asked for on the day is not an overrun) at P50
  and P90 (the worst day of each replication), the latest end seen, P(it missed
  at least one programme event) and the mean minutes it came late to them;
* for the principals together: P(one of them missed a programme event) and the
  mean minutes they came late to them;
* stability: changes against the plan per replication (a planned meeting not
  held, held on another day or venue or more than 10 minutes off its start, or
  a meeting held that was not planned);
* the delay multiplier: knock-on delay (minutes that held meetings started
  late) over primary delay (minutes of overrun, late landing and slow rides
  that caused it), summed over all replications;
* for each pair of variants, the paired difference of the key metrics on the
  same replications, with a 95 % confidence interval (Student's t).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from sim.model import Scenario

if TYPE_CHECKING:
    from sim.simulate.outcome import Outcome
    from sim.simulate.state import Stage

ON_TIME = 10  # minutes: "starts within 10 minutes of the plan"


@dataclass(frozen=True)
class Variant:
    label: str
    schedule: str
    policy: str


@dataclass(frozen=True)
class Summary:
    """One replication of one variant, reduced to what the metrics need."""

    replication: int
    variant: int
    start: tuple[int, ...]  # per scenario meeting (scenario order): actual start, -1 if not held
    reasons: tuple[str, ...]  # per scenario meeting: why not held ("" when held)
    held_weight: int
    lost_weight: int  # weight of planned meetings not held (required ones count above all)
    required_all: bool
    changes: int
    knock_on: int
    primary: int
    day_end: tuple[int, ...]  # per (party, day), parties then days: -1 when nothing that day
    plan_day_end: tuple[int, ...]  # the same for the engagements the plan had
    missed: tuple[int, ...]  # per party: programme events it missed
    late_minutes: tuple[int, ...]  # per party: minutes late to the programme events it reached
    requests: int  # meetings asked for on the day
    requests_held: int
    late_events: int  # programme events reached late or missed, over all parties
    cut: int  # minutes cut by the policy
    replans: int
    replan_failures: int
    replan_seconds: tuple[float, ...] = field(default=(), compare=False)


def _on_day(scenario: Scenario, day: int, minute: int) -> bool:
    window = scenario.days[day].window
    return window.start <= minute < window.end


def summarise(outcome: Outcome, stage: Stage, variant: int) -> Summary:
    scenario, plan = stage.scenario, stage.plan
    results = {r.meeting: r for r in outcome.meetings}
    above_all = 1 + sum(m.weight for m in scenario.meetings if not m.required)
    starts: list[int] = []
    reasons: list[str] = []
    held_weight = lost = changes = knock_on = 0
    required_all = True
    for meeting in scenario.meetings:
        result = results[meeting.id]
        planned = plan.get(meeting.id)
        starts.append(result.start if result.held and result.start is not None else -1)
        reasons.append(result.reason)
        if result.held:
            held_weight += meeting.weight
        elif meeting.required:
            required_all = False
        if planned is None:
            changes += result.held
            continue
        if not result.held or result.start is None:
            lost += above_all if meeting.required else meeting.weight
            changes += 1
            continue
        same_day = _on_day(scenario, planned.day, result.start)
        if same_day:  # a meeting moved to another day is a change, not a delay
            knock_on += max(0, result.start - planned.start)
        if (
            not same_day
            or result.venue != planned.venue
            or abs(result.start - planned.start) > ON_TIME
        ):
            changes += 1
    requests = [r for r in outcome.meetings if r.added]
    held_requests = [r for r in requests if r.held]
    held_weight += sum(r.weight for r in held_requests)
    changes += len(held_requests)
    day_end = tuple(
        outcome.day_end.get((party.id, day.index), -1)
        for party in scenario.parties
        for day in scenario.days
    )
    plan_day_end = tuple(
        outcome.plan_day_end.get((party.id, day.index), -1)
        for party in scenario.parties
        for day in scenario.days
    )
    programme = {p.party: p for p in outcome.parties}
    missed = tuple(
        len(programme[p.id].missed) if p.id in programme else 0 for p in scenario.parties
    )
    late_minutes = tuple(
        programme[p.id].late_minutes if p.id in programme else 0 for p in scenario.parties
    )
    return Summary(
        replication=outcome.replication,
        variant=variant,
        start=tuple(starts),
        reasons=tuple(reasons),
        held_weight=held_weight,
        lost_weight=lost,
        required_all=required_all,
        changes=changes,
        knock_on=knock_on,
        primary=outcome.primary_delay,
        day_end=day_end,
        plan_day_end=plan_day_end,
        missed=missed,
        late_minutes=late_minutes,
        requests=len(requests),
        requests_held=len(held_requests),
        late_events=len(outcome.late),
        cut=sum(r.cut for r in outcome.meetings),
        replans=outcome.replans,
        replan_failures=outcome.replan_failures,
        replan_seconds=outcome.replan_seconds,
    )


# --- statistics ------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval95:
    """A mean with its 95 % confidence interval."""

    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class MeetingStats:
    meeting: str
    planned: bool
    p_held: float
    p_on_time: float  # held and starting within ON_TIME minutes of the plan
    delay_p50: float | None  # minutes late at the start, when held on its planned day
    delay_p90: float | None
    reasons: tuple[tuple[str, float], ...]  # the commonest reasons not held, with their share


@dataclass(frozen=True)
class PartyStats:
    party: str
    overrun_p50: float | None  # minutes the worst day of a replication ran past the plan
    overrun_p90: float | None
    latest_end: int | None  # the latest minute any of its days ended, over all replications
    # Its fixed programme (None when it attends no programme event): the share of
    # replications in which it missed at least one event, and the minutes it came late
    # to the events it reached, mean per replication.
    p_missed_event: float | None = None
    event_late_minutes: float | None = None


@dataclass(frozen=True)
class VariantStats:
    label: str
    schedule: str
    policy: str
    runs: int
    p_all_required: float
    held_weight: Interval95
    lost_weight: float
    changes: float
    knock_on: float  # mean minutes of late starts per replication
    primary: float  # mean minutes of primary delay per replication
    delay_multiplier: float | None
    requests: float
    requests_held: float
    late_events: float
    cut: float
    replans: float
    replan_failures: int
    meetings: tuple[MeetingStats, ...]
    parties: tuple[PartyStats, ...]
    chosen: Mapping[str, int]  # "median" and "worst" replication
    replan_seconds_p50: float | None = field(default=None, compare=False)
    # The principals' fixed programme: the share of replications in which one of them
    # missed a programme event, and the minutes they came late to the events they
    # reached, summed over the principals, mean per replication.
    p_principal_missed_event: float = 0.0
    principal_event_late_minutes: float = 0.0


@dataclass(frozen=True)
class PairedDifference:
    """``a`` minus ``b`` on the same replications."""

    a: str
    b: str
    metric: str
    difference: Interval95
    runs: int


@dataclass(frozen=True)
class SimulationResult:
    scenario_id: str
    runs: int
    seed: int
    disruptions: str
    variants: tuple[VariantStats, ...]
    differences: tuple[PairedDifference, ...]
    timelines: Mapping[str, Mapping[str, Outcome]] = field(default_factory=dict, compare=False)

    def with_timelines(self, timelines: Mapping[str, Mapping[str, Outcome]]) -> SimulationResult:
        return replace(self, timelines=timelines)

    def variant(self, label: str) -> VariantStats:
        return next(v for v in self.variants if v.label == label)


# Metrics compared pairwise: name -> (what it is, how to read one replication).
PAIRED_METRICS = ("held_weight", "all_required", "knock_on_delay", "changes")


# The paired metrics in the order they decide between policies, each with the sign
# that makes a positive difference an advantage: a required meeting first (what the
# plan is for), then the weight held, then late starts, then changes.
DECIDING = (("all_required", 1), ("held_weight", 1), ("knock_on_delay", -1), ("changes", -1))

# a - b on one metric as its 95 % interval (low, high); None when not known or when
# there is no interval (fewer than two replays)
IntervalOf = Callable[[str, str, str], tuple[float, float] | None]


def beats(interval_of: IntervalOf, a: str, b: str) -> bool:
    """Whether the replays tell ``a`` better than ``b``: on the first metric of
    ``DECIDING`` whose paired difference is significant (its 95 % interval excludes
    0), it is in ``a``'s favour (as ``sim.robust_plan`` decides between plans)."""
    for metric, sign in DECIDING:
        interval = interval_of(a, b, metric)
        if interval is None:
            continue
        low, high = sorted((sign * interval[0], sign * interval[1]))
        if low > 0:
            return True
        if high < 0:
            return False
    return False


def clearly_best(labels: Sequence[str], interval_of: IntervalOf) -> str | None:
    """The variant the replays tell better than every other one (``beats``), or None
    when they do not single one out; ranked by the averages alone, a policy
    significantly worse than another on late starts and better on nothing was
    called the most robust."""
    if len(labels) < 2:
        return None
    for a in labels:
        if all(beats(interval_of, a, b) for b in labels if b != a):
            return a
    return None


# simulation.json's numbers are rounded to this many decimals
WRITTEN_DIGITS = 3


def result_intervals(result: SimulationResult) -> IntervalOf:
    """``IntervalOf`` over a result's paired differences, rounded as simulation.json
    writes them: ``sim run``'s summary and report.html (which reads the file) then
    decide on the same numbers, even for a bound within 0.0005 of zero."""
    found: dict[tuple[str, str, str], tuple[float, float]] = {}
    for d in result.differences:
        low, high = d.difference.low, d.difference.high
        if math.isfinite(low) and math.isfinite(high):
            low, high = round(low, WRITTEN_DIGITS), round(high, WRITTEN_DIGITS)
            found[(d.a, d.b, d.metric)] = (low, high)
            found[(d.b, d.a, d.metric)] = (-high, -low)
    return lambda a, b, metric: found.get((a, b, metric))


def _paired_value(summary: Summary, metric: str) -> float:
    if metric == "held_weight":
        return summary.held_weight
    if metric == "all_required":
        return float(summary.required_all)
    if metric == "knock_on_delay":
        return summary.knock_on
    return summary.changes


def t_975(df: int) -> float:
    """The 97.5th percentile of Student's t with ``df`` degrees of freedom."""
    table = (
        12.706,
        4.303,
        3.182,
        2.776,
        2.571,
        2.447,
        2.365,
        2.306,
        2.262,
        2.228,
        2.201,
        2.179,
        2.160,
        2.145,
        2.131,
        2.120,
        2.110,
        2.101,
        2.093,
        2.086,
        2.080,
        2.074,
        2.069,
        2.064,
        2.060,
        2.056,
        2.052,
        2.048,
        2.045,
        2.042,
    )
    if df < 1:
        return math.nan
    if df <= len(table):
        return table[df - 1]
    z = 1.959963984540054  # Cornish-Fisher expansion beyond the table
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def mean_interval(values: Sequence[float]) -> Interval95:
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    if len(data) < 2:
        return Interval95(mean, math.nan, math.nan)
    half = t_975(len(data) - 1) * float(data.std(ddof=1)) / math.sqrt(len(data))
    return Interval95(mean, mean - half, mean + half)


def _percentiles(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    p50, p90 = np.percentile(np.asarray(values, dtype=float), [50, 90])
    return round(float(p50), 1), round(float(p90), 1)


def tabulate(
    scenario: Scenario,
    stages: Sequence[Stage],
    variants: Sequence[Variant],
    summaries: Sequence[Summary],
    *,
    seed: int,
    disruptions: str,
) -> SimulationResult:
    """The metrics of every variant and the paired differences between them."""
    by_variant: dict[int, list[Summary]] = {i: [] for i in range(len(variants))}
    for summary in summaries:
        by_variant[summary.variant].append(summary)
    schedule_index = {name: i for i, name in enumerate(dict.fromkeys(v.schedule for v in variants))}
    stats = tuple(
        _variant_stats(scenario, stages[schedule_index[v.schedule]], v, by_variant[i])
        for i, v in enumerate(variants)
    )
    differences: list[PairedDifference] = []
    for i, a in enumerate(variants):
        for j in range(i + 1, len(variants)):
            b = variants[j]
            for metric in PAIRED_METRICS:
                deltas = [
                    _paired_value(x, metric) - _paired_value(y, metric)
                    for x, y in zip(by_variant[i], by_variant[j], strict=True)
                ]
                differences.append(
                    PairedDifference(a.label, b.label, metric, mean_interval(deltas), len(deltas))
                )
    runs = len(by_variant[0]) if by_variant else 0
    return SimulationResult(scenario.id, runs, seed, disruptions, stats, tuple(differences))


def _variant_stats(
    scenario: Scenario, stage: Stage, variant: Variant, rows: Sequence[Summary]
) -> VariantStats:
    runs = len(rows)
    primary = sum(r.primary for r in rows)
    knock_on = sum(r.knock_on for r in rows)
    seconds = [s for r in rows for s in r.replan_seconds]
    ranked = sorted(rows, key=lambda r: (r.lost_weight, r.knock_on, r.replication))
    principals = [i for i, p in enumerate(scenario.parties) if p.principal]
    return VariantStats(
        label=variant.label,
        schedule=variant.schedule,
        policy=variant.policy,
        runs=runs,
        p_all_required=sum(r.required_all for r in rows) / runs,
        held_weight=mean_interval([r.held_weight for r in rows]),
        lost_weight=sum(r.lost_weight for r in rows) / runs,
        changes=sum(r.changes for r in rows) / runs,
        knock_on=knock_on / runs,
        primary=primary / runs,
        delay_multiplier=knock_on / primary if primary else None,
        requests=sum(r.requests for r in rows) / runs,
        requests_held=sum(r.requests_held for r in rows) / runs,
        late_events=sum(r.late_events for r in rows) / runs,
        cut=sum(r.cut for r in rows) / runs,
        replans=sum(r.replans for r in rows) / runs,
        replan_failures=sum(r.replan_failures for r in rows),
        meetings=_meeting_stats(scenario, stage, rows),
        parties=_party_stats(scenario, stage, rows),
        chosen={"median": ranked[runs // 2].replication, "worst": ranked[-1].replication},
        replan_seconds_p50=float(np.median(seconds)) if seconds else None,
        p_principal_missed_event=sum(any(r.missed[i] for i in principals) for r in rows) / runs,
        principal_event_late_minutes=sum(r.late_minutes[i] for r in rows for i in principals)
        / runs,
    )


def _meeting_stats(
    scenario: Scenario, stage: Stage, rows: Sequence[Summary]
) -> tuple[MeetingStats, ...]:
    runs = len(rows)
    stats: list[MeetingStats] = []
    for index, meeting in enumerate(scenario.meetings):
        planned = stage.plan.get(meeting.id)
        starts = [r.start[index] for r in rows if r.start[index] >= 0]
        delays = (  # on the planned day: one moved to another day is not "late"
            [s - planned.start for s in starts if _on_day(scenario, planned.day, s)]
            if planned is not None
            else []
        )
        reasons = Counter(r.reasons[index] for r in rows if r.start[index] < 0)
        p50, p90 = _percentiles(delays)
        stats.append(
            MeetingStats(
                meeting=meeting.id,
                planned=planned is not None,
                p_held=len(starts) / runs,
                p_on_time=sum(1 for d in delays if abs(d) <= ON_TIME) / runs,
                delay_p50=p50,
                delay_p90=p90,
                reasons=tuple((why, n / runs) for why, n in reasons.most_common(3)),
            )
        )
    return tuple(stats)


def _party_stats(
    scenario: Scenario, stage: Stage, rows: Sequence[Summary]
) -> tuple[PartyStats, ...]:
    planned = planned_day_ends(scenario, stage)
    days = len(scenario.days)
    runs = len(rows)
    attends = {a for e in scenario.fixed_events for a in e.attendees}
    stats: list[PartyStats] = []
    for p, party in enumerate(scenario.parties):
        overruns: list[float] = []
        latest: int | None = None
        for row in rows:
            worst: int | None = None
            for d in range(days):
                actual = row.day_end[p * days + d]
                if actual >= 0:
                    latest = actual if latest is None else max(latest, actual)
                # A day the plan gave it nothing, or whose planned engagements all fell
                # through, has no overrun; meetings asked for on the day are not one.
                realised = row.plan_day_end[p * days + d]
                plan_end = planned.get((party.id, d))
                if plan_end is not None and realised >= 0:
                    late = realised - plan_end
                    worst = late if worst is None else max(worst, late)
            if worst is not None:
                overruns.append(worst)
        p50, p90 = _percentiles(overruns)
        programme = party.id in attends
        stats.append(
            PartyStats(
                party.id,
                p50,
                p90,
                latest,
                p_missed_event=sum(r.missed[p] > 0 for r in rows) / runs if programme else None,
                event_late_minutes=sum(r.late_minutes[p] for r in rows) / runs
                if programme
                else None,
            )
        )
    return tuple(stats)


def planned_day_ends(scenario: Scenario, stage: Stage) -> dict[tuple[str, int], int]:
    """When each party's last planned engagement of each day ends."""
    ends: dict[tuple[str, int], int] = {}

    def note(party: str, day: int, end: int) -> None:
        ends[(party, day)] = max(ends.get((party, day), end), end)

    for event in scenario.fixed_events:
        day = stage.event_day[event.id]
        if day >= 0:
            for attendee in event.attendees:
                note(attendee, day, event.time.end)
    for assignment in stage.plan.values():
        for party in scenario.meeting_by_id[assignment.meeting].parties:
            note(party, assignment.day, assignment.end)
    return ends
