"""Lessons: TOML files that walk a learner from a derivative to a trained MLP, checked in the labs.

A lesson file (resources/lessons/README.md documents the format) becomes a :class:`Lesson` of
:class:`Step` s (``parse_lesson``, ``load_lesson``, ``builtin``, ``find_lesson``); a step's
``done_when`` is a :class:`Condition` in the program language over a :class:`LabState`; a
:class:`LessonProgress` is one learner's walk through one lesson, which the lesson panel
(gradlab.ui.lessons) shows.  Nothing here imports Qt.
"""

from gradlab.lessons.condition import CONDITION_NAMES, Condition, LabState
from gradlab.lessons.library import builtin, find_lesson
from gradlab.lessons.model import DEFAULT_TOLERANCE, Lesson, LessonError, Step, read_number
from gradlab.lessons.network import NetworkSettings, network_keys, split_network
from gradlab.lessons.parse import STEP_KEYS, TOP_KEYS, load_lesson, parse_lesson
from gradlab.lessons.programs import program_graph
from gradlab.lessons.progress import WRONG_BEFORE_REVEAL, Feedback, LessonProgress, answer_text

__all__ = [
    "CONDITION_NAMES", "DEFAULT_TOLERANCE", "STEP_KEYS", "TOP_KEYS", "WRONG_BEFORE_REVEAL",
    "Condition", "Feedback", "LabState", "Lesson", "LessonError", "LessonProgress", "NetworkSettings", "Step",
    "answer_text", "builtin", "find_lesson", "load_lesson", "network_keys", "parse_lesson", "program_graph",
    "read_number", "split_network",
]
