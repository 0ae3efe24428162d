"""The independent checker, rule by rule, on a tiny summit written out in full.

The summit (``tiny()``): two days 09:00-18:00 (UTC, so clock times are minutes
plainly), the palace (1 room) and the centre (2 rooms) 20 minutes apart, a
10-minute buffer. The host (head of state, principal, based at the palace) and
cy (head of an organisation, principal, no base) plan meetings with ana (head of
state, arrives 02 Jun 10:00) and ben (head of government, unavailable 02 Jun
12:00-13:00). Host and ben attend the opening at the centre, 02 Jun 14:00-15:00.

``VALID`` is a schedule that breaks nothing; each rule test changes one thing in
it and expects exactly that rule, naming the right meetings and parties.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sim.check import STRUCTURE, CheckReport, check
from sim.cli import main
from sim.exit_codes import ExitCode
from sim.model import Scenario
from sim.scenario.load import load_scenario_text
from sim.schedule import (
    Assignment,
    ObjectiveValue,
    Schedule,
    SolverSettings,
    SolveStatus,
    Unscheduled,
    write_schedule,
)
from tests.brute_force import brute_force, brute_force_optimum

MEETINGS = """
  - {id: host-ana, parties: [host, ana], duration: 1h, venues: [palace, centre]}
  - {id: host-ben, parties: [host, ben], duration: 45min}
  - {id: cy-ana, parties: [cy, ana], duration: 30min}
"""


def tiny_yaml(meetings: str = MEETINGS, rules: str = "", host: str = ", base: palace") -> str:
    return f"""
version: 1
id: tiny
name: Tiny summit
timezone: UTC
grain: 5min
days:
  - {{date: 2025-06-02, start: "09:00", end: "18:00"}}
  - {{date: 2025-06-03, start: "09:00", end: "18:00"}}
venues:
  - {{id: palace, name: The Palace, rooms: 1}}
  - {{id: centre, name: Conference Centre, rooms: 2}}
travel:
  - {{between: [palace, centre], time: 20min}}
parties:
  - {{id: host, name: The Host, rank: head_of_state, principal: true{host}}}
  - {{id: ana, name: Ana, rank: head_of_state, arrival: "2025-06-02 10:00"}}
  - id: ben
    name: Ben
    rank: head_of_government
    unavailable: [{{start: "12:00", end: "13:00", date: 2025-06-02}}]
  - {{id: cy, name: Cy, rank: head_of_organisation, principal: true}}
fixed_events:
  - id: opening
    name: Opening plenary
    start: 2025-06-02 14:00
    end: 2025-06-02 15:00
    venue: centre
    attendees: [host, ben]
