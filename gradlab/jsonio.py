"""JSON as gradlab saves it, and the reader's checks of what it holds.

Strict JSON in UTF-8 where a number that is not finite is written as the string ``"nan"``,
``"inf"`` or ``"-inf"``: :func:`dumps_json` is the one encoder for everything gradlab writes
as JSON (sessions, the autosave, ``train --weights-json``) and writes any value the app holds.
A long list of floats is written compactly and exactly as ``{"float64": "<base64 of its
little-endian bytes>", "shape": [rows, columns]}`` (:func:`pack_arrays`, read back by
:func:`unpack_arrays`).  Every problem a reader finds raises :class:`SessionError` naming the
field.  Sessions (:mod:`gradlab.session`) and saved trainers (:mod:`gradlab.training.state`)
are both written in it.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re

import numpy as np

from gradlab.files import FileError

__all__ = ["PACK_MIN_NUMBERS", "SessionError", "decode_float", "dumps_json", "encode_float", "json_ready",
           "pack_arrays", "unpack_arrays"]

#: lone surrogates (text no UTF-8 file can hold): dumps_json writes them as \u escapes
_SURROGATE = re.compile("[\ud800-\udfff]")
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
#: a list of at least this many floats is saved packed (see pack_arrays); shorter ones stay readable
PACK_MIN_NUMBERS = 1024
_PACKED_KEYS = {"float64", "shape"}
_SCALARS = frozenset({int, float, str, bool, type(None)})


class SessionError(FileError):
    """A session that cannot be used; the message names the file (when there is one) and
    the problem, like ``Cannot open s.gradlab: 'expression_lab.source' must be a string``."""


def encode_float(x: float) -> float | str:
    """A float as strict JSON holds it: itself, or ``"nan"``, ``"inf"``, ``"-inf"``."""
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def json_ready(x: object) -> object:
    """``x`` as strict JSON can hold it: floats that are not finite as encode_float writes
    them, tuples and numpy arrays as lists, numpy numbers as Python ones; dict keys as text."""
    if isinstance(x, float):
        return encode_float(x)
    if isinstance(x, (str, int, type(None))):  # bool is an int
        return x
    if isinstance(x, dict):
        return {k if isinstance(k, str) else str(k): json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_ready(v) for v in x]
    tolist = getattr(x, "tolist", None)  # a numpy array or number, told by its tolist
    if callable(tolist):
        return json_ready(tolist())
    raise TypeError(f"a {type(x).__name__} cannot be saved as JSON")


def dumps_json(x: object, *, indent: int | None = None) -> str:
    """The strict JSON text of ``x`` (see json_ready): the one encoder of every file gradlab
    writes.  Compact (no spaces) unless ``indent`` is given; UTF-8 as is, and a lone
    surrogate (which UTF-8 cannot hold) escaped."""
    separators = (",", ": ") if indent is not None else (",", ":")
    try:  # most states hold only finite floats: json's C encoder writes them as they are
        text = json.dumps(x, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators)
    except (ValueError, TypeError):  # a NaN or an infinity, a numpy number, a tuple key
        text = json.dumps(json_ready(x), ensure_ascii=False, allow_nan=False, indent=indent,
                          separators=separators)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def pack_arrays(x: object) -> object:
    """``x`` with every list (or list of equal rows) of at least PACK_MIN_NUMBERS floats packed as
    ``{"float64": base64, "shape": [...]}``: half the text, written and read many times faster,
    every bit kept (a NaN too).  Lists that hold anything else stay as they are."""
    if isinstance(x, dict):
        return {k: pack_arrays(v) for k, v in x.items()}
    if not isinstance(x, list):
        return x
    packed = _packed(x)
    if packed is not None:
        return packed
    return [pack_arrays(v) for v in x] if _nested(x) else x


def _nested(x: list) -> bool:
    """Whether ``x`` holds a list or a dict.  A list of plain numbers or text (100,000 labels,
    say) is told at C speed first, by the types of its items; anything else is looked at item
    by item."""
    if all(map(_SCALARS.__contains__, map(type, x))):
        return False
    return any(isinstance(v, (list, dict)) for v in x)


def _packed(x: list) -> dict | None:
    """``x`` packed, if it is a list (or a list of equal rows) of at least PACK_MIN_NUMBERS floats."""
    row = x[0] if x else None
    first = row[0] if isinstance(row, list) and row else row
    if type(first) is not float:  # ints and text keep their type: only lists of floats are packed
        return None
    if len(x) * (len(row) if isinstance(row, list) else 1) < PACK_MIN_NUMBERS:
        return None
    try:
        arr = np.array(x)
    except ValueError:  # rows of different lengths
        return None
    if arr.dtype != np.float64 or arr.ndim > 2:
        return None
    data = base64.b64encode(arr.astype("<f8", copy=False).tobytes()).decode("ascii")
    return {"float64": data, "shape": list(arr.shape)}


def unpack_arrays(x: object, where: str = "network_lab") -> object:
    """The inverse of pack_arrays: packed lists back as lists of floats; SessionError naming
    ``where`` for a packed list that is not whole."""
    if isinstance(x, list):
        return [unpack_arrays(v, where) for v in x] if _nested(x) else x
    if not isinstance(x, dict):
        return x
    if x.keys() == _PACKED_KEYS and isinstance(x["float64"], str):
        shape = x["shape"]
        if not (isinstance(shape, list) and 1 <= len(shape) <= 2
                and all(type(n) is int and n >= 0 for n in shape)):
            raise SessionError(f"'{where}.shape' must be a list of one or two whole numbers")
        try:
            raw = base64.b64decode(x["float64"], validate=True)
        except (binascii.Error, ValueError):
            raise SessionError(f"'{where}.float64' is not base64 text") from None
        if len(raw) != 8 * math.prod(shape):
            raise SessionError(f"'{where}.float64' holds {len(raw) // 8:,} numbers, not the "
                               f"{math.prod(shape):,} of its shape {shape}")
        return np.frombuffer(raw, dtype="<f8").reshape(shape).tolist()
    return {k: unpack_arrays(v, f"{where}.{k}") for k, v in x.items()}


def decode_float(x: object, where: str) -> float:
    """The float a session field holds (a JSON number, or one of the strings encode_float
    writes); SessionError naming ``where`` for anything else."""
    if isinstance(x, str) and x in _NON_FINITE:
        return _NON_FINITE[x]
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise SessionError(f"'{where}' must be a number, not {_json_kind(x)}")
    try:
        return float(x)
    except OverflowError:  # an integer beyond any float
        raise SessionError(f"'{where}' is too large a number") from None


def _json_kind(x: object) -> str:
    kinds = {bool: "true/false", str: "text", list: "a list", dict: "an object", type(None): "null"}
    return kinds.get(type(x), "a number")
