"""The built-in functions and methods a program may call, each checking what it is given.

Every built-in is ``impl(run, node, args, kwargs)`` and every method of a built-in
value ``impl(run, node, obj, name, args, kwargs)``; anything that walks an iterable
walks it through ``run.iterate``/``run.collect`` (so the size and time limits hold)
and anything that calls back into the program calls ``run.call``.
"""

from __future__ import annotations

import ast

import numpy as np

from gradlab import ops
from gradlab.engine import Value
from gradlab.lang import limits
from gradlab.lang.arguments import arguments, no_options, number
from gradlab.lang.arith import fit
from gradlab.lang.limits import _FUNCTIONS, MAX_NODES
from gradlab.lang.objects import (
    MISSING,
    Builtin,
    Class,
    Function,
    Instance,
    Method,
    Module,
    Refusal,
    StandIn,
    describe,
    is_number,
    python_error,
)
from gradlab.lang.runtime import Run, is_value_like
from gradlab.nn import MLP, Layer, Neuron

# -- functions -------------------------------------------------------------------------------------


def b_print(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
    for key in kwargs:
        if key not in ("sep", "end"):
            raise Refusal(node, "print() takes only the options sep= and end= here")
    sep, end = kwargs.get("sep", " "), kwargs.get("end", "\n")
    for s in (sep, end):
        if s is not None and type(s) is not str:
            raise Refusal(node, f"print()'s sep= and end= need text, not {describe(s)}")
    sep = " " if sep is None else sep
    end = "\n" if end is None else end
    # measured before it is joined: print(*[s] * 1000) must not build a gigabyte first
    left, texts = limits.MAX_PRINTED_CHARS - run.printed_chars - len(end), []
    for a in args:
        text = run.str(a, node)
        left -= len(text) + len(sep)
        if left < -len(sep):
            raise Refusal(node, limits.PRINTED_CHARS_MESSAGE)
        texts.append(text)
    run.print(sep.join(texts) + end, node)


def b_value(run: Run, node: ast.AST, args: list, kwargs: dict) -> Value:
    if len(args) > 1:
        raise Refusal(node, "Value() takes one number, and optionally label='...'")
    data = args[0] if args else kwargs.pop("data", None) if "data" in kwargs else None
    label = kwargs.pop("label", "")
    if kwargs:
        raise Refusal(node, "Value() takes one number, and optionally label='...'")
    if type(label) is not str:
        raise Refusal(node, f"label= needs text, like label='a', not {describe(label)}")
    if data is None and not args:
        raise Refusal(node, "Value() needs a number")
    if not is_number(data) or type(data) is bool:
        raise Refusal(node, f"Value() needs a number, not {describe(data)}")
    return run.track(Value(float(data), label=label), node)


def b_op(name: str):
    def op(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
        if kwargs or len(args) != 1:
            raise Refusal(node, f"{name}() takes exactly one argument here")
        (x,) = args
        if type(x) is Value:
            return run.track(getattr(x, name)(), node)
        if not is_number(x):
            raise Refusal(node, f"{name}() needs a Value or a number, not {describe(x)}")
        return float(getattr(Value(float(x)), name)().data)  # the engine's maths: numbers and Values agree

    return op


def b_draw_dot(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
    (x,) = arguments(node, "draw_dot", args, {}, 1, 1)
    if not is_value_like(x):
        raise Refusal(node, f"draw_dot() draws a Value, not {describe(x)}")
    run.drawn = x


def b_len(run: Run, node: ast.AST, args: list, kwargs: dict) -> int:
    (x,) = arguments(node, "len", args, kwargs, 1, 1)
    if type(x) in (list, tuple, str, dict, set, np.ndarray):
        return len(x)
    if type(x) is range:
        try:
            return len(x)
        except OverflowError:
            raise Refusal(node, "this range is too long to count") from None
    if type(x) is Instance and x.cls.lookup("__len__") is not MISSING:
        return run.call_method(x, "__len__", [], None, node)
    raise Refusal(node, f"{describe(x)} has no len()")


def b_range(run: Run, node: ast.AST, args: list, kwargs: dict) -> range:
    no_options(node, "range", kwargs)
    if not 1 <= len(args) <= 3:
        raise Refusal(node, f"range() takes 1 to 3 arguments, not {len(args)}")
    for a in args:
        if type(a) not in (int, bool) and not isinstance(a, np.integer):
            raise Refusal(node, f"range() needs whole numbers, not {run.repr(a, node)}")
    try:
        return range(*(int(a) for a in args))
    except ValueError as e:
        raise Refusal(node, python_error(e)) from None


def b_zip(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    strict = bool(kwargs.pop("strict", False))
    no_options(node, "zip", kwargs)
    return zip(*(run.iterate(a, node) for a in args), strict=strict)


def b_enumerate(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    items, start = (
        arguments(node, "enumerate", args, kwargs, 1, 2, ("start",))[:2]
        if not kwargs
        else (args[0] if args else None, kwargs.get("start", 0))
    )
    if "start" in kwargs and len(args) != 1:
        raise Refusal(node, "enumerate() takes one iterable and start=")
    if type(start or 0) not in (int, bool):
        raise Refusal(node, "enumerate()'s start must be a whole number")
    return enumerate(run.iterate(items, node), start or 0)


def b_map(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    no_options(node, "map", kwargs)
    if len(args) < 2:
        raise Refusal(node, "map() needs a function and at least one iterable")
    f, sources = args[0], [run.iterate(a, node) for a in args[1:]]

    def mapped():
        for items in zip(*sources, strict=False):
            yield run.call(f, list(items), None, node)

    return mapped()


def b_filter(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    f, items = arguments(node, "filter", args, kwargs, 2, 2)
    source = run.iterate(items, node)

    def filtered():
        for x in source:
            if run.truth(x if f is None else run.call(f, [x], None, node), node):
                yield x

    return filtered()


def b_sum(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    items, start = (
        arguments(node, "sum", args, kwargs, 1, 2, ("start",))[:2]
        if "start" not in kwargs
        else (args[0] if len(args) == 1 else None, kwargs["start"])
    )
    if "start" in kwargs and len(args) != 1:
        raise Refusal(node, "sum() takes one iterable and start=")
    total = 0 if start is None else start
    if type(total) is str:
        raise Refusal(node, "sum() can't add text; use ''.join(...)")
    arith = run.arith
    for x in run.iterate(items, node):
        total = arith("+", total, x, node)
    return total


def _best(run: Run, node: ast.AST, args: list, kwargs: dict, name: str) -> object:
    key, default = kwargs.pop("key", None), kwargs.pop("default", limits)
    no_options(node, name, kwargs)
    if not args:
        raise Refusal(node, f"{name}() needs at least one argument")
    items = run.collect(args[0], node) if len(args) == 1 else list(args)
    if not items:
        if default is not limits:
            return default
        raise Refusal(node, f"{name}() of an empty sequence")
    keys = items if key is None else [run.call(key, [x], None, node) for x in items]
    best, check_time = 0, run.check_time
    for i in range(1, len(keys)):
        if not i & 1023:  # each comparison of two long texts is a pass over them
            check_time(node)
        better = run.compare("<" if name == "min" else ">", keys[i], keys[best], node)
        if run.truth(better, node):
            best = i
    return items[best]


def b_min(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    return _best(run, node, args, kwargs, "min")


def b_max(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    return _best(run, node, args, kwargs, "max")


def b_abs(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    (x,) = arguments(node, "abs", args, kwargs, 1, 1)
    if is_number(x) or type(x) is np.ndarray:
        return abs(x)
    raise Refusal(node, f"abs() needs a number, not {describe(x)}")


def b_pow(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    """pow(base, exp): base ** exp, by the language's own ** (Values, a program's __pow__, limits)."""
    base, exp, mod = arguments(node, "pow", args, kwargs, 2, 3)
    if mod is not None:
        raise Refusal(node, "pow() with a third number (a modulus) is not supported here")
    return run.arith("**", base, exp, node)


def b_divmod(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    """divmod(a, b): the pair (a // b, a % b) of two numbers."""
    a, b = arguments(node, "divmod", args, kwargs, 2, 2)[:2]
    for x in (a, b):
        if not is_number(x):
            raise Refusal(node, f"divmod() needs numbers, not {describe(x)}")
    return run.arith("//", a, b, node), run.arith("%", a, b, node)


def b_round(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    x, digits = arguments(node, "round", args, kwargs, 1, 2, ("ndigits",))[:2]
    digits = kwargs.get("ndigits", digits)
    number(x, node, "round()")
    if digits is not None and type(digits) not in (int, bool):
        raise Refusal(node, "round()'s digits must be a whole number")
    try:
        return round(x) if digits is None else round(x, digits)
    except (OverflowError, ValueError) as e:
        raise Refusal(node, python_error(e)) from None


def _pytypes(run: Run, node: ast.AST, spec: object) -> tuple:
    specs = spec if type(spec) is tuple else (spec,)
    out = []
    for s in specs:
        if type(s) is Builtin and s.pytype is not None:
            out.append(s.pytype)
        elif type(s) is Class:
            out.append(s)
        else:
            raise Refusal(node, f"isinstance() needs a class, not {describe(s)}")
    return tuple(out)


def b_isinstance(run: Run, node: ast.AST, args: list, kwargs: dict) -> bool:
    x, spec = arguments(node, "isinstance", args, kwargs, 2, 2)
    for t in _pytypes(run, node, spec):
        if type(t) is Class:
            if type(x) is Instance and t in x.cls.mro:
                return True
        elif isinstance(x, t) and type(x) not in (Instance, Class, Builtin, Module, Method):
            return True
    return False


def b_type(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    """``type(x)``: a program's class, or the built-in that names x's type (``type(1) is int``)."""
    (x,) = arguments(node, "type", args, kwargs, 1, 1)
    if type(x) is Instance:
        return x.cls
    table = builtins()
    for name in ("bool", "int", "float", "str", "list", "tuple", "set", "dict", "Value"):
        if type(x) is table[name].pytype:
            return table[name]
    for b in NETWORKS.values():
        if type(x) is b.pytype:
            return b
    return Builtin(type(x).__name__, _not_callable, type(x))


def _not_callable(run: Run, node: ast.AST, args: list, kwargs: dict) -> None:
    raise Refusal(node, "this type can't be called here")


def b_id(run: Run, node: ast.AST, args: list, kwargs: dict) -> int:
    (x,) = arguments(node, "id", args, kwargs, 1, 1)
    return id(x)


def b_hash(run: Run, node: ast.AST, args: list, kwargs: dict) -> int:
    """``hash(x)``: Python's, after the checks a set key gets (an unhashable class is refused)."""
    (x,) = arguments(node, "hash", args, kwargs, 1, 1)
    run.key(x, node)  # an unhashable class, a tuple too deep to hash: refused as a set key is
    f = x.cls.lookup("__hash__") if type(x) is Instance else None
    if type(f) is Function:
        out = run.call_function(f, [x], None, node)
        if type(out) is not int:
            raise Refusal(node, "TypeError: __hash__ method should return an integer")
        return out
    try:
        return hash(x)
    except TypeError as e:
        raise Refusal(node, python_error(e)) from None


def _number_from(node: ast.AST, name: str, convert, args: list, kwargs: dict) -> int | float:
    """``float(x)`` or ``int(x)`` as Python gives them (0 without an argument), refusals named."""
    (x,) = arguments(node, name, args, kwargs, 0, 1)
    if x is None:
        return convert(0)
    if isinstance(x, StandIn):  # a one-number torch tensor: float(t) as PyTorch gives it
        x = x.number(node)
    if is_number(x) or type(x) is str:
        try:
            return convert(x)
        except (ValueError, OverflowError) as e:
            raise Refusal(node, python_error(e)) from None
    raise Refusal(node, f"{name}() needs a number or text, not {describe(x)}")


def b_float(run: Run, node: ast.AST, args: list, kwargs: dict) -> float:
    return _number_from(node, "float", float, args, kwargs)


def b_int(run: Run, node: ast.AST, args: list, kwargs: dict) -> int:
    return _number_from(node, "int", lambda x: fit(int(x)), args, kwargs)


def b_bool(run: Run, node: ast.AST, args: list, kwargs: dict) -> bool:
    (x,) = arguments(node, "bool", args, kwargs, 0, 1)
    return run.truth(x, node) if args else False


def b_str(run: Run, node: ast.AST, args: list, kwargs: dict) -> str:
    (x,) = arguments(node, "str", args, kwargs, 0, 1)
    return run.str(x, node) if args else ""


def b_repr(run: Run, node: ast.AST, args: list, kwargs: dict) -> str:
    (x,) = arguments(node, "repr", args, kwargs, 1, 1)
    return run.repr(x, node)


def b_list(run: Run, node: ast.AST, args: list, kwargs: dict) -> list:
    (x,) = arguments(node, "list", args, kwargs, 0, 1)
    return run.collect(x, node) if args else []


def b_tuple(run: Run, node: ast.AST, args: list, kwargs: dict) -> tuple:
    (x,) = arguments(node, "tuple", args, kwargs, 0, 1)
    return tuple(run.collect(x, node)) if args else ()


def b_set(run: Run, node: ast.AST, args: list, kwargs: dict) -> set:
    (x,) = arguments(node, "set", args, kwargs, 0, 1)
    return run.make_set(run.collect(x, node), node) if args else set()


def b_dict(run: Run, node: ast.AST, args: list, kwargs: dict) -> dict:
    if len(args) > 1:
        raise Refusal(node, "dict() takes at most one argument")
    out = {}
    if args:
        source = args[0]
        pairs = source.items() if type(source) is dict else run.collect(source, node)
        for i, pair in enumerate(pairs):
            k, v = run.unpack(pair, 2, node)
            if not i & 15:  # keys that hash alike cost a comparison with each one in: see make_set
                run.check_time(node)
            try:
                out[run.key(k, node)] = v
            except TypeError as e:
                raise Refusal(node, python_error(e)) from None
    out.update(kwargs)
    run.sized(len(out), node)
    return out


def b_sorted(run: Run, node: ast.AST, args: list, kwargs: dict) -> list:
    (items,) = arguments(node, "sorted", args, {}, 1, 1)
    key, reverse = kwargs.pop("key", None), kwargs.pop("reverse", False)
    no_options(node, "sorted", kwargs)
    out = run.collect(items, node)
    return sort_list(run, node, out, key, reverse)


#: characters a sort of texts may compare, at most (an upper bound: n log n comparisons of the
#: longest text; about a second of comparing in C): sorting a million long texts is refused
MAX_SORT_WORK = 10**10


def sort_list(run: Run, node: ast.AST, items: list, key: object, reverse: object) -> list:
    keys = items if key is None else [run.call(key, [x], None, node) for x in items]
    longest = 0  # the longest text a comparison may pass over: a key, or an item of a tuple key
    for k in keys:
        t = type(k)
        if t is float or t is int:
            continue
        if t is str:
            if len(k) > longest:
                longest = len(k)
        elif t is tuple:
            for i in k:
                if type(i) is str and len(i) > longest:
                    longest = len(i)
        elif not is_number(k):
            raise Refusal(node, f"can't sort by {describe(k)}; sort numbers or text (use key=)")
    n = len(keys)
    if n * max(1, n.bit_length()) * longest > MAX_SORT_WORK:  # the comparisons in C, bounded first
        raise Refusal(node, f"sorting {n:,} texts of up to {longest:,} characters would take too long here")
    order = list(range(len(items)))
    try:
        order.sort(key=keys.__getitem__, reverse=bool(reverse))
    except TypeError as e:
        raise Refusal(node, python_error(e)) from None
    items[:] = [items[i] for i in order]
    return items


def b_reversed(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
    (x,) = arguments(node, "reversed", args, kwargs, 1, 1)
    if type(x) in (list, tuple, str, range):
        return reversed(x)
    raise Refusal(node, f"reversed() needs a list, tuple, text or range, not {describe(x)}")


def b_any(run: Run, node: ast.AST, args: list, kwargs: dict) -> bool:
    (x,) = arguments(node, "any", args, kwargs, 1, 1)
    return any(run.truth(v, node) for v in run.iterate(x, node))


def b_all(run: Run, node: ast.AST, args: list, kwargs: dict) -> bool:
    (x,) = arguments(node, "all", args, kwargs, 1, 1)
    return all(run.truth(v, node) for v in run.iterate(x, node))


def b_network(cls: type):
    name = cls.__name__
    shapes = {"Neuron": ("nin",), "Layer": ("nin", "nout"), "MLP": ("nin", "nouts")}[name]

    def make(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
        values = arguments(
            node, name, args, {k: v for k, v in kwargs.items() if k in shapes}, 0, len(shapes), shapes
        )
        given = dict(zip(shapes, [v for v in values[: len(args)]], strict=False))
        given.update({k: v for k, v in kwargs.items() if k in shapes})
        options = {k: v for k, v in kwargs.items() if k not in shapes}
        for k, v in options.items():
            if k not in ("nonlin", "activation") or (k == "nonlin" and type(v) is not bool):
                raise Refusal(node, f"{name}() takes nonlin=True/False or activation='...' here, not {k}=")
        if name == "MLP" and options:
            raise Refusal(node, "MLP() takes nin and a list of layer sizes here")
        if set(given) != set(shapes):
            raise Refusal(node, f"{name}() needs {', '.join(shapes)}")
        sizes = [given["nin"]]
        sizes += [given["nout"]] if name == "Layer" else []
        sizes += run.collect(given["nouts"], node) if name == "MLP" else []
        if not all(type(s) is int and 0 < s for s in sizes):
            raise Refusal(node, f"{name}() needs sizes that are whole numbers above 0")
        weights = (
            sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False)) if len(sizes) > 1 else sizes[0]
        )
        if weights > MAX_NODES:
            raise Refusal(node, limits.NETWORK_MESSAGE)
        try:
            if name == "MLP":
                made = MLP(sizes[0], sizes[1:], rng=run.random)
            else:
                made = cls(*sizes, rng=run.random, **options)
        except ValueError as e:
            raise Refusal(node, python_error(e)) from None
        for p in made.parameters():
            run.track(p, node)
        return made

    return make


_BUILTINS: dict[str, dict[str, Builtin]] = {}  # made when first asked for, again after ops change
ops.subscribe(lambda name: _BUILTINS.clear())


def builtins() -> dict[str, Builtin]:
    """The names every program starts with (bound again only in the program's own scopes;
    a top-level assignment to ``print`` or an op's name is refused, see limits._BUILTINS).

    Built once per set of op names and shared: nothing a program does changes this table."""
    table = _BUILTINS.get("table")
    if table is None:
        table = _BUILTINS["table"] = _make_builtins()
    return table


def _make_builtins() -> dict[str, Builtin]:
    table = {
        "print": b_print,
        "draw_dot": b_draw_dot,
        "len": b_len,
        "range": b_range,
        "zip": b_zip,
        "enumerate": b_enumerate,
        "map": b_map,
        "filter": b_filter,
        "sum": b_sum,
        "min": b_min,
        "max": b_max,
        "abs": b_abs,
        "round": b_round,
        "pow": b_pow,
        "divmod": b_divmod,
        "isinstance": b_isinstance,
        "type": b_type,
        "id": b_id,
        "hash": b_hash,
        "repr": b_repr,
        "sorted": b_sorted,
        "reversed": b_reversed,
        "any": b_any,
        "all": b_all,
    }
    out = {name: Builtin(name, impl) for name, impl in table.items()}
    for name, impl, pytype in (
        ("float", b_float, float),
        ("int", b_int, int),
        ("bool", b_bool, bool),
        ("str", b_str, str),
        ("list", b_list, list),
        ("tuple", b_tuple, tuple),
        ("set", b_set, set),
        ("dict", b_dict, dict),
        ("Value", b_value, Value),
    ):
        out[name] = Builtin(name, impl, pytype)
    for name in _FUNCTIONS:
        out[name] = Builtin(name, b_op(name))
    return out


NETWORKS = {cls.__name__: Builtin(cls.__name__, b_network(cls), cls) for cls in (Neuron, Layer, MLP)}
