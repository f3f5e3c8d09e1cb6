"""A session's network lab is checked field by field when the file is read (issue 16, item 9).

Every bad field is named by its path in one message, the lab's part that holds it is left out,
and the rest of the session (the expression lab) opens.  Each case goes through the real
loader, ``load_session``, on a file written with Python's json (which writes ``Infinity`` and
``NaN`` tokens, as a hand-edited file may hold).
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest

from gradlab.datasets import make_dataset
from gradlab.session import Session, load_session, save_session
from gradlab.training import BACKENDS, OPTIMIZERS, TrainConfig, Trainer
from gradlab.training.lab import DataSettings, LabModel, decode_lab_model, encode_lab_model

SOURCE = "a = Value(2.0, label='a')\nb = a * a"
INF, NAN = float("inf"), float("nan")


def lab_model(optimizer: str = "adam", backend: str = "fast", points: int = 30, steps: int = 3) -> dict:
    """A network lab's saved model, as the lab writes it (``encode_lab_model``), after a few steps."""
    settings = DataSettings("moons", points, 0.1, 1337, 3)
    data = settings.make()
    cfg = TrainConfig(layers=(4,), optimizer=optimizer, learning_rate=0.01, test_fraction=0.2)
    trainer = Trainer(data, cfg, backend=backend)
    trainer.run(steps)
    return encode_lab_model(LabModel(settings, data, cfg, backend, trainer, 2))


def session_doc(model: object, view: object = None) -> dict:
    lab = {"model": model, "view": {"speed": 1, "show_test": True} if view is None else view}
    return {"format": "gradlab-session", "version": 1, "expression_lab": {"source": SOURCE},
            "network_lab": lab}


def write(path: Path, raw: dict) -> Path:
    path.write_text(json.dumps(raw), encoding="utf-8")  # allow_nan: Infinity and NaN tokens
    return path


def changed(model: dict, path: tuple, value: object) -> dict:
    """``model`` with the field at ``path`` (keys and indices) set to ``value`` (deleted for DELETE)."""
    model = copy.deepcopy(model)
    *parents, last = path
    target = model
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return model


DELETE = object()
BIG = 10**20

