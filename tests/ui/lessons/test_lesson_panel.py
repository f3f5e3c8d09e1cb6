"""The lesson panel, driven as a learner drives it: answers typed, nodes clicked, h moved."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from gradlab.ui.lessons import COMPLETE_TEXT

LEFT = Qt.MouseButton.LeftButton


def panel_widget(window, name: str, kind=QWidget):
    found = window.findChild(kind, name)
    assert found is not None, f"no {name} in the window"
    return found


def feedback(window) -> str:
    return panel_widget(window, "lessonFeedback", QLabel).text()


def click(qtbot, window, name: str) -> None:
    button = panel_widget(window, name, QPushButton)
    assert button.isVisible() and button.isEnabled(), f"{name} cannot be pressed"
    qtbot.mouseClick(button, LEFT)


def answer(qtbot, window, text: str) -> None:
    field = panel_widget(window, "lessonAnswerInput", QLineEdit)
    field.clear()
    qtbot.keyClicks(field, text)
    click(qtbot, window, "lessonCheckButton")


def open_nudge_lesson(qtbot, window, path) -> None:
    """Open the test's lesson; its first step's program has run and x is selected."""
    assert window.lessons.open_file(path)
    model = window.expression_lab.model
    qtbot.waitUntil(lambda: model.graph is not None and "y" in model.graph.names
                    and model.graph.names[model.selected] == "x", timeout=10000)


def progress_text(window) -> str:
    return panel_widget(window, "lessonProgress", QLabel).text()


def test_a_lesson_opens_its_program_selects_its_node_and_outlines_what_it_names(qtbot, window, nudge_path):
    open_nudge_lesson(qtbot, window, nudge_path)
    assert panel_widget(window, "lessonPanel").isVisible()
    assert panel_widget(window, "lessonTitle", QLabel).text() == "Nudging by hand"
    assert progress_text(window) == "step 1 of 4"
    assert "y = 3x² - 4x + 5" in panel_widget(window, "lessonText").toPlainText()
    assert not panel_widget(window, "lessonAnswerInput", QLineEdit).isVisible()  # this step asks nothing
    qtbot.waitUntil(lambda: window.lessons.highlighter.names() == ["stepSizeInput"])
    outline = window.lessons.highlighter.outlines[0]
    qtbot.waitUntil(outline.isVisible)
    target = outline.target
    around = outline.geometry()
    assert around.contains(QRect(target.mapTo(window, QPoint(0, 0)), target.size()))
    assert around.width() < target.width() + 10  # round it, not round the window
    click(qtbot, window, "lessonNextButton")
    assert progress_text(window) == "step 2 of 4"
    assert window.lessons.highlighter.names() == []  # the outline goes with its step


def test_two_wrong_answers_offer_the_answer_and_a_right_one_opens_next(qtbot, window, nudge_path):
    open_nudge_lesson(qtbot, window, nudge_path)
    click(qtbot, window, "lessonNextButton")
    next_button = panel_widget(window, "lessonNextButton", QPushButton)
    reveal = panel_widget(window, "lessonRevealButton", QPushButton)
    assert not next_button.isEnabled()
    answer(qtbot, window, "1,5")
    assert "Type a number" in feedback(window)
    answer(qtbot, window, "12")
    assert "Not quite" in feedback(window) and not reveal.isVisible() and not next_button.isEnabled()
    click(qtbot, window, "lessonHintButton")
    assert panel_widget(window, "lessonHint", QLabel).text() == "The slope of 3x² is 6x."
    assert panel_widget(window, "lessonHint", QLabel).isVisible()
    answer(qtbot, window, "13")
    assert reveal.isVisible(), "two wrong answers offer the answer"
    answer(qtbot, window, "14.0")
    assert feedback(window).startswith("Right: 14")
    assert next_button.isEnabled() and not reveal.isVisible()


def test_a_revealed_answer_gives_its_reason_and_opens_next(qtbot, window, nudge_path):
    open_nudge_lesson(qtbot, window, nudge_path)
    click(qtbot, window, "lessonNextButton")
    answer(qtbot, window, "10")
    answer(qtbot, window, "11")
    click(qtbot, window, "lessonRevealButton")
    assert feedback(window) == "The answer is 14. 6x - 4 at x = 3 is 14"
    assert panel_widget(window, "lessonNextButton", QPushButton).isEnabled()


def test_a_condition_turns_done_as_the_learner_clicks_the_node_and_moves_h(qtbot, window, nudge_path):
    open_nudge_lesson(qtbot, window, nudge_path)
    click(qtbot, window, "lessonNextButton")
    answer(qtbot, window, "14")
    click(qtbot, window, "lessonNextButton")
    assert progress_text(window) == "step 3 of 4"
    next_button = panel_widget(window, "lessonNextButton", QPushButton)
    assert not next_button.isEnabled() and "Next opens" in feedback(window)
    lab, model = window.expression_lab, window.expression_lab.model
    y = model.graph.names.index("y")
    with qtbot.waitSignal(model.selection_changed):
        qtbot.mouseClick(lab.canvas.viewport_widget(), LEFT, pos=lab.canvas.view_pos_of(y))
    assert model.selected == y
    qtbot.wait(50)  # one turn of the event loop: the check ran (and found h too large)
    assert not next_button.isEnabled()
    slider = panel_widget(window, "stepSizeInput")
    for _ in range(2):  # a decade per page: 1e-3 -> 1e-5
        qtbot.keyClick(slider, Qt.Key.Key_PageDown)
    qtbot.waitUntil(next_button.isEnabled)
    assert model.step_size < 1e-4
    assert feedback(window) == "Done: press Next."


def test_back_keeps_a_done_step_done_and_the_last_step_completes_the_lesson(qtbot, window, course):
    window.lessons.open_lesson(course[0])
    model = window.expression_lab.model
    qtbot.waitUntil(lambda: model.graph is not None and model.selected >= 0, timeout=10000)
    click(qtbot, window, "lessonNextButton")
    answer(qtbot, window, "14")
    click(qtbot, window, "lessonNextButton")
    click(qtbot, window, "lessonBackButton")
    assert progress_text(window) == "step 2 of 4"
    assert feedback(window) == "Done: press Next."
    assert panel_widget(window, "lessonNextButton", QPushButton).isEnabled()
    assert not panel_widget(window, "lessonAnswerInput", QLineEdit).isEnabled()
    click(qtbot, window, "lessonNextButton")
    click(qtbot, window, "lessonSkipButton")  # step 3 left undone
    assert progress_text(window) == "step 4 of 4"
    assert panel_widget(window, "lessonNextButton", QPushButton).text() == "Finish"
    click(qtbot, window, "lessonNextButton")
    assert feedback(window).startswith(COMPLETE_TEXT)
    assert "A second lesson" in feedback(window)
    click(qtbot, window, "lessonNextLessonButton")
    assert panel_widget(window, "lessonTitle", QLabel).text() == "A second lesson"
    assert progress_text(window) == "step 1 of 1"


def test_close_hides_the_panel_and_the_lesson_reopens_where_it_was(qtbot, window, course):
    window.lessons.open_lesson(course[0])
    click(qtbot, window, "lessonNextButton")
    qtbot.mouseClick(panel_widget(window, "lessonCloseButton"), LEFT)
    assert not panel_widget(window, "lessonPanel").isVisible()
    window.open_example("lecture")  # the learner did something else meanwhile
    qtbot.waitUntil(lambda: "L" in (window.expression_lab.model.graph.names or []), timeout=10000)
    window.lessons.open_lesson(course[0])
    assert progress_text(window) == "step 2 of 4"
    # step 2 opens no program: the lesson's last one (step 1's) is put back, with its node selected
    model = window.expression_lab.model
    qtbot.waitUntil(lambda: "y" in model.graph.names and model.graph.names[model.selected] == "x",
                    timeout=10000)
