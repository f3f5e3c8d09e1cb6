"""Lesson progress is kept in saved sessions, in the autosave (a relaunch), and read tolerantly."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QMessageBox
from test_lesson_panel import answer, click, feedback, open_nudge_lesson, panel_widget, progress_text
from windows import open_window

from gradlab.session import Session, load_session


def test_progress_survives_a_session_save_and_load(qtbot, window, nudge_path, course, tmp_path):
    open_nudge_lesson(qtbot, window, nudge_path)
    click(qtbot, window, "lessonNextButton")
    answer(qtbot, window, "12")
    answer(qtbot, window, "14")
    saved = window.save_session_to(tmp_path / "lesson-work")
    kept = load_session(saved).lesson
    assert kept["lesson"] == "01-nudging" and kept["index"] == 1 and kept["done"] == [0, 1]
    assert kept["answers"] == {"1": "14"} and kept["wrong"] == {"1": 1}
    window.lessons.open_lesson(course[1])  # something else meanwhile
    assert window.open_path(saved)
    assert panel_widget(window, "lessonTitle").text() == "Nudging by hand"
    assert progress_text(window) == "step 2 of 4"
    assert feedback(window) == "Done: press Next."
    assert panel_widget(window, "lessonAnswerInput").text() == "14"


def test_progress_survives_a_relaunch(qtbot, nudge_path):
    first = open_window(qtbot, "--lesson", str(nudge_path))
    click(qtbot, first, "lessonNextButton")
    answer(qtbot, first, "14")
    first.close()  # saves the work, the lesson with it
    again = open_window(qtbot)
    assert panel_widget(again, "lessonPanel").isVisible()
    assert progress_text(again) == "step 2 of 4"
    assert panel_widget(again, "lessonNextButton").isEnabled()


def test_a_session_without_a_lesson_or_with_a_broken_one_opens(tmp_path):
    plain = Session()
    assert Session.from_json(plain.to_json()).lesson is None
    data = json.loads(plain.to_json())
    for broken in (5, "x", [1], {"index": 2}):
        data["lesson"] = broken
        assert Session.from_json(json.dumps(data)).lesson is None
    kept = Session(lesson={"lesson": "01-nudging", "index": 1, "answers": {"1": "14"}})
    assert Session.from_json(kept.to_json()).lesson == kept.lesson


def test_a_session_whose_lesson_is_gone_opens_without_it(qtbot, window, tmp_path):
    path = tmp_path / "gone.gradlab"
    path.write_text(Session(lesson={"lesson": "no-such-lesson", "index": 0}).to_json(), encoding="utf-8")
    assert window.open_path(path)
    assert window.lessons.progress is None
    box = window.findChild(QMessageBox, "lessonErrorMessage")
    assert box is not None and "no-such-lesson" in box.text()
