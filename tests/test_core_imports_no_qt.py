"""The core (everything in gradlab/ except gradlab/ui/ and gradlab/app.py) runs without Qt.

The engine, the language, the graph, the probe and the command-line runner must
work on a machine without a display or without PySide6 at all.
"""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

from package_trees import parsed

import gradlab

QT_PACKAGES = ("PySide6", "PySide2", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6", "shiboken2", "qtpy")
#: modules of gradlab that may import Qt (directly or through each other)
QT_SIDE = ("gradlab.ui", "gradlab.app")
#: core modules that are not imported in the subprocess check: running them has effects
NOT_IMPORTED = ("gradlab.__main__", "gradlab.cli.__main__")

PACKAGE_DIR = Path(gradlab.__file__).parent


def _is_qt_side(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in QT_SIDE)


def core_modules() -> list[str]:
    """Every module of the gradlab package outside the Qt side, found with pkgutil."""
    found = ["gradlab"]
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="gradlab."):
        if not _is_qt_side(info.name):
            found.append(info.name)
    return sorted(found)


def core_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        if not _is_qt_side(module):
            files.append(path)
    return files


def test_core_module_list_is_discovered() -> None:
    modules = core_modules()
    for expected in ("gradlab.engine", "gradlab.graph", "gradlab.probe", "gradlab.cli", "gradlab.expr"):
        assert expected in modules
    assert not any(_is_qt_side(m) for m in modules)
    assert len(core_files()) >= len(modules)


def test_importing_the_core_loads_no_qt() -> None:
    modules = [m for m in core_modules() if m not in NOT_IMPORTED]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"qt = sorted(m for m in sys.modules if m.split('.')[0] in {QT_PACKAGES!r})\n"
        "gui = sorted(m for m in sys.modules if m == 'gradlab.app' or m.startswith('gradlab.ui'))\n"
        "assert not qt and not gui, (qt, gui)\n"
        "print(len(sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _imported_names(tree: ast.AST, package: str = "gradlab") -> list[tuple[int, str]]:
    """(line, absolute name) of every module and name imported; ``package`` resolves ``from .``."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.append((node.lineno, module))
            names += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return names


def _package_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1])


def test_no_core_file_names_qt_in_an_import() -> None:
    offenders = []
    for path in core_files():
        is_main = path.name == "__main__.py" and path.parent == PACKAGE_DIR
        tree = parsed(path)
        for line, name in _imported_names(tree, _package_of(path)):
            top = name.split(".")[0]
            # the core must not reach Qt through the GUI modules either; ``__main__`` may, it
            # starts the app
            qt = top in QT_PACKAGES or top.startswith(("PyQt", "PySide"))
            if qt or (_is_qt_side(name) and not is_main):
                offenders.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{line} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_static_check_catches_qt_imports() -> None:
    source = "import PySide6.QtCore\nfrom pyqtgraph import PlotWidget\nimport os\n"
    source += "from .ui import x\nfrom .. import app\n"
    names = [n for _, n in _imported_names(ast.parse(source), "gradlab.sub")]
    assert "PySide6.QtCore" in names and "pyqtgraph" in names
    assert "gradlab.sub.ui.x" in names and "gradlab.app" in names
