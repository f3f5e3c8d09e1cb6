"""Lesson files (TOML, read with tomllib) -> Lesson, every problem a LessonError naming its line.

The format is the contract in resources/lessons/README.md: top-level ``title`` (required) and
``summary``; one ``[[step]]`` table per step with ``text`` (required) and the optional keys of
:class:`gradlab.lessons.model.Step`.  Beyond the types, a step's ``done_when`` must compile, its
``network`` must make data and a network the lab can train, its ``program`` must run, and its
``select`` must name a node of its program's graph (or of the last program before it).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

from gradlab.lessons.condition import Condition
from gradlab.lessons.model import DEFAULT_TOLERANCE, Lesson, LessonError, Step
from gradlab.lessons.network import check_network
from gradlab.lessons.positions import KeyLines
from gradlab.lessons.programs import ProgramCheck

__all__ = ["STEP_KEYS", "TOP_KEYS", "load_lesson", "parse_lesson"]

TOP_KEYS = ("title", "summary", "step")
STEP_KEYS = ("text", "program", "select", "network", "ask", "answer", "tolerance", "done_when", "hint",
             "explain", "highlight")
#: the keys whose value is text
_TEXT_KEYS = ("text", "program", "select", "ask", "done_when", "hint", "explain")
#: the largest lesson file read, in bytes
MAX_LESSON_BYTES = 1_000_000


def load_lesson(path: str | Path) -> Lesson:
    """The lesson in the TOML file ``path``; LessonError if it cannot be read or used."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_LESSON_BYTES:
            raise LessonError(f"cannot read {p}: it is larger than {MAX_LESSON_BYTES:,} bytes")
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise LessonError(f"cannot read {p}: it is not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise LessonError(f"cannot read {p}: {e.strerror or e}") from None
    return parse_lesson(text, p.stem, p)


def parse_lesson(text: str, name: str = "lesson", path: str | Path | None = None) -> Lesson:
    """The lesson written in ``text`` (a lesson file's contents); raises LessonError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"line (\d+)", str(e))
        line = int(found.group(1)) if found else text.count("\n") + 1
        raise LessonError(f"this is not valid TOML: {e}", line) from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise LessonError("this is not valid TOML: it nests too deeply", 1) from None
    where = KeyLines(text)
    for key in raw:
        if key not in TOP_KEYS:
            raise LessonError(f"unknown key {key!r}; a lesson's top level takes {', '.join(TOP_KEYS)}",
                              where.find(key, *where.top, default=0) or _any_line(where, key))
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        problem = ("the lesson needs a title (title = \"...\")" if title is None else "the title is empty"
                   if isinstance(title, str) else f"title must be text, not {_kind(title)}")
        raise LessonError(problem, where.top_key("title"))
    summary = raw.get("summary", "")
    if not isinstance(summary, str):
        raise LessonError("summary must be text", where.top_key("summary"))
    tables = raw.get("step")
    if "step" in raw and not isinstance(tables, list):
        raise LessonError("write each step as a [[step]] table (two brackets)", _any_line(where, "step"))
    if not tables:
        raise LessonError("the lesson has no steps; add at least one [[step]] with text = \"...\"",
                          len(text.rstrip().split("\n")))
    programs = ProgramCheck(text, where)
    steps = tuple(_step(i, table, where, programs) for i, table in enumerate(tables))
    return Lesson(name, title.strip(), summary.strip(), steps, Path(path) if path is not None else None)


def _any_line(where: KeyLines, key: str) -> int:
    """The first line naming ``key`` anywhere (a key or a table header), else 1."""
    for k, line in enumerate(where.lines, 1):
        if re.search(r"(^|[\s\[.{,])" + re.escape(key) + r"\s*[=\].]", line):
            return k
    return 1


def _step(i: int, table: object, where: KeyLines, programs: ProgramCheck) -> Step:  # long: one check per key
    header = where.step_line(i)
    if not isinstance(table, dict):
        raise LessonError(f"step {i + 1} must be a table", header)

    def line(key: str) -> int:
        return where.step_key(i, key)

    for key in table:
        if key not in STEP_KEYS:
            raise LessonError(f"unknown key {key!r} in step {i + 1}; a step takes {', '.join(STEP_KEYS)}",
                              line(key))
    if "text" not in table:
        raise LessonError(f"step {i + 1} has no text (text = \"...\")", header)
    for key in _TEXT_KEYS:
        if key in table and not isinstance(table[key], str):
            raise LessonError(f"{key} must be text, not {_kind(table[key])} (step {i + 1})", line(key))
    answer = _number(table, "answer", i, line)
    tolerance = _number(table, "tolerance", i, line)
    if tolerance is not None and tolerance < 0:
        raise LessonError(f"tolerance must be 0 or more, not {tolerance:g} (step {i + 1})", line("tolerance"))
    if ("ask" in table) != ("answer" in table):
        given, missing = ("ask", "answer") if "ask" in table else ("answer", "ask")
        raise LessonError(f"step {i + 1} has {given} but no {missing}: a question needs both", line(given))
    highlight = _highlight(table.get("highlight", ()), i, line)
    network = table.get("network")
    if network is not None:
        _check_network(network, i, where)
    done_when = table.get("done_when")
    if done_when is not None:
        Condition(done_when, line("done_when"))
    programs.check(i, table, line)
    return Step(table["text"], table.get("program"), table.get("select"), network, table.get("ask"), answer,
                DEFAULT_TOLERANCE if tolerance is None else tolerance, done_when, table.get("hint"),
                table.get("explain"), highlight, header)


def _kind(x: object) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a table"}.get(type(x), type(x).__name__)


def _number(table: Mapping, key: str, i: int, line) -> float | None:
    if key not in table:
        return None
    x = table[key]
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise LessonError(f"{key} must be a number, not {_kind(x)} (step {i + 1})", line(key))
    if not math.isfinite(x):
        raise LessonError(f"{key} must be a finite number, not {x} (step {i + 1})", line(key))
    return float(x)


def _highlight(value: object, i: int, line) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(x, str) and x for x in items):
        raise LessonError(f"highlight must be a widget's objectName or a list of them (step {i + 1})",
                          line("highlight"))
    return tuple(items)


def _check_network(network: object, i: int, where: KeyLines) -> None:
    if not isinstance(network, dict):
        raise LessonError(f"network must be a table, like network = {{ dataset = \"moons\" }} (step {i + 1})",
                          where.step_key(i, "network"))
    problem = check_network(network)
    if problem is not None:
        key, message = problem
        at = where.network_key(i, key) if key else where.step_key(i, "network")
        raise LessonError(f"{message} (step {i + 1})", at)
