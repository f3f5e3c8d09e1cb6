"""``python -m gradlab run FILE [--check] [--timeout SECONDS]``: run a micrograd program in the terminal.

Prints what the program prints, then a table of every named value with its data,
its gradient and its role (input, intermediate or output).  If the program did not
call ``.backward()``, gradlab calls it on the output first and says so.

``--check`` then nudges every input by ``h = 1e-6`` both ways and compares the
central difference with backprop's gradient: ``ok`` when they agree to a relative
1e-4 (plus a little slack for round-off, which grows with the output's size),
``MISMATCH`` when they do not (at a kink such as ReLU at 0, or an op with a wrong
backward rule).  A program with more than ``CHECK_EACH_MAX`` inputs is checked along a
few random directions instead (all inputs moved at once, ``gradlab.probe.directional_probe``)
and at a few inputs picked at random; the output says which.

The program runs in the app's worker process (gradlab.worker), under the same ceilings as in
the window: a crash, a stall in C or a memory bomb is a message naming the line, never a
traceback or a signal.  It may run for 60 s (gradlab.lang.limits.MAX_RUN_SECONDS);
``--timeout SECONDS`` sets another limit, and Ctrl+C stops it (exit status 130).

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

import numpy as np

from gradlab.engine import Value
from gradlab.expr import MAX_SOURCE_CHARS, ExpressionError, Program
from gradlab.files import FileError, read_program
from gradlab.graph import GraphModel
from gradlab.lang.limits import MAX_RUN_SECONDS
from gradlab.numfmt import format_number
from gradlab.probe import directional_probe, nudge_probe
from gradlab.worker import run_isolated

__all__ = ["CHECK_EACH_MAX", "CHECK_H", "CHECK_RTOL", "add_run_parser", "format_number", "read_source",
           "run_command"]

#: the step of ``--check``'s central differences
CHECK_H = 1e-6
#: relative tolerance of ``--check``
CHECK_RTOL = 1e-4
#: absolute slack of ``--check``, times max(1, |output|): round-off in f(x+h) - f(x-h) is
#: about 1e-16 * |output| / h = 1e-10 * |output|, so this leaves a factor of 100
CHECK_ATOL = 1e-8
#: ``--check`` nudges each input on its own up to this many inputs (each nudge re-evaluates
#: what lies downstream of it, so 10,000 inputs of a sum would take a minute)
CHECK_EACH_MAX = 200
#: past CHECK_EACH_MAX: this many random directions through all the inputs at once ...
CHECK_DIRECTIONS = 5
#: ... and this many inputs picked at random, nudged one by one
CHECK_SAMPLE = 10
#: the seed of those random picks: a rerun checks the same directions and inputs
CHECK_SEED = 0
#: the longest ``--timeout`` (a day)
MAX_TIMEOUT = 86_400


def read_source(path: str) -> str:
    """The UTF-8 text of the program ``path`` (a byte-order mark is dropped), read through
    gradlab.files: FileError if it is missing, not a regular file, too big or not UTF-8."""
    return read_program(path, MAX_SOURCE_CHARS)


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
    lines = program.console_lines()  # the run's notes first (torch: gradlab's stand-in)
    for line in lines:
        print(line, file=out)
    if lines:
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
    return _check(program, graph, out)


def _check(program: Program, graph: GraphModel, out) -> int:
    """``--check``: every input nudged on its own, or, past CHECK_EACH_MAX, a seeded sample."""
    inputs = [(name, graph.index.get(id(program.values[name]))) for name in program.inputs]
    if len(inputs) > CHECK_EACH_MAX:
        return _check_sampled(inputs, graph, out)
    print(f"gradient check: central differences with h = {CHECK_H:g}, relative tolerance {CHECK_RTOL:g}",
          file=out)
    if not inputs:
        print("no inputs to check", file=out)
        return 0
    rows = [(name, "", "", "", "unused") if i is None else _input_row(graph, name, i) for name, i in inputs]
    _input_table(rows, out)
    checked = sum(row[-1] != "unused" for row in rows)
    return _verdicts(sum(row[-1] == "MISMATCH" for row in rows), checked, "gradients", out)


def _input_row(graph: GraphModel, name: str, i: int) -> tuple[str, ...]:
    r = nudge_probe(graph, i, CHECK_H)
    verdict = _verdict(r.grad, r.central_diff, r.f0)
    return name, format_number(r.grad), format_number(r.central_diff), f"{abs(r.central_error):.2e}", verdict


def _input_table(rows: list[tuple[str, ...]], out) -> None:
    header = ("input", "backprop", "central diff", "error", "verdict")
    for line in _table(header, rows, (False, True, True, True, False)):
        print(line, file=out)


def _verdicts(mismatches: int, checked: int, what: str, out) -> int:
    if mismatches:
        print(f"{mismatches} of {checked} {what} disagree with the numerical estimate", file=out)
        return 1
    return 0


def _check_sampled(inputs: list[tuple[str, int | None]], graph: GraphModel, out) -> int:
    """Too many inputs to nudge one by one (each nudge re-evaluates what lies downstream):
    a few random directions through all the used inputs at once, and a random sample of them."""
    used = [(name, i) for name, i in inputs if i is not None]
    unused = len(inputs) - len(used)
    print(f"gradient check: {len(inputs):,} inputs are too many to nudge one by one "
          f"(over {CHECK_EACH_MAX:,}); checking a sample (seed {CHECK_SEED}):", file=out)
    if not used:
        print("none of them reaches the output: nothing to check", file=out)
        return 0
    rng = np.random.default_rng(CHECK_SEED)
    directions = rng.standard_normal((CHECK_DIRECTIONS, len(used)))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    sample = sorted(rng.choice(len(used), size=min(CHECK_SAMPLE, len(used)), replace=False).tolist())
    moved = f"all {len(used):,} inputs" + (f" that reach the output ({unused:,} do not)" if unused else "")
    print(f"  {CHECK_DIRECTIONS} random directions u, each moving {moved} at once:\n"
          "    the central difference (f(x + h u) - f(x - h u)) / 2h against backprop's grad . u", file=out)
    picked = "all of them" if len(sample) == len(used) else f"{len(sample)} inputs picked at random"
    print(f"  {picked}, each nudged on its own", file=out)
    print(f"  h = {CHECK_H:g}, relative tolerance {CHECK_RTOL:g}", file=out)
    indices = [i for _, i in used]
    rows = []
    for k, u in enumerate(directions, 1):
        r = directional_probe(graph, indices, u, CHECK_H)
        rows.append((f"u{k}", format_number(r.grad), format_number(r.central_diff),
                     f"{abs(r.central_error):.2e}", _verdict(r.grad, r.central_diff, r.f0)))
    for line in _table(("direction", "grad . u", "central diff", "error", "verdict"), rows,
                       (False, True, True, True, False)):
        print(line, file=out)
    print(file=out)
    sampled = [_input_row(graph, *used[k]) for k in sample]
    _input_table(sampled, out)
    wrong_ways = sum(row[-1] == "MISMATCH" for row in rows)
    if wrong_ways:
        print("a direction mixes every input: the inputs above, or a smaller program, show which "
              "gradient is wrong", file=out)
    status = _verdicts(wrong_ways, len(rows), "directional derivatives", out)
    return max(status, _verdicts(sum(row[-1] == "MISMATCH" for row in sampled), len(sampled),
                                 "sampled gradients", out))


def add_run_parser(commands) -> None:
    """The ``run`` command's arguments, on ``commands`` (argparse's subparsers)."""
    run = commands.add_parser(
        "run", help="run a program and print its values and gradients",
        description="Run FILE, print what it prints, then every named value with its data and gradient.",
    )
    run.add_argument("file", metavar="FILE", help="a micrograd program (UTF-8 text)")
    run.add_argument("--check", action="store_true",
                     help="compare each input's gradient with a central difference (exit 1 on a mismatch)")
    run.add_argument("--timeout", metavar="SECONDS", type=_seconds, default=MAX_RUN_SECONDS,
                     help=f"stop the program after this many seconds (default {MAX_RUN_SECONDS:g}, "
                          f"up to {MAX_TIMEOUT:,})")


def _seconds(text: str) -> float:
    """``--timeout``'s value: a number of seconds above 0 and at most MAX_TIMEOUT."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 < seconds <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"{text} s is out of range; give more than 0 and at most {MAX_TIMEOUT:,}")
    return seconds


def run_command(args: argparse.Namespace) -> int:
    """Run ``args.file`` in the worker and print its report; returns the exit status."""
    try:
        source = read_source(args.file)
    except FileError as e:
        print(f"error: cannot read {args.file}: {e.reason}", file=sys.stderr)
        return 2
    try:
        program = run_isolated(source, seconds=getattr(args, "timeout", MAX_RUN_SECONDS))
    except KeyboardInterrupt:  # Ctrl+C: the worker process is ended at exit
        print(f"error: {args.file}: stopped (Ctrl+C)", file=sys.stderr)
        return 130
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

