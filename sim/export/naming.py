"""File names made from ids and names: safe on every file system, never a path."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_stem(text: str, fallback: str = "item") -> str:
    """``text`` as a file name stem: ASCII letters, digits, ``.``, ``_`` and ``-`` only;
    no path separators, no leading dots (so never ``..`` or a hidden file); at most 80
    characters. ``fallback`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = _UNSAFE.sub("-", ascii_text).strip("-.")
    return stem[:80].rstrip("-.") or fallback
