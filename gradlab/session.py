"""One serialisable state for the whole app: versioned JSON, saved atomically.

A session file is a JSON object ``{"format": "gradlab-session", "version": 1,
"expression_lab": {...}}``, strict JSON in UTF-8: a number that is not finite is
written as the string ``"nan"``, ``"inf"`` or ``"-inf"`` (Python's ``NaN`` and
``Infinity`` tokens are read too).  :func:`dumps_json` (:mod:`gradlab.jsonio`) is the one encoder
for everything gradlab writes as JSON (sessions, the autosave, ``train --weights-json``):
it writes any value the app holds, a NaN weight or gradient included.  Anything
gradlab saves it opens again, bit for bit: :func:`save_session` refuses to write a
session it could not read back, and ``MAX_SESSION_BYTES`` leaves room for the largest
state the app accepts (``MAX_ROWS`` imported points, the largest network, the longest
program).  In the network lab's part, a long list of floats (a dataset's points, the
weights and the optimiser's state) is written compactly and exactly as
``{"float64": "<base64 of its little-endian bytes>", "shape": [rows, columns]}``
(:func:`pack_arrays`), and read back as the list it was.

Loading never trusts the file: it is read through :func:`gradlab.files.read_text`
(a regular file of at most ``MAX_SESSION_BYTES``), every field's type is checked,
unknown keys are ignored, and every problem raises ``SessionError`` naming the file
and the field, so the app can say what is wrong and keep what the user has open.  A bad
field of the network lab does not refuse the session: ``NetworkLabState.problem`` names it,
that part of the lab is left out, and the rest opens.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gradlab.files import FileError, check_program_length, read_text, write_atomically
from gradlab.jsonio import (
    SessionError,
    _json_kind,
    decode_float,
    dumps_json,
    encode_float,
    json_ready,
    pack_arrays,
    unpack_arrays,
)

__all__ = [
    "FORMAT", "MAX_SESSION_BYTES", "VERSION", "ExpressionLabState", "Session", "SessionError",
    "autosave_path", "decode_float", "dumps_json", "encode_float", "is_session_file", "json_ready",
    "load_document", "load_session", "pack_arrays", "quarantine", "remove_stale_temporaries", "save_session",
    "unpack_arrays",
]

FORMAT = "gradlab-session"
VERSION = 1
#: a session file larger than this is refused before it is read.  The largest state the app
#: accepts is 7.5 MB: 100,000 imported points and an 8x64 network with its gradients and Adam
#: state (packed, 3.4 MB), 10,000 saved history rows, a 300,000-character program of characters
#: JSON escapes and its 100,000 inputs' slider values (tests/test_session.py builds it and saves
#: it); twice that leaves room for what a later gradlab may add
MAX_SESSION_BYTES = 16_000_000

_TEMP_SUFFIX = ".tmp"  # atomic saves write ".<name>.<random>.tmp" next to the file, then rename it


@dataclass
class ExpressionLabState:
    source: str = ""
    selected: str = ""  # the label of the selected node, "" for none
    step_size: float = 1e-3
    overrides: dict[str, float] = field(default_factory=dict)  # input name -> value set by a slider

    def to_dict(self) -> dict:
        """The JSON object of this state (not dataclasses.asdict: it deep-copies every float)."""
        return {"source": self.source, "selected": self.selected, "step_size": encode_float(self.step_size),
                "overrides": {k: encode_float(v) for k, v in self.overrides.items()}}

    @classmethod
    def from_dict(cls, lab: object) -> ExpressionLabState:
        if not isinstance(lab, dict):
            raise SessionError("'expression_lab' must be an object")
        default = cls()
        source = lab.get("source", default.source)
        if not isinstance(source, str):
            raise SessionError(f"'expression_lab.source' must be text, not {_json_kind(source)}")
        selected = lab.get("selected", default.selected)
        if not isinstance(selected, str):
            raise SessionError(f"'expression_lab.selected' must be text, not {_json_kind(selected)}")
        step = decode_float(lab.get("step_size", default.step_size), "expression_lab.step_size")
        if not 0 < step <= 1:
            raise SessionError("'expression_lab.step_size' must be a number in (0, 1]")
        raw = lab.get("overrides", {})
        if not isinstance(raw, dict):
            raise SessionError(f"'expression_lab.overrides' must be an object, not {_json_kind(raw)}")
        overrides = {k: decode_float(v, f"expression_lab.overrides.{k}") for k, v in raw.items()}
        return cls(source, selected, step, overrides)


# -- the network lab (helper E) ---------------------------------------------------------------------


@dataclass
class NetworkLabState:
    """The network lab's ``NetworkLab.state()``: ``model`` (data, settings, trainer state) is None
    while the lab was never opened; ``view`` holds its view settings.

    ``from_dict`` checks every field (``gradlab.training.lab``).  A bad one does not refuse the
    session: the lab's part that holds it (``model`` or ``view``) is left out, and ``problem``
    names the field, like ``'network_lab.model.trainer.optimizer' must be an object, not 5``,
    for the app to show while the rest of the session opens.
    """

    model: dict | None = None
    view: dict = field(default_factory=dict)
    problem: str = field(default="", compare=False)

    @classmethod
    def of(cls, state: dict | None) -> NetworkLabState:
        return cls() if state is None else cls(state.get("model"), state.get("view", {}))

    def state(self) -> dict | None:
        return None if self.model is None else {"model": self.model, "view": self.view}

    def to_dict(self) -> dict:
        return {"model": self.model, "view": self.view}

    @classmethod
    def from_dict(cls, lab: object) -> NetworkLabState:
        if not isinstance(lab, dict):
            raise SessionError(f"'network_lab' must be an object, not {_json_kind(lab)}")
        model, view = lab.get("model"), lab.get("view", {})
        if model is None and not view:
            return cls(None, {})
        from gradlab.training.lab import decode_lab_model, decode_lab_view  # numpy: only for a lab
        from gradlab.training.state import FieldError

        problems = []
        try:
            decode_lab_view(view, "network_lab.view")
        except FieldError as err:
            problems.append(str(err))
            view = {}
        if model is not None:
            try:
                decode_lab_model(model, "network_lab.model")
            except FieldError as err:
                problems.append(str(err))
                model = None
        return cls(model, view, "; ".join(problems))


# ---------------------------------------------------------------------------------------------------


@dataclass
class Session:
    """Everything the app keeps between runs: one field per lab."""

    expression_lab: ExpressionLabState = field(default_factory=ExpressionLabState)
    network_lab: NetworkLabState = field(default_factory=NetworkLabState)
    #: the open lesson's progress (gradlab.lessons.LessonProgress.to_dict(), with the lesson's
    #: "lesson" name and, for a teacher's file, its "path"), None without one; a session without
    #: it, or with one that is not an object, opens without a lesson
    lesson: dict | None = None

    def to_json(self) -> str:
        """Strict JSON (dumps_json: no NaN/Infinity tokens, whatever the labs hold), UTF-8."""
        data = {"format": FORMAT, "version": VERSION, "expression_lab": self.expression_lab.to_dict(),
                "network_lab": pack_arrays(self.network_lab.to_dict())}
        if self.lesson is not None:
            data["lesson"] = self.lesson
        return _dumps_two_levels(data)

    @classmethod
    def from_json(cls, text: str) -> Session:
        """The session in ``text``; SessionError (without a file name) saying what is wrong."""
        return cls.from_raw(_parse_json(text))

    @classmethod
    def from_raw(cls, raw: object) -> Session:
        """The session in parsed JSON ``raw``; SessionError saying what is wrong."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise SessionError("not a gradlab session (no \"format\": \"gradlab-session\")")
        version = raw.get("version")
        if type(version) is not int or version != VERSION:
            shown = json.dumps(version) if isinstance(version, (bool, int, float, type(None))) else "that"
            raise SessionError(f"session version {shown} is not supported (this gradlab reads {VERSION})")
        try:
            network = unpack_arrays(raw.get("network_lab", {}))
        except RecursionError:
            raise SessionError("'network_lab' is nested too deeply") from None
        lesson = raw.get("lesson")
        if not (isinstance(lesson, dict) and isinstance(lesson.get("lesson"), str)):
            lesson = None  # an old session, or a part no gradlab wrote: opened without a lesson
        return cls(expression_lab=ExpressionLabState.from_dict(raw.get("expression_lab", {})),
                   network_lab=NetworkLabState.from_dict(network),
                   lesson=lesson)




