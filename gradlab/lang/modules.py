"""The modules a program may import, each a fixed table of checked functions.

``math`` (its float functions), ``random`` (a private ``random.Random`` per run, so
``random.seed(n)`` gives Python's numbers and no other code is disturbed), ``numpy``
(the few numeric functions a micrograd notebook uses, on arrays of numbers of at most
MAX_ITEMS items), ``matplotlib.pyplot`` (records plots in ``Program.plots``),
micrograd's ``engine``/``nn`` (gradlab's own), and two stand-ins: ``graphviz``
(gradlab.lang.graphviz_stub: a ``Digraph`` that records, so the lecture's own ``draw_dot``
runs) and ``torch`` (gradlab.lang.torch_stub: small tensors on gradlab's Values).  Anything
else is refused by name.
"""

from __future__ import annotations

import ast
import math

import numpy as np

from gradlab.lang import limits
from gradlab.lang.arguments import arguments, number
from gradlab.lang.arith import fit
from gradlab.lang.graphviz_stub import graphviz_module
from gradlab.lang.library import NETWORKS
from gradlab.lang.objects import Builtin, Module, Refusal, describe, is_number, python_error
from gradlab.lang.program import Plot
from gradlab.lang.runtime import Run
from gradlab.lang.torch_stub import missing, torch_module

# -- math -------------------------------------------------------------------------------------

_MATH_FUNCTIONS = (
    "exp",
    "log",
    "log2",
    "log10",
    "log1p",
    "expm1",
    "sqrt",
    "tanh",
    "sinh",
    "cosh",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "pow",
    "fabs",
    "floor",
    "ceil",
    "trunc",
    "isnan",
    "isinf",
    "isfinite",
    "isclose",
    "copysign",
    "hypot",
    "erf",
    "degrees",
    "radians",
)
_MATH_CONSTANTS = ("pi", "e", "tau", "inf", "nan")


