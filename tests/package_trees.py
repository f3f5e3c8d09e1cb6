"""gradlab's own source files, each parsed once per test process: several checks (the import graph,
the Qt-free core, the resource names) walk every module's syntax tree."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path


def parsed(path: Path) -> ast.Module:
    """The syntax tree of the file at ``path``, as it reads now; shared, so read it, never change it."""
    return _parse(path.read_text(encoding="utf-8"), str(path))


@cache
def _parse(source: str, filename: str) -> ast.Module:
    return ast.parse(source, filename=filename)