def _dumps_two_levels(data: dict) -> str:
    """JSON with one line per field of the first two levels: readable, and written by json's
    C encoder (``indent=`` would switch to its pure-Python one, four times slower)."""
    dumps = dumps_json

    def block(d: dict, pad: str, inner) -> str:
        if not d:
            return "{}"
        lines = [f"{pad}  {dumps(k)}: {inner(v)}" for k, v in d.items()]
        return "{\n" + ",\n".join(lines) + f"\n{pad}}}"

    return block(data, "", lambda v: block(v, "  ", dumps) if isinstance(v, dict) else dumps(v)) + "\n"


def _parse_json(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError, MemoryError) as err:
        # ValueError covers JSONDecodeError and an integer of more than 4,300 digits
        raise SessionError(f"not valid JSON ({_short(err)})") from None


def _short(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def load_session(path: str | os.PathLike) -> Session:
    """The session saved in ``path``; SessionError (``Cannot open <name>: ...``) otherwise."""
    path = Path(path)
    try:
        text = read_text(path, max_bytes=MAX_SESSION_BYTES, what="session")
        return Session.from_json(text)
    except SessionError as err:
        raise SessionError.cannot_open(path, err.reason) from None
    except FileError as err:
        raise SessionError(str(err), path=path, reason=err.reason) from None


def load_document(path: str | os.PathLike) -> Session | str:
    """What the app's Open gives: a Session, or a program's text.

    A file is a session if it ends in ``.gradlab`` or ``.json``, or if it holds a JSON
    object with ``"format": "gradlab-session"`` (a session saved without an extension);
    anything else is a program of at most MAX_SOURCE_CHARS characters.  Raises FileError
    (a SessionError for a session) with a message for the user.
    """
    path = Path(path)
    if is_session_file(path):
        return load_session(path)
    text = read_text(path, max_bytes=MAX_SESSION_BYTES, what="file")
    raw = _session_like(text)
    if raw is not None:
        try:
            return Session.from_raw(raw)
        except SessionError as err:
            raise SessionError.cannot_open(path, err.reason) from None
    check_program_length(text, path)
    return text


def _session_like(text: str) -> dict | None:
    """The parsed JSON object if ``text`` is one claiming to be a gradlab session, else None."""
    if not text.lstrip().startswith("{") or FORMAT not in text:
        return None
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError, MemoryError):
        return None  # not JSON: a program (its run will say what is wrong with it)
    return raw if isinstance(raw, dict) and raw.get("format") == FORMAT else None


