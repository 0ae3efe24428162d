"""Hostile and accidental input: code-running tags, alias bombs, deep nesting, huge
files, YAML 1.1 traps, and random damage to a valid file (fuzzing). The loader
must answer every one with a ScenarioError (or a scenario), never anything else."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario.load import load_scenario, load_scenario_text
from sim.scenario.safe_yaml import MAX_DEPTH, MAX_FILE_BYTES, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = (ROOT / "scenarios" / "tutorial.yaml").read_text(encoding="utf-8")


def only_problem(text: str | bytes) -> str:
    with pytest.raises(ScenarioError) as caught:
        if isinstance(text, bytes):
            parse_yaml(text, "x.yaml")
        else:
            load_scenario_text(text, "x.yaml")
    (problem,) = caught.value.problems
    return str(problem)


# --- code and objects ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
        "!!python/module:os",
        "!custom",
        "!<tag:example.com,2024:thing>",
    ],
)
def test_tags_that_build_objects_are_refused_and_run_nothing(tag: str, tmp_path: Path) -> None:
    canary = tmp_path / "ran"
    text = f"version: 1\nid: {tag} ['touch {canary}']\n"
    message = only_problem(text)
    assert message.startswith("x.yaml:2:5: id: the tag")
    assert "is not allowed" in message
    assert not canary.exists()


def test_tag_on_a_mapping_is_refused() -> None:
    assert "is not allowed" in only_problem("a: !!python/object:os.Thing {x: 1}\n")


def test_merge_keys_are_refused() -> None:
    text = "base: &b {x: 1}\nother:\n  <<: *b\n"
    assert "merge keys ('<<') are not supported" in only_problem(text)


def test_plain_aliases_still_work() -> None:
    located = parse_yaml("a: &langs [en, fr]\nb: *langs\n")
    assert located.value == {"a": ["en", "fr"], "b": ["en", "fr"]}


# --- resource exhaustion ------------------------------------------------------------------


def test_billion_laughs_stops_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    message = only_problem("\n".join(lines) + "\n")
    assert "expands to more than 200,000 values" in message and "alias bomb" in message
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 200 + "]" * 200 + "\n",
        "a: " + "{b: " * 200 + "1" + "}" * 200 + "\n",
        "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "leaf\n",
    ],
    ids=["lists", "flow-mappings", "block-mappings"],
)
def test_deep_nesting_is_refused(text: str) -> None:
    message = only_problem(text)
    assert f"nested more than {MAX_DEPTH} levels deep" in message
    assert re.match(r"x\.yaml:\d+:\d+: \w+(\[0\]|\.\w+){0,2}\.\.\.: ", message)  # a short path


def test_very_deep_nesting_does_not_blow_the_stack() -> None:
    message = only_problem("a: " + "[" * 100_000 + "\n")
    assert "x.yaml" in message


def test_huge_text_is_refused_before_parsing() -> None:
    text = "# " + "x" * MAX_FILE_BYTES + "\n"
    assert f"larger than the {MAX_FILE_BYTES:,} bytes allowed" in only_problem(text)


def test_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as stream:
        stream.truncate(50 * MAX_FILE_BYTES)  # sparse: large but cheap
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "larger than the" in str(caught.value)


def test_very_long_number_is_refused() -> None:
    assert "is too long" in only_problem("a: " + "9" * 5000 + "\n")


# --- YAML 1.1 traps -----------------------------------------------------------------------


def test_norwegian_stays_a_language_code() -> None:
    text = TUTORIAL.replace("languages: [pt]", "languages: [NO, no, on, yes, y, off]")
    ana = load_scenario_text(text).party_by_id["ana"]
    assert ana.languages == ("NO", "no", "on", "yes", "y", "off")


def test_a_time_of_day_is_not_a_sexagesimal_number() -> None:
    text = TUTORIAL.replace('{start: "12:00", end: "13:00"', "{start: 12:00, end: 13:00")
    ben = load_scenario_text(text).party_by_id["ben"]
    # 12:00 on the first day, minutes from its midnight: not 720 minutes of 'base 60'.
    assert ben.unavailable[0].start == 720
    assert parse_yaml("t: 14:30\n").value == {"t": "14:30"}


def test_only_plain_json_like_scalars_are_typed() -> None:
    text = (
        "a: [true, false, null, ~, 12, -3, 1.5, 1e3, 0x10, 0o17, 1_000, 2024-10-22, .inf, '12']\n"
    )
    assert parse_yaml(text).value == {
        "a": [True, False, None, None, 12, -3, 1.5, 1000.0, "0x10", "0o17", 1000, "2024-10-22",
              ".inf", "12"]
    }  # fmt: skip


def test_dates_stay_text() -> None:
    assert parse_yaml("d: 2024-10-22 14:30\n").value == {"d": "2024-10-22 14:30"}


def test_yes_is_not_true() -> None:
    text = TUTORIAL.replace("    principal: true\n", "    principal: yes\n")
    assert "expected true or false, got the text 'yes'" in only_problem(text)


def test_bom_and_crlf_are_fine() -> None:
    text = "\ufeff" + TUTORIAL.replace("\n", "\r\n")
    assert load_scenario_text(text) == load_scenario_text(TUTORIAL)


# --- fuzzing: random damage to a valid file -----------------------------------------------

LINES = TUTORIAL.splitlines(keepends=True)


@st.composite
def damaged(draw: st.DrawFn, /) -> str:
    """The tutorial after one to four random edits of the kinds people (and disks) make."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(("delete", "duplicate", "swap", "flip", "insert", "indent", "truncate"))
        )
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "flip" and lines[i]:
            k = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:k] + draw(st.characters()) + lines[i][k + 1 :]
        elif kind == "insert":
            k = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:k] + draw(st.text(max_size=8)) + lines[i][k:]
        elif kind == "indent":
            stripped = lines[i].lstrip(" ")
            lines[i] = " " * draw(st.integers(0, 8)) + stripped
        elif kind == "truncate":
            text = "".join(lines)
            cut = draw(st.integers(0, len(text)))
            lines = [text[:cut]]
    return "".join(lines)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_text_gives_a_scenario_or_a_scenario_error(text: str) -> None:
    try:
        load_scenario_text(text, "damaged.yaml")
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert str(problem).startswith("damaged.yaml")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    damaged(),
    st.binary(max_size=12),
    st.integers(min_value=0, max_value=len(TUTORIAL)),
)
def test_damaged_file_validates_with_exit_0_or_1(
    tmp_path_factory: pytest.TempPathFactory, text: str, junk: bytes, at: int
) -> None:
    data = text.encode("utf-8", errors="surrogatepass")
    data = data[:at] + junk + data[at:]
    path = tmp_path_factory.mktemp("fuzz") / "damaged.yaml"
    path.write_bytes(data)
    assert main(["validate", str(path)]) in (0, 1)
