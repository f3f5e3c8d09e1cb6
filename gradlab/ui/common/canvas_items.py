"""The graphics items the graph canvas draws with: batched line segments, pixel-sized sprites
of a few styles, and the text of the nodes in view.

Each item draws any number of nodes or edges with a handful of QPainter calls, handing Qt
numpy arrays laid out as its own array types (``NativeArray``).  They use Qt and pyqtgraph's
public API only: nothing here overrides a pyqtgraph method.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRect, QRectF
from PySide6.QtGui import QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QToolTip

__all__ = ["COARSE_BELOW_PX", "Labels", "NativeArray", "Segments", "Sprites", "show_tip_at"]

COARSE_BELOW_PX = 4.0  # px per drawing unit below which edges are drawn straight
MAX_AA_LINES = 4000  # antialiasing more thin lines than this costs more than it shows


def show_tip_at(view, scene_pos: QPointF, text: str) -> None:
    """Show ``text`` as a tooltip where ``scene_pos`` of ``view`` is on the screen (hovering)."""
    viewport = view.viewport()
    QToolTip.showText(viewport.mapToGlobal(view.mapFromScene(scene_pos)), text, viewport, QRect())


class NativeArray:
    """Rows of ``fields`` doubles that QPainter reads as an array of ``klass`` (QLineF, a
    PixmapFragment): PySide6 takes a pointer to the first element and a count, so no Python
    object is made per line or sprite."""

    def __init__(self, klass, fields: int) -> None:
        self._klass, self._fields = klass, fields
        self._array = np.zeros((0, fields))
        self._size = 0

    def resize(self, size: int) -> None:
        if size > len(self._array):
            self._array = np.zeros((max(size, 2 * len(self._array)), self._fields))
        self._size = size

    def ndarray(self) -> np.ndarray:
        return self._array[: self._size]

    def drawargs(self) -> tuple:
        """(the first element, the count), as QPainter's array overloads take them."""
        if not self._size:
            return None, 0
        return shiboken6.wrapInstance(self._array.ctypes.data, self._klass), self._size


class Segments(QGraphicsObject):
    """Line segments from a numpy array, culled to the exposed area, drawn with one drawLines call.

    With ``coarse`` segments too (one straight piece per edge), those are drawn instead while
    a drawing unit is under ``COARSE_BELOW_PX`` pixels: the routes' bends are then invisible,
    and a big graph at fit would otherwise draw five times the lines.
    """

    def __init__(self, pen: QPen) -> None:
        super().__init__()
        self.pen = pen
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # for exposedRect
        self._lines = NativeArray(QLineF, 4)
        self.set_segments(np.zeros((0, 4)))

    def set_segments(self, seg: np.ndarray, coarse: np.ndarray | None = None) -> None:
        """``seg``: (m, 4) rows of x1, y1, x2, y2; ``coarse``: the same edges, straight."""
        self.prepareGeometryChange()
        self.seg = seg
        self._lo, self._hi = np.minimum(seg[:, :2], seg[:, 2:]), np.maximum(seg[:, :2], seg[:, 2:])
        self._coarse = coarse
        if coarse is not None:
            self._coarse_lo = np.minimum(coarse[:, :2], coarse[:, 2:])
            self._coarse_hi = np.maximum(coarse[:, :2], coarse[:, 2:])
        lo, hi = (self._lo.min(axis=0) - 0.1, self._hi.max(axis=0) + 0.1) if len(seg) else ((0, 0), (0, 0))
        self._rect = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, p: QPainter, option, widget=None) -> None:
        r, lo, hi, seg = option.exposedRect, self._lo, self._hi, self.seg
        if self._coarse is not None and abs(p.transform().m11()) < COARSE_BELOW_PX:
            lo, hi, seg = self._coarse_lo, self._coarse_hi, self._coarse
        seg = seg[(hi[:, 0] >= r.left()) & (lo[:, 0] <= r.right())
                  & (hi[:, 1] >= r.top()) & (lo[:, 1] <= r.bottom())]
        if len(seg):
            p.setRenderHint(QPainter.RenderHint.Antialiasing, len(seg) <= MAX_AA_LINES)
            p.setPen(self.pen)
            self._lines.resize(len(seg))
            self._lines.ndarray()[:] = seg
            p.drawLines(*self._lines.drawargs())


