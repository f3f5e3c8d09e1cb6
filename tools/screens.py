"""Render the windows a learner sees, at the screen sizes learners have, into one folder to look at.

usage (from the project root):  QT_QPA_PLATFORM=offscreen python ../shared/tools/screens.py OUT_DIR [SIZES]
SIZES defaults to 1024x600,1280x720,1366x768,1920x1080. It uses only the public contracts:
gradlab.app.build_window, the --example/--lab arguments and the widgets' objectNames, plus the network
lab's model for a divergence and a traced point. Open every PNG it writes and look at it.

gradlab's copy of ../shared/tools/screens.py: it adds 1024x600, a program that crashes its worker
process, a training run that diverges (divergenceBanner) and a traced data point.
"""
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GRADLAB_HOME", tempfile.mkdtemp(prefix="gradlab-screens-"))
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="gradlab-screens-config-"))  # settings too

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication  # noqa: E402

out = Path(sys.argv[1] if len(sys.argv) > 1 else "screens")
SIZES = sys.argv[2] if len(sys.argv) > 2 else "1024x600,1280x720,1366x768,1920x1080"
sizes = [tuple(map(int, s.split("x"))) for s in SIZES.split(",")]
out.mkdir(parents=True, exist_ok=True)
app = QApplication.instance() or QApplication(["gradlab"])
import signal  # noqa: E402

from gradlab.app import build_window  # noqa: E402
from gradlab.ui.lessons.store import LessonStore  # noqa: E402
from gradlab.worker import shared_worker  # noqa: E402

LessonStore().set_offered()  # the windows of a returning learner: no first-launch lesson offer


def settle(ms=300):
    for _ in range(ms // 20):
        app.processEvents()
        QTest.qWait(20)


def window(args, size):
    w = build_window(list(args))
    w.resize(*size)
    w.show()
    settle()
    return w


def shot(w, name):
    path = out / f"{name}.png"
    w.grab().save(str(path))
    print(path)


def click(w, name, times=1):
    b = w.findChild(QAbstractButton, name)
    if b is None:
        print(f"  (no button named {name})")
        return
    for _ in range(times):
        QTest.mouseClick(b, Qt.LeftButton)
        app.processEvents()
    settle()


for size in sizes:
    tag = f"{size[0]}x{size[1]}"
    for example in ("seed", "lecture"):
        w = window(["--example", example], size)
        shot(w, f"expression-{example}-{tag}")
        w.close()
    w = window(["--example", "seed", "--select", "a"], size)
    shot(w, f"expression-seed-a-selected-{tag}")
    w.close()
    w = window(["--example", "lecture"], size)
    click(w, "backpropStepButton", 3)
    shot(w, f"expression-lecture-step3-{tag}")
    w.close()
    w = window(["--lab", "network"], size)
    shot(w, f"network-step0-{tag}")
    click(w, "stepButton", 60)
    shot(w, f"network-step60-{tag}")
    w.close()
    w = window(["--example", "lecture"], size)
    lab = w.expression_lab
    lab.editor.setPlainText("a = Value(2.0)\nn = 0\nwhile True:\n    n += 1\n")
    lab.start_run()
    settle(300)
    os.kill(shared_worker().pid(), signal.SIGSEGV)  # a crash in C, as a hostile program could cause
    settle(600)
    shot(w, f"expression-crashed-program-{tag}")
    w.close()
    w = window(["--lab", "network"], size)
    net = w.network_tab.ensure_lab()
    rate = net.editor.learning_rate  # typed, as a learner would
    rate.setValue(10.0)
    rate.editingFinished.emit()
    click(w, "stepButton", 20)
    shot(w, f"network-diverged-{tag}")
    w.close()
    w = window(["--lab", "network"], size)
    net = w.network_tab.ensure_lab()
    click(w, "stepButton", 60)
    net.model.select_point(3)
    settle()
    shot(w, f"network-point-traced-{tag}")
    w.close()
