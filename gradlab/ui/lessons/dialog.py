"""Help > Lessons: the built-in course, each lesson with the learner's progress; Start (or a
double-click) opens one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gradlab.lessons import Lesson

__all__ = ["LessonsDialog", "minutes_for", "progress_text"]


#: minutes a first-time learner spends on a step: a question (read, predict, check, perhaps try
#: again), an action in the app (find it, do it), a step to read; a network to watch train, more
ASK_MINUTES, ACT_MINUTES, READ_MINUTES, NETWORK_MINUTES = 1.0, 0.75, 0.3, 0.75


def minutes_for(lesson: Lesson) -> int:
    """About how many minutes a first-time learner needs for ``lesson`` (see ASK_MINUTES...)."""
    total = 0.0
    for step in lesson.steps:
        total += ASK_MINUTES if step.ask else ACT_MINUTES if step.done_when else READ_MINUTES
        total += NETWORK_MINUTES if step.network is not None else 0.0
    return max(1, round(total))


def progress_text(lesson: Lesson, saved: dict | None) -> str:
    """"complete", "step k of n" (where the learner is) or "not started"."""
    if not saved:
        return "not started"
    if saved.get("complete"):
        return "complete"
    try:
        index = int(saved.get("index", 0))
    except (TypeError, ValueError):
        index = 0
    return f"step {min(max(index, 0), len(lesson.steps) - 1) + 1} of {len(lesson.steps)}"


class LessonsDialog(QDialog):
    """The lessons, in order, with progress; ``start(lesson)`` is called for the one chosen."""

    def __init__(self, lessons: list[Lesson], saved: dict[str, dict], start: Callable[[Lesson], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonsDialog")
        self.setWindowTitle("Lessons")
        self.lessons, self._start = lessons, start
        intro = QLabel("From \"what is a derivative\" to a trained network, a few minutes each. "
                       "Each lesson asks you to predict a number, try it in the app and check.")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("lessonList")
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        for k, lesson in enumerate(lessons, start=1):
            where = progress_text(lesson, saved.get(lesson.name))
            item = QListWidgetItem(f"{k}. {lesson.title}  ({where}; about {minutes_for(lesson)} min)\n"
                                   f"    {lesson.summary}")
            item.setData(Qt.ItemDataRole.UserRole, k - 1)
            self.list.addItem(item)
        if lessons:
            self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self.start_current())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.start_button = buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setObjectName("lessonStartButton")
        self.start_button.setEnabled(bool(lessons))
        buttons.accepted.connect(self.start_current)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(640, 560)

    def start_current(self) -> None:
        """Open the selected lesson and close the dialog."""
        row = self.list.currentRow()
        if 0 <= row < len(self.lessons):
            self.accept()
            self._start(self.lessons[row])
