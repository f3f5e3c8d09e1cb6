"""What crosses between the app and its program worker: plain data, framed, never code.

A message is a pickle of builtin containers, text and numbers only: the app reads it with an
unpickler that refuses every class (``loads``), so a worker that a program had somehow taken
over could still send nothing but data.  A frame is the message's length (8 bytes, big-endian)
and then the message.

A Program travels as a table of its Values (``encode_program`` / ``decode_program``): one row
per Value reachable from what the program left, parents before children, each row holding
data, grad, op, the argument of ``**n``, label, the parents' row numbers and the name of the
backward rule (gradlab.engine.rule_name).  The graph is rebuilt in the app with the engine's own
rules, so a probe, a step-through or Descend works on it as on a graph built in the app.  Long
number lists (plots, losses) travel as packed doubles.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
from array import array

from gradlab.engine import Value, rule_name, rule_named
from gradlab.lang.program import CallInfo, Plot, Program

__all__ = ["WireError", "decode_program", "dumps", "encode_program", "loads", "read_frame", "write_frame"]

_LENGTH = struct.Struct(">Q")


class WireError(Exception):
    """A message that is not what the other side sends (or the other side went away)."""


class _DataOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):  # noqa: ARG002 -- every class is refused
        raise WireError(f"a worker message named a class ({module}.{name}); only data may cross")


def dumps(message: object) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> object:
    """The message in ``data``: builtin containers, text and numbers, or WireError."""
    try:
        return _DataOnly(io.BytesIO(data)).load()
    except WireError:
        raise
    except Exception as e:  # noqa: BLE001 -- a torn or corrupt message
        raise WireError(f"a worker message could not be read ({type(e).__name__})") from None


def write_frame(fd: int, message: object) -> None:
    data = dumps(message)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def read_exactly(fd: int, n: int) -> bytes:
    """``n`` bytes from ``fd``; WireError if it ends first (the other side is gone)."""
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise WireError("the other side closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, max_bytes: int = 1 << 31) -> object:
    (n,) = _LENGTH.unpack(read_exactly(fd, _LENGTH.size))
    if n > max_bytes:
        raise WireError(f"a worker message of {n:,} bytes is larger than any program's result")
    return loads(read_exactly(fd, n))


# -- a Program as plain data -------------------------------------------------------------------

def _packed(xs: list) -> bytes:
    try:
        return array("d", xs).tobytes()
    except (TypeError, OverflowError):  # an int beyond any float, or something that is no number
        return array("d", map(_as_float, xs)).tobytes()


def _as_float(x: object) -> float:
    try:
        return float(x)
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")
    except (TypeError, ValueError):
        return float("nan")


def _unpacked(b: bytes) -> list[float]:
    a = array("d")
    a.frombytes(b)
    return a.tolist()


def _table(roots: list[Value]) -> tuple[dict[int, int], list[Value]]:
    """Every Value reachable from ``roots``, each after its parents (no recursion: any depth)."""
    index: dict[int, int] = {}
    order: list[Value] = []
    for root in roots:
        if id(root) in index:
            continue
        stack = [(root, iter(root._prev))]
        index[id(root)] = -1  # on the stack
        while stack:
            v, parents = stack[-1]
            for p in parents:
                if id(p) not in index:
                    index[id(p)] = -1
                    stack.append((p, iter(p._prev)))
                    break
            else:
                stack.pop()
                index[id(v)] = len(order)
                order.append(v)
    return index, order


def encode_program(p: Program) -> dict:
    """``p`` as plain data (see the module's docstring)."""
    roots = list(p.values.values()) + [v for _n, v, _l in p.bindings]
    if p.output is not None:
        roots.append(p.output)
    index, order = _table(roots)
    names: dict[object, str] = {}
    rules = []
    for v in order:
        fn = v._grad_fn
        name = names.get(fn)
        if name is None:
            name = names[fn] = rule_name(fn)
        rules.append(name)
    return {
        "source": p.source,
        "data": _packed([v.data for v in order]),
        "grad": _packed([v.grad for v in order]),
        "op": [v._op for v in order],
        "arg": [v._arg for v in order],
        "label": [v.label for v in order],
        "prev": [tuple(index[id(q)] for q in v._prev) for v in order],
        "rule": rules,
        "values": {name: index[id(v)] for name, v in p.values.items()},
        "output": -1 if p.output is None else index[id(p.output)],
        "bindings": [(name, index[id(v)], line) for name, v, line in p.bindings],
        "printed": p.printed,
        "inputs": p.inputs,
        "backward_called": p.backward_called,
        "node_count": p.node_count,
        "lines": p.lines,
        "gradients_touched": p.gradients_touched,
        "mirrored": p.mirrored,
        "plots": [(q.kind, _packed(q.x), _packed(q.y), q.label, q.fmt, q.style) for q in p.plots],
        "plot_labels": p.plot_labels,
        "losses": _packed(p.losses),
        "straight_line": p.straight_line,
        "trained": p.trained,
        "notes": p.notes,
        "calls": [(c.label, c.parent, c.line) for c in p.calls],
        "call_of": [(index[k], call) for k, call in ((id(v), p.call_of.get(id(v))) for v in order)
                    if call is not None],
    }


def decode_program(d: dict) -> Program:
    """The Program ``encode_program`` wrote, its Values rebuilt with the engine's rules;
    WireError if ``d`` is not such a record."""
    try:
        return _decode(d)
    except WireError:
        raise
    except Exception as e:  # noqa: BLE001 -- any malformed field
        raise WireError(f"a worker's program record is malformed ({type(e).__name__}: {e})") from None


def _trained(raw: object) -> list[dict]:
    """The ``trained`` descriptions as sent: dicts of plain data (gradlab.labs.handoff checks
    each field before it uses one)."""
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise WireError("a program's trained networks are not a list of records")
    return raw


def _decode(d: dict) -> Program:
    new = object.__new__
    values: list[Value] = []
    rules: dict[str, object] = {}
    for data, grad, op, arg, label, prev, rule in zip(
            _unpacked(d["data"]), _unpacked(d["grad"]), d["op"], d["arg"], d["label"], d["prev"], d["rule"],
            strict=True):
        fn = rules.get(rule)
        if fn is None and rule not in rules:
            fn = rules[rule] = rule_named(rule)
        if any(type(i) is not int or not 0 <= i < len(values) for i in prev):
            raise WireError("a Value's parent comes after it")
        if type(op) is not str or type(label) is not str or type(arg) not in (int, float, type(None)):
            raise WireError("a Value's op, label or argument is not what a Value holds")
        v = new(Value)
        v.data, v.grad, v._op, v._arg, v.label, v._grad_fn = data, grad, op, arg, label, fn
        v._prev = tuple(values[i] for i in prev)
        values.append(v)
    output = d["output"]
    p = Program(
        source=str(d["source"]),
        values={str(name): values[i] for name, i in d["values"].items()},
        output=None if output == -1 else values[output],
        printed=[str(x) for x in d["printed"]],
        inputs=[str(x) for x in d["inputs"]],
        backward_called=bool(d["backward_called"]),
        node_count=int(d["node_count"]),
        lines={str(k): int(v) for k, v in d["lines"].items()},
        gradients_touched=bool(d["gradients_touched"]),
        mirrored=bool(d["mirrored"]),
        plots=[Plot(str(kind), _unpacked(x), _unpacked(y), str(label), str(fmt), dict(style))
               for kind, x, y, label, fmt, style in d["plots"]],
        plot_labels={str(k): str(v) for k, v in d["plot_labels"].items()},
        losses=_unpacked(d["losses"]),
        straight_line=bool(d["straight_line"]),
        bindings=[(str(name), values[i], int(line)) for name, i, line in d["bindings"]],
        trained=_trained(d.get("trained", [])),
        notes=[str(x) for x in d.get("notes", ())],
    )
    p.calls, p.call_of = _calls(d, values)
    return p


def _calls(d: dict, values: list[Value]) -> tuple[list[CallInfo], dict[int, int]]:
    """The program's calls and which Values each made (none from a worker that sends none);
    WireError for a record that names a call or a Value that is not there."""
    calls = [CallInfo(str(label), int(parent), int(line)) for label, parent, line in d.get("calls", ())]
    if any(not -1 <= c.parent < k for k, c in enumerate(calls)):
        raise WireError("a call's enclosing call comes after it")
    call_of = {}
    for row, call in d.get("call_of", ()):
        if not (0 <= call < len(calls) and 0 <= row < len(values)):
            raise WireError("a Value's call is not in the program's calls")
        call_of[id(values[row])] = int(call)
    return calls, call_of