#: (field path under network_lab.model, the value it gets, what the message says after the path)
CASES = [
    # the cases
    (("trainer", "history", 0, 0), INF, "must be a whole number 0 .. 2**53, not inf"),
    (("trainer", "optimizer"), 5, "must be an object, not 5"),
    (("data_settings", "classes"), "x", "must be a whole number 2 .. 10, not 'x'"),
    (("data_settings", "noise"), "x", "must be a number, not text"),
    (("data_settings", "n_samples"), 1e20, "must be a whole number 1 .. 100,000, not 1e+20"),
    (("data_settings", "name"), "bogus", "must be one of 'moons', 'circles', "),
    # the history
    (("trainer", "history", 0, 0), NAN, "must be a whole number 0 .. 2**53, not nan"),
    (("trainer", "history", 0, 0), BIG, f"must be a whole number 0 .. 2**53, not {BIG}"),
    (("trainer", "history", 0, 0), 1.5, "must be a whole number"),
    (("trainer", "history", 0, 0), True, "must be a whole number 0 .. 2**53, not true/false"),
    (("trainer", "history", 1, 1), "x", "must be a number, not text"),
    (("trainer", "history", 1, 1), BIG**20, "is too large a number"),
    (("trainer", "history", 1, 2), 1.5, "must be a number 0 .. 1, not 1.5"),
    (("trainer", "history", 1, 4), -0.5, "must be a number 0 .. 1, not -0.5"),
    (("trainer", "history", 2), [0, 1.0], "must be a list of 5 (step, loss, accuracy, test loss, test "
                                          "accuracy), not a list of 2"),
    (("trainer", "history", 2), "x", "must be a list of 5"),
    (("trainer", "history"), {}, "must be a list of steps, not an object"),
    (("trainer", "history"), DELETE, "is missing"),
    # the weights, gradients and optimiser
    (("trainer", "parameters", 3), "1.5", "must be a number, not text"),
    (("trainer", "parameters", 3), None, "must be a number, not null"),
    (("trainer", "parameters", 3), BIG**20, "is too large a number"),
    (("trainer", "parameters"), [1.0, 2.0], "must hold 17 numbers (the network's), not 2"),
    (("trainer", "parameters"), "x", "must be a list of numbers, not 'x'"),
    (("trainer", "gradients"), {"a": 1}, "must be a list of numbers, not an object"),
    (("trainer", "gradients", 0), [], "must be a number, not a list"),
    (("trainer", "optimizer", "name"), "sgd", "must be 'adam' (the config's optimiser), not 'sgd'"),
    (("trainer", "optimizer", "t"), -1, "must be a whole number 0 .. 2**53, not -1"),
    (("trainer", "optimizer", "t"), "3", "must be a whole number 0 .. 2**53, not '3'"),
    (("trainer", "optimizer", "m"), [0.0], "must hold 17 numbers (the network's), not 1"),
    (("trainer", "optimizer", "v"), DELETE, "is missing"),
    (("trainer", "step"), -1, "must be a whole number 0 .. 2**53, not -1"),
    (("trainer", "step"), INF, "must be a whole number 0 .. 2**53, not inf"),
    (("trainer", "format"), "x", "must be 'gradlab.trainer': this is not a saved trainer state"),
    (("trainer", "version"), 2, "is 2: this gradlab reads trainer state version 1"),
    (("trainer",), 7, "must be an object, not 7"),
    (("trainer", "backend"), "gpu", "must be one of 'fast', 'scalar', not 'gpu'"),
    # the trainer's settings and the lab's
    (("trainer", "config"), 5, "must be an object, not 5"),
    (("trainer", "config", "loss"), "bogus", "trainer.config", "is not usable: unknown loss 'bogus'"),
    (("trainer", "config", "layers"), [4, 4], "trainer.parameters",
     "must hold 37 numbers (the network's), not 17"),
    (("config", "layers"), "16", "must be a list, not '16'"),
    (("config", "layers", 0), 0, "config", "is not usable: hidden layer 1 has 0 neurons"),
    (("config", "layers", 0), 4.0, "must be a whole number"),
    (("config", "features"), 5, "must be a list, not 5"),
    (("config", "features", 0), ["x1"], "must be text, not a list"),
    (("config", "activation"), 3, "must be text, not 3"),
    (("config", "learning_rate"), "x", "must be a number, not text"),
    (("config", "learning_rate"), INF, "must be a finite number, not inf"),
    (("config", "learning_rate"), -1, "config", "is not usable: learning_rate must be a positive number"),
    (("config", "batch_size"), 0, "must be a whole number 1 .. 2**53, not 0"),
    (("config", "seed"), 2**32, "must be a whole number 0 .. 4,294,967,295"),
    (("config", "regularization"), 2, "must be text, not 2"),
    (("config", "test_fraction"), 1.0, "config", "is not usable: test_fraction must be a number from 0 up"),
    (("config", "bogus"), 1, "config", "is not usable: unknown training setting(s) bogus"),
    (("config",), DELETE, "is missing"),
    (("backend",), "gpu", "must be one of 'fast', 'scalar', not 'gpu'"),
    (("backend",), 5, "must be one of 'fast', 'scalar', not 5"),
    (("selected_point",), "x", "must be a whole number -1 .. 100,000, not 'x'"),
    # the data settings
    (("data_settings", "n_samples"), BIG, f"must be a whole number 1 .. 100,000, not {BIG}"),
    (("data_settings", "n_samples"), 0, "must be a whole number 1 .. 100,000, not 0"),
    (("data_settings", "noise"), -1, "must be a number 0 .. 10, not -1"),
    (("data_settings", "noise"), NAN, "must be a finite number, not nan"),
    (("data_settings", "seed"), -1, "must be a whole number 0 .. 4,294,967,295, not -1"),
    (("data_settings", "name"), 5, "must be text, not 5"),
    (("data_settings",), [], "must be an object, not a list"),
    # the data
    (("dataset", "X"), "x", "must be a list of points, not 'x'"),
    (("dataset", "X", 4), [1.0], "must be a list of 2 numbers, not a list of 1"),
    (("dataset", "X", 4), {"x": 1}, "must be a list of 2 numbers, not an object"),
    (("dataset", "X", 4, 1), "nan", "must be a finite number, not 'nan'"),
    (("dataset", "X", 4, 1), INF, "must be a finite number, not inf"),
    (("dataset", "X", 4, 1), "0.5", "must be a number, not text"),
    (("dataset", "X", 4, 1), False, "must be a number, not true/false"),
    (("dataset", "y", 3), 7, "must be a class 0 .. 1, not 7"),
    (("dataset", "y", 3), 0.5, "must be a class 0 .. 1, not 0.5"),
    (("dataset", "y", 3), "1", "must be a number, not text"),
    (("dataset", "y"), [0, 1], "must hold one number per point (30), not 2"),
    (("dataset", "kind"), "clustering", "must be one of 'classification', 'regression', not 'clustering'"),
    (("dataset", "num_classes"), 1, "must be a whole number 2 .. 10, not 1"),
    (("dataset", "num_classes"), "2", "must be a whole number 2 .. 10, not '2'"),
    (("dataset", "name"), 5, "must be text, not 5"),
    (("dataset", "name"), "n" * 300, "must be at most 255 characters, not 300"),
    (("dataset",), DELETE, "is missing"),
    ((), 5, "must be an object, not 5"),
]


