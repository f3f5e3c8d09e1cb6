"""The two labs joined, without Qt: a program's trained MLP opened in the network lab, and a traced
point of the network lab written as a program for the expression lab.

``network_handoff(program.trained)`` reads the plain descriptions the worker wrote of a program's
MLPs (gradlab.lang.trained) and makes the network lab's saved state for the first that the lab
can show: the same layer sizes and activations, the weights exactly, the program's points as the
data (targets -1/1 or 0/1: two classes; whole numbers 0 .. k-1 for k outputs: k classes; other
numbers, one input: a curve to fit).  Of the losses that suit the data, it picks the one whose
value at these weights is the program's own loss (``loss_now``); the note says when none is.
Or it says why the lab cannot show it: "the network lab draws 1 or 2 inputs; this MLP takes 3".

``point_program(trainer, index)`` writes a program that builds training point ``index``'s loss
graph as the network lab's point graph builds it: its weights as labelled Values, the point, the
forward pass, the loss and ``backward()``.  Run in the expression lab, it gives the same numbers.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from gradlab.datasets import CLASSIFICATION, REGRESSION, Dataset, DatasetError
from gradlab.numfmt import format_number
from gradlab.training import TrainConfig, Trainer
from gradlab.training.lab import DataSettings, LabModel, encode_lab_model
from gradlab.training.losses import LOSSES, loss_row

__all__ = ["NUMBERS_PER_LINE", "Handoff", "network_handoff", "point_program"]

#: the data the network lab's two-class losses read as classes
_CLASS_TARGETS = ({-1.0, 1.0}, {0.0, 1.0})


@dataclass(frozen=True)
class Handoff:
    """What the expression lab offers for a program's MLP ``name``: the network lab's model state
    (``state``, for ``NetworkCore.load_state``) or why it cannot (``problem``); ``headline`` says
    what opens in a few words ("MLP 2-4-4-1, 6 points"), ``summary`` in a few sentences,
    ``loss_note`` how the lab's loss there compares with the program's."""

    name: str
    state: dict | None = None
    problem: str = ""
    summary: str = ""
    loss_note: str = ""
    lab_loss: float = math.nan
    headline: str = ""


class _Refused(ValueError):
    """Why a description cannot open in the network lab, in a learner's words."""


def network_handoff(trained: list[dict]) -> Handoff | None:
    """The first of a program's MLPs the network lab can show, or (none can) why the first cannot;
    None when the program left no MLP."""
    if not trained:
        return None
    first = None
    for record in trained:
        name = str(record.get("name", "")) if isinstance(record, dict) else ""
        try:
            handoff = _handoff(record)
        except _Refused as err:
            handoff = Handoff(name, problem=str(err))
        except (TypeError, ValueError, KeyError, DatasetError) as err:
            handoff = Handoff(name, problem=f"the network lab cannot use {name or 'this MLP'}: {err}")
        if handoff.state is not None:
            return handoff
        first = first or handoff
    return first


# -- reading a description -----------------------------------------------------------------------


def _floats(raw: object, what: str) -> list[float]:
    if not isinstance(raw, list) or not all(type(x) in (int, float) and math.isfinite(x) for x in raw):
        raise _Refused(f"the program's {what} could not be read")
    return [float(x) for x in raw]


def _shape(record: dict) -> tuple[list[int], list[str]]:
    sizes, acts = record.get("sizes"), record.get("activations")
    if (not isinstance(sizes, list) or not all(type(s) is int and s > 0 for s in sizes) or len(sizes) < 2
            or not isinstance(acts, list) or len(acts) != len(sizes) - 1
            or not all(isinstance(a, str) for a in acts)):
        raise _Refused("the program's MLP could not be read")
    return sizes, acts


def _check_shape(name: str, sizes: list[int], acts: list[str], mixed: bool) -> None:
    if sizes[0] not in (1, 2):
        raise _Refused(f"the network lab draws 1 or 2 inputs; this MLP takes {sizes[0]}")
    if mixed:
        raise _Refused(f"the neurons of one layer of {name} use different activations; "
                       "the network lab gives each layer one")
    if acts[-1] != "linear":
        raise _Refused(f"the network lab's output layer is linear; {name}'s uses {acts[-1]}")


def _task(ys: list[float], outputs: int, inputs: int) -> tuple[str, list[float], int, tuple[str, ...]]:
    """(kind, labels, classes, the losses that suit it) for targets ``ys`` and the MLP's outputs."""
    values = set(ys)
    if outputs == 1:
        if any(values <= c for c in _CLASS_TARGETS):
            if len(values) < 2:
                raise _Refused(f"all {len(ys)} targets are {format_number(ys[0])}: the network lab needs "
                               "points of two classes")
            losses = tuple(n for n, row in LOSSES.items()
                           if row.serves(CLASSIFICATION, 2) and not row.multiclass)
            return CLASSIFICATION, [1.0 if y == 1 else 0.0 for y in ys], 2, losses
        if inputs != 1:
            raise _Refused(f"the network lab fits curves of one input; this MLP takes {inputs} and its "
                           "targets are not classes (-1/1 or 0/1)")
        return REGRESSION, ys, 0, tuple(n for n, row in LOSSES.items() if row.regression)
    if not all(y == int(y) and 0 <= y < outputs for y in ys):
        raise _Refused(f"this MLP has {outputs} outputs, so its targets must be classes 0 .. {outputs - 1}")
    losses = tuple(n for n, row in LOSSES.items() if row.multiclass)
    return CLASSIFICATION, ys, outputs, losses


