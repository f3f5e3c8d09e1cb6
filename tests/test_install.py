"""gradlab installs like a real application: a wheel built from this checkout carries every module and
every resource, and installed into a fresh virtual environment it runs from anywhere.

The wheel is built once for the module (about 10 s of CPU in all, offline): the checkout is copied
aside so the build leaves nothing in it, built into an sdist and that into a wheel by this
environment's setuptools (no build isolation; the ``test`` extra provides setuptools and wheel), and
installed with ``pip install --no-deps --no-index`` into a venv made with ``--system-site-packages``
so that numpy, PySide6, pyqtgraph, networkx and pip come from here.  That venv also sees this environment's
editable install of gradlab (its finder sits in site-packages), so every run checks which gradlab
it imported.
"""

from __future__ import annotations

import os
import shutil
import site
import struct
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from gradlab import resources

# slow: the wheel and the venvs take 20-60 s; one xdist worker builds them, once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("test_install")]

ROOT = Path(__file__).resolve().parents[1]
BUILD_LEFTOVERS = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".venv",
                                         ".pytest_cache", ".hypothesis", ".ruff_cache", "screenshots")
BIN = "Scripts" if sys.platform == "win32" else "bin"


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """The output of ``cmd``, which must succeed (else its output is the failure message)."""
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass(frozen=True)
class Venv:
    """A fresh virtual environment, and a folder outside the checkout to run things from."""

    prefix: Path
    home: Path

    def env(self) -> dict[str, str]:
        """This environment less anything that could put the checkout on the path."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
        env.update(PYTHONNOUSERSITE="1", QT_QPA_PLATFORM="offscreen", HOME=str(self.home),
                   GRADLAB_HOME=str(self.home / "data"), XDG_DATA_HOME=str(self.home / "share"))
        return env

    def python(self, code: str) -> list[str]:
        """The lines ``code`` prints, run by the venv's python."""
        return run([str(self.prefix / BIN / "python"), "-c", code], self.home, self.env()).splitlines()

    def gradlab(self, *args: str, module: bool = False) -> str:
        """What the venv's ``gradlab`` command (or ``python -m gradlab``) prints."""
        bin_ = self.prefix / BIN
        command = [str(bin_ / "python"), "-m", "gradlab"] if module else [str(bin_ / "gradlab")]
        return run(command + list(args), self.home, self.env())


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of this checkout, to build from without leaving build/ or *.egg-info behind in it."""
    copy = tmp_path_factory.mktemp("source") / "gradlab"
    shutil.copytree(ROOT, copy, ignore=BUILD_LEFTOVERS)
    return copy


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory) -> Path:
    """A wheel built the way ``python -m build`` does it: the checkout to an sdist, the unpacked
    sdist to a wheel (so a file missing from either fails here), each by setuptools' build backend
    in a process of its own."""
    dist = tmp_path_factory.mktemp("dist")
    backend = "from setuptools import build_meta; print(build_meta.build_{}({!r}))"
    (sdist,) = run([sys.executable, "-c", backend.format("sdist", str(dist))], cwd=source).splitlines()[-1:]
    # Python 3.12+ warns unless told how to treat the archive's paths (3.11.4+ has the filter too)
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(dist / sdist) as archive:
        archive.extractall(dist, **safe)
    unpacked = dist / sdist.removesuffix(".tar.gz")
    (built,) = run([sys.executable, "-c", backend.format("wheel", str(dist))], cwd=unpacked).splitlines()[-1:]
    return dist / built


def outer_site_dirs() -> list[str]:
    """The site-packages folders this Python (a venv's, if the tests run in one) imports from."""
    return [p for p in [*site.getsitepackages(), site.getusersitepackages()] if p in sys.path]


def make_venv(tmp_path_factory, name: str, *requirement: str) -> Venv:
    """A fresh venv with ``pip install --no-deps <requirement>`` done in it."""
    work = tmp_path_factory.mktemp(name)
    venv = Venv(work / "venv", work / "elsewhere")
    venv.home.mkdir()
    run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv.prefix)], cwd=work)
    # --system-site-packages reaches the base interpreter's packages; if the tests themselves run in a
    # venv, the dependencies are in that one: add its folders after the new venv's own (as site does)
    outer = outer_site_dirs()
    prefix = {"base": str(venv.prefix), "platbase": str(venv.prefix)}
    pth = Path(sysconfig.get_path("purelib", vars=prefix)) / "_outer_site.pth"
    # map, not a list comprehension: site runs the line with separate globals and locals, and on
    # Python 3.11 a comprehension's own scope cannot see the 'site' this line binds (NameError)
    pth.write_text(f"import site; list(map(site.addsitedir, {outer!r}))\n", "utf-8")
    # the venv has no pip of its own: this one (which it reaches, as above) installs into it, offline
    run([str(venv.prefix / BIN / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
         "--no-build-isolation", "--ignore-installed", "--disable-pip-version-check", *requirement], cwd=work)
    return venv


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Venv:
    """The wheel installed, as ``pip install .`` or pipx would."""
    return make_venv(tmp_path_factory, "venv", str(wheel))


def test_a_test_venv_reaches_the_packages_of_the_python_running_the_tests(venv):
    """Run in a venv (as most users run the tests) or not, on 3.11 or 3.12+: the new venv's .pth
    line runs without error, and the tests' own packages (pytest, setuptools, wheel) import there."""
    code = "import sys, numpy, networkx, pytest, setuptools, wheel; print('\\n'.join(sys.path))"
    done = subprocess.run([str(venv.prefix / BIN / "python"), "-c", code], cwd=venv.home, env=venv.env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Error processing line" not in done.stderr, done.stderr
    assert set(outer_site_dirs()) <= set(done.stdout.splitlines())


def test_the_wheel_carries_every_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "gradlab").rglob("*.py")}
    assert modules - names == set(), "modules missing from the wheel: list their package in pyproject.toml"
    assert not [n for n in names if n.startswith(("resources/", "tests/"))], "nothing at the top level"


