"""gradlab's modules import each other without cycles.

Every ``import`` and ``from ... import`` of every module is read with ``ast``, those inside
functions too (an import moved into a function to dodge a cycle is still a cycle), except
those under ``if TYPE_CHECKING:`` (never run).  The modules of gradlab and their imports of
each other make a graph; it must be acyclic: a newcomer can read the package bottom up.
"""

from __future__ import annotations

import ast
from collections.abc import Container
from pathlib import Path

import networkx as nx
import pytest
from package_trees import parsed

import gradlab

PACKAGE_DIR = Path(gradlab.__file__).parent

def module_files(root: Path) -> dict[str, Path]:
    """Module name -> file, for every ``.py`` file of the package at ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (type(test) is ast.Name and test.id == "TYPE_CHECKING") or (
        type(test) is ast.Attribute and test.attr == "TYPE_CHECKING"
    )


def imported_names(tree: ast.Module, module: str, is_package: bool, modules: Container[str] = ()) -> set[str]:
    """Every dotted name an import in ``tree`` may load (``from a import b``: ``a.b``, and ``a``
    unless every such ``a.b`` is one of ``modules``); imports under ``if TYPE_CHECKING:`` left
    out, those in functions and branches kept."""
    names: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if type(node) is ast.If and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if type(node) is ast.Import:
            names.update(alias.name for alias in node.names)
        elif type(node) is ast.ImportFrom:
            base = node.module or ""
            if node.level:  # relative: from the package that holds this module
                package = module.split(".")
                package = package[: len(package) - node.level + (1 if is_package else 0)]
                base = ".".join(p for p in (*package, base) if p)
            # ``from pkg import mod`` imports the module pkg.mod (its package runs first, as for
            # any ``import pkg.mod``, which counts only pkg.mod too); ``from mod import name``, mod
            names.update(f"{base}.{alias.name}" for alias in node.names)
            if not all(f"{base}.{alias.name}" in modules for alias in node.names):
                names.add(base)
        stack.extend(ast.iter_child_nodes(node))
    return names


def import_graph(root: Path) -> nx.DiGraph:
    """The package's modules and, for each, an edge to each module of the package it imports."""
    files = module_files(root)
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for module, path in files.items():
        tree = parsed(path)
        for name in imported_names(tree, module, path.name == "__init__.py", files):
            if name in files and name != module:
                graph.add_edge(module, name)
    return graph


def cycles(graph: nx.DiGraph) -> list[frozenset[str]]:
    """The groups of modules that reach each other through imports (more than one module each)."""
    return [frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]


@pytest.fixture(scope="module")
def package_graph() -> nx.DiGraph:
    """gradlab's import graph, made once for the tests that read it."""
    return import_graph(PACKAGE_DIR)


def test_gradlab_imports_form_no_cycle(package_graph) -> None:
    assert [sorted(c) for c in cycles(package_graph)] == []


def test_the_language_package_imports_form_no_cycle_and_no_function_level_import(package_graph) -> None:
    """gradlab.lang, the package issue 18 untangled: no cycle, and no import inside a function
    (the interpreter is handed its builtins and methods when it is made)."""
    graph = package_graph
    lang = graph.subgraph(m for m in graph if m == "gradlab.lang" or m.startswith("gradlab.lang."))
    assert nx.is_directed_acyclic_graph(lang)
    inner = []
    for module, path in module_files(PACKAGE_DIR / "lang").items():
        for node in ast.walk(parsed(path)):
            if type(node) in (ast.FunctionDef, ast.AsyncFunctionDef):
                inner += [
                    f"{module}.{node.name}:{n.lineno}"
                    for n in ast.walk(node)
                    if type(n) in (ast.Import, ast.ImportFrom)
                ]
    assert inner == []


def write_package(root: Path, modules: dict[str, str]) -> Path:
    for name, text in modules.items():
        path = root.joinpath(*name.split("."))
        if name.count(".") == 0 or text.startswith("#package"):
            path.mkdir(parents=True, exist_ok=True)
            path = path / "__init__.py"
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path = path.with_suffix(".py")
        path.write_text(text, encoding="utf-8")
    return root / next(iter(modules))


def test_the_check_finds_a_cycle_hidden_in_a_function_and_ignores_type_checking(tmp_path: Path) -> None:
    root = write_package(
        tmp_path,
        {
            "pkg": "",
            "pkg.a": "from pkg import b\n",
            "pkg.b": "def f():\n    from pkg.c import g\n",
            "pkg.c": "from . import a\n",
            "pkg.d": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n",
            "pkg.e": "import pkg.d\n",
        },
    )
    graph = import_graph(root)
    assert cycles(graph) == [frozenset({"pkg.a", "pkg.b", "pkg.c"})]
    assert set(graph.successors("pkg.e")) == {"pkg.d"} and set(graph.successors("pkg.d")) == set()


def test_the_check_resolves_relative_imports_in_a_package(tmp_path: Path) -> None:
    root = write_package(
        tmp_path,
        {
            "pkg": "",
            "pkg.sub": "#package\nfrom .inner import x\n",
            "pkg.sub.inner": "from .. import top\n",
            "pkg.top": "",
            "pkg.mixed": "from . import top, VALUE\n",
        },
    )
    graph = import_graph(root)
    assert set(graph.successors("pkg.sub")) == {"pkg.sub.inner"}
    assert set(graph.successors("pkg.sub.inner")) == {"pkg.top"}  # a module from its package
    assert set(graph.successors("pkg.mixed")) == {"pkg", "pkg.top"}  # VALUE is the package's own
    assert cycles(graph) == []
