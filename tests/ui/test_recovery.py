"""Every state the app accepts, it saves and reopens (issue 16, items 5-8), and a launch that dies
while it restores or runs a program never makes the next one die too (crash-safe restore)."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QMessageBox, QPushButton

from gradlab import expr, resources
from gradlab.app import build_window
from gradlab.session import Session, autosave_path, dumps_json, load_session, save_session
from gradlab.ui import autosave
from gradlab.ui.autosave import BUSY_RESTORING, BUSY_RUNNING, previous_path, slot_path
from gradlab.ui.main_window import HELD_TEXT

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = "w = Value(0.5)\nb = Value(2.0)\nloss = (w * b - 3.0)**2\n"


def launch(qtbot, *argv: str, delay_ms: int = 50):
    """A window as a fresh launch builds it, with a short autosave delay for the test."""
    w = build_window(list(argv))
    qtbot.addWidget(w)
    w.autosaver.set_delay(delay_ms)
    return w


def boxes(window, name: str) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox, name) if b.isVisible()]


def action(window, text: str):
    """The menu action a user would click, by its text without the & of its shortcut."""
    for menu in window.menuBar().actions():
        for a in menu.menu().actions():
            if a.text().replace("&", "") == text:
                return a
    raise AssertionError(f"no menu action {text!r}")


def work_saved(qtbot, program: str = PROGRAM, slider: float = 1.25) -> Session:
    """A learner's work in the autosave (a program, a slider moved, a node selected), left by a
    launch that then quit; the session as saved."""
    first = launch(qtbot)
    model = first.expression_lab.model
    first.expression_lab.load_source(program)
    model.set_value(model.graph.find("w"), slider)
    model.select(model.graph.find("b"))
    first.close()
    return load_session(slot_path(1))


# -- item 5: any value the app holds saves; a failing save never blocks -----------------------------


def nan_network_session(qtbot) -> Session:
    """A session whose network lab has NaN weights and gradients (as a diverged run leaves them)."""
    w = launch(qtbot)
    lab = w.show_network_lab()
    lab.model.step(3)
    session = w.current_session()
    trainer = session.network_lab.model["trainer"]
    trainer["parameters"][:5] = [math.nan, math.inf, -math.inf, math.nan, math.nan]
    trainer["gradients"] = [math.nan] * len(trainer["parameters"])
    trainer["history"][-1][1] = math.inf
    w.autosaver.release()
    return session


def test_a_network_lab_with_nan_weights_saves_reopens_and_quits(qtbot, tmp_path):
    session = nan_network_session(qtbot)
    path = tmp_path / "diverged.gradlab"
    save_session(session, path)  # strict JSON: no NaN token in the file
    assert "NaN" not in path.read_text(encoding="utf-8") and '"nan"' in path.read_text(encoding="utf-8")
    w = launch(qtbot)
    assert w.open_path(path)
    lab = w.show_network_lab()
    theta = lab.model.trainer.parameters()
    assert math.isnan(theta[0]) and theta[1] == math.inf and theta[2] == -math.inf
    with qtbot.waitSignal(w.autosaver.saved, timeout=3000):
        lab.model.add_point(0.25, -0.5, 1)  # as the soak did: a point added after the divergence
    w.expression_lab.editor.setFocus()
    qtbot.keyClicks(w.expression_lab.editor, "zz = 1")
    typed = w.expression_lab.editor.toPlainText()
    w.close()  # pytest-qt fails the test if closeEvent raises
    assert not boxes(w, "autosaveFailedMessage")
    saved = load_session(w.autosaver.path)
    assert saved.expression_lab.source == typed  # the edit made after the NaNs is kept
    again = launch(qtbot).show_network_lab()
    assert math.isnan(again.model.trainer.parameters()[0]) and len(again.model.dataset) == 101


@pytest.mark.parametrize("error", [ValueError("Out of range float values are not JSON compliant"),
                                   TypeError("Object of type int64 is not JSON serializable"),
                                   RuntimeError("anything at all"), MemoryError()])
def test_a_save_failing_for_any_reason_is_said_once_and_never_blocks_quitting(qtbot, monkeypatch, error):
    w = launch(qtbot)
    model = w.expression_lab.model

    def broken(session, path):
        raise error

    working = autosave.save_session
    monkeypatch.setattr(autosave, "save_session", broken)
    with qtbot.waitSignal(w.autosaver.save_failed, timeout=3000) as failed:
        model.set_value(model.graph.find("a"), 1.0)
    assert str(w.autosaver.path) in failed.args[0] and type(error).__name__ in failed.args[0]
    for x in (2.0, 3.0):
        with qtbot.waitSignal(w.autosaver.save_failed, timeout=300, raising=False) as again:
            model.set_value(model.graph.find("a"), x)
        qtbot.waitUntil(lambda: not w.autosaver.pending(), timeout=3000)
        assert not again.signal_triggered  # said once, not at each attempt
    assert len(boxes(w, "autosaveFailedMessage")) == 1
    monkeypatch.setattr(autosave, "save_session", working)
    with qtbot.waitSignal(w.autosaver.saved, timeout=3000):  # a later save works again
        model.set_value(model.graph.find("a"), 4.0)
    monkeypatch.setattr(autosave, "save_session", broken)
    w.close()  # the save at quit fails too: the window closes all the same, no exception
    assert not w.isVisible() and w.autosaver._lock is None
    assert load_session(slot_path(1)).expression_lab.overrides["a"] == 4.0


# -- item 6: a file given at launch never destroys the autosaved work --------------------------------


def test_launching_with_a_file_keeps_the_work_recoverable(qtbot, tmp_path):
    kept = work_saved(qtbot)
    good = tmp_path / "lesson.py"
    good.write_text("x = Value(3.0)\ny = x * x\n", encoding="utf-8")
    w = launch(qtbot, str(good))
    lab = w.expression_lab
    assert lab.editor.toPlainText() == good.read_text() and lab.model.graph.output.data == 9.0
    previous = previous_path(slot_path(1))
    assert load_session(previous).expression_lab == kept.expression_lab
    with qtbot.waitSignal(w.autosaver.saved, timeout=3000):
        lab.editor.appendPlainText("z = y + 1")
    assert load_session(previous).expression_lab == kept.expression_lab  # autosaves leave it be
    action(w, "Recover Previous Work").trigger()
    assert lab.editor.toPlainText() == PROGRAM
    model = lab.model
    assert model.graph.values[model.graph.find("w")].data == 1.25 and model.selected == model.graph.find("b")
    # what was open is the previous work now: recovering again swaps back
    assert load_session(previous).expression_lab.source.endswith("z = y + 1")
    action(w, "Recover Previous Work").trigger()
    assert lab.editor.toPlainText().endswith("z = y + 1")


@pytest.mark.parametrize("bad", ["binary.py", "missing.py", "folder"])
def test_a_refused_file_at_launch_leaves_the_work_as_it_was(qtbot, tmp_path, bad):
    kept = work_saved(qtbot)
    path = tmp_path / bad
    if bad == "binary.py":
        path.write_bytes(b"\xff\xfe\x00 not a program")
    elif bad == "folder":
        path.mkdir()
    w = launch(qtbot, str(path))
    assert len(boxes(w, "errorMessage")) == 1 and bad in boxes(w, "errorMessage")[0].text()
    assert w.expression_lab.editor.toPlainText() == PROGRAM  # not an empty editor
    w.close()
    assert load_session(slot_path(1)).expression_lab == kept.expression_lab
    assert not previous_path(slot_path(1)).exists()  # nothing was replaced


def test_an_example_opened_over_the_work_keeps_it_and_unchanged_examples_are_not_kept(qtbot):
    w = launch(qtbot)
    lab = w.expression_lab
    lab.load_source(PROGRAM)  # the learner's own program
    first, second = resources.examples()[1:3]
    action(w, first.title).trigger()
    previous = previous_path(slot_path(1))
    assert load_session(previous).expression_lab.source == PROGRAM
    action(w, second.title).trigger()  # an unchanged example replaced by another: the work stays kept
    assert load_session(previous).expression_lab.source == PROGRAM
    assert w.recover_previous() and lab.editor.toPlainText() == PROGRAM


@pytest.mark.parametrize("how", ["resumed at launch", "recovered"])
def test_restored_work_is_kept_when_an_example_replaces_it_unchanged(qtbot, tmp_path, how):
    work_saved(qtbot)
    if how == "recovered":
        lesson = tmp_path / "lesson.py"
        lesson.write_text("x = Value(3.0)\n", encoding="utf-8")
        w = launch(qtbot, str(lesson))
        assert w.recover_previous()
    else:
        w = launch(qtbot)
    assert w.expression_lab.editor.toPlainText() == PROGRAM  # not changed since it was restored
    action(w, resources.examples()[1].title).trigger()
    assert load_session(previous_path(slot_path(1))).expression_lab.source == PROGRAM
    assert w.recover_previous() and w.expression_lab.editor.toPlainText() == PROGRAM


def test_recover_with_nothing_kept_says_so(qtbot):
    w = launch(qtbot)
    before = w.expression_lab.editor.toPlainText()
    assert not w.recover_previous()
    assert "no previous work" in w.statusBar().currentMessage()
    assert w.expression_lab.editor.toPlainText() == before


# -- item 7: whatever the app accepts, it saves and reopens --------------------------------------------


@pytest.mark.slow  # 100,000 rows: 4-6 s alone, 10-20 s on a loaded machine
def test_a_hundred_thousand_row_csv_is_saved_and_reopened(qtbot, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100_000, 2)) * 3e-5  # numbers of 22 characters, like -1.2345678901234567e-05
    labels = (X[:, 0] * X[:, 1] > 0).astype(int)
    csv = tmp_path / "big.csv"
    with open(csv, "w", encoding="utf-8") as f:
        f.write("x1,x2,label\n")
        f.writelines(f"{a!r},{b!r},{c}\n" for (a, b), c in zip(X.tolist(), labels.tolist(), strict=True))
    assert 4_500_000 < csv.stat().st_size < 16 * 1024 * 1024  # as the issue's: inside the CSV limit
    w = launch(qtbot)
    assert w.import_data(csv)
    lab = w.network_tab.lab
    assert len(lab.model.dataset) == 100_000
    w.expression_lab.editor.appendPlainText("# an edit after the import")
    with qtbot.waitSignal(w.autosaver.saved, timeout=10_000):
        pass
    w.close()
    assert not boxes(w, "autosaveFailedMessage")
    saved = load_session(slot_path(1))
    assert saved.expression_lab.source.endswith("# an edit after the import")
    again = launch(qtbot).show_network_lab()
    assert again.model.dataset.X.tolist() == X.tolist()  # every point, bit for bit


# -- item 8: instances that cannot lock a slot each save to a file of their own ------------------------


class _FullDiskLock:
    """A QLockFile on a full disk: the lock file cannot be written."""

    LockError = autosave.QLockFile.LockError

    def __init__(self, path: str) -> None:
        pass

    def setStaleLockTime(self, ms: int) -> None:  # noqa: N802 -- Qt's name
        pass

    def tryLock(self, timeout: int = 0) -> bool:  # noqa: N802
        return False

    def error(self):
        return self.LockError.UnknownError

    def unlock(self) -> None:
        pass


class _ClockOneSecondPerCall:
    """``datetime`` for gradlab.ui.autosave whose ``now()`` moves on a second at each call."""

    def __init__(self) -> None:
        self._now = datetime.now()

    def now(self) -> datetime:
        self._now += timedelta(seconds=1)
        return self._now


def test_two_instances_on_a_full_disk_fall_back_to_files_of_their_own(qtbot, monkeypatch):
    kept = work_saved(qtbot)
    monkeypatch.setattr(autosave, "QLockFile", _FullDiskLock)
    monkeypatch.setattr(autosave, "datetime", _ClockOneSecondPerCall())
    first = launch(qtbot)
    second = launch(qtbot)  # a second later: the name differs by its time too, not only by the process
    paths = {first.autosaver.path, second.autosaver.path}
    assert len(paths) == 2 and slot_path(1) not in paths and slot_path(2) not in paths
    for w in (first, second):
        assert w.expression_lab.editor.toPlainText() == PROGRAM  # both open the autosaved work
        [box] = boxes(w, "ownAutosaveMessage")
        assert str(w.autosaver.path) in box.text()
    first.expression_lab.load_source("mine = Value(1.0)\n")
    second.expression_lab.load_source("theirs = Value(2.0)\n")
    first.close()
    second.close()
    assert load_session(first.autosaver.path).expression_lab.source == "mine = Value(1.0)\n"
    assert load_session(second.autosaver.path).expression_lab.source == "theirs = Value(2.0)\n"
    assert load_session(slot_path(1)).expression_lab == kept.expression_lab  # never written over


def test_the_own_file_is_named_by_time_and_process(qtbot, monkeypatch):
    monkeypatch.setattr(autosave, "QLockFile", _FullDiskLock)
    w = launch(qtbot)
    assert w.autosaver.own_file and w.autosaver.path.parent == autosave_path().parent
    assert w.autosaver.path.name.endswith(f"-{os.getpid()}.gradlab")


# -- crash-safe restore --------------------------------------------------------------------------------


def banner(window) -> tuple[QFrame, QLabel, QPushButton]:
    lab = window.expression_lab
    return (lab.findChild(QFrame, "restoreBanner"), lab.findChild(QLabel, "restoreBannerText"),
            lab.findChild(QPushButton, "restoreRunButton"))


def assert_held(qtbot, w, program: str, why: str) -> None:
    """The program is in the editor, not run (and not run a moment later either), under the banner."""
    w.show()
    qtbot.waitExposed(w)
    frame, text, run = banner(w)
    assert frame.isVisible() and run.isVisible() and text.text() == HELD_TEXT[why]
    lab = w.expression_lab
    assert lab.editor.toPlainText() == program
    qtbot.wait(600)  # longer than the pause after which an edit runs
    assert lab.model.graph is None and not lab.model.run_in_flight()
    assert lab.output_label.text() == "no output yet"


@pytest.mark.parametrize("why", [BUSY_RESTORING, BUSY_RUNNING])
def test_a_launch_that_died_busy_opens_the_program_unrun_with_a_run_button(qtbot, why):
    kept = work_saved(qtbot)
    busy = slot_path(1).with_name(slot_path(1).name + ".busy")
    busy.write_text(why + "\n")  # what a launch killed while restoring or running leaves
    w = launch(qtbot)
    assert_held(qtbot, w, PROGRAM, why)
    w.expression_lab.editor.setFocus()
    qtbot.keyClick(w.expression_lab.editor, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(w.expression_lab.editor, "# looked at it")  # an edit does not run it either
    qtbot.wait(600)
    assert w.expression_lab.model.graph is None
    qtbot.waitUntil(lambda: not w.autosaver.pending(), timeout=3000)
    saved = load_session(slot_path(1)).expression_lab  # the held work is saved as it was, slider too
    assert saved.source == PROGRAM + "# looked at it" == w.expression_lab.editor.toPlainText()
    assert saved.overrides == kept.expression_lab.overrides and saved.selected == "b"
    frame, _, run = banner(w)
    qtbot.mouseClick(run, Qt.MouseButton.LeftButton)
    model = w.expression_lab.model
    assert not frame.isVisible() and model.graph is not None and model.error is None
    assert model.graph.values[model.graph.find("w")].data == 1.25  # its slider value, back
    assert model.selected == model.graph.find("b")
    assert not busy.exists()  # it ran: the next launch runs it as usual
    w.close()
    again = launch(qtbot)
    assert not banner(again)[0].isVisibleTo(again) and again.expression_lab.model.graph is not None


def test_a_held_program_stays_held_until_it_runs(qtbot):
    work_saved(qtbot)
    busy = slot_path(1).with_name(slot_path(1).name + ".busy")
    busy.write_text(BUSY_RUNNING + "\n")
    first = launch(qtbot)
    first.close()  # quit without pressing Run: the next launch must not run it either
    assert busy.exists()
    again = launch(qtbot)
    assert_held(qtbot, again, PROGRAM, BUSY_RUNNING)
    again.expression_lab.editor.setFocus()
    qtbot.keyClick(again.expression_lab.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert again.expression_lab.model.graph is not None and not banner(again)[0].isVisible()


def test_a_clean_launch_leaves_no_marker_and_a_running_program_has_one(qtbot):
    w = launch(qtbot)
    busy = w.autosaver.busy_path
    assert not busy.exists()  # restored and up: the mark is cleared
    w.show()
    lab = w.expression_lab
    lab.editor.setPlainText("t = 0\nfor i in range(300000):\n    t = t + i\nx = Value(1.0) * t\n")
    with qtbot.waitSignal(lab.model.run_started, timeout=3000):
        pass
    assert busy.read_text().strip() == BUSY_RUNNING
    qtbot.waitUntil(lambda: not lab.model.run_in_flight(), timeout=10_000)
    assert not busy.exists()
    w.close()
    assert not busy.exists()


@pytest.mark.slow  # launches the whole app in a process of its own
def test_a_launch_killed_while_it_restores_makes_the_next_one_hold_the_program(qtbot, monkeypatch):
    """A real gradlab process, killed with SIGKILL in the middle of running the restored program."""
    slow = "t = 0\nfor i in range(3000000):\n    t = t + i\nx = Value(2.0)\ny = x * t\n"
    home = autosave_path().parent
    home.mkdir(parents=True)
    save_session(Session.from_json(dumps_json({"format": "gradlab-session", "version": 1,
                                               "expression_lab": {"source": slow}})), slot_path(1))
    busy = slot_path(1).with_name(slot_path(1).name + ".busy")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), "GRADLAB_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "gradlab"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not (busy.exists() and busy.stat().st_size) and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.005)
        assert busy.exists(), "the launch never marked that it was restoring"
        workers = children(proc.pid)  # its program worker, in a session of its own
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for pid in workers:  # an orphaned worker would run the slow program on: not this test's business
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert busy.read_text().strip() in (BUSY_RESTORING, BUSY_RUNNING)  # the program ran, or was about to
    w = launch(qtbot)
    assert w.autosaver.interrupted == busy.read_text().strip()
    assert_held(qtbot, w, slow, w.autosaver.interrupted)
    monkeypatch.setattr(expr, "MAX_SECONDS", 0.5)  # Run runs it: to its end or to a short ceiling
    qtbot.mouseClick(banner(w)[2], Qt.MouseButton.LeftButton)
    assert w.expression_lab.model.graph is not None or w.expression_lab.model.error is not None


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc; none elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def test_the_banner_fits_at_1280x720(qtbot, tmp_path):
    work_saved(qtbot)
    slot_path(1).with_name(slot_path(1).name + ".busy").write_text(BUSY_RESTORING + "\n")
    w = launch(qtbot, "--size", "1280x720")
    w.show()
    qtbot.waitExposed(w)
    frame, text, run = banner(w)
    lab = w.expression_lab
    assert frame.geometry().right() <= lab.width() and run.geometry().right() <= frame.width()
    assert text.height() >= text.heightForWidth(text.width())  # every line of the sentence shows
    assert lab.grab().save(str(tmp_path / "held.png"))
    if os.environ.get("GRADLAB_SHOTS"):
        lab.grab().save(os.environ["GRADLAB_SHOTS"])
