"""One serialisable state for the whole app: versioned JSON, saved atomically.

A session file is a JSON object ``{"format": "gradlab-session", "version": 1,
"expression_lab": {...}}``.  Loading never trusts the file: every field is
checked, and a problem raises ``SessionError`` naming the field, so the app can
say what is wrong and keep what the user has open.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT = "gradlab-session"
VERSION = 1
#: a session file larger than this is refused before it is read
MAX_SESSION_BYTES = 5_000_000


class SessionError(ValueError):
    """A session file that cannot be used; the message names the file's problem."""


@dataclass
class ExpressionLabState:
    source: str = ""
    selected: str = ""  # the label of the selected node, "" for none
    step_size: float = 1e-3
    overrides: dict[str, float] = field(default_factory=dict)  # input name -> value set by a slider


@dataclass
class Session:
    expression_lab: ExpressionLabState = field(default_factory=ExpressionLabState)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "version": VERSION, **asdict(self)}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Session:
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as err:
            raise SessionError(f"not valid JSON ({err})") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise SessionError("not a gradlab session (no \"format\": \"gradlab-session\")")
        version = raw.get("version")
        if version != VERSION:
            raise SessionError(f"session version {version!r} is not supported (this gradlab reads {VERSION})")
        lab = raw.get("expression_lab", {})
        if not isinstance(lab, dict):
            raise SessionError("'expression_lab' must be an object")
        return cls(expression_lab=_expression_lab_state(lab))


def _expression_lab_state(lab: dict) -> ExpressionLabState:
    state = ExpressionLabState()
    source = lab.get("source", "")
    if not isinstance(source, str):
        raise SessionError("'expression_lab.source' must be a string")
    selected = lab.get("selected", "")
    if not isinstance(selected, str):
        raise SessionError("'expression_lab.selected' must be a string")
    step = lab.get("step_size", state.step_size)
    if isinstance(step, bool) or not isinstance(step, (int, float)) or not (0 < step <= 1):
        raise SessionError("'expression_lab.step_size' must be a number in (0, 1]")
    overrides = lab.get("overrides", {})
    if not isinstance(overrides, dict) or not all(
        isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        for k, v in overrides.items()
    ):
        raise SessionError("'expression_lab.overrides' must map names to finite numbers")
    return ExpressionLabState(source, selected, float(step), {k: float(v) for k, v in overrides.items()})


def load_session(path: str | os.PathLike) -> Session:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SESSION_BYTES:
            raise SessionError(f"{path.name} is {size:,} bytes; sessions are at most {MAX_SESSION_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SessionError(f"{path.name} is not UTF-8 text") from None
    except OSError as err:
        raise SessionError(f"cannot read {path.name}: {err.strerror or err}") from None
    try:
        return Session.from_json(text)
    except SessionError as err:
        raise SessionError(f"{path.name}: {err}") from None


def save_session(session: Session, path: str | os.PathLike) -> None:
    """Write atomically: a crash mid-save leaves the old file whole."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(session.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def autosave_path() -> Path:
    """Where the app keeps the work open at exit: ``$GRADLAB_HOME`` or ``~/.local/share/gradlab``."""
    home = os.environ.get("GRADLAB_HOME")
    base = Path(home) if home else Path.home() / ".local" / "share" / "gradlab"
    return base / "autosave.gradlab"


def is_session_file(path: str | os.PathLike) -> bool:
    """Sessions end in ``.gradlab`` or ``.json``; anything else opens as a program."""
    return Path(path).suffix.lower() in (".gradlab", ".json")