meetings:
{meetings}
rules:
  buffer: 10min
{rules}
"""


def tiny(meetings: str = MEETINGS, rules: str = "", host: str = ", base: palace") -> Scenario:
    return load_scenario_text(tiny_yaml(meetings, rules, host))


def held(
    s: Scenario,
    meeting: str,
    when: str,
    venue: str,
    *,
    room: int = 1,
    minutes: int | None = None,
    day: int | None = None,
) -> Assignment:
    """``meeting`` at ``when`` (``2025-06-02 10:00``, local) for its nominal duration."""
    start = s.minutes_from(dt.datetime.fromisoformat(when))
    length = s.meeting_by_id[meeting].duration if minutes is None else minutes
    if day is None:
        day = next(d.index for d in s.days if d.date.isoformat() == when[:10])
    return Assignment(meeting, day, start, start + length, venue, room)


def plan(s: Scenario, *held: Assignment, unscheduled: tuple[str, ...] | None = None) -> Schedule:
    """A schedule of ``held``; every other meeting is listed as not held."""
    if unscheduled is None:
        unscheduled = tuple(m.id for m in s.meetings if all(a.meeting != m.id for a in held))
    return Schedule(
        scenario_id=s.id,
        scenario_sha256=s.source_sha256,
        status=SolveStatus.FEASIBLE,
        settings=SolverSettings(10.0, 0, 1),
        assignments=held,
        unscheduled=tuple(Unscheduled(m, "test") for m in unscheduled),
    )


def valid(s: Scenario, **replace: Assignment | None) -> Schedule:
    """The valid schedule, with some meetings moved (or dropped, given None)."""
    base = {
        "host-ana": held(s, "host-ana", "2025-06-02 10:00", "palace"),
        "host-ben": held(s, "host-ben", "2025-06-03 10:00", "palace"),
        "cy-ana": held(s, "cy-ana", "2025-06-02 12:30", "centre"),
    }
    moved = {key.replace("_", "-"): value for key, value in replace.items()}
    chosen = {**base, **moved}
    return plan(s, *(a for m, a in chosen.items() if a is not None and m in s.meeting_by_id))


def only(
    report: CheckReport, rule: str, *expected: tuple[tuple[str, ...], tuple[str, ...]]
) -> None:
    """``report`` breaks ``rule`` and nothing else, once per (meetings, parties) expected."""
    assert report.rules_broken() == {rule}, [str(v) for v in report.violations]
    assert sorted((v.meetings, v.parties) for v in report.violations) == sorted(expected)
    assert not report.ok


# --- a valid schedule --------------------------------------------------------------


def test_valid_schedule_passes() -> None:
    s = tiny()
    report = check(s, valid(s))
    assert report.ok, [str(v) for v in report.violations]
    assert report.violations == ()
    assert report.warnings == ()


# --- one test per hard rule --------------------------------------------------------


def test_required_meeting_not_held() -> None:
    s = tiny(MEETINGS.replace("duration: 1h,", "duration: 1h, required: true,"))
    report = check(s, valid(s, host_ana=None))
    only(report, "required", (("host-ana",), ("host", "ana")))
    # A required meeting not held is a violation, not a preference given up.
    assert all(g.meetings != ("host-ana",) for g in report.given_up)


def test_duration_other_than_nominal() -> None:
    s = tiny()
    report = check(
        s, valid(s, host_ana=held(s, "host-ana", "2025-06-02 10:00", "palace", minutes=75))
    )
    only(report, "duration", (("host-ana",), ("host", "ana")))


def test_start_off_the_grain() -> None:
    s = tiny()
    report = check(s, valid(s, host_ana=held(s, "host-ana", "2025-06-02 10:02", "palace")))
    only(report, "grain", (("host-ana",), ("host", "ana")))


def test_day_latest_end() -> None:
    s = tiny(rules='  latest_end: "17:00"')
    report = check(s, valid(s, host_ben=held(s, "host-ben", "2025-06-03 16:30", "palace")))
    only(report, "day", (("host-ben",), ("host", "ben")))
    assert "latest end 17:00" in report.violations[0].message


def test_latest_end_is_read_on_the_wall_clock() -> None:
    # 26 Oct 2025 in Berlin has 25 hours: 22:00 local is 23 hours after midnight.
    s = load_scenario_text(
        """
version: 1
id: dst
name: The clocks go back
timezone: Europe/Berlin
grain: 5min
days: [{date: 2025-10-26, start: "09:00", end: "24:00"}]
venues: [{id: palace, name: The Palace, rooms: 1}]
parties:
  - {id: host, name: Host, principal: true}
  - {id: ana, name: Ana}
meetings:
  - {id: host-ana, parties: [host, ana], duration: 30min}
