"""Start gradlab: ``main(argv)`` parses the command line, makes the QApplication and the window.

``python -m gradlab run FILE`` goes to the command-line runner (``gradlab.cli``)
and never imports Qt.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NO_DISPLAY_MESSAGE = """\
gradlab: no display found, so the window cannot open.
  - On a desktop, run it from a graphical session (DISPLAY or WAYLAND_DISPLAY set).
  - On a server, use a virtual screen:   xvfb-run python main.py   (Debian: apt-get install xvfb)
  - Or render without a screen:          QT_QPA_PLATFORM=offscreen python main.py --screenshot out.png
  - To run a program in the terminal:     python -m gradlab run FILE"""


XCB_MESSAGE = """\
gradlab: Qt cannot open a window on this X display ({problem}).
  - Debian/Ubuntu: sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \\
        libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0
  - Or render without a screen:  QT_QPA_PLATFORM=offscreen python main.py --screenshot out.png"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="gradlab", description="Learn backpropagation by touching it.",
                                epilog="python -m gradlab run FILE [--check] runs a program in the terminal.")
    p.add_argument("file", nargs="?", help="a program (.py) or a session (.gradlab) to open")
    p.add_argument("--example", metavar="NAME", help="open an example (see the Examples menu)")
    p.add_argument("--select", metavar="NODE", help="select the node with this label")
    p.add_argument("--lesson", metavar="FILE_OR_NAME",
                   help="open a lesson: a built-in's name, number or title (Help → Lessons), or a .toml file")
    p.add_argument("--lab", choices=("expression", "network"),
                   help="the lab to open (default: the one in front when gradlab last closed)")
    p.add_argument("--reset-settings", action="store_true",
                   help="start clean: forget the window's place, recent files and lesson progress")
    p.add_argument("--screenshot", metavar="PATH", help="render the window to PATH (PNG) and exit")
    p.add_argument("--size", metavar="WxH",
                   help="window size (default: 1480x900, or the screen's free area if it is smaller; "
                        "a --screenshot: 1480x900)")
    _add_desktop_arguments(p)
    return p.parse_args(argv)


def _add_desktop_arguments(p: argparse.ArgumentParser) -> None:
    entry = p.add_mutually_exclusive_group()
    entry.add_argument("--install-desktop-entry", action="store_true",
                       help="add gradlab to the desktop's application menu (Linux) and exit")
    entry.add_argument("--uninstall-desktop-entry", action="store_true",
                       help="remove what --install-desktop-entry added and exit")


def set_identity(app) -> None:
    """Name, organisation, version and icon of the QApplication: Qt derives its settings and data
    folders from the first two, and the desktop matches the window to gradlab.desktop."""
    from PySide6.QtGui import QIcon, QPixmap

    from gradlab import desktop, resources

    app.setApplicationName(desktop.APP_NAME)
    app.setOrganizationName(desktop.ORGANISATION)
    app.setApplicationVersion(desktop.version())
    app.setDesktopFileName(desktop.DESKTOP_ID)
    if not app.windowIcon().isNull():
        return  # set by an earlier window in this process (a test's, say): decoding it again is 4 ms
    icon = QIcon()
    for png in resources.icon_pngs().values():
        pixmap = QPixmap()
        if pixmap.loadFromData(png.read_bytes(), "PNG"):
            icon.addPixmap(pixmap)
    app.setWindowIcon(icon)


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _xcb_problem() -> str | None:
    """What would stop Qt's X11 plugin from loading (Qt itself would abort), or None."""
    if (not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM")
            or os.environ.get("WAYLAND_DISPLAY") or not os.environ.get("DISPLAY")):
        return None
    import ctypes
    import ctypes.util

    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None  # a PySide6 laid out differently: let Qt speak for itself
    try:
        ctypes.CDLL(str(plugin))
    except OSError as err:
        return str(err)  # "libxcb-icccm.so.4: cannot open shared object file: ..."
    if ctypes.util.find_library("xcb-cursor") is None:
        return "libxcb-cursor.so.0 is missing"
    return None


def build_window(argv: list[str] | None = None):
    """The ready main window for ``argv`` (without entering the event loop).

    Creates the QApplication if there is none.  Raises SystemExit with a message
    for a bad command line (an unknown example, say).
    """
    args = parse_args(list(argv or []))
    from PySide6.QtWidgets import QApplication

    from gradlab import resources
    from gradlab.ui import window_state
    from gradlab.ui.autosave import BUSY_RESTORING
    from gradlab.ui.common import palette
    from gradlab.ui.main_window import DEFAULT_SIZE, MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    set_identity(app)
    palette.apply_theme(app)  # one light theme, whatever the system's: no dark palette leaks in
    if args.reset_settings:
        window_state.reset_settings()
    window = MainWindow()
    _size_window(window, args, DEFAULT_SIZE)
    if args.example:
        try:
            resources.example(args.example)  # an unknown name is refused before anything opens
        except KeyError as err:
            raise SystemExit(f"gradlab: {err.args[0]}") from None
    lesson = _find_lesson(args.lesson) if args.lesson else None  # as above: refused before opening
    # the autosave slot is claimed (and an unreadable autosave moved aside) whatever opens
    session, problem = window.start_autosave()
    # a launch that dies in here leaves the mark: the next one shows the program without running it
    with window.autosaver.marked(BUSY_RESTORING):
        window.open_at_launch(session, file=args.file, example=args.example)
        if problem:
            window.show_error(problem, "unreadableAutosaveMessage")
        if window.autosaver.claim_problem:  # no slot could be locked: say where the work goes
            window.show_error(window.autosaver.claim_problem, "ownAutosaveMessage")
        if args.select:
            model = window.expression_lab.model
            index = model.graph.find(args.select) if model.graph is not None else None
            if index is None:
                from gradlab.ui.common.text import elide

                raise SystemExit(f"gradlab: no node labelled {elide(args.select)!r} to select")
            model.select(index)
        _restore_state(window, args)
        if lesson is not None:
            window.lessons.open_lesson(lesson)
        elif not args.screenshot and not window.lessons.is_open():
            window.lessons.offer_first_lesson()  # at a first launch only: never again unless asked
    return window


