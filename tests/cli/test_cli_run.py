"""``python -m gradlab run FILE [--check]``: the command-line runner."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SEED

from gradlab import cli, files, graph
from gradlab.cli import run as cli_run


@pytest.fixture
def write(tmp_path: Path):
    def write(text: str | bytes, name: str = "prog.py") -> str:
        p = tmp_path / name
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        return str(p)

    return write


def table_rows(out: str) -> dict[str, list[str]]:
    """name -> the cells of its row in the values table."""
    lines = out.splitlines()
    start = next(k for k, line in enumerate(lines) if line.split()[:4] == ["name", "data", "grad", "role"])
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        cells = line.split(None, 3)
        rows[cells[0]] = cells[1:]
    return rows


def test_run_seed_example(write, capsys) -> None:
    assert cli.main(["run", write(SEED)]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert captured.err == ""
    assert out.splitlines()[:3] == ["24.7041", "138.8338", "645.5773"]
    assert "g.backward()" in out and "not called" not in out
    rows = table_rows(out)
    assert list(rows) == ["a", "b", "c", "d", "e", "f", "g"]
    assert rows["a"] == ["-4.0000", "138.8338", "input"]
    assert rows["b"] == ["2.0000", "645.5773", "input"]
    assert rows["e"][2] == "intermediate"
    assert rows["g"] == ["24.7041", "1.0000", "output"]
    assert "gradient check" not in out


def test_table_columns_are_aligned(write, capsys) -> None:
    cli.main(["run", write(SEED)])
    lines = capsys.readouterr().out.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("name"))
    table = lines[start:start + 8]
    # the role column starts at the same place on every line, and numbers are right-aligned
    role_starts = {line.rfind("  ") + 2 for line in table}
    grad_ends = {len(line[:line.rfind("  ")].rstrip()) for line in table}
    assert len(role_starts) == 1 and len(grad_ends) == 1


def test_backward_called_for_you(write, capsys) -> None:
    path = write("x = Value(3.0)\ny = x * x + 1\n")
    assert cli.main(["run", path]) == 0
    out = capsys.readouterr().out
    assert "backward() was not called" in out and "y.backward()" in out
    rows = table_rows(out)
    assert rows["x"] == ["3.0000", "6.0000", "input"]
    assert rows["y"] == ["10.0000", "1.0000", "output"]


def test_check_reports_ok(write, capsys) -> None:
    assert cli.main(["run", write(SEED), "--check"]) == 0
    out = capsys.readouterr().out
    check = out[out.index("gradient check"):].splitlines()
    assert check[1].split() == ["input", "backprop", "central", "diff", "error", "verdict"]
    a = check[2].split()
    b = check[3].split()
    assert a[0] == "a" and a[1] == "138.8338" and a[2] == "138.8338" and a[-1] == "ok"
    assert b[0] == "b" and b[1] == "645.5773" and b[-1] == "ok"
    assert float(a[3]) < 1e-4 * 138.8338
    assert "MISMATCH" not in out


def test_check_flags_a_kink(write, capsys) -> None:
    # ReLU at exactly 0: backprop says 0, the central difference sees half the slope
    path = write("x = Value(0.0)\nz = Value(5.0)\ny = x.relu() * 3\n")
    assert cli.main(["run", path, "--check"]) == 1
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out[out.index("gradient check"):].splitlines()[2:]
            if line.strip() and not line[0].isdigit()}
    assert rows["x"][-1] == "MISMATCH" and rows["x"][2] == "1.5000"
    assert rows["z"] == ["z", "unused"]
    assert "1 of 1 gradients disagree" in out



def sum_program(n: int, extra: str = "") -> str:
    """``x0 .. x{n-1} = Value(.1)`` and their sum ``s``: n inputs, each nudge costing up to n adds."""
    names = [f"x{i}" for i in range(n)]
    return "".join(f"{name} = Value(.1)\n" for name in names) + extra + f"s = sum([{', '.join(names)}])\n"


def test_check_nudges_each_input_up_to_the_limit(write, capsys) -> None:
    n = cli_run.CHECK_EACH_MAX
    assert cli.main(["run", write(sum_program(n)), "--check"]) == 0
    check = capsys.readouterr().out.split("gradient check")[1].splitlines()
    assert check[0].startswith(": central differences")
    assert [line.split()[0] for line in check[2:]] == [f"x{i}" for i in range(n)]


def test_check_samples_a_big_program_in_a_few_forward_passes(write, capsys, monkeypatch) -> None:
    # 10,000 inputs one by one cost ~50 million re-evaluations (over 30 s); a sample costs ~0.2 million
    recomputed = []
    monkeypatch.setattr(graph, "recompute", lambda v, f=graph.recompute: recomputed.append(1) or f(v))
    assert cli.main(["run", write(sum_program(10_000)), "--check"]) == 0
    out = capsys.readouterr().out
    assert len(recomputed) < 500_000
    lines = out[out.index("gradient check"):].splitlines()
    assert lines[0] == ("gradient check: 10,000 inputs are too many to nudge one by one "
                        f"(over {cli_run.CHECK_EACH_MAX:,}); checking a sample (seed 0):")
    assert "each moving all 10,000 inputs at once" in lines[1]
    directions = lines[lines.index(next(x for x in lines if x.startswith("direction"))) + 1:][:5]
    assert [row.split()[0] for row in directions] == ["u1", "u2", "u3", "u4", "u5"]
    assert all(row.split()[-1] == "ok" for row in directions)
    sampled = lines[lines.index(next(x for x in lines if x.startswith("input"))) + 1:]
    assert len(sampled) == cli_run.CHECK_SAMPLE
    assert all(row.split()[1:3] == ["1.0000", "1.0000"] for row in sampled)
    again = cli.main(["run", write(sum_program(10_000)), "--check"])  # seeded: the same sample again
    assert again == 0 and capsys.readouterr().out == out


def test_a_sampled_check_catches_a_kink_and_counts_unused_inputs(write, capsys, monkeypatch) -> None:
    monkeypatch.setattr(cli_run, "CHECK_EACH_MAX", 3)
    extra = "k = Value(0.0)\nunused = Value(2.0)\nr = k.relu() * 3\n"
    path = write(sum_program(4, extra).replace("s = sum([", "s = sum([r, "))
    assert cli.main(["run", path, "--check"]) == 1
    out = capsys.readouterr().out
    assert "6 inputs are too many" in out
    assert "each moving all 5 inputs that reach the output (1 do not)" in out and "all of them, each" in out
    rows = {line.split()[0]: line.split() for line in out[out.index("gradient check"):].splitlines()
            if line[:1] in ("u", "x", "k") and line.split()[-1] in ("ok", "MISMATCH")}
    assert {name for name, row in rows.items() if row[-1] == "MISMATCH"} >= {"k"}
    assert any(name.startswith("u") and row[-1] == "MISMATCH" for name, row in rows.items())
    assert "a direction mixes every input" in out
    assert out.rstrip().endswith("1 of 5 sampled gradients disagree with the numerical estimate")


def test_a_sampled_check_with_no_input_reaching_the_output(write, capsys, monkeypatch) -> None:
    monkeypatch.setattr(cli_run, "CHECK_EACH_MAX", 1)
    assert cli.main(["run", write("a = Value(1.0)\nb = Value(2.0)\nc = Value(3.0) * 2\n"), "--check"]) == 0
    assert "none of them reaches the output: nothing to check" in capsys.readouterr().out

def test_tiny_and_huge_numbers_use_scientific_notation() -> None:
    assert cli_run.format_number(1.5) == "1.5000"
    assert cli_run.format_number(0) == "0.0000"
    assert cli_run.format_number(1e-9) == "1.0000e-09"
    assert cli_run.format_number(-3e15) == "-3.0000e+15"
    assert cli_run.format_number(float("nan")) == "nan"
    assert cli_run.format_number(float("-inf")) == "-inf"
    assert cli_run.format_number(10**400) == "inf"


def test_nan_output(write, capsys) -> None:
    path = write("x = Value(-1.0)\ny = x.log()\n")
    assert cli.main(["run", path, "--check"]) == 0
    out = capsys.readouterr().out
    assert table_rows(out)["y"][0] == "nan"
    assert out.rstrip().splitlines()[-1].split()[-1] == "n/a"


def test_program_without_values(write, capsys) -> None:
    assert cli.main(["run", write("x = 1 + 2\nprint(x)\n")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "3"
    assert "nothing to differentiate" in out


def test_error_names_the_line(write, capsys) -> None:
    path = write("x = Value(1.0)\ny = x * z\n", name="bad.py")
    assert cli.main(["run", path]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    first = captured.err.splitlines()[0]
    assert first == f"error: {path}, line 2: name 'z' is not defined"
    assert "line 2" in captured.err
    assert captured.err.splitlines()[1:] == ["    y = x * z", "            ^"]


def test_missing_file(tmp_path: Path, capsys) -> None:
    path = str(tmp_path / "nope.py")
    assert cli.main(["run", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read") and "no such file" in err


def test_directory(tmp_path: Path, capsys) -> None:
    assert cli.main(["run", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err


def test_not_utf8(write, capsys) -> None:
    assert cli.main(["run", write(b"x = Value(1.0)\ny = '\xff'\n")]) == 2
    err = capsys.readouterr().err
    assert "not UTF-8" in err and "line 2" in err


def test_utf8_with_bom(write, capsys) -> None:
    assert cli.main(["run", write("\ufeffx = Value(2.0)\ny = x * 2\n".encode())]) == 0
    assert table_rows(capsys.readouterr().out)["x"] == ["2.0000", "2.0000", "input"]


def test_too_big(write, capsys, monkeypatch) -> None:
    monkeypatch.setattr(cli_run, "MAX_SOURCE_CHARS", 100)
    assert cli.main(["run", write("x = Value(1.0)\n" * 10)]) == 2
    assert "too big" in capsys.readouterr().err
    assert cli.main(["run", write("x = Value(1.0)\n" * 5)]) == 0


def test_unreadable(write, capsys, monkeypatch) -> None:
    path = write("x = Value(1.0)\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", path)

    # chmod 0 would not stop root (CI runs as root), so the refusal is simulated
    monkeypatch.setattr(files.os, "open", denied)
    assert cli.main(["run", path]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_usage_errors(capsys) -> None:
    assert cli.main([]) == 2
    assert cli.main(["walk", "x.py"]) == 2
    assert cli.main(["run"]) == 2
    assert "usage" in capsys.readouterr().err
    assert cli.main(["run", "--help"]) == 0
    assert "--check" in capsys.readouterr().out


def test_subprocess(write) -> None:
    path = write(SEED)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "gradlab.cli", "run", path, "--check"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("24.7041\n138.8338\n645.5773\n")
    assert "138.8338" in done.stdout and " ok" in done.stdout
    bad = write("a = Value(1.0)\nb = a +\n", name="bad.py")
    done = subprocess.run([sys.executable, "-m", "gradlab.cli", "run", bad],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1 and "line 2" in done.stderr


def run_cli(*args: str, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "gradlab.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, **kwargs)


def test_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    # issue 6, defect 5: `gradlab run pipe.py` waited forever for a writer
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    done = run_cli("run", str(fifo), timeout=20)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"error: cannot read {fifo}: it is a named pipe (FIFO), not a regular file\n"


def test_device_is_refused_without_reading_it(tmp_path: Path, capsys) -> None:
    zero = tmp_path / "zero.py"
    zero.symlink_to("/dev/zero")
    assert cli.main(["run", str(zero)]) == 2
    assert capsys.readouterr().err == f"error: cannot read {zero}: it is a device, not a regular file\n"


def test_too_big_file_is_not_read(write, capsys, monkeypatch) -> None:
    monkeypatch.setattr(cli_run, "MAX_SOURCE_CHARS", 100)
    path = write("#" * 401)
    assert cli.main(["run", path]) == 2
    assert capsys.readouterr().err == (f"error: cannot read {path}: it is 401 bytes; "
                                       "a program may have at most 400 bytes\n")


def test_output_into_a_closed_pipe_ends_quietly(write) -> None:
    # `gradlab run big.py | head`: the reader leaves early; no BrokenPipeError traceback
    big = write("print(f'{1:999}')\n" * 900)  # 900 kB of output, far more than a pipe holds
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with subprocess.Popen([sys.executable, "-m", "gradlab.cli", "run", big], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env) as proc:
        assert len(proc.stdout.read(1000)) == 1000
        proc.stdout.close()  # as head does after its lines
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 1
    assert err == ""


def test_closed_pipe_at_the_final_flush_ends_quietly(write) -> None:
    # a small output sits in stdout's buffer until exit: the reader is gone before it is written
    path = write(SEED)
    r, w = os.pipe()
    os.close(r)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "gradlab.cli", "run", path], stdout=w,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    os.close(w)
    assert done.returncode == 1 and done.stderr == ""


# -- the time ceiling and --timeout (issue 20, item 3) ----------------------------------------


def test_timeout_stops_a_runaway_loop_with_a_clear_message(write, capsys) -> None:
    import time

    path = write("x = Value(1.0)\nn = 0\nwhile True:\n    n = n + 1\n")
    start = time.monotonic()
    assert cli.main(["run", "--timeout", "1", path]) == 1
    took = time.monotonic() - start
    err = capsys.readouterr().err
    assert f"{path}, line 4: this program took longer than 1 s to run; it stopped here" in err
    assert "    n = n + 1" in err and "Traceback" not in err
    assert took < 1 + 10  # the ceiling and the worker's start on a busy machine, never the 60 s default


def test_a_run_longer_than_the_old_budget_completes_by_default(write, capsys) -> None:
    # the lecture's loop for 600 steps: it made 100,000 Values by step 315, and took more than 2 s on
    # a busy machine; now only a minute of running, or too much held at once, stops a program
    loop = (Path(__file__).parents[1] / "data" / "lecture_loop.ipy").read_text(encoding="utf-8")
    assert cli.main(["run", write(loop.replace("steps = 2000\n", "steps = 600\n"))]) == 0
    out = capsys.readouterr().out
    assert "\n599 " in out and "1.0 41" in out


@pytest.mark.parametrize(("value", "words"), [
    ("abc", "'abc' is not a number of seconds"),
    ("0", "0 s is out of range"),
    ("-5", "-5 s is out of range"),
    ("1e9", "1e9 s is out of range; give more than 0 and at most 86,400"),
])
def test_a_bad_timeout_is_refused_naming_the_option(write, capsys, value, words) -> None:
    assert cli.main(["run", "--timeout", value, write("a = Value(1.0)\n")]) == 2
    err = capsys.readouterr().err
    assert "argument --timeout" in err and words in err
