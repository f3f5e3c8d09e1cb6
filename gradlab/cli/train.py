"""``python -m gradlab train``: train a small network on a toy dataset in the terminal.

    python -m gradlab train --dataset moons --layers 16,16 --steps 100 --seed 1337

trains micrograd's moons demo (MLP 2-16-16-1, hinge loss, L2 1e-4, SGD decaying
from 1.0) with a progress bar on stderr and ends with a line such as
``step 100: loss 0.0110, accuracy 100.0%``.  Every setting not given is the dataset's
default, as the network lab picks it (``training_config.default_config``: moons' is
micrograd's demo; ``--steps`` defaults to the steps that recipe takes).  ``--csv FILE`` trains on a
file instead
(``x1,x2,label`` or ``x,y`` rows); ``--history-csv`` and ``--weights-json`` save the
per-step records and the trainer's state (weights, optimiser, history).

Exit status: 0 on success; 1 if training diverged (the loss ran away: the message is the
core's ``TrainingDiverged``, the lab's banner says the same), an
output file could not be written (the message names it) or the network and data would
need more memory than training may take (``training_config.MAX_TRAINING_BYTES``: the
message gives the numbers; nothing is built); 2 for a bad command line, a bad setting or
a data file that cannot be read; 130 if interrupted (Ctrl+C; what was done is still saved).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from pathlib import Path

from tqdm import tqdm

from gradlab import ops
from gradlab.datasets import DATASETS, DEFAULT_DATASET, Dataset, DatasetError, load_csv, make_dataset
from gradlab.training import (
    BACKENDS,
    LOSSES,
    OPTIMIZERS,
    REGULARIZATIONS,
    StepRecord,
    TooMuchMemory,
    TrainConfig,
    Trainer,
    TrainingDiverged,
)
from gradlab.training.config import (
    BACKEND_CAPTIONS,
    DEFAULT_LEARNING_RATES,
    LOSS_CAPTIONS,
    REGULARIZATION_CAPTIONS,
    default_config,
    default_steps,
)
from gradlab.training.exports import history_csv, weights_json
from gradlab.training.losses import fitting_loss

__all__ = ["add_train_parser", "train_command"]


def _whole(text: str, low: int, what: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {text!r}") from None
    if n < low:
        raise argparse.ArgumentTypeError(f"{what} must be at least {low}, not {n}")
    return n


def _number(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
    return x


def _layers(text: str) -> tuple[int, ...]:
    """``16,16`` -> (16, 16); ``""`` or ``none`` -> () (no hidden layer)."""
    if text.strip().lower() in ("", "none"):
        return ()
    return tuple(_whole(part.strip(), 1, "a layer width") for part in text.split(","))


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(","))


def _captions(captions: dict[str, str]) -> str:
    return "; ".join(f"{name}: {caption}" for name, caption in captions.items())


def _loss_help() -> str:
    """The losses with their captions, and which one each kind of data gets (``default_config``)."""
    two = TrainConfig.loss
    many = fitting_loss("classification", 3, two)  # the loss of more than two classes
    real = fitting_loss("regression", 0, two)
    return (f"{_captions(LOSS_CAPTIONS)}. Default: {two} for two classes, {many} for more, "
            f"{real} for regression")


def add_train_parser(commands) -> None:
    """Add the ``train`` subcommand to ``commands`` (argparse subparsers)."""
    p = commands.add_parser(
        "train", help="train a small network on a toy dataset (no window)",
        description="Train an MLP on a toy dataset or a CSV file and print the final loss and accuracy. "
                    "Settings not given are the dataset's defaults, as the network lab's "
                    "(moons: micrograd's demo).",
    )
    data = p.add_argument_group("data")
    data.add_argument("--dataset", choices=list(DATASETS), metavar="NAME",
                      help=f"a generated dataset: {', '.join(DATASETS)} (default moons)")
    data.add_argument("--csv", metavar="FILE", help="train on FILE (x1,x2,label or x,y rows) instead")
    data.add_argument("--samples", type=lambda t: _whole(t, 1, "--samples"), default=100, metavar="N",
                      help="points to generate (default 100)")
    data.add_argument("--noise", type=_number, default=0.1, metavar="X",
                      help="noise of generated points (default 0.1)")
    data.add_argument("--classes", type=lambda t: _whole(t, 2, "--classes"), metavar="K",
                      help="classes of spiral or gaussians (default 2)")
    data.add_argument("--test-fraction", type=_number, default=0.0, metavar="F",
                      help="share of the points held out to test on (default 0)")
    net = p.add_argument_group("network and training")
    net.add_argument("--layers", type=_layers, metavar="W,W",
                     help="hidden layer widths, e.g. 16,16; 'none' for no hidden layer "
                          "(default: the dataset's)")
    net.add_argument("--activation", type=_names, metavar="NAME",
                     help=", ".join(ops.ACTIVATIONS) + "; one, or one per hidden layer "
                          "(default: the dataset's)")
    net.add_argument("--features", type=_names, metavar="F,F",
                     help="input features, e.g. x1,x2,x1*x2 (default x1,x2)")
    net.add_argument("--loss", choices=LOSSES, help=_loss_help())
    net.add_argument("--reg", choices=(*REGULARIZATIONS, "none"),
                     help=f"a penalty on large weights: {_captions(REGULARIZATION_CAPTIONS)}; none. "
                          "Default: the dataset's")
    net.add_argument("--reg-strength", type=_number, metavar="X",
                     help="its strength (default: the dataset's)")
    net.add_argument("--optimizer", choices=OPTIMIZERS, help="default: the dataset's")
    net.add_argument("--lr", type=_number, metavar="X",
                     help="learning rate (default: the dataset's; with another --optimizer " +
                          ", ".join(f"{v:g} for {k}" for k, v in DEFAULT_LEARNING_RATES.items()) + ")")
    net.add_argument("--lr-decay", type=lambda t: _whole(t, 0, "--lr-decay"), metavar="N",
                     help="decay the rate as lr*(1 - 0.9*k/N) over N steps (0: constant; "
                          "default: the dataset's)")
    net.add_argument("--batch-size", type=lambda t: _whole(t, 1, "--batch-size"), metavar="N",
                     help="points per step (default: all of them)")
    net.add_argument("--steps", type=lambda t: _whole(t, 0, "--steps"), metavar="N",
                     help="training steps (default: as many as the dataset's settings take, 100 for moons)")
    net.add_argument("--seed", type=lambda t: _whole(t, 0, "--seed"), default=1337, metavar="S",
                     help="seed of the data, the initial weights and the batches (default 1337)")
    net.add_argument("--backend", choices=BACKENDS, default=BACKENDS[0],
                     help=", ".join(BACKEND_CAPTIONS.values()))
    out = p.add_argument_group("output")
    out.add_argument("--history-csv", metavar="FILE", help="write every step's loss and accuracy to FILE")
    out.add_argument("--weights-json", metavar="FILE",
                     help="write the trained weights (with labels), optimiser state and history to FILE")
    out.add_argument("--quiet", action="store_true", help="no progress bar")


def _dataset(args: argparse.Namespace) -> Dataset:
    if args.csv is not None:
        if args.dataset is not None:
            raise ValueError("give --dataset or --csv, not both")
        return load_csv(args.csv)
    options = {} if args.classes is None else {"classes": args.classes}
    return make_dataset(_name(args), args.samples, args.noise, seed=args.seed, **options)


def _name(args: argparse.Namespace) -> str | None:
    """The generator trained on (None for a CSV file)."""
    return None if args.csv is not None else (args.dataset or DEFAULT_DATASET)


def _config(args: argparse.Namespace, data: Dataset) -> TrainConfig:
    """The dataset's defaults (``default_config``) with every option given on the command line."""
    base = default_config(data, _name(args), seed=args.seed, test_fraction=args.test_fraction)
    given = {"layers": args.layers, "loss": args.loss, "features": args.features,
             "reg_strength": args.reg_strength, "optimizer": args.optimizer, "batch_size": args.batch_size}
    changes = {k: v for k, v in given.items() if v is not None}
    if args.activation is not None:
        changes["activation"] = args.activation[0] if len(args.activation) == 1 else args.activation
    if args.reg is not None:
        changes["regularization"] = None if args.reg == "none" else args.reg
    if args.lr is not None:
        changes["learning_rate"] = args.lr
    elif args.optimizer is not None and args.optimizer != base.optimizer:
        changes["learning_rate"] = DEFAULT_LEARNING_RATES[args.optimizer]
    if args.lr_decay is not None:
        changes["lr_decay"] = args.lr_decay or None
    return dataclasses.replace(base, **changes)


