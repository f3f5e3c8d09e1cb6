"""The Help menu's windows: the language reference, the network lab's guide, the keyboard
shortcuts and About, each a non-modal text window beside the labs."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from gradlab import resources

__all__ = ["SHORTCUTS", "show_about", "show_network_help", "show_reference", "show_shortcuts", "show_text"]

SHORTCUTS = [
    ("Ctrl+Enter", "Run the program now (it also runs when you stop typing)"),
    ("F10", "Backprop: run the next node's _backward()"),
    ("Shift+F10", "Backprop: finish"),
    ("Ctrl+R", "Reset every input to the program's values"),
    ("Ctrl+Z / Ctrl+Shift+Z",
     "Undo / redo the last change: a value, a setting, a training run, the text (Ctrl+Y redoes too)"),
    ("Ctrl+0", "Fit the graph in view (or double-click empty space)"),
    ("Ctrl++ / Ctrl+-", "Zoom the graph in / out (or use the mouse wheel; drag to pan)"),
    ("Ctrl+N", "New: an empty program and the default network (asks before dropping unsaved work)"),
    ("Ctrl+O / Ctrl+S / Ctrl+Shift+S", "Open a program or session / save it / save it as"),
    ("Ctrl+E", "Export the lab in front as a picture (the graph: PNG or SVG)"),
    ("Ctrl+Shift+C", "Copy the graph or plot in front (under the mouse) as a picture"),
    ("Esc", "Stop the program running (while *Running…* shows); "
            "else close the inspector (drop the selection)"),
    ("F1", "The language reference"),
    ("Space", "Network lab: play / pause training"),
]


def show_text(parent: QWidget, title: str, markdown: str) -> QDialog:
    """A window titled ``title`` showing ``markdown``, with a Close button."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setObjectName("helpDialog")
    text = QTextBrowser()
    text.setMarkdown(markdown)
    text.setOpenExternalLinks(False)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(760, 640)
    dialog.show()  # not modal: the lab stays usable beside the reference
    return dialog


def show_reference(parent: QWidget) -> QDialog:
    return show_text(parent, "Language reference", resources.read_text("language.md"))


def show_network_help(parent: QWidget) -> QDialog:
    return show_text(parent, "The network lab", resources.read_text("network_lab.md"))


def show_shortcuts(parent: QWidget) -> QDialog:
    rows = "\n".join(f"| {k} | {v} |" for k, v in SHORTCUTS)
    return show_text(parent, "Keyboard shortcuts", f"| key | does |\n| --- | --- |\n{rows}\n")


def show_about(parent: QWidget) -> QDialog:
    """gradlab's icon, version, the versions it runs on, credits, licences and the user's files
    (gradlab.ui.about)."""
    from gradlab.ui import about

    return about.show_about(parent)
