"""Methods of the built-in values a program holds (Values, lists, dicts, sets, text, networks)
and f-string formatting; each is ``impl(run, node, obj, name, args, kwargs)``."""

from __future__ import annotations

import ast
import re

import numpy as np

from gradlab.engine import Value
from gradlab.lang import limits
from gradlab.lang.library import arguments, b_dict, sort_list
from gradlab.lang.limits import MAX_FORMAT_WIDTH, MAX_ITEMS
from gradlab.lang.objects import NN_TYPES, Method, Refusal, check_network, describe, is_number, python_error
from gradlab.lang.runtime import METHOD_TABLES, Run
from gradlab.nn import MLP, Layer, Neuron

# -- methods of built-in values -----------------------------------------------------------------------


def value_method(run: Run, node: ast.AST, v: Value, name: str, args: list, kwargs: dict) -> object:
    """A method of a Value read before it is called (``f = a.relu``): see Run.value_method."""
    return run.value_method(node, v, name, args, kwargs)


def m_append(run: Run, node: ast.AST, obj: list, name: str, args: list, kwargs: dict) -> None:
    (x,) = arguments(node, name, args, kwargs, 1, 1)
    if len(obj) >= MAX_ITEMS:
        raise Refusal(node, limits.ITEMS_MESSAGE)
    run.alloc(1, node)
    obj.append(x)


def m_extend(run: Run, node: ast.AST, obj: list, name: str, args: list, kwargs: dict) -> None:
    (x,) = arguments(node, name, args, kwargs, 1, 1)
    items = run.collect(x, node)
    run.sized(len(obj) + len(items), node)
    obj.extend(items)


def m_insert(run: Run, node: ast.AST, obj: list, name: str, args: list, kwargs: dict) -> None:
    i, x = arguments(node, name, args, kwargs, 2, 2)
    if type(i) not in (int, bool):
        raise Refusal(node, "insert()'s index must be a whole number")
    m_append(run, node, [], name, [None], {})
    obj.insert(i, x)


def m_sort(run: Run, node: ast.AST, obj: list, name: str, args: list, kwargs: dict) -> None:
    arguments(node, name, args, {k: v for k, v in kwargs.items() if k not in ("key", "reverse")}, 0, 0)
    sort_list(run, node, obj, kwargs.get("key"), kwargs.get("reverse", False))


def m_join(run: Run, node: ast.AST, obj: str, name: str, args: list, kwargs: dict) -> str:
    (x,) = arguments(node, name, args, kwargs, 1, 1)
    parts = run.collect(x, node)
    if not all(type(p) is str for p in parts):
        raise Refusal(node, "join() needs text items")
    run.sized(sum(map(len, parts)) + len(obj) * max(0, len(parts) - 1), node)
    return obj.join(parts)


def m_replace(run: Run, node: ast.AST, obj: str, name: str, args: list, kwargs: dict) -> str:
    old, new = arguments(node, name, args, kwargs, 2, 2)
    if type(old) is not str or type(new) is not str:
        raise Refusal(node, "replace() needs text")
    count = obj.count(old) if old else len(obj) + 1
    run.sized(len(obj) + count * (len(new) - len(old)), node)
    return obj.replace(old, new)


def plain(run: Run, node: ast.AST, obj: object, name: str, args: list, kwargs: dict) -> object:
    """A method whose result is no bigger than its object, arguments checked as plain data."""
    for a in (*args, *kwargs.values()):
        if not (is_number(a) or type(a) in (str, tuple) or a is None) and name not in _ANY_ARGUMENT:
            raise Refusal(node, f"'.{name}()' can't take {describe(a)} here")
    if type(obj) in (set, dict):  # the arguments are hashed (in C): see Run.key
        for a in args:
            run.key(a, node)
    try:
        out = getattr(obj, name)(*args, **kwargs)
    except (ValueError, KeyError, IndexError, TypeError) as e:
        raise Refusal(node, python_error(e)) from None
    if type(out) is str:
        run.sized(len(out), node)  # 'ß' * 10**6 .upper() is twice as long
    elif type(out) in (list, dict, set, tuple):
        run.alloc(len(out), node)
    return out


