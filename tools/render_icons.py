"""Render resources/icons/gradlab.svg to the PNG sizes the app and the desktop entry use.

Run once after editing the SVG, and commit the PNGs:  QT_QPA_PLATFORM=offscreen python tools/render_icons.py
(the PNGs are committed so that nothing at run time depends on Qt's SVG plug-in).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gradlab.resources import ICON_SIZES  # noqa: E402  (after the path set-up)

ICONS = ROOT / "resources" / "icons"


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn into a transparent size x size image, antialiased."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841  (QPainter needs one)
    svg = ICONS / "gradlab.svg"
    for size in ICON_SIZES:
        out = ICONS / f"gradlab-{size}.png"
        if not render(svg, size).save(str(out)):
            raise SystemExit(f"could not write {out}")
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
