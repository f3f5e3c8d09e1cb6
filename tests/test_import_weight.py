"""A core module loads only what it uses.

Each row imports one module in a fresh interpreter and names what must not come with it: the
program language's interpreter (``gradlab.expr``, ``gradlab.lang.compiler``, ``gradlab.lang.runtime``),
the layered layout, networkx (only ``to_networkx`` needs it).  Measure with
``python -X importtime -c "import gradlab.X"``.
"""

import json
import subprocess
import sys

import pytest

# the module-scoped fixture (loaded) is made once: its tests share one worker of pytest-xdist
pytestmark = pytest.mark.xdist_group("test_import_weight")

INTERPRETER = ("gradlab.expr", "gradlab.lang.compiler", "gradlab.lang.runtime")
LAYOUT = ("gradlab.layout",)

#: module -> modules (or packages: a name covers its submodules) its import must not load
MUST_NOT_LOAD = {
    "gradlab.files": (*INTERPRETER, *LAYOUT, "gradlab.engine", "networkx"),
    "gradlab.datasets": (*INTERPRETER, *LAYOUT, "gradlab.graph", "networkx"),
    "gradlab.session": (*INTERPRETER, *LAYOUT, "gradlab.graph", "gradlab.training", "networkx"),
    "gradlab.graph": (*INTERPRETER, *LAYOUT, "networkx"),
    "gradlab.probe": (*INTERPRETER, *LAYOUT, "networkx"),
    "gradlab.backprop_steps": (*INTERPRETER, *LAYOUT, "networkx"),
    "gradlab.layout": (*INTERPRETER, "gradlab.engine", "gradlab.graph", "networkx"),
    "gradlab.nn": (*INTERPRETER, *LAYOUT, "networkx"),
    # training draws no graph and runs no program: its Trainer builds a GraphModel, never a Drawing
    "gradlab.training": (*INTERPRETER, *LAYOUT, "networkx"),
    # lessons run their programs (the interpreter) but load training only to check a network table
    "gradlab.lessons": (*LAYOUT, "gradlab.training", "gradlab.datasets", "networkx"),
}

#: the engine is micrograd's Value: it loads its op table and nothing else of gradlab or PyPI
ENGINE_MAY_LOAD = {"gradlab", "gradlab.engine", "gradlab.ops", "numpy"}

_LOADED = (
    "import json, sys\n"
    "before = set(sys.modules)\n"
    "import {module}\n"
    "print(json.dumps(sorted(set(sys.modules) - before)))\n"
)


def loaded_by(modules: list[str]) -> dict[str, list[str]]:
    """module -> the modules its import adds to a fresh interpreter's ``sys.modules``."""
    running = {
        m: subprocess.Popen([sys.executable, "-c", _LOADED.format(module=m)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for m in modules
    }
    found = {}
    for m, process in running.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        found[m] = json.loads(out)
    return found


def _covered(name: str, banned: tuple[str, ...]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    return loaded_by([*MUST_NOT_LOAD, "gradlab.engine", "gradlab.expr"])


@pytest.mark.parametrize("module", sorted(MUST_NOT_LOAD))
def test_a_core_module_loads_only_what_it_uses(loaded: dict[str, list[str]], module: str) -> None:
    heavy = [name for name in loaded[module] if _covered(name, MUST_NOT_LOAD[module])]
    assert not heavy, f"import {module} loads {heavy}"


def test_the_engine_loads_only_its_op_table_and_numpy(loaded: dict[str, list[str]]) -> None:
    beyond_stdlib = {name for name in loaded["gradlab.engine"]
                     if name.split(".")[0] not in sys.stdlib_module_names}
    # numpy's own submodules count as numpy
    named = {"numpy" if name.startswith("numpy.") else name for name in beyond_stdlib}
    assert "gradlab.ops" in named
    assert named <= ENGINE_MAY_LOAD, sorted(named - ENGINE_MAY_LOAD)


def test_the_check_sees_a_module_that_does_load_the_interpreter(loaded: dict[str, list[str]]) -> None:
    # the language's public face does load it: the rows above would notice the same load elsewhere
    assert [name for name in loaded["gradlab.expr"] if _covered(name, INTERPRETER)]


def test_networkx_and_the_layout_still_load_where_they_are_used() -> None:
    code = (
        "import sys\n"
        "from gradlab.engine import Value\n"
        "from gradlab.graph import GraphModel, count_crossings, to_networkx\n"
        "g = to_networkx(Value(2.0) * Value(3.0))\n"
        "assert 'networkx' in sys.modules and 'gradlab.layout' in sys.modules\n"
        "print(g.number_of_nodes(), count_crossings.__module__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4", "gradlab.layout.drawing"]
