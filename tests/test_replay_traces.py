"""Whole traces of short hand-written summits: who did what, when.

Every summit is one morning, 09:00-13:00 (minute 540-780), venues a and b 30 minutes
apart, the host based at a, a 10-minute buffer. Disruptions are set by hand, so each
trace can be followed line by line; the comments say why each line is there.
"""

from __future__ import annotations

from sim.simulate.policies import make_policy
from tests.replay_helpers import calm, keep_or_fit_planner, run, schedule_of
from tests.tiny import DAY, base_document, meeting, scenario_of


def test_an_overrun_right_shifts_the_next_meeting() -> None:
    # m1 (planned 09:00-10:00) runs 80 minutes; m2 (10:10) starts when the host is free.
    doc = base_document()
    doc["meetings"] = [meeting("m1", "host", "g1"), meeting("m2", "host", "g2", duration="45min")]
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    outcome = run(scenario, schedule, calm(scenario, length={"m1": 80}), make_policy("as-planned"))
    assert outcome.trace == (
        (540, "host", "arrives"),
        (540, "host", "waits for m1"),
        (540, "g1", "arrives"),  # no base: it simply appears at its first venue
        (540, "g1", "waits for m1"),
        (540, "m1", "starts at a"),
        (540, "g2", "arrives"),
        (540, "g2", "waits for m2"),  # early; m2 may not start before 10:10
        (540, "g3", "arrives"),  # nothing to do
        (620, "m1", "ends"),  # 20 minutes over
        (620, "host", "waits for m2"),
        (620, "m2", "starts at a"),  # 10 minutes late: the buffer absorbed the other 10
        (665, "m2", "ends"),
    )
    assert outcome.primary_delay == 20


def test_a_meeting_that_cannot_fit_before_the_plenary_waits_until_after_it() -> None:
    # The host must ride to b for the 11:30 plenary, so m2 (40 min, 10:10) must start
    # by 10:20. m1 runs 90 minutes: m2 is deferred past the plenary, where the day
    # has no room left for it.
    doc = base_document()
    doc["meetings"] = [
        meeting("m1", "host", "g1"),
        meeting("m2", "host", "g2", duration="40min", min_duration="30min"),
    ]
    doc["fixed_events"] = [
        {
            "id": "plenary",
            "name": "Plenary",
            "kind": "plenary",
            "start": f"{DAY} 11:30",
            "end": f"{DAY} 12:30",
            "venue": "b",
            "attendees": ["host"],
        }
    ]
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    draws = calm(scenario, length={"m1": 90})
    outcome = run(scenario, schedule, draws, make_policy("as-planned"))
    assert outcome.trace == (
        (540, "host", "arrives"),
        (540, "host", "waits for m1"),
        (540, "g1", "arrives"),
        (540, "g1", "waits for m1"),
        (540, "m1", "starts at a"),
        (540, "g2", "arrives"),
        (540, "g2", "waits for m2"),
        (540, "g3", "arrives"),
        (621, "m2", "deferred after plenary"),  # 10:20 passed with the host still busy
        (621, "g2", "waits for m2"),  # now planned for 13:00 (12:30 + the ride back)
        (630, "m1", "ends"),
        (630, "host", "leaves a for b"),  # straight to the plenary
        (660, "host", "reaches b"),
        (690, "plenary", "starts"),
        (750, "plenary", "ends"),
        (750, "host", "leaves b for a"),
        (780, "m2", "not held: no time left on day 1"),
        (780, "host", "reaches a"),
    )
    # Shorten: m1 is cut to 70 minutes to keep m2 on time (the buffer absorbs 10).
    outcome = run(scenario, schedule, draws, make_policy("shorten"))
    assert outcome.trace == (
        (540, "host", "arrives"),
        (540, "host", "waits for m1"),
        (540, "g1", "arrives"),
        (540, "g1", "waits for m1"),
        (540, "m1", "starts at a"),
        (540, "g2", "arrives"),
        (540, "g2", "waits for m2"),
        (540, "g3", "arrives"),
        (610, "m1", "ends"),
        (610, "host", "waits for m2"),
        (610, "m2", "starts at a"),
        (650, "m2", "ends"),
        (650, "host", "leaves a for b"),
        (680, "host", "reaches b"),
        (690, "plenary", "starts"),
        (750, "plenary", "ends"),
        (750, "host", "leaves b for a"),  # home to its base
        (780, "host", "reaches a"),
    )
    assert outcome.result_of("m1").cut == 20