rules: {latest_end: "22:00"}
"""
    )
    assert check(s, plan(s, held(s, "host-ana", "2025-10-26 21:30", "palace"))).ok
    late = check(s, plan(s, held(s, "host-ana", "2025-10-26 21:35", "palace")))
    only(late, "day", (("host-ana",), ("host", "ana")))


def test_day_outside_working_window() -> None:
    s = tiny()
    report = check(s, valid(s, cy_ana=held(s, "cy-ana", "2025-06-02 17:45", "centre")))
    only(report, "day", (("cy-ana",), ("cy", "ana")))


def test_presence_before_arrival() -> None:
    s = tiny()
    report = check(s, valid(s, host_ana=held(s, "host-ana", "2025-06-02 09:30", "palace")))
    only(report, "presence", (("host-ana",), ("ana",)))


def test_unavailable_period() -> None:
    s = tiny()
    report = check(s, valid(s, host_ben=held(s, "host-ben", "2025-06-02 12:00", "palace")))
    only(report, "unavailable", (("host-ben",), ("ben",)))
    assert "Ben is unavailable 02 Jun 12:00-13:00" in report.violations[0].message


def test_venue_not_allowed_and_pinned_venue() -> None:
    s = tiny(MEETINGS.replace("venues: [palace, centre]", "venues: [palace]"))
    moved = held(s, "host-ana", "2025-06-02 10:00", "centre")
    only(check(s, valid(s, host_ana=moved)), "venue", (("host-ana",), ("host", "ana")))
    pinned = tiny(MEETINGS.replace("centre]}", "centre], pinned_venue: palace}"))
    only(check(pinned, valid(pinned, host_ana=moved)), "venue", (("host-ana",), ("host", "ana")))
    assert check(pinned, valid(pinned)).ok


def test_window() -> None:
    s = tiny(MEETINGS.replace("centre]}", 'centre], windows: [{start: "10:00", end: "11:00"}]}'))
    assert check(s, valid(s)).ok  # 10:00-11:00 exactly fills the window
    report = check(s, valid(s, host_ana=held(s, "host-ana", "2025-06-02 10:05", "palace")))
    only(report, "window", (("host-ana",), ("host", "ana")))


def test_meal_outside_its_window() -> None:
    s = tiny(MEETINGS.replace("centre]}", "centre], format: lunch}"))
    only(check(s, valid(s)), "meal", (("host-ana",), ("host", "ana")))
    lunch = held(s, "host-ana", "2025-06-02 12:00", "palace")  # lunch is 12:00-15:00
    moved_cy = held(s, "cy-ana", "2025-06-02 14:00", "centre")
    assert check(s, valid(s, host_ana=lunch, cy_ana=moved_cy)).ok


def test_pinned_start() -> None:
    s = tiny(MEETINGS.replace("centre]}", 'centre], pinned: "2025-06-02 10:00"}'))
    assert check(s, valid(s)).ok
    report = check(s, valid(s, host_ana=held(s, "host-ana", "2025-06-02 10:30", "palace")))
    only(report, "pinned", (("host-ana",), ("host", "ana")))


def test_overlap_of_two_meetings() -> None:
    s = tiny()
    report = check(s, valid(s, cy_ana=held(s, "cy-ana", "2025-06-02 10:30", "centre")))
    only(report, "overlap", (("host-ana", "cy-ana"), ("ana",)))


def test_overlap_with_a_fixed_event() -> None:
    s = tiny()
    report = check(s, valid(s, host_ben=held(s, "host-ben", "2025-06-02 14:30", "centre")))
    # Both host and ben attend the opening (14:00-15:00).
    only(report, "overlap", (("host-ben",), ("host",)), (("host-ben",), ("ben",)))


def test_gap_between_meetings_names_buffer_and_travel() -> None:
    s = tiny()
    report = check(s, valid(s, host_ben=held(s, "host-ben", "2025-06-02 11:15", "centre")))
    only(report, "gap", (("host-ana", "host-ben"), ("host",)))
    assert report.violations[0].message == (
        "The Host: The Host – Ana (The Palace, 02 Jun 10:00-11:00) and The Host – Ben "
        "(Conference Centre, 02 Jun 11:15-12:00) leave 15 min, need 30 (buffer 10 + travel 20)"
    )


def test_gap_before_a_fixed_event() -> None:
    s = tiny()
    # host-ben at the palace ends 13:45; the opening at the centre starts 14:00.
    report = check(s, valid(s, host_ben=held(s, "host-ben", "2025-06-02 13:00", "palace")))
    only(report, "gap", (("host-ben",), ("host",)), (("host-ben",), ("ben",)))


def test_base_first_and_last_engagement() -> None:
    s = tiny()
    early = held(s, "host-ben", "2025-06-03 09:00", "centre")  # needs 09:20 from the palace
    only(check(s, valid(s, host_ben=early)), "base", (("host-ben",), ("host",)))
    late = held(s, "host-ben", "2025-06-03 17:15", "centre")  # must end by 17:40
    only(check(s, valid(s, host_ben=late)), "base", (("host-ben",), ("host",)))
    edge = held(s, "host-ben", "2025-06-03 16:55", "centre")  # ends 17:40 exactly
    assert check(s, valid(s, host_ben=edge)).ok


def test_rooms_out_of_range_and_shared() -> None:
    s = tiny(MEETINGS + "  - {id: cy-ben, parties: [cy, ben], duration: 30min}\n")
    wrong_room = held(s, "host-ana", "2025-06-02 10:00", "palace", room=2)
    report = check(s, valid(s, host_ana=wrong_room, cy_ben=None))
    only(report, "rooms", (("host-ana",), ("host", "ana")))
    shared = held(s, "cy-ben", "2025-06-02 10:00", "palace")
    report = check(s, valid(s, cy_ben=shared))
    only(report, "rooms", (("host-ana", "cy-ben"), ("host", "ana", "cy", "ben")))
    # The centre has two rooms: the same pair fits there in rooms 1 and 2, not both in 1.
    ana_c = held(s, "host-ana", "2025-06-02 10:00", "centre")
    cy_c2 = held(s, "cy-ben", "2025-06-02 10:00", "centre", room=2)
    cy_c1 = held(s, "cy-ben", "2025-06-02 10:00", "centre", room=1)
    assert check(s, valid(s, host_ana=ana_c, cy_ben=cy_c2)).ok
    only(
        check(s, valid(s, host_ana=ana_c, cy_ben=cy_c1)),
        "rooms",
        (("host-ana", "cy-ben"), ("host", "ana", "cy", "ben")),
    )


def test_order_after_and_before() -> None:
    early_ben = "2025-06-02 09:00"  # host-ben 09:00-09:45, then host-ana 10:00
    after = tiny(MEETINGS.replace("duration: 45min}", "duration: 45min, after: [host-ana]}"))
    assert check(after, valid(after)).ok
    report = check(after, valid(after, host_ben=held(after, "host-ben", early_ben, "palace")))
    only(report, "order", (("host-ben", "host-ana"), ("host", "ben", "ana")))
    before = tiny(MEETINGS.replace("centre]}", "centre], before: [host-ben]}"))
    report = check(before, valid(before, host_ben=held(before, "host-ben", early_ben, "palace")))
    only(report, "order", (("host-ana", "host-ben"), ("host", "ana", "ben")))


def test_same_day() -> None:
    s = tiny(MEETINGS.replace("duration: 30min}", "duration: 30min, same_day_as: [host-ana]}"))
    assert check(s, valid(s)).ok
    report = check(s, valid(s, cy_ana=held(s, "cy-ana", "2025-06-03 12:30", "centre")))
    only(report, "same_day", (("cy-ana", "host-ana"), ("cy", "ana", "host")))


def test_per_day_limit_of_the_rules_and_of_a_party() -> None:
    second = held(tiny(), "host-ben", "2025-06-02 11:15", "palace")
    s = tiny(rules="  max_meetings_per_day: 1")
    report = check(s, valid(s, host_ben=second, cy_ana=None))
    only(report, "per_day", (("host-ana", "host-ben"), ("host",)))
    own = tiny(host=", base: palace, max_meetings_per_day: 1")
    only(check(own, valid(own, host_ben=second)), "per_day", (("host-ana", "host-ben"), ("host",)))


def test_continuous_engagement() -> None:
    s = tiny(rules="  max_continuous: 90min\n  min_break: 15min")
    # host-ana 10:00-11:00 and host-ben 11:10-11:55: 10 min apart, one block of 115 min.
    report = check(s, valid(s, host_ben=held(s, "host-ben", "2025-06-02 11:10", "palace")))
    only(report, "continuous", (("host-ana", "host-ben"), ("host",)))
    # 15 minutes apart is a break: two blocks of 60 and 45 minutes.
    assert check(s, valid(s, host_ben=held(s, "host-ben", "2025-06-02 11:15", "palace"))).ok


def test_hard_precedence_by_rank_and_by_order() -> None:
    s = tiny(rules="  precedence: {mode: rank, hard: true}")
    assert check(s, valid(s)).ok  # different days
    early_ben = held(s, "host-ben", "2025-06-02 09:00", "palace")
    only(
        check(s, valid(s, host_ben=early_ben)),
        "precedence",
        (("host-ana", "host-ben"), ("host", "ana", "ben")),
    )
    # With an explicit order listing only ben, ben outranks ana.
    s = tiny(rules="  precedence: {mode: order, order: [ben], hard: true}")
    assert check(s, valid(s, host_ben=early_ben)).ok
    late_ben = held(s, "host-ben", "2025-06-02 11:15", "palace")
    only(
        check(s, valid(s, host_ben=late_ben)),
        "precedence",
        (("host-ben", "host-ana"), ("host", "ben", "ana")),
    )


# --- the schedule as a document ----------------------------------------------------


def test_fairness_bounds_every_partys_gaps() -> None:
    # Gaps (docs/planning-rules.md, "Compact days"): the host's 02 Jun (host-ana ends
    # 11:00 at the palace, the opening starts 14:00 at the centre) and ana's (host-ana,
    # then cy-ana 12:30 at the centre); ben and cy have none, so the fewest is 0.
    s = tiny(rules="  fairness: 1")
    assert check(s, valid(s)).ok
    s = tiny(rules="  fairness: 0")
    report = check(s, valid(s))
    only(report, "fairness", ((), ("host",)), ((), ("ana",)))
    assert "host has 1 gaps over the summit, more than the fewest any party has (0) plus 0" in (
        report.violations[0].message
    )


def test_compact_days_is_recomputed_when_the_scenario_minimises_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = "  objectives: [compact_days, unheld_weight]"
    s = tiny(rules=rules)
    report = check(s, valid(s))
    assert report.objectives.compact_days == 2
    assert report.tiers == ("compact_days", "unheld_weight")
    assert check(tiny(), valid(tiny())).objectives.compact_days is None  # not minimised
    scenario_path, schedule_path = files(tmp_path, tiny_yaml(rules=rules), valid(s), s)
    assert main(["check", scenario_path, schedule_path, "--json"]) == ExitCode.OK
    document = json.loads(capsys.readouterr().out)
    assert document["objectives"]["compact_days"] == 2
    assert document["tiers"] == ["compact_days", "unheld_weight"]
    assert main(["check", scenario_path, schedule_path]) == ExitCode.OK
    rows = [line.split("│")[1:3] for line in capsys.readouterr().out.splitlines() if "│" in line]
    ranks = {said.split(":")[0].strip(): rank.strip() for rank, said in rows if rank.strip()}
    # in plain words: the idle gaps first, then the optional meetings left out
    assert ranks["idle gaps in the parties' days (a gap"] == "1"
    assert ranks["weight of optional meetings left out"] == "2"
    assert ranks["principals' time on the road between venues"] == "-"  # not minimised


def test_unknown_meeting_ids() -> None:
    s = tiny()
    ghost = held(s, "ghost", "2025-06-03 12:00", "centre", minutes=60)
    schedule = valid(s)
    schedule = plan(s, *schedule.assignments, ghost, unscheduled=("phantom",))
    only(check(s, schedule), STRUCTURE, (("ghost",), ()), (("phantom",), ()))


def test_meeting_assigned_twice_or_both_held_and_not_or_missing() -> None:
    s = tiny()
    again = held(s, "cy-ana", "2025-06-03 12:30", "centre")
    twice = plan(s, *valid(s).assignments, again)
    only(check(s, twice), STRUCTURE, (("cy-ana",), ("cy", "ana")))
    both = plan(s, *valid(s).assignments, unscheduled=("cy-ana",))
    only(check(s, both), STRUCTURE, (("cy-ana",), ("cy", "ana")))
    missing = plan(s, *valid(s, cy_ana=None).assignments, unscheduled=())
    report = check(s, missing)
    only(report, STRUCTURE, (("cy-ana",), ("cy", "ana")))
    assert [g.meetings for g in report.given_up] == [("cy-ana",)]  # checked as not held


def test_a_mistake_repeated_many_times_is_listed_twenty_times_then_counted() -> None:
    # 5,000 listings of meetings the scenario does not ask for, and 5,000 of one it does:
    # a report of 10,000 lines took minutes to print (100,000 took 82 s and 650 MB)
    s = tiny()
    ghosts = [held(s, "cy-ana", "2025-06-03 12:30", "centre") for _ in range(5000)]
    ghosts += [Assignment(f"ghost{i}", 0, a.start, a.end, a.venue) for i, a in enumerate(ghosts)]
    report = check(s, plan(s, *valid(s).assignments, *ghosts))
    assert report.rules_broken() == {STRUCTURE}
    messages = [v.message for v in report.violations]
    assert len(messages) == 2 * 20 + 2
    assert sum("is held twice" in m for m in messages) == 20
    assert sum(m.startswith("the schedule holds ghost") for m in messages) == 20
    assert messages[-2:] == [
        "and 4,980 more second listings of held meetings (5,000 in all; the first 20 are listed)",
        "and 4,980 more held meetings the scenario does not ask for (5,000 in all; the first "
        "20 are listed)",
    ]


def test_day_index_must_match_the_start() -> None:
    s = tiny()
    wrong = held(s, "host-ben", "2025-06-03 10:00", "palace", day=0)
    only(check(s, valid(s, host_ben=wrong)), STRUCTURE, (("host-ben",), ("host", "ben")))
    missing_day = held(s, "host-ben", "2025-06-03 10:00", "palace", day=7)
    only(check(s, valid(s, host_ben=missing_day)), STRUCTURE, (("host-ben",), ("host", "ben")))


def test_other_scenario_version_or_claimed_objectives_only_warn() -> None:
    s = tiny()
    schedule = valid(s)
    stale = Schedule(
        s.id,
        "0" * 64,
        schedule.status,
        schedule.settings,
        schedule.assignments,
        schedule.unscheduled,
        objectives=(ObjectiveValue("travel", 5, 0),),
    )
    report = check(s, stale)
    assert report.ok
    assert len(report.warnings) == 2
    assert "another version of the scenario file" in report.warnings[0]
    assert "claims travel = 5; recomputed from its meetings: 40" in report.warnings[1]


# --- soft preferences given up ------------------------------------------------------


def given(report: CheckReport) -> list[tuple[str, tuple[str, ...], int]]:
    return [(g.kind, g.meetings, g.cost) for g in report.given_up]


def test_optional_meeting_not_held() -> None:
    s = tiny(MEETINGS.replace("duration: 30min}", "duration: 30min, weight: 3}"))
    report = check(s, valid(s, cy_ana=None))
    assert report.ok
    assert given(report) == [("unheld", ("cy-ana",), 3)]
    assert report.objectives.unheld_weight == 3


def test_preferred_window_missed() -> None:
    s = tiny(MEETINGS.replace("45min}", '45min, preferred: [{start: "09:00", end: "10:00"}]}'))
    report = check(s, valid(s))  # host-ben 03 Jun 10:00-10:45
    assert report.ok
    assert given(report) == [("preferred", ("host-ben",), 10)]
    inside = held(s, "host-ben", "2025-06-03 09:15", "palace")  # 09:15-10:00
    assert given(check(s, valid(s, host_ben=inside))) == []


def test_soft_precedence_inversion() -> None:
    s = tiny(rules="  precedence: {mode: rank}")
    report = check(s, valid(s, host_ben=held(s, "host-ben", "2025-06-02 09:00", "palace")))
    assert report.ok
    assert given(report) == [("precedence", ("host-ana", "host-ben"), 10)]
    assert report.given_up[0].parties == ("host", "ana", "ben")
    assert report.objectives.preferences == 10


def test_late_end_costs_a_point_per_started_grain() -> None:
    late = held(tiny(), "host-ben", "2025-06-03 16:00", "palace")  # ends 16:45
    s = tiny(rules='  prefer_end_by: "16:00"')
    assert given(check(s, valid(s, host_ben=late))) == [("late_end", ("host-ben",), 9)]
    s = tiny(rules='  prefer_end_by: "16:02"')  # 43 minutes late: 9 grains begun
    assert given(check(s, valid(s, host_ben=late))) == [("late_end", ("host-ben",), 9)]


# --- objectives ---------------------------------------------------------------------


def test_objectives_by_hand() -> None:
    s = tiny(
        """
  - {id: host-ana, parties: [host, ana], duration: 1h, required: true, venues: [palace]}
  - id: host-ben
    parties: [host, ben]
    duration: 45min
    weight: 5
    preferred: [{start: "09:00", end: "10:00"}]
  - {id: cy-ana, parties: [cy, ana], duration: 30min, weight: 3}
