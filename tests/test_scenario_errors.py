"""Every class of error in a scenario file: its message and where it points.

Each case breaks the tutorial in one place and expects a problem at the line
and column where the broken text now stands (found by searching the broken
text, so the tests do not hard-code line numbers of the tutorial).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import InputFileError, Problem, ScenarioError
from sim.scenario.load import load_scenario, load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = (ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8")


def problems(text: str) -> tuple[Problem, ...]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "broken.yaml")
    return caught.value.problems


def where(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of ``needle`` in ``text``; a '|'
    in the needle marks the exact spot ('start: |2025-06-02' is the date's)."""
    mark = max(needle.find("|"), 0)
    needle = needle.replace("|", "", 1)
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    offset += mark
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def broken(old: str, new: str) -> str:
    assert TUTORIAL.count(old) == 1, f"{old!r} must occur once in the tutorial"
    return TUTORIAL.replace(old, new)


def expect(text: str, needle: str, *fragments: str, nth: int = 0) -> Problem:
    """The problem at ``needle``'s position, whose text holds every fragment."""
    line, column = where(text, needle, nth)
    found = problems(text)
    at = [p for p in found if (p.line, p.column) == (line, column)]
    assert at, f"no problem at {line}:{column}; got {[str(p) for p in found]}"
    matching = [p for p in at if all(f in str(p) for f in fragments)]
    assert matching, f"no problem with {fragments}; got {[str(p) for p in at]}"
    problem = matching[0]
    assert str(problem).startswith(f"broken.yaml:{line}:{column}: ")
    return problem


# --- reading the text ---------------------------------------------------------------------


def test_syntax_error_points_at_the_offending_character() -> None:
    text = broken("    title: Prime Minister\n", "    title: Prime: Minister\n")
    expect(text, ": Minister", "YAML syntax error", "mapping values are not allowed here")


def test_tab_indentation_is_a_syntax_error_at_the_tab() -> None:
    text = broken("    weight: 5\n", "\tweight: 5\n")
    expect(text, "\tweight", "YAML syntax error", "'\\t'")


def test_duplicate_key_points_at_the_second_one() -> None:
    text = broken("    weight: 5\n", "    weight: 5\n    weight: 6\n")
    first, _ = where(text, "weight: 5")
    problem = expect(text, "weight: 6", "duplicate key 'weight'", f"first at line {first}")
    assert problem.path == "meetings[1].weight"


def test_empty_file() -> None:
    (problem,) = problems("")
    assert "the file is empty" in problem.message and problem.line is None


def test_file_of_only_comments_holds_no_document() -> None:
    (problem,) = problems("# nothing here yet\n\n")
    assert "holds no YAML document" in problem.message


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- a\n- b\n", "a list of 2"), ("just words\n", "the text 'just words'"), ("42\n", "42")],
)
def test_a_document_that_is_not_a_mapping(text: str, kind: str) -> None:
    (problem,) = problems(text)
    assert (problem.line, problem.column) == (1, 1)
    assert f"a scenario is a mapping of keys (version, id, days, ...), not {kind}" in str(problem)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "binary file" in str(caught.value)


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Curaçao\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "not UTF-8 text" in str(caught.value)


def test_control_character_points_at_itself() -> None:
    text = broken("    name: Ben Okafor\n", "    name: Ben\x07Okafor\n")
    expect(text, "\x07", "U+0007", "not allowed")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        load_scenario(tmp_path / "nowhere.yaml")
    assert "no such file" in str(caught.value)


def test_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="is a directory"):
        load_scenario(tmp_path)


def test_unsupported_version() -> None:
    expect(broken("version: 1\n", "version: 2\n"), "2\n", "unsupported format version 2")


# --- shape: keys and types ----------------------------------------------------------------


def test_unknown_key_points_at_the_key_and_suggests_the_right_one() -> None:
    text = broken("    weight: 5\n", "    wieght: 5\n")
    problem = expect(text, "wieght", "unknown key 'wieght'", "did you mean 'weight'?")
    assert problem.path == "meetings[1].wieght"


def test_unknown_key_far_from_any_known_one_lists_the_allowed_keys() -> None:
    text = broken("    weight: 5\n", "    colour: blue\n")
    expect(text, "colour", "unknown key 'colour'", "allowed keys: id, title, parties")


