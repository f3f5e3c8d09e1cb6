"""The built-in lessons (resources/lessons/*.toml, through gradlab.resources) and finding a lesson
by name or path."""

from __future__ import annotations

from pathlib import Path

from gradlab import resources
from gradlab.lessons.model import Lesson, LessonError
from gradlab.lessons.parse import load_lesson, parse_lesson

__all__ = ["builtin", "find_lesson"]

#: file name -> (text, lesson): a built-in is read (and its programs run) once per text
_READ: dict[str, tuple[str, Lesson]] = {}


def builtin() -> list[Lesson]:
    """The built-in lessons in file-name order; LessonError (naming the file) for a broken one."""
    lessons = []
    for file in resources.lesson_files():
        text = file.read_text(encoding="utf-8")
        known = _READ.get(file.name)
        if known is None or known[0] != text:
            stem = file.name.removesuffix(".toml")
            try:
                lesson = parse_lesson(text, stem, Path(str(file)))
            except LessonError as e:
                raise LessonError(f"built-in lesson {file.name}: {e.problem}", e.line) from None
            known = _READ[file.name] = (text, lesson)
        lessons.append(known[1])
    return lessons


def _matches(lesson: Lesson, wanted: str) -> bool:
    w = wanted.strip().casefold()
    stem = lesson.name.casefold()
    bare = stem.split("-", 1)[-1] if stem[:1].isdigit() else stem
    number = str(lesson.number) if lesson.number is not None else None
    return w in (stem, bare, lesson.title.casefold()) or (w.isdigit() and number == str(int(w)))


def find_lesson(name_or_path: str) -> Lesson:
    """A lesson file's (a path, or a name ending in ``.toml``), else the built-in named so: by its
    file stem (``01-derivative``), its stem without the number (``derivative``), its number (``1``)
    or its title, in any case.  LessonError listing the built-ins when nothing matches."""
    text = str(name_or_path)
    if text.casefold().endswith(".toml") or Path(text).is_file():
        return load_lesson(text)
    lessons = builtin()
    for lesson in lessons:
        if _matches(lesson, text):
            return lesson
    listed = "; ".join(f"{lesson.name} ({lesson.title})" for lesson in lessons) or "none are installed"
    raise LessonError(f"no lesson named {text!r}; the built-in lessons are: {listed}")