def m_search(run: Run, node: ast.AST, obj: list | tuple, name: str, args: list, kwargs: dict) -> object:
    """``index``, ``count`` and ``remove`` of a list or tuple: searched a chunk at a time (Run.find),
    a missing item reported as Python reports it (spelled within the limits of text)."""
    if name == "count":
        (x,) = arguments(node, name, args, kwargs, 1, 1)
        return run.count(obj, x, node)
    x, start, stop = [*arguments(node, name, args, kwargs, 1, 1 if name == "remove" else 3), None, None][:3]
    for bound in (start, stop):
        if bound is not None and type(bound) not in (int, bool):
            raise Refusal(node, f"{name}()'s start and stop must be whole numbers")
    lo, hi, _ = slice(start, stop).indices(len(obj))
    i = run.find(obj, x, node, lo, hi)
    if i < 0:
        missing = (
            "list.remove(x): x not in list" if name == "remove"
            else f"{run.repr(x, node)} is not in list" if type(obj) is list
            else "tuple.index(x): x not in tuple"
        )
        raise Refusal(node, python_error(ValueError(missing)))
    if name == "remove":
        del obj[i]
        return None
    return i


_ANY_ARGUMENT = frozenset(("remove", "index", "count", "get", "pop", "add", "discard", "setdefault"))


def m_update(run: Run, node: ast.AST, obj: object, name: str, args: list, kwargs: dict) -> None:
    (x,) = arguments(node, name, args, kwargs, 1, 1)
    if type(obj) is dict:
        more = x if type(x) is dict else b_dict(run, node, [x], {})
        run.sized(len(obj) + len(more), node)
        obj.update(more)
    else:
        items = run.make_set(run.collect(x, node), node)
        run.sized(len(obj) + len(items), node)
        obj.update(items)


def m_combine(run: Run, node: ast.AST, obj: set, name: str, args: list, kwargs: dict) -> set:
    """``union``, ``intersection``, ``difference``: of sets made as ``set()`` makes them (timed)."""
    arguments(node, name, args, kwargs, 0, len(args))
    others = [x if type(x) is set else run.make_set(run.collect(x, node), node) for x in args]
    if name == "union":
        run.sized(len(obj) + sum(map(len, others)), node)
    out = getattr(obj, name)(*others)
    run.alloc(len(out), node)
    return out


def m_add(run: Run, node: ast.AST, obj: set, name: str, args: list, kwargs: dict) -> None:
    run.sized(len(obj) + 1, node)
    plain(run, node, obj, name, args, kwargs)


_LIST = {
    "append": m_append,
    "extend": m_extend,
    "insert": m_insert,
    "sort": m_sort,
    "pop": plain,
    "index": m_search,
    "count": m_search,
    "reverse": plain,
    "copy": plain,
    "clear": plain,
    "remove": m_search,
}
_DICT = {
    "keys": plain,
    "values": plain,
    "items": plain,
    "get": plain,
    "pop": plain,
    "copy": plain,
    "clear": plain,
    "setdefault": plain,
    "update": m_update,
}
_SET = {
    "add": m_add,
    "discard": plain,
    "remove": plain,
    "pop": plain,
    "copy": plain,
    "clear": plain,
    "update": m_update,
    "union": m_combine,
    "intersection": m_combine,
    "difference": m_combine,
}
_STR = {
    "join": m_join,
    "replace": m_replace,
    "split": plain,
    "strip": plain,
    "lstrip": plain,
    "rstrip": plain,
    "upper": plain,
    "lower": plain,
    "startswith": plain,
    "endswith": plain,
    "title": plain,
    "capitalize": plain,
    "count": plain,
    "find": plain,
    "isdigit": plain,
}
_TUPLE = {"index": m_search, "count": m_search}
_NETWORK = {Neuron: ("w", "b", "nonlin"), Layer: ("neurons",), MLP: ("layers",)}
_METHOD_TABLES = {list: _LIST, dict: _DICT, set: _SET, str: _STR, tuple: _TUPLE}
METHOD_TABLES.update(_METHOD_TABLES)


def m_network(run: Run, node: ast.AST, obj: object, name: str, args: list, kwargs: dict) -> object:
    arguments(node, name, args, kwargs, 0, 0)
    check_network(obj, node)
    out = getattr(obj, name)()
    if type(out) is list:
        run.alloc(len(out), node)
    return out


