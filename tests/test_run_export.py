"""``sim export`` and ``sim run`` end to end, from the command line and from Python."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.cli import main
from sim.exit_codes import ExitCode
from sim.export import export
from sim.export.bundle import parse_formats
from sim.output_set import verify
from sim.schedule import read_schedule, write_schedule
from sim.solve import solve

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[sim.Scenario, Path]:
    scenario = sim.load_scenario(TUTORIAL)
    folder = tmp_path_factory.mktemp("plan")
    write_schedule(folder / "schedule.json", solve(scenario).schedule, scenario)
    return scenario, folder / "schedule.json"


def _links(index: Path) -> list[str]:
    return re.findall(r'href="([^"]+)"', index.read_text())


def test_export_writes_every_format_and_an_index_that_links_them(
    planned: tuple[sim.Scenario, Path], tmp_path: Path
) -> None:
    scenario, schedule_path = planned
    code = main(["export", str(schedule_path), "--scenario", str(TUTORIAL), "-o", str(tmp_path)])
    assert code == ExitCode.OK
    for name in ("gantt.html", "gantt.png", "gantt.svg", "engagements.csv", "plan.md"):
        assert (tmp_path / name).stat().st_size > 0, name
    engaged = {p.id for p in scenario.parties}
    assert {p.stem for p in (tmp_path / "calendars").glob("*.ics")} == engaged
    assert {p.stem for p in (tmp_path / "briefings").glob("*.html")} == engaged
    links = _links(tmp_path / "index.html")
    assert "gantt.html" in links and "calendars/host.ics" in links
    for link in links:
        assert (tmp_path / link).is_file(), link
    assert not list(tmp_path.rglob(".*.tmp")), "a temporary file was left behind"


def test_export_python_api_and_format_subset(
    planned: tuple[sim.Scenario, Path], tmp_path: Path
) -> None:
    scenario, schedule_path = planned
    paths = export(scenario, read_schedule(schedule_path), tmp_path, ["csv", "ics"])
    names = {p.relative_to(tmp_path).as_posix() for p in paths}
    assert "engagements.csv" in names and "calendars/ana.ics" in names
    assert "gantt.html" not in names and not (tmp_path / "gantt.html").exists()
    assert paths[-2:] == [tmp_path / "index.html", tmp_path / "manifest.json"]


def test_unknown_format_is_a_usage_error(
    planned: tuple[sim.Scenario, Path], tmp_path: Path
) -> None:
    _, schedule_path = planned
    code = main(
        [
            "export",
            str(schedule_path),
            "--scenario",
            str(TUTORIAL),
            "--format",
            "pdf",
            "-o",
            str(tmp_path),
        ]
    )
    assert code == ExitCode.USAGE
    assert parse_formats("all") == parse_formats("html,png,svg,ics,csv,md")


def test_a_schedule_that_breaks_hard_rules_is_not_exported(
    planned: tuple[sim.Scenario, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # one meeting moved by hand onto the opening plenary its parties attend: calendars
    # of a double-booked plan must not go out as if it were sound
    scenario, schedule_path = planned
    schedule = read_schedule(schedule_path)
    plenary = next(e for e in scenario.fixed_events if e.id == "opening")
    first = schedule.assignments[0]
    length = first.end - first.start
    clash = replace(first, start=plenary.time.start, end=plenary.time.start + length)
    broken = replace(schedule, assignments=(clash, *schedule.assignments[1:]))
    write_schedule(tmp_path / "clash.json", broken, scenario)
    out = tmp_path / "out"
    arguments = ["export", str(tmp_path / "clash.json"), "--scenario", str(TUTORIAL)]
    assert main([*arguments, "-o", str(out)]) == ExitCode.RULES_BROKEN
    said = capsys.readouterr().err
    assert "breaks" in said and "overlap" in said and "--allow-invalid" in said
    assert not out.exists()
    assert main([*arguments, "-o", str(out), "--allow-invalid", "-q"]) == ExitCode.OK
    assert "exporting it anyway" in capsys.readouterr().err
    assert verify(out).complete


def test_files_take_the_umask_and_ids_cannot_escape_the_folder(tmp_path: Path) -> None:
    scenario = sim.load_scenario(TUTORIAL)
    # a party whose id would be a path: the file name must stay inside calendars/
    parties = tuple(replace(p, id="../../escape") if p.id == "ben" else p for p in scenario.parties)
    meetings = tuple(
        replace(m, parties=tuple("../../escape" if x == "ben" else x for x in m.parties))
        for m in scenario.meetings
    )
    events = tuple(
        replace(e, attendees=tuple("../../escape" if x == "ben" else x for x in e.attendees))
        for e in scenario.fixed_events
    )
    odd = replace(scenario, parties=parties, meetings=meetings, fixed_events=events)
    schedule = solve(odd).schedule
    old = os.umask(0o022)
    try:
        export(odd, schedule, tmp_path / "out", ["ics"])
    finally:
        os.umask(old)
    written = sorted((tmp_path / "out" / "calendars").iterdir())
    assert all(p.parent == tmp_path / "out" / "calendars" for p in written)
    assert "escape.ics" in {p.name for p in written}
    assert not (tmp_path / "escape.ics").exists()
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.slow
def test_sim_run_does_the_whole_job(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(TUTORIAL),
            "-o",
            str(tmp_path),
            "--runs",
            "30",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "open " in done.stdout and "index.html" in done.stdout
    for name in ("schedule.json", "simulation/simulation.json", "report.html", "gantt.html"):
        assert (tmp_path / name).is_file(), name
    links = _links(tmp_path / "index.html")
    assert "report.html" in links and any(link.startswith("replay-") for link in links)
    for link in links:
        assert (tmp_path / link).is_file(), link
    assert "Ana Silva" in (tmp_path / "report.html").read_text()
    # one unit: a manifest that lists every file, simulation/ a unit of its own
    whole, replays = verify(tmp_path), verify(tmp_path / "simulation")
    assert whole.complete and replays.complete, (whole.reason, replays.reason)
    assert whole.manifest is not None and whole.manifest["command"] == "sim run"
    listed = {f["path"] for f in whole.manifest["files"]}
    assert {"schedule.json", "index.html", "simulation/manifest.json"} <= listed
    on_disk = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert on_disk == listed | {"manifest.json"}  # nothing else, nothing hidden


def test_sim_run_on_an_infeasible_scenario_explains_and_exits_3(tmp_path: Path) -> None:
    code = main(["run", str(ROOT / "scenarios" / "infeasible.yaml"), "-o", str(tmp_path), "-q"])
    assert code == ExitCode.NO_SCHEDULE
    assert (tmp_path / "schedule.json").is_file()
    assert not (tmp_path / "index.html").exists()
    verdict = verify(tmp_path)  # the schedule that says why is the whole output
    assert verdict.complete and verdict.manifest is not None
    assert [f["path"] for f in verdict.manifest["files"]] == ["schedule.json"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=300
    )


def test_json_output_is_json_alone_on_stdout(tmp_path: Path) -> None:
    import json

    done = _cli("validate", str(TUTORIAL), "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["ok"] is True
    done = _cli("solve", str(TUTORIAL), "--json", "-o", str(tmp_path))
    assert done.returncode == 0
    assert json.loads(done.stdout)["status"] == "optimal"
    assert "wrote" in done.stderr  # the words go to stderr with --json
    done = _cli("run", str(TUTORIAL), "-o", str(tmp_path / "run"), "--runs", "5", "--json")
    assert done.returncode == 0, done.stderr
    files = json.loads(done.stdout)["files"]
    assert all(Path(f).is_file() for f in files)


def test_bad_input_with_json_lists_the_problems(tmp_path: Path) -> None:
    import json

    broken = tmp_path / "broken.yaml"
    broken.write_text(TUTORIAL.read_text().replace("duration: 1h", "duration: soon", 1))
    done = _cli("validate", str(broken), "--json")
    assert done.returncode == ExitCode.INVALID_INPUT
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["problems"][0]["line"] is not None
    assert "Traceback" not in done.stderr


def test_a_run_without_a_plan_never_replaces_a_plan(tmp_path: Path) -> None:
    assert main(["solve", str(TUTORIAL), "-o", str(tmp_path), "-q"]) == ExitCode.OK
    good = (tmp_path / "schedule.json").read_bytes()
    infeasible = str(ROOT / "scenarios" / "infeasible.yaml")
    assert main(["solve", infeasible, "-o", str(tmp_path), "-q"]) == ExitCode.NO_SCHEDULE
    assert (tmp_path / "schedule.json").read_bytes() == good
    assert read_schedule(tmp_path / "schedule.no-plan.json").status.value == "infeasible"
    assert main(["solve", infeasible, "-o", str(tmp_path), "-q", "--force"]) == ExitCode.NO_SCHEDULE
    assert read_schedule(tmp_path / "schedule.json").status.value == "infeasible"


def _nothing_fits() -> sim.Scenario:
    from tests.tiny import base_document, meeting, scenario_of

    document = base_document()  # a 4-hour morning
    document["meetings"] = [meeting("long", "host", "g1", duration="5h", required=False)]
    return scenario_of(document)


def test_a_plan_that_holds_nothing_is_exported_whole(tmp_path: Path) -> None:
    # No engagement at all (every request too long for the day): the charts are
    # empty, not a crash, and the folder is a whole set.
    scenario = _nothing_fits()
    schedule = solve(scenario).schedule
    assert not schedule.assignments
    paths = export(scenario, schedule, tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in paths}
    assert {"gantt.html", "gantt.png", "gantt.svg", "index.html", "manifest.json"} <= names
    assert verify(tmp_path).complete


def test_an_export_that_fails_before_writing_keeps_the_previous_set(
    planned: tuple[sim.Scenario, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, schedule_path = planned
    schedule = read_schedule(schedule_path)
    export(scenario, schedule, tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    def broken(agenda: object) -> str:
        raise RuntimeError("the chart could not be drawn")

    monkeypatch.setattr("sim.export.gantt.gantt_html", broken)
    with pytest.raises(RuntimeError):
        export(scenario, schedule, tmp_path)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before and verify(tmp_path).complete


def test_sim_run_does_not_count_required_meetings_a_summit_has_none_of(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = TUTORIAL.read_text(encoding="utf-8").replace("    required: true\n", "")
    assert "required: true" not in text
    scenario = tmp_path / "optional.yaml"
    scenario.write_text(text, encoding="utf-8")
    argv = ["run", str(scenario), "-o", str(tmp_path / "out"), "--runs", "5", "--workers", "1"]
    assert main(argv) == ExitCode.OK
    said = " ".join(capsys.readouterr().out.split())
    assert "every required meeting" not in said
    assert "5 replays; " in said and "weight points held on average" in said


def test_the_python_export_refuses_what_the_command_refuses(
    planned: tuple[sim.Scenario, Path], tmp_path: Path
) -> None:
    # Another summit's plan would give a complete-looking set with every bilateral
    # missing; an unknown format would give an index and nothing else. Both are
    # refused before anything is written, as 'sim export' refuses them.
    from sim.errors import InputError, InputFileError, ScheduleFileError
    from sim.export.bundle import ExportError

    tutorial, path = planned
    kazan = sim.load_scenario(ROOT / "scenarios" / "kazan-2024.yaml")
    schedule = read_schedule(path)
    with pytest.raises(ScheduleFileError, match="tutorial"):
        export(kazan, schedule, tmp_path / "other")
    with pytest.raises(ExportError, match="unknown format pdf"):
        export(tutorial, schedule, tmp_path / "pdf", ["pdf"])
    other_summit = replace(schedule, scenario_id="another")
    with pytest.raises(InputError, match="scenario 'another'"):
        export(tutorial, schedule, tmp_path / "prev", ["ics"], previous=other_summit)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(InputFileError, match="is a file, not a folder"):
        export(tutorial, schedule, tmp_path / "a-file", ["csv"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_sim_run_names_a_best_reaction_only_when_the_replays_single_it_out(
    planned: tuple[sim.Scenario, Path],
) -> None:
    from sim.commands.run import _summary
    from sim.simulate.metrics import Interval95
    from sim.simulate.monte_carlo import simulate

    scenario, path = planned
    result = simulate(scenario, read_schedule(path), runs=3, policies=("as-planned", "shorten"))

    def with_differences(late: tuple[float, float]) -> Any:
        edited = [
            replace(
                d,
                difference=Interval95(sum(late) / 2, *late)
                if d.metric == "knock_on_delay"
                else Interval95(0.0, -1.0, 1.0),
            )
            for d in result.differences
        ]
        return replace(result, differences=tuple(edited))

    # as-planned minus shorten: more minutes of late starts, nothing decides before it
    clear = _summary(with_differences((5.0, 30.0)), 10, True)[-1]
    assert (
        clear == "Best reaction here: shortening late meetings (never below their minimum length)"
    )
    unclear = _summary(with_differences((-5.0, 30.0)), 10, True)[-1]
    assert unclear.startswith("No reaction is clearly best on these 3 replays")


def test_sim_run_and_the_report_decide_on_the_same_numbers(
    planned: tuple[sim.Scenario, Path], tmp_path: Path
) -> None:
    # simulation.json rounds to 3 decimals: a bound of 0.0004 is 0.0 there, so the
    # report saw no significant difference where sim run's summary saw one.
    import json

    from sim.commands.run import _summary
    from sim.export.report import robustness_report_html
    from sim.export.simulation import write_results
    from sim.simulate.metrics import Interval95
    from sim.simulate.monte_carlo import simulate

    scenario, path = planned
    schedule = read_schedule(path)
    result = simulate(scenario, schedule, runs=3, policies=("as-planned", "shorten"))
    edited = tuple(
        replace(
            d,
            difference=Interval95(1.0, 0.0004, 2.0)
            if d.metric == "all_required"
            else Interval95(0.0, -1.0, 1.0),
        )
        for d in result.differences
    )
    result = replace(result, differences=edited)
    write_results(tmp_path, result, scenario)
    page = robustness_report_html(
        scenario, schedule, json.loads((tmp_path / "simulation.json").read_text()), None
    )
    summary = _summary(result, 10, True)[-1]
    assert summary.startswith("No reaction is clearly best")
    assert "No policy is clearly better" in page
