"""The application's identity: name, organisation, version and icon, and the About box that shows them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QTextBrowser

from gradlab import desktop, resources
from gradlab.app import build_window


def test_the_application_says_who_it_is(qtbot):
    window = build_window([])
    qtbot.addWidget(window)
    app = QApplication.instance()
    assert (app.applicationName(), app.organizationName()) == ("gradlab", "gradlab")
    assert app.applicationVersion() == desktop.version() and app.desktopFileName() == "gradlab"
    sizes = sorted(s.width() for s in app.windowIcon().availableSizes())
    assert sizes == list(resources.ICON_SIZES)
    assert window.windowIcon().cacheKey() == app.windowIcon().cacheKey()


def test_the_about_box_shows_the_icon_and_the_version(qtbot):
    window = build_window([])
    qtbot.addWidget(window)
    dialog = window.show_about()
    qtbot.addWidget(dialog)
    assert dialog.findChild(QTextBrowser).toPlainText().startswith(f"gradlab {desktop.version()}\n")
    icon = dialog.findChild(QLabel, "aboutIcon")
    assert icon.pixmap().width() == 96 and not icon.pixmap().toImage().isNull()
    # the pixmap is the icon itself, not a blank square: its centre is the warm-coloured output node
    image = QApplication.instance().windowIcon().pixmap(256, 256).toImage()
    assert image.pixelColor(194, 140).name() == "#f76707"


def test_the_about_box_gives_versions_credits_licence_and_the_users_files(qtbot):
    from PySide6.QtWidgets import QPushButton

    from gradlab.session import autosave_path

    window = build_window([])
    qtbot.addWidget(window)
    dialog = window.show_about()
    qtbot.addWidget(dialog)
    text = dialog.findChild(QTextBrowser).toPlainText()
    for words in ("Python", "Qt", "PySide6", "pyqtgraph", "micrograd", "Andrej Karpathy", "MIT licence",
                  "TensorFlow Playground", "spelled-out intro", str(autosave_path())):
        assert words in text
    browser = dialog.findChild(QTextBrowser)  # sized to its text: no scrolling on a large screen
    assert browser.verticalScrollBar().maximum() == 0 or browser.height() >= 480
    qtbot.mouseClick(dialog.findChild(QPushButton, "copyDetailsButton"), Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith(f"gradlab: {desktop.version()}\n") and "PySide6: " in copied
