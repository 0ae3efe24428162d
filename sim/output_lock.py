"""One run at a time into an output folder.

``output_lock(folder)`` holds an exclusive ``fcntl.flock`` on ``folder/.sim.lock``
for as long as the ``with`` block runs; a second run into the same folder is refused
at once with ``OutputBusy`` (an ``InputFileError``, so the command line exits 2),
naming the folder and the other run's process id. The kernel releases the lock when
its process ends, even by SIGKILL, so a crashed run never blocks the next one.

The lock file is removed when the lock is released (nothing is left behind after a
normal run); a run that finds the file it locked already unlinked (it lost that race
to a releasing run) locks the new file instead.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import InputFileError, Problem

LOCK_NAME = ".sim.lock"
_NO_LOCKS = {errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}


class OutputBusy(InputFileError):
    """Another run is writing into the output folder (a usage error: exit 2)."""

    def __init__(self, folder: Path, pid: int | None) -> None:
        self.folder = folder
        self.pid = pid
        who = f"another sim run (process {pid})" if pid else "another sim run"
        super().__init__(
            [
                Problem(
                    str(folder),
                    None,
                    None,
                    "",
                    f"{who} is writing into this folder",
                    "wait for it to finish, or give another output folder",
                )
            ]
        )


def _holder(fd: int) -> int | None:
    """The process id the holder wrote into the lock file, if it has yet."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def acquire(folder: Path) -> int:
    """Lock ``folder`` (created if missing); the lock file's descriptor. Raises
    OutputBusy at once, without waiting, when another process holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    while True:
        # O_CLOEXEC: worker processes started later must not inherit (and so hold) it
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in _NO_LOCKS:
                # a file system without locks (some network and FUSE mounts): the run
                # goes on unguarded rather than not at all
                return fd
            pid = _holder(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise OutputBusy(folder, pid) from None
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        # The releasing run unlinks the file while it still holds the lock: if ours is
        # no longer the file at ``path``, lock the one that is.
        try:
            current = os.stat(path)
        except FileNotFoundError:
            os.close(fd)
            continue
        mine = os.fstat(fd)
        if (mine.st_dev, mine.st_ino) != (current.st_dev, current.st_ino):
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        return fd


def release(folder: Path, fd: int) -> None:
    """Remove the lock file (still holding the lock, so no one else is using it), then
    let go."""
    try:
        (folder / LOCK_NAME).unlink(missing_ok=True)
    except OSError:
        pass  # a folder made read-only meanwhile: the kernel still releases the lock
    finally:
        os.close(fd)


@contextmanager
def output_lock(folder: str | Path) -> Iterator[Path]:
    """Hold the lock on ``folder`` for the ``with`` block::

    with output_lock(out):  # OutputBusy (exit 2) when another run writes there
        ...
    """
    where = Path(folder)
    fd = acquire(where)
    try:
        yield where
    finally:
        release(where, fd)
