"""The training backends, one row each: how a ``Trainer`` computes a step's loss and gradient.

``BACKENDS`` maps a name to a ``Backend`` row: its caption and description (the network
editor's combo and tooltip, the command line's help); ``build(net, activations, cfg)``, which
makes the object that computes a step (``loss``, ``loss_and_grad`` and ``loss_and_grad_slices``,
as ``FastBackend`` and ``ScalarBackend`` have them) from the trainer's numpy ``FastNet``;
``memory(sizes, points)``, about how many bytes a step takes (``config.check_memory`` holds it
to ``MAX_TRAINING_BYTES``); what to try when that is too much; and whether a step is long
enough that a window has it run elsewhere (another process, or slices between events).

Adding a backend is a class with those three methods and one row here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gradlab.training.fast import FastBackend, FastNet
from gradlab.training.scalar import ScalarBackend

__all__ = ["BACKENDS", "Backend", "backend_row", "parameter_count"]

#: the scalar backend's cost of one point: about this many bytes per parameter (the point's ``Value``s,
#: their closures and their place in the sorted graph, measured: 517 to 535) plus a fixed part (its loss)
_SCALAR_BYTES_PER_PARAMETER = 550
_SCALAR_BYTES_PER_POINT = 2_000


def parameter_count(sizes: Sequence[int]) -> int:
    """Weights and biases of an MLP with layer ``sizes`` (inputs first)."""
    return sum((nin + 1) * nout for nin, nout in zip(sizes, sizes[1:], strict=False))


def _fast_memory(sizes: Sequence[int], points: int) -> int:
    """float64 arrays per point: each layer's input (with its ones column), sums and outputs kept for
    backprop, the batch, and four backward temporaries of the widest layer."""
    layers = list(zip(sizes, sizes[1:], strict=False))
    per_point = sizes[0] + 3  # the batch: features, ones, target
    per_point += sum(nin + 1 for nin, _ in layers[1:]) + 2 * sum(nout for _, nout in layers)
    per_point += 4 * max(sizes[1:])
    return 8 * points * per_point


def _scalar_memory(sizes: Sequence[int], points: int) -> int:
    """One ``Value`` graph over every point, about 550 bytes per point and parameter."""
    return points * (_SCALAR_BYTES_PER_PARAMETER * parameter_count(sizes) + _SCALAR_BYTES_PER_POINT)


@dataclass(frozen=True)
class Backend:
    """One backend: see the module docstring."""

    name: str
    caption: str
    description: str  # what it is, in a few words (the editor's tooltip)
    build: Callable[[FastNet, Sequence[str], object], object]
    memory: Callable[[Sequence[int], int], int]
    too_big: str  # advice when a step would need too much memory, before "at most N points"
    sliced: bool = False  # a step takes long enough (tens of ms and more) that a window runs it elsewhere


_ROWS = (
    Backend("fast", "fast (numpy)", "numpy, vectorised", lambda net, activations, cfg: FastBackend(net),
            _fast_memory, "use a smaller network, or"),
    Backend("scalar", "scalar (Value graph)", "the real Value graph (slow, exact)",
            lambda net, activations, cfg: ScalarBackend(net.sizes, activations, cfg), _scalar_memory,
            "use the fast backend, or", sliced=True),
)
#: every backend by name, in the order menus list them
BACKENDS: dict[str, Backend] = {row.name: row for row in _ROWS}


def backend_row(name: str) -> Backend:
    """The row of backend ``name``; ValueError listing the backends for an unknown one."""
    if not isinstance(name, str) or name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    return BACKENDS[name]