def _dotted(path: tuple) -> str:
    text = "network_lab.model"
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else f".{key}"
    return text


#: (path, value, the field the message names, what it says after the name)
CASES = [(path, value, f"network_lab.model.{says}", rest[0]) if rest else (path, value, _dotted(path), says)
         for path, value, says, *rest in CASES]


@pytest.mark.parametrize(("path", "value", "where", "says"), CASES,
                         ids=[f"{_dotted(p)}={v!r:.20}" for p, v, _, _ in CASES])
def test_a_bad_network_lab_field_is_named_and_the_rest_of_the_session_opens(tmp_path, path, value, where,
                                                                            says):
    model = value if path == () else changed(lab_model(), path, value)
    loaded = load_session(write(tmp_path / "s.gradlab", session_doc(model)))
    assert loaded.expression_lab.source == SOURCE  # the rest of the session opens
    lab = loaded.network_lab
    assert lab.model is None and lab.view == {"speed": 1, "show_test": True}  # the bad part is left out
    assert lab.problem.startswith(f"'{where}' {says}"), lab.problem


def test_a_trainer_whose_settings_do_not_fit_the_data_is_named(tmp_path):
    model = lab_model()
    sine = make_dataset("sine", 20, 0.1, seed=1)
    model["dataset"] = {"X": sine.X.tolist(), "y": sine.y.tolist(), "kind": "regression", "num_classes": 0,
                        "name": "sine"}
    lab = load_session(write(tmp_path / "r.gradlab", session_doc(model))).network_lab
    assert lab.model is None
    assert lab.problem == ("'network_lab.model.trainer.config' does not fit the data: input feature 'x2' "
                           "needs x2, but this data has one input (x1)")


@pytest.mark.parametrize(("view", "says"), [
    ({"speed": "fast"}, "'network_lab.view.speed' must be a whole number 0 .. 2**53, not 'fast'"),
    ({"show_test": 1}, "'network_lab.view.show_test' must be true or false, not 1"),
    ({"step_size": 5}, "'network_lab.view.step_size' must be a number 0 .. 1, not 5"),
    ({"selected_parameter": INF}, "'network_lab.view.selected_parameter' must be a whole number -1 .. 2**53, "
                                  "not inf"),
    ([], "'network_lab.view' must be an object, not a list"),
])
def test_a_bad_view_field_leaves_out_only_the_view(tmp_path, view, says):
    model = lab_model()
    lab = load_session(write(tmp_path / "v.gradlab", session_doc(model, view))).network_lab
    assert lab.problem == says
    assert lab.model == model and lab.view == {}