def test_every_file_the_loader_can_name_is_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    catalogue = resources.catalogue()
    assert {"style.qss", "language.md", "icons/gradlab.svg", "icons/gradlab-256.png"} <= set(catalogue)
    examples = [n.removeprefix("examples/") for n in catalogue if n.startswith("examples/")]
    assert [e.path.name for e in resources.examples()] == examples
    missing = [name for name in catalogue if f"gradlab/{resources.INSTALLED}/{name}" not in names]
    assert not missing, f"in resources/ but not in the wheel: {missing}"


def test_the_wheel_declares_the_gradlab_command(wheel):
    with zipfile.ZipFile(wheel) as whl:
        (entry_points,) = [n for n in whl.namelist() if n.endswith(".dist-info/entry_points.txt")]
        assert "gradlab = gradlab.app:main" in whl.read(entry_points).decode()


def test_the_installed_gradlab_is_the_wheel_not_the_checkout(venv):
    package, root, version = venv.python("import gradlab, gradlab.desktop as d, gradlab.resources as r; "
                                         "print(gradlab.__file__); print(r.root()); print(d.version())")
    assert package.startswith(str(venv.prefix)) and root.startswith(str(venv.prefix)), (package, root)
    assert root.endswith(os.path.join("gradlab", resources.INSTALLED))
    assert version == tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def test_gradlab_run_runs_an_installed_example_from_anywhere(venv):
    (where,) = venv.python("from gradlab import resources; print(resources.example('seed').path)")
    assert where.startswith(str(venv.prefix))
    out = venv.gradlab("run", where, "--check")
    assert "24.7041" in out and "138.8338" in out and "MISMATCH" not in out
    assert "24.7041" in venv.gradlab("run", where, module=True)


def test_the_installed_app_renders_a_screenshot_offscreen(venv):
    venv.gradlab("--example", "seed", "--screenshot", "out.png")
    data = (venv.home / "out.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1480, 900)  # the default --size


def test_the_installed_app_adds_and_removes_its_launcher_entry(venv):
    assert "added the launcher entry" in venv.gradlab("--install-desktop-entry")
    share = venv.home / "share"
    entry = (share / "applications" / "gradlab.desktop").read_text("utf-8")
    assert f"Exec={venv.prefix / BIN / 'python'} -m gradlab %f" in entry
    assert (share / "icons" / "hicolor" / "48x48" / "apps" / "gradlab.png").is_file()
    venv.gradlab("--uninstall-desktop-entry")
    assert not [p for p in share.rglob("*") if p.is_file()]


def test_an_editable_install_reads_the_checkouts_own_resources(source, tmp_path_factory):
    """``pip install -e .`` (in a venv of its own): the same loader reads resources/ in the checkout."""
    venv = make_venv(tmp_path_factory, "editable", "--editable", str(source))
    package, root, catalogue = venv.python("import gradlab, gradlab.resources as r; print(gradlab.__file__); "
                                           "print(r.root()); print(r.catalogue())")
    assert package == str(source / "gradlab" / "__init__.py") and root == str(source / "resources")
    assert catalogue == str(resources.catalogue())
    assert "-8.0" in venv.gradlab("run", str(source / "resources" / "examples" / "02_lecture.py"))
