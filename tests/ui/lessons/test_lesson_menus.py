"""Help > Lessons, File > Open Lesson, --lesson, and the first launch's offer."""

from __future__ import annotations

import pytest
from conftest import NUDGE_LESSON, write_lesson
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget, QMessageBox, QPushButton, QWidget
from test_lesson_panel import click, panel_widget, progress_text
from windows import open_window

from gradlab.app import build_window

LEFT = Qt.MouseButton.LeftButton


def menu_action(window, menu: str, text: str):
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == menu:
            for action in top.menu().actions():
                if action.text().replace("&", "") == text:
                    return action
    raise AssertionError(f"no {menu} > {text}")


def open_lessons_dialog(qtbot, window):
    menu_action(window, "Help", "Lessons…").trigger()
    shown = [d for d in window.findChildren(QWidget, "lessonsDialog") if d.isVisible()]
    assert len(shown) == 1
    dialog = shown[0]
    qtbot.waitExposed(dialog)
    return dialog


def test_help_lessons_lists_the_course_with_progress_and_opens_one(qtbot, window, course):
    window.lessons.open_lesson(course[0])
    click(qtbot, window, "lessonNextButton")
    qtbot.mouseClick(panel_widget(window, "lessonCloseButton"), LEFT)
    dialog = open_lessons_dialog(qtbot, window)
    rows = dialog.findChild(QListWidget, "lessonList")
    texts = [rows.item(i).text() for i in range(rows.count())]
    assert texts[0].startswith("1. Nudging by hand  (step 2 of 4; about ")
    assert texts[1].startswith("2. A second lesson  (not started; about 1 min)")
    rows.setCurrentRow(1)
    qtbot.mouseClick(dialog.findChild(QPushButton, "lessonStartButton"), LEFT)
    assert panel_widget(window, "lessonPanel").isVisible()
    assert panel_widget(window, "lessonTitle", QLabel).text() == "A second lesson"
    click(qtbot, window, "lessonNextButton")  # its only step: the lesson is complete
    dialog = open_lessons_dialog(qtbot, window)
    rows = dialog.findChild(QListWidget, "lessonList")
    assert "(complete;" in rows.item(1).text()


def test_file_open_lesson_opens_a_teachers_file(qtbot, window, nudge_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(nudge_path), ""))
    menu_action(window, "File", "Open Lesson…").trigger()
    assert panel_widget(window, "lessonTitle", QLabel).text() == "Nudging by hand"
    assert progress_text(window) == "step 1 of 4"


def test_a_broken_lesson_file_is_named_with_its_line(qtbot, window, tmp_path, monkeypatch):
    broken = write_lesson(tmp_path, "broken", NUDGE_LESSON.replace('select = "x"', 'selcet = "x"'))
    line = NUDGE_LESSON.splitlines().index('select = "x"') + 1
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(broken), ""))
    menu_action(window, "File", "Open Lesson…").trigger()
    box = window.findChild(QMessageBox, "lessonErrorMessage")
    assert box is not None and box.isVisible()
    assert f"line {line}" in box.text() and "selcet" in box.text()
    assert window.lessons.progress is None  # nothing opened; the window works on
    assert window.expression_lab.output_label.text() == "g = 24.7041"


def test_the_lesson_option_opens_the_app_on_a_lesson(qtbot, nudge_path):
    w = open_window(qtbot, "--lesson", str(nudge_path))
    assert panel_widget(w, "lessonPanel").isVisible()
    assert panel_widget(w, "lessonTitle", QLabel).text() == "Nudging by hand"
    qtbot.waitUntil(lambda: "y = 3*x**2" in w.expression_lab.editor.toPlainText())


def test_an_unknown_lesson_is_a_command_line_error_naming_it(qtbot):
    with pytest.raises(SystemExit, match="--lesson no-such-lesson: no lesson named 'no-such-lesson'"):
        build_window(["--lesson", "no-such-lesson"])


def test_the_first_launch_offers_the_first_lesson_and_one_click_starts_it(qtbot, first_launch, course):
    w = open_window(qtbot)
    offer = panel_widget(w, "lessonOffer")
    assert offer.isVisible()
    assert "Nudging by hand" in panel_widget(w, "lessonOfferText", QLabel).text()
    qtbot.mouseClick(panel_widget(w, "lessonOfferStartButton", QPushButton), LEFT)
    assert panel_widget(w, "lessonTitle", QLabel).isVisible()
    assert progress_text(w) == "step 1 of 4"


def test_the_offer_dismissed_is_never_made_again(qtbot, first_launch, course):
    w = open_window(qtbot)
    qtbot.mouseClick(panel_widget(w, "lessonOfferDismissButton", QPushButton), LEFT)
    assert not panel_widget(w, "lessonPanel").isVisible()
    w.close()
    again = open_window(qtbot)
    assert again.findChild(QWidget, "lessonPanel") is None  # no panel: nothing offered
    open_lessons_dialog(qtbot, again)  # Help > Lessons still offers every lesson


def test_an_offer_left_unanswered_is_not_made_again(qtbot, first_launch, course):
    w = open_window(qtbot)
    assert panel_widget(w, "lessonOffer").isVisible()
    w.close()  # the learner never answered it
    assert open_window(qtbot).findChild(QWidget, "lessonPanel") is None


def test_no_offer_is_made_over_a_screenshot(qtbot, first_launch, course, tmp_path):
    w = build_window(["--screenshot", str(tmp_path / "shot.png")])
    qtbot.addWidget(w)
    assert w.findChild(QWidget, "lessonPanel") is None
