"""The optimisers, one row each: the single place an update rule is written.

Like :mod:`gradlab.ops` for operations, ``OPTIMIZERS`` maps a name to a small ``OptimizerRow``:
its caption (what the network editor shows), its default learning rate (the command line's
default when another optimiser is chosen), its state (the arrays it keeps per parameter, named
as a saved session names them, and whether it counts steps in ``t``), its hyperparameters and
its update.  ``gradlab.training`` (both backends) steps a flat numpy vector with a row, and
:mod:`gradlab.nn`'s ``SGD``, ``Momentum``, ``Adam``, ``RMSprop`` step ``Value`` parameters
with the same row, so every rule is written once.

Adding an optimiser is one row here: the training config, the CLI's ``--optimizer`` choices and
help, the editor's combo, saving and loading sessions and the tests that loop over optimisers
all read this table.

An update is ``update(theta, grad, lr, state, **hyper) -> (new_theta, new_state)`` on float64
arrays; it changes nothing it is given, so a diverging step can be refused.  ``state`` holds
the row's ``arrays`` (and ``t`` when the row ``counts_steps``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

__all__ = ["OPTIMIZERS", "OptimizerRow", "optimizer_row"]

State = dict


@dataclass(frozen=True)
class OptimizerRow:
    """One optimiser: see the module docstring."""

    name: str
    caption: str
    default_lr: float
    update: Callable[..., tuple[np.ndarray, State]]
    hyper: Mapping[str, object] = field(default_factory=dict)  # defaults of update's keyword arguments
    arrays: tuple[str, ...] = ()  # per-parameter state, as saved: ("m", "v")
    counts_steps: bool = False  # the state has a step count "t"

    def initial_state(self, size: int) -> State:
        state: State = {"t": 0} if self.counts_steps else {}
        state.update((name, np.zeros(size)) for name in self.arrays)
        return state

    def step(self, theta: np.ndarray, grad: np.ndarray, lr: float, state: State,
             **hyper) -> tuple[np.ndarray, State]:
        """The new parameters and state (the row's hyperparameters, overridden by ``hyper``)."""
        with np.errstate(all="ignore"):
            return self.update(theta, grad, lr, state, **{**self.hyper, **hyper})


def _sgd(theta, grad, lr, state):
    return theta - lr * grad, {}


def _momentum(theta, grad, lr, state, beta):
    velocity = beta * state["velocity"] + grad  # v = beta * v + grad; p -= lr * v
    return theta - lr * velocity, {"velocity": velocity}


def _adam(theta, grad, lr, state, betas, eps):
    b1, b2 = betas
    t = state["t"] + 1
    m = b1 * state["m"] + (1.0 - b1) * grad
    v = b2 * state["v"] + (1.0 - b2) * grad * grad
    c1, c2 = 1.0 - b1**t, 1.0 - b2**t  # bias correction: the first step moves each parameter by about lr
    return theta - lr * (m / c1) / (np.sqrt(v / c2) + eps), {"t": t, "m": m, "v": v}


def _rmsprop(theta, grad, lr, state, rho, eps):
    square = rho * state["square"] + (1.0 - rho) * grad * grad  # a running mean of grad**2
    return theta - lr * grad / (np.sqrt(square) + eps), {"square": square}


_ROWS = (
    OptimizerRow("sgd", "SGD", 1.0, _sgd),
    OptimizerRow("momentum", "momentum", 0.1, _momentum, {"beta": 0.9}, ("velocity",)),
    OptimizerRow("adam", "Adam", 0.01, _adam, {"betas": (0.9, 0.999), "eps": 1e-8}, ("m", "v"),
                 counts_steps=True),
    OptimizerRow("rmsprop", "RMSprop", 0.01, _rmsprop, {"rho": 0.9, "eps": 1e-8}, ("square",)),
)
#: every optimiser by name, in the order menus list them
OPTIMIZERS: dict[str, OptimizerRow] = {row.name: row for row in _ROWS}


def optimizer_row(name: str) -> OptimizerRow:
    """The row of ``name``; ValueError listing the optimisers for an unknown one."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name]