def test_missing_key_points_at_the_mapping_that_lacks_it() -> None:
    text = broken("    name: Ana Silva\n", "")
    problem = expect(text, "id: ana", "missing required key 'name'", "add 'name: ...'")
    assert problem.path == "parties[1]"


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragments"),
    [
        (
            "rooms: 2}",
            "rooms: two}",
            "two}",
            ("venues[1].rooms", "expected a whole number, got the text 'two'"),
        ),
        (
            "    principal: true\n",
            "    principal: yes\n",
            "yes",
            ("expected true or false, got the text 'yes'", "write true or false"),
        ),
        ("    weight: 5\n", "    weight: 2.5\n", "2.5", ("expected a whole number, got 2.5",)),
        ("    name: Ben Okafor\n", "    name: 1234\n", "1234", ("expected text, got 1234",)),
        ("languages: [pt]", "languages: pt", "pt\n", ("expected a list",)),
        ("rank: head_of_government", "rank: prime_minister", "prime", ("not allowed here",)),
        ("    status: tentative\n", "    status: tentativ\n", "tentativ", ("'tentative'?",)),
        ("    weight: 3\n", "    weight: -3\n", "-3", ("must be at least 0, got -3",)),
        ("rooms: 1}", "rooms: 0}", "0}", ("must be at least 1, got 0",)),
        (
            "    duration: 30min\n",
            "    duration: true\n",
            "duration: |true",
            ("True is not a duration",),
        ),
        ("    duration: 30min\n", "    duration: -30\n", "-30", ("-30 is not a duration",)),
    ],
)
def test_wrong_type(old: str, new: str, needle: str, fragments: tuple[str, ...]) -> None:
    expect(broken(old, new), needle, *fragments)


# --- times --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragments"),
    [
        (
            "start: 2025-06-02 14:00",
            "start: 2025-06-02 14:75",
            "2025-06-02 14:75",
            ("no such time of day: '14:75'",),
        ),
        (
            "start: 2025-06-02 14:00",
            "start: 2025-06-02 2pm",
            "2025-06-02 2pm",
            ("'2025-06-02 2pm' is not a date and time such as '2024-10-22 14:30'",),
        ),
        (
            "arrival: 2025-06-02 10:00",
            "arrival: 2025-02-30 10:00",
            "2025-02-30",
            ("no such date: '2025-02-30'",),
        ),
        (
            '{start: "09:00", end: "12:00"}',
            '{start: "9.00", end: "12:00"}',
            '"9.00"',
            ("is not '2024-10-22 14:30' or a time of day '14:30'",),
        ),
        (
            "date: 2025-06-03,",
            "date: 2025-13-03,",
            "2025-13-03",
            ("no such date: '2025-13-03'",),
        ),
        (
            "date: 2025-06-03,",
            "date: 1066-10-14,",
            "1066",
            ("'1066-10-14' is not between the years 1900 and 2999",),
        ),
    ],
)
def test_bad_time(old: str, new: str, needle: str, fragments: tuple[str, ...]) -> None:
    expect(broken(old, new), needle, *fragments)


def test_bad_duration() -> None:
    text = broken("    duration: 45min\n", "    duration: 45 minuets\n")
    expect(text, "45 minuets", "the text '45 minuets' is not a duration such as '45min', '1h30'")


def test_duration_off_the_grain_suggests_the_nearest() -> None:
    text = broken("    duration: 45min\n", "    duration: 47min\n")
    expect(text, "47min", "'47min' is not a multiple of the 5-minute grain", "round it to 45")


def test_duration_longer_than_a_week() -> None:
    text = broken("time: 20min", "time: 9999h")
    expect(text, "9999h", "'9999h' is longer than a week")


def test_pinned_start_off_the_grain() -> None:
    text = broken(
        "    after: [host-ana]\n", "    after: [host-ana]\n    pinned: 2025-06-02 16:02\n"
    )
    expect(text, "2025-06-02 16:02", "not on the 5-minute grain")


def test_grain_that_does_not_divide_an_hour() -> None:
    expect(broken("grain: 5min", "grain: 7min"), "7min", "grain must divide an hour, got 7")


def test_unknown_time_zone() -> None:
    text = broken("timezone: Europe/Berlin", "timezone: Europe/Berlim")
    expect(text, "Europe/Berlim", "unknown time zone 'Europe/Berlim'")


