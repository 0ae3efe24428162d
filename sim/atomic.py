"""Write output files whole or not at all, with the permissions the user expects; read
input files only when they are regular files, and only so much of them."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from sim.errors import InputFileError, Problem

# Temporary files are ``.NAME.<random>.sim.tmp`` beside their target: hidden, and
# recognisable, so that the next run into a folder can remove those a killed run left
# (``sim.output_set``) without touching anything else.
TEMPORARY_SUFFIX = ".sim.tmp"


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once. Called from the
    # main thread before writing, never concurrently with other file creation here.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it into place, so a
    reader never sees half a file and a failure leaves any old file untouched.

    The file gets the permissions a plain ``open()`` would give it (0666 less the
    umask), not the 0600 of a temporary file, so colleagues can read outputs.

    An OSError names ``path`` (or the folder that cannot be made), never the
    temporary file, which is gone by then."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent
        )
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), 0o666 & ~_umask())
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    return "is not a regular file"


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the regular file at ``path`` (one more than the
    limit, so that the caller can tell a file is too large without reading all of it).

    Raises InputFileError (a usage error) naming the path when it is missing, a broken
    or looping symbolic link, or not a regular file: a directory, a named pipe (which
    would wait for a writer forever), a device such as /dev/zero (which never ends)."""
    name = str(path)

    def unusable(message: str) -> InputFileError:
        return InputFileError([Problem(name, None, None, "", message, "give the path of a file")])

    try:
        # O_NONBLOCK: opening a named pipe does not wait for a writer; fstat then refuses it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise unusable(
                f"is a symbolic link to {os.readlink(path)}, which does not exist"
            ) from None
        raise InputFileError([Problem(name, None, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise unusable("is a directory, not a file") from None
    except NotADirectoryError:
        raise unusable("no such file: a part of the path is a file, not a directory") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise unusable("is a symbolic link that leads back to itself (a loop)") from None
        raise InputFileError(
            [Problem(name, None, None, "", f"cannot read: {exc.strerror}")]
        ) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise unusable(f"cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise unusable(_not_regular(mode))
    with os.fdopen(fd, "rb") as stream:
        try:
            return stream.read(limit + 1)
        except OSError as exc:
            raise InputFileError(
                [Problem(name, None, None, "", f"cannot read: {exc.strerror}")]
            ) from None
