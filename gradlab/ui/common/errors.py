"""When something goes wrong that nobody planned for: a dialog, a crash log, and the app goes on.

``install_excepthook()`` makes every uncaught Python exception (a slot that raises,
a paint that fails) show ``ExceptionDialog``: the message, the traceback under
*Details* and a *Copy* button for a bug report.  The app keeps running; while the
dialog is open, later exceptions are added to it rather than piling up windows.
``enable_crash_log(folder)`` points ``faulthandler`` at ``crash.log`` there, so a
native crash (a segfault in Qt) leaves the Python stacks of every thread behind.
"""

from __future__ import annotations

import atexit
import faulthandler
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gradlab.ui.common.text import elide

__all__ = ["CRASH_LOG", "ExceptionDialog", "enable_crash_log", "install_excepthook", "report_exception"]

CRASH_LOG = "crash.log"
#: the file faulthandler writes to; kept open for the life of the process
_crash_file = None
_dialog: ExceptionDialog | None = None


class ExceptionDialog(QDialog):
    """Non-modal: the message, the traceback (``exceptionDetails``) and a Copy button (``copyButton``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exceptionDialog")
        self.setWindowTitle("gradlab: something went wrong")
        self.count = 0
        self._first = ""
        self.message = QLabel()
        self.message.setObjectName("exceptionMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = QLabel("gradlab keeps running, and your work is still open. If this keeps happening, "
                      "please copy the details into a bug report.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.details = QPlainTextEdit()
        self.details.setObjectName("exceptionDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.details.setFont(mono)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setObjectName("copyButton")
        self.copy_button.setToolTip("Copy the message and traceback to the clipboard")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(hint)
        layout.addWidget(QLabel("Details:"))
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(720, 420)

    def add(self, summary: str, details: str) -> None:
        """Show one more exception (the first sets the message; later ones are counted)."""
        self.count += 1
        if self.count == 1:
            self._first = summary
            self.message.setText(f"An unexpected error happened: {elide(summary, 300)}")
        else:
            self.message.setText(f"{self.count} unexpected errors happened; the first: "
                                 f"{elide(self._first, 300)}")
        text = self.details.toPlainText()
        self.details.setPlainText((text + "\n" if text else "") + details)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{self.message.text()}\n\n{self.details.toPlainText()}")
        self.copy_button.setText("Copied")


def report_exception(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """What the installed hook does: print the traceback, then show it in the dialog."""
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    print(details, file=sys.stderr, end="")
    if QApplication.instance() is None:
        return
    global _dialog
    if _dialog is None or not _dialog.isVisible():
        _dialog = ExceptionDialog()
        _dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    summary = "".join(traceback.format_exception_only(exc_type, exc)).strip()
    _dialog.add(summary, details)
    _dialog.show()
    _dialog.raise_()


def current_dialog() -> ExceptionDialog | None:
    """The dialog showing the latest exceptions, if one was shown."""
    return _dialog


def install_excepthook() -> None:
    """Route uncaught exceptions to ``report_exception`` (Ctrl+C in a terminal still quits)."""

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, (KeyboardInterrupt, SystemExit)):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            report_exception(exc_type, exc, tb)
        except Exception:  # the dialog itself failed: the terminal still has the traceback
            sys.__excepthook__(exc_type, exc, tb)

    sys.excepthook = hook


def enable_crash_log(folder: Path) -> Path | None:
    """Make ``faulthandler`` write native crashes to ``folder/crash.log`` (appending); None if
    the folder cannot be written, in which case crashes go to stderr as before."""
    global _crash_file
    path = Path(folder) / CRASH_LOG
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(path, "a", encoding="utf-8")  # noqa: SIM115 (open for the life of the process)
    except OSError:
        faulthandler.enable()
        return None
    if _crash_file is None:
        atexit.register(_close_crash_log)
    else:
        _crash_file.close()
    _crash_file = f
    faulthandler.enable(file=f, all_threads=True)
    return path


def _close_crash_log() -> None:
    global _crash_file
    if _crash_file is not None:
        faulthandler.disable()
        _crash_file.close()
        _crash_file = None
