"""Issue 17, item 9: under a dark system palette both labs stay readable.

The app applies one light theme of its own (``palette.apply_theme``); these tests set a dark
palette on the QApplication, as a dark desktop does, before the window is built, render both
labs and check on the rendered pixels that the text of every button, label, tab title, group
title, field and the editor's code contrasts with its background (WCAG: 4.5:1).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QTabBar,
    QToolTip,
    QWidget,
)

from tests.ui.windows import open_window

DARK = {"Window": "#2b2b2b", "WindowText": "#eeeeee", "Base": "#1e1e1e", "AlternateBase": "#333333",
        "Text": "#eeeeee", "Button": "#3a3a3a", "ButtonText": "#eeeeee", "ToolTipBase": "#333333",
        "ToolTipText": "#eeeeee", "Highlight": "#3d6fb6", "HighlightedText": "#ffffff",
        "PlaceholderText": "#999999", "BrightText": "#ffffff"}
#: WCAG's minimum contrast for text
MIN_CONTRAST = 4.5


@pytest.fixture
def dark_app():
    """The QApplication with a dark palette, as under a dark desktop theme; restored afterwards."""
    app = QApplication.instance()
    saved = (QPalette(app.palette()), app.style().name(), app.styleSheet(), QPalette(QToolTip.palette()))
    dark = QPalette()
    for role, colour in DARK.items():
        dark.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    app.setPalette(dark)
    yield app
    palette, style, sheet, tips = saved
    if app.style().name() != style:  # setting a style or a sheet re-polishes every widget: only if changed
        app.setStyle(style)
    app.setPalette(palette)
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
    QToolTip.setPalette(tips)


def _linear(c: np.ndarray) -> np.ndarray:
    c = c.astype(float) / 255
    return np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


#: each channel value 0..255, linearised (a table: a window's pixels have only 256 values each)
LINEAR = _linear(np.arange(256))


def luminance(rgb: np.ndarray) -> np.ndarray:
    return LINEAR[np.asarray(rgb, dtype=np.intp)] @ np.array([0.2126, 0.7152, 0.0722])


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, :w * 3].reshape(h, w, 3).copy()


def text_contrast(crop: np.ndarray) -> tuple[float, int]:
    """The background (the commonest colour) and how its text stands out: the contrast of the
    8th most contrasting pixel (text is strokes of many pixels; a stray dot is not text), fewer
    for a text of very few ink pixels."""
    flat = crop.reshape(-1, 3)
    # one number per colour (0xRRGGBB: sorted as the rows would be), the commonest first in that order
    packed = (flat[:, 0].astype(np.uint32) << 16) | (flat[:, 1].astype(np.uint32) << 8) | flat[:, 2]
    colours, counts = np.unique(packed, return_counts=True)
    common = int(colours[np.argmax(counts)])
    background = np.array([common >> 16, (common >> 8) & 0xFF, common & 0xFF])
    bg = luminance(background[None])[0]
    lum = luminance(flat)
    ratio = (np.maximum(lum, bg) + 0.05) / (np.minimum(lum, bg) + 0.05)
    # a one-glyph text (a field reading "1") has few ink pixels: then the 8th is antialiasing
    k = min(8, max(1, int((ratio >= 2).sum()) // 4))
    if len(ratio) < 8:
        return 1.0, int(background.sum())
    return float(np.partition(ratio, len(ratio) - k)[len(ratio) - k]), int(background.sum())


def regions(window: QWidget, lab: QWidget) -> list[tuple[str, QRect]]:
    """(what, rectangle in window coordinates) of every text a learner reads in ``lab``."""
    out = []

    def add(what: str, widget: QWidget, rect: QRect | None = None) -> None:
        # a control that cannot be used is paler on purpose (WCAG exempts it)
        if not widget.isVisible() or not widget.isEnabled() or widget.visibleRegion().isEmpty():
            return
        rect = rect if rect is not None else widget.rect()
        visible = widget.visibleRegion().boundingRect().intersected(rect)
        top_left = widget.mapTo(window, visible.topLeft())
        r = QRect(top_left, visible.size()).intersected(window.rect()).adjusted(2, 2, -2, -2)
        if r.width() > 8 and r.height() > 8:
            out.append((what, r))

    for w in lab.findChildren(QLabel):
        if w.text().strip() and w.pixmap().isNull() is not False:
            add(f"label {w.objectName() or w.text()[:30]!r}", w)
    for w in lab.findChildren(QAbstractButton):
        if w.text().strip():
            add(f"button {w.objectName() or w.text()!r}", w)
    for w in lab.findChildren(QTabBar) + window.findChildren(QTabBar):
        for k in range(w.count()):
            add(f"tab {w.tabText(k)!r}", w, w.tabRect(k))
    for w in lab.findChildren(QGroupBox):
        if w.title():
            add(f"group title {w.title()!r}", w, QRect(0, 0, min(w.width(), 160), 20))
    for w in lab.findChildren(QComboBox) + lab.findChildren(QAbstractSpinBox) + lab.findChildren(QLineEdit):
        if w.isVisible() and (not isinstance(w, QLineEdit) or w.text()):
            add(f"field {w.objectName()!r}", w)
    for w in lab.findChildren(QPlainTextEdit):
        if w.toPlainText().strip():
            add(f"editor {w.objectName()!r}", w.viewport())
    for w in window.findChildren(QMenuBar):
        add("menu bar", w)
    return out


def unreadable(window: QWidget, lab: QWidget) -> list[str]:
    image = pixels(window.grab().toImage())
    found = regions(window, lab)
    assert len(found) > 15, found  # the check looks at many texts, not a few
    bad = []
    for what, r in found:
        crop = image[r.top():r.bottom() + 1, r.left():r.right() + 1]
        ratio, _ = text_contrast(crop)
        if ratio < MIN_CONTRAST:
            bad.append(f"{what}: contrast {ratio:.2f}")
    return bad


def test_the_check_sees_light_text_on_a_light_background(qtbot):
    label = QLabel("light on light")
    label.setStyleSheet("background: #ffffff; color: #dddddd; font-size: 14px;")
    qtbot.addWidget(label)
    label.resize(200, 40)
    label.show()
    qtbot.waitExposed(label)
    assert text_contrast(pixels(label.grab().toImage()))[0] < 2
    label.setStyleSheet("background: #ffffff; color: #222222; font-size: 14px;")
    assert text_contrast(pixels(label.grab().toImage()))[0] > MIN_CONTRAST


def test_both_labs_are_readable_under_a_dark_system_palette(qtbot, dark_app):
    window = open_window(qtbot, "--example", "seed", "--select", "a")
    window.resize(1280, 720)
    qtbot.wait(50)
    assert unreadable(window, window.expression_lab) == []
    lab = window.show_network_lab()
    qtbot.waitUntil(lambda: lab.isVisible())
    lab.model.step(3)
    qtbot.wait(50)
    assert unreadable(window, lab) == []


def test_every_colour_of_the_editors_code_reads_on_its_background():
    from gradlab.ui.common.palette import UI
    from gradlab.ui.expression.editor import PythonHighlighter

    base = luminance(np.array([QColor(UI["Base"]).getRgb()[:3]]))[0]
    for _, fmt in PythonHighlighter.RULES:
        colour = fmt.foreground().color()
        lum = luminance(np.array([colour.getRgb()[:3]]))[0]
        assert (max(lum, base) + 0.05) / (min(lum, base) + 0.05) >= MIN_CONTRAST, colour.name()