def test_every_state_the_lab_makes_passes_untouched(tmp_path):
    for optimizer in OPTIMIZERS:
        for backend in BACKENDS:
            model = lab_model(optimizer, backend)
            path = tmp_path / f"{optimizer}-{backend}.gradlab"
            save_session(Session.from_raw(session_doc(model)), path)  # save_session reads it back too
            lab = load_session(path).network_lab
            assert lab.problem == "" and lab.model == model
            decoded = decode_lab_model(lab.model)
            assert decoded.trainer.parameters() == model["trainer"]["parameters"]  # bit for bit
            assert decoded.trainer.step_count == 3 and decoded.selected_point == 2


def test_non_finite_numbers_where_the_trainer_makes_them_are_accepted(tmp_path):
    # a diverged network's weights, gradients and test loss come back as they were saved
    model = lab_model()
    model["trainer"]["parameters"][:3] = ["nan", "inf", "-inf"]  # a session may hold them (issue 16, item 5)
    model["trainer"]["gradients"][0] = "nan"
    model["trainer"]["history"][0][3] = "inf"
    model["trainer"]["optimizer"]["m"][1] = "-inf"
    lab = load_session(write(tmp_path / "n.gradlab", session_doc(model))).network_lab
    assert lab.problem == "" and lab.model == model
    trainer = decode_lab_model(lab.model).trainer
    assert str(trainer.gradients()[0]) == "nan" and trainer.history[0].test_loss == INF


def test_the_regenerate_of_a_bogus_name_cannot_happen_and_imported_data_says_why():
    from gradlab.datasets import DatasetError

    with pytest.raises(DatasetError, match="imported from a file"):
        DataSettings("", 100, 0.1, 1, 3).make()  # a KeyError before issue 16


def test_a_network_too_big_for_memory_is_not_a_bad_field_it_opens_without_a_trainer(tmp_path):
    # issue 16, item 9: the scalar backend on 100,000 points raised MemoryError at start-up
    settings = DataSettings("moons", 100_000, 0.1, 1337, 3)
    data = settings.make()
    trainer = Trainer(data, TrainConfig(), backend="fast")
    model = encode_lab_model(LabModel(settings, data, TrainConfig(), "scalar", trainer, -1))
    path = tmp_path / "big.gradlab"
    save_session(Session.from_raw(session_doc(model)), path)
    started = time.perf_counter()
    session = load_session(path)
    took = time.perf_counter() - started
    assert session.network_lab.problem == "" and session.network_lab.model == model
    decoded = decode_lab_model(model)
    assert decoded.trainer is None and decoded.backend == "scalar" and len(decoded.dataset) == 100_000
    assert took < 2.0, took  # the data is checked at C speed; nothing big is built


def test_a_scalar_lab_past_the_limit_in_a_file(tmp_path):
    settings = DataSettings("moons", 6_000, 0.1, 1337, 3)  # the scalar backend takes 5,337 for 2-16-16-1
    data = settings.make()
    model = encode_lab_model(LabModel(settings, data, TrainConfig(), "scalar", Trainer(data), -1))
    loaded = load_session(write(tmp_path / "big.gradlab", session_doc(model)))
    assert loaded.network_lab.problem == "" and loaded.network_lab.model == model
    assert decode_lab_model(loaded.network_lab.model).trainer is None


def test_a_lab_holding_more_points_than_a_dataset_may_is_refused_by_name():
    model = lab_model()
    model["dataset"]["X"] = [[0.0, 0.0]] * 100_001
    model["dataset"]["y"] = [0] * 100_001
    lab = Session.from_raw(session_doc(model)).network_lab
    assert lab.problem == ("'network_lab.model.dataset.X' holds 100,001 points; a dataset holds at most "
                           "100,000")


def test_make_dataset_and_the_loader_share_their_limits():
    from gradlab.datasets import DatasetError

    with pytest.raises(DatasetError, match="noise must be 0 .. 10"):
        make_dataset("moons", 10, 10.5)
