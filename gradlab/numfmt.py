"""How gradlab writes a number, everywhere: four decimals as micrograd's draw_dot writes them
(``2.0000``), scientific notation where that would not read; and how it reads one typed in a box."""

from __future__ import annotations

import math

__all__ = ["format_number", "read_number"]

#: from this size on, a number is written with an exponent: in a table, and in a graph's box,
#: whose width holds -999.9999 (``-1.235e+04`` fits where ``-12345.6789`` would not)
EXPONENT_FROM, BOX_EXPONENT_FROM = 1e12, 1e4


def format_number(x: float | int, *, box: bool = False, short: bool = False) -> str:
    """Four decimals for ordinary sizes; scientific notation below 1e-4 and from EXPONENT_FROM
    (BOX_EXPONENT_FROM, with one digit fewer, for a graph's box: ``box``).  ``short`` drops the
    trailing zeros after the first decimal, as Python prints a float (``-3.0``, ``0.7071``): for
    numbers inside a formula."""
    text = _format(x, box)
    if short and "." in text and "e" not in text:
        text = text.rstrip("0")
        text += "0" if text.endswith(".") else ""
    return text


def _format(x: float | int, box: bool) -> str:
    try:
        x = float(x)
    except OverflowError:  # an int too big for a float
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    x += 0.0  # -0.0 reads as 0.0000
    if x == 0 or 1e-4 <= abs(x) < (BOX_EXPONENT_FROM if box else EXPONENT_FROM):
        return f"{x:.4f}"
    return f"{x:.3e}" if box else f"{x:.4e}"


def read_number(text: str, decimal_point: str = ".", group_separator: str = ",") -> float:
    """The number a person typed: ``.`` and the locale's ``decimal_point`` both mark the decimals
    (``1.5`` and, in a German locale, ``1,5``); spaces and ``_`` are ignored; ``inf``/``nan`` and
    exponents read as Python's ``float`` reads them.  Text that could mean two numbers is refused,
    never guessed: in an English locale ``1,5`` raises ValueError (it is not 15)."""
    shown = text.strip()
    clean = shown.replace(" ", "").replace("\u00a0", "").replace("_", "")
    if decimal_point != ".":
        clean = clean.replace(decimal_point, ".")
    if group_separator and group_separator != "." and group_separator in clean:
        raise ValueError(f"'{shown}' is not a number gradlab can read: write decimals with '.' (1.5), "
                         "and no thousands separators")
    try:
        return float(clean)
    except ValueError:
        raise ValueError(f"'{shown}' is not a number: type one like 2.5, -0.01 or 3e-4") from None
