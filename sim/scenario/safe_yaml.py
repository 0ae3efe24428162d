"""Read YAML safely, keeping where every value came from.

PyYAML composes the document into nodes (which carry line and column marks);
this module turns the nodes into plain Python values itself instead of using
PyYAML's constructors, for three reasons:

* YAML 1.1 traps: a plain ``NO`` stays the string ``"NO"`` and ``14:30`` stays
  ``"14:30"`` (PyYAML would give ``False`` and the sexagesimal ``870``). Only
  ``true``/``false``, ``null``/``~``, decimal integers and decimals are typed.
* Safety: any explicit tag other than the standard ones is refused, so no
  document can construct an object or run code; alias expansion is counted, so
  a billion-laughs document stops with an error instead of eating memory;
  nesting depth and file size are bounded.
* Errors: duplicate keys are errors (PyYAML silently keeps the last one), and
  every value's position is recorded by its path for later messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.atomic import read_regular_file
from sim.errors import Problem, ScenarioError

MAX_FILE_BYTES = 5_000_000
MAX_NODES = 200_000
MAX_DEPTH = 60

Path_ = tuple[str | int, ...]

MAX_DIGITS = 30  # longer numbers mean nothing here (and int() refuses > 4300 digits)

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(
    r"^[-+]?([0-9][0-9_]*)?\.[0-9]+([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
)
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_NULL = {"null", "Null", "NULL", "~", ""}
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class _PlainLoader(yaml.SafeLoader):
    """Resolves no implicit types: every plain scalar arrives as a string node, so
    any other tag on a node was written explicitly, and typing is done here."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level table


# The same with libyaml's parser, when PyYAML was built with it (its wheels are): the
# pure-Python composer took about a third of `sim validate` on kazan-2024.
def _compose(text: str) -> yaml.Node | None:
    """The document's nodes: by libyaml's parser when PyYAML has it (its wheels do),
    since the pure-Python composer took about a third of `sim validate` on
    kazan-2024; a document libyaml refuses is composed again in Python, whose error
    messages (and marks) are the ones this module words its problems from."""
    if getattr(yaml, "__with_libyaml__", False):
        try:
            return yaml.compose(text, Loader=_PlainCLoader)
        except (yaml.YAMLError, RecursionError):
            pass
    return yaml.compose(text, Loader=_PlainLoader)


if getattr(yaml, "__with_libyaml__", False):

    class _PlainCLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - as for _PlainLoader


@dataclass(frozen=True)
class Mark:
    line: int
    column: int