def test_a_busy_room_holds_the_next_meeting() -> None:
    # a has one room: g1-g2 (09:00) runs 75 minutes, host-g3 (10:00) waits for the room.
    doc = base_document()
    doc["parties"][1]["principal"] = True
    doc["meetings"] = [meeting("m1", "g1", "g2"), meeting("m2", "host", "g3")]
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:00", "a"))
    outcome = run(scenario, schedule, calm(scenario, length={"m1": 75}), make_policy("as-planned"))
    assert outcome.trace == (
        (540, "host", "arrives"),
        (540, "host", "waits for m2"),
        (540, "g1", "arrives"),
        (540, "g1", "waits for m1"),
        (540, "g2", "arrives"),
        (540, "g2", "waits for m1"),
        (540, "m1", "starts at a"),
        (540, "g3", "arrives"),
        (540, "g3", "waits for m2"),
        (615, "m1", "ends"),
        (615, "m2", "starts at a"),  # everyone was there at 10:00; the room was not
        (675, "m2", "ends"),
    )


def test_an_overrunning_session_delays_the_next_one_and_its_attendees() -> None:
    # e1 (09:00-10:00, host and g1) runs 20 minutes long; e2 (10:00, the host) follows
    # it; m1 (10:40) waits for the host.
    doc = base_document()
    doc["fixed_events"] = [
        {
            "id": "e1",
            "name": "E1",
            "kind": "plenary",
            "start": f"{DAY} 09:00",
            "end": f"{DAY} 10:00",
            "venue": "a",
            "attendees": ["host", "g1"],
        },
        {
            "id": "e2",
            "name": "E2",
            "kind": "press",
            "start": f"{DAY} 10:00",
            "end": f"{DAY} 10:30",
            "venue": "a",
            "attendees": ["host"],
        },
    ]
    doc["meetings"] = [meeting("m1", "host", "g1")]
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "10:40", "a"))
    outcome = run(scenario, schedule, calm(scenario, overrun={"e1": 20}), make_policy("as-planned"))
    assert outcome.trace == (
        (540, "host", "arrives"),
        (540, "g1", "arrives"),
        (540, "g2", "arrives"),
        (540, "g3", "arrives"),
        (540, "e1", "starts"),
        (620, "e1", "ends"),
        (620, "g1", "waits for m1"),
        (620, "e2", "starts"),  # late: e1 ran over and shares the host
        (650, "e2", "ends"),
        (650, "host", "waits for m1"),
        (650, "m1", "starts at a"),
        (710, "m1", "ends"),
    )


def test_scripted_what_ifs_happen_as_written() -> None:
    # g1 lands 20 minutes late, m2 is cancelled at 10:00, m3 is asked for at 10:30 and
    # goes into the first gap.
    doc = base_document()
    doc["meetings"] = [meeting("m1", "host", "g1"), meeting("m2", "host", "g2", duration="45min")]
    doc["uncertainty"] = {
        "scripted": [
            {"event": "delay_arrival", "party": "g1", "by": "20min"},
            {"event": "cancel_meeting", "meeting": "m2", "at": f"{DAY} 10:00"},
            {
                "event": "request_meeting",
                "at": f"{DAY} 10:30",
                "request": {
                    "id": "m3",
                    "parties": ["host", "g3"],
                    "duration": "30min",
                    "venues": ["a"],
                    "weight": 2,
                },
            },
        ]
    }
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    outcome = run(scenario, schedule, calm(scenario), make_policy("as-planned"))
    assert outcome.trace == (
        (540, "host", "arrives"),
        (540, "host", "waits for m1"),
        (540, "g2", "arrives"),
        (540, "g2", "waits for m2"),
        (540, "g3", "arrives"),
        (560, "g1", "arrives"),
        (560, "g1", "waits for m1"),
        (560, "m1", "starts at a"),
        (600, "m2", "not held: cancelled (scripted)"),
        (620, "m1", "ends"),
        (630, "m3", "requested"),
        (630, "m3", "fitted at minute 630 at a"),  # 10:20 + the buffer
        (630, "host", "waits for m3"),
        (630, "g3", "waits for m3"),
        (630, "m3", "starts at a"),
        (660, "m3", "ends"),
    )
    assert outcome.result_of("m3").added


