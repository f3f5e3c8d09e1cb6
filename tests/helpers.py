"""Programs and graphs that several test files share (tests/ is on sys.path through conftest)."""

from gradlab import resources
from gradlab.engine import Value

#: micrograd's README example as the app ships it (resources/examples/01_seed.py)
SEED = resources.example("seed").source()


def seed_graph(a: Value, b: Value) -> Value:
    """The seed's expression of ``a`` and ``b``, with ``e`` and ``g`` labelled."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    e.label = "e"
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.label = "g"
    return g


def seed_expression(a_data: float = -4.0, b_data: float = 2.0) -> Value:
    """The seed's output g (24.7041 at the defaults), built from labelled leaves a and b."""
    return seed_graph(Value(a_data, label="a"), Value(b_data, label="b"))
