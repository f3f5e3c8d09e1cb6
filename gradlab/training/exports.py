"""What a training run is written out as, one format each, for the CLI (``--history-csv``,
``--weights-json``) and the network lab's File > Export alike; and the weights read back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from gradlab.jsonio import dumps_json

#: the history file's columns, in order
HISTORY_COLUMNS = ("step", "loss", "accuracy", "test_loss", "test_accuracy")


def history_csv(history: Iterable) -> str:
    """The step records (``step, loss, accuracy, test_loss, test_accuracy``) as CSV text; floats
    written with repr, so they read back exactly; a missing test figure is an empty cell."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HISTORY_COLUMNS)
    for r in history:
        writer.writerow([r.step, repr(r.loss), repr(r.accuracy),
                         "" if r.test_loss is None else repr(r.test_loss),
                         "" if r.test_accuracy is None else repr(r.test_accuracy)])
    return out.getvalue()


def weights_json(trainer) -> str:
    """The trainer's ``state_dict()`` with the parameters' labels first: what
    ``Trainer.from_state`` (and File > Import Weights) reads back."""
    state = {"parameter_labels": trainer.parameter_labels(), **trainer.state_dict()}
    return dumps_json(state, indent=1) + "\n"


def read_weights_json(text: str) -> dict:
    """The state a weights file holds (ValueError naming the problem if it is not one)."""
    try:
        state = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON (line {err.lineno}: {err.msg})") from None
    if not isinstance(state, dict) or "parameters" not in state or "config" not in state:
        raise ValueError("not a weights file: it has no 'config' and 'parameters' (gradlab writes them "
                         "with File > Export > Weights or python -m gradlab train --weights-json)")
    state.pop("parameter_labels", None)
    return state