def attribute_of(run: Run, obj: object, name: str, node: ast.AST) -> object:
    """An attribute of a built-in value: a method of its table, or a field a network shows."""
    if name.startswith("__"):
        raise Refusal(node, f"'{name}' is not available here")
    table = _METHOD_TABLES.get(type(obj))
    if table is not None and name in table:
        return Method(obj, name, table[name])
    if isinstance(obj, NN_TYPES):
        if name in _NETWORK[type(obj)]:
            return getattr(obj, name)
        if name in ("parameters", "zero_grad"):
            return Method(obj, name, m_network)
    if type(obj) is np.ndarray:
        from gradlab.lang.modules import array_attribute

        return array_attribute(run, obj, name, node)
    if name in limits._ATTRIBUTES or name in limits._METHODS:
        raise Refusal(node, f"'.{name}' works on Values only, not on {describe(obj)}")
    raise Refusal(node, f"'.{name}' is not available on {describe(obj)} here")


# -- formatting ---------------------------------------------------------------------------------------


def format_value(run: Run, x: object, conversion: int, spec: str, node: ast.AST) -> str:
    """One ``{x!r:spec}`` of an f-string."""
    if conversion == 114:  # !r
        x = run.repr(x, node)
    elif conversion == 97:  # !a
        x = ascii(run.repr(x, node))
        run.sized(len(x), node)  # '\U0001f600' is ten characters of ascii
    elif conversion == 115:  # !s
        x = run.str(x, node)
    if not spec:
        return x if type(x) is str else run.str(x, node)
    for digits in re.findall(r"\d+", spec):  # widths and precisions: ':1000000000' would eat memory
        digits = digits.lstrip("0")
        if len(digits) > 6 or int(digits or 0) > MAX_FORMAT_WIDTH:
            raise Refusal(node, f"format numbers above {MAX_FORMAT_WIDTH} are not allowed here")
    if type(x) is Value:
        raise Refusal(node, f"a Value can't be formatted with ':{spec}'; format its .data instead")
    if not (is_number(x) or type(x) is str or x is None):
        raise Refusal(node, f"{describe(x)} can't be formatted with ':{spec}'")
    try:
        text = format(x, spec)
        run.alloc(len(text), node)  # a copy: f'{s:1}' a thousand times is a thousand copies of s
        return text
    except (ValueError, TypeError) as e:
        raise Refusal(node, python_error(e)) from None


_PERCENT = re.compile(r"%(?:\((\w*)\))?([-#0 +]*)(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])")


def percent_format(run: Run, text: str, args: object, node: ast.AST) -> str:
    """``'loss %.4f' % x``: Python's %-formatting, with the f-string limits on widths and precisions;
    ``%s`` and ``%r`` spell a value as print would.  Each directive is formatted alone and the
    text measured as it grows, so ``'%s' * 1000 % ((s,) * 1000)`` is refused before it is built."""
    values = list(args) if type(args) is tuple else [args]
    pieces, size, i, at = [], 0, 0, 0
    for match in _PERCENT.finditer(text):
        key, _, width, precision, kind = match.groups()
        if key is not None:
            raise Refusal(node, "'%(name)s' formatting is not supported here; use an f-string")
        for digits in (width, precision):
            if digits == "*" or (digits and (len(digits) > 6 or int(digits) > MAX_FORMAT_WIDTH)):
                raise Refusal(node, f"format numbers above {MAX_FORMAT_WIDTH} are not allowed here")
        directive = match.group(0)
        if kind == "%":
            piece = directive % ()
        else:
            if i >= len(values):
                raise Refusal(node, python_error(TypeError("not enough arguments for format string")))
            v = values[i]
            i += 1
            if kind in "sr":
                v = run.str(v, node) if kind == "s" else run.repr(v, node)
                directive = directive[:-1] + "s"  # repr'd above
            elif not is_number(v):
                raise Refusal(node, f"'%{kind}' needs a number, not {describe(v)}")
            try:
                piece = directive % (v,)
            except (ValueError, TypeError) as e:
                raise Refusal(node, python_error(e)) from None
        size += match.start() - at + len(piece)
        if size > MAX_ITEMS:
            raise Refusal(node, limits.ITEMS_MESSAGE)
        pieces += (text[at : match.start()], piece)
        at = match.end()
    if i != len(values):
        raise Refusal(node, python_error(TypeError("not all arguments converted during string formatting")))
    if "%" in text[at:]:  # a lone '%' the pattern did not take: Python's own error for it
        try:
            text[at:] % ()
        except (ValueError, TypeError) as e:
            raise Refusal(node, python_error(e)) from None
    pieces.append(text[at:])
    run.sized(size + len(text) - at, node)
    return "".join(pieces)