def test_order_relations_that_go_round_in_a_circle_are_refused() -> None:
    # host-un after host-ana, and host-ana after host-ben after host-un: the planner
    # would drop one of them, saying only that there was no room left
    text = broken("    weight: 5\n", "    weight: 5\n    after: [host-un]\n")
    text = text.replace(
        "    min_duration: 45min\n", "    min_duration: 45min\n    after: [host-ben]\n"
    )
    expect(
        text,
        "after: [|host-ben]",
        "the order relations go round in a circle: 'host-ana' before 'host-un' before "
        "'host-ben' before 'host-ana'",
        "remove one of these after/before entries",
    )
    assert len(problems(text)) == 1
    # one 'before' against one 'after': the same
    text = broken("    after: [host-ana]\n", "    after: [host-ana]\n    before: [host-ana]\n")
    found = problems(text)
    assert len(found) == 1 and "go round in a circle" in found[0].message
    # a chain is fine
    load_scenario_text(broken("    weight: 5\n", "    weight: 5\n    after: [host-un]\n"))


def test_two_requests_on_the_day_with_one_id_are_refused() -> None:
    request = (
        "{event: request_meeting, at: 2025-06-02 12:00, "
        "request: {id: x1, parties: [host, ben], duration: 30min}}"
    )
    text = TUTORIAL + f"uncertainty:\n  scripted:\n    - {request}\n    - {request}\n"
    assert "\nuncertainty:" not in TUTORIAL
    expect(text, "x1", "'x1' is already requested by uncertainty.scripted[0]", nth=1)
    text = text.replace("id: x1", "id: dinner", 1)
    expect(text, "dinner, parties", "'dinner' is the id of a programme event")


def test_an_arrival_after_the_summit_is_blamed_on_the_arrival() -> None:
    # the guest gives no departure: it is the summit's end, and the arrival is wrong
    text = broken("    arrival: 2025-06-02 15:00", "    arrival: 2025-06-05 15:00")
    expect(text, "2025-06-05 15:00", "arrival: arrives after the summit's last day ends")


def test_an_event_of_no_length_says_so() -> None:
    text = broken("    duration: 2h\n    venue: palace", "    duration: 0min\n    venue: palace")
    expect(text, "duration: |0min", "duration: an event must last some time", "give 5min or more")
    text = broken("    end: 2025-06-02 15:30", "    end: 2025-06-02 14:00")
    expect(text, "end: |2025-06-02 14:00", "the event ends when it starts")


def test_an_id_too_long_says_how_long_and_a_venue_given_twice_is_listed_once() -> None:
    text = broken("  - id: ana\n", f"  - id: {'a' * 81}\n")
    expect(text, "a" * 81, "81 characters long, more than the 80 allowed; shorten it")
    text = broken(
        "  - {id: palace, name: The Palace, rooms: 1}\n",
        "  - {id: palace, name: The Palace, rooms: 1}\n  - {id: palace, rooms: 1}\n",
    )
    said = [str(p) for p in problems(text.replace("venue: centre", "venue: centr"))]
    assert any("the venue id 'palace' is used twice" in p for p in said), said
    assert not any("palace, palace" in p for p in said), said


def test_two_documents_in_one_file_and_a_mixture_of_mixtures_say_so() -> None:
    (found,) = problems(TUTORIAL + "---\nversion: 1\n")
    assert "the file holds more than one YAML document" in found.message
    nested = (
        "uncertainty:\n  travel_time: {dist: mixture, components: [{dist: mixture, "
        "weight: 1, components: [{dist: fixed, value: 1, weight: 1}]}]}\n"
    )
    (found,) = problems(TUTORIAL + nested)
    assert found.message == "a mixture's components cannot be mixtures themselves"


def test_a_time_zone_that_depends_on_the_machine_is_refused() -> None:
    for zone in ("localtime", "Factory", "posix/Europe/Berlin", "right/Europe/Berlin"):
        text = broken("timezone: Europe/Berlin", f"timezone: {zone}")
        expect(text, zone, "is not a place")


def test_bad_day_dates_stop_before_everything_that_depends_on_them() -> None:
    text = broken("date: 2025-06-03,", "date: 2025-06-31,")
    assert [p.message for p in problems(text)] == ["no such date: '2025-06-31'"]


