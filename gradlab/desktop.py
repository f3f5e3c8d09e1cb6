"""How gradlab presents itself to the desktop: its name and version, and a Linux launcher entry.

``gradlab --install-desktop-entry`` writes ``gradlab.desktop`` (freedesktop.org Desktop Entry) into
``$XDG_DATA_HOME/applications`` (``~/.local/share/applications`` when unset) and the icon into
``$XDG_DATA_HOME/icons/hicolor/<size>/apps``, so gradlab appears in the desktop's application menu and
its windows get their icon in the task bar; ``--uninstall-desktop-entry`` removes exactly those files.
No Qt here: this runs before (and without) any window.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from gradlab import resources

#: QApplication's applicationName and organizationName: Qt derives settings and data folders from them
APP_NAME = "gradlab"
ORGANISATION = "gradlab"
#: the desktop entry's id: gradlab.desktop, the icon's theme name, QGuiApplication.desktopFileName
DESKTOP_ID = "gradlab"

ENTRY = """\
[Desktop Entry]
Type=Application
Version=1.4
Name=gradlab
GenericName=Backpropagation Playground
Comment=Learn backpropagation by touching it
Exec={exec} %f
TryExec={try_exec}
Icon={icon}
Terminal=false
StartupNotify=true
StartupWMClass={icon}
Categories=Education;ComputerScience;
Keywords=backpropagation;autograd;micrograd;gradient;neural network;
"""


def version() -> str:
    """gradlab's version from the installed package's metadata (a bare checkout: its pyproject.toml)."""
    try:
        return metadata.version("gradlab")
    except metadata.PackageNotFoundError:
        pyproject = resources.CHECKOUT.parent / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset, empty or relative (as the spec says)."""
    value = (os.environ if environ is None else environ).get("XDG_DATA_HOME", "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """The command that starts this very gradlab: its interpreter with ``-m gradlab``, which works for
    pip, pipx and editable installs alike, whatever is on the desktop session's PATH."""
    return [str(Path(sys.executable).absolute()), "-m", "gradlab"]


def _quote(arg: str) -> str:
    """One Exec argument, quoted as the Desktop Entry spec asks (then escaped as a string value)."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`%="):
        return arg
    quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return quoted.replace("%", "%%").replace("\\", "\\\\")


def desktop_entry(command: Sequence[str]) -> str:
    """The text of gradlab.desktop for a launcher running ``command`` (plus the file it is given)."""
    return ENTRY.format(exec=" ".join(_quote(a) for a in command), try_exec=command[0].replace("\\", "\\\\"),
                        icon=DESKTOP_ID)


def entry_files(home: Path) -> dict[Path, bytes | None]:
    """Every file the desktop entry consists of under ``home`` (a data folder), with its contents
    (None for the .desktop file itself, whose text depends on the command)."""
    hicolor = home / "icons" / "hicolor"
    files: dict[Path, bytes | None] = {home / "applications" / f"{DESKTOP_ID}.desktop": None}
    files[hicolor / "scalable" / "apps" / f"{DESKTOP_ID}.svg"] = resources.icon_svg().read_bytes()
    for size, png in resources.icon_pngs().items():
        files[hicolor / f"{size}x{size}" / "apps" / f"{DESKTOP_ID}.png"] = png.read_bytes()
    return files


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a launcher never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def install_desktop_entry(home: Path | None = None, command: Sequence[str] | None = None) -> list[Path]:
    """Write the launcher entry and the icons into ``home`` (default :func:`data_home`); the paths
    written.  OSError if a file cannot be written."""
    home = data_home() if home is None else home
    text = desktop_entry(launch_command() if command is None else command)
    written = []
    for path, data in entry_files(home).items():
        _write(path, text.encode("utf-8") if data is None else data)
        written.append(path)
    return written


def uninstall_desktop_entry(home: Path | None = None) -> list[Path]:
    """Remove what :func:`install_desktop_entry` wrote (and nothing else); the paths removed."""
    home = data_home() if home is None else home
    removed = []
    for path in entry_files(home):
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def main(install: bool) -> int:
    """``gradlab --install-desktop-entry`` (``install``) or ``--uninstall-desktop-entry``: do it and say
    what was done; exit status 0, 1 if a file could not be written or removed, 2 off freedesktop."""
    if sys.platform in ("win32", "cygwin", "darwin"):
        print("gradlab: desktop entries are for Linux (and other freedesktop.org) desktops; "
              "start gradlab with the gradlab command here.", file=sys.stderr)
        return 2
    try:
        if install:
            paths = install_desktop_entry()
            print(f"gradlab: added the launcher entry {paths[0]}\n  and its icon under "
                  f"{paths[1].parents[2]} (run: {' '.join(launch_command())})")
        else:
            paths = uninstall_desktop_entry()
            print("\n".join(f"gradlab: removed {p}" for p in paths) or
                  f"gradlab: no launcher entry to remove under {data_home()}")
    except OSError as err:
        print(f"gradlab: could not {'write' if install else 'remove'} "
              f"{err.filename or 'the launcher entry'}: {err.strerror or err}", file=sys.stderr)
        return 1
    return 0
