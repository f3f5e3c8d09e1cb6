"""Text formatting: one ``{x!r:spec}`` of an f-string, ``'{:.4f}'.format(x)`` and ``'%.4f' % x``,
within the limits."""

from __future__ import annotations

import ast
import re
import string
from typing import TYPE_CHECKING

from gradlab.engine import Value
from gradlab.lang import limits
from gradlab.lang.limits import MAX_FORMAT_WIDTH, MAX_ITEMS
from gradlab.lang.objects import Refusal, describe, is_number, python_error

if TYPE_CHECKING:
    from gradlab.lang.runtime import Run


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


_CONVERSIONS = {None: -1, "r": 114, "s": 115, "a": 97}


def brace_format(run: Run, text: str, args: list, kwargs: dict, node: ast.AST) -> str:
    """``'{} {:.4f}'.format(x, y)``: each field is formatted as an f-string's would be.  A field
    names an argument by position or keyword only: ``{0.grad}`` and ``{0[1]}`` reach into values
    and are refused, as are fields nested in a format spec."""
    pieces, size, auto = [], 0, 0
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as e:
        raise Refusal(node, python_error(e)) from None
    for literal, field, spec, conversion in fields:
        pieces.append(literal)
        size += len(literal)
        if field is None:
            continue
        if "." in field or "[" in field or "{" in (spec or ""):
            raise Refusal(node, f"'{{{field}}}': only plain fields like {{}}, {{0}} or {{name}} are allowed "
                                "in .format() here; use an f-string")
        if field == "":
            field, auto = str(auto), auto + 1
        if field.isdigit():
            if int(field) >= len(args):
                raise Refusal(node, python_error(IndexError(
                    f"Replacement index {field} out of range for positional args tuple")))
            x = args[int(field)]
        elif field in kwargs:
            x = kwargs[field]
        else:
            raise Refusal(node, python_error(KeyError(field)))
        piece = format_value(run, x, _CONVERSIONS.get(conversion, -1), spec or "", node)
        size += len(piece)
        if size > MAX_ITEMS:
            raise Refusal(node, limits.ITEMS_MESSAGE)
        pieces.append(piece)
    return "".join(pieces)


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