# --- meaning: references and cross-checks ------------------------------------------------


def test_unknown_party_suggests_the_closest_id() -> None:
    text = broken("parties: [host, ana]", "parties: [host, anna]")
    problem = expect(text, "anna", "unknown party 'anna'", "did you mean 'ana'?")
    assert problem.path == "meetings[0].parties[1]"


def test_unknown_party_with_nothing_close_lists_the_parties() -> None:
    text = broken("parties: [host, ana]", "parties: [host, zzzz]")
    expect(text, "zzzz", "unknown party 'zzzz'", "known parties: ana, ben, host, un")


def test_unknown_venue_suggests_the_closest_id() -> None:
    text = broken("    venues: [palace]\n", "    venues: [palce]\n")
    expect(text, "palce", "unknown venue 'palce'", "did you mean 'palace'?")


def test_unknown_meeting_in_an_order_relation() -> None:
    text = broken("after: [host-ana]", "after: [host-anna]")
    expect(text, "host-anna", "unknown meeting 'host-anna'", "did you mean 'host-ana'?")


def test_missing_travel_time_points_at_the_travel_section() -> None:
    text = broken(
        "  - {between: [palace, centre], time: 20min}",
        "  - {from: palace, to: centre, time: 20min}",
    )
    expect(text, "- {from", "no travel time from centre to palace", "{from: centre, to: palace")


def test_missing_travel_section_points_at_the_venues() -> None:
    section = (
        "travel:\n  - {between: [palace, centre], time: 20min}   # motorcade, both directions\n"
    )
    text = broken(section, "")
    expect(text, "- {id: palace", "no travel time between palace and centre")


def test_overlapping_fixed_events_for_a_party() -> None:
    text = broken("start: 2025-06-02 19:00", "start: 2025-06-02 15:00")
    expect(text, "start: |2025-06-02 15:00", "host would be at opening and dinner at once")


def test_fixed_events_too_close_to_travel_between() -> None:
    text = broken("start: 2025-06-02 19:00", "start: 2025-06-02 15:40")
    expect(text, "2025-06-02 15:40", "cannot travel from opening at centre", "(20 min needed)")


def test_departure_before_arrival() -> None:
    text = broken("departure: 2025-06-03 14:00", "departure: 2025-06-02 09:00")
    expect(text, "2025-06-02 09:00", "departs before arriving")


def test_window_outside_the_summit() -> None:
    text = broken(
        '      - {start: "09:00", end: "12:00"}',
        '      - {start: "2025-07-01 09:00", end: "2025-07-01 12:00"}',
    )
    problem = expect(
        text, '- |{start: "2025-07-01', "lies outside every summit day", "2025-06-02 to 2025-06-03"
    )
    assert problem.path == "meetings[1].preferred[0]"


def test_unavailable_on_a_day_that_is_not_a_summit_day() -> None:
    text = broken("date: 2025-06-02, reason", "date: 2025-06-09, reason")
    expect(text, "2025-06-09", "2025-06-09 is not a summit day")


def test_unavailable_during_an_event_the_party_attends() -> None:
    text = broken('{start: "12:00", end: "13:00", date', '{start: "14:00", end: "15:00", date')
    expect(text, '{start: "14:00"', "ben is unavailable during opening, which it attends")


def test_event_outside_a_working_day() -> None:
    text = broken("start: 2025-06-02 19:00", "start: 2025-06-02 20:00")
    expect(text, "2025-06-02 20:00", "does not lie inside one summit day's working window")


def test_required_tentative_meeting() -> None:
    text = broken("    status: tentative\n", "    status: tentative\n    required: true\n")
    expect(text, "required: |true", "a tentative meeting cannot be required", nth=1)


def test_meeting_without_a_principal() -> None:
    text = broken("parties: [host, ben]", "parties: [un, ben]")
    expect(text, "[un, ben]", "none of the meeting's parties is a principal")


def test_lognormal_needs_sigma_or_p90() -> None:
    text = TUTORIAL + "uncertainty:\n  meeting_duration: {dist: lognormal, median: 1}\n"
    expect(text, "{dist: lognormal", "a lognormal needs 'sigma' or 'p90'")