def save_session(session: Session, path: str | os.PathLike) -> None:
    """Write atomically: a crash mid-save leaves the old file whole.

    Raises SessionError, writing nothing, if the session could not be opened again (too
    big for MAX_SESSION_BYTES, or a field load_session would refuse); OSError if the
    file cannot be written.
    """
    path = Path(path)
    text = session.to_json()
    data = text.encode("utf-8")
    try:
        if len(data) > MAX_SESSION_BYTES:
            raise SessionError(f"this session is {len(data):,} bytes, more than the "
                               f"{MAX_SESSION_BYTES:,} a session may have")
        Session.from_json(text)
    except SessionError as err:
        raise SessionError(f"Cannot save {path.name}: {err.reason}", path=path, reason=err.reason) from None
    write_atomically(path, data, _TEMP_SUFFIX)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a power cut could otherwise undo it); best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some systems cannot sync a folder: the file itself is already on disk
    finally:
        os.close(fd)


def autosave_path() -> Path:
    """Where the app keeps the work open at exit: ``$GRADLAB_HOME`` or ``~/.local/share/gradlab``."""
    home = os.environ.get("GRADLAB_HOME")
    base = Path(home) if home else Path.home() / ".local" / "share" / "gradlab"
    return base / "autosave.gradlab"


def is_session_file(path: str | os.PathLike) -> bool:
    """Sessions end in ``.gradlab`` or ``.json`` (load_document also knows one by its content)."""
    return Path(path).suffix.lower() in (".gradlab", ".json")


def quarantine(path: str | os.PathLike, now: datetime | None = None) -> Path:
    """Move a file gradlab cannot read out of the way, keeping it: ``path`` is renamed to
    ``<name>.unreadable-<YYYYmmdd-HHMMSS>`` (``-2``, ``-3``, ... appended if that exists).
    Returns the new path; OSError if the file cannot be moved."""
    path = Path(path)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = f"{path.name}.unreadable-{stamp}"
    for n in range(1, 10_000):
        target = path.with_name(base if n == 1 else f"{base}-{n}")
        if os.path.lexists(target):
            continue
        try:
            os.link(path, target, follow_symlinks=False)  # fails if target appeared meanwhile
        except FileExistsError:
            continue
        except OSError:  # no hard links here (some file systems): a plain rename
            if os.path.lexists(target):
                continue
            os.rename(path, target)
            return target
        os.unlink(path)
        return target
    raise FileExistsError(f"too many unreadable copies of {path.name} already")


def remove_stale_temporaries(path: str | os.PathLike, *, older_than: float = 10.0) -> int:
    """Delete what killed atomic saves of ``path`` left behind (``.<name>.*.tmp`` next to
    it, regular files only, last written more than ``older_than`` seconds ago so that a save
    in progress in another window is left alone).  Returns how many were deleted."""
    path = Path(path)
    prefix = f".{path.name}."
    folder = path.parent
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    limit = datetime.now().timestamp() - older_than
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(_TEMP_SUFFIX)
                and len(name) > len(prefix) + len(_TEMP_SUFFIX)):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if entry.is_file(follow_symlinks=False) and st.st_mtime <= limit:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed
