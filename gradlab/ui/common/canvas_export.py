"""Saving what the graph canvas shows: PNG (pixels) or SVG (vectors), chosen by the extension.

The image is made in memory and written by Python, so a missing or read-only folder or a full
disk raises OSError with its reason, for SVG as for PNG.
"""

from __future__ import annotations

import errno
import os

from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRectF
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsView, QWidget

__all__ = ["FORMATS", "export_image", "export_widget", "png_bytes", "svg_bytes", "widget_svg_bytes"]

FORMATS = ("png", "svg")


def export_image(path: str, widget: QWidget, view: QGraphicsView, vector_items=()) -> None:
    """Save ``widget`` as it shows (PNG), or ``view``'s scene in vectors with ``vector_items``
    (items with a ``vector`` switch) drawn as paths (SVG), to ``path``."""
    ext = _extension(path)
    _write(path, svg_bytes(view, vector_items) if ext == "svg" else png_bytes(widget))


def export_widget(path: str, widget: QWidget, title: str) -> None:
    """Save ``widget`` (a plot, the network view) as PNG or SVG, chosen by the extension."""
    ext = _extension(path)
    _write(path, widget_svg_bytes(widget, title) if ext == "svg" else png_bytes(widget))


def _extension(path: str) -> str:
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if ext not in FORMATS:
        raise ValueError(f"cannot export {ext!r} images: use .png or .svg")
    return ext


def _write(path: str, data: bytes) -> None:
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


def widget_svg_bytes(widget: QWidget, title: str) -> bytes:
    """``widget`` painted into an SVG: a plot's lines and text stay vectors."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
    gen.setSize(widget.size())
    gen.setViewBox(widget.rect())
    gen.setResolution(widget.logicalDpiX())  # text the size it is on screen
    gen.setTitle(title)
    # pyqtgraph items draw vectors (a scatter's symbols as paths, not pixmap pieces) in export mode
    views = [widget] if isinstance(widget, QGraphicsView) else []
    views += widget.findChildren(QGraphicsView)
    items = [i for v in views if v.scene() is not None for i in v.scene().items()
             if hasattr(i, "setExportMode")]
    painter = QPainter(gen)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for item in items:
            item.setExportMode(True, {"antialias": True, "background": None, "painter": painter})
        widget.render(painter, QPoint())
    finally:
        painter.end()
        for item in items:
            item.setExportMode(False)
    data = bytes(buffer.data())
    if not data:
        raise OSError(errno.EIO, "Qt could not render the SVG image")
    return data
