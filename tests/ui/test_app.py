"""The application shell: command line, window, menus, screenshot, sessions, the PySide6 guard."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from gradlab import resources
from gradlab.app import build_window, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot):
    w = build_window([])
    qtbot.addWidget(w)
    return w


def test_build_window_opens_the_seed_example(window):
    assert window.expression_lab.output_label.text() == "g = 24.7041"
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Examples", "Help"]


def test_every_menu_action_has_a_tooltip(window):
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if not action.isSeparator():
                assert action.toolTip(), action.text()


def test_example_and_select_options(qtbot):
    w = build_window(["--example", "lecture", "--select", "a"])
    qtbot.addWidget(w)
    model = w.expression_lab.model
    assert model.graph.output.data == -8.0
    assert model.graph.values[model.selected].label == "a"


def test_unknown_example_names_the_choices(qtbot):
    with pytest.raises(SystemExit, match="choose from: seed"):
        build_window(["--example", "nope"])


def test_examples_menu_opens_each_example(window):
    examples_menu = window.menuBar().actions()[3].menu()
    titles = [a.text() for a in examples_menu.actions()]
    assert titles == [e.title for e in resources.examples()]
    examples_menu.actions()[1].trigger()
    assert window.expression_lab.model.graph.output.data == -8.0


def test_open_program_file_and_bad_files(window, tmp_path):
    prog = tmp_path / "p.py"
    prog.write_text("x = Value(2.0)\ny = x ** 3\n", encoding="utf-8")
    assert window.open_path(prog)
    assert window.expression_lab.output_label.text() == "y = 8.0000"
    binary = tmp_path / "b.py"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert not window.open_path(binary)
    assert "not UTF-8" in window.statusBar().currentMessage()
    assert not window.open_path(tmp_path / "missing.py")
    # what the user had is still there
    assert window.expression_lab.output_label.text() == "y = 8.0000"


def test_session_round_trip_and_corrupt_session(window, tmp_path, qtbot):
    model = window.expression_lab.model
    b = model.graph.find("b")
    model.set_value(b, 3.0)
    model.select(model.graph.find("a"))
    model.set_step_size(1e-5)
    from gradlab.session import save_session

    path = tmp_path / "s.gradlab"
    save_session(window.current_session(), path)
    other = build_window(["--example", "neuron"])
    qtbot.addWidget(other)
    assert other.open_path(path)
    m2 = other.expression_lab.model
    assert m2.graph.values[m2.graph.find("b")].data == 3.0
    assert m2.graph.values[m2.selected].label == "a" and m2.step_size == 1e-5
    corrupt = tmp_path / "c.gradlab"
    corrupt.write_text(json.dumps({"format": "gradlab-session", "version": 1,
                                   "expression_lab": {"step_size": "big"}}), encoding="utf-8")
    assert not other.open_path(corrupt)
    assert "step_size" in other.statusBar().currentMessage()
    assert m2.graph.values[m2.graph.find("b")].data == 3.0  # nothing lost


def test_screenshot_option_writes_a_picture(tmp_path, monkeypatch):
    # in this process: main's exit status is what main.py exits with (the installed app's own
    # process renders one in tests/test_install.py)
    out = tmp_path / "shot.png"
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main(["--example", "seed", "--select", "a", "--screenshot", str(out), "--size", "1200x800"]) == 0
    image = QImage(str(out))
    assert image.width() == 1200 and image.height() == 800
    colours = {image.pixel(x, y) for x in range(0, 1200, 37) for y in range(0, 800, 23)}
    assert len(colours) > 20  # not blank


def test_no_display_prints_the_fix():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "gradlab"], capture_output=True, text=True, env=env,
                       timeout=60, cwd=ROOT)
    if sys.platform.startswith("linux"):
        assert r.returncode == 2
        assert "no display" in r.stderr and "offscreen" in r.stderr and "xvfb" in r.stderr.lower()


def test_pyside_does_not_leak_none(qtbot):
    """PySide6 6.12.0 on Python < 3.12 loses a reference to None per void call and aborts later."""
    from PySide6.QtWidgets import QWidget

    w = QWidget()
    qtbot.addWidget(w)
    before = sys.getrefcount(None)
    for i in range(1000):
        w.setObjectName(f"w{i}")
        w.move(i % 7, 0)
    assert sys.getrefcount(None) >= before - 10


def test_readme_lists_every_shortcut():
    from gradlab.ui.main_window import SHORTCUTS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key, does in SHORTCUTS:
        assert f"| {key} | {does} |" in readme


def test_help_shows_the_language_reference(window, qtbot):
    dialog = window.show_reference()
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QTextBrowser

    text = dialog.findChild(QTextBrowser).toPlainText()
    assert "loops" in text and "micrograd.engine" in text


def test_closing_keeps_the_work_for_next_time(qtbot):
    first = build_window([])
    qtbot.addWidget(first)
    first.expression_lab.load_source("w = Value(0.5)\nloss = (w - 3.0)**2\n")
    model = first.expression_lab.model
    model.set_value(model.graph.find("w"), 1.5)
    first.close()
    again = build_window([])
    qtbot.addWidget(again)
    m2 = again.expression_lab.model
    assert again.expression_lab.output_label.text() == "loss = 2.2500"
    assert m2.graph.values[m2.graph.find("w")].data == 1.5
    assert "left off" in again.statusBar().currentMessage()


def test_a_corrupt_autosave_falls_back_to_the_seed_example(qtbot):
    from gradlab.session import autosave_path

    path = autosave_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    w = build_window([])
    qtbot.addWidget(w)
    assert w.expression_lab.output_label.text() == "g = 24.7041"


def test_loading_an_example_can_be_undone(window, qtbot):
    lab = window.expression_lab
    lab.load_source("mine = Value(7.0)\n")
    window.open_example("lecture")
    assert lab.model.graph.output.data == -8.0
    lab.editor.undo()
    assert lab.editor.toPlainText() == "mine = Value(7.0)\n"


def test_a_display_qt_cannot_use_prints_the_fix(monkeypatch, capsys):
    """An X display without the libraries Qt's xcb plugin needs: a message, not Qt's abort."""
    from gradlab import app

    monkeypatch.setattr(app, "_has_display", lambda: True)
    monkeypatch.setattr(app, "_xcb_problem", lambda: "libxcb-icccm.so.4: cannot open shared object file")
    assert app.main([]) == 2
    err = capsys.readouterr().err
    assert "libxcb-icccm.so.4" in err and "apt-get install" in err and "offscreen" in err


def test_xcb_check_stays_quiet_without_an_x_display(monkeypatch):
    from gradlab import app

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    assert app._xcb_problem() is None
