"""Lessons written in the tests, and the window the learner sees them in."""

from __future__ import annotations

import textwrap

import pytest
from windows import open_window

from gradlab.lessons import load_lesson
from gradlab.ui.lessons.store import LessonStore

#: a teacher's lesson: a program with a selected node, a question, a condition, a plain last step
NUDGE_LESSON = textwrap.dedent('''\
    title = "Nudging by hand"
    summary = "A lesson written in a test."

    [[step]]
    text = """The function **y = 3x² - 4x + 5**, at x = 3. Press Next."""
    program = """
    x = Value(3.0, label='x')
    y = 3*x**2 - 4*x + 5
    y.label = 'y'
    """
    select = "x"
    highlight = ["stepSizeInput"]

    [[step]]
    text = "Predict the slope."
    ask = "What is dy/dx at x = 3?"
    answer = 14.0
    hint = "The slope of 3x² is 6x."
    explain = "6x - 4 at x = 3 is 14"

    [[step]]
    text = "Click the node y, then make h smaller than 0.0001."
    done_when = "selected == 'y' and h < 0.0001"
    hint = "Click y in the graph; drag the h slider to the left."

    [[step]]
    text = "That is all."
    ''')

SECOND_LESSON = textwrap.dedent('''\
    title = "A second lesson"
    summary = "Comes after the first."

    [[step]]
    text = "Hello again."
    ''')


def write_lesson(folder, name: str, text: str):
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def nudge_path(tmp_path):
    return write_lesson(tmp_path, "01-nudging", NUDGE_LESSON)


@pytest.fixture
def course(tmp_path, monkeypatch):
    """The built-in course is two lessons written here (the real one is tested by the course's walk)."""
    lessons = [load_lesson(write_lesson(tmp_path, "01-nudging", NUDGE_LESSON)),
               load_lesson(write_lesson(tmp_path, "02-second", SECOND_LESSON))]
    monkeypatch.setattr("gradlab.ui.lessons.guide.builtin", lambda: list(lessons))
    return lessons


@pytest.fixture
def window(qtbot):
    """The app's window as a returning learner opens it (no first-launch offer)."""
    return open_window(qtbot)


@pytest.fixture
def first_launch():
    """gradlab was never opened before: the first lesson has not been offered."""
    LessonStore().set_offered(False)
