"""Methods of the built-in values a program holds (lists, dicts, sets, text, tuples): one table
per type, each method ``impl(run, node, obj, name, args, kwargs)``; a Run is handed METHODS."""

from __future__ import annotations

import ast

from gradlab.lang import limits
from gradlab.lang.arguments import arguments
from gradlab.lang.library import b_dict, sort_list
from gradlab.lang.limits import MAX_ITEMS
from gradlab.lang.objects import Refusal, describe, is_number, python_error
from gradlab.lang.runtime import Run
from gradlab.lang.text import brace_format

# -- methods of built-in values -----------------------------------------------------------------------


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


def m_format(run: Run, node: ast.AST, obj: str, name: str, args: list, kwargs: dict) -> str:
    return brace_format(run, obj, args, kwargs, node)


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
    "format": m_format,
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
#: the methods of built-in values by type: handed to each Run (gradlab.expr)
METHODS: dict[type, dict] = {list: _LIST, dict: _DICT, set: _SET, str: _STR, tuple: _TUPLE}


