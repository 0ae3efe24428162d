"""A command's output files as one unit: a reader can tell a complete set from a mix.

Each file is written whole (``sim.atomic``), but a run writes many. ``OutputSet``
makes the set readable as a unit without touching the user's other files:

1. it locks the folder (``sim.output_lock``: a second run there is refused);
2. it removes hidden temporary files a killed run left behind (``.NAME.*.sim.tmp``);
3. ``begin()`` removes the previous ``manifest.json`` before the first file is
   replaced, so from then on the folder has no manifest;
4. ``commit()`` writes ``manifest.json`` last: the run id, the command, the times,
   and every file of the set with its size and SHA-256.

So a folder is complete exactly when ``manifest.json`` is there and every file it
lists has that size and hash (``verify``). A run that is killed, fails or is
interrupted after ``begin()`` leaves no manifest; files the manifest does not list
are not the run's (the user's own) and are never removed; the files the previous
manifest listed that this run did not write again are removed at ``commit()`` when
they are still exactly as that run wrote them (stale outputs, such as the calendar of
a delegation since dropped, would otherwise sit beside the new ones).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sim.atomic import TEMPORARY_SUFFIX, write_text_atomic
from sim.output_lock import acquire, release

MANIFEST = "manifest.json"
FORMAT = 1


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


def stale_temporaries(folder: Path, subfolders: Iterable[str] = ()) -> list[Path]:
    """Hidden temporary files (``sim.atomic``'s) in ``folder`` and the given
    subfolders: left by a run that was killed before it could remove them."""
    found: list[Path] = []
    for where in (folder, *(folder / s for s in subfolders)):
        if where.is_dir():
            found += sorted(where.glob(f".*{TEMPORARY_SUFFIX}"))
    return found


class OutputSet:
    """The files one run writes into ``folder``, as a unit (see the module's text).

    ::

        with OutputSet(out, "sim run", {"scenario": "kazan.yaml"}) as outputs:
            outputs.begin()
            outputs.add(write_things(out))  # paths written (inside ``out``)
            outputs.commit()                # manifest.json, last

    Leaving the block without ``commit()`` (an error, Ctrl-C) writes no manifest and
    releases the lock. ``subfolders``: where else the run writes (its stale temporary
    files are removed there too).
    """

    def __init__(
        self,
        folder: str | Path,
        command: str,
        arguments: Mapping[str, Any] | None = None,
        subfolders: Iterable[str] = (),
    ) -> None:
        self.folder = Path(folder)
        self.command = command
        self.arguments = dict(arguments or {})
        self.subfolders = tuple(subfolders)
        self.run_id = uuid.uuid4().hex
        self.started = _now()
        self.files: dict[Path, None] = {}  # in the order written, once each
        self.removed: list[Path] = []  # stale temporary files removed on entry
        self.retired: list[Path] = []  # the previous run's files not written again
        self._previous: list[tuple[str, int, str]] = []
        self._fd: int | None = None
        self._begun = False

    def __enter__(self) -> OutputSet:
        self._fd = acquire(self.folder)
        try:
            for stale in stale_temporaries(self.folder, self.subfolders):
                stale.unlink(missing_ok=True)
                self.removed.append(stale)
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._release()

    def _release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            release(self.folder, fd)

    def begin(self) -> None:
        """From here on the folder is being rewritten: remove the previous manifest (what
        it listed is remembered: ``commit`` retires the files this run does not rewrite)."""
        if not self._begun:
            self._previous = _listed(self.folder)
            (self.folder / MANIFEST).unlink(missing_ok=True)
            self._begun = True

    def _retire(self) -> None:
        """Remove the previous run's files that this run did not write again, if they are
        still exactly as that run left them (so ours): a calendar of a delegation no
        longer in the scenario, a report of replays not run this time, must not sit
        beside this run's files as if they were part of it. Anything else (a file the
        user changed or added) is left alone."""
        written = {path.resolve() for path in self.files}
        for relative, size, sha in self._previous:
            member = self.folder / relative
            if member.resolve() in written or not member.is_file():
                continue
            if _digest(member) == (size, sha):
                member.unlink()
                self.retired.append(member)

    def add(self, paths: Iterable[Path]) -> None:
        """Files of the set, already written (inside the folder)."""
        self.begin()
        for path in paths:
            self.files[Path(path)] = None

    def commit(self) -> Path:
        """Write ``manifest.json`` (the last file of the set); its path."""
        self.begin()
        self._retire()
        listed = []
        for path in self.files:
            size, sha = _digest(path)
            relative = path.resolve().relative_to(self.folder.resolve()).as_posix()
            listed.append({"path": relative, "size": size, "sha256": sha})
        manifest = {
            "format": FORMAT,
            "complete": True,
            "run_id": self.run_id,
            "command": self.command,
            "arguments": self.arguments,
            "pid": os.getpid(),
            "python": sys.version.split()[0],
            "started": self.started,
            "finished": _now(),
            "files": listed,
        }
        path = self.folder / MANIFEST
        write_text_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        return path


def _listed(folder: Path) -> list[tuple[str, int, str]]:
    """The files (relative path, size, SHA-256) the folder's manifest lists; none when it
    has no readable manifest, or lists a path outside the folder."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = [(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in manifest["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    inside = folder.resolve()
    return [f for f in files if (folder / f[0]).resolve().is_relative_to(inside)]


@dataclass(frozen=True)
class Verdict:
    """Whether a folder holds one run's complete set of files, and if not, why."""

    complete: bool
    reason: str
    manifest: Mapping[str, Any] | None = None


def verify(folder: str | Path) -> Verdict:
    """Read ``folder/manifest.json`` and check every file it lists (size, SHA-256)."""
    where = Path(folder)
    path = where / MANIFEST
    if not path.is_file():
        return Verdict(
            False,
            f"{where}: no {MANIFEST}: the run that wrote here did not finish (or predates "
            "manifests); its files may be a mix of two runs",
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        checks = [(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in files]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Verdict(False, f"{path}: unreadable manifest ({exc})")
    for relative, size, sha in checks:
        member = where / relative
        if not member.is_file():
            return Verdict(False, f"{member}: listed in {MANIFEST} but missing", manifest)
        if _digest(member) != (size, sha):
            return Verdict(
                False, f"{member}: changed since {MANIFEST} was written (another run?)", manifest
            )
    return Verdict(True, f"{where}: complete ({len(checks)} files)", manifest)
