"""The network lab in the app: --lab network, File > Import Data, Help, sessions and autosave."""

from __future__ import annotations

import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtWidgets import QMessageBox, QTextBrowser

from gradlab.app import build_window, main
from gradlab.session import load_session, save_session


@pytest.fixture
def window(qtbot):
    w = build_window(["--lab", "network"])
    qtbot.addWidget(w)
    w.show()
    return w


def test_lab_network_opens_the_network_tab_with_its_names(window):
    lab = window.network_tab.lab
    assert window.tabs.currentWidget() is window.network_tab
    assert lab is not None and window.findChild(type(lab), "networkLab") is lab
    from PySide6.QtWidgets import QWidget

    for name in ("networkEditor", "datasetCombo", "decisionPlot", "lossPlot", "networkView", "playButton",
                 "stepButton", "resetButton", "epochLabel", "learningRateInput", "weightInspector",
                 "pointGraph"):
        assert window.findChild(QWidget, name) is not None, name


def test_the_expression_lab_stays_the_default_and_the_network_lab_is_built_lazily(qtbot):
    w = build_window(["--example", "lecture"])
    qtbot.addWidget(w)
    assert w.tabs.currentWidget() is w.expression_lab
    assert w.network_tab.lab is None  # start-up does not pay for the network lab
    w.tabs.setCurrentWidget(w.network_tab)
    w.show()
    assert w.network_tab.lab is not None


def test_import_data_with_a_bad_file_shows_the_core_message_and_keeps_the_data(qtbot, window, tmp_path):
    bad = tmp_path / "points.csv"
    bad.write_text("x1,x2,label\n1,2,0\n3,four,1\n")
    before = window.network_tab.lab.model.dataset
    assert window.import_data(bad) is False
    box = window.findChild(QMessageBox, "errorMessage")
    assert box is not None and "points.csv" in box.text() and "line 3" in box.text()
    assert window.network_tab.lab.model.dataset is before
    good = tmp_path / "good.csv"
    good.write_text("0,0,0\n1,1,1\n0,1,0\n1,0,1\n")
    assert window.import_data(good) is True
    assert len(window.network_tab.lab.model.dataset) == 4


def test_help_has_a_network_lab_section(window):
    help_menu = window.menuBar().actions()[-1].menu()
    titles = [a.text().replace("&", "") for a in help_menu.actions()]
    assert "Network Lab" in titles
    dialog = window.show_network_help()
    assert "blue" in dialog.findChild(QTextBrowser).toPlainText().lower()
    file_menu = window.menuBar().actions()[0].menu()
    assert "Import Data…" in [a.text().replace("&", "") for a in file_menu.actions()]


def test_a_session_keeps_the_network_lab_and_training_continues_bit_for_bit(qtbot, window, tmp_path):
    lab = window.network_tab.lab
    lab.model.add_point(0.5, -0.5, 1)
    lab.model.step(12)
    path = tmp_path / "s.gradlab"
    save_session(window.current_session(), path)
    lab.model.step(4)
    expected = lab.model.trainer.parameters()

    other = build_window([str(path)])
    qtbot.addWidget(other)
    assert other.network_tab.lab is None  # restored when the tab is first shown
    again = other.show_network_lab()
    assert again.model.step_count == 12 and len(again.model.dataset) == 101
    again.model.step(4)
    assert again.model.trainer.parameters() == expected


def test_a_never_opened_network_lab_passes_through_a_session_unchanged(qtbot, window, tmp_path):
    window.network_tab.lab.model.step(3)
    path = tmp_path / "a.gradlab"
    save_session(window.current_session(), path)
    other = build_window([str(path)])
    qtbot.addWidget(other)
    second = tmp_path / "b.gradlab"
    save_session(other.current_session(), second)  # without ever showing the network tab
    assert load_session(second).network_lab == load_session(path).network_lab


def test_screenshot_of_the_network_lab(tmp_path):
    out = tmp_path / "net.png"
    assert main(["--lab", "network", "--screenshot", str(out), "--size", "1280x720"]) == 0
    assert out.stat().st_size > 10_000


def test_a_regression_lab_saves_as_strict_json_and_reopens(qtbot, window, tmp_path):
    lab = window.network_tab.lab
    assert lab.model.set_data_settings(name="sine") == ""
    lab.model.step(5)  # regression accuracies are nan in the core: the session must still be strict JSON
    path = tmp_path / "r.gradlab"
    save_session(window.current_session(), path)
    assert "NaN" not in path.read_text()
    other = build_window([str(path)])
    qtbot.addWidget(other)
    again = other.show_network_lab()
    assert again.model.kind == "regression" and again.model.step_count == 5