def test_missing_distribution_kind() -> None:
    text = TUTORIAL + "uncertainty:\n  arrival_delay: {mean: 3}\n"
    expect(text, "{mean", "missing the key 'dist' that says which kind this is")


def test_unknown_distribution_kind() -> None:
    text = TUTORIAL + "uncertainty:\n  arrival_delay: {dist: normall, mean: 3}\n"
    expect(text, "{dist: normall", "unknown kind 'normall'", "'normal'")


def test_scripted_event_for_an_unknown_party() -> None:
    text = TUTORIAL + (
        "uncertainty:\n  scripted:\n    - {event: cancel_party, party: bn, at: 2025-06-02 12:00}\n"
    )
    expect(text, "bn,", "unknown party 'bn'", "did you mean 'ben'?")


def test_not_a_number_is_refused() -> None:
    text = TUTORIAL + "uncertainty:\n  arrival_delay: {dist: fixed, value: .nan}\n"
    expect(text, ".nan", "expected a number")


# --- several problems ---------------------------------------------------------------------


def test_every_meaning_problem_is_reported_in_file_order() -> None:
    text = broken("parties: [host, ana]", "parties: [host, anna]")
    text = text.replace("    venues: [palace]\n", "    venues: [palce]\n")
    text = text.replace("departure: 2025-06-03 14:00", "departure: 2025-06-02 09:00")
    found = problems(text)
    assert [p.message.split(" ")[0:2] for p in found] == [
        ["departs", "before"],
        ["unknown", "party"],
        ["unknown", "venue"],
    ]
    assert [p.line for p in found] == sorted(p.line or 0 for p in found)


def test_every_shape_problem_is_reported() -> None:
    text = broken("    weight: 5\n", "    wieght: 5\n").replace("rooms: 2}", "rooms: two}")
    text = text.replace("    name: Ana Silva\n", "")
    messages = [p.message for p in problems(text)]
    assert len(messages) == 3
    assert any("unknown key 'wieght'" in m for m in messages)
    assert any("expected a whole number" in m for m in messages)
    assert any("missing required key 'name'" in m for m in messages)


def test_one_problem_is_not_reported_twice() -> None:
    text = broken("    duration: 30min\n", '    duration: ""\n')
    assert len(problems(text)) == 1


def test_a_bad_day_end_is_one_problem_not_two() -> None:
    # the end cannot be read: "the day ends before it starts" would only echo it
    text = broken('start: "09:00", end: "21:00"}', 'start: "09:00", end: "30:30"}')
    (problem,) = problems(text)
    assert problem.path == "days[0].end" and "'30:30' is too late" in problem.message


def test_a_schedule_given_for_the_scenario_is_named_as_such() -> None:
    (found,) = problems('{"format": 1, "scenario": {"id": "x"}, "solver": {}, "meetings": []}')
    assert found.message == "this is a schedule (as 'sim solve' writes), not a scenario"
    assert "'sim check' takes SCENARIO then SCHEDULE" in found.hint


def test_a_party_listed_twice_in_the_order_of_precedence_is_refused() -> None:
    text = broken(
        "  precedence: {mode: rank}", "  precedence: {mode: order, order: [ana, ben, ana]}"
    )
    expect(text, "ben, |ana]", "'ana' is listed twice", "give each party one place in the order")


def test_an_empty_name_reads_as_the_id() -> None:
    scenario = load_scenario_text(broken("    name: Ana Silva\n", '    name: ""\n'))
    assert scenario.party_by_id["ana"].name == "ana"


def test_a_day_on_the_grain_by_the_clock_but_not_by_elapsed_time_says_why() -> None:
    # Lord Howe Island's clocks go back 30 minutes on 6 April 2025: with an hour's
    # grain, counted in minutes from the first day's midnight, 09:00 is off it
    text = (
        TUTORIAL.replace("timezone: Europe/Berlin", "timezone: Australia/Lord_Howe")
        .replace("2025-06-02", "2025-04-05")
        .replace("2025-06-03", "2025-04-06")
        .replace("grain: 5min", "grain: 60min")
    )
    said = [str(p) for p in problems(text)]
    assert any(
        "is on the 60-minute grain by the clock, but the clocks have moved 30 minutes" in p
        and p.endswith("use grain: 30min")
        for p in said
    ), said
