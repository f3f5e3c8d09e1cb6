"""Sessions: anything gradlab saves opens again, bit for bit; any file is refused with a message."""

import json
import math
import os
import struct
import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradlab import resources, session
from gradlab.expr import MAX_SOURCE_CHARS, run_program
from gradlab.files import FileError
from gradlab.session import (
    MAX_SESSION_BYTES,
    ExpressionLabState,
    Session,
    SessionError,
    load_document,
    load_session,
    quarantine,
    remove_stale_temporaries,
    save_session,
)


def same_float(a: float, b: float) -> bool:
    """Equal as the app sees them: the same bits, any nan matching any nan."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return struct.pack("<d", a) == struct.pack("<d", b)


def same_state(a: ExpressionLabState, b: ExpressionLabState) -> bool:
    return (a.source == b.source and a.selected == b.selected and same_float(a.step_size, b.step_size)
            and list(a.overrides) == list(b.overrides)
            and all(same_float(a.overrides[k], b.overrides[k]) for k in a.overrides))


def round_trip(state: ExpressionLabState, path: Path) -> ExpressionLabState:
    save_session(Session(state), path)
    return load_session(path).expression_lab


def write_raw(path: Path, raw: object) -> Path:
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def doc(**lab) -> dict:
    return {"format": "gradlab-session", "version": 1, "expression_lab": lab}


# -- round trips ----------------------------------------------------------------------------


def test_non_finite_overrides_round_trip_as_strict_json(tmp_path: Path) -> None:
    # defect 1: `x = Value(1/0)` then quit: the autosave held Infinity and was refused
    state = ExpressionLabState("x = Value(1/0)\ny = x * 2\n", "y", 1e-3,
                               {"x": math.inf, "n": -math.inf, "z": math.nan, "m": -0.0, "t": 5e-324})
    path = tmp_path / "s.gradlab"
    back = round_trip(state, path)
    assert same_state(back, state)
    assert math.copysign(1, back.overrides["m"]) == -1
    text = path.read_text(encoding="utf-8")

    def no_tokens(token):
        raise AssertionError(f"{token} is not strict JSON")

    raw = json.loads(text, parse_constant=no_tokens)
    assert raw["expression_lab"]["overrides"] == {"x": "inf", "n": "-inf", "z": "nan", "m": -0.0, "t": 5e-324}


def test_python_nan_and_infinity_tokens_are_read(tmp_path: Path) -> None:
    path = tmp_path / "s.gradlab"
    path.write_text('{"format": "gradlab-session", "version": 1, "expression_lab": '
                    '{"overrides": {"a": NaN, "b": Infinity, "c": -Infinity}}}', encoding="utf-8")
    o = load_session(path).expression_lab.overrides
    assert math.isnan(o["a"]) and o["b"] == math.inf and o["c"] == -math.inf


def test_empty_program_and_defaults(tmp_path: Path) -> None:
    assert same_state(round_trip(ExpressionLabState(), tmp_path / "e.gradlab"), ExpressionLabState())
    path = write_raw(tmp_path / "min.gradlab", {"format": "gradlab-session", "version": 1})
    assert same_state(load_session(path).expression_lab, ExpressionLabState())


@pytest.mark.parametrize("char", ["x", "\0", "😀", "\ud800", "\u2028", '"', "\\"])
def test_huge_program_of_any_characters_round_trips(tmp_path: Path, char: str) -> None:
    source = char * MAX_SOURCE_CHARS
    state = ExpressionLabState(source, char * 1000, 0.5, {char * 10: 1.0})
    path = tmp_path / "huge.gradlab"
    assert same_state(round_trip(state, path), state)
    assert path.stat().st_size <= MAX_SESSION_BYTES
    path.read_bytes().decode("utf-8")  # strict UTF-8, even with lone surrogates in the text


def test_every_example_round_trips(tmp_path: Path) -> None:
    assert len(resources.examples()) >= 7
    for ex in resources.examples():
        source = ex.source()
        program = run_program(source)
        overrides = {name: program.values[name].data * 1.5 + 0.1 for name in program.inputs}
        selected = program.output.label if program.output is not None else ""
        state = ExpressionLabState(source, selected, 1e-5, overrides)
        assert same_state(round_trip(state, tmp_path / f"{ex.name}.gradlab"), state), ex.name
        # and a session saved without an extension reopens as a session
        bare = tmp_path / ex.name
        save_session(Session(state), bare)
        opened = load_document(bare)
        assert isinstance(opened, Session) and same_state(opened.expression_lab, state)


any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)
any_float = st.floats(allow_nan=True, allow_infinity=True)
states = st.builds(
    ExpressionLabState,
    source=any_text,
    selected=any_text,
    step_size=st.floats(min_value=0, max_value=1, exclude_min=True),
    overrides=st.dictionaries(any_text, any_float, max_size=20),
)


@pytest.fixture
def unflushed(monkeypatch):
    """Saves without the flush to the disk (os.fsync), for a test saving hundreds of files to check
    what is written: that is read back alike from the page cache; the atomic, durable write has its
    own tests (test_save_is_atomic_and_leaves_nothing_behind and the ones after it)."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=states)