def _handoff(record: dict) -> Handoff:
    name = str(record.get("name", "the MLP"))
    sizes, acts = _shape(record)
    _check_shape(name, sizes, acts, bool(record.get("mixed_activations")))
    params = _floats(record.get("parameters"), "weights")
    xs, ys = record.get("xs"), _floats(record.get("ys", []), "targets")
    if not isinstance(xs, list) or not xs or not ys:
        raise _Refused(f"found {name} but no points for it: a list of points with {sizes[0]} number(s) "
                       "each (like xs) and a list of as many targets (like ys)")
    X = np.array([_floats(row, "points") for row in xs], dtype=float)
    if X.shape != (len(ys), sizes[0]):
        raise _Refused("the program's points and targets do not fit the MLP")
    kind, labels, classes, losses = _task(ys, sizes[-1], sizes[0])
    if kind == CLASSIFICATION and sizes[0] == 1:
        X = np.hstack([X, np.zeros_like(X)])  # the lab's classes live in a plane: x2 = 0
    where = f"{record.get('xs_name')}, {record.get('ys_name')}"
    data = Dataset(X, np.array(labels), kind, max(classes, 2) if kind == CLASSIFICATION else 0,
                   f"program ({where})")
    hidden = acts[:-1]
    cfg = TrainConfig(layers=tuple(sizes[1:-1]), activation=tuple(hidden) if hidden else "relu",
                      loss=losses[0], regularization=None, lr_decay=None, learning_rate=0.05,
                      features=("x1", "x2") if sizes[0] == 2 else ("x1",))
    program_loss = record.get("loss_now")
    program_loss = float(program_loss) if type(program_loss) in (int, float) else None
    trainer, note = _matching_trainer(data, cfg, params, losses, program_loss)
    settings = DataSettings(name="", n_samples=len(ys))
    state = encode_lab_model(LabModel(settings, data, trainer.config, "fast", trainer))
    shape = "-".join(map(str, sizes))
    what = ("a curve" if kind == REGRESSION else f"{classes} classes")
    summary = (f"Open {name} (MLP {shape}, {', '.join(hidden) or 'no hidden layer'}) in the network lab "
               f"with its weights and the {len(ys)} points of {where} ({what}). {note}")
    headline = f"MLP {shape}, {len(ys)} points"
    return Handoff(name, state, "", summary, note, trainer.evaluate().loss, headline)


def _loaded(data: Dataset, cfg: TrainConfig, params: list[float]) -> Trainer:
    trainer = Trainer(data, cfg, backend="fast")
    if len(params) != len(trainer.parameters()):
        raise _Refused("the program's weights do not fit its MLP")
    for i, w in enumerate(params):
        trainer.set_parameter(i, w)
    return trainer


def _matching_trainer(data: Dataset, cfg: TrainConfig, params: list[float], losses: tuple[str, ...],
                      program_loss: float | None) -> tuple[Trainer, str]:
    """A trainer with these weights and, of ``losses``, the one whose value is the program's loss;
    and a sentence saying how the two compare."""
    tried = []
    for name in losses:
        trainer = _loaded(data, dataclasses.replace(cfg, loss=name), params)
        lab = trainer.evaluate().loss
        tried.append((trainer, lab))
        if program_loss is not None and math.isclose(lab, program_loss, rel_tol=1e-9, abs_tol=1e-12):
            return trainer, (f"Its loss there, {loss_row(name).caption}, is {format_number(lab)}: "
                             "your program's loss at these weights.")
    trainer, lab = tried[0]
    caption = loss_row(trainer.config.loss).caption
    if program_loss is None:
        return trainer, f"Its loss there ({caption}) is {format_number(lab)}."
    n = len(data)
    if lab and math.isclose(program_loss, n * lab, rel_tol=1e-9):
        return trainer, (f"Its loss there ({caption}) is {format_number(lab)}: your program's "
                         f"{format_number(program_loss)} is {n} times it, a sum where the lab takes "
                         "the mean.")
    return trainer, (f"Its loss there ({caption}) is {format_number(lab)}; your program computes its loss "
                     f"another way ({format_number(program_loss)} at these weights).")


# -- a traced point as a program --------------------------------------------------------------------

_LOSS_LINES = {
    "svm": ["# the hinge loss (micrograd's): 0 once y * score is past the margin of 1",
            "loss = (1 + -y * score).relu()"],
    "mse": ["# the squared error", "loss = (score - y) ** 2"],
    "logistic": ["# the logistic loss log(1 + exp(-y * score)), written so exp never overflows",
                 "z = -y * score", "r = z.relu()", "loss = r + (1 + (z - 2 * r).exp()).log()"],
    "cross_entropy": ["# softmax cross-entropy: -log(softmax(scores)[y]); m keeps exp from overflowing",
                      "m = max(s.data for s in scores)",
                      "loss = sum((s - m).exp() for s in scores).log() - (scores[y] - m)"],
}