def _percent(x: float) -> str:
    return f"{100 * x:.1f}%"


def summary_line(record: StepRecord) -> str:
    """``step 100: loss 0.0110, accuracy 100.0%[, test loss ..., test accuracy ...%]``."""
    from gradlab.numfmt import format_number

    parts = [f"loss {format_number(record.loss)}"]
    if not math.isnan(record.accuracy):
        parts.append(f"accuracy {_percent(record.accuracy)}")
    if record.test_loss is not None:
        parts.append(f"test loss {format_number(record.test_loss)}")
        if not math.isnan(record.test_accuracy):
            parts.append(f"test accuracy {_percent(record.test_accuracy)}")
    return f"step {record.step}: " + ", ".join(parts)


def _describe(trainer: Trainer, data: Dataset) -> str:
    cfg = trainer.config
    shape = "-".join(str(n) for n in trainer.layer_sizes)
    rate = f"lr {cfg.learning_rate:g}" + (f" decaying over {cfg.lr_decay} steps" if cfg.lr_decay else "")
    test = f", {len(trainer.test_set.X)} held out" if trainer.test_set is not None else ""
    return (f"training MLP {shape} ({len(trainer.parameters())} parameters) on {data.name} "
            f"({len(trainer.train_set.X)} points{test}): {cfg.loss} loss, {cfg.optimizer} {rate}, "
            f"{trainer.backend} backend")


