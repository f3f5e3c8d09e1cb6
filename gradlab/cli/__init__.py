"""The command line: ``python -m gradlab run FILE`` and ``python -m gradlab train``.

``run`` runs a program in the terminal (:mod:`gradlab.cli.run`), ``train`` trains a
network with a progress bar (:mod:`gradlab.cli.train`); each module adds its own
arguments to the one parser here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gradlab.cli.run import add_run_parser, run_command
from gradlab.cli.train import add_train_parser, train_command

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gradlab",
                                     description="Run a micrograd program or train a network in a terminal.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_run_parser(commands)
    add_train_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``run FILE [--check]`` or ``train [options]``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # --help, or a usage error already printed by argparse
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    return train_command(args) if args.command == "train" else run_command(args)
