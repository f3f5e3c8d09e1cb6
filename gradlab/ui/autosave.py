"""Autosave: the work in a window, kept in the app-data folder while you work.

When: ``DELAY_MS`` (2 s) after the last change (an edit, a slider, a selection,
*h*, a gradient step, a run), at least every ``MAX_WAIT_MS`` during a change that
never pauses (a long slider drag), and when the window closes.  Each save is
atomic (``gradlab.session.save_session``): a kill mid-save leaves the previous
file whole, and the temporary it leaves behind is removed at the next launch.

Slots: every running gradlab owns one autosave file, claimed with a ``QLockFile``:
the first instance ``autosave.gradlab``, a second one running at the same time
``autosave-2.gradlab``, and so on.  At launch an instance restores the file of the
slot it claimed, so a lone gradlab always reopens ``autosave.gradlab``, and a
second window never overwrites the first one's work: what it held stays in
``autosave-2.gradlab`` (opened again by the next launch that runs beside another
one, or with *File → Open*).

An autosave that cannot be read is never overwritten: it is renamed aside
(``autosave.gradlab.unreadable-<time>``, ``gradlab.session.quarantine``) and the
window says where it went.  A save that fails (a read-only or full disk, a folder
where the file should be) is reported once, through ``save_failed``; the work stays
in memory and the next change tries again; ``saved`` follows the first save that works.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from gradlab.files import FileError
from gradlab.session import (
    Session,
    autosave_path,
    load_session,
    quarantine,
    remove_stale_temporaries,
    save_session,
)

__all__ = ["DELAY_MS", "Autosaver", "slot_path"]

#: quiet time after the last change before the work is saved
DELAY_MS = 2000
#: a change that keeps coming (a drag) still saves at least this often
MAX_WAIT_MS = 10_000
#: how many instances may run at once, each with its own autosave file
MAX_SLOTS = 32


def slot_path(slot: int) -> Path:
    """The autosave file of slot ``slot`` (1: ``autosave.gradlab``, 2: ``autosave-2.gradlab``, ...)."""
    base = autosave_path()
    return base if slot <= 1 else base.with_name(f"{base.stem}-{slot}{base.suffix}")


class Autosaver(QObject):
    """Saves ``snapshot()`` to this instance's autosave slot, a moment after each change."""

    #: a save worked: the Path written
    saved = Signal(object)
    #: a save failed, for the first time since the last one that worked: a message naming the
    #: file and the reason, ready for the user
    save_failed = Signal(str)

    def __init__(self, snapshot: Callable[[], Session], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._snapshot = snapshot
        self._lock: QLockFile | None = None
        self.path: Path = slot_path(1)
        self.failing = False  # the last save failed (its message was shown)
        self.last_error = ""
        self.last_save_seconds = 0.0  # how long the last save took, for the curious
        self._first_change = 0.0  # monotonic time of the oldest change not yet saved, 0: none
        self._delay = DELAY_MS
        self._timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self._timer.timeout.connect(self.save_now)

    # -- slots ------------------------------------------------------------------------------

    def claim(self) -> Path:
        """Lock the first free slot and make its file ours; tidy what killed saves left there."""
        folder = autosave_path().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return self.path  # nothing to lock in a folder that cannot exist: saves will say why
        for slot in range(1, MAX_SLOTS + 1):
            path = slot_path(slot)
            lock = QLockFile(str(path) + ".lock")
            lock.setStaleLockTime(0)  # stale only when its owner is gone, however long it ran
            if lock.tryLock(0):
                self._lock, self.path = lock, path
                remove_stale_temporaries(path)
                return path
            if lock.error() != QLockFile.LockError.LockFailedError:
                break  # no permission or an unknown error: locking will not work here
        return self.path

    def release(self) -> None:
        """Give the slot back (the file stays for the next launch)."""
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def restore(self) -> tuple[Session | None, str]:
        """The session in this slot's file, or (None, a message) when there is none or it is
        unreadable; an unreadable file is renamed aside first and the message says where."""
        path = self.path
        if not path.exists() and not path.is_symlink():
            return None, ""
        try:
            return load_session(path), ""
        except FileError as err:
            reason = err.reason
        try:
            kept = quarantine(path)
        except OSError as err:
            # it cannot be moved: never write over it either
            self._timer.stop()
            self.path = path.with_name(f"{path.stem}-new{path.suffix}")
            return None, (f"Your last session ({path}) could not be read ({reason}) nor moved aside "
                          f"({err.strerror or err}); it is left as it is, and this window saves to "
                          f"{self.path}.")
        return None, (f"Your last session is kept as {kept}: it could not be read ({reason}). "
                      "Starting fresh.")

    # -- saving -----------------------------------------------------------------------------

    def set_delay(self, ms: int) -> None:
        self._delay = ms

    def schedule(self, *_args) -> None:
        """A change: save once things have been quiet for a moment (restarts the wait)."""
        now = time.monotonic()
        if not self._first_change:
            self._first_change = now
        # never save from inside the signal that called: the model may be half-way through a
        # change (a new graph announced, the selection not yet moved onto it)
        overdue = (now - self._first_change) * 1000 >= MAX_WAIT_MS
        self._timer.start(0 if overdue else self._delay)

    def pending(self) -> bool:
        """Whether a change waits to be saved."""
        return self._timer.isActive()

    def save_now(self) -> bool:
        """Save at once; report a failure once (``save_failed``) and keep going."""
        self._timer.stop()
        self._first_change = 0.0
        start = time.perf_counter()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save_session(self._snapshot(), self.path)
        except (OSError, FileError) as err:
            reason = getattr(err, "reason", None) or getattr(err, "strerror", None) or str(err)
            if self.path.parent.exists() and not self.path.parent.is_dir():
                reason = f"{self.path.parent} is a file, not a folder"  # mkdir only says 'File exists'
            self.last_error = f"Autosave failed: cannot write {self.path}: {reason}. Your work is kept " \
                              "in this window; gradlab tries again at the next change."
            if not self.failing:  # once per failing streak: a message per keystroke helps nobody
                self.failing = True
                self.save_failed.emit(self.last_error)
            return False
        self.last_save_seconds = time.perf_counter() - start
        self.failing = False
        self.last_error = ""
        self.saved.emit(self.path)
        return True
