"""The one loader for files under ``resources/``: example programs and the stylesheet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
EXAMPLES = RESOURCES / "examples"


@dataclass(frozen=True)
class Example:
    """An example program: ``name`` is what ``--example`` takes, ``title`` its first comment line."""

    name: str
    title: str
    path: Path

    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")


def examples() -> list[Example]:
    """Every example program, in file order (``01_seed.py`` is named ``seed``)."""
    found = []
    for path in sorted(EXAMPLES.glob("*.py")):
        name = path.stem.split("_", 1)[-1]
        first = path.read_text(encoding="utf-8").splitlines()[0]
        found.append(Example(name, first.lstrip("# ").strip(), path))
    return found


def example(name: str) -> Example:
    """The example called ``name``; KeyError lists the names there are."""
    for ex in examples():
        if ex.name == name:
            return ex
    raise KeyError(f"no example named {name!r}; choose from: {', '.join(e.name for e in examples())}")


def read_text(*parts: str) -> str:
    return RESOURCES.joinpath(*parts).read_text(encoding="utf-8")