def test_any_state_round_trips(tmp_path: Path, unflushed, state: ExpressionLabState) -> None:
    assert same_state(round_trip(state, tmp_path / "p.gradlab"), state)
    assert same_state(Session.from_json(Session(state).to_json()).expression_lab, state)


# -- hostile and broken files ---------------------------------------------------------------


def test_five_thousand_digit_integer_is_a_session_error(tmp_path: Path) -> None:
    # defect 4: json raised ValueError (int too long to convert), which crashed the start-up
    for where in ('"version": 1, "x": ', '"version": ', '"version": 1, "expression_lab": {"step_size": ',
                  '"version": 1, "expression_lab": {"overrides": {"a": '):
        closing = "}" * where.count("{")
        path = tmp_path / "digits.gradlab"
        text = '{"format": "gradlab-session", ' + where + "9" * 5000 + closing + "}"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(SessionError, match=r"^Cannot open digits\.gradlab: "):
            load_session(path)


def test_integer_beyond_float_range(tmp_path: Path) -> None:
    path = tmp_path / "big.gradlab"
    path.write_text(json.dumps(doc(overrides={"a": 10**400})), encoding="utf-8")
    with pytest.raises(SessionError, match=r"'expression_lab\.overrides\.a' is too large a number"):
        load_session(path)


@pytest.mark.parametrize("text", [
    "", "{", "[" * 100_000 + "]" * 100_000,
    '{"format": "gradlab-session", "version": 1' + ', "x": [' * 50_000,
    "null", "[]", '"gradlab-session"', "\ud800",
])
def test_garbage_is_a_session_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.gradlab"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(SessionError, match=r"^Cannot open bad\.gradlab: "):
        load_session(path)


@pytest.mark.parametrize("error", [MemoryError, RecursionError, ValueError])
def test_any_parse_failure_is_a_session_error(tmp_path: Path, monkeypatch, error) -> None:
    def loads(*args, **kwargs):
        raise error("out of something")

    monkeypatch.setattr(session.json, "loads", loads)
    with pytest.raises(SessionError, match=r"^Cannot open s\.gradlab: not valid JSON \(out of something\)$"):
        load_session(write_raw(tmp_path / "s.gradlab", doc()))


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.gradlab"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc(source="x = Value(2.0)")).encode())
    assert load_session(path).expression_lab.source == "x = Value(2.0)"


@pytest.mark.parametrize("version", [True, 1.0, "1", 2, 0, None, [1]])
def test_only_the_integer_one_is_a_version(tmp_path: Path, version) -> None:
    path = write_raw(tmp_path / "v.gradlab", {"format": "gradlab-session", "version": version})
    with pytest.raises(SessionError, match="session version .* is not supported"):
        load_session(path)


def test_missing_version_or_format(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="version"):
        load_session(write_raw(tmp_path / "a.gradlab", {"format": "gradlab-session"}))
    with pytest.raises(SessionError, match="not a gradlab session"):
        load_session(write_raw(tmp_path / "b.gradlab", {"version": 1}))


