"""gradlab.files.read_text: the one reader every opened file goes through."""

import os
import threading
from pathlib import Path

import pytest

from gradlab import files
from gradlab.files import FileError, read_program, read_text


def _finishes(fn, timeout: float = 5.0):
    """Run ``fn`` in a thread; its result or exception, failing if it blocks."""
    out: dict = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as err:  # noqa: BLE001 (handed back to the test)
            out["error"] = err

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "the reader blocked"
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.fixture
def fifo(tmp_path: Path):
    path = tmp_path / "pipe.gradlab"
    os.mkfifo(path)
    yield path
    # if a reader is stuck on it (the defect), give it a writer so the thread can end
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass


def test_reads_utf8_text(tmp_path: Path) -> None:
    p = tmp_path / "a.py"
    p.write_bytes("x = Value(1.0, label='é😀')\n".encode())
    assert read_text(p, max_bytes=100) == "x = Value(1.0, label='é😀')\n"


def test_drops_a_byte_order_mark(tmp_path: Path) -> None:
    p = tmp_path / "bom.py"
    p.write_bytes(b"\xef\xbb\xbfx = 1\n")
    assert read_text(p, max_bytes=100) == "x = 1\n"
    # only a leading one: a second BOM is text
    p.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbfx")
    assert read_text(p, max_bytes=100) == "\ufeffx"


def test_not_utf8_names_the_file_the_byte_and_the_line(tmp_path: Path) -> None:
    p = tmp_path / "latin.py"
    p.write_bytes(b"x = 1\ny = '\xff'\n")
    with pytest.raises(FileError) as info:
        read_text(p, max_bytes=100)
    assert str(info.value) == ("Cannot open latin.py: it is not UTF-8 text (byte 0xff at line 2); "
                               "save it as UTF-8")
    assert info.value.path == p and info.value.reason.startswith("it is not UTF-8")
    assert isinstance(info.value, ValueError)


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(FileError, match=r"^Cannot open nope\.gradlab: no such file$"):
        read_text(tmp_path / "nope.gradlab", max_bytes=100)
    with pytest.raises(FileError, match="it is a directory, not a file"):
        read_text(tmp_path, max_bytes=100)
    with pytest.raises(FileError, match="a folder on its path is a file"):
        (tmp_path / "f").write_text("x")
        read_text(tmp_path / "f" / "g.py", max_bytes=100)


def test_fifo_is_refused_without_blocking(fifo: Path) -> None:
    message = r"^Cannot open pipe\.gradlab: it is a named pipe \(FIFO\), not a regular file$"
    with pytest.raises(FileError, match=message):
        _finishes(lambda: read_text(fifo, max_bytes=100))


def test_fifo_swapped_in_after_the_check_is_refused_without_blocking(fifo: Path) -> None:
    # the file is checked with stat, then opened: what is opened is checked again, and the
    # open itself cannot block (O_NONBLOCK)
    with pytest.raises(FileError, match="named pipe"):
        _finishes(lambda: files._read_regular(fifo, 100))


def test_link_to_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    link = tmp_path / "zero.gradlab"
    link.symlink_to("/dev/zero")
    with pytest.raises(FileError, match=r"^Cannot open zero\.gradlab: it is a device, not a regular file$"):
        _finishes(lambda: read_text(link, max_bytes=5_000_000))


def test_too_big_by_size(tmp_path: Path) -> None:
    p = tmp_path / "big.gradlab"
    p.write_bytes(b"x" * 11)
    assert read_text(p, max_bytes=11) == "x" * 11
    with pytest.raises(FileError, match=r"^Cannot open big\.gradlab: it is 11 bytes; a session may have "
                                        r"at most 10 bytes$"):
        read_text(p, max_bytes=10, what="session")


def test_reads_at_most_max_bytes_plus_one(tmp_path: Path, monkeypatch) -> None:
    # a file whose size stat does not tell (it grew, or /proc-like): the read itself is bounded
    p = tmp_path / "grows.py"
    p.write_bytes(b"y" * 1000)
    asked = []
    real_read = os.read

    def read(fd, n):
        asked.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(files.os, "read", read)
    monkeypatch.setattr(files, "_CHUNK", 64)
    assert files._read_regular(p, 100) == b"y" * 101
    assert sum(asked) == 101 and max(asked) == 64


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_proc_file_that_claims_zero_bytes(tmp_path: Path) -> None:
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(FileError, match="more than 10 bytes"):
        read_text("/proc/self/status", max_bytes=10)
    assert "Name:" in read_text("/proc/self/status", max_bytes=100_000)


def test_permission_denied(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "secret.py"
    p.write_text("x = 1")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(p))

    # chmod 0 would not stop root (CI runs as root), so the refusal is simulated
    monkeypatch.setattr(files.os, "open", denied)
    with pytest.raises(FileError, match=r"^Cannot open secret\.py: permission denied$"):
        read_text(p, max_bytes=100)


def test_other_os_errors_keep_their_reason(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "disk.py"
    p.write_text("x = 1")

    def failing(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "read", failing)
    with pytest.raises(FileError, match=r"^Cannot open disk\.py: input/output error$"):
        read_text(p, max_bytes=100)


def test_nul_in_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="Cannot open"):
        read_text(str(tmp_path / "a\0b"), max_bytes=100)


def test_read_program_counts_characters(tmp_path: Path) -> None:
    p = tmp_path / "p.py"
    p.write_text("é" * 10, encoding="utf-8")  # 20 bytes, 10 characters
    assert read_program(p, max_chars=10) == "é" * 10
    with pytest.raises(FileError, match=r"^Cannot open p\.py: it is too big: a program may have at most "
                                        r"9 characters \(10 here\)$"):
        read_program(p, max_chars=9)
    p.write_text("x" * 41, encoding="utf-8")
    with pytest.raises(FileError, match="a program may have at most 40 bytes"):
        read_program(p, max_chars=10)


def test_subclass_keeps_its_type() -> None:
    class Sub(FileError):
        pass

    err = Sub.cannot_open("/some/where/x.gradlab", "broken")
    assert type(err) is Sub and str(err) == "Cannot open x.gradlab: broken" and err.reason == "broken"
