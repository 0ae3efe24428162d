"""The B2B importer: a small hand-made instance, imported, planned, checked; bad files.

The instance (written here, not a benchmark file): four participants, three
meetings, one table, four 30-minute slots (two in the morning).

    m1 = p1-p2 (morning only), m2 = p1-p3 (either), m3 = p1-p4 (fixed at slot 4)
    p1 cannot meet in slot 2; m2 must come after m1.

Hand check of the optimum: p1 takes part in all three meetings and can meet
only in slots 1, 3 and 4, so it uses all three; m3 is fixed at 4, m1 is in the
morning (slot 1 or 2, but 2 is forbidden) so m1 = 1 and m2 = 3 (also after m1,
as the precedence asks). p1 is idle in slot 2 between m1 and m2: one gap; p2,
p3 and p4 have one meeting each, no gap. The only schedule, so the optimum is 1
gap. With fairness 0 (every party at most the fewest, 0, gaps) no schedule
exists; with the default fairness 2 it does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.b2b import DznError, import_b2b
from sim.check import check
from sim.check.objectives import compact_days, fairness_problems
from sim.check.view import plan_view
from sim.scenario.load import load_scenario, load_scenario_text
from sim.scenario.write import scenario_to_yaml
from sim.schedule import SolveStatus
from sim.solve import SolveSettings, solve

SMALL = """\
% a hand-made instance
nBusiness = 4;
nMeetings = 3;
nTables = 1;
nTotalSlots = 4;
nMorningSlots = 2;
requested = [| 1, 2, 1,
             | 1, 3, 3,
             | 1, 4, 3 |];
meetingsxBusiness = [{1, 2, 3, 4}, {1, 2}, {1, 3}, {1, 4}];
nMeetingsBusiness = [3, 1, 1, 1];
forbidden = [{2}, {0}, {}, {0}];
fixed = [0, 0, 4];
precedences = [{}, {1}, {}];
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.dzn"
    path.write_text(SMALL)
    return path


def test_the_mapping(small: Path) -> None:
    scenario = import_b2b(small)
    assert len(scenario.parties) == 4 and all(p.principal for p in scenario.parties)
    assert scenario.venues[0].rooms == 1 and scenario.grain == 30
    assert all(m.required and m.duration == 30 for m in scenario.meetings)
    m1, m2, m3 = scenario.meetings
    assert len(m1.windows) == 1 and m1.windows[0].length == 60  # the morning: 2 slots
    assert not m2.windows and m2.after == ("m1",)
    assert m3.pinned_start == scenario.days[0].window.start + 3 * 30
    assert [u.length for u in scenario.party_by_id["p1"].unavailable] == [30]
    assert scenario.rules.objectives == ("compact_days",) and scenario.rules.fairness == 2
    # written and read back: the same scenario
    assert load_scenario_text(scenario_to_yaml(scenario)) == scenario


