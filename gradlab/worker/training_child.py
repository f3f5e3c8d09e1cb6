"""The training process's own loop: ``python -m gradlab.worker.training_child``.

It reads requests from its standard input and answers on its standard output, one frame each
(gradlab.worker.wire); its first frame is ``("ready", pid)``.  A request is
``("step", n, sizes, activations, config, theta, batch_id, batch)``: the loss, gradient and
accuracy of a ``gradlab.training.scalar.ScalarBackend`` of ``sizes`` and ``activations`` with
the settings ``config`` (``TrainConfig.to_dict()``) at the weights ``theta`` on a batch, which
is ``(A1, T, T's dtype, loss name, regression)`` or None for the batch of the last request
(``batch_id`` names it).  The answer is ``("ok", n, loss, gradient, accuracy)`` or
``("error", n, kind, message)``, ``kind`` "memory" for a MemoryError.  A request that a newer
one has already followed is dropped unanswered (the app no longer waits for it).
Standard input closing ends the process.

Numbers cross as Python floats (a pickle writes a double exactly), so a step computed here
is the app's own step, bit for bit.
"""

from __future__ import annotations

import os
import select
import sys


def _requests(fd: int):
    """Each run of requests waiting in the pipe, oldest first (all but the last are stale)."""
    from gradlab.worker.wire import WireError, read_frame

    while True:
        try:
            waiting = [read_frame(fd)]
            while select.select([fd], [], [], 0)[0]:
                waiting.append(read_frame(fd))
        except (WireError, OSError):
            return
        waiting = [m for m in waiting if isinstance(m, tuple) and m[:1] == ("step",) and len(m) == 8]
        if waiting:
            yield waiting


class _Steps:
    """Computes requested steps, keeping the backend and the batch that the next request may reuse."""

    def __init__(self) -> None:
        self.backend_key: tuple | None = None
        self.backend = None
        self.batch_id: int | None = None
        self.batch = None

    def answer(self, waiting: list[tuple]) -> tuple:
        """The answer to the last of ``waiting`` (the others only leave their batch)."""
        _kind, n, sizes, activations, config, theta, batch_id, batch = waiting[-1]
        if batch is None:  # a skipped request may have brought the batch this one reuses
            batch = next((m[7] for m in reversed(waiting) if m[6] == batch_id and m[7] is not None), None)
        try:
            return ("ok", n, *self._compute(sizes, activations, config, theta, batch_id, batch))
        except MemoryError:
            return ("error", n, "memory", "the training process ran out of memory")
        except Exception as err:  # noqa: BLE001 -- every outcome goes back to the app
            return ("error", n, "error", f"{type(err).__name__}: {err}")

    def _compute(self, sizes, activations, config, theta, batch_id, batch) -> tuple:
        import numpy as np

        from gradlab.training.config import TrainConfig
        from gradlab.training.fast import Batch
        from gradlab.training.losses import loss_row
        from gradlab.training.scalar import ScalarBackend

        key = (tuple(sizes), tuple(activations), repr(sorted(config.items())))
        if key != self.backend_key:
            self.backend = ScalarBackend(sizes, activations, TrainConfig.from_dict(config))
            self.backend_key = key
        if batch is not None:
            A1, T, dtype, loss, regression = batch
            self.batch = (Batch(np.array(A1, dtype=float), np.array(T, dtype=dtype), loss_row(loss)),
                          regression)
            self.batch_id = batch_id
        elif batch_id != self.batch_id:
            raise ValueError(f"batch {batch_id} was never sent")
        data, regression = self.batch
        loss, grad, acc = self.backend.loss_and_grad(np.array(theta, dtype=float), data, regression)
        return float(loss), grad.tolist(), float(acc)


def main() -> None:
    # the frames own the real standard output; anything printed by accident goes to stderr
    proto_in, proto_out = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    # imported before "ready": a first step waits for no import
    import gradlab.training.scalar  # noqa: F401
    from gradlab.worker.wire import write_frame

    steps = _Steps()
    try:
        write_frame(proto_out, ("ready", os.getpid()))
        for waiting in _requests(proto_in):
            write_frame(proto_out, steps.answer(waiting))
    except OSError:
        pass  # the app has gone
    sys.exit(0)


if __name__ == "__main__":
    main()
