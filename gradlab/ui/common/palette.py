"""One place for the colours that carry meaning: sign (blue +, orange -) and class.

TensorFlow Playground's convention, used by both labs: blue means positive (a positive weight,
gradient or output, class 1), orange means negative (class 0), near-white means about zero.
A third (and further) class gets its own colour. Plain hex strings and numpy lookup tables, no Qt,
so any widget (or an exported figure) can read them.

The app's own light theme lives here too: ``UI`` names the colour of every palette role, and
``apply_theme`` sets it (with the Fusion style, which follows a palette everywhere, and
``resources/style.qss``) on the application before any window is built. A dark system palette
(or a dark desktop style) cannot leak into a widget, a plot or a canvas: they are drawn light,
with dark text, whatever the system's theme.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CLASS_COLOURS",
    "UI",
    "apply_theme",
    "blend",
    "NEGATIVE",
    "NEUTRAL",
    "POSITIVE",
    "class_colour",
    "diverging_lut",
    "rgb",
    "sign_colour",
]

POSITIVE = "#0877bd"  # blue: positive values, class 1
NEGATIVE = "#f59322"  # orange: negative values, class 0
NEUTRAL = "#e8eaeb"  # about zero
#: class k's colour; class 0 and 1 are the sign colours, as in a two-class playground
CLASS_COLOURS = (NEGATIVE, POSITIVE, "#2e9e44", "#9c36b5", "#c92a2a", "#495057", "#0c8599", "#e67700")


def rgb(colour: str) -> tuple[int, int, int]:
    """``"#0877bd"`` -> ``(8, 119, 189)``."""
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def blend(colour: str, alpha: float, under: str) -> str:
    """``colour`` at opacity ``alpha`` over ``under``, as one opaque colour."""
    mixed = (alpha * a + (1 - alpha) * b for a, b in zip(rgb(colour), rgb(under), strict=True))
    return "#" + "".join(f"{round(c):02x}" for c in mixed)


def class_colour(k: int) -> str:
    """The colour of class ``k`` (colours repeat past the table's end)."""
    return CLASS_COLOURS[int(k) % len(CLASS_COLOURS)]


def sign_colour(x: float) -> str:
    """Blue for positive, orange for negative, neutral for zero (and nan)."""
    return POSITIVE if x > 0 else NEGATIVE if x < 0 else NEUTRAL


def diverging_lut(n: int = 256, light: str = "#ffffff") -> np.ndarray:
    """An (n, 3) uint8 table from orange (-1) through ``light`` (0) to blue (+1)."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    lo, mid, hi = (np.array(rgb(c), dtype=float) for c in (NEGATIVE, light, POSITIVE))
    out = np.where(t < 0, mid + (lo - mid) * -t, mid + (hi - mid) * t)
    return np.round(out).astype(np.uint8)


#: the app's palette, role by role (QPalette.ColorRole names): light surfaces, dark text
UI = {
    "Window": "#f7f8fa",
    "WindowText": "#1f2328",
    "Base": "#ffffff",
    "AlternateBase": "#f1f3f5",
    "Text": "#1f2328",
    "PlaceholderText": "#6b7280",
    "Button": "#f1f3f5",
    "ButtonText": "#1f2328",
    "BrightText": "#ffffff",
    "ToolTipBase": "#fffbe6",
    "ToolTipText": "#1f2328",
    "Highlight": "#cfe3ff",
    "HighlightedText": "#111111",
    "Link": "#1b4f9c",
    "LinkVisited": "#5f3dc4",
    "Light": "#ffffff",
    "Midlight": "#e9ecef",
    "Mid": "#b8bec6",
    "Dark": "#8d949c",
    "Shadow": "#5c636a",
}
#: text that says something went wrong (an error line, a refused number)
ERROR_TEXT = "#b3261e"
#: text and buttons that cannot be used: paler, but still readable
DISABLED_TEXT = "#8a9099"


def _base_style_name(app) -> str:
    """The name of ``app``'s style, under the wrapper a style sheet puts around it (Qt makes the
    style the app had the wrapper's child when a sheet is set)."""
    style = app.style()
    if style.metaObject().className() == "QStyleSheetStyle" and style.children():
        style = style.children()[0]
    return style.name().lower()


def apply_theme(app) -> None:
    """Give the QApplication ``app`` gradlab's one light theme: the Fusion style, the ``UI``
    palette in every colour group (tooltips too) and ``resources/style.qss``.  What is already in
    force is not set again: setting a style or a style sheet re-polishes every widget (a third
    of a second), and a second window (a test's, a relaunch in one process) finds it all set."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QToolTip

    from gradlab import resources

    if _base_style_name(app) != "fusion":
        app.setStyle("Fusion")
    pal = QPalette()
    for role, colour in UI.items():
        pal.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    for role in ("WindowText", "Text", "ButtonText", "HighlightedText"):
        pal.setColor(QPalette.ColorGroup.Disabled, getattr(QPalette.ColorRole, role), QColor(DISABLED_TEXT))
    app.setPalette(pal)
    QToolTip.setPalette(pal)
    sheet = resources.read_text("style.qss")
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
