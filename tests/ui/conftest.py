"""Fixtures the UI tests share."""

import pytest

from gradlab.ui.expression_lab import ExpressionLab


@pytest.fixture
def lab(qtbot):
    """An expression lab on screen (offscreen), at a desktop size; no re-run outlives the test."""
    widget = ExpressionLab()
    qtbot.addWidget(widget)
    widget.resize(1400, 850)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    qtbot.waitUntil(lambda: not widget.model.rerun_pending(), timeout=5000)