def _draw_symbol(p: QPainter, style: tuple) -> None:
    """A symbol path scaled to its size in pixels, outlined and filled (as pyqtgraph draws one)."""
    symbol, size, pen, brush = style
    p.scale(size, size)
    p.setPen(pen)
    p.setBrush(brush)
    p.drawPath(symbol)


def _render_symbol(style: tuple, dpr: float) -> QImage:
    """One sprite's image: the symbol centred in a square with room for its outline."""
    side = int(math.ceil(dpr * (style[1] + max(math.ceil(style[2].widthF()), 1))))
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(0)
    p = QPainter(image)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.translate(side / dpr * 0.5, side / dpr * 0.5)
        _draw_symbol(p, style)
    finally:
        p.end()
    return image


class Sprites(QGraphicsObject):
    """A sprite at every point, its size in pixels whatever the zoom, styled from a small table.

    Each style (symbol path, size in px, pen, brush) is drawn once into an atlas image; a paint
    hands QPainter one fragment of the atlas per sprite in view, so restyling thousands of
    nodes is a numpy gather of style indices.  In vector mode (an SVG export) each sprite is
    drawn as a path instead.
    """

    _DTYPE = [("x", float), ("y", float), ("size", float), ("symbol", object), ("pen", object),
              ("brush", object)]

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # for exposedRect
        self._pos = np.zeros((0, 2))
        self._styles: list[tuple] = []
        self._style_of = np.zeros(0, dtype=np.int64)
        self._pad = 0.0  # drawing units the sprites reach beyond their points
        self._rect = QRectF()
        self._cells: dict[tuple, QImage] = {}  # rendered styles, by (symbol, size, pen, brush) identity
        self._atlas: QPixmap | None = None
        self._source = np.zeros((0, 4))  # each style's rectangle in the atlas
        self._dpr = 1.0
        self._fragments = NativeArray(QPainter.PixmapFragment, 10)
        self.vector = False

    @property
    def data(self) -> np.ndarray:
        """One record per sprite: x, y, and its style's size, symbol, pen and brush."""
        out = np.empty(len(self._pos), dtype=self._DTYPE)
        out["x"], out["y"] = self._pos[:, 0], self._pos[:, 1]
        if len(self._style_of) == len(self._pos) and len(self._styles):
            for k, field in enumerate(("symbol", "size", "pen", "brush")):
                column = np.empty(len(self._styles), dtype=float if k == 1 else object)
                column[:] = [s[k] for s in self._styles]
                out[field] = column[self._style_of]
        return out

    def set_positions(self, pos: np.ndarray) -> None:
        """New points (their styles come with the next ``set_styles``)."""
        self._pos = np.asarray(pos, dtype=float).reshape(-1, 2)
        self._style_of = np.zeros(0, dtype=np.int64)
        self._update_rect()

    def set_styles(self, styles: list[tuple], style_of: np.ndarray, scale: float) -> None:
        """``styles``: (symbol path, size px, pen, brush) tuples; ``style_of``: one index per point;
        ``scale``: the view's pixels per drawing unit (how far the sprites reach)."""
        keys = [self._key(s) for s in styles]
        if keys != [self._key(s) for s in self._styles]:
            self._atlas = None  # made at the next paint, for the device it paints on
        self._styles, self._style_of = styles, np.asarray(style_of, dtype=np.int64)
        reach = max((s[1] + s[2].widthF() for s in styles), default=0.0)
        pad = reach * 0.7072 / max(scale, 1e-9)
        if pad != self._pad:  # a new extent (an unchanged one costs the scene nothing)
            self._pad = pad
            self._update_rect()
        else:
            self.update()

    @staticmethod
    def _key(style: tuple) -> tuple:
        return id(style[0]), style[1], id(style[2]), id(style[3])

    def _update_rect(self) -> None:
        self.prepareGeometryChange()
        if len(self._pos):
            (x0, y0), (x1, y1) = self._pos.min(axis=0) - self._pad, self._pos.max(axis=0) + self._pad
            self._rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        else:
            self._rect = QRectF()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def _build_atlas(self, dpr: float) -> None:
        """Every style's image side by side in rows, in one pixmap; images of styles no longer in
        use are dropped once they outnumber those in use (sprites of earlier zoom levels)."""
        keys = [self._key(s) for s in self._styles]
        if dpr != self._dpr or len(self._cells) > 2 * len(keys) + 8:
            self._cells = {k: v for k, v in self._cells.items() if k in keys and dpr == self._dpr}
        self._dpr = dpr
        for k, s in zip(keys, self._styles, strict=True):
            if k not in self._cells:
                self._cells[k] = _render_symbol(s, dpr)
        images = [self._cells[k] for k in keys]
        area = sum(i.width() * i.height() for i in images)
        row_w = max([i.width() for i in images] + [int(math.sqrt(area))])  # about square
        source, x, y, row_h = [], 0, 0, 0
        for image in images:
            if x + image.width() > row_w:
                x, y, row_h = 0, y + row_h, 0
            source.append((x, y, image.width(), image.height()))
            x, row_h = x + image.width(), max(row_h, image.height())
        atlas = QImage(max(row_w, 1), max(y + row_h, 1), QImage.Format.Format_ARGB32_Premultiplied)
        atlas.fill(0)
        p = QPainter(atlas)
        try:
            p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            for image, (sx, sy, _, _) in zip(images, source, strict=True):
                copy = QImage(image)
                copy.setDevicePixelRatio(1.0)  # pixel for pixel
                p.drawImage(sx, sy, copy)
        finally:
            p.end()
        self._atlas = QPixmap.fromImage(atlas)
        self._source = np.array(source, dtype=float).reshape(-1, 4)

    def paint(self, p: QPainter, option, widget=None) -> None:
        if not len(self._pos) or len(self._style_of) != len(self._pos):
            return
        r = option.exposedRect.adjusted(-self._pad, -self._pad, self._pad, self._pad)
        x, y = self._pos[:, 0], self._pos[:, 1]
        shown = np.flatnonzero((x >= r.left()) & (x <= r.right()) & (y >= r.top()) & (y <= r.bottom()))
        t = p.transform()  # to device pixels: sprites are drawn at their sizes in pixels
        xy = np.column_stack([t.m11() * x[shown] + t.m21() * y[shown] + t.dx(),
                              t.m12() * x[shown] + t.m22() * y[shown] + t.dy()])
        xy = np.clip(xy, -2.0**30, 2.0**30)  # far off-screen points crash Qt's rasteriser
        p.resetTransform()
        if self.vector:
            self._paint_paths(p, xy, shown)
            return
        dpr = widget.devicePixelRatioF() if widget is not None else self._dpr
        if self._atlas is None or dpr != self._dpr:
            self._build_atlas(dpr)
        self._fragments.resize(len(shown))
        frags = self._fragments.ndarray()
        frags[:, 0:2] = xy
        frags[:, 2:6] = self._source[self._style_of[shown]]
        frags[:, 6:10] = (1 / dpr, 1 / dpr, 0.0, 1.0)  # scale x, scale y, rotation, opacity
        p.drawPixmapFragments(*self._fragments.drawargs(), self._atlas)

    def _paint_paths(self, p: QPainter, xy: np.ndarray, shown: np.ndarray) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for (x, y), k in zip(xy.tolist(), self._style_of[shown].tolist(), strict=True):
            p.resetTransform()
            p.translate(x, y)
            _draw_symbol(p, self._styles[k])


class Labels(QGraphicsObject):
    """Paints the text of the nodes in view, in device pixels so it stays crisp at any zoom."""

    def __init__(self, paint) -> None:
        super().__init__()
        # a weak reference: an item of the canvas's own scene that kept the canvas alive could be
        # the one the garbage collector frees first, and the canvas's scene would then be
        # destroyed while it still holds this item (a segfault in QGraphicsScene::clear)
        self._paint_labels = weakref.WeakMethod(paint)
        self.rect = QRectF()

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self.rect = rect

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect

    def paint(self, p: QPainter, option, widget=None) -> None:
        paint = self._paint_labels()
        if paint is not None:
            paint(p)