""",
        rules='  precedence: {mode: rank}\n  prefer_end_by: "16:00"',
    )
    schedule = plan(
        s,
        held(s, "host-ana", "2025-06-02 12:20", "palace"),  # 12:20-13:20
        held(s, "host-ben", "2025-06-02 15:30", "centre"),  # 15:30-16:15
    )
    report = check(s, schedule)
    assert report.ok, [str(v) for v in report.violations]
    # unheld_weight 3: cy-ana (weight 3) is not held.
    # preferences 13: host-ben lies outside 09:00-10:00 (10) and ends 15 min past
    #   16:00, three 5-minute grains (3); host meets ana (head of state) before ben
    #   (head of government), the right order (0).
    # travel 40: host goes palace (base) -> host-ana at the palace (0) -> the opening
    #   at the centre (20) -> host-ben at the centre (0) -> back to the palace (20).
    #   cy has no engagement; ana and ben are not principals.
    # min_slack -10: host's pairs are host-ana -> opening, 40 min left where 30 are
    #   needed (10 buffer + 20 travel): slack 10; opening -> host-ben, 30 left, 10
    #   needed: slack 20. The smallest is 10.
    # weighted_slack -160: host-ana (weight 1) is followed by the opening for host,
    #   slack 10 (nothing follows for ana): 1 x 10; host-ben (weight 5) ends the day
    #   of both host and ben: 5 x 30 (the cap). 10 + 150 = 160.
    assert report.objectives.as_tuple() == (3, 0, 0, 13, 40, -10, -160)
    assert given(report) == [
        ("unheld", ("cy-ana",), 3),
        ("preferred", ("host-ben",), 10),
        ("late_end", ("host-ben",), 3),
    ]


def test_objectives_of_an_empty_schedule() -> None:
    s = tiny()
    report = check(s, plan(s))
    assert report.ok
    # Three optional meetings of weight 1 not held; the host still goes to the
    # opening at the centre and back (20 + 20); no pair of engagements with a
    # meeting, so min_slack is -60; no held meeting, so weighted_slack is 0.
    assert report.objectives.as_tuple() == (3, 0, 0, 0, 40, -60, 0)


# --- the command ----------------------------------------------------------------------


def files(tmp_path: Path, text: str, schedule: Schedule, s: Scenario) -> tuple[str, str]:
    scenario_path, schedule_path = tmp_path / "tiny.yaml", tmp_path / "schedule.json"
    scenario_path.write_text(text, encoding="utf-8")
    write_schedule(schedule_path, schedule, s)
    return str(scenario_path), str(schedule_path)


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s, text = tiny(), tiny_yaml()
    scenario_path, good = files(tmp_path, text, valid(s), s)
    assert main(["check", scenario_path, good]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "warning" not in out
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    gap = valid(s, host_ben=held(s, "host-ben", "2025-06-02 11:15", "centre"))
    _, bad = files(bad_dir, text, gap, s)
    assert main(["check", scenario_path, bad]) == ExitCode.RULES_BROKEN
    assert "gap" in capsys.readouterr().out
    assert main(["check", scenario_path, bad, "--json"]) == ExitCode.RULES_BROKEN
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is False
    assert [v["rule"] for v in document["violations"]] == ["gap"]
    assert document["objectives"]["travel"] == 40


def test_cli_cuts_long_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table longer than ROWS_SHOWN shows that many rows and says how many more there
    are; --json lists every finding."""
    import sim.commands.check as command

    monkeypatch.setattr(command, "ROWS_SHOWN", 1)
    s, text = tiny(), tiny_yaml()
    clash = valid(s, host_ben=held(s, "host-ben", "2025-06-02 10:30", "palace"))
    scenario_path, bad = files(tmp_path, text, clash, s)
    assert main(["check", scenario_path, bad]) == ExitCode.RULES_BROKEN
    out = capsys.readouterr().out
    found = len(check(s, clash).violations)
    assert found > 1
    assert f"Hard rules broken: {found}" in out
    assert f"... and {found - 1} more; --json lists them all" in out
    assert main(["check", scenario_path, bad, "--json"]) == ExitCode.RULES_BROKEN
    assert len(json.loads(capsys.readouterr().out)["violations"]) == found