#: how many numbers a line of the program holds (a wider layer's row goes on over several lines)
NUMBERS_PER_LINE = 4
#: the program's helpers: the weights as labelled Values, a neuron's sum in micrograd's order
_HELPERS = """\
# Every weight and bias is a Value labelled as the lab labels it: w<layer>.<neuron>.<input>
# and b<layer>.<neuron>, counted from 0.

def weights(k, rows):
    return [[Value(w, label=f'w{k}.{j}.{i}') for i, w in enumerate(row)]
            for j, row in enumerate(rows)]

def biases(k, values):
    return [Value(b, label=f'b{k}.{j}') for j, b in enumerate(values)]

def neuron(w, b, x):
    # b + w0*x0 + w1*x1 + ...: micrograd's order of the sum
    act = b
    for wi, xi in zip(w, x):
        act = act + wi * xi
    return act
""".split("\n")


def _number(x: float) -> str:
    """``x`` as the program writes it, exactly (a diverged weight as ``float('nan')``)."""
    x = float(x)
    return repr(x) if math.isfinite(x) else f"float('{x}')"


def _layer_lines(k: int, rows: list[list[float]], biases: list[float], inputs: int, act: str) -> list[str]:
    what = f"{inputs} inputs" if k == 0 else f"the {inputs} neurons of layer {k}"
    count = f"{len(rows)} neuron" + ("s" if len(rows) > 1 else "")
    lines = [f"# layer {k + 1}: {count} reading {what}, activation {act}",
             f"W{k} = weights({k}, ["]
    for j, row in enumerate(rows):
        lines += _wrapped("    [", [_number(w) for w in row], "],", f"  # n{k}.{j}")
    return [*lines, "])", *_wrapped(f"B{k} = biases({k}, [", [_number(b) for b in biases], "])")]


def _wrapped(head: str, numbers: list[str], tail: str, comment: str = "") -> list[str]:
    """``head`` + the numbers + ``tail``, NUMBERS_PER_LINE numbers a line (lines go on indented)."""
    pad = " " * len(head)
    chunks = [", ".join(numbers[i:i + NUMBERS_PER_LINE]) for i in range(0, len(numbers), NUMBERS_PER_LINE)]
    lines = [(head if n == 0 else pad) + chunk + ("," if n < len(chunks) - 1 else tail)
             for n, chunk in enumerate(chunks or [""])]
    lines[0] += comment
    return lines


def point_program(trainer: Trainer, index: int) -> str:
    """A program that builds training point ``index``'s loss graph through ``trainer``'s weights, as
    ``trainer.point_graph(index)`` does, and runs ``backward()`` (see the module)."""
    cfg, sizes = trainer.config, trainer.layer_sizes
    train = trainer.train_set
    if not 0 <= index < len(train):
        raise IndexError(f"point index {index} out of range: the training set has {len(train)} points")
    theta = trainer.parameters()
    features = trainer.features(train.X[index:index + 1])[0].tolist()
    loss = loss_row(cfg.loss)
    target = loss.targets(train.y[index:index + 1], train.kind == REGRESSION).reshape(-1)[0]
    acts = [*cfg.hidden_activations, "linear"]
    where = ", ".join(format_number(v) for v in train.X[index])
    lines = [f"# Point {index} of the network lab's training data, at ({where}), through its network",
             f"# (MLP {'-'.join(map(str, sizes))}): the graph the lab traces, as a program.",
             *_HELPERS]
    at = 0
    for k in range(len(sizes) - 1):
        rows, biases = [], []
        for _j in range(sizes[k + 1]):
            rows.append(theta[at:at + sizes[k]])
            biases.append(theta[at + sizes[k]])
            at += sizes[k] + 1
        lines += _layer_lines(k, rows, biases, sizes[k], acts[k]) + [""]
    names = ", ".join(f"Value({_number(v)}, label='{f}')"
                      for v, f in zip(features, cfg.features, strict=True))
    lines += ["# the point: its inputs as the network reads them, and its target",
              f"x = [{names}]", f"y = {int(target) if loss.multiclass else _number(target)}", ""]
    lines += _forward_lines(acts, sizes[-1])
    lines += ["", *_LOSS_LINES[cfg.loss], "loss.label = 'loss'", "loss.backward()"]
    return "\n".join(lines) + "\n"


def _forward_lines(acts: list[str], outputs: int) -> list[str]:
    lines = ["# the forward pass, layer by layer: each neuron's sum, then its layer's activation", "h = x"]
    for k, act in enumerate(acts):
        call = "" if act == "linear" else f".{act}()"
        lines.append(f"h = [neuron(w, b, h){call} for w, b in zip(W{k}, B{k})]")
    return lines + (["score = h[0]"] if outputs == 1 else ["scores = h  # one score per class"])