def _numeric(module: str, name: str, fn):
    def call(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
        for a in (*args, *kwargs.values()):
            number(a, node, f"{module}.{name}()")
        try:
            out = fn(*args, **kwargs)
        except (ValueError, OverflowError, TypeError) as e:
            raise Refusal(node, python_error(e)) from None
        return fit(out) if type(out) is int else out

    return Builtin(f"{module}.{name}", call)


def _math() -> Module:
    attrs = {name: _numeric("math", name, getattr(math, name)) for name in _MATH_FUNCTIONS}
    attrs.update({name: getattr(math, name) for name in _MATH_CONSTANTS})
    return Module("math", attrs)


# -- random -----------------------------------------------------------------------------------------


def _random(run: Run) -> Module:
    rng = run.random

    def seed(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
        (a,) = arguments(node, "random.seed", args, kwargs, 0, 1)
        if not (a is None or is_number(a) or type(a) is str):
            raise Refusal(node, f"random.seed() needs a number or text, not {describe(a)}")
        rng.seed(a)

    def sequence(run: Run, node: ast.AST, x: object, what: str) -> object:
        if type(x) not in (list, tuple, str, range):
            raise Refusal(node, f"{what} needs a list, tuple, text or range, not {describe(x)}")
        return x

    def choice(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
        (x,) = arguments(node, "random.choice", args, kwargs, 1, 1)
        if not len(sequence(run, node, x, "random.choice()")):
            raise Refusal(node, "random.choice() of an empty sequence")
        return rng.choice(x)

    def shuffle(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
        (x,) = arguments(node, "random.shuffle", args, kwargs, 1, 1)
        if type(x) is not list:
            raise Refusal(node, f"random.shuffle() needs a list, not {describe(x)}")
        rng.shuffle(x)

    def sample(run: Run, node: ast.AST, args: list, kwargs: dict) -> list:
        x, k = arguments(node, "random.sample", args, kwargs, 2, 2)
        sequence(run, node, x, "random.sample()")
        if type(k) is not int or not 0 <= k <= len(x):
            raise Refusal(node, "random.sample()'s k must be a whole number from 0 to the length")
        run.alloc(k, node)
        return rng.sample(x, k)

    attrs = {
        name: _numeric("random", name, getattr(rng, name))
        for name in ("random", "uniform", "gauss", "randint", "randrange", "normalvariate")
    }
    attrs.update(
        seed=Builtin("random.seed", seed),
        choice=Builtin("random.choice", choice),
        shuffle=Builtin("random.shuffle", shuffle),
        sample=Builtin("random.sample", sample),
    )
    return Module("random", attrs)


# -- numpy ------------------------------------------------------------------------------------------


def array_in(run: Run, x: object, node: ast.AST) -> object:
    """A number, or an array of floats made from numbers, lists/tuples of them, or an array."""
    if is_number(x):
        return x
    if type(x) is np.ndarray:
        return x
    if type(x) in (list, tuple, range):
        count, stack = 0, [x]
        while stack:  # count before numpy builds it: [[0]*10**6]*10**6 is small as lists
            item = stack.pop()
            if type(item) in (list, tuple, range):
                count += len(item)
                if count > limits.MAX_ITEMS:
                    raise Refusal(node, limits.ITEMS_MESSAGE)
                if type(item) is not range:
                    stack.extend(i for i in item if type(i) in (list, tuple, range))
        try:
            out = np.array(x, dtype=float)
        except (TypeError, ValueError) as e:
            raise Refusal(node, f"an array holds numbers only ({e})") from None
        run.alloc(out.size, node)
        return out
    raise Refusal(node, f"numpy needs numbers or arrays, not {describe(x)}")


def _elementwise(name: str, fn):
    def call(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
        if kwargs or not 1 <= len(args) <= 2:
            raise Refusal(node, f"np.{name}() takes one or two arrays or numbers here")
        xs = [array_in(run, a, node) for a in args]
        run.broadcast(xs, node)
        with np.errstate(all="ignore"):
            return fn(*xs)

    return Builtin(f"np.{name}", call)


def _size(run: Run, node: ast.AST, n: object, what: str) -> int:
    if type(n) is tuple:
        total = 1
        for k in n:
            total *= _size(run, node, k, what)
            if total > limits.MAX_ITEMS:
                raise Refusal(node, limits.ITEMS_MESSAGE)
        return total
    if type(n) is not int or n < 0:
        raise Refusal(node, f"{what} needs a size that is a whole number, not {describe(n)}")
    run.sized(n, node)
    return n


_NP_ELEMENTWISE = (
    "tanh", "exp", "log", "sqrt", "sin", "cos", "abs", "maximum", "minimum", "sign", "square", "power",
)


def _numpy(run: Run) -> Module:
    def arange(run: Run, node: ast.AST, args: list, kwargs: dict) -> np.ndarray:
        values = arguments(node, "np.arange", args, {}, 1, 3)
        for a in args:
            number(a, node, "np.arange()")
        start, stop, step = (0, values[0], 1) if len(args) == 1 else (values[0], values[1], values[2] or 1)
        if step == 0 or not all(map(math.isfinite, (start, stop, step))):
            raise Refusal(node, "np.arange() needs finite bounds and a step other than 0")
        _size(run, node, max(0, math.ceil((stop - start) / step)), "np.arange()")
        return np.arange(start, stop, step)

    def linspace(run: Run, node: ast.AST, args: list, kwargs: dict) -> np.ndarray:
        start, stop, num = arguments(node, "np.linspace", args, kwargs, 2, 3, ("num",))[:3]
        num = kwargs.get("num", 50 if num is None else num)
        number(start, node, "np.linspace()")
        number(stop, node, "np.linspace()")
        return np.linspace(start, stop, _size(run, node, num, "np.linspace()"))

    def filled(name: str, value: float):
        def make(run: Run, node: ast.AST, args: list, kwargs: dict) -> np.ndarray:
            (n,) = arguments(node, f"np.{name}", args, kwargs, 1, 1)
            _size(run, node, n, f"np.{name}()")
            return np.full(n, value)

        return Builtin(f"np.{name}", make)

    def array(run: Run, node: ast.AST, args: list, kwargs: dict) -> np.ndarray:
        (x,) = arguments(node, "np.array", args, kwargs, 1, 1)
        out = array_in(run, x, node)
        return np.array(out, dtype=float)

    def reduce(name: str):
        def call(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
            (x,) = arguments(node, f"np.{name}", args, kwargs, 1, 1)
            with np.errstate(all="ignore"):
                return getattr(np, name)(array_in(run, x, node))

        return Builtin(f"np.{name}", call)

    attrs = {name: _elementwise(name, getattr(np, name)) for name in _NP_ELEMENTWISE}
    attrs.update({name: reduce(name) for name in ("sum", "mean", "max", "min", "argmax", "argmin", "std")})
    attrs.update(
        arange=Builtin("np.arange", arange),
        linspace=Builtin("np.linspace", linspace),
        array=Builtin("np.array", array),
        zeros=filled("zeros", 0.0),
        ones=filled("ones", 1.0),
        pi=math.pi,
        e=math.e,
        inf=math.inf,
        nan=math.nan,
        random=_numpy_random(run),
    )
    return Module("numpy", attrs)


#: the RandomState methods that take the shape as one ``size`` (rand and randn take it spread out)
_SIZED = {"rand": "random_sample", "randn": "standard_normal"}


def _numpy_random(run: Run) -> Module:
    def seed(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
        (a,) = arguments(node, "np.random.seed", args, kwargs, 1, 1)
        if type(a) is not int or not 0 <= a < 2**32:
            raise Refusal(node, "np.random.seed() needs a whole number from 0 to 2**32 - 1")
        run.np_random.seed(a)

    def drawing(name: str, nargs: int):
        def draw(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
            if name in ("rand", "randn"):  # rand(2, 3): each argument is one dimension
                arguments(node, f"np.random.{name}", args, kwargs, 0, limits.MAX_DEPTH)
                params, size = [], tuple(args) if args else None
            else:
                values = arguments(node, f"np.random.{name}", args, kwargs, 0, nargs + 1, ("size",))
                size = kwargs.get("size", values[nargs] if len(args) > nargs else None)
                params = [number(a, node, f"np.random.{name}()") for a in args[:nargs]]
            if size is not None:
                _size(run, node, size, f"np.random.{name}()")
            try:
                return (
                    getattr(run.np_random, _SIZED.get(name, name))(*params, size)
                    if size is not None or name in ("uniform", "normal", "randint")
                    else getattr(run.np_random, name)(*params)
                )
            except ValueError as e:
                raise Refusal(node, python_error(e)) from None

        return Builtin(f"np.random.{name}", draw)

    def permutation(run: Run, node: ast.AST, args: list, kwargs: dict) -> np.ndarray:
        (n,) = arguments(node, "np.random.permutation", args, kwargs, 1, 1)
        if type(n) is int:
            _size(run, node, n, "np.random.permutation()")
            return run.np_random.permutation(n)
        return run.np_random.permutation(array_in(run, n, node))

    return Module(
        "numpy.random",
        {
            "seed": Builtin("np.random.seed", seed),
            "permutation": Builtin("np.random.permutation", permutation),
            "uniform": drawing("uniform", 2),
            "normal": drawing("normal", 2),
            "randint": drawing("randint", 2),
            "rand": drawing("rand", 0),
            "randn": drawing("randn", 0),
        },
    )


# -- matplotlib.pyplot -------------------------------------------------------------------------------


def _floats(run: Run, x: object, node: ast.AST, what: str) -> list[float]:
    items = run.collect(x.tolist() if type(x) is np.ndarray else x, node)
    out = []
    for v in items:
        if not is_number(v):
            raise Refusal(node, f"{what} needs numbers, not {describe(v)}")
        out.append(float(v))
    return out


def _plain_style(run: Run, node: ast.AST, kwargs: dict) -> dict:
    style = {}
    for key, v in kwargs.items():
        if is_number(v) or type(v) is str or v is None:
            style[key] = v
        elif type(v) in (list, tuple, np.ndarray):
            style[key] = _floats(run, v, node, f"{key}=")
        else:
            raise Refusal(node, f"{key}= needs a number, text or list of numbers here, not {describe(v)}")
    return style


#: pyplot's settings a plot panel chooses for itself: a program may call them, to no effect
_PLT_IGNORED = ("show", "grid", "legend", "figure", "xlim", "ylim", "axhline", "axvline", "tight_layout")


def _pyplot(run: Run) -> Module:
    p = run.program

    def plot(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
        args = list(args)
        fmt = args.pop() if args and type(args[-1]) is str else ""
        if len(args) == 1:
            y = _floats(run, args[0], node, "plt.plot()")
            run.alloc(len(y), node)  # x is made too
            x = [float(i) for i in range(len(y))]
        elif len(args) == 2:
            x, y = (_floats(run, a, node, "plt.plot()") for a in args)
        else:
            raise Refusal(node, "plt.plot() takes y, or x and y (and a format like 'o-') here")
        record(node, "line", x, y, fmt, kwargs)

    def scatter(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
        if len(args) != 2:
            raise Refusal(node, "plt.scatter() takes x and y here")
        x, y = (_floats(run, a, node, "plt.scatter()") for a in args)
        record(node, "scatter", x, y, "", kwargs)

    def record(node: ast.AST, kind: str, x: list, y: list, fmt: str, kwargs: dict) -> None:
        if len(x) != len(y):
            raise Refusal(node, f"x and y must have the same length, not {len(x)} and {len(y)}")
        if len(p.plots) >= 100:
            raise Refusal(node, "a program can draw at most 100 plots")
        style = _plain_style(run, node, kwargs)
        label = style.pop("label", "") or ""
        p.plots.append(Plot(kind, x, y, str(label), fmt, style))

    def text(name: str):
        def set_text(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
            (s,) = arguments(node, f"plt.{name}", args, {}, 1, 1)
            p.plot_labels[name] = run.str(s, node)

        return Builtin(f"plt.{name}", set_text)

    def ignored(name: str):  # settings a plot panel chooses for itself
        return Builtin(f"plt.{name}", lambda run, node, args, kwargs: None)

    attrs = {
        "plot": Builtin("plt.plot", plot),
        "scatter": Builtin("plt.scatter", scatter),
        **{n: text(n) for n in ("title", "xlabel", "ylabel")},
        **{n: ignored(n) for n in _PLT_IGNORED},
    }
    return Module("matplotlib.pyplot", attrs)


# -- import ----------------------------------------------------------------------------------------------

_IMPORTABLE = {
    "math": _math,
    "random": _random,
    "numpy": _numpy,
    "matplotlib.pyplot": _pyplot,
    "graphviz": graphviz_module,
    "torch": torch_module,
}
_ENGINE = ("micrograd.engine", "gradlab.engine")
_NN = ("micrograd.nn", "gradlab.nn")


def import_module(run: Run, name: str, node: ast.AST) -> Module:
    """The module ``import name`` gives (one per run), or a refusal naming it."""
    if name not in _IMPORTABLE:
        refuse(name, node)
    if name not in run.modules:
        make = _IMPORTABLE[name]
        run.modules[name] = make() if make is _math else make(run)
    return run.modules[name]


def refuse(name: str, node: ast.AST) -> None:
    if name.split(".")[0] == "torch":
        raise Refusal(node, missing(name))
    raise Refusal(node, f"'{name}' {limits.IMPORT_MESSAGE}")


def import_names(run: Run, node: ast.ImportFrom) -> list[tuple[str, object]]:
    """The (name, value) pairs ``from module import a, b as c`` binds."""
    module = node.module or ""
    if node.level:
        refuse("." * node.level + module, node)
    if any(a.name == "*" for a in node.names):
        raise Refusal(node, "'import *' is not supported here; name what you import")
    if module in _ENGINE:
        table = {"Value": run.builtins["Value"]}
    elif module in _NN:
        table = dict(NETWORKS)
    elif module == "matplotlib":
        table = {"pyplot": import_module(run, "matplotlib.pyplot", node)}
    elif module in _IMPORTABLE:
        table = import_module(run, module, node).attrs
    else:
        refuse(module, node)
    out = []
    for alias in node.names:
        if alias.name not in table:
            if module == "torch":
                raise Refusal(node, missing(f"torch.{alias.name}"))
            raise Refusal(node, f"'{alias.name}' can't be imported from {module} here")
        out.append((alias.asname or alias.name, table[alias.name]))
    return out