def test_cli_unreadable_schedule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario_path = tmp_path / "tiny.yaml"
    scenario_path.write_text(tiny_yaml(), encoding="utf-8")
    broken = tmp_path / "schedule.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["check", str(scenario_path), str(broken)]) == ExitCode.INVALID_INPUT
    assert "not valid JSON" in capsys.readouterr().err


# --- brute force ----------------------------------------------------------------------

BRUTE = """
version: 1
id: brute
name: Brute force
timezone: UTC
grain: 15min
days: [{date: 2025-06-02, start: "09:00", end: "11:00"}]
venues: [{id: palace, name: The Palace, rooms: 1}]
parties:
  - {id: host, name: Host, principal: true}
  - {id: ana, name: Ana}
  - {id: ben, name: Ben}
  - {id: cy, name: Cy}
meetings:
  - {id: a, parties: [host, ana], duration: 1h, required: true}
  - id: b
    parties: [host, ben]
    duration: 45min
    weight: 2
    preferred: [{start: "09:00", end: "10:00"}]
  - {id: c, parties: [host, cy], duration: 30min, weight: 1}
rules: {buffer: 15min}
"""


def test_brute_force_three_meetings_by_hand() -> None:
    s = load_scenario_text(BRUTE)
    # Two hours; a (60, required), b (45) and c (30) with 15-minute buffers need 165
    # minutes, so one of b and c stays out: c, the lighter (unheld_weight 1). a and b
    # need 60 + 15 + 45 = 120, the whole morning: b 09:00-09:45 then a 10:00-11:00
    # keeps b in its preferred hour (preferences 0; the other order costs 10). One
    # venue, no base: travel 0. The one pair leaves 15 minutes, exactly the buffer:
    # min_slack 0. Slack after b is 0 (x2), after a, last of the day, 30 (x1): -30.
    best = brute_force_optimum(s)
    assert best is not None
    assert best.objectives == (1, 0, 0, 0, 0, 0, -30)
    starts = {
        a.meeting: s.to_datetime(a.start).strftime("%H:%M") for a in best.schedule.assignments
    }
    assert starts == {"b": "09:00", "a": "10:00"}