def _size_window(window, args: argparse.Namespace, default) -> None:
    """``--size``; else, for a screenshot, ``default`` (the same picture on every screen); else
    where the window was when gradlab last closed (at a first launch it fits the screen)."""
    from gradlab.ui import window_state

    if args.size is None:
        if args.screenshot:
            window.resize(default)
        else:
            window_state.restore_geometry(window)
        return
    try:
        width, height = (int(n) for n in args.size.lower().split("x"))
    except ValueError:
        raise SystemExit(f"gradlab: --size wants WIDTHxHEIGHT, like 1480x900, not {args.size!r}") from None
    window.resize(width, height)


def _restore_state(window, args: argparse.Namespace) -> None:
    """The lab in front (``--lab``, else the one in front last time), the splitters as they were,
    and, for the work resumed from last time, the file it belonged to."""
    from PySide6.QtCore import QTimer

    from gradlab.ui import window_state

    lab = args.lab or (None if args.screenshot else window_state.saved_lab())
    if lab == "network":
        window.show_network_lab()
    if not args.screenshot:  # once the window is laid out at its size: sizes are shares of it
        QTimer.singleShot(0, lambda: window_state.restore_splitters(window))
        if not (args.file or args.example):
            window.documents.resume(*window_state.saved_file())


def _find_lesson(name: str):
    """The lesson ``--lesson`` names (gradlab.lessons.find_lesson); SystemExit saying why not."""
    from gradlab.lessons import LessonError, find_lesson

    try:
        return find_lesson(name)
    except LessonError as err:
        raise SystemExit(f"gradlab: --lesson {name}: {err}") from None


def save_screenshot(window, path: str) -> None:
    """Show the window offscreen, let it lay out and paint, and save it as an image."""
    from PySide6.QtWidgets import QApplication

    window.show()
    for _ in range(3):  # layout, then the graph's deferred fit, then paint
        QApplication.processEvents()
    # as the canvas does by itself RELAYOUT_DELAY_MS after its last resize: fitted, or readable
    window.expression_lab.canvas.open_view()
    QApplication.processEvents()
    if not window.grab().save(str(Path(path))):
        raise SystemExit(f"gradlab: could not write the screenshot to {path}")


def freeze_start_up() -> None:
    """Every module the window needs is imported, and its objects (classes, functions, tables)
    live as long as the app: move them out of the cyclic collector's way.  A big program's run
    makes enough objects to set off a full collection, which then walks only what programs
    made: a 60 ms stall of the window becomes about 12 ms.  (Objects made later are collected
    as before.)"""
    import gc

    import gradlab.ui.main_window  # noqa: F401 -- imported now, so that its objects are frozen too

    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("run", "train"):
        from gradlab.cli import main as cli_main

        return cli_main(argv)
    args = parse_args(argv)
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        from gradlab import desktop  # no Qt: this works without a display

        return desktop.main(install=args.install_desktop_entry)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not _has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    problem = _xcb_problem()
    if problem:
        print(XCB_MESSAGE.format(problem=problem), file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    from gradlab.session import autosave_path
    from gradlab.ui.common.errors import enable_crash_log, install_excepthook

    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_excepthook()  # a failing slot shows a dialog, and the app goes on
    enable_crash_log(autosave_path().parent)  # a native crash leaves crash.log beside the autosave
    if not args.screenshot:  # a screenshot runs no event loop: nothing to interrupt
        _quit_on_signals(app)  # before the window exists: a signal during start-up is kept too
    freeze_start_up()
    window = build_window(argv)
    if args.screenshot:
        save_screenshot(window, args.screenshot)
        print(f"gradlab: saved {args.screenshot}")
        window.close()  # as Quit does (its work saved); no window is left behind for a caller
        return 0
    window.show()
    return app.exec()


def _quit_on_signals(app) -> None:
    """SIGTERM, SIGHUP and SIGINT close every window as Quit does (each saves its work), then exit.

    Python runs a signal handler only when it next gets control, which the Qt event loop
    never gives it: the C-level handler writes to a socket (``signal.set_wakeup_fd``) that a
    QSocketNotifier watches, and reading it in a slot lets the Python handler run at once.
    """
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier, QTimer
    from PySide6.QtWidgets import QApplication

    from gradlab.ui.main_window import MainWindow

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def drain() -> None:
        try:
            reader.recv(512)
        except OSError:
            pass

    def close_all() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.close()  # closeEvent autosaves
        QApplication.quit()

    def on_signal(signum, frame) -> None:
        QTimer.singleShot(0, close_all)  # runs once the event loop does, never inside a paint

    notifier.activated.connect(drain)
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), on_signal)
    app._gradlab_signal_wakeup = (reader, writer, notifier)  # alive as long as the app