@pytest.mark.parametrize(("lab", "message"), [
    ([], "'expression_lab' must be an object"),
    ({"source": 1}, "'expression_lab.source' must be text, not a number"),
    ({"source": None}, "'expression_lab.source' must be text, not null"),
    ({"selected": ["a"]}, "'expression_lab.selected' must be text, not a list"),
    ({"step_size": "big"}, "'expression_lab.step_size' must be a number, not text"),
    ({"step_size": True}, "'expression_lab.step_size' must be a number, not true/false"),
    ({"step_size": 0}, r"'expression_lab.step_size' must be a number in \(0, 1\]"),
    ({"step_size": 2}, "step_size"),
    ({"step_size": "nan"}, "step_size"),
    ({"overrides": []}, "'expression_lab.overrides' must be an object, not a list"),
    ({"overrides": {"a": "1.0"}}, "'expression_lab.overrides.a' must be a number, not text"),
    ({"overrides": {"a": False}}, "'expression_lab.overrides.a' must be a number, not true/false"),
    ({"overrides": {"a": {}}}, "not an object"),
])
def test_every_field_is_checked(tmp_path: Path, lab, message: str) -> None:
    raw = {"format": "gradlab-session", "version": 1, "expression_lab": lab}
    with pytest.raises(SessionError, match=message):
        load_session(write_raw(tmp_path / "f.gradlab", raw))


def test_unknown_keys_are_tolerated(tmp_path: Path) -> None:
    raw = doc(source="a = Value(1.0)", later={"x": 1}, overrides={"a": 2})
    raw["network_lab"] = {"layers": [2, 2]}
    raw["comment"] = "made by a newer gradlab"
    state = load_session(write_raw(tmp_path / "u.gradlab", raw)).expression_lab
    assert state.source == "a = Value(1.0)" and state.overrides == {"a": 2.0}
    assert type(state.overrides["a"]) is float


def test_size_limit_is_enforced_by_the_reader(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "s.gradlab"
    save_session(Session(ExpressionLabState("x" * 1000)), path)
    monkeypatch.setattr(session, "MAX_SESSION_BYTES", 500)
    with pytest.raises(SessionError, match=r"it is [\d,]+ bytes; a session may have at most 500 bytes"):
        load_session(path)


def test_fifo_and_device_sessions_are_refused_at_once(tmp_path: Path) -> None:
    # defect 5: a FIFO hung the app; a link to /dev/zero ate memory
    fifo = tmp_path / "pipe.gradlab"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.gradlab"
    zero.symlink_to("/dev/zero")
    start = time.monotonic()
    with pytest.raises(SessionError, match="named pipe"):
        load_session(fifo)
    with pytest.raises(SessionError, match="device"):
        load_session(zero)
    with pytest.raises(FileError, match="named pipe"):
        load_document(tmp_path / "pipe.gradlab")
    os.rename(fifo, tmp_path / "pipe.py")
    with pytest.raises(FileError, match="named pipe"):
        load_document(tmp_path / "pipe.py")
    assert time.monotonic() - start < 5


def test_session_error_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(SessionError) as info:
        load_session(tmp_path / "missing.gradlab")
    err = info.value
    assert isinstance(err, FileError) and isinstance(err, ValueError)
    assert str(err) == "Cannot open missing.gradlab: no such file"
    assert err.path == tmp_path / "missing.gradlab" and err.reason == "no such file"


# -- load_document ------------------------------------------------------------------------------


def test_load_document_tells_sessions_from_programs(tmp_path: Path) -> None:
    program = tmp_path / "p.py"
    program.write_text("a = Value(1.0)\n", encoding="utf-8")
    assert load_document(program) == "a = Value(1.0)\n"
    # JSON that is not a session is a program (run_program will say what is wrong with it)
    other = tmp_path / "data"
    other.write_text('{"format": "something-else"}', encoding="utf-8")
    assert load_document(other) == '{"format": "something-else"}'
    # a session without an extension, even with a BOM
    bare = tmp_path / "session"
    bare.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc(source="b = Value(2.0)")).encode())
    assert load_document(bare).expression_lab.source == "b = Value(2.0)"
    # a broken session recognised by its content is a SessionError, not a program
    write_raw(bare, {"format": "gradlab-session", "version": 2})
    with pytest.raises(SessionError, match=r"^Cannot open session: session version 2"):
        load_document(bare)
    # by extension: .json must be a session
    with pytest.raises(SessionError, match="not a gradlab session"):
        load_document(write_raw(tmp_path / "x.json", {"a": 1}))


def test_load_document_refuses_a_program_too_long(tmp_path: Path) -> None:
    p = tmp_path / "long.py"
    p.write_text("x" * (MAX_SOURCE_CHARS + 1), encoding="utf-8")
    with pytest.raises(FileError, match=r"^Cannot open long\.py: it is too big: a program may have"):
        load_document(p)
    p.write_text("x" * MAX_SOURCE_CHARS, encoding="utf-8")
    assert len(load_document(p)) == MAX_SOURCE_CHARS