TWO_VENUES = """
version: 1
id: two-venues
name: Two venues
timezone: UTC
grain: 15min
days: [{date: 2025-06-02, start: "09:00", end: "10:30"}]
venues: [{id: palace, name: The Palace, rooms: 1}, {id: centre, name: Centre, rooms: 2}]
travel: [{between: [palace, centre], time: 15min}]
parties:
  - {id: host, name: Host, principal: true, base: palace}
  - {id: ana, name: Ana}
  - {id: ben, name: Ben}
meetings:
  - {id: a, parties: [host, ana], duration: 30min}
  - {id: b, parties: [host, ben], duration: 30min, weight: 2}
"""


def test_brute_force_two_venues_by_hand() -> None:
    s = load_scenario_text(TWO_VENUES)
    # Both held at the palace (no travel): 09:00-09:30 and 10:00-10:30 leave 30
    # minutes where the buffer asks 10, slack 20 (min_slack -20). The first meeting
    # then has slack 20, the last 30 (the cap): b, the heavier, goes last:
    # 1 x 20 + 2 x 30 = 80.
    assert brute_force(s) == (0, 0, 0, 0, 0, -20, -80)


# A second principal's meeting fills the centre's morning, so host-ana, which
# must be at the centre too, needs its second room; travel from the base and the
# gap between venues matter as well.
THREE_VENUE_MEETINGS = (
    TWO_VENUES.replace(
        "  - {id: ben, name: Ben}",
        "  - {id: ben, name: Ben}\n  - {id: cy, name: Cy, principal: true}\n"
        "  - {id: dee, name: Dee}",
    )
    .replace(
        "{id: a, parties: [host, ana], duration: 30min}",
        "{id: a, parties: [host, ana], duration: 30min, venues: [centre]}",
    )
    .replace('end: "10:30"', 'end: "11:00"')
    + "  - {id: c, parties: [cy, dee], duration: 2h, weight: 3, venues: [centre]}\n"
)


