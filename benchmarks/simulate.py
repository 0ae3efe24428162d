"""Simulator speed: prints a table.

For a scenario and its schedule (default: the bundled Kazan summit with the
greedy plan; ``--scenario``/``--schedule`` for another, e.g. the published
kazan-2024 schedule) and a generated 40-party, 150-request summit:

* replications per second on one core: the SimPy replay (``sim.simulate.replay``) and
  a minimal heapq event loop written here (``Reference``) that replays the same
  model (as planned: rides, late landings, programme events and their
  overruns, right-shifted meetings, rooms, deferral past events) on the same
  draws, as the ceiling; their ratio (target: at least 1/3), and on how many
  replications the two agree exactly. Both replay only the disruptions the
  reference knows (no cancellations, walkouts or requests); the full model's
  speed is the next column;
* the speed-up of two local worker processes over one on the same batches
  (target: at least 1.8x), and, since other work on a shared machine takes
  cores away, the share of two cores the workers got and the speed-up that
  share implies on free cores (measured / share);
* the replan policy against shorten, with the real planner
  (``sim.solve.make_planner``), on the same draws (``--replan-runs``): the time
  of a whole re-plan (quick repair and, when asked, the planner), median and
  P90 (targets on kazan-2024: at most 50 and 150 ms), re-plans per
  replication, and the paired differences replan - shorten in P(all required
  held) and held weight with their 95% confidence intervals (target: not
  worse).

    python benchmarks/simulate.py [--scenario S.yaml --schedule S.json] [--runs 200]
        [--replan-runs 200] [--quick | --replan-only]
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from sim.check import check  # noqa: E402
from sim.model import Scenario  # noqa: E402
from sim.scenario.load import load_scenario  # noqa: E402
from sim.schedule import Schedule, read_schedule  # noqa: E402
from sim.simulate.calibrated import effective_uncertainty  # noqa: E402
from sim.simulate.disruptions import DrawPlan, Draws  # noqa: E402
from sim.simulate.executors import LocalProcesses, Serial  # noqa: E402
from sim.simulate.metrics import Interval95, mean_interval, summarise  # noqa: E402
from sim.simulate.monte_carlo import DEFAULT_POLICIES, Batch, batches_of, run_batch, simulate  # noqa: E402
from sim.simulate.policies import make_policy  # noqa: E402
from sim.simulate.replay import Replay  # noqa: E402
from sim.simulate.state import Stage  # noqa: E402
from sim.solve.greedy import greedy_schedule  # noqa: E402

# --- the reference: the as-planned model in a minimal heapq event loop ---------------


class _Meeting:
    __slots__ = (
        "day",
        "done",
        "end",
        "key",
        "m",
        "not_before",
        "present",
        "start",
        "state",
        "venue",
        "waiting",
        "wake_at",
    )

    def __init__(self, m: Any, day: int, start: int, venue: str) -> None:
        self.m, self.day, self.venue = m, day, venue
        self.key = (start, 1, m.id)
        self.not_before = start
        self.present: list[str] = []
        self.waiting: list[Callable[[], None]] = []
        self.state = 0  # 0 pending, 1 running, 2 held, 3 not held
        self.start: int | None = None
        self.end: int | None = None
        self.wake_at: int | None = None
        self.done = False


class _Event:
    __slots__ = ("day", "e", "end", "key", "preds", "start", "venue", "waiting")

    def __init__(self, e: Any, day: int) -> None:
        self.e, self.day, self.venue = e, day, e.venue
        self.key = (e.time.start, 0, e.id)
        self.preds: list[_Event] = []
        self.start: int | None = None
        self.end: int | None = None
        self.waiting: list[Callable[[], None]] = []


class _Party:
    __slots__ = ("agenda", "arrival", "base", "day", "departure", "home", "id", "location")

    def __init__(self, p: Any, arrival: int) -> None:
        self.id, self.base, self.arrival, self.departure = p.id, p.base, arrival, p.presence.end
        self.agenda: list[Any] = []
        self.location: str | None = None
        self.day = -1
        self.home = False


class Reference:
    """As planned, callbacks on a heap of (time, sequence, callback)."""

    def __init__(self, stage: Stage, draws: Draws) -> None:
        self.s, self.stage, self.d = stage.scenario, stage, draws
        self.heap: list[tuple[int, int, Callable[[], None]]] = []
        self.seq = itertools.count()
        self.now = 0
        self.rooms = {v.id: v.rooms for v in self.s.venues}
        self.queue: dict[str, list[_Meeting]] = {v.id: [] for v in self.s.venues}
        self.events = {e.id: _Event(e, stage.event_day[e.id]) for e in self.s.fixed_events}
        for ev in self.events.values():
            ev.preds = [self.events[p] for p in stage.preds[ev.e.id]]
        self.meetings = {
            a.meeting: _Meeting(self.s.meeting_by_id[a.meeting], a.day, a.start, a.venue)
            for a in stage.plan.values()
        }
        self.parties = {
            p.id: _Party(p, p.presence.start + draws.arrival_delay.get(p.id, 0))
            for p in self.s.parties
        }
        for ev in self.events.values():
            for a in ev.e.attendees:
                self.parties[a].agenda.append(ev)
        for mt in self.meetings.values():
            for a in mt.m.parties:
                self.parties[a].agenda.append(mt)
        for p in self.parties.values():
            p.agenda.sort(key=lambda i: i.key)
            self.at(p.arrival, partial(self.walk, p))
        for ev in self.events.values():
            self.at(ev.e.time.start, partial(self.event_due, ev))

    def at(self, t: int, fn: Callable[[], None]) -> None:
        heapq.heappush(self.heap, (t, next(self.seq), fn))

    def run(self) -> dict[str, tuple[int, int] | None]:
        heap, pop = self.heap, heapq.heappop
        while heap:
            self.now, _, fn = pop(heap)
            fn()
        return {
            i: (m.start, m.end) if m.state == 2 else None  # type: ignore[misc]
            for i, m in self.meetings.items()
        }

    # parties
    def next_item(self, p: _Party) -> Any:
        agenda = p.agenda
        while agenda:
            item = agenda[0]
            if isinstance(item, _Meeting):
                if item.state < 2:
                    return item
            elif item.end is None:
                return item
            agenda.pop(0)
        return None

    def walk(self, p: _Party) -> None:
        if self.now >= p.departure:
            return
        item = self.next_item(p)
        if item is None:
            self.go_home(p, lambda: None)
            return
        if item.day != p.day:

            def new_day() -> None:
                p.day, p.home = item.day, False
                p.location = p.base
                opens = max(self.s.days[p.day].window.start, p.arrival)
                self.at(max(opens, self.now), lambda: self.walk(p))

            if p.day >= 0:
                self.go_home(p, new_day)
            else:
                new_day()
            return
        p.home = False
        if p.location is not None and p.location != item.venue:
            nominal = self.s.travel_time(p.location, item.venue)
            minutes = round(
                nominal
                * self.d.travel_factor(p.id, item.m.id if isinstance(item, _Meeting) else item.e.id)
            )

            def reach() -> None:
                p.location = item.venue
                self.walk(p)

            self.at(self.now + minutes, reach)
            return
        p.location = item.venue
        if isinstance(item, _Meeting):
            item.present.append(p.id)
            item.waiting.append(lambda: self.walk(p))
            self.check(item)
        else:
            item.waiting.append(lambda: self.left_event(p, item))

    def left_event(self, p: _Party, ev: _Event) -> None:
        p.agenda.remove(ev)
        self.walk(p)

    def go_home(self, p: _Party, then: Callable[[], None]) -> None:
        if p.base is None:
            p.location = None
            then()
            return
        if p.home or p.location is None or p.location == p.base:
            p.location, p.home = p.base, True
            then()
            return
        minutes = round(
            self.s.travel_time(p.location, p.base) * self.d.travel_factor(p.id, f"home:{p.day}")
        )

        def reach() -> None:
            p.location, p.home = p.base, True
            then()

        self.at(self.now + minutes, reach)

    # events
    def event_due(self, ev: _Event) -> None:
        for pred in ev.preds:
            if pred.end is None:
                pred.waiting.append(lambda: self.event_due(ev))
                return
        start = ev.e.time.start
        for pred in ev.preds:
            assert pred.end is not None
            gap = max(0, ev.e.time.start - pred.e.time.end)
            start = max(start, pred.end + min(self.s.travel_time(pred.venue, ev.venue), gap))
        self.at(max(start, self.now), lambda: self.event_start(ev))

    def event_start(self, ev: _Event) -> None:
        ev.start = self.now
        length = max(1, ev.e.time.length + self.d.overrun.get(ev.e.id, 0))
        self.at(self.now + length, lambda: self.event_end(ev))

    def event_end(self, ev: _Event) -> None:
        ev.end = self.now
        waiting, ev.waiting = ev.waiting, []
        for resume in waiting:
            self.at(self.now, resume)

    # meetings
    def deadline(self, mt: _Meeting) -> tuple[int, int | None]:
        s = self.s
        bound, until = self.stage.day_limit[mt.day], None
        for pid in mt.m.parties:
            p = self.parties[pid]
            leave = p.departure - (s.travel_time(mt.venue, p.base) if p.base else 0)
            if leave < bound:
                bound, until = leave, None
            for period in s.party_by_id[pid].unavailable:
                if period.end > self.now and period.start < bound:
                    bound, until = period.start, period.end
            for item in p.agenda:
                if isinstance(item, _Meeting) or item.key <= mt.key or item.end is not None:
                    continue
                if item.day == mt.day:
                    must = item.e.time.start - s.travel_time(mt.venue, item.venue)
                    if must < bound:
                        bound = must
                        until = item.e.time.end + s.travel_time(item.venue, mt.venue)
                break
        return bound, until

    def release(self, mt: _Meeting) -> None:
        mt.present = []
        waiting, mt.waiting = mt.waiting, []
        for resume in waiting:
            self.at(self.now, resume)
        if mt in self.queue[mt.venue]:
            self.queue[mt.venue].remove(mt)

    def check(self, mt: _Meeting) -> None:
        if mt.state != 0 or not mt.present:
            return
        now = self.now
        if now < mt.not_before:
            self.wake(mt, mt.not_before)
            return
        bound, until = self.deadline(mt)
        latest = bound - mt.m.duration
        if now > latest:
            if until is None:
                mt.state = 3
            else:
                mt.key = (until, 1, mt.m.id)
                mt.not_before = max(mt.not_before, until)
                for pid in mt.m.parties:
                    self.parties[pid].agenda.sort(key=lambda i: i.key)
            self.release(mt)
            return
        if len(mt.present) == len(mt.m.parties):
            if self.rooms[mt.venue] > 0:
                self.start(mt)
                return
            if mt not in self.queue[mt.venue]:
                self.queue[mt.venue].append(mt)
                self.queue[mt.venue].sort(key=lambda m: m.key)
        self.wake(mt, latest + 1)

    def wake(self, mt: _Meeting, t: int) -> None:
        if mt.wake_at is not None and self.now <= mt.wake_at <= t:
            return
        mt.wake_at = t

        def look() -> None:
            if mt.wake_at == t:
                mt.wake_at = None
            self.check(mt)

        self.at(t, look)

    def start(self, mt: _Meeting) -> None:
        mt.state, mt.start = 1, self.now
        self.rooms[mt.venue] -= 1
        if mt in self.queue[mt.venue]:
            self.queue[mt.venue].remove(mt)
        length = max(1, self.d.length.get(mt.m.id, mt.m.duration))
        self.at(self.now + length, lambda: self.finish(mt))

    def finish(self, mt: _Meeting) -> None:
        mt.state, mt.end = 2, self.now
        self.rooms[mt.venue] += 1
        waiting, mt.waiting = mt.waiting, []
        for resume in waiting:
            self.at(self.now, resume)
        for other in list(self.queue[mt.venue]):
            if self.rooms[mt.venue] <= 0:
                break
            self.check(other)


# --- measuring --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    scenario: Scenario
    schedule: Schedule


def _core_only(draws: Draws) -> Draws:
    """The draws without what the reference does not model."""
    return replace(draws, cancel_notice={}, walkout=frozenset(), additions=(), scripted=())


def _engines(case: Case, runs: int) -> dict[str, float]:
    model = effective_uncertainty(case.scenario, "auto")
    plan = DrawPlan.of(case.scenario, model)
    started = time.perf_counter()
    full = [plan.draw(1, r) for r in range(runs)]
    draw_seconds = time.perf_counter() - started
    core = [_core_only(d) for d in full]
    stage = Stage.of(case.scenario, case.schedule)
    policy = make_policy("as-planned")
    policy.programme_first = False  # the heapq reference does not model it
    timings: dict[str, list[float]] = {"simpy": [], "heapq": [], "full": []}
    agree = 0
    for _ in range(3):  # the best of three, against noise
        started = time.perf_counter()
        ours = [Replay(stage, d, policy).run() for d in core]
        timings["simpy"].append(time.perf_counter() - started)
        started = time.perf_counter()
        theirs = [Reference(stage, d).run() for d in core]
        timings["heapq"].append(time.perf_counter() - started)
        started = time.perf_counter()
        for d in full:
            Replay(stage, d, policy).run()
        timings["full"].append(time.perf_counter() - started)
        agree = sum(
            {
                r.meeting: (r.start, r.end) if r.held else None
                for r in o.meetings
                if r.meeting in stage.plan
            }
            == t
            for o, t in zip(ours, theirs, strict=True)
        )
    simpy_rate = runs / min(timings["simpy"])
    heapq_rate = runs / min(timings["heapq"])
    return {
        "simpy": simpy_rate,
        "heapq": heapq_rate,
        "ratio": simpy_rate / heapq_rate,
        "full": runs / min(timings["full"]),
        "agree": agree / runs,
        "draws": runs / draw_seconds,
    }


def _speedup(case: Case, runs: int) -> tuple[float, float, float]:
    """The wall-time speed-up of two worker processes over one on the same batches
    (the pool already started), the serial seconds, and the share of two cores the
    workers actually got (below 100 % when other work on the machine competes)."""
    small: dict[str, Any] = dict(runs=40, seed=3, timelines=False)
    one = simulate(case.scenario, case.schedule, executor=Serial(), workers=1, **small)
    two = simulate(case.scenario, case.schedule, executor=LocalProcesses(2), workers=2, **small)
    assert one == two, "two workers must give the result of one"
    model = effective_uncertainty(case.scenario, "auto")
    named = (("schedule", case.schedule),)
    jobs = [
        Batch(case.scenario, named, DEFAULT_POLICIES, None, model, 3, chunk)
        for chunk in batches_of(runs, 2)
    ]
    started = time.perf_counter()
    for job in jobs:
        run_batch(job)
    alone = time.perf_counter() - started
    started = time.perf_counter()
    cpu = sum(seconds for _, seconds in LocalProcesses(2).run(_timed_batch, jobs))
    pair = time.perf_counter() - started
    return alone / pair, alone, cpu / (2 * pair)


def _timed_batch(batch: Batch) -> float:
    """Run a batch; the CPU seconds it took in the worker."""
    started = time.process_time()
    run_batch(batch)
    return time.process_time() - started


@dataclass(frozen=True)
class Versus:
    """The replan policy against shorten on the same draws (common random numbers)."""

    p50: float  # seconds per re-plan
    p90: float
    per_rep: float  # re-plans per replication
    failed: int  # re-plans where the planner found no plan
    runs: int
    shorten: tuple[float, float]  # P(all required held), mean held weight
    replan: tuple[float, float]
    all_required: Interval95  # replan - shorten, paired
    held_weight: Interval95


def _versus_shorten(case: Case, runs: int, time_limit: float, seed: int = 0) -> Versus:
    """Replay ``runs`` replications under shorten and replan (the real planner,
    ``sim.solve.make_planner``) on the same draws: re-plan latency (the whole re-plan:
    quick repair and, when asked, the planner) and the paired differences."""
    from sim.solve import make_planner

    model = effective_uncertainty(case.scenario, "auto")
    plan = DrawPlan.of(case.scenario, model)
    stage = Stage.of(case.scenario, case.schedule)
    policies = {
        "shorten": make_policy("shorten"),
        "replan": make_policy("replan", make_planner(time_limit=time_limit)),
    }
    rows: dict[str, list[Any]] = {"shorten": [], "replan": []}
    seconds: list[float] = []
    failed = 0
    for r in range(runs):
        draws = plan.draw(seed, r)
        for name, policy in policies.items():
            outcome = Replay(stage, draws, policy).run()
            rows[name].append(summarise(outcome, stage, 0))
            if name == "replan":
                seconds.extend(outcome.replan_seconds)
                failed += outcome.replan_failures
    p50 = statistics.median(seconds) if seconds else 0.0
    p90 = statistics.quantiles(seconds, n=10)[-1] if len(seconds) > 1 else p50

    def means(name: str) -> tuple[float, float]:
        got = rows[name]
        return (
            sum(x.required_all for x in got) / runs,
            sum(x.held_weight for x in got) / runs,
        )

    pairs = list(zip(rows["replan"], rows["shorten"], strict=True))
    return Versus(
        p50,
        p90,
        len(seconds) / max(runs, 1),
        failed,
        runs,
        means("shorten"),
        means("replan"),
        mean_interval([float(a.required_all) - float(b.required_all) for a, b in pairs]),
        mean_interval([float(a.held_weight - b.held_weight) for a, b in pairs]),
    )


def _ci(value: Interval95, scale: float = 1.0, unit: str = "") -> str:
    half = (value.high - value.low) / 2 * scale
    return f"{value.mean * scale:+.1f}{unit} ± {half:.1f}{unit}"


def _cases(args: argparse.Namespace) -> list[Case]:
    scenario = load_scenario(args.scenario)
    schedule = read_schedule(args.schedule) if args.schedule else greedy_schedule(scenario)
    assert check(scenario, schedule).ok, "the schedule must be valid"
    cases = [Case(scenario.id, scenario, schedule)]
    if args.no_generated:
        return cases
    try:
        from sim.synth.summit import generate_scenario_model
    except ImportError:
        return cases
    generated = generate_scenario_model(
        parties=40, requests=150, days=3, venues=4, principals=4, seed=1
    )
    plan = greedy_schedule(generated)
    assert check(generated, plan).ok
    cases.append(Case("generated 40 parties, 150 requests", generated, plan))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "kazan-2024.yaml"))
    parser.add_argument("--schedule", help="its schedule.json (default: the greedy plan)")
    parser.add_argument("--runs", type=int, default=200, help="replications per measurement")
    parser.add_argument(
        "--replan-runs", type=int, default=200, help="replications of shorten against replan"
    )
    parser.add_argument("--replan-time-limit", type=float, default=1.0)
    parser.add_argument("--quick", action="store_true", help="fewer runs, no re-planning")
    parser.add_argument(
        "--replan-only", action="store_true", help="only replan against shorten (no speeds)"
    )
    parser.add_argument("--no-generated", action="store_true", help="only --scenario")
    args = parser.parse_args()
    runs = 40 if args.quick else args.runs
    table = Table(title="sim simulate: speed (replications per second on one core)")
    for column in (
        "case",
        "SimPy",
        "heapq ref",
        "ratio (>= 0.33)",
        "agree",
        "full model",
        "draws",
        "2 workers (>= 1.8x)",
        "re-plan P50 / P90 (ms)",
        "re-plans/rep",
    ):
        table.add_column(column, justify="left" if column == "case" else "right")
    verdicts: list[tuple[str, Versus]] = []
    for case in _cases(args):
        print(f"measuring {case.name} ...", file=sys.stderr)
        engines: dict[str, float] = {}
        speedup = alone = share = float("nan")
        if not args.replan_only:
            engines = _engines(case, runs)
            # about 20 s of serial work (three policies per replication)
            speedup, alone, share = _speedup(case, max(runs, int(20 * engines["full"] / 3)))
        replan = "-"
        per_rep = "-"
        versus: Versus | None = None
        if not args.quick:
            versus = _versus_shorten(case, args.replan_runs, args.replan_time_limit)
            replan = f"{1000 * versus.p50:.1f} / {1000 * versus.p90:.1f}"
            per_rep = f"{versus.per_rep:.1f}"
            if versus.failed:
                per_rep += f" ({versus.failed} found no plan)"
            verdicts.append((case.name, versus))
        if engines:
            speeds = (
                f"{engines['simpy']:.0f}",
                f"{engines['heapq']:.0f}",
                f"{engines['ratio']:.2f}",
                f"{100 * engines['agree']:.0f}%",
                f"{engines['full']:.0f}",
                f"{engines['draws']:.0f}",
                f"{speedup:.2f}x, {speedup / share:.2f}x on free cores "
                f"({alone:.0f} s alone; the workers got {100 * share:.0f}% of two cores)",
            )
        else:
            speeds = ("-",) * 7
        row = (case.name, *speeds, replan, per_rep)
        table.add_row(*row)
        print(" | ".join(row), file=sys.stderr)
    console = Console()
    console.print(table)
    if verdicts:
        versus_table = Table(
            title="replan - shorten on the same replications (paired, ± 95% CI); "
            "target: not worse on either"
        )
        for column in (
            "case",
            "runs",
            "P(all req.) shorten / replan",
            "difference (pp)",
            "held weight shorten / replan",
            "difference",
        ):
            versus_table.add_column(column, justify="left" if column == "case" else "right")
        for name, v in verdicts:
            versus_table.add_row(
                name,
                str(v.runs),
                f"{100 * v.shorten[0]:.1f}% / {100 * v.replan[0]:.1f}%",
                _ci(v.all_required, 100.0),
                f"{v.shorten[1]:.2f} / {v.replan[1]:.2f}",
                _ci(v.held_weight),
            )
        console.print(versus_table)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    console.print(
        f"{os.cpu_count()} cores; load average {load}. Other work on the machine slows "
        "both engines alike (the ratio holds) but lowers the speed-up of two workers."
    )


if __name__ == "__main__":
    main()
