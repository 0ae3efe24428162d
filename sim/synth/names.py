"""Made-up but plausible names for generated summits: countries, people, venues.

The countries are invented (no real state is put in an imaginary summit), and
every id is a lower-case form of its name, unique within a scenario.
"""

from __future__ import annotations

import itertools

import numpy as np

_STEMS = (
    "Ar", "Bel", "Cor", "Dal", "Est", "Fen", "Gal", "Hel", "Ist", "Jor", "Kal", "Lor", "Mar",
    "Nor", "Ost", "Pel", "Quar", "Ros", "Sel", "Tor", "Ul", "Val", "Wes", "Xan", "Yor", "Zel",
)  # fmt: skip
_ENDINGS = ("ania", "avia", "istan", "onia", "aria", "ovia", "esia", "land", "mark", "ora")
_GIVEN = (
    "Ana", "Ben", "Chen", "Dara", "Emeka", "Farah", "Goran", "Hana", "Ivan", "Jun", "Kofi",
    "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sami", "Tara", "Uma",
    "Viktor", "Wen", "Ximena", "Yusuf", "Zara",
)  # fmt: skip
_FAMILY = (
    "Silva", "Okafor", "Larsen", "Haddad", "Novak", "Tanaka", "Mensah", "Costa", "Ivanova",
    "Kaur", "Moreau", "Nguyen", "Petrov", "Quispe", "Rahman", "Schmidt", "Torres", "Walker",
)  # fmt: skip
# ISO 639-1 codes; 'no' (Norwegian) is here on purpose: YAML 1.1 would read it as false.
_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh", "pt", "de", "no", "sv", "tr", "hi", "ja", "sw")
_VENUES = (
    "Congress Centre",
    "Presidential Residence",
    "Grand Hotel",
    "Exhibition Hall",
    "City Hall",
    "Opera House",
    "Riverside Pavilion",
    "Embassy Quarter",
    "Old Palace",
    "University Hall",
)


def country_names(count: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """``count`` (id, country) pairs in a random order; numbered beyond 260."""
    names = [stem + ending for stem, ending in itertools.product(_STEMS, _ENDINGS)]
    order = rng.permutation(len(names))
    result = [names[int(i)] for i in order[:count]]
    result += [f"{names[i % len(names)]} {2 + i // len(names)}" for i in range(count - len(result))]
    return [(_ident(name), name) for name in result]


def person_name(rng: np.random.Generator) -> str:
    given = _GIVEN[int(rng.integers(len(_GIVEN)))]
    return f"{given} {_FAMILY[int(rng.integers(len(_FAMILY)))]}"


def language_codes() -> tuple[str, ...]:
    return _LANGUAGES


def venue_names(count: int) -> list[tuple[str, str]]:
    """``count`` (id, name) pairs: the congress centre first, then the residence."""
    names = list(_VENUES[:count]) + [f"Venue {i + 1}" for i in range(len(_VENUES), count)]
    return [(_ident(name), name) for name in names]


def _ident(name: str) -> str:
    return name.lower().replace(" ", "-")
