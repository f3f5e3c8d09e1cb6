"""``python -m gradlab run FILE [--check]``: the command-line runner."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SEED

from gradlab import cli, files


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


def test_tiny_and_huge_numbers_use_scientific_notation() -> None:
    assert cli.format_number(1.5) == "1.5000"
    assert cli.format_number(0) == "0.0000"
    assert cli.format_number(1e-9) == "1.0000e-09"
    assert cli.format_number(-3e15) == "-3.0000e+15"
    assert cli.format_number(float("nan")) == "nan"
    assert cli.format_number(float("-inf")) == "-inf"
    assert cli.format_number(10**400) == "inf"


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
    monkeypatch.setattr(cli, "MAX_SOURCE_CHARS", 100)
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
    monkeypatch.setattr(cli, "MAX_SOURCE_CHARS", 100)
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
