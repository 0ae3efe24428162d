"""A small reader for the MiniZinc data (.dzn) files of the B2B benchmark.

Only the subset those files use: ``name = value;`` where a value is an integer, a
set ``{1, 2, 5..7}``, an array ``[v, ...]`` of those, or a two-dimensional array
``[| a, b | c, d |]``; ``%`` starts a comment. Every problem names the file, the
line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.errors import InputError, Problem

Value = int | frozenset[int] | list["Value"] | list[list[int]]

_TOKEN = re.compile(
    r"\s*(?:(%[^\n]*)|(-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\.\.|\[\||\|\]|[=;\[\]{}|,]))"
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
            raise _fail(
                file, line, "", f"unexpected text {rest[:20]!r}", "a .dzn file holds name = value;"
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
        return self.integer()

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
                high = self.integer()
                if high - low >= MAX_RANGE:  # checked before it is expanded in memory
                    raise _fail(
                        self.file,
                        token.line,
                        self.field,
                        f"the range {low}..{high} is too large",
                        f"the benchmark's sets hold slots and meetings: under {MAX_RANGE:,}",
                    )
                members.update(range(low, high + 1))
                token = self.take(",", "}")
            else:
                members.add(low)
            if token.kind == "}":
                return frozenset(members)

    def array(self) -> list[Value]:
        self.take("[")
        items: list[Value] = []
        if self.peek() is not None and self.peek().kind == "]":  # type: ignore[union-attr]
            self.take("]")
            return items
        while True:
            items.append(self.value())
            if self.take(",", "]").kind == "]":
                return items

    def matrix(self) -> list[list[int]]:
        start = self.take("[|")
        rows: list[list[int]] = [[]]
        while True:
            token = self.peek()
            if token is not None and token.kind == "|]":
                self.take("|]")
                break
            if token is not None and token.kind == "|":
                self.take("|")
                rows.append([])
                continue
            rows[-1].append(self.integer())
            token = self.peek()
            if token is not None and token.kind == ",":
                self.take(",")
        rows = [r for r in rows if r]
        if rows and any(len(r) != len(rows[0]) for r in rows):
            raise _fail(
                self.file, start.line, self.field, "the rows of this table differ in length"
            )
        return rows


def read_dzn(text: str, file: str) -> tuple[dict[str, Value], dict[str, int]]:
    """The assignments of a .dzn text, and the line of each name."""
    reader = _Reader(_tokens(text, file), file)
    values: dict[str, Value] = {}
    lines: dict[str, int] = {}
    while reader.peek() is not None:
        name = reader.take("name")
        reader.field = name.text
        if name.text in values:
            raise _fail(file, name.line, name.text, "assigned twice", "keep one assignment")
        reader.take("=")
        values[name.text] = reader.value()
        lines[name.text] = name.line
        reader.take(";")
        reader.field = ""
    return values, lines