def test_brute_force_needs_the_second_room() -> None:
    s = load_scenario_text(THREE_VENUE_MEETINGS)
    # c fills the centre 09:00-11:00. The host leaves the palace for a at the centre
    # (15 min: 09:15-09:45 at the earliest), then b at the palace, back by 11:00:
    # 10:30-11:00. travel 15 + 15 = 30. The pair a -> b leaves 45 minutes where 25
    # are needed: min_slack -20. weighted_slack: a 1 x 20, b 2 x 30, c 3 x 30: -170.
    best = brute_force_optimum(s)
    assert best is not None
    assert best.objectives == (0, 0, 0, 0, 30, -20, -170)
    rooms = {a.meeting: (a.venue, a.room) for a in best.schedule.assignments}
    assert rooms == {"a": ("centre", 1), "b": ("palace", 1), "c": ("centre", 2)}


@pytest.mark.parametrize(
    "text", [TWO_VENUES, pytest.param(THREE_VENUE_MEETINGS, marks=pytest.mark.slow)]
)
def test_brute_force_shortcuts_lose_nothing(text: str) -> None:
    s = load_scenario_text(text)
    assert brute_force(s) == brute_force(s, prune=False)


def test_brute_force_refuses_more_than_four_meetings() -> None:
    extra = "".join(f"  - {{id: x{i}, parties: [host, cy], duration: 15min}}\n" for i in (1, 2))
    five = load_scenario_text(BRUTE.replace("rules:", extra + "rules:"))
    with pytest.raises(ValueError, match="at most 4 meetings, got 5"):
        brute_force(five)