def _write_outputs(args: argparse.Namespace, trainer: Trainer) -> list[str]:
    """Write the output files asked for; a message naming each file that could not be written."""
    problems = []
    outputs = ((args.history_csv, lambda t: history_csv(t.history)), (args.weights_json, weights_json))
    for path, text in outputs:
        if not path:
            continue
        try:
            with open(path, "w", newline="", encoding="utf-8") as f:
                f.write(text(trainer))
        except OSError as err:  # the error may come at close (a full disk) and then names no file
            problems.append(f"cannot write {path}: {err.strerror or err}")
    return problems


def _check_output_folders(args: argparse.Namespace) -> None:
    for path in (args.history_csv, args.weights_json):
        if path and not Path(path).resolve().parent.is_dir():
            raise ValueError(f"cannot write {path}: the folder {Path(path).parent} does not exist")


def _train(trainer: Trainer, steps: int, quiet: bool) -> int:
    """Run the steps with a progress bar; the exit status."""
    with tqdm(total=steps, desc="training", unit="step", file=sys.stderr, disable=quiet,
              dynamic_ncols=True) as bar:
        for _ in range(steps):
            record = trainer.step()
            bar.set_postfix_str(f"loss {record.loss:.4g}", refresh=False)
            bar.update(1)
    return 0


def train_command(args: argparse.Namespace) -> int:
    """Run ``train`` with parsed ``args``; returns the exit status."""
    try:
        data = _dataset(args)
        trainer = Trainer(data, _config(args, data), backend=args.backend)
        _check_output_folders(args)
    except TooMuchMemory as err:  # a configuration that fits no memory we may take: say how much
        print(f"error: {err}", file=sys.stderr)
        return 1
    except (DatasetError, ValueError) as err:  # DatasetError names the file and line
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(_describe(trainer, data))
    status = 0
    try:
        _train(trainer, default_steps(_name(args)) if args.steps is None else args.steps, args.quiet)
    except TrainingDiverged as err:
        print(f"error: {err}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print(f"interrupted after {trainer.step_count} steps", file=sys.stderr)
        status = 130
    for problem in _write_outputs(args, trainer):
        print(f"error: {problem}", file=sys.stderr)
        status = status or 1
    print(summary_line(trainer.evaluate()))
    return status
