"""A gradlab copy of a Value made by a program's own class, for the graph to show."""

from __future__ import annotations

from gradlab.engine import Value
from gradlab.lang.limits import MAX_NODES
from gradlab.lang.objects import Instance, is_number


def _fields(x: object) -> dict | None:
    if type(x) is Value:
        return {"data": x.data, "grad": x.grad, "_prev": x._prev, "_op": x._op, "label": x.label}
    if type(x) is Instance:
        return x.attrs
    return None


def _children(fields: dict) -> list:
    prev = fields.get("_prev", ())
    if type(prev) not in (set, list, tuple, frozenset):
        return []
    return [c for c in prev if type(c) in (Value, Instance) and "data" in (_fields(c) or {})]


def mirror(root: object) -> Value | None:
    """Copy ``root``'s graph (anything with ``data`` and ``_prev``; ``grad``, ``_op`` and ``label``
    where present) into gradlab Values without backward rules; None if it can't be copied
    (data that is not a number, more than MAX_NODES nodes).  An edge closing a cycle is dropped."""
    copies: dict[int, Value] = {}
    open_: set[int] = set()
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        x, done = stack.pop()
        key = id(x)
        fields = _fields(x)
        if done:
            open_.discard(key)
            data, grad = fields.get("data"), fields.get("grad", 0.0)
            if not is_number(data):
                return None
            label, op = fields.get("label", ""), fields.get("_op", "")
            v = Value(float(data), label=label if type(label) is str else "")
            v.grad = float(grad) if is_number(grad) else 0.0
            v._op = op if type(op) is str else ""
            v._prev = tuple(copies[id(c)] for c in _children(fields) if id(c) in copies)
            made_in = getattr(x, "_call" if type(x) is Value else "call", None)
            if made_in is not None:
                v._call = made_in
            copies[key] = v
            if len(copies) > MAX_NODES:
                return None
            continue
        if key in copies or key in open_:
            continue
        open_.add(key)
        stack.append((x, True))
        stack.extend((c, False) for c in reversed(_children(fields)) if id(c) not in copies)
    return copies.get(id(root))
