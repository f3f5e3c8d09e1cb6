"""Where things are in a lesson file: tomllib reports no positions, so the text is read for them.

``KeyLines(text)`` blanks the insides of strings and comments (so a ``answer = 3`` written in a
step's Markdown is never taken for a key), finds each ``[[step]]`` header, and answers "on which
line is key ``k`` of step ``i``".
"""

from __future__ import annotations

import re

__all__ = ["KeyLines", "code_only"]

_STEP_HEADER = re.compile(r"^\s*\[\[\s*step\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[")


#: TOML's strings (multi-line first) and comments; the text has been parsed already, so they are well formed
_STRINGS_AND_COMMENTS = re.compile("|".join((
    r'"""(?:\\.|[^\\])*?"""',  # multi-line basic string, with escapes
    r"'''[\s\S]*?'''",  # multi-line literal string
    r'"(?:\\.|[^"\\\n])*"',  # basic string
    r"'[^'\n]*'",  # literal string
    r"#[^\n]*",  # comment
)))


def _blanked(match: re.Match) -> str:
    found = match.group()
    if found[0] == "#":
        return ""
    q = 3 if found[:3] in ('"""', "\'\'\'") else 1
    return found[:q] + re.sub(r"[^\n]", " ", found[q:-q]) + found[-q:]


def code_only(text: str) -> list[str]:
    """The lines of ``text`` (a lesson file that tomllib has read) with every string's contents and
    every comment blanked out (the quotes and line breaks stay), so that a search finds only keys
    and headers."""
    return _STRINGS_AND_COMMENTS.sub(_blanked, text).split("\n")


class KeyLines:
    """The lines of keys in a lesson file's text (all numbers 1-based)."""

    def __init__(self, text: str) -> None:
        self.lines = code_only(text)
        self.steps = [k + 1 for k, line in enumerate(self.lines) if _STEP_HEADER.match(line)]
        first_table = next((k + 1 for k, line in enumerate(self.lines) if _TABLE_HEADER.match(line)),
                           len(self.lines) + 1)
        self.top = (1, first_table)

    def step_block(self, index: int) -> tuple[int, int]:
        """Lines [start, end) of step ``index`` (from 0): its header to the next step's."""
        if index >= len(self.steps):
            return (self.top[1], len(self.lines) + 1)
        start = self.steps[index]
        end = self.steps[index + 1] if index + 1 < len(self.steps) else len(self.lines) + 1
        return start, end

    def step_line(self, index: int) -> int:
        """The line of step ``index``'s ``[[step]]`` header (else of a ``step =`` key, else the end of
        the top table)."""
        if index < len(self.steps):
            return self.steps[index]
        return self.find("step", 1, len(self.lines) + 1, default=min(self.top[1], len(self.lines)))

    def find(self, key: str, start: int, end: int, default: int) -> int:
        """The first line in [start, end) that sets ``key`` (``key =``, also inside an inline table
        or after a dot), else ``default``."""
        pattern = re.compile(r"(^|[{,\s.])" + re.escape(key) + r"\s*=")
        for k in range(max(start, 1), min(end, len(self.lines) + 1)):
            if pattern.search(self.lines[k - 1]):
                return k
        return default

    def top_key(self, key: str) -> int:
        return self.find(key, *self.top, default=1)

    def step_key(self, index: int, key: str) -> int:
        start, end = self.step_block(index)
        return self.find(key, start, end, default=self.step_line(index))

    def network_key(self, index: int, key: str) -> int:
        """The line of ``key`` inside step ``index``'s ``network`` table."""
        start, end = self.step_block(index)
        at = self.find("network", start, end, default=start)
        if at == start:  # a [step.network] table (or no network line): search the whole block
            return self.find(key, start, end, default=start)
        return self.find(key, at, end, default=at)

    def program_line(self, index: int, key_line: int, text: str, program_line: int) -> int:
        """The file line of line ``program_line`` of the program set on ``key_line``: a ``\"\"\"``
        string that starts its line break right after the quotes begins on the next line."""
        raw = text.split("\n")[key_line - 1] if 0 < key_line <= text.count("\n") + 1 else ""
        value = raw.split("=", 1)[1].strip() if "=" in raw else ""
        for quote in ('"""', "'''"):
            if value.startswith(quote):
                first = 1 if not value[3:].strip() else 0
                return key_line + first + program_line - 1
        return key_line
