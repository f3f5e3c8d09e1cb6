"""The one loader for the files the app reads: example programs, lessons, stylesheet, language reference,
icons.

They live in the repository's top-level ``resources/`` folder.  A wheel (``pip install .``,
``pipx install .``, ``python -m build``) carries that folder as ``gradlab/_resources/`` (see
``[tool.setuptools]`` in pyproject.toml), read here through ``importlib.resources``; a source
checkout and an editable install read the folder itself.  Everything below goes through
:func:`root`, so the same code serves all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

#: where a wheel puts resources/, inside the gradlab package
INSTALLED = "_resources"
#: resources/ beside the package: a checkout, or an editable install (which points into one)
CHECKOUT = Path(__file__).resolve().parent.parent / "resources"
#: the square PNG sizes of the icon, rendered from icons/gradlab.svg by tools/render_icons.py
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def root() -> Traversable:
    """The resources folder: the installed ``gradlab/_resources`` or the checkout's ``resources/``.

    FileNotFoundError, saying what to do, if neither is there (a broken install).
    """
    installed = files("gradlab").joinpath(INSTALLED)
    if installed.is_dir():
        return installed
    if CHECKOUT.is_dir():
        return CHECKOUT
    raise FileNotFoundError(f"gradlab's resources are missing: neither {installed} nor {CHECKOUT} exists; "
                            "reinstall gradlab (python -m pip install --force-reinstall gradlab)")


def path(*parts: str) -> Traversable:
    """The resource ``parts`` (like ``path("icons", "gradlab.svg")``), which need not exist."""
    return root().joinpath(*parts)


def read_text(*parts: str) -> str:
    """The UTF-8 text of the resource ``parts``, like ``read_text("language.md")``."""
    return path(*parts).read_text(encoding="utf-8")


def read_bytes(*parts: str) -> bytes:
    return path(*parts).read_bytes()


@dataclass(frozen=True)
class Example:
    """An example program: ``name`` is what ``--example`` takes, ``title`` its first comment line."""

    name: str
    title: str
    path: Traversable

    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")


def examples() -> list[Example]:
    """Every example program, in file order (``01_seed.py`` is named ``seed``)."""
    found = []
    for file in sorted(path("examples").iterdir(), key=lambda f: f.name):
        if not (file.name.endswith(".py") and file.is_file()):
            continue
        name = file.name.removesuffix(".py").split("_", 1)[-1]
        first = file.read_text(encoding="utf-8").splitlines()[0]
        found.append(Example(name, first.lstrip("# ").strip(), file))
    return found


def example(name: str) -> Example:
    """The example called ``name``; KeyError lists the names there are."""
    for ex in examples():
        if ex.name == name:
            return ex
    raise KeyError(f"no example named {name!r}; choose from: {', '.join(e.name for e in examples())}")


def lesson_files() -> list[Traversable]:
    """The built-in lessons' files (``lessons/*.toml``), in file-name order (``01-...``, ``02-...``);
    none when the folder is missing."""
    folder = path("lessons")
    if not folder.is_dir():
        return []
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml") and f.is_file()),
                  key=lambda f: f.name)


def icon_svg() -> Traversable:
    """The application icon as drawn (scalable)."""
    return path("icons", "gradlab.svg")


def icon_pngs() -> dict[int, Traversable]:
    """The icon rendered at each of ICON_SIZES, by size in pixels."""
    return {size: path("icons", f"gradlab-{size}.png") for size in ICON_SIZES}


def _files_under(folder: Traversable, prefix: str) -> list[str]:
    names = []
    for entry in folder.iterdir():
        if entry.name == "__pycache__":  # pip byte-compiles the example programs on install
            continue
        if entry.is_dir():
            names += _files_under(entry, f"{prefix}{entry.name}/")
        else:
            names.append(prefix + entry.name)
    return names


def catalogue() -> list[str]:
    """Every file the loader can name, as paths relative to :func:`root` (``examples/01_seed.py``),
    sorted: all that resources/ holds, which a wheel must carry whole."""
    return sorted(_files_under(root(), ""))
