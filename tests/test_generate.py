"""``sim generate``: valid scenarios of the asked size, the same bytes for the same seed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.model import Scenario
from sim.scenario.load import load_scenario, load_scenario_text
from sim.synth.summit import generate_scenario, generate_scenario_model

SIZE = {"parties": 10, "requests": 30, "days": 2, "venues": 3}


def test_same_seed_same_text() -> None:
    assert generate_scenario(**SIZE, seed=7) == generate_scenario(**SIZE, seed=7)


def test_other_seed_other_text() -> None:
    assert generate_scenario(**SIZE, seed=7) != generate_scenario(**SIZE, seed=8)


def test_same_seed_same_bytes_across_processes() -> None:
    # Different hash seeds would reorder any iteration over a set of strings.
    code = (
        "import sys; from sim.synth.summit import generate_scenario; "
        "sys.stdout.write(generate_scenario(parties=9, requests=25, days=2, venues=3, "
        "principals=2, seed=11))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(outputs) == 1


@pytest.mark.parametrize(
    ("parties", "requests", "days", "venues", "principals"),
    [(2, 0, 1, 1, 1), (2, 5, 1, 1, 1), (5, 12, 1, 2, 2), (12, 40, 3, 4, 3), (20, 60, 4, 6, 1)],
)
def test_sizes_are_as_asked(
    parties: int, requests: int, days: int, venues: int, principals: int
) -> None:
    s = generate_scenario_model(
        parties=parties,
        requests=requests,
        days=days,
        venues=venues,
        principals=principals,
        seed=parties * requests,
    )
    assert len(s.parties) == parties
    assert len(s.meetings) == requests
    assert len(s.days) == days
    assert len(s.venues) == venues
    assert len(s.principals) == principals
    assert s.principals[0] == s.parties[0]  # the host comes first


def test_summit_scale_is_quick() -> None:
    started = time.perf_counter()
    s = generate_scenario_model(parties=40, requests=300, days=3, venues=5, principals=4, seed=1)
    assert time.perf_counter() - started < 10
    assert (len(s.parties), len(s.meetings), len(s.days)) == (40, 300, 3)


def generated(seed: int, **overrides: float) -> Scenario:
    size: dict[str, float] = {**SIZE, "principals": 2, **overrides}
    return generate_scenario_model(**size, seed=seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(5))
def test_a_realistic_summit(seed: int) -> None:
    s = generated(seed)
    venues = [v.id for v in s.venues]
    # Travel times between every pair of venues, both ways.
    assert {(a, b) for a in venues for b in venues if a != b} <= set(s.travel)
    # A fixed programme on every day, with an opening plenary that everyone attends.
    assert {s.day_of(e.time.start) for e in s.fixed_events} == set(s.days)
    assert s.fixed_events[0].kind.value == "plenary" and s.fixed_events[0].everyone
    assert all(m.weight >= 1 for m in s.meetings)
    assert s.uncertainty.cancellation_probability > 0


@pytest.mark.parametrize("seed", range(5))
def test_required_meetings_are_comfortably_feasible(seed: int) -> None:
    s = generate_scenario_model(parties=15, requests=80, days=2, venues=3, principals=2, seed=seed)
    required = [m for m in s.meetings if m.required]
    assert required
    summit_start, summit_end = s.days[0].window.start, s.days[-1].window.end
    for m in required:
        assert m.duration <= 45 and len(m.parties) == 2
        assert not (m.windows or m.pinned_start is not None or m.after or m.before)
        assert m.format.value == "talks" and m.venues == tuple(v.id for v in s.venues)
        for party in m.parties:
            presence = s.party_by_id[party].presence
            assert (presence.start, presence.end) == (summit_start, summit_end)
    for p in s.parties:
        count = sum(p.id in m.parties for m in required)
        assert count <= (2 * len(s.days) if p.principal else 1)


def test_order_relations_never_form_a_cycle() -> None:
    s = generate_scenario_model(parties=12, requests=150, days=2, venues=2, seed=3)
    position = {m.id: i for i, m in enumerate(s.meetings)}
    for i, m in enumerate(s.meetings):
        assert all(position[x] < i for x in m.after)
        assert all(position[x] > i for x in m.before)


def test_rarer_features_appear_in_a_big_summit() -> None:
    s = generate_scenario_model(parties=40, requests=300, days=3, venues=5, principals=4, seed=5)
    meetings = s.meetings
    assert any(len(m.parties) > 2 for m in meetings)
    assert any(m.pinned_start is not None for m in meetings)
    assert any(m.windows for m in meetings) and any(m.preferred for m in meetings)
    assert any(m.format.is_meal for m in meetings)
    assert any(m.after for m in meetings) and any(m.same_day_as for m in meetings)
    assert any(m.status.value == "tentative" for m in meetings)
    assert any(p.unavailable for p in s.parties)
    assert any(p.presence.start > s.days[0].window.start for p in s.parties)


def test_density_sets_the_requested_time() -> None:
    def requested(density: float) -> int:
        s = generate_scenario_model(**SIZE, density=density, seed=4)
        return sum(m.duration for m in s.meetings)

    assert requested(0.3) < requested(0.7) < requested(2.0)


@pytest.mark.parametrize(
    "bad",
    [{"parties": 1}, {"principals": 10}, {"days": 0}, {"venues": 0}, {"density": 0.0}],
)
def test_impossible_sizes_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        generate_scenario(**{**SIZE, **bad}, seed=1)  # type: ignore[arg-type]


# --- the command -----------------------------------------------------------------------------

ARGS = ["generate", "--parties", "6", "--requests", "10", "--days", "2", "--venues", "2"]


def test_command_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "out" / "summit.yaml"
    assert main([*ARGS, "--principals", "2", "--seed", "3", "-o", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert text == generate_scenario(parties=6, requests=10, days=2, venues=2, principals=2, seed=3)
    assert text.startswith("# yaml-language-server: $schema=../docs/scenario.schema.json\n")
    assert "--seed 3" in text.splitlines()[2]
    assert len(load_scenario(path).principals) == 2
    assert capsys.readouterr().out == ""
    assert [p.name for p in path.parent.iterdir()] == ["summit.yaml"]  # no temporary left


def test_command_writes_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--seed", "3", "--density", "1.2"]) == 0
    out = capsys.readouterr().out
    assert load_scenario_text(out).id == "generated-3"


def test_command_refuses_impossible_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS[:2], "1", *ARGS[3:], "--seed", "3"]) == 2
    assert "at least 2 parties" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:  # refused by the argument parser itself
        main([*ARGS, "--seed", "-1"])
    assert refused.value.code == 2
    assert "a seed is a whole number from 0 to 2147483647, not '-1'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["generate", "--parties", "5"])
    assert caught.value.code == 2
