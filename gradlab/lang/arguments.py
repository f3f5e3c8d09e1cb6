"""How a built-in checks the arguments it is given: counts, options, numbers."""

from __future__ import annotations

import ast

from gradlab.lang.objects import Refusal, describe, is_number


def arguments(
    node: ast.AST, name: str, args: list, kwargs: dict, lo: int, hi: int, names: tuple[str, ...] = ()
) -> list:
    """Positional arguments lo..hi, then keyword ones by ``names``; missing ones are None."""
    if not lo <= len(args) <= hi:
        count = f"{lo}" if lo == hi else f"{lo} to {hi}"
        raise Refusal(node, f"{name}() takes {count} arguments here, not {len(args)}")
    out = list(args) + [None] * (hi - len(args))
    for key, value in kwargs.items():
        if key not in names:
            raise Refusal(node, f"{name}() has no option '{key}' here")
        out.append(value)
    return out


def option(kwargs: dict, key: str, default: object = None) -> object:
    return kwargs.get(key, default)


def no_options(node: ast.AST, name: str, kwargs: dict) -> None:
    if kwargs:
        raise Refusal(node, f"{name}() takes no options like {next(iter(kwargs))}= here")


def number(x: object, node: ast.AST, what: str) -> int | float:
    if not is_number(x):
        raise Refusal(node, f"{what} needs a number, not {describe(x)}")
    return x
