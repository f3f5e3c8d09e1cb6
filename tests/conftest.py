"""Shared test set-up: Qt runs headless, Python keeps its bytecode cache, every test starts from
the same random state, and the tests that take a while are marked ``slow``.

The quick round (``python -m pytest -q -m "not slow"``) leaves out the tests marked ``slow`` in
their module (whole-app launches, the wheel build, long training walks, the biggest inputs)
and every test that took longer than SLOW_SECONDS in the last run recorded in
tests/durations.json (``python -m pytest -q --record-durations`` records one: setup, call and
teardown, on every core as the suite runs; a new test counts as quick until it is recorded).
"""
import gc
import itertools
import json
import os
import random
import re
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# numpy's BLAS runs one thread per test process (and the processes tests start): the workers
# already share the cores, and BLAS threads that wait for work spin on them (2 cores: 3% of the
# suite's CPU).  Set before anything imports numpy.
for _blas_threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_blas_threads, "1")

# Python's bytecode cache stays on for the tests even where PYTHONDONTWRITEBYTECODE turns it off
# (as on some CI images): the suite starts a hundred Python processes (the program worker, the
# app, the CLI), each of which would compile gradlab's 30,000 lines again, and pytest would
# rewrite every test module again in each of its workers.  The caches go where Python puts them
# by default (__pycache__, which git ignores).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


DURATIONS = Path(__file__).with_name("durations.json")
#: a test that took longer than this (seconds, on every core of a 2-core machine) is ``slow``
SLOW_SECONDS = 0.3


def _test_id(nodeid: str) -> str:
    """``nodeid`` without the ``@group`` pytest-xdist adds to a test in an ``xdist_group``."""
    return re.sub(r"@[\w.-]+$", "", nodeid)


def _recorded() -> dict[str, float]:
    """The durations recorded so far ({} if none, or the file is unreadable)."""
    try:
        return json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def pytest_addoption(parser) -> None:
    parser.addoption("--record-durations", action="store_true",
                     help=f"write each test's time to {DURATIONS.name}, which marks the tests over "
                          f"{SLOW_SECONDS} s slow")


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto``: a worker more than there are cores, as a test waiting for a timer, the program
    worker or an app it started leaves its core to the others (2 cores: 218 s with 2, 202 s with 3)."""
    return (os.cpu_count() or 1) + 1


@pytest.hookimpl(tryfirst=True)  # before -m reads the marks
def pytest_collection_modifyitems(items) -> None:
    durations = _recorded()
    for item in items:
        if durations.get(_test_id(item.nodeid), 0.0) > SLOW_SECONDS:
            item.add_marker(pytest.mark.slow)


def pytest_collection_finish(session) -> None:
    """What collection made (every test module, its imports, the test items) lives to the end of
    the run: out of the cyclic collector's way, a full collection walks only what tests made
    (as the app's own freeze_start_up does for its modules)."""
    gc.collect()
    gc.freeze()


class _Durations:
    """Each test's setup + call + teardown time, gathered where the reports arrive (with
    pytest-xdist, the process that runs the workers) and merged into DURATIONS at the end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report) -> None:
        key = _test_id(report.nodeid)
        self.seconds[key] = self.seconds.get(key, 0.0) + report.duration

    def pytest_sessionfinish(self) -> None:
        kept = _recorded()
        kept.update({key: round(seconds, 3) for key, seconds in self.seconds.items()})
        DURATIONS.write_text(json.dumps(dict(sorted(kept.items())), indent=0) + "\n", encoding="utf-8")


def pytest_configure(config) -> None:
    if config.getoption("--record-durations") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Durations(), "gradlab-durations")


@pytest.fixture(autouse=True)
def _seeded() -> None:
    random.seed(0)


class PrivateFolders:
    """Folders of a test's own under one folder per test process, named but not made: pytest's
    ``tmp_path`` makes a numbered folder and a symlink for every test (2 ms of CPU each, 5 s
    a suite), and most tests never write where GRADLAB_HOME points."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._numbers = itertools.count()

    def new(self, name: str) -> Path:
        """A path no other test has, ``name`` and a number, where nothing is yet."""
        return self.root / f"{name}-{next(self._numbers)}"


@pytest.fixture(scope="session")
def private_folders(tmp_path_factory) -> PrivateFolders:
    return PrivateFolders(tmp_path_factory.mktemp("private"))


@pytest.fixture(autouse=True)
def _private_home(private_folders, monkeypatch) -> None:
    """Each test gets its own autosave folder: no test sees another's (or the user's) work.
    The app makes it when it first saves."""
    monkeypatch.setenv("GRADLAB_HOME", str(private_folders.new("gradlab-home")))
