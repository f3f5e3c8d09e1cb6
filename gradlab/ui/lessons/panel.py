"""The lesson panel: a thin view of one ``LessonProgress`` (gradlab.lessons).

It shows the step's text, asks its question and checks the typed answer, offers the hint and,
after two wrong answers, the answer with its reason; Back, Skip and Next walk the steps. It
never touches the labs: each move is announced (``step_changed``) for the guide to apply the
step there, and each change of progress (``progress_changed``) for it to be kept.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gradlab.lessons import LessonProgress

__all__ = ["COMPLETE_TEXT", "LessonPanel"]

#: what lessonFeedback says once every step is done
COMPLETE_TEXT = "Lesson complete"
DONE_TEXT = "Done: press Next."
ACT_TEXT = "Try it in the app: Next opens as soon as this step is done."


def _label(name: str, text: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)  # a teacher's text is never read as HTML here
    return label


def _open_web_link(url: QUrl) -> None:
    """A lesson's web link opens in the browser; any other kind (a file, a script) is ignored."""
    if url.scheme() in ("http", "https"):
        QDesktopServices.openUrl(url)


def _button(name: str, text: str, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


class LessonPanel(QWidget):
    """The panel (objectName ``lessonPanel``): page 0 the first-launch offer, page 1 a lesson."""

    #: the learner moved to another step (Back, Next, Skip): int, the step's index
    step_changed = Signal(int)
    #: the progress changed (an answer, a step done, a move): keep it
    progress_changed = Signal()
    #: "Next lesson" was pressed on a complete lesson
    next_lesson_requested = Signal()
    #: Close was pressed
    close_requested = Signal()
    #: the first-launch offer was answered: True to start the first lesson, False to dismiss it
    offer_answered = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.progress: LessonProgress | None = None
        self.next_title = ""  # the next lesson's title, "" for none
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_offer())
        self.pages.addWidget(self._build_lesson())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addWidget(self.pages)
        self._wire()

    # -- building --------------------------------------------------------------------------------

    def _build_offer(self) -> QWidget:
        page = QWidget()
        page.setObjectName("lessonOffer")
        self.offer_title = _label("lessonOfferTitle", "New to backprop?")
        self.offer_title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.offer_text = _label("lessonOfferText")
        self.offer_start = _button("lessonOfferStartButton", "Start the first lesson")
        self.offer_dismiss = _button("lessonOfferDismissButton", "No thanks",
                                     "Help → Lessons offers every lesson, any time")
        box = QVBoxLayout(page)
        for w in (self.offer_title, self.offer_text, self.offer_start, self.offer_dismiss):
            box.addWidget(w)
        box.addStretch(1)
        return page

    def _build_lesson(self) -> QWidget:  # long: the panel's widgets, top to bottom, in one place
        page = QWidget()
        self.title = _label("lessonTitle")
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.close_button = QToolButton()
        self.close_button.setObjectName("lessonCloseButton")
        self.close_button.setText("×")
        self.close_button.setToolTip("Close the lesson (Help → Lessons opens it again where you were)")
        self.step_label = _label("lessonProgress", wrap=False)
        self.step_label.setStyleSheet("color: #666;")
        self.text = QTextBrowser()
        self.text.setObjectName("lessonText")
        self.text.setOpenLinks(False)  # a link never replaces the step's text
        self.text.anchorClicked.connect(_open_web_link)
        self.text.setFrameShape(QFrame.Shape.NoFrame)
        font = self.text.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)  # the lesson is read, not glanced at
        self.text.setFont(font)
        self.question = _label("lessonQuestion")
        self.question.setStyleSheet("font-weight: bold;")
        self.answer = QLineEdit()
        self.answer.setObjectName("lessonAnswerInput")
        self.answer.setPlaceholderText("a number, like 14 or -0.5")
        self.check_button = _button("lessonCheckButton", "Check", "Check the answer (Enter)")
        self.feedback = _label("lessonFeedback")
        self.hint_label = _label("lessonHint")
        self.hint_label.setStyleSheet("color: #555; font-style: italic;")
        self.hint_button = _button("lessonHintButton", "Hint")
        self.reveal_button = _button("lessonRevealButton", "Show the answer",
                                     "The answer and why; the step counts as done")
        self.next_lesson_button = _button("lessonNextLessonButton", "Next lesson")
        self.back_button = _button("lessonBackButton", "Back", "The step before (it stays done)")
        self.skip_button = _button("lessonSkipButton", "Skip", "Move on without doing this step")
        self.next_button = _button("lessonNextButton", "Next", "The next step (open once this one is done)")
        self.next_button.setDefault(True)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.ask_box = QWidget()
        ask = QVBoxLayout(self.ask_box)
        ask.setContentsMargins(0, 0, 0, 0)
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.answer, 1)
        answer_row.addWidget(self.check_button)
        ask.addWidget(self.question)
        ask.addLayout(answer_row)
        helpers = QHBoxLayout()
        helpers.addWidget(self.hint_button)
        helpers.addWidget(self.reveal_button)
        helpers.addStretch(1)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.skip_button)
        nav.addWidget(self.next_button)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(head)
        box.addWidget(self.step_label)
        box.addWidget(self.text, 1)
        box.addWidget(self.ask_box)
        box.addWidget(self.feedback)
        box.addWidget(self.hint_label)
        box.addLayout(helpers)
        box.addWidget(self.next_lesson_button)
        box.addLayout(nav)
        return page

    def _wire(self) -> None:
        self.offer_start.clicked.connect(lambda: self.offer_answered.emit(True))
        self.offer_dismiss.clicked.connect(lambda: self.offer_answered.emit(False))
        self.close_button.clicked.connect(self.close_requested)
        self.check_button.clicked.connect(self._on_check)
        self.answer.returnPressed.connect(self._on_check)
        self.hint_button.clicked.connect(self._on_hint)
        self.reveal_button.clicked.connect(self._on_reveal)
        self.back_button.clicked.connect(self._on_back)
        self.skip_button.clicked.connect(self._on_skip)
        self.next_button.clicked.connect(self._on_next)
        self.next_lesson_button.clicked.connect(self.next_lesson_requested)

    # -- showing -----------------------------------------------------------------------------

    def show_offer(self, first_title: str, minutes: int) -> None:
        """The first-launch page: one click starts the first lesson, one dismisses it."""
        self.offer_text.setText(
            f"gradlab can walk you from \"what is a derivative\" to a trained neural network, one "
            f"short lesson at a time: you predict a number, try it in the app and check.\n\n"
            f"The first lesson, \"{first_title}\", takes about {minutes} minutes.")
        self.pages.setCurrentIndex(0)

    def set_progress(self, progress: LessonProgress, next_title: str = "") -> None:
        """Show ``progress``'s lesson at its current step; ``next_title``: the lesson after it."""
        self.progress, self.next_title = progress, next_title
        self.pages.setCurrentIndex(1)
        self.title.setText(progress.lesson.title)
        self.show_step()

    def show_step(self, feedback: str | None = None) -> None:
        """Redraw the current step; ``feedback`` replaces what lessonFeedback says."""
        p = self.progress
        step = p.step
        self.step_label.setText(p.progress_text())
        self.text.setMarkdown(step.text)
        self.ask_box.setVisible(step.ask is not None)
        self.question.setText(step.ask or "")
        self.answer.setText(self._typed_answer())
        self.hint_label.hide()
        self.hint_label.setText(step.hint or "")
        if feedback is None:
            feedback = self._standing_feedback()
        self.feedback.setText(feedback)
        self.refresh()

    def _typed_answer(self) -> str:
        return self.progress.answers.get(self.progress.index, "")

    def _standing_feedback(self) -> str:
        """What lessonFeedback says when a step opens."""
        p, step = self.progress, self.progress.step
        if p.complete():
            return self._complete_text()
        if p.is_done():
            return DONE_TEXT
        if step.done_when is not None and step.ask is None:
            return ACT_TEXT
        return ""

    def _complete_text(self) -> str:
        return f"{COMPLETE_TEXT}!" + (f" Next: \"{self.next_title}\"." if self.next_title else "")

    def refresh(self) -> None:
        """Enable what the step allows now (Next once it is done, Reveal after two wrong tries)."""
        p = self.progress
        step, done, last = p.step, p.is_done(), p.index == len(p.lesson.steps) - 1
        self.next_button.setText("Finish" if last and step.plain and not done else "Next")
        self.next_button.setEnabled(p.can_next() and not (last and done))
        self.skip_button.setVisible(not done and not step.plain)
        self.back_button.setEnabled(p.index > 0)
        self.hint_button.setVisible(bool(step.hint) and not done)
        self.answer.setEnabled(not done)
        self.check_button.setEnabled(not done)
        self.reveal_button.setVisible(p.can_reveal())
        self.next_lesson_button.setVisible(p.complete() and bool(self.next_title))
        self.next_lesson_button.setText(f"Next lesson: {self.next_title}")

    # -- the learner's moves -----------------------------------------------------------------------

    def _on_check(self) -> None:
        if self.progress is None or self.progress.step.ask is None or self.progress.is_done():
            return
        fb = self.progress.submit(self.answer.text())
        text = fb.message
        if fb.correct and self.progress.complete():
            text = f"{text}\n{self._complete_text()}"
        self.feedback.setText(text)
        self.refresh()
        self.progress_changed.emit()

    def _on_hint(self) -> None:
        self.hint_label.setVisible(True)

    def _on_reveal(self) -> None:
        text = self.progress.reveal()
        if self.progress.complete():
            text = f"{text}\n{self._complete_text()}"
        self.feedback.setText(text)
        self.refresh()
        self.progress_changed.emit()

    def step_done(self) -> None:
        """The step just became done in the app (its done_when turned true)."""
        self.feedback.setText(self._complete_text() if self.progress.complete() else DONE_TEXT)
        self.refresh()
        self.progress_changed.emit()

    def _on_next(self) -> None:
        p = self.progress
        moved = p.next()  # a plain step becomes done first
        if not moved and p.complete():  # Finish on the last step
            self.show_step(self._complete_text())
            self.progress_changed.emit()
            return
        self._moved(moved)

    def _on_back(self) -> None:
        self._moved(self.progress.back())

    def _on_skip(self) -> None:
        self._moved(self.progress.skip())

    def _moved(self, moved: bool) -> None:
        if moved:
            self.show_step()
            self.step_changed.emit(self.progress.index)
        self.progress_changed.emit()