def test_import_solve_check_optimum(small: Path) -> None:
    scenario = import_b2b(small)
    result = solve(scenario, SolveSettings(time_limit=10))
    schedule = result.schedule
    assert schedule.status is SolveStatus.OPTIMAL
    report = check(scenario, schedule)
    assert report.ok, [str(v) for v in report.violations]
    view = plan_view(scenario, schedule.assignments)
    assert compact_days(view) == 1  # the hand-checked optimum
    planned = {o.name: o.value for o in schedule.objectives}
    assert planned == {"compact_days": 1}  # the planner's value, the checker's value
    assert fairness_problems(view) == []
    start = scenario.days[0].window.start
    slots = {a.meeting: (a.start - start) // 30 + 1 for a in schedule.assignments}
    assert slots == {"m1": 1, "m2": 3, "m3": 4}


@pytest.mark.parametrize(("fairness", "feasible"), [(0, False), (1, True)])
def test_fairness_is_enforced(small: Path, fairness: int, feasible: bool) -> None:
    text = scenario_to_yaml(import_b2b(small)).replace("fairness: 2", f"fairness: {fairness}")
    scenario = load_scenario_text(text)
    result = solve(scenario, SolveSettings(time_limit=10, explain=False))
    if feasible:
        assert result.schedule.status is SolveStatus.OPTIMAL
        assert fairness_problems(plan_view(scenario, result.schedule.assignments)) == []
    else:
        assert result.schedule.status is SolveStatus.INFEASIBLE


# Eight participants, twenty meetings, three tables, seven slots (generated once, at
# random): two gaps at least, which the planner's minimisation alone takes a while
# to prove (1.5 s with one worker).
DENSE = """\
nBusiness = 8;
nMeetings = 20;
nTables = 3;
nTotalSlots = 7;
nMorningSlots = 7;
requested = [| 1, 5, 3 | 1, 7, 3 | 1, 8, 3 | 2, 3, 3 | 2, 4, 3 | 2, 5, 3 | 2, 6, 3
             | 2, 7, 3 | 2, 8, 3 | 3, 7, 3 | 3, 8, 3 | 4, 5, 3 | 4, 6, 3 | 4, 7, 3
             | 4, 8, 3 | 5, 6, 3 | 5, 8, 3 | 6, 7, 3 | 6, 8, 3 | 7, 8, 3 |];
"""


def test_the_climb_proves_the_optimum_from_below(tmp_path: Path) -> None:
    """SolveSettings.climb: minimisation stops at its first plan (share 0), then "is
    there a plan with at most K gaps?" is asked for K = 0, 1, ...: the first yes is
    the optimum, the same as the plain deterministic search proves, and the checker's."""
    path = tmp_path / "dense.dzn"
    path.write_text(DENSE)
    scenario = import_b2b(path)
    plain = solve(scenario, SolveSettings(time_limit=30, explain=False))
    assert plain.schedule.status is SolveStatus.OPTIMAL
    optimum = plain.tiers[0].value
    said: list[str] = []
    settings = SolveSettings(
        time_limit=60, explain=False, workers=2, deterministic=False, climb=0.0
    )
    climbed = solve(scenario, settings, progress=said.append)
    assert climbed.schedule.status is SolveStatus.OPTIMAL
    assert climbed.tiers[0].value == climbed.tiers[0].bound == optimum == 2
    # the climb ran: the counts below the optimum were each proven impossible
    assert any("no plan with at most 1" in line for line in said), said
    view = plan_view(scenario, climbed.schedule.assignments)
    assert compact_days(view) == optimum and fairness_problems(view) == []
    assert check(scenario, climbed.schedule).ok


@pytest.mark.slow  # two start-ups of the command line
def test_the_command_writes_a_valid_scenario(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "small.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "sim", "import-b2b", str(small), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert load_scenario(out) == import_b2b(small)
    printed = subprocess.run(
        [sys.executable, "-m", "sim", "import-b2b", str(small)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert printed.returncode == 0 and printed.stdout == out.read_text()


BAD = [
    ("nBusiness = 4;\nnMeetings = x;\n", "2", "nMeetings", "expected 'int'"),
    (SMALL.replace("nTables = 1;", ""), "", "nTables", "missing"),  # no line to name
    (SMALL.replace("| 1, 3, 3,", "| 1, 7, 3,"), "8", "requested", "participant 7"),
    (SMALL.replace("| 1, 4, 3 |", "| 1, 4, 5 |"), "9", "requested", "session 5"),
    (SMALL.replace("{2}, {0}", "{9}, {0}"), "12", "forbidden", "9 is not 0..4"),
    (SMALL.replace("fixed = [0, 0, 4]", "fixed = [0, 0]"), "13", "fixed", "expected 3 slots"),
    (SMALL.replace("[3, 1, 1, 1]", "[2, 1, 1, 1]"), "11", "nMeetingsBusiness", "match"),
    (SMALL.replace("{}, {1}, {}];", "{}, {1}, {}]"), "14", "", "ends early"),
    (SMALL + "nTables = 2;\n", "15", "nTables", "assigned twice"),
    ("nBusiness = 4 @;", "1", "", "unexpected text '@;'"),
    # sizes refused before anything is built from them (they ate gigabytes)
    (SMALL.replace("nBusiness = 4;", "nBusiness = 1000000000;"), "2", "nBusiness", "too large"),
    (SMALL.replace("nBusiness = 4;", "nBusiness = 100000;"), "2", "nBusiness", "more than"),
    (SMALL.replace("{2}, {0}", "{1..99999999}, {0}"), "12", "forbidden", "too large"),
    (SMALL.replace("nTables = 1;", "nTables = 1001;"), "4", "nTables", "more than 1,000"),
    # a misspelt field is not silently dropped with its constraints
    (SMALL.replace("fixed =", "fixd ="), "13", "fixd", "did you mean fixed?"),
    (SMALL.replace("{}, {1}, {}];", "{}, {1, 2}, {}];"), "14", "precedences", "precede itself"),
]


@pytest.mark.parametrize(("text", "line", "field", "words"), BAD)
def test_bad_files_name_file_line_and_field(
    tmp_path: Path, text: str, line: str, field: str, words: str
) -> None:
    path = tmp_path / "bad.dzn"
    path.write_text(text)
    with pytest.raises(DznError) as caught:
        import_b2b(path)
    message = str(caught.value)
    where = f"{path}:{line}:" if line else f"{path}: {field}:"
    assert message.startswith(where), message
    assert field in message and words in message


def test_a_bad_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.dzn"
    path.write_text(SMALL.replace("| 1, 3, 3,", "| 1, 7, 3,"))
    done = subprocess.run(
        [sys.executable, "-m", "sim", "import-b2b", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{path}:8: requested: row 2: participant 7"), done.stderr


def test_a_byte_order_mark_and_a_meeting_fixed_past_midnight_import(tmp_path: Path) -> None:
    # 34 slots from 09:00: slot 31 starts at 24:00, the next date
    text = SMALL.replace("nTotalSlots = 4;", "nTotalSlots = 34;").replace(
        "fixed = [0, 0, 4];", "fixed = [0, 0, 31];"
    )
    path = tmp_path / "late.dzn"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    scenario = import_b2b(path)
    (m3,) = (m for m in scenario.meetings if m.id == "m3")
    assert m3.pinned_start is not None
    pinned = scenario.to_datetime(m3.pinned_start)
    assert pinned.isoformat(" ", "minutes") == "2022-01-11 00:00+00:00"


def test_the_command_will_not_write_over_its_instance(small: Path) -> None:
    from sim.cli import main

    before = small.read_text()
    assert main(["import-b2b", str(small), "-o", str(small)]) == 1
    assert small.read_text() == before


def test_a_problem_of_the_scenario_names_the_instance_not_an_unwritten_yaml(
    small: Path,
) -> None:
    # what the instance's own checks let through (here: forced by breaking the YAML)
    from sim.b2b import b2b_yaml, load_imported

    text = b2b_yaml(small).replace("rooms: 1", "rooms: 0")
    with pytest.raises(DznError) as caught:
        load_imported(text, small)
    (problem,) = caught.value.problems
    assert problem.file == str(small) and problem.line is None
    assert problem.path == "(as a scenario) venues[0].rooms"


def test_precedences_in_a_circle_are_named_and_the_benchmark_calls_it_no_schedule(
    tmp_path: Path,
) -> None:
    import importlib.util

    path = tmp_path / "circle.dzn"
    path.write_text(SMALL.replace("precedences = [{}, {1}, {}];", "precedences = [{2}, {1}, {}];"))
    with pytest.raises(DznError, match="'m1' before 'm2' before 'm1'"):
        import_b2b(path)
    bench_path = Path(__file__).resolve().parent.parent / "benchmarks" / "b2b.py"
    spec = importlib.util.spec_from_file_location("b2b_bench", bench_path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["b2b_bench"] = bench  # (its dataclasses look their module up there)
    try:
        spec.loader.exec_module(bench)
    finally:
        del sys.modules["b2b_bench"]
    row = bench._run(path, "original", {}, {}, 5.0)
    assert (row.value, row.proven, row.valid) == ("none", True, True)


@pytest.mark.parametrize(
    ("name", "ident"),
    [("_underscore", "underscore"), ("café", "caf-"), ("-dash", "dash"), ("x" * 90, "x" * 80)],
)
def test_any_file_name_imports(tmp_path: Path, name: str, ident: str) -> None:
    # The instance has no id of its own: a file name the scenario format would refuse
    # as an id ('_x', non-ASCII, too long) must not make a valid instance unreadable.
    path = tmp_path / f"{name}.dzn"
    path.write_text(SMALL)
    assert import_b2b(path).id == ident


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("| 1, 4, 3 |]", "| 4, 4, 3 |]", 9, "row 3: a participant meets itself"),
        ("| 1, 4, 3 |]", "| 1, 4 |]", 9, "row 3 has 2 numbers, row 1 has 3"),
        ("| 1, 3, 3,", "| 1, 9, 3,", 8, "row 2: participant 9 is not 1..4"),
        ("forbidden = [{2}, {0}, {}, {0}];", "forbidden = [{2},\n {0},\n {7}, {0}];", 14, "7"),
    ],
)
def test_a_bad_row_is_named_at_its_own_line(
    tmp_path: Path, old: str, new: str, line: int, words: str
) -> None:
    # Row 100 of a table was reported at the line of 'requested =': the row's own
    # line is where the user must look.
    path = tmp_path / "bad.dzn"
    assert old in SMALL
    path.write_text(SMALL.replace(old, new))
    with pytest.raises(DznError) as caught:
        import_b2b(path)
    (problem,) = caught.value.problems
    assert problem.line == line and words in problem.message and problem.hint


def test_more_of_minizinc_data_reads_the_same(tmp_path: Path) -> None:
    # Block comments, trailing commas and a bare range as a set are valid MiniZinc
    # data; the instance they write is the same one.
    variant = "/* a block\n   comment */\n" + SMALL.replace(
        "forbidden = [{2}, {0}, {}, {0}];", "forbidden = [2..2, {0}, {}, {0},];"
    ).replace("fixed = [0, 0, 4];", "fixed = [0, 0, 4,]; /* fixed */")
    original, other = tmp_path / "a.dzn", tmp_path / "b.dzn"
    original.write_text(SMALL)
    other.write_text(variant)
    first, second = import_b2b(original), import_b2b(other)
    assert first.meetings == second.meetings and first.parties == second.parties


def test_an_unclosed_block_comment_is_named(tmp_path: Path) -> None:
    path = tmp_path / "open.dzn"
    path.write_text(SMALL.replace("fixed = [0, 0, 4];", "/* fixed\nfixed = [0, 0, 4];"))
    with pytest.raises(DznError) as caught:
        import_b2b(path)
    (problem,) = caught.value.problems
    assert problem.line == 13 and "never closed" in problem.message
    assert problem.hint == "end it with '*/'"
