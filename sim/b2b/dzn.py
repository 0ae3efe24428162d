"""A small reader for the MiniZinc data (.dzn) files of the B2B benchmark.

Only the subset those files use: ``name = value;`` where a value is an integer, a
set ``{1, 2, 5..7}`` (or a bare range ``5..7``), an array ``[v, ...]`` of those
(a trailing comma allowed), or a two-dimensional array ``[| a, b | c, d |]``;
``%`` starts a comment, ``/* ... */`` is one too. Every problem names the file, the
line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.errors import InputError, Problem

Value = int | frozenset[int] | list["Value"] | list[list[int]]

_TOKEN = re.compile(
    r"\s*(?:(%[^\n]*|/\*.*?\*/)|(-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\.\.|\[\||\|\]|[=;\[\]{}|,]))",
    re.DOTALL,
)


# Sizes far beyond any instance of the benchmark, refused before anything is built
# from them (a range 1..10**9 would be expanded in memory).
MAX_RANGE = 100_000
MAX_DIGITS = 9


@dataclass(frozen=True)
class _Token:
    kind: str  # "int", "name" or the punctuation itself
    text: str
    line: int


class DznError(InputError):
    """A .dzn file that cannot be read."""


def _fail(file: str, line: int | None, field: str, message: str, hint: str = "") -> DznError:
    return DznError([Problem(file, line, None, field, message, hint)])


def _tokens(text: str, file: str) -> list[_Token]:
    tokens: list[_Token] = []
    at, line = 0, 1
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            rest = text[at:].lstrip()
            if not rest:
                break
            line += text[at : len(text) - len(rest)].count("\n")
            if rest.startswith("/*"):
                raise _fail(file, line, "", "this comment '/*' is never closed", "end it with '*/'")
            raise _fail(
                file,
                line,
                "",
                f"unexpected text {rest[:20]!r}",
                "this reader takes the benchmark's subset of MiniZinc data: name = value; "
                "with integers, sets {1, 5..7}, arrays [...] and tables [| a, b | c, d |] "
                "(not array2d(...), strings or floats)",
            )
        line_of_token = line + text[at : match.start(match.lastindex or 0)].count("\n")
        line += text[at : match.end()].count("\n")
        at = match.end()
        comment, number, name, punct = match.groups()
        if comment is not None:
            continue
        if number is not None:
            tokens.append(_Token("int", number, line_of_token))
        elif name is not None:
            tokens.append(_Token("name", name, line_of_token))
        else:
            tokens.append(_Token(punct, punct, line_of_token))
    return tokens


class _Reader:
    def __init__(self, tokens: list[_Token], file: str) -> None:
        self.tokens = tokens
        self.at = 0
        self.file = file
        self.field = ""
        # the line of each item of the value being read (each row of a table)
        self.item_lines: list[int] = []

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, *kinds: str) -> _Token:
        token = self.peek()
        if token is None:
            last = self.tokens[-1].line if self.tokens else None
            raise _fail(
                self.file, last, self.field, f"the file ends early; expected {' or '.join(kinds)}"
            )
        if token.kind not in kinds:
            raise _fail(
                self.file,
                token.line,
                self.field,
                f"expected {' or '.join(repr(k) for k in kinds)}, found {token.text!r}",
            )
        self.at += 1
        return token

    def integer(self) -> int:
        token = self.take("int")
        if len(token.text.lstrip("-")) > MAX_DIGITS:
            raise _fail(self.file, token.line, self.field, f"{token.text} is too large a number")
        return int(token.text)

    def value(self) -> Value:
        token = self.peek()
        if token is not None and token.kind == "{":
            return self.set_()
        if token is not None and token.kind == "[|":
            return self.matrix()
        if token is not None and token.kind == "[":
            return self.array()
        number = self.integer()
        after = self.peek()
        if after is not None and after.kind == "..":  # a bare range, 5..7: a set
            self.take("..")
            return self._range(number, self.integer(), after)
        return number

    def _range(self, low: int, high: int, token: _Token) -> frozenset[int]:
        if high - low >= MAX_RANGE:  # checked before it is expanded in memory
            raise _fail(
                self.file,
                token.line,
                self.field,
                f"the range {low}..{high} is too large",
                f"the benchmark's sets hold slots and meetings: under {MAX_RANGE:,}",
            )
        return frozenset(range(low, high + 1))

    def set_(self) -> frozenset[int]:
        self.take("{")
        members: set[int] = set()
        if self.peek() is not None and self.peek().kind == "}":  # type: ignore[union-attr]
            self.take("}")
            return frozenset()
        while True:
            low = self.integer()
            token = self.take(",", "}", "..")
            if token.kind == "..":
                members.update(self._range(low, self.integer(), token))
                token = self.take(",", "}")
            else:
                members.add(low)
            if token.kind == "}":
                return frozenset(members)

    def array(self) -> list[Value]:
        self.take("[")
        items: list[Value] = []
        lines: list[int] = []
        while True:
            token = self.peek()
            if token is not None and token.kind == "]":  # (a trailing comma is allowed)
                self.take("]")
                break
            lines.append(token.line if token is not None else 0)
            items.append(self.value())
            if self.take(",", "]").kind == "]":
                break
        self.item_lines = lines
        return items

    def matrix(self) -> list[list[int]]:
        start = self.take("[|")
        rows: list[list[int]] = [[]]
        lines: list[int] = [start.line]
        while True:
            token = self.peek()
            if token is not None and token.kind == "|]":
                self.take("|]")
                break
            if token is not None and token.kind == "|":
                self.take("|")
                rows.append([])
                lines.append(0)
                continue
            if not rows[-1]:
                lines[-1] = token.line if token is not None else start.line
            rows[-1].append(self.integer())
            token = self.peek()
            if token is not None and token.kind == ",":
                self.take(",")
        kept = [(r, line) for r, line in zip(rows, lines, strict=True) if r]
        for number, (row, line) in enumerate(kept, start=1):
            if len(row) != len(kept[0][0]):
                raise _fail(
                    self.file,
                    line,
                    self.field,
                    f"row {number} has {len(row)} numbers, row 1 has {len(kept[0][0])}",
                    "give every row the same numbers, separated by ','; '|' ends a row",
                )
        self.item_lines = [line for _, line in kept]
        return [r for r, _ in kept]


def read_dzn(text: str, file: str) -> tuple[dict[str, Value], dict[str, int]]:
    """The assignments of a .dzn text, and the line of each name; for an array or a
    table also of each item, as ``name[1]``, ``name[2]``, ... (rows count from 1)."""
    reader = _Reader(_tokens(text, file), file)
    values: dict[str, Value] = {}
    lines: dict[str, int] = {}
    while reader.peek() is not None:
        name = reader.take("name")
        reader.field = name.text
        if name.text in values:
            raise _fail(file, name.line, name.text, "assigned twice", "keep one assignment")
        reader.take("=")
        reader.item_lines = []
        values[name.text] = reader.value()
        lines[name.text] = name.line
        for number, line in enumerate(reader.item_lines, start=1):
            lines[f"{name.text}[{number}]"] = line
        reader.take(";")
        reader.field = ""
    return values, lines