def test_a_guest_leaving_that_day_walks_out_after_waiting() -> None:
    # The host is 40 minutes late; g1, who leaves at 12:30, gives up after 20 minutes.
    doc = base_document()
    doc["parties"][1]["departure"] = f"{DAY} 12:30"
    doc["meetings"] = [meeting("m1", "host", "g1")]
    doc["uncertainty"] = {"scripted": [{"event": "delay_arrival", "party": "host", "by": "40min"}]}
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:00", "a"))
    draws = calm(scenario, walkout=frozenset({"m1"}), walkout_wait=20)
    outcome = run(scenario, schedule, draws, make_policy("as-planned"))
    assert outcome.trace == (
        (540, "g1", "arrives"),
        (540, "g1", "waits for m1"),
        (540, "g2", "arrives"),
        (540, "g3", "arrives"),
        (560, "m1", "not held: walkout after waiting over 20 min"),
        (580, "host", "arrives"),
    )


def test_drop_gives_up_the_lightest_meeting_when_the_day_would_overflow() -> None:
    # m1 runs 130 minutes: m2 (weight 1) and m3 (weight 5) no longer both fit by 13:00.
    doc = base_document()
    doc["meetings"] = [
        meeting("m1", "host", "g1"),
        meeting("m2", "host", "g2", required=False, weight=1),
        meeting("m3", "host", "g3", required=False, weight=5),
    ]
    scenario = scenario_of(doc)
    schedule = schedule_of(
        scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"), ("m3", "11:20", "a")
    )
    draws = calm(scenario, length={"m1": 130})
    opening = (
        (540, "host", "arrives"),
        (540, "host", "waits for m1"),
        (540, "g1", "arrives"),
        (540, "g1", "waits for m1"),
        (540, "m1", "starts at a"),
        (540, "g2", "arrives"),
        (540, "g2", "waits for m2"),
        (540, "g3", "arrives"),
        (540, "g3", "waits for m3"),
        (670, "m1", "ends"),
    )
    outcome = run(scenario, schedule, draws, make_policy("drop"))
    assert outcome.trace == (
        *opening,
        (670, "m2", "not held: dropped: the day of host would overflow"),
        (670, "host", "waits for m3"),
        (680, "m3", "starts at a"),  # on time
        (740, "m3", "ends"),
    )
    # As planned, m2 goes ahead and m3, worth five times as much, is lost.
    outcome = run(scenario, schedule, draws, make_policy("as-planned"))
    assert outcome.trace == (
        *opening,
        (670, "host", "waits for m2"),
        (670, "m2", "starts at a"),
        (721, "m3", "not held: no time left on day 1"),  # g3 stops waiting at 12:01
        (730, "m2", "ends"),
    )


def test_replan_moves_the_meeting_the_overrun_made_impossible() -> None:
    # m1 runs 90 minutes: the host is 20 minutes late for m2, beyond the 10-minute
    # tolerance, so the rest of the morning is re-planned (here by a stand-in planner).
    doc = base_document()
    doc["meetings"] = [meeting("m1", "host", "g1"), meeting("m2", "host", "g2")]
    scenario = scenario_of(doc)
    schedule = schedule_of(scenario, ("m1", "09:00", "a"), ("m2", "10:10", "a"))
    draws = calm(scenario, length={"m1": 90})
    outcome = run(scenario, schedule, draws, make_policy("replan", keep_or_fit_planner))
    assert outcome.trace == (
        (540, "host", "arrives"),
        (540, "host", "waits for m1"),
        (540, "g1", "arrives"),
        (540, "g1", "waits for m1"),
        (540, "m1", "starts at a"),
        (540, "g2", "arrives"),
        (540, "g2", "waits for m2"),
        (540, "g3", "arrives"),
        (630, "m1", "ends"),
        (630, "plan", "re-plan: host late for the next meeting"),
        (630, "m2", "re-planned to minute 630 at a"),
        (630, "g2", "waits for m2"),  # told to stay for the new time
        (630, "host", "waits for m2"),
        (630, "m2", "starts at a"),
        (690, "m2", "ends"),
    )
    assert outcome.replans == 1
