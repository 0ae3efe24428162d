"""Load a scenario file: read YAML safely, check its shape, build the domain model.

``load_scenario(path)`` either returns a valid ``Scenario`` or raises
``ScenarioError`` carrying every problem found, each with file, line, column,
field path, what is wrong and how to fix it. Shape problems (wrong keys, wrong
types) are found by the pydantic document models in ``sim.scenario.document``; meaning
problems (unknown references, overlapping events, missing travel times) by
``sim.scenario.build``.
"""

from __future__ import annotations

import hashlib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import Problem, ScenarioError
from sim.model import Scenario
from sim.scenario.build import build_scenario
from sim.scenario.document import PATTERN_MEANINGS, ScenarioDoc
from sim.scenario.safe_yaml import Located, parse_yaml, read_input


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; raise ScenarioError listing every problem."""
    raw = read_input(path)  # read once: the hash is of exactly the bytes parsed
    located = parse_yaml(raw, str(path))
    return scenario_from_located(located, hashlib.sha256(raw).hexdigest())


def load_scenario_text(text: str, name: str = "<string>") -> Scenario:
    """Load a scenario from YAML text (for tests and tools)."""
    located = parse_yaml(text, name)
    return scenario_from_located(located, hashlib.sha256(text.encode()).hexdigest())


def scenario_from_located(located: Located, sha256: str) -> Scenario:
    if not isinstance(located.value, dict):
        raise ScenarioError(
            [
                located.problem(
                    (),
                    "a scenario is a mapping of keys (version, id, days, ...), "
                    f"not {_describe(located.value)}",
                    "start from scenarios/tutorial.yaml",
                )
            ]
        )
    if "version" not in located.value and {"format", "solver", "meetings"} <= set(located.value):
        # a schedule.json given where the scenario belongs (the two arguments swapped)
        raise ScenarioError(
            [
                located.problem(
                    (),
                    "this is a schedule (as 'sim solve' writes), not a scenario",
                    "give the scenario's YAML file here; 'sim check' takes SCENARIO then SCHEDULE",
                )
            ]
        )
    version = located.value.get("version")
    # type(): True and 1.0 equal 1 in Python, but are not how the version is written.
    if version is not None and (type(version) is not int or version != 1):
        raise ScenarioError(
            [
                located.problem(
                    ("version",),
                    f"unsupported format version {version!r}",
                    "this program reads version 1: write 'version: 1'",
                )
            ]
        )
    try:
        document = ScenarioDoc.model_validate(located.value)
    except ValidationError as exc:
        raise ScenarioError(_shape_problems(exc, located)) from None
    return build_scenario(document, located, sha256)


# --- turning pydantic's errors into ours ------------------------------------------


def _shape_problems(exc: ValidationError, located: Located) -> list[Problem]:
    problems: dict[tuple[str | int, ...], Problem] = {}
    for error in exc.errors(include_url=False):
        path = _document_path(error["loc"], located.value, error["type"] == "missing")
        if path in problems:
            continue  # a union reports once per branch: the first message is enough
        if _DURATION_BRANCHES.intersection(str(part) for part in error["loc"]):
            # Only durations are a union of text and a number of minutes; the first
            # branch's "expected text" would mislead.
            problems[path] = located.problem(
                path,
                f"{_describe(error.get('input'))} is not {_DURATION_MEANING}",
                f"write {_DURATION_MEANING}",
            )
            continue
        problems[path] = _problem_for(error, path, located)
    return sorted(problems.values(), key=lambda p: (p.line or 0, p.column or 0, p.path))


_DURATION_BRANCHES = {"constrained-str", "constrained-int"}
_DURATION_MEANING = "a duration such as '45min', '1h30' or a whole number of minutes"
_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def _document_path(loc: tuple[Any, ...], data: Any, missing: bool) -> tuple[str | int, ...]:
    """Keep the parts of pydantic's location that are keys or indices of the data
    (dropping union branch names such as 'lognormal' or 'str')."""
    path: list[str | int] = []
    node = data
    pending_key: str | None = None
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            key = _alias(part)
            if key in node:
                path.append(key)
                node = node[key]
                continue
            pending_key = key
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
    if missing and pending_key is not None and isinstance(node, dict) and pending_key not in node:
        path.append(pending_key)  # a missing key: name it
    return tuple(path)


def _alias(name: str) -> str:
    return {"from_": "from", "except_": "except"}.get(name, name)


def _problem_for(error: Any, path: tuple[str | int, ...], located: Located) -> Problem:
    import difflib  # imported here: only a bad file needs suggestions, not every start

    kind: str = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        allowed = _allowed_keys(path[:-1], located.value)
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
        return located.problem(path, f"unknown key {key!r}", hint, key=True)
    if kind == "missing":
        return located.problem(
            path[:-1] if path else path,
            f"missing required key {path[-1]!r}" if path else "missing a required key",
            f"add '{path[-1]}: ...'" if path else "",
        )
    if kind == "string_pattern_mismatch":
        meaning = PATTERN_MEANINGS.get(ctx.get("pattern", ""), "a value of another form")
        return located.problem(path, f"{value!r} is not {meaning}", f"write {meaning}")
    if kind in {"literal_error", "enum"}:
        expected = ctx.get("expected", "")
        options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",")]
        close = difflib.get_close_matches(str(value), options, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"expected {expected}"
        return located.problem(path, f"{value!r} is not allowed here", hint)
    if kind == "union_tag_invalid" and ctx.get("tag") == "mixture":
        return located.problem(
            path,
            "a mixture's components cannot be mixtures themselves",
            f"give each component one of {ctx.get('expected_tags')}",
        )
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        close = difflib.get_close_matches(str(ctx.get("tag")), tags, n=1)
        return located.problem(
            path,
            f"unknown kind {ctx.get('tag')!r}",
            f"did you mean {close[0]!r}?"
            if close
            else f"expected one of {ctx.get('expected_tags')}",
        )
    if kind == "union_tag_not_found":
        key = str(ctx.get("discriminator", "")).strip("'")
        return located.problem(
            path, f"missing the key {key!r} that says which kind this is", f"add '{key}: ...'"
        )
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return located.problem(path, f"must be {words} {ctx.get(name)}, got {_describe(value)}")
    if kind in {"too_short", "too_long"}:
        words = "at least" if kind == "too_short" else "at most"
        limit = ctx.get("min_length" if kind == "too_short" else "max_length")
        return located.problem(
            path, f"needs {words} {limit} item{'s' if limit != 1 else ''}, got {_describe(value)}"
        )
    if kind in {"string_too_short", "string_too_long"}:
        longest = kind == "string_too_long"
        limit = ctx.get("max_length" if longest else "min_length")
        length = len(value) if isinstance(value, str) else 0
        return located.problem(
            path,
            f"{length} characters long, {'more' if longest else 'fewer'} than the {limit} allowed",
            "shorten it" if longest else "write it out in full",
        )
    if kind == "finite_number":
        return located.problem(path, f"expected a finite number, got {_describe(value)}")
    type_names = {
        "string_type": "text",
        "int_type": "a whole number",
        "int_parsing": "a whole number",
        "int_from_float": "a whole number",
        "float_type": "a number",
        "float_parsing": "a number",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "list_type": "a list",
        "dict_type": "a mapping",
        "model_type": "a mapping of keys",
        "model_attributes_type": "a mapping of keys",
    }
    if kind in type_names:
        return located.problem(
            path, f"expected {type_names[kind]}, got {_describe(value)}", _type_hint(kind)
        )
    return located.problem(path, error["msg"].rstrip(".").lower())


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, str):
        return f"the text {value!r}"
    return repr(value)


def _type_hint(kind: str) -> str:
    if kind.startswith("bool"):
        return "write true or false"
    if kind == "list_type":
        return "write a list, e.g. [a, b]"
    if kind.startswith("string"):
        return "quote the value"
    return ""


def _allowed_keys(path: tuple[str | int, ...], data: Any) -> list[str]:
    """The keys the document model accepts at ``path`` (following the data for unions)."""
    model: Any = ScenarioDoc
    node = data
    for part in path:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
        model = _step(model, part, node)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []


def _step(annotation: Any, part: str | int, node: Any) -> Any:
    """The annotation one step down from ``annotation`` (a model, list or union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not isinstance(part, str):
            return None
        for name, field in annotation.model_fields.items():
            if (field.alias or name) == part:
                return _pick(field.annotation, node)
        return None
    origin = typing.get_origin(annotation)
    if origin is list and isinstance(part, int):
        return _pick(typing.get_args(annotation)[0], node)
    return None


def _pick(annotation: Any, node: Any) -> Any:
    """Unwrap Annotated/Optional/unions, choosing the union member the data matches."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _pick(typing.get_args(annotation)[0], node)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        for member in members:
            inner = _pick(member, node)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                tag = node.get("dist") or node.get("event") if isinstance(node, dict) else None
                for key in ("dist", "event"):
                    field = inner.model_fields.get(key)
                    if field is not None and tag in typing.get_args(field.annotation):
                        return inner
        for member in members:
            inner = _pick(member, node)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
            if typing.get_origin(inner) is list and isinstance(node, list):
                return inner
        return members[0] if members else None
    return annotation