# -- saving -----------------------------------------------------------------------------------


def test_save_is_atomic_and_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "s.gradlab"
    save_session(Session(ExpressionLabState("old = Value(1.0)")), path)

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(session.os, "replace", crash)
    with pytest.raises(OSError, match="No space"):
        save_session(Session(ExpressionLabState("new = Value(2.0)")), path)
    monkeypatch.undo()
    assert load_session(path).expression_lab.source == "old = Value(1.0)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.gradlab"]


def test_save_refuses_what_it_could_not_open_again(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "s.gradlab"
    with pytest.raises(SessionError, match=r"^Cannot save s\.gradlab: 'expression_lab\.step_size'"):
        save_session(Session(ExpressionLabState(step_size=math.nan)), path)
    monkeypatch.setattr(session, "MAX_SESSION_BYTES", 200)
    with pytest.raises(SessionError, match=r"^Cannot save s\.gradlab: this session is [\d,]+ bytes"):
        save_session(Session(ExpressionLabState("x" * 500)), path)
    assert list(tmp_path.iterdir()) == []


def test_save_into_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        save_session(Session(), tmp_path / "nope" / "s.gradlab")


# -- quarantine and stale temporaries ------------------------------------------------------------


def test_quarantine_keeps_the_file_under_a_new_name(tmp_path: Path) -> None:
    path = tmp_path / "autosave.gradlab"
    now = datetime(2026, 11, 26, 7, 5, 9)
    names = []
    for content in (b"garbage 1", b"garbage 2", b"garbage 3"):
        path.write_bytes(content)
        moved = quarantine(path, now=now)
        names.append(moved.name)
        assert not path.exists() and moved.read_bytes() == content and moved.parent == tmp_path
    assert names == ["autosave.gradlab.unreadable-20261126-070509",
                     "autosave.gradlab.unreadable-20261126-070509-2",
                     "autosave.gradlab.unreadable-20261126-070509-3"]
    assert quarantine_name_is_dated(tmp_path)


def quarantine_name_is_dated(folder: Path) -> bool:
    path = folder / "x.gradlab"
    path.write_text("?")
    stamp = quarantine(path).name.rsplit("unreadable-", 1)[1]
    return datetime.strptime(stamp, "%Y%m%d-%H%M%S").year >= 2024


def test_quarantine_of_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        quarantine(tmp_path / "gone.gradlab")
    assert list(tmp_path.iterdir()) == []


def test_remove_stale_temporaries(tmp_path: Path) -> None:
    path = tmp_path / "autosave.gradlab"
    path.write_text("{}")
    old = time.time() - 3600
    stale = [tmp_path / ".autosave.gradlab.k2j3h4.tmp", tmp_path / ".autosave.gradlab.x_y.tmp"]
    for p in stale:
        p.write_text("half a sess")
        os.utime(p, (old, old))
    fresh = tmp_path / ".autosave.gradlab.new.tmp"  # another window may be saving right now
    fresh.write_text("{")
    keep = [tmp_path / ".other.gradlab.a.tmp", tmp_path / "autosave.gradlab.tmp",
            tmp_path / ".autosave.gradlab.tmp", tmp_path / ".autosave.gradlab.a.txt"]
    for p in keep:
        p.write_text("keep")
        os.utime(p, (old, old))
    folder = tmp_path / ".autosave.gradlab.dir.tmp"
    folder.mkdir()
    os.utime(folder, (old, old))
    assert remove_stale_temporaries(path) == 2
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and folder.is_dir() and path.exists() and all(p.exists() for p in keep)
    assert remove_stale_temporaries(path, older_than=0) == 1 and not fresh.exists()
    assert remove_stale_temporaries(tmp_path / "nowhere" / "a.gradlab") == 0


def test_a_killed_save_leaves_a_temporary_that_is_then_removed(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "autosave.gradlab"

    def killed(fd):
        raise KeyboardInterrupt  # stands for a kill between writing and renaming

    monkeypatch.setattr(session.os, "fsync", killed)
    monkeypatch.setattr(session.Path, "unlink", lambda *a, **k: None)  # a real kill cleans nothing
    with pytest.raises(KeyboardInterrupt):
        save_session(Session(), path)
    monkeypatch.undo()
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".autosave.gradlab.")
    assert remove_stale_temporaries(path, older_than=0) == 1
    assert list(tmp_path.iterdir()) == []


# -- one encoder for every value; network lab arrays packed (issue 16, items 5 and 7) -----------------


def test_dumps_json_writes_any_value_the_app_holds_as_strict_json() -> None:
    import numpy as np

    value = {"w": [1.0, math.nan, (math.inf, -math.inf)], "grad": np.array([0.5, np.nan]),
             "t": np.int64(3), "lr": np.float32(0.25), 7: "a key that is a number", "s": "\ud800"}
    text = session.dumps_json(value)

    def refuse(token: str):
        raise AssertionError(f"{token} is not strict JSON")

    back = json.loads(text, parse_constant=refuse)
    assert back == {"w": [1.0, "nan", ["inf", "-inf"]], "grad": [0.5, "nan"], "t": 3, "lr": 0.25,
                    "7": "a key that is a number", "s": "\ud800"}
    assert text.encode("utf-8")  # a lone surrogate is escaped: the text is valid UTF-8
    with pytest.raises(TypeError, match="object cannot be saved"):
        session.dumps_json({"x": object()})


def network_state(n_points: int, layers: tuple = (64,) * 8, rows: int = 3, features: tuple = ("x1", "x2")
                  ) -> dict:
    """A network lab's state shaped as NetworkLab.state() makes it: imported data of ``n_points`` points
    in ten classes (24-character numbers, the longest), a cross-entropy network of ``layers`` over
    ``features`` with its Adam state, ``rows`` steps of history.  Every field is one the loader
    accepts (a network too big to train here included: the lab opens it without a trainer)."""
    import numpy as np

    from gradlab.training.config import parameter_count

    n_params = parameter_count((len(features), *layers, 10))
    rng = np.random.default_rng(1)
    X = (rng.normal(size=(n_points, 2)) * 1e-123).tolist()  # 24-character numbers, the longest
    theta = (rng.normal(size=n_params) * -1e-123).tolist()
    history = [[k, float(rng.normal()) * 1e-123, None, None, None] for k in range(rows)]
    config = {"layers": list(layers), "features": list(features), "loss": "cross_entropy",
              "optimizer": "adam", "learning_rate": 0.01}
    model = {"data_settings": {"name": ""},
             "dataset": {"X": X, "y": [k % 10 for k in range(n_points)], "kind": "classification",
                         "num_classes": 10, "name": "custom"},
             "config": config,
             "backend": "fast",
             "trainer": {"format": "gradlab.trainer", "version": 1, "config": config, "backend": "fast",
                         "step": rows, "parameters": theta, "gradients": list(theta),
                         "optimizer": {"name": "adam", "t": rows, "m": list(theta), "v": list(theta)},
                         "history": history},
             "selected_point": -1}
    return {"model": model, "view": {"speed": 1}}


def test_non_finite_network_state_saves_and_reopens_bit_for_bit(tmp_path: Path) -> None:
    import numpy as np

    from gradlab.session import NetworkLabState

    for layers in ((16,), (64, 64)):  # 218 parameters (written as numbers) and 5,002 (packed)
        state = network_state(200, layers)
        trainer = state["model"]["trainer"]
        n_params = len(trainer["parameters"])
        trainer["parameters"][:4] = [math.nan, math.inf, -math.inf, -0.0]
        trainer["gradients"] = [math.nan] * n_params
        trainer["history"][1][1] = math.inf
        path = save_to(tmp_path / f"nan{n_params}.gradlab", Session(network_lab=NetworkLabState.of(state)))
        assert "NaN" not in path.read_text(encoding="utf-8")
        back = load_session(path).network_lab.state()["model"]["trainer"]
        # a short list holds "nan", "inf", "-inf" (encode_float); the lab reads it as floats
        params = np.array(back["parameters"], dtype=float).tolist()
        assert all(same_float(a, b) for a, b in zip(params, trainer["parameters"], strict=True))
        assert np.isnan(np.array(back["gradients"], dtype=float)).all()
        assert float(back["history"][1][1]) == math.inf


def save_to(path: Path, s: Session) -> Path:
    save_session(s, path)
    return path


def test_long_float_lists_are_packed_exactly_and_compactly(tmp_path: Path) -> None:
    from gradlab.session import NetworkLabState

    state = network_state(100_000, (64,) * 8, features=("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1"))
    plain = len(json.dumps(state))
    path = save_to(tmp_path / "big.gradlab", Session(network_lab=NetworkLabState.of(state)))
    assert path.stat().st_size < 0.45 * plain
    raw = json.loads(path.read_text(encoding="utf-8"))["network_lab"]["model"]
    assert raw["dataset"]["X"]["shape"] == [100_000, 2]  # packed: a shape and base64 text
    assert isinstance(raw["dataset"]["y"], list)  # labels are whole numbers: kept as they are
    assert load_session(path).network_lab.state() == state  # lists of floats again, every bit


@pytest.mark.parametrize("packed, message", [
    ({"float64": "not base64!", "shape": [3]}, "'network_lab.model.dataset.X.float64' is not base64"),
    ({"float64": "AAAAAAAA8D8=", "shape": [2]}, "holds 1 numbers, not the 2 of its shape"),
    ({"float64": "AAAAAAAA8D8=", "shape": [1, 1, 1]}, "'network_lab.model.dataset.X.shape' must be"),
    ({"float64": "AAAAAAAA8D8=", "shape": [-1]}, "'network_lab.model.dataset.X.shape' must be"),
])
def test_a_damaged_packed_list_is_refused_naming_the_field(tmp_path: Path, packed, message) -> None:
    raw = doc()
    raw["network_lab"] = {"model": {"dataset": {"X": packed}}, "view": {}}
    with pytest.raises(SessionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_session(write_raw(tmp_path / "s.gradlab", raw))


def test_a_network_lab_nested_as_deep_as_json_allows_is_a_session_error(tmp_path: Path) -> None:
    depth = 900  # json reads it; walking it for packed lists would fail with RecursionError
    path = tmp_path / "deep.gradlab"
    path.write_text('{"format": "gradlab-session", "version": 1, "network_lab": {"model": {"x": '
                    + "[" * depth + "]" * depth + "}}}", encoding="utf-8")
    with pytest.raises(SessionError, match="deep.gradlab: 'network_lab' is nested too deeply"):
        load_session(path)


@pytest.mark.slow  # the largest state there is, saved and read back
def test_the_largest_state_the_app_accepts_fits_a_session(tmp_path: Path) -> None:
    """MAX_ROWS points of the longest numbers, the largest network with its Adam state, the saved
    history, the longest program of characters JSON escapes, and sliders for its inputs."""
    from gradlab.datasets import FEATURES, MAX_CLASSES, MAX_ROWS
    from gradlab.expr import MAX_NODES
    from gradlab.labs.network import MAX_SAVED_HISTORY
    from gradlab.session import NetworkLabState
    from gradlab.training.config import MAX_HIDDEN_LAYERS, MAX_NEURONS

    width = MAX_NEURONS
    n_params = ((len(FEATURES) + 1) * width + (MAX_HIDDEN_LAYERS - 1) * (width + 1) * width
                + (width + 1) * MAX_CLASSES)
    state = network_state(MAX_ROWS, (width,) * MAX_HIDDEN_LAYERS, rows=MAX_SAVED_HISTORY,
                          features=tuple(FEATURES))
    assert len(state["model"]["trainer"]["parameters"]) == n_params
    # the names of the inputs are in the program: all of them together are at most its length
    overrides = {f"x{k}": -1.2345678901234567e-123 for k in range(MAX_NODES)}
    source = "\x01" * (MAX_SOURCE_CHARS - sum(map(len, overrides)))
    s = Session(ExpressionLabState(source, "", 1e-3, overrides), NetworkLabState.of(state))
    path = save_to(tmp_path / "largest.gradlab", s)
    assert path.stat().st_size <= MAX_SESSION_BYTES
    back = load_session(path)
    assert back.network_lab.state() == state and len(back.expression_lab.overrides) == MAX_NODES


def test_the_weights_export_writes_non_finite_weights_as_strict_json(tmp_path: Path) -> None:
    import argparse

    from gradlab.cli import train as cli_train
    from gradlab.datasets import make_dataset
    from gradlab.training import Trainer

    trainer = Trainer(make_dataset("moons", n_samples=20))
    trainer.set_parameter(0, math.nan)
    trainer.set_parameter(1, -math.inf)
    out = tmp_path / "weights.json"
    cli_train._write_outputs(argparse.Namespace(history_csv=None, weights_json=str(out)), trainer)

    def refuse(token: str):
        raise AssertionError(f"{token} is not strict JSON")

    saved = json.loads(out.read_text(encoding="utf-8"), parse_constant=refuse)
    assert saved["parameters"][:2] == ["nan", "-inf"]
    assert saved["parameters"][2:] == trainer.parameters()[2:]
