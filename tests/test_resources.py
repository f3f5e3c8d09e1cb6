"""The one resource loader: where it reads from, what it can name, and the icon it ships."""

from __future__ import annotations

import ast
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from package_trees import parsed

import gradlab
from gradlab import resources

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(gradlab.__file__).resolve().parent
LOADERS = ("read_text", "read_bytes", "path")


def names_in_code() -> dict[str, str]:
    """Every resource that gradlab's code names with literal strings (``resources.read_text("a", "b")``,
    ``read_bytes``, ``path``), as ``a/b``, with the file and line that names it."""
    found = {}
    for file in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(parsed(file)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "resources"
                    and node.func.attr in LOADERS and node.args
                    and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)):
                found["/".join(a.value for a in node.args)] = f"{file.name}:{node.lineno}"
    return found


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_a_checkout_reads_its_own_resources_folder():
    assert PACKAGE.parent == ROOT, "these tests run on the checkout they sit in"
    assert Path(resources.root()) == ROOT / "resources"


def test_the_catalogue_is_every_file_in_the_folder():
    on_disk = sorted(p.relative_to(ROOT / "resources").as_posix() for p in (ROOT / "resources").rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts)
    assert resources.catalogue() == on_disk
    assert {"style.qss", "language.md", "icons/gradlab.svg", "examples/01_seed.py"} <= set(on_disk)


def test_every_resource_the_code_names_is_in_the_catalogue():
    named = names_in_code()
    assert {"style.qss", "language.md"} <= set(named), named  # the scan sees the app's own reads
    missing = {name: where for name, where in named.items() if name not in resources.catalogue()}
    assert not missing, f"named in the code but not under resources/: {missing}"


def test_examples_are_named_after_their_files_and_titled_by_their_first_line():
    found = resources.examples()
    assert [e.name for e in found][:2] == ["seed", "lecture"]
    assert len(found) == len(list((ROOT / "resources" / "examples").glob("*.py")))
    seed = resources.example("seed")
    assert seed.source().splitlines()[0].lstrip("# ").strip() == seed.title
    with pytest.raises(KeyError, match="choose from: seed, lecture"):
        resources.example("nope")


def test_the_icon_is_rendered_at_every_size_it_claims():
    for size, png in resources.icon_pngs().items():
        assert png_size(png.read_bytes()) == (size, size), png
    svg = ET.fromstring(resources.icon_svg().read_bytes())
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox") == "0 0 256 256"


def test_an_installed_copy_comes_before_the_checkout(tmp_path, monkeypatch):
    """A wheel puts resources/ at gradlab/_resources/: when that exists, the loader reads it."""
    (tmp_path / "_resources" / "examples").mkdir(parents=True)
    (tmp_path / "_resources" / "examples" / "01_only.py").write_text("# The only one\nx = 1\n", "utf-8")
    monkeypatch.setattr(resources, "files", lambda package: tmp_path)
    assert resources.root() == tmp_path / "_resources"
    assert [(e.name, e.title) for e in resources.examples()] == [("only", "The only one")]
    assert resources.catalogue() == ["examples/01_only.py"]


def test_missing_resources_say_so_and_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "files", lambda package: tmp_path)
    monkeypatch.setattr(resources, "CHECKOUT", tmp_path / "resources")
    with pytest.raises(FileNotFoundError, match="resources are missing.*reinstall gradlab"):
        resources.read_text("style.qss")


def test_only_the_loader_knows_where_resources_live():
    """A module that built its own path to resources/ would work in a checkout and fail in a wheel."""
    offenders = []
    for file in sorted(PACKAGE.rglob("*.py")):
        if file.name == "resources.py" and file.parent == PACKAGE:
            continue
        for node in ast.walk(parsed(file)):
            if isinstance(node, ast.Constant) and node.value in ("resources", resources.INSTALLED):
                offenders.append(f"{file.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not offenders, f"read resources through gradlab.resources (path, read_text), not: {offenders}"
