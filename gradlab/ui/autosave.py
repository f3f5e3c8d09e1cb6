"""Autosave: the work in a window, kept in the app-data folder while you work.

When: ``DELAY_MS`` (2 s) after the last change (an edit, a slider, a selection,
*h*, a gradient step, a run), at least every ``MAX_WAIT_MS`` during a change that
never pauses (a long slider drag), and when the window closes; never after ``release``
(the slot may be another instance's by then: a window closed twice saves once).  Each save is
atomic (``gradlab.session.save_session``): a kill mid-save leaves the previous
file whole, and the temporary it leaves behind is removed at the next launch.

Slots: every running gradlab owns one autosave file, claimed with a ``QLockFile``:
the first instance ``autosave.gradlab``, a second one running at the same time
``autosave-2.gradlab``, and so on.  At launch an instance restores the file of the
slot it claimed, so a lone gradlab always reopens ``autosave.gradlab``, and a
second window never overwrites the first one's work: what it held stays in
``autosave-2.gradlab`` (opened again by the next launch that runs beside another
one, or with *File → Open*).

When no slot can be locked (a full disk or a read-only folder at launch, every slot
taken) the instance falls back to a file of its own, ``autosave-<time>-<pid>.gradlab``
(``own_file``): it opens the work of ``autosave.gradlab`` but never writes over it, so
two such instances never overwrite each other's work.

An autosave that cannot be read is never overwritten: it is renamed aside
(``autosave.gradlab.unreadable-<time>``, ``gradlab.session.quarantine``) and the
window says where it went.  A save that fails for any reason (a read-only or full
disk, a folder where the file should be, a state that cannot be written) is reported
once, through ``save_failed``; the work stays in memory and the next change tries
again; ``saved`` follows the first save that works.  ``save_now`` never raises.

Previous work: when a file, an example or a session replaces the work in the window,
the work it held is kept in ``<slot>.previous.gradlab`` first (``keep_previous``), for
*File → Recover Previous Work*.

Crash-safe restore: while the window restores a session or runs a program, a marker
file ``<slot>.busy`` beside the autosave says so (``marked``).  A launch that finds
it left behind by a launch that died (``interrupted``) opens the program without
running it (and keeps the marker until the program runs).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
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

__all__ = ["BUSY_RESTORING", "BUSY_RUNNING", "DELAY_MS", "Autosaver", "previous_path", "slot_path"]

#: quiet time after the last change before the work is saved
DELAY_MS = 2000
#: a change that keeps coming (a drag) still saves at least this often
MAX_WAIT_MS = 10_000
#: how many instances may run at once, each with its own autosave file
MAX_SLOTS = 32
#: what the busy marker says the window was doing (see Autosaver.marked)
BUSY_RESTORING, BUSY_RUNNING = "restoring", "running"


def slot_path(slot: int) -> Path:
    """The autosave file of slot ``slot`` (1: ``autosave.gradlab``, 2: ``autosave-2.gradlab``, ...)."""
    base = autosave_path()
    return base if slot <= 1 else base.with_name(f"{base.stem}-{slot}{base.suffix}")


def previous_path(path: Path) -> Path:
    """Where the work an open replaced is kept: ``autosave.previous.gradlab`` for ``autosave.gradlab``."""
    return path.with_name(f"{path.stem}.previous{path.suffix}")


def _reason(err: BaseException) -> str:
    """Why a save failed, for a user: the file error's reason, the system's words, or the error."""
    reason = getattr(err, "reason", None) or getattr(err, "strerror", None)
    if reason:
        return str(reason)
    text = str(err)
    text = text if len(text) <= 200 else text[:200] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


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
        #: no slot could be locked: this instance saves to a file of its own (claim_problem says why)
        self.own_file = False
        self.claim_problem = ""
        #: what the launch before was doing when it died ("" if it did not): BUSY_RESTORING, BUSY_RUNNING
        self.interrupted = ""
        self._restored_from: Path | None = None  # the file restore() read, while it still holds it
        self._restored: Session | None = None
        self._claimed = False  # no marker is written before claim: the file may be another's
        self._released = False  # the slot was given back: this window saves no more
        self._busy: Counter[str] = Counter()  # what the window is doing, how many times over
        self._held = ""  # a program held unrun: the marker stays until it runs (see hold)
        self._busy_written: tuple[str, Path | None] = ("", None)  # what the marker says, where

    # -- slots ------------------------------------------------------------------------------

    def claim(self) -> Path:
        """Lock the first free slot and make its file ours; tidy what killed saves left there.
        When none can be locked, a file of this instance's own (``own_file``; ``claim_problem``)."""
        folder = autosave_path().parent
        self._claimed = True
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            return self._use_own_file(f"the folder {folder} cannot be made ({_reason(err)})")
        for slot in range(1, MAX_SLOTS + 1):
            path = slot_path(slot)
            lock = QLockFile(str(path) + ".lock")
            lock.setStaleLockTime(0)  # stale only when its owner is gone, however long it ran
            if lock.tryLock(0):
                self._lock, self.path = lock, path
                remove_stale_temporaries(path)
                return path
            if lock.error() != QLockFile.LockError.LockFailedError:
                # a full disk, no permission: locking does not work here
                return self._use_own_file(f"no autosave file in {folder} can be locked (is the disk "
                                          "full, or the folder read-only?)")
        return self._use_own_file(f"{MAX_SLOTS} other gradlab windows hold every autosave file")

    def _use_own_file(self, why: str) -> Path:
        """Save to a file no other instance uses (its time and process id in its name): two
        instances that cannot lock a slot never write over each other's work, nor the slots'."""
        base = autosave_path()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.path = base.with_name(f"{base.stem}-{stamp}-{os.getpid()}{base.suffix}")
        self.own_file = True
        self.claim_problem = f"This window saves your work to {self.path}: {why}."
        return self.path

    def release(self) -> None:
        """Give the slot back (the file stays for the next launch); no save follows, not even
        one already scheduled: the file may be the next instance's now."""
        self._released = True
        self._timer.stop()
        self._busy.clear()
        self._write_busy()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def restore(self) -> tuple[Session | None, str]:
        """The session in this slot's file, or (None, a message) when there is none or it is
        unreadable; an unreadable file is renamed aside first and the message says where.
        An instance with a file of its own reads ``autosave.gradlab`` and never moves it.
        Sets ``interrupted`` when the launch that last owned the slot died while busy."""
        path = autosave_path() if self.own_file else self.path
        if self._lock is not None:
            self.interrupted = self._busy_left_behind()
        if not path.exists() and not path.is_symlink():
            return None, ""
        try:
            session = load_session(path)
        except FileError as err:
            reason = err.reason
        else:
            self._restored_from, self._restored = path, session
            return session, ""
        if self.own_file:
            return None, f"Your last session ({path}) could not be read ({reason}). Starting fresh."
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

    # -- previous work ----------------------------------------------------------------------

    @property
    def previous_path(self) -> Path:
        return previous_path(self.path)

    def keep_previous(self, session: Session) -> str:
        """Keep ``session``, the work about to be replaced, in ``previous_path`` (what was kept
        there before goes); "" or a message saying why it could not be.  The session restore()
        read is moved there (no disk space needed); if that fails, this window saves to a file
        of its own from now on, so that the autosave it came from is never written over."""
        target = self.previous_path
        restored = session is self._restored and self._restored_from == self.path
        try:
            if restored:
                os.replace(self.path, target)
                self._restored = self._restored_from = None
            else:
                save_session(session, target)
        except Exception as err:  # noqa: BLE001 -- whatever it is, the work is left where it was
            why = _reason(err)
            if restored:
                kept = self.path
                self._use_own_file(f"{kept} holds your previous work and could not be moved aside ({why})")
                return (f"Your previous work stays in {kept} (it could not be moved to {target}: {why}); "
                        f"this window saves to {self.path}.")
            return f"Your previous work could not be kept in {target}: {why}."
        return ""

    # -- crash-safe restore ----------------------------------------------------------------

    @property
    def busy_path(self) -> Path:
        return self.path.with_name(self.path.name + ".busy")

    @contextmanager
    def marked(self, what: str) -> Iterator[None]:
        """While the block runs, the busy marker says ``what`` (BUSY_RESTORING, BUSY_RUNNING)."""
        self.mark(what)
        try:
            yield
        finally:
            self.unmark(what)

    def mark(self, what: str) -> None:
        """The window starts doing ``what``: a launch that dies before unmark leaves the marker."""
        self._busy[what] += 1
        self._write_busy()

    def unmark(self, what: str) -> None:
        """The window is done doing ``what`` (once per mark)."""
        if self._busy[what] > 0:
            self._busy[what] -= 1
        self._write_busy()

    def hold(self, what: str) -> None:
        """The window shows a program without running it, because a launch died ``what``
        (BUSY_RESTORING, BUSY_RUNNING); "" once it runs.  Until then the marker stays, even
        after a quit: the next launch holds the program too."""
        self._held = what
        self._write_busy()

    def _write_busy(self) -> None:
        """The marker file, best effort (a disk that cannot hold it must not stop the work)."""
        what = (BUSY_RESTORING if self._busy[BUSY_RESTORING]
                else BUSY_RUNNING if self._busy[BUSY_RUNNING] else self._held)
        target = self.busy_path if what and self._claimed else None
        if (what, target) == self._busy_written:
            return
        written = self._busy_written[1]
        self._busy_written = (what, target)
        try:
            if written is not None and written != target:
                written.unlink(missing_ok=True)  # not needed any more, or the autosave moved
            if target is not None:
                target.write_text(what + "\n", encoding="utf-8")
        except OSError:
            pass

    def _busy_left_behind(self) -> str:
        """What the marker a dead launch left says ("" for none); it is ours from here."""
        try:
            text = self.busy_path.read_text(encoding="utf-8", errors="replace").strip()
        except (OSError, ValueError):
            return ""
        return BUSY_RUNNING if text == BUSY_RUNNING else BUSY_RESTORING

    # -- saving -----------------------------------------------------------------------------

    def set_delay(self, ms: int) -> None:
        self._delay = ms

    def schedule(self, *_args) -> None:
        """A change: save once things have been quiet for a moment (restarts the wait)."""
        if self._released:
            return
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
        """Save at once; report a failure once (``save_failed``) and keep going.  Never raises:
        whatever goes wrong (the disk, the state itself), the window and its quit go on.
        False, writing nothing, once the slot was released."""
        self._timer.stop()
        self._first_change = 0.0
        if self._released:
            return False
        start = time.perf_counter()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save_session(self._snapshot(), self.path)
        except Exception as err:  # noqa: BLE001 -- any failure is said once, never raised into the window
            reason = _reason(err)
            try:
                if self.path.parent.exists() and not self.path.parent.is_dir():
                    reason = f"{self.path.parent} is a file, not a folder"  # mkdir only says 'File exists'
            except OSError:
                pass
            self.last_error = f"Autosave failed: cannot write {self.path}: {reason}. Your work is kept " \
                              "in this window; gradlab tries again at the next change."
            if not self.failing:  # once per failing streak: a message per keystroke helps nobody
                self.failing = True
                self.save_failed.emit(self.last_error)
            return False
        self._restored = self._restored_from = None  # the file holds this window's work now
        self.last_save_seconds = time.perf_counter() - start
        self.failing = False
        self.last_error = ""
        self.saved.emit(self.path)
        return True
