"""The lesson panel and its wiring: the Qt side of gradlab.lessons."""

from gradlab.ui.lessons.guide import LessonGuide
from gradlab.ui.lessons.panel import COMPLETE_TEXT, LessonPanel

__all__ = ["COMPLETE_TEXT", "LessonGuide", "LessonPanel"]
