"""Nothing frozen, nothing lost (issue 6, item 3 and the exception dialog): SIGTERM and SIGHUP close
cleanly with an autosave, a native crash leaves crash.log, a raising slot shows a dialog."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton

from gradlab.session import load_session
from gradlab.ui.common import errors

ROOT = Path(__file__).resolve().parents[3]


def start_app(tmp_path: Path, *argv: str) -> tuple[subprocess.Popen, Path]:
    home = tmp_path / "app-home"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GRADLAB_HOME": str(home),
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, home


def wait_for(condition, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll a file-system condition while the app starts (a subprocess has no signal to wait on)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)


@pytest.mark.slow  # launches the whole app in a process of its own
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_termination_signal_closes_cleanly_and_autosaves(tmp_path, signum):
    program = tmp_path / "p.py"
    program.write_text("w = Value(0.5)\nloss = (w - 3.0)**2\n", encoding="utf-8")
    proc, home = start_app(tmp_path, str(program))
    # the lock is taken once the window exists; the handlers are in place before that
    wait_for(lambda: (home / "autosave.gradlab.lock").exists(), proc)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert load_session(home / "autosave.gradlab").expression_lab.source == program.read_text()
    assert not (home / "autosave.gradlab.lock").exists()
    assert (home / "crash.log").exists()  # faulthandler's file, in the app-data folder


def test_a_native_crash_is_written_to_crash_log(tmp_path):
    code = ("import sys, ctypes\nfrom pathlib import Path\n"
            "from gradlab.ui.common.errors import enable_crash_log\n"
            "enable_crash_log(Path(sys.argv[1]))\nctypes.string_at(0)\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode != 0
    log = (tmp_path / "crash.log").read_text(encoding="utf-8")
    assert "Segmentation fault" in log or "Fatal Python error" in log


@pytest.fixture
def hook(monkeypatch):
    """The app's excepthook, for one test; pytest-qt's capture is off for these tests."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(errors, "_dialog", None)
    errors.install_excepthook()
    yield
    dialog = errors.current_dialog()
    if dialog is not None:
        dialog.close()
        dialog.deleteLater()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_a_dialog_and_the_app_goes_on(qtbot, hook, capsys):
    from gradlab.app import build_window

    window = build_window([])
    qtbot.addWidget(window)
    button = QPushButton("boom")
    qtbot.addWidget(button)

    def boom() -> None:
        raise RuntimeError("a slot failed <b>here</b>")

    button.clicked.connect(boom)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = errors.current_dialog()
    assert dialog is not None and dialog.objectName() == "exceptionDialog"
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    assert "RuntimeError: a slot failed <b>here</b>" in dialog.message.text()
    details = dialog.details.toPlainText()
    assert "Traceback" in details and "in boom" in details
    assert "in boom" in capsys.readouterr().err  # the terminal has it too
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert "in boom" in QGuiApplication.clipboard().text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # again: the same dialog counts it
    assert errors.current_dialog() is dialog and dialog.count == 2 and "2 unexpected" in dialog.message.text()
    window.expression_lab.load_source("x = Value(2.0)\ny = x * 4\n")  # the app goes on
    assert window.expression_lab.output_label.text() == "y = 8.0000"


def test_the_dialog_shows_a_long_message_cut(qtbot):
    dialog = errors.ExceptionDialog()
    qtbot.addWidget(dialog)
    dialog.add("ValueError: " + "W" * 100_000, "Traceback ...")
    assert len(dialog.message.text()) < 400


@pytest.mark.slow  # launches the whole app in a process of its own
def test_after_a_kill_the_next_launch_has_the_work_back(tmp_path, qtbot, monkeypatch):
    """SIGKILL: no handler runs. The autosave written while working is there, the dead
    instance's lock does not keep the slot, and the next launch reopens it."""
    program = tmp_path / "p.py"
    program.write_text("k = Value(4.0)\nout = k * k\n", encoding="utf-8")
    proc, home = start_app(tmp_path, str(program))
    autosave = home / "autosave.gradlab"
    wait_for(autosave.exists, proc)  # the first autosave, a moment after the program ran
    proc.kill()
    proc.communicate(timeout=60)
    assert (home / "autosave.gradlab.lock").exists()  # left behind by the killed process
    monkeypatch.setenv("GRADLAB_HOME", str(home))
    from gradlab.app import build_window

    window = build_window([])
    qtbot.addWidget(window)
    assert window.autosaver.path == autosave
    assert window.expression_lab.editor.toPlainText() == program.read_text()
    assert window.expression_lab.output_label.text() == "out = 16.0000"
