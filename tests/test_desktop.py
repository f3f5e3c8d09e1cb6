"""The Linux launcher entry (gradlab.desktop and its icons) and the version the app reports."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from gradlab import desktop, resources
from gradlab.app import main

ROOT = Path(__file__).resolve().parents[1]


def parse_entry(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(text)
    return dict(parser["Desktop Entry"])


def test_data_home_follows_xdg_and_falls_back_as_the_spec_says(tmp_path):
    assert desktop.data_home({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path
    default = Path.home() / ".local" / "share"
    assert desktop.data_home({}) == default
    assert desktop.data_home({"XDG_DATA_HOME": ""}) == default
    assert desktop.data_home({"XDG_DATA_HOME": "relative/dir"}) == default


def test_the_entry_launches_this_interpreter_with_the_theme_icon():
    entry = parse_entry(desktop.desktop_entry(desktop.launch_command()))
    assert entry["Type"] == "Application" and entry["Name"] == "gradlab"
    assert entry["Exec"] == f"{sys.executable} -m gradlab %f"
    assert entry["TryExec"] == sys.executable and entry["Icon"] == "gradlab"
    assert entry["Terminal"] == "false" and entry["Categories"].endswith(";")


def test_exec_arguments_with_spaces_and_specials_are_quoted_per_the_spec():
    entry = parse_entry(desktop.desktop_entry(['/opt/my apps/py"th$on', "-m", "gradlab", "50%"]))
    # quoting escapes " ` $ \ with a backslash, then the string-value rule doubles every backslash
    assert entry["Exec"] == r'"/opt/my apps/py\\"th\\$on" -m gradlab "50%%" %f'


def test_install_writes_the_entry_and_every_icon_and_uninstall_removes_only_those(tmp_path):
    keep = tmp_path / "applications" / "other.desktop"
    keep.parent.mkdir(parents=True)
    keep.write_text("[Desktop Entry]\n", "utf-8")
    written = desktop.install_desktop_entry(tmp_path, ["/usr/bin/python3", "-m", "gradlab"])
    hicolor = tmp_path / "icons" / "hicolor"
    assert written[0] == tmp_path / "applications" / "gradlab.desktop"
    assert parse_entry(written[0].read_text("utf-8"))["Exec"] == "/usr/bin/python3 -m gradlab %f"
    assert (hicolor / "scalable" / "apps" / "gradlab.svg").read_bytes() == resources.icon_svg().read_bytes()
    for size, png in resources.icon_pngs().items():
        assert (hicolor / f"{size}x{size}" / "apps" / "gradlab.png").read_bytes() == png.read_bytes()
    assert len(written) == 2 + len(resources.ICON_SIZES)
    assert not list(tmp_path.rglob("*.partial"))
    assert desktop.install_desktop_entry(tmp_path, ["/usr/bin/python3"]) == written  # again: replaced
    assert desktop.uninstall_desktop_entry(tmp_path) == written
    assert not any(p.exists() for p in written) and keep.exists()
    assert desktop.uninstall_desktop_entry(tmp_path) == []


def test_the_command_line_flags_install_and_uninstall(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["--install-desktop-entry"]) == 0
    assert "added the launcher entry" in capsys.readouterr().out
    entry = parse_entry((tmp_path / "applications" / "gradlab.desktop").read_text("utf-8"))
    assert entry["Exec"].startswith(sys.executable)
    assert main(["--uninstall-desktop-entry"]) == 0
    assert capsys.readouterr().out.count("removed") == 2 + len(resources.ICON_SIZES)
    assert main(["--uninstall-desktop-entry"]) == 0
    assert "no launcher entry to remove" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--install-desktop-entry", "--uninstall-desktop-entry"])
    assert "not allowed with" in capsys.readouterr().err


def test_a_folder_that_cannot_be_written_is_named_not_a_traceback(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert main(["--install-desktop-entry"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gradlab: could not write ") and "a-file" in err


def test_off_linux_the_flag_says_what_to_do_instead(monkeypatch, capsys):
    monkeypatch.setattr(desktop.sys, "platform", "win32")
    assert main(["--install-desktop-entry"]) == 2
    assert "Linux" in capsys.readouterr().err


def test_the_flags_need_no_qt_and_no_display(tmp_path):
    code = ("import sys; from gradlab.app import main; rc = main(['--install-desktop-entry']); "
            "assert rc == 0, rc; assert not [m for m in sys.modules if m.startswith('PySide6')]")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("DISPLAY", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "applications" / "gradlab.desktop").is_file()


def test_version_comes_from_the_package_metadata_else_the_checkout(monkeypatch):
    assert desktop.version() == metadata.version("gradlab")

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(desktop.metadata, "version", not_installed)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert desktop.version() == pyproject["project"]["version"]
