"""The one reader for every file gradlab opens: sessions, programs, datasets.

A file named by a user may be anything: a named pipe (FIFO) that blocks whoever reads
it, a device such as ``/dev/zero`` that never ends, a folder, a file that grows while
it is read, text in another encoding.  :func:`read_text` refuses everything but a
regular file, without ever blocking on it, reads at most ``max_bytes + 1`` bytes
whatever the file claims to hold, and turns every failure into a :class:`FileError`
whose message names the file and the problem, ready to show a user.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from gradlab.lang.limits import MAX_SOURCE_CHARS

__all__ = ["FileError", "check_program_length", "read_program", "read_text"]

_CHUNK = 1 << 20
# O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer
# (for a regular file the flag changes nothing); O_NOCTTY: a terminal never becomes ours
_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class FileError(ValueError):
    """A file that cannot be used.  ``str(err)`` is a complete sentence for a user, such as
    ``Cannot open x.gradlab: it is a named pipe (FIFO), not a regular file``;
    ``path`` is the file (None when unknown) and ``reason`` the part after the colon."""

    def __init__(self, message: str, *, path: str | os.PathLike | None = None,
                 reason: str | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else Path(path)
        self.reason = message if reason is None else reason

    @classmethod
    def cannot_open(cls, path: str | os.PathLike, reason: str) -> FileError:
        """``Cannot open <file name>: <reason>``, of this class (subclasses keep their type)."""
        return cls(f"Cannot open {_display_name(path)}: {reason}", path=path, reason=reason)


def _display_name(path: str | os.PathLike) -> str:
    p = Path(path)
    return p.name or str(p)


def _kind(mode: int) -> str:
    """Why a file that is not regular is refused."""
    if stat.S_ISDIR(mode):
        return "it is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a regular file"
    return "it is not a regular file"


def _os_reason(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "no such file"
    if isinstance(err, IsADirectoryError):
        return "it is a directory, not a file"
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, NotADirectoryError):
        return "a folder on its path is a file"
    if err.strerror:
        return err.strerror[:1].lower() + err.strerror[1:]
    return str(err) or type(err).__name__


def _too_big(size: str, max_bytes: int, what: str) -> str:
    return f"it is {size} bytes; a {what} may have at most {max_bytes:,} bytes"


def read_text(path: str | os.PathLike, *, max_bytes: int, what: str = "file") -> str:
    """The UTF-8 text of the regular file ``path`` (a leading byte-order mark is dropped).

    Raises FileError (message ``Cannot open <name>: <reason>``) when ``path`` is missing,
    unreadable, not a regular file (folder, FIFO, device, socket), larger than
    ``max_bytes`` bytes or not UTF-8.  ``what`` names the kind of file in the size message
    ("a session may have at most ...").  Never blocks on a FIFO, never reads more than
    ``max_bytes + 1`` bytes.
    """
    try:
        st = os.stat(path)  # follows links: a link to /dev/zero is a device
    except (OSError, ValueError) as err:  # ValueError: a path with a NUL character
        raise FileError.cannot_open(path, _os_reason(err) if isinstance(err, OSError) else str(err)) from None
    if not stat.S_ISREG(st.st_mode):
        raise FileError.cannot_open(path, _kind(st.st_mode))
    if st.st_size > max_bytes:
        raise FileError.cannot_open(path, _too_big(f"{st.st_size:,}", max_bytes, what))
    raw = _read_regular(path, max_bytes)
    if len(raw) > max_bytes:  # it grew after the stat, or its size was not known
        raise FileError.cannot_open(path, _too_big(f"more than {max_bytes:,}", max_bytes, what))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise FileError.cannot_open(
            path, f"it is not UTF-8 text (byte 0x{raw[err.start]:02x} at line {line}); save it as UTF-8"
        ) from None


def _read_regular(path: str | os.PathLike, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of ``path``, checking again that what was opened is a
    regular file (it may have been swapped for a FIFO or a device since the stat)."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError as err:
        raise FileError.cannot_open(path, _os_reason(err)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileError.cannot_open(path, _kind(mode))
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise FileError.cannot_open(path, _os_reason(err)) from None
    finally:
        os.close(fd)


def read_program(path: str | os.PathLike, max_chars: int = MAX_SOURCE_CHARS) -> str:
    """The text of a program file: read_text, then at most ``max_chars`` characters."""
    # UTF-8 takes at most 4 bytes a character: a larger file is refused before it is decoded
    text = read_text(path, max_bytes=4 * max_chars, what="program")
    check_program_length(text, path, max_chars)
    return text


def check_program_length(text: str, path: str | os.PathLike, max_chars: int = MAX_SOURCE_CHARS) -> None:
    """FileError if ``text`` read from ``path`` is longer than a program may be."""
    if len(text) > max_chars:
        raise FileError.cannot_open(
            path, f"it is too big: a program may have at most {max_chars:,} characters ({len(text):,} here)")


def write_atomically(path: str | os.PathLike, data: bytes, suffix: str = ".tmp") -> None:
    """Write ``data`` to ``path`` through a temporary file beside it (``.<name>.<random><suffix>``)
    renamed over it: a crash mid-write leaves any old file whole.  OSError says why it could not."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # a full disk may only say so here
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
