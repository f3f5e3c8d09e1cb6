"""What the benchmarks that compare the working tree with a git revision share: the revision's
tree extracted into a folder, and each side measured in processes of its own, alternating (so
that both see the same neighbours on a shared machine), keeping each figure's best."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["ROOT", "command_line", "compare"]


def _extract(ref: str, into: Path, paths: Sequence[str]) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, *paths],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _run_side(script: str, path: Path, repeat: int) -> dict:
    done = subprocess.run([sys.executable, script, "--child", str(path), "--repeat", str(repeat)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(script: str, ref: str, rounds: int, repeat: int, paths: Sequence[str],
            best: Callable[[float | None, float | None], float | None] = min) -> tuple[dict, dict]:
    """(before, after): every figure ``script --child TREE --repeat N`` prints as JSON, for the
    tree of ``ref`` (its ``paths``) and for the working tree, the best of ``rounds`` processes."""
    before: dict = {}
    after: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        baseline = _extract(ref, Path(tmp), paths)
        for _ in range(rounds):
            for side, path in ((before, baseline), (after, ROOT)):
                for name, figure in _run_side(script, path, repeat).items():
                    side[name] = best(side[name], figure) if name in side else figure
    return before, after


def command_line(doc: str, rounds: int, measure: Callable[[int], dict]) -> argparse.Namespace:
    """The options every such benchmark takes (--baseline, --repeat, --rounds).  Started as one
    side's process (--child TREE), this measures with TREE's gradlab, prints the figures as JSON
    and ends the process."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git ref to compare with (default: main)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each figure in one process")
    parser.add_argument("--rounds", type=int, default=rounds, help="processes per side, alternating")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, args.child)
        print(json.dumps(measure(args.repeat)))
        sys.exit(0)
    return args
