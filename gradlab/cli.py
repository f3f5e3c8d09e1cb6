"""``python -m gradlab run FILE [--check]``: run a micrograd program in the terminal.

Prints what the program prints, then a table of every named value with its data,
its gradient and its role (input, intermediate or output).  If the program did not
call ``.backward()``, gradlab calls it on the output first and says so.

``--check`` then nudges every input by ``h = 1e-6`` both ways and compares the
central difference with backprop's gradient: ``ok`` when they agree to a relative
1e-4 (plus a little slack for round-off, which grows with the output's size),
``MISMATCH`` when they do not (at a kink such as ReLU at 0, or an op with a wrong
backward rule).

Exit status: 0 on success; 1 if the program failed (the message names the line)
or ``--check`` found a mismatch, or the output's reader left early (``| head``); 2 for a
bad command line or a file that cannot be read (missing, unreadable, not UTF-8, too big,
not a regular file: a named pipe or a device is refused without reading it).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence

from gradlab.cli_train import add_train_parser, train_command
from gradlab.engine import Value
from gradlab.expr import MAX_SOURCE_CHARS, ExpressionError, Program, run_program
from gradlab.files import FileError, read_program
from gradlab.graph import GraphModel
from gradlab.probe import nudge_probe

__all__ = ["CHECK_H", "CHECK_RTOL", "main", "format_number", "read_source"]

#: the step of ``--check``'s central differences
CHECK_H = 1e-6
#: relative tolerance of ``--check``
CHECK_RTOL = 1e-4
#: absolute slack of ``--check``, times max(1, |output|): round-off in f(x+h) - f(x-h) is
#: about 1e-16 * |output| / h = 1e-10 * |output|, so this leaves a factor of 100
CHECK_ATOL = 1e-8


def read_source(path: str) -> str:
    """The UTF-8 text of the program ``path`` (a byte-order mark is dropped), read through
    gradlab.files: FileError if it is missing, not a regular file, too big or not UTF-8."""
    return read_program(path, MAX_SOURCE_CHARS)


def format_number(x: float | int) -> str:
    """Four decimals for ordinary sizes, scientific notation for tiny and huge ones."""
    try:
        x = float(x)
    except OverflowError:  # an int too big for a float
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 or 1e-4 <= abs(x) < 1e12:
        return f"{x:.4f}"
    return f"{x:.4e}"


def _table(header: Sequence[str], rows: list[Sequence[str]], numeric: Sequence[bool]) -> list[str]:
    """Aligned columns: numbers right-aligned, text left-aligned, two spaces apart."""
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [cell.rjust(w) if num else cell.ljust(w)
                 for cell, w, num in zip(r, widths, numeric, strict=True)]
        out.append("  ".join(cells).rstrip())
    return out


def _name_of(program: Program, v: Value) -> str:
    for name, w in program.values.items():
        if w is v:
            return name
    return v.label or "the output"


def _source_line(source: str, line: int, col: int) -> list[str]:
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not 1 <= line <= len(lines):
        return []
    text = lines[line - 1].expandtabs(1)
    if not text.strip() or len(text) > 200:
        return []
    caret = " " * (max(col, 1) - 1) + "^"
    return ["    " + text, "    " + caret]


def _role(graph: GraphModel, v: Value) -> str:
    i = graph.index.get(id(v))
    if i is None:  # not used by the output
        return ("intermediate" if v._prev else "input") + " (unused)"
    role = graph.roles[i]
    return "input" if role in ("input", "parameter", "constant") else role


def _verdict(grad: float, central: float, f0: float) -> str:
    if not math.isfinite(f0):
        return "n/a"
    if grad == central:
        return "ok"
    error = abs(central - grad)
    tol = CHECK_RTOL * max(abs(grad), abs(central)) + CHECK_ATOL * max(1.0, abs(f0))
    return "ok" if error <= tol else "MISMATCH"  # nan fails the comparison


def _report(program: Program, check: bool, out) -> int:
    for line in program.printed:
        print(line, file=out)
    if program.printed:
        print(file=out)
    if program.output is None:
        print("no Value in this program: nothing to differentiate", file=out)
        return 0
    graph = GraphModel(program.output)
    output_name = _name_of(program, program.output)
    if program.backward_called:
        print(f"gradients from the program's {output_name}.backward(): grad = d {output_name} / d value",
              file=out)
    elif program.gradients_touched or program.mirrored:
        print("gradients as the program left them (set by hand or by _backward())", file=out)
    else:
        graph.backward()
        print(f"backward() was not called: gradlab called {output_name}.backward() "
              f"(grad = d {output_name} / d value)", file=out)
    rows = [(name, format_number(v.data), format_number(v.grad), _role(graph, v))
            for name, v in program.values.items()]
    for line in _table(("name", "data", "grad", "role"), rows, (False, True, True, False)):
        print(line, file=out)
    if not check:
        return 0

    print(file=out)
    print(f"gradient check: central differences with h = {CHECK_H:g}, relative tolerance {CHECK_RTOL:g}",
          file=out)
    rows = []
    mismatches = checked = 0
    for name in program.inputs:
        v = program.values[name]
        i = graph.index.get(id(v))
        if i is None:
            rows.append((name, "", "", "", "unused"))
            continue
        r = nudge_probe(graph, i, CHECK_H)
        verdict = _verdict(r.grad, r.central_diff, r.f0)
        mismatches += verdict == "MISMATCH"
        checked += 1
        rows.append((name, format_number(r.grad), format_number(r.central_diff),
                     f"{abs(r.central_error):.2e}", verdict))
    if not rows:
        print("no inputs to check", file=out)
        return 0
    header = ("input", "backprop", "central diff", "error", "verdict")
    for line in _table(header, rows, (False, True, True, True, False)):
        print(line, file=out)
    if mismatches:
        print(f"{mismatches} of {checked} gradients disagree with the numerical estimate", file=out)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gradlab",
                                     description="Run a micrograd program or train a network in a terminal.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run", help="run a program and print its values and gradients",
        description="Run FILE, print what it prints, then every named value with its data and gradient.",
    )
    run.add_argument("file", metavar="FILE", help="a micrograd program (UTF-8 text)")
    run.add_argument("--check", action="store_true",
                     help="compare each input's gradient with a central difference (exit 1 on a mismatch)")
    add_train_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``run FILE [--check]``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # --help, or a usage error already printed by argparse
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    if args.command == "train":
        return train_command(args)
    try:
        source = read_source(args.file)
    except FileError as e:
        print(f"error: cannot read {args.file}: {e.reason}", file=sys.stderr)
        return 2
    try:
        program = run_program(source)
    except ExpressionError as err:
        print(f"error: {args.file}, {err}", file=sys.stderr)
        for line in _source_line(source, err.line, err.col):
            print(line, file=sys.stderr)
        return 1
    return print_to_stdout(lambda: _report(program, args.check, sys.stdout))


def print_to_stdout(report: Callable[[], int]) -> int:
    """``report()``'s exit status, flushed; 1, quietly, if stdout's reader has gone.

    ``gradlab run big.py | head``: head leaves after ten lines and the next write fails
    with BrokenPipeError.  As Python's documentation on SIGPIPE advises, the rest of the
    output goes to devnull (so the flush at exit cannot fail again) and the exit status is 1.
    """
    try:
        status = report()
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # stdout is not a file here
            pass
        return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