@dataclass
class Located:
    """A document as plain values, plus the position of every value and key."""

    value: Any
    file: str
    values: dict[Path_, Mark] = field(default_factory=dict)
    keys: dict[Path_, Mark] = field(default_factory=dict)

    def mark_for(self, path: Path_, *, key: bool = False) -> Mark | None:
        """The mark of ``path`` or, failing that, of its nearest recorded ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        probe = tuple(path)
        while True:
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def problem(self, path: Path_, message: str, hint: str = "", *, key: bool = False) -> Problem:
        from sim.errors import format_path

        mark = self.mark_for(path, key=key)
        return Problem(
            self.file,
            mark.line if mark else None,
            mark.column if mark else None,
            format_path(path),
            message,
            hint,
        )


class _Limits:
    def __init__(self) -> None:
        self.nodes = 0


def read_yaml(path: str | Path) -> Located:
    """Read a YAML file into plain values with marks; raise ScenarioError on any problem."""
    return parse_yaml(read_input(path), str(path))


def read_input(path: str | Path) -> bytes:
    """The bytes of an input file, at most MAX_FILE_BYTES + 1 of them (enough to
    tell that it is too large without reading all of a huge file). A missing file,
    a directory, a named pipe or a device (/dev/zero) is refused at once
    (InputFileError, a usage error), before any reading."""
    return read_regular_file(path, MAX_FILE_BYTES)


def parse_yaml(raw: bytes | str, name: str = "<string>") -> Located:
    def fail(message: str, hint: str = "", line: int | None = None, col: int | None = None) -> None:
        raise ScenarioError([Problem(name, line, col, "", message, hint)])

    if len(raw) > MAX_FILE_BYTES:
        fail(f"the file is larger than the {MAX_FILE_BYTES:,} bytes allowed")
    if isinstance(raw, bytes):
        if b"\x00" in raw:
            fail("this is a binary file, not YAML text", "give the path of a .yaml scenario")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            fail(f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8")
            raise AssertionError from exc  # unreachable: fail() raises
    else:
        text = raw
    if not text.strip():
        fail("the file is empty", "start from docs/scenario-format.md or scenarios/tutorial.yaml")
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if "another document" in what:  # (PyYAML's words for a second '---' document)
            fail(
                "the file holds more than one YAML document (a second '---' here)",
                "keep one scenario per file",
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
            )
        fail(
            f"YAML syntax error: {what}",
            "check the indentation and quoting near this line",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        )
    except yaml.reader.ReaderError as exc:
        line, col = _line_and_column(text, exc.position)
        fail(
            f"the character {chr(exc.character)!r} (U+{exc.character:04X}) is not allowed in YAML",
            "remove it, or quote it as an escape in a double-quoted string",
            line,
            col,
        )
    except yaml.YAMLError as exc:
        fail(f"not readable as YAML: {exc}")
    except RecursionError:
        fail(f"the document is nested too deeply (more than {MAX_DEPTH} levels)")
    if node is None:
        fail("the file holds no YAML document", "start from scenarios/tutorial.yaml")
        raise AssertionError  # unreachable: fail() raises
    located = Located(None, name)
    try:
        located.value = _convert(node, (), located, _Limits(), 0)
    except RecursionError:
        fail(f"the document is nested too deeply (more than {MAX_DEPTH} levels)")
    return located


def _line_and_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(node: yaml.Node, path: Path_, out: Located, limits: _Limits, depth: int) -> Any:
    limits.nodes += 1
    if limits.nodes > MAX_NODES:
        raise ScenarioError(
            [
                out.problem(
                    path,
                    f"the document expands to more than {MAX_NODES:,} values "
                    "(an alias bomb, or far too large)",
                    "avoid deeply repeated aliases",
                )
            ]
        )
    if depth > MAX_DEPTH:
        m = _mark(node)
        raise ScenarioError(
            [
                Problem(
                    out.file,
                    m.line,
                    m.column,
                    _fmt(path[:3]) + "...",  # the whole path would be as deep as the data
                    f"nested more than {MAX_DEPTH} levels deep",
                    "a scenario needs only a few levels",
                )
            ]
        )
    out.values.setdefault(path, _mark(node))
    tag = node.tag
    if tag not in _STANDARD_TAGS:
        m = _mark(node)
        raise ScenarioError(
            [
                Problem(
                    out.file,
                    m.line,
                    m.column,
                    _fmt(path),
                    f"the tag {tag!r} is not allowed",
                    "scenarios hold plain data: remove the tag",
                )
            ]
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<":
                m = _mark(key_node)
                raise ScenarioError(
                    [
                        Problem(
                            out.file,
                            m.line,
                            m.column,
                            _fmt(path),
                            "merge keys ('<<') are not supported",
                            "write the keys out",
                        )
                    ]
                )
            if not isinstance(key_node, yaml.ScalarNode):
                m = _mark(key_node)
                raise ScenarioError(
                    [Problem(out.file, m.line, m.column, _fmt(path), "a key must be a plain name")]
                )
            key = str(key_node.value)
            if key in result:
                m = _mark(key_node)
                first = out.keys.get((*path, key))
                where = f" (first at line {first.line})" if first else ""
                duplicate = Problem(
                    out.file,
                    m.line,
                    m.column,
                    _fmt((*path, key)),
                    f"duplicate key {key!r}{where}",
                    "keep only one of them",
                )
                raise ScenarioError([duplicate])
            out.keys[(*path, key)] = _mark(key_node)
            result[key] = _convert(value_node, (*path, key), out, limits, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, index), out, limits, depth + 1)
            for index, item in enumerate(node.value)
        ]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node, path, out)


def _scalar(node: yaml.ScalarNode, path: Path_, out: Located) -> Any:
    text: str = node.value
    if node.style in ("'", '"', "|", ">"):
        return text  # quoted or block: always a string
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if (_INT.match(text) or _FLOAT.match(text)) and len(text) > MAX_DIGITS:
        m = _mark(node)
        raise ScenarioError(
            [
                Problem(
                    out.file, m.line, m.column, _fmt(path), f"the number {text[:20]}... is too long"
                )
            ]
        )
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _FLOAT.match(text):
        return float(text.replace("_", ""))
    return text


def reads_as_text(text: str) -> bool:
    """Whether ``text``, written as a plain (unquoted) scalar, reads back as this
    same string; writers quote it when not (``'NO'`` does, ``'1e5'`` does not)."""
    return (
        text not in _NULL
        and text not in _TRUE
        and text not in _FALSE
        and not _INT.match(text)
        and not _FLOAT.match(text)
    )


def _fmt(path: Path_) -> str:
    from sim.errors import format_path

    return format_path(path)
