"""Help > About gradlab: what it is, the versions it runs on, credits and licences, and where the
learner's files live; sized to its text, with a button that copies the details for a bug report."""

from __future__ import annotations

import platform

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gradlab import resources

#: the text's width in the dialog, in pixels: a comfortable line of prose
TEXT_WIDTH = 560


def versions() -> list[tuple[str, str]]:
    """(what, version) of gradlab and everything it runs on, in the order a bug report wants them."""
    import networkx
    import numpy
    import pyqtgraph
    import PySide6

    from gradlab.desktop import version

    return [("gradlab", version()), ("Python", platform.python_version()), ("Qt", qVersion()),
            ("PySide6", PySide6.__version__), ("pyqtgraph", pyqtgraph.__version__),
            ("networkx", networkx.__version__), ("numpy", numpy.__version__),
            ("system", f"{platform.system()} {platform.release()} ({platform.machine()})")]


def user_files() -> list[tuple[str, str]]:
    """(what, where) of the files gradlab keeps for the user."""
    from gradlab.session import autosave_path

    return [("Work kept between launches", str(autosave_path())),
            ("Settings", _settings_file())]


def _settings_file() -> str:
    from PySide6.QtCore import QSettings

    return QSettings().fileName() or "(none yet)"


def details_text() -> str:
    """The versions and paths as plain lines: what Copy Details puts on the clipboard."""
    return "\n".join(f"{what}: {value}" for what, value in versions() + user_files())


def about_markdown() -> str:
    (_, own), *others = versions()
    rows = "\n".join(f"| {what} | {value} |" for what, value in others)
    where = "\n".join(f"- {what}: `{value}`" for what, value in user_files())
    return (f"# gradlab {own}\n\nLearn backpropagation by touching it: a micrograd-style engine, its "
            "computation graph, a probe that nudges any node, and a network lab that trains an MLP live."
            f"\n\n| runs on | version |\n|---|---|\n{rows}\n\n"
            f"{resources.read_text('credits.md').strip()}\n\n### Your files\n\n{where}\n")


def show_about(parent: QWidget) -> QDialog:
    """The About dialog (non-modal), with gradlab's icon, sized to its content."""
    dialog = QDialog(parent, objectName="aboutDialog", windowTitle="About gradlab")
    icon = QLabel(objectName="aboutIcon", alignment=Qt.AlignmentFlag.AlignCenter)
    icon.setPixmap(parent.windowIcon().pixmap(96, 96))
    text = QTextBrowser(objectName="aboutText", openExternalLinks=True)
    text.setMarkdown(about_markdown())
    text.setFrameShape(QTextBrowser.Shape.NoFrame)
    document = text.document()
    document.setTextWidth(TEXT_WIDTH)
    screen = parent.screen()
    room = screen.availableGeometry().height() - 220 if screen is not None else 620  # icon, buttons, frame
    text.setMinimumSize(TEXT_WIDTH + 24, min(int(document.size().height()) + 12, max(room, 240)))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    copy = QPushButton("Copy Details", objectName="copyDetailsButton",
                       toolTip="Copy the versions and file locations, for a bug report")
    buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(details_text()))
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(icon)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.adjustSize()
    dialog.show()
    return dialog


__all__ = ["about_markdown", "details_text", "show_about", "versions"]