def test_brute_force_none_when_nothing_is_valid() -> None:
    s = load_scenario_text(BRUTE.replace("duration: 1h, required", "duration: 3h, required"))
    assert brute_force(s) is None


def test_a_meeting_at_a_venue_it_may_not_use_is_named_as_people_read_it() -> None:
    import dataclasses

    from sim.scenario.load import load_scenario
    from sim.solve.greedy import greedy_schedule

    scenario = load_scenario("scenarios/tutorial.yaml")
    plan = greedy_schedule(scenario)
    moved = tuple(
        dataclasses.replace(a, venue="centre") if a.meeting == "host-ana" else a
        for a in plan.assignments
    )
    report = check(scenario, dataclasses.replace(plan, assignments=moved))
    (found,) = [v for v in report.violations if v.rule == "venue"]
    assert found.message == (
        "The Host – Ana Silva is at Conference Centre; it may be held only at The Palace"
    )
    assert found.meetings == ("host-ana",)  # (the ids stay beside the words)


def test_an_objective_no_rule_defines_is_warned_about_and_ignored() -> None:
    import dataclasses

    from sim.schedule import ObjectiveValue

    s = tiny()
    plan = dataclasses.replace(valid(s), objectives=(ObjectiveValue("speed", 1, 0),))
    report = check(s, plan)
    assert report.ok
    assert any("claims an objective 'speed' that no rule" in w for w in report.warnings)
