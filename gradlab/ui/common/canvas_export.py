"""Saving what the graph canvas shows: PNG (pixels) or SVG (vectors), chosen by the extension.

The image is made in memory and written by Python, so a missing or read-only folder or a full
disk raises OSError with its reason, for SVG as for PNG.
"""

from __future__ import annotations

import errno
import os

from PySide6.QtCore import QBuffer, QIODevice, QRectF
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsView, QWidget

__all__ = ["FORMATS", "export_image", "png_bytes", "svg_bytes"]

FORMATS = ("png", "svg")


def export_image(path: str, widget: QWidget, view: QGraphicsView, vector_items=()) -> None:
    """Save ``widget`` as it shows (PNG), or ``view``'s scene in vectors with ``vector_items``
    (items with a ``vector`` switch) drawn as paths (SVG), to ``path``."""
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if ext not in FORMATS:
        raise ValueError(f"cannot export {ext!r} images: use .png or .svg")
    data = svg_bytes(view, vector_items) if ext == "svg" else png_bytes(widget)
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())  # a full disk may only say so here


def png_bytes(widget: QWidget) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not widget.grab().save(buffer, "PNG"):
        raise OSError(errno.EIO, "Qt could not encode the PNG image")
    return bytes(buffer.data())


def svg_bytes(view: QGraphicsView, vector_items=()) -> bytes:
    # pyqtgraph's SVG exporter fails on Qt 6.11: render the view into a QSvgGenerator, with
    # the sprites drawn as paths, not pixmap fragments
    rect = view.viewport().rect()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
    gen.setSize(rect.size())
    gen.setViewBox(rect)
    gen.setTitle("gradlab computation graph")
    for item in vector_items:
        item.vector = True
        item.update()
    painter = QPainter(gen)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        view.render(painter, QRectF(rect), rect)
    finally:
        painter.end()
        for item in vector_items:
            item.vector = False
            item.update()
    data = bytes(buffer.data())
    if not data:
        raise OSError(errno.EIO, "Qt could not render the SVG image")
    return data
