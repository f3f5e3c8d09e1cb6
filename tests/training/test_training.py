"""The training core: config checks, micrograd parity, the two backends agreeing, grids, probe, state."""

from __future__ import annotations

import dataclasses
import gc
import json
import math
import random

import numpy as np
import pytest
from helpers import REFERENCES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from micrograd.nn import MLP as MgMLP

from gradlab.datasets import Dataset, make_dataset
from gradlab.graph import GraphModel
from gradlab.training import (
    LOSSES,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    OPTIMIZERS,
    REGULARIZATIONS,
    StepRecord,
    TrainConfig,
    Trainer,
    TrainingDiverged,
    losses,
)
from gradlab.training.config import DEFAULT_LEARNING_RATES

#: the losses for regression, and for more than two classes, as the messages name them
REAL_LOSSES = " or ".join(name for name, row in losses.LOSSES.items() if row.regression)
MULTICLASS_LOSSES = " or ".join(name for name, row in losses.LOSSES.items() if row.multiclass)
DEMO = make_dataset("moons", 100, 0.1, seed=1337)  # the data of micrograd's demo notebook


def close(a, b, tol: float = 1e-9) -> bool:
    """Equal to ``tol``, relative for big numbers, absolute near zero; nan equals nan."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both_nan = np.isnan(a) & np.isnan(b)
    return bool(np.all(both_nan | (np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b)))))


# -- the config ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"layers": (16, 0)}, ["hidden layer 2", "1 to 64"]),
        ({"layers": (MAX_NEURONS + 1,)}, ["65 neurons", "1 to 64"]),
        ({"layers": (2,) * (MAX_HIDDEN_LAYERS + 1)}, ["at most 8 hidden layers"]),
        ({"layers": "16"}, ["whole numbers"]),
        ({"activation": "swish"}, ["unknown activation 'swish'", "relu, tanh, sigmoid", "linear"]),
        ({"activation": ("relu",)}, ["one per hidden layer (2)"]),
        ({"loss": "hinge"}, ["unknown loss 'hinge'", ", ".join(LOSSES)]),
        ({"regularization": "l3"}, ["unknown regularization 'l3'", ", ".join(REGULARIZATIONS) + " or None"]),
        ({"reg_strength": -1.0}, ["reg_strength", ">= 0"]),
        ({"optimizer": "nesterov"}, ["unknown optimizer 'nesterov'", ", ".join(OPTIMIZERS)]),
        ({"learning_rate": 0}, ["learning_rate must be a positive number"]),
        ({"learning_rate": -0.1}, ["positive number"]),
        ({"learning_rate": math.nan}, ["positive number"]),
        ({"learning_rate": math.inf}, ["positive number"]),
        ({"learning_rate": "1"}, ["positive number"]),
        ({"learning_rate": True}, ["positive number"]),
        ({"lr_decay": 0}, ["lr_decay", ">= 1 or None"]),
        ({"batch_size": 0}, ["batch_size", ">= 1 or None"]),
        ({"batch_size": 2.5}, ["batch_size"]),
        ({"features": ("x1", "x3")},
         ["unknown input feature 'x3'", "x1, x2, x1^2, x2^2, x1*x2, sin x1, sin x2"]),
        ({"features": ()}, ["at least one input feature"]),
        ({"features": ("x1", "x1")}, ["twice"]),
        ({"seed": -1}, ["seed"]),
        ({"test_fraction": 1.0}, ["test_fraction"]),
    ],
)
def test_bad_config_raises_value_error_listing_what_is_allowed(kwargs, words) -> None:
    with pytest.raises(ValueError) as err:
        TrainConfig(**kwargs)
    for word in words:
        assert word in str(err.value)


def test_config_normalises_and_round_trips() -> None:
    cfg = TrainConfig(layers=[4, 3], activation=["tanh", "relu"], features=["x1", "x1*x2"])
    assert cfg.layers == (4, 3) and cfg.activation == ("tanh", "relu") and cfg.features == ("x1", "x1*x2")
    assert cfg.hidden_activations == ("tanh", "relu")
    assert TrainConfig(layers=()).hidden_activations == ()
    d = json.loads(json.dumps(cfg.to_dict()))
    assert TrainConfig.from_dict(d) == cfg
    with pytest.raises(ValueError, match="unknown training setting.*colour"):
        TrainConfig.from_dict({**d, "colour": "red"})


def test_learning_rate_schedule_is_the_demos_and_holds_after_n_steps() -> None:
    cfg = TrainConfig()
    for k in range(100):
        assert cfg.learning_rate_at(k) == 1.0 - 0.9 * k / 100  # bit for bit the demo's expression
    assert cfg.learning_rate_at(100) == cfg.learning_rate_at(500) == pytest.approx(0.1)
    assert TrainConfig(learning_rate=0.5, lr_decay=None).learning_rate_at(1000) == 0.5
    assert TrainConfig(learning_rate=2.0, lr_decay=10).learning_rate_at(5) == pytest.approx(2.0 * 0.55)


def test_data_dependent_checks() -> None:
    sine = make_dataset("sine", 20, seed=0)
    with pytest.raises(ValueError, match="'x2' needs x2"):
        Trainer(sine, TrainConfig(loss="mse"))
    with pytest.raises(ValueError, match=f"regression dataset needs the {REAL_LOSSES} loss"):
        Trainer(sine, TrainConfig(features=("x1",)))
    spiral3 = make_dataset("spiral", 30, seed=0, classes=3)
    with pytest.raises(ValueError, match=f"svm loss needs two classes, the data has 3; "
                                         f"use {MULTICLASS_LOSSES}"):
        Trainer(spiral3, TrainConfig())
    with pytest.raises(ValueError, match="unknown backend 'gpu'; choose one of fast, scalar"):
        Trainer(DEMO, TrainConfig(), backend="gpu")
    trainer = Trainer(sine, TrainConfig(loss="mse", features=("x1", "sin x1"), layers=(4,)))
    record = trainer.step()
    assert math.isnan(record.accuracy) and record.loss > 0


# -- micrograd parity ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_losses() -> list[tuple[float, float]]:
    """micrograd's 100 demo steps, as tests/data/micrograd_demo.json stores them (running all of
    micrograd takes about half a minute of CPU: ``python tests/data/make_references.py --check demo``
    does it; test_the_stored_demo_begins_as_micrograd_runs_it runs its first steps)."""
    return REFERENCES.read_demo()


def test_the_stored_demo_begins_as_micrograd_runs_it(demo_losses) -> None:
    X = DEMO.X.tolist()
    ys = [1 if label == 1 else -1 for label in DEMO.y.tolist()]
    assert REFERENCES.demo_data() == (X, ys)  # the script trains on the data the tests use
    assert len(demo_losses) == REFERENCES.DEMO_STEPS == 100
    steps = REFERENCES.DEMO_CHECKED_STEPS
    ran = REFERENCES.micrograd_demo(X, ys, steps)
    assert len(ran) == steps >= 3
    assert REFERENCES.demo_differences(ran, demo_losses[:steps]) == []
    assert ran[0][0] == demo_losses[0][0] == 0.8958441028683222


def test_a_stored_demo_made_by_other_code_is_refused_naming_the_script(monkeypatch) -> None:
    monkeypatch.setattr(REFERENCES, "demo_sha256", lambda: "0" * 64)  # as if the demo's code changed
    with pytest.raises(AssertionError, match="regenerate with python tests/data/make_references.py demo"):
        REFERENCES.read_demo()


def test_initial_weights_are_micrographs_after_seed_1337() -> None:
    random.seed(1337)
    theirs = [p.data for p in MgMLP(2, [16, 16, 1]).parameters()]
    for backend in ("fast", "scalar"):
        trainer = Trainer(DEMO, TrainConfig(), backend=backend)
        assert trainer.parameters() == theirs
        assert trainer.layer_sizes == (2, 16, 16, 1)


def test_parameter_labels_follow_gradlab_nn() -> None:
    labels = Trainer(DEMO, TrainConfig()).parameter_labels()
    assert len(labels) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    assert labels[:4] == ["w0.0.0", "w0.0.1", "b0.0", "w0.1.0"]
    assert labels[48 + 3 * 17: 48 + 3 * 17 + 2] == ["w1.3.0", "w1.3.1"]
    assert labels[48 + 3 * 17 + 16] == "b1.3"
    assert labels[-2:] == ["w2.0.15", "b2.0"]


@pytest.mark.parametrize("backend", [
    pytest.param("scalar", marks=pytest.mark.slow),  # 100 steps of Values (10 s); fast: the same check
    "fast",
])
def test_demo_matches_micrograd_step_for_step(backend, demo_losses) -> None:
    expected = demo_losses
    trainer = Trainer(DEMO, TrainConfig(), backend=backend)
    records = trainer.run(100)
    assert [r.step for r in records] == list(range(100))
    for r, (loss, acc) in zip(records, expected, strict=True):
        assert abs(r.loss - loss) <= 1e-9, (r.step, r.loss, loss)
        assert r.accuracy == acc
    if backend == "scalar":
        assert records[0].loss == expected[0][0] == 0.8958441028683222  # the very floats of the demo
    assert records[-1].accuracy == 1.0 and trainer.evaluate().accuracy == 1.0


# -- the backends agree --------------------------------------------------------------------------


def random_dataset(rng: np.random.Generator, n: int, kind: str, classes: int) -> Dataset:
    X = rng.uniform(-2, 2, size=(n, 2))
    if kind == "regression":
        return Dataset(X[:, :1], np.sin(X[:, 0]) + 0.1 * rng.normal(size=n), "regression")
    y = np.arange(n) % classes  # every class present
    rng.shuffle(y)
    return Dataset(X, y, "classification", classes)


def pair(ds: Dataset, cfg: TrainConfig) -> tuple[Trainer, Trainer]:
    return Trainer(ds, cfg, backend="fast"), Trainer(ds, cfg, backend="scalar")


def step_both(fast: Trainer, scalar: Trainer) -> bool:
    """One step of each; they agree, or both refuse it as diverging at the same loss (False)."""
    try:
        rf = fast.step()
    except TrainingDiverged as diverged:
        with pytest.raises(TrainingDiverged) as caught:
            scalar.step()
        assert close(diverged.loss, caught.value.loss) and diverged.step == caught.value.step
        assert close(fast.parameters(), scalar.parameters())  # neither took the step
        return False
    assert_agree(fast, scalar, rf, scalar.step())
    return True


def assert_agree(fast: Trainer, scalar: Trainer, rf: StepRecord, rs: StepRecord) -> None:
    assert rf.step == rs.step
    assert close(rf.loss, rs.loss), (rf, rs)
    assert rf.accuracy == rs.accuracy or (math.isnan(rf.accuracy) and math.isnan(rs.accuracy))
    assert close(fast.gradients(), scalar.gradients())
    assert close(fast.parameters(), scalar.parameters())
    if rf.test_loss is not None:
        assert close(rf.test_loss, rs.test_loss) and rf.test_accuracy == rs.test_accuracy


configs = st.builds(
    dict,
    layers=st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
    loss=st.sampled_from(LOSSES),
    regularization=st.sampled_from([None, *REGULARIZATIONS]),
    optimizer=st.sampled_from(OPTIMIZERS),
    batch_size=st.sampled_from([None, 1, 3, 5]),
    classes=st.integers(3, 4),
    n=st.integers(4, 10),
    features=st.sampled_from([("x1", "x2"), ("x1", "x2", "x1*x2"), ("sin x1", "x2^2")]),
    seed=st.integers(0, 2**32 - 1),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_one_step_agrees_for_every_loss_optimiser_activation_and_batch(c) -> None:
    rng = np.random.default_rng(c["seed"])
    loss = losses.LOSSES[c["loss"]]
    regression = loss.regression and c["seed"] % 2 == 0
    classes = c["classes"] if loss.multiclass else 2
    ds = random_dataset(rng, c["n"], "regression" if regression else "classification", classes)
    features = ("x1", "sin x1") if regression else c["features"]
    opt = c["optimizer"]
    lr = {"sgd": 0.5, "momentum": 0.1, "adam": 0.05}.get(opt, DEFAULT_LEARNING_RATES[opt])
    cfg = TrainConfig(layers=c["layers"], activation=c["activation"], loss=c["loss"],
                      regularization=c["regularization"], reg_strength=1e-2, optimizer=c["optimizer"],
                      learning_rate=lr, batch_size=c["batch_size"], features=features, seed=c["seed"])
    fast, scalar = pair(ds, cfg)
    # start both from weights with non-zero biases, as after some training
    bias = [i for i, label in enumerate(fast.parameter_labels()) if label.startswith("b")]
    for i in bias:
        v = float(rng.uniform(-0.5, 0.5))
        fast.set_parameter(i, v)
        scalar.set_parameter(i, v)
    assert close(fast.gradients(), scalar.gradients())  # of the full loss, before a step
    for _ in range(2):
        if not step_both(fast, scalar):  # a large rate on one point may diverge: both say so alike
            break


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("loss", [name for name, row in losses.LOSSES.items() if row.smooth])
def test_many_steps_stay_together(optimizer, loss) -> None:
    # tanh, sigmoid and these losses have no kinks, so rounding cannot flip a branch between the backends
    ds = make_dataset("spiral", 24, 0.1, seed=3, classes=3 if losses.LOSSES[loss].multiclass else 2)
    lr = {"sgd": 0.3, "momentum": 0.05, "adam": 0.02}.get(optimizer, DEFAULT_LEARNING_RATES[optimizer])
    cfg = TrainConfig(layers=(5, 4), activation=("tanh", "sigmoid"), loss=loss, optimizer=optimizer,
                      learning_rate=lr, lr_decay=40, batch_size=8, regularization="l2", reg_strength=1e-3,
                      seed=7, test_fraction=0.25)
    fast, scalar = pair(ds, cfg)
    for _ in range(40):
        assert_agree(fast, scalar, fast.step(), scalar.step())
    assert fast.history[-1].loss < fast.history[0].loss


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_many_relu_hinge_steps_on_mini_batches_stay_together(optimizer) -> None:
    # ReLU and the hinge have kinks at 0; on these points no sum lands on one exactly, so the
    # backends take the same branch at every step (checked at 1e-9, no looser)
    ds = make_dataset("moons", 30, 0.2, seed=8)
    lr = {"sgd": 0.5, "momentum": 0.05, "adam": 0.02}.get(optimizer, DEFAULT_LEARNING_RATES[optimizer])
    cfg = TrainConfig(layers=(8, 8), optimizer=optimizer, learning_rate=lr, batch_size=10, seed=3)
    fast, scalar = pair(ds, cfg)
    for _ in range(30):
        assert_agree(fast, scalar, fast.step(), scalar.step())


def test_mini_batches_are_seeded_and_the_right_size() -> None:
    cfg = TrainConfig(batch_size=10, seed=5)
    a, b = Trainer(DEMO, cfg), Trainer(DEMO, cfg)
    assert [a.step() for _ in range(5)] == [b.step() for _ in range(5)]
    c = Trainer(DEMO, TrainConfig(batch_size=10, seed=6))
    assert c.step().loss != Trainer(DEMO, cfg).step().loss
    batches = {tuple(a._batch(k).A1[:, 0]) for k in range(5)}
    assert len(batches) == 5 and all(len(x) == 10 for x in batches)
    assert Trainer(DEMO, TrainConfig(batch_size=1000))._batch(0) is not None  # larger than the data: all


def test_three_classes_train_with_cross_entropy() -> None:
    ds = make_dataset("spiral", 150, 0.05, seed=0, classes=3)
    cfg = TrainConfig(layers=(16, 16), loss="cross_entropy", optimizer="adam", learning_rate=0.02,
                      lr_decay=None, seed=1)
    trainer = Trainer(ds, cfg)
    first = trainer.step()
    trainer.run(400)
    last = trainer.evaluate()
    assert last.loss < 0.5 * first.loss and last.accuracy >= 0.8
    assert trainer.num_outputs == 3 and set(trainer.predict(ds.X)) <= {0, 1, 2}


# -- divergence ----------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["fast", "scalar"])
def test_divergence_raises_and_leaves_the_weights(backend) -> None:
    ds = make_dataset("sine", 20, seed=0)
    cfg = TrainConfig(layers=(8,), activation="linear", loss="mse", features=("x1",), learning_rate=1e6,
                      lr_decay=None, regularization=None)
    trainer = Trainer(ds, cfg, backend=backend)
    with pytest.raises(TrainingDiverged) as err:
        for _ in range(50):
            before = trainer.parameters()
            trainer.step()
    k = len(trainer.history)
    assert err.value.step == k
    assert f"at step {k}" in str(err.value) and "smaller learning rate" in str(err.value)
    assert trainer.parameters() == before and all(math.isfinite(p) for p in before)
    assert trainer.step_count == k
    with pytest.raises(TrainingDiverged):  # and again: nothing moved
        trainer.step()
    assert trainer.parameters() == before


# -- looking at the network ----------------------------------------------------------------------


def trained_demo(steps: int = 30, backend: str = "fast") -> Trainer:
    trainer = Trainer(DEMO, TrainConfig(), backend=backend)
    trainer.run(steps)
    return trainer


def test_predict_and_scores() -> None:
    trainer = trained_demo(100)
    assert (trainer.predict(DEMO.X) == DEMO.y).all()
    scores = trainer.scores(DEMO.X[:5])
    assert scores.shape == (5,)
    assert ((scores > 0).astype(int) == trainer.predict(DEMO.X[:5])).all()


def test_decision_grid_is_the_output_over_the_plane() -> None:
    trainer = trained_demo()
    bounds = (-2.0, 3.0, -1.5, 2.0)
    grid = trainer.decision_grid(bounds, 50)
    assert grid.shape == (50, 50)
    xs, ys = np.linspace(-2, 3, 50), np.linspace(-1.5, 2, 50)
    for i, j in [(0, 0), (10, 40), (49, 3)]:  # row i is y, column j is x
        assert grid[i, j] == pytest.approx(trainer.scores(np.array([[xs[j], ys[i]]]))[0], abs=1e-12)
    big = trainer.decision_grid(bounds, 100)  # computed in row blocks: the same numbers
    assert big.shape == (100, 100)
    pts = np.column_stack([np.linspace(-2, 3, 100), np.full(100, 2.0)])
    assert close(big[-1], trainer.scores(pts), 1e-12)
    old_bias = trainer.parameters()[-1]
    trainer.set_parameter(trainer.parameter_labels().index("b2.0"), old_bias + 5.0)
    assert close(trainer.decision_grid(bounds, 50), grid + 5.0, 1e-12)  # the cache follows the weights


def test_neuron_grids_show_every_neuron() -> None:
    trainer = trained_demo()
    bounds = DEMO.bounds()
    grids = trainer.neuron_grids(bounds, 20)
    assert [g.shape for g in grids] == [(16, 20, 20), (16, 20, 20), (1, 20, 20)]
    assert close(grids[-1][0], trainer.decision_grid(bounds, 20), 1e-12)
    assert (grids[0] >= 0).all() and (grids[1] >= 0).all()  # ReLU outputs
    features = trainer.feature_grids(bounds, 20)
    assert features.shape == (2, 20, 20)
    assert close(features[0][0], np.linspace(bounds[0], bounds[1], 20))


def test_grids_on_three_classes_and_on_one_input() -> None:
    ds = make_dataset("spiral", 30, seed=0, classes=3)
    trainer = Trainer(ds, TrainConfig(layers=(4,), loss="cross_entropy"))
    probs = trainer.decision_grid(ds.bounds(), 10)
    assert probs.shape == (10, 10, 3) and close(probs.sum(axis=2), np.ones((10, 10)))
    sine = make_dataset("sine", 20, seed=0)
    reg = Trainer(sine, TrainConfig(layers=(4,), loss="mse", features=("x1",)))
    curve = reg.decision_grid(sine.bounds(), 25)
    assert curve.shape == (25,)
    assert close(curve, reg.predict(np.linspace(sine.bounds()[0], sine.bounds()[1], 25)[:, None]), 1e-12)
    assert [g.shape for g in reg.neuron_grids(sine.bounds(), 25)] == [(4, 25), (1, 25)]


@pytest.mark.parametrize("loss", ["svm", "cross_entropy"])
def test_point_graph_is_one_points_loss(loss) -> None:
    ds = DEMO if loss == "svm" else make_dataset("spiral", 30, seed=0, classes=3)
    trainer = Trainer(ds, TrainConfig(layers=(3,), loss=loss, regularization=None))
    trainer.run(3)
    root = trainer.point_graph(4)
    graph = GraphModel(root)
    assert graph.values[-1] is root and root.label == "loss"
    for label in ("x1", "x2", "w0.2.1", "b1.0", "n0.2"):
        assert graph.find(label) is not None, label
    # the point's loss, as the fast backend computes it on a one-point dataset
    one = Dataset(ds.X[4:5], ds.y[4:5], ds.kind, ds.num_classes)
    single = Trainer(one, trainer.config)
    for i, v in enumerate(trainer.parameters()):
        single.set_parameter(i, v)
    assert root.data == pytest.approx(single.evaluate().loss, abs=1e-12)
    root.backward()
    params = {v.label: v.grad for v in graph.values if v.label in trainer.parameter_labels()}
    assert close(list(params.values()), [single.gradients()[trainer.parameter_labels().index(k)]
                                         for k in params], 1e-12)
    model = trainer.point_graph_model(4)
    assert model.roles.count("parameter") == len(trainer.parameters())
    with pytest.raises(IndexError):
        trainer.point_graph(len(ds.X))
    twin = Trainer(ds, trainer.config)  # never drew a point graph
    twin.run(3)
    assert [trainer.step() for _ in range(3)] == [twin.step() for _ in range(3)]  # still the fast backend


def test_set_parameter_and_layer_weights() -> None:
    trainer = Trainer(DEMO, TrainConfig())
    trainer.set_parameter(0, 0.25)
    assert trainer.parameters()[0] == 0.25
    layers = trainer.layer_weights()
    assert [(W.shape, b.shape) for W, b in layers] == [((16, 2), (16,)), ((16, 16), (16,)), ((1, 16), (1,))]
    labels, params = trainer.parameter_labels(), trainer.parameters()
    assert layers[1][0][3, 5] == params[labels.index("w1.3.5")]
    assert layers[1][1][3] == params[labels.index("b1.3")]
    layers[0][0][0, 0] = 9.0  # a copy
    assert trainer.parameters()[0] == 0.25
    with pytest.raises(IndexError, match="337"):
        trainer.set_parameter(337, 1.0)


# -- the nudge probe on a parameter --------------------------------------------------------------


@pytest.mark.parametrize("backend", ["fast", "scalar"])
def test_nudge_parameter_agrees_with_backprop(backend) -> None:
    cfg = TrainConfig(layers=(6, 4), activation="tanh", loss="logistic", seed=2)
    trainer = Trainer(make_dataset("moons", 30, seed=2), cfg, backend=backend)
    trainer.run(5)
    before = trainer.parameters()
    i = trainer.parameter_labels().index("w1.2.3")
    r = trainer.nudge_parameter(i, 1e-5)
    assert r.index == i and r.label == "w1.2.3" and r.x == before[i] and r.h == 1e-5
    assert r.f0 == pytest.approx(trainer.evaluate().loss, abs=1e-12)
    assert abs(r.central_error) < 1e-8 and abs(r.forward_error) < 1e-4
    assert r.grad == pytest.approx(Trainer.from_state(trainer.dataset, trainer.state_dict())
                                   ._loss_and_grad(trainer._theta, trainer._full)[1][i], abs=1e-12)
    assert trainer.parameters() == before
    xs, losses = trainer.parameter_curve(i, n=21)
    assert xs[10] == before[i] and losses[10] == pytest.approx(r.f0, abs=1e-12)
    assert losses.shape == (21,) and xs[0] == pytest.approx(before[i] - 0.5)
    slope = (losses[11] - losses[9]) / (xs[11] - xs[9])
    assert slope == pytest.approx(r.grad, rel=0.05)
    sweep = trainer.parameter_error_sweep(i)
    assert 1e-7 < sweep.best_h_central < 1e-2 and sweep.label == "w1.2.3"
    assert trainer.parameters() == before


def test_the_training_gradient_is_kept_until_the_weights_the_data_or_the_settings_change() -> None:
    # a weight selected in the network lab asks for it up to three times: one backprop
    trainer = Trainer(make_dataset("moons", 30, seed=2), TrainConfig(layers=(4,)), backend="scalar")
    backprop, computed = trainer._loss_and_grad, []

    def counted(theta, batch):
        computed.append(theta.copy())
        return backprop(theta, batch)

    def fresh() -> bytes:
        return backprop(trainer._theta, trainer._full)[1].tobytes()

    trainer._loss_and_grad = counted
    i = trainer.parameter_labels().index("w1.0.2")
    r = trainer.nudge_parameter(i)
    assert trainer.parameter_error_sweep(i).grad == r.grad and trainer.gradients()[i] == r.grad
    assert len(computed) == 1 and trainer._training_gradient().tobytes() == fresh()
    trainer.set_parameter(i, 0.5)
    assert trainer.nudge_parameter(i).grad != r.grad and len(computed) == 2
    assert trainer._training_gradient().tobytes() == fresh() and computed[-1][i] == 0.5
    trainer.step()  # the step's own backprop, then the new weights'
    trainer.nudge_parameter(i)
    assert len(computed) == 4 and trainer._training_gradient().tobytes() == fresh()
    trainer.set_dataset(make_dataset("moons", 20, seed=5))
    trainer.nudge_parameter(i)
    assert len(computed) == 5 and trainer._training_gradient().tobytes() == fresh()
    trainer.reconfigure(dataclasses.replace(trainer.config, regularization="l1", reg_strength=0.1))
    trainer.nudge_parameter(i)
    assert len(computed) == 6 and trainer._training_gradient().tobytes() == fresh()


def test_nudge_function_is_nudge_probe_for_any_model() -> None:
    from helpers import seed_expression

    from gradlab.probe import nudge_function, nudge_probe

    graph = GraphModel(seed_expression())
    i = graph.find("b")
    expected = nudge_probe(graph, i, 1e-6)
    x = graph.values[i].data

    def f(v: float) -> float:
        graph.set_data(i, v)
        out = graph.output.data
        graph.set_data(i, x)
        return out

    assert nudge_function(f, x, 1e-6, expected.grad, index=i, label="b") == expected


# -- saving and restoring ------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_state_round_trips_bit_for_bit(optimizer) -> None:
    ds = make_dataset("circles", 60, seed=4)
    cfg = TrainConfig(layers=(5,), activation="tanh", loss="logistic", optimizer=optimizer,
                      learning_rate=0.05, batch_size=16, test_fraction=0.2, seed=11)
    trainer = Trainer(ds, cfg)
    trainer.run(7)
    state = json.loads(json.dumps(trainer.state_dict(), allow_nan=False))  # strict JSON
    copy = Trainer.from_state(ds, state)
    assert copy.parameters() == trainer.parameters()
    assert copy.gradients() == trainer.gradients()
    assert copy.history == trainer.history and copy.step_count == 7
    assert copy.config == cfg and copy.backend == "fast"
    assert [copy.step() for _ in range(3)] == [trainer.step() for _ in range(3)]
    scalar = Trainer.from_state(ds, state, backend="scalar")
    assert scalar.backend == "scalar" and scalar.parameters() == Trainer.from_state(ds, state).parameters()


def test_regression_state_is_strict_json() -> None:
    ds = make_dataset("sine", 30, seed=0)
    cfg = TrainConfig(layers=(3,), loss="mse", features=("x1",), learning_rate=0.1, test_fraction=0.3)
    trainer = Trainer(ds, cfg)
    trainer.run(3)
    copy = Trainer.from_state(ds, json.loads(json.dumps(trainer.state_dict(), allow_nan=False)))
    assert repr(copy.history) == repr(trainer.history)  # nan accuracies come back as nan
    assert math.isnan(copy.history[0].accuracy) and math.isnan(copy.history[0].test_accuracy)
    assert copy.history[0].test_loss == trainer.history[0].test_loss


def test_bad_state_is_refused_with_a_message() -> None:
    state = Trainer(DEMO, TrainConfig()).state_dict()
    with pytest.raises(ValueError, match="not a saved trainer state"):
        Trainer.from_state(DEMO, {"parameters": []})
    with pytest.raises(ValueError, match="'trainer.version' is 99: this gradlab reads trainer state version"):
        Trainer.from_state(DEMO, {**state, "version": 99})
    with pytest.raises(ValueError, match=r"'trainer.parameters' must hold 337 numbers \(the network's\)"):
        Trainer.from_state(DEMO, {**state, "parameters": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="'trainer.history' is missing"):
        Trainer.from_state(DEMO, {k: v for k, v in state.items() if k != "history"})
    with pytest.raises(ValueError, match=r"'trainer.optimizer.name' must be 'sgd' \(the config's "
                                         r"optimiser\), not 'adam'"):
        Trainer.from_state(DEMO, {**state, "optimizer": {"name": "adam"}})


def test_reconfigure_keeps_the_weights() -> None:
    trainer = trained_demo(5)
    before = trainer.parameters()
    cfg = TrainConfig(loss="logistic", optimizer="adam", learning_rate=0.01, lr_decay=None,
                      activation="tanh", test_fraction=0.2)
    trainer.reconfigure(cfg)
    assert trainer.parameters() == before and trainer.config == cfg and trainer.step_count == 5
    assert len(trainer.train_set.X) == 80 and trainer.test_set is not None
    twin = Trainer(DEMO, cfg)  # a fresh trainer with these settings, given the same weights
    for i, v in enumerate(before):
        twin.set_parameter(i, v)
    assert trainer.step().loss == twin.step().loss
    assert trainer.history[-1].step == 5 and len(trainer.history) == 6
    with pytest.raises(ValueError, match="need a new trainer"):
        trainer.reconfigure(TrainConfig(layers=(8,)))
    with pytest.raises(ValueError, match="with 2 outputs, not 1"):  # refused, nothing changed
        trainer.reconfigure(TrainConfig(loss="cross_entropy"))
    assert trainer.config == cfg


def test_set_dataset_keeps_the_weights() -> None:
    trainer = trained_demo(10)
    before = trainer.parameters()
    trainer.set_dataset(DEMO.with_point([0.0, 0.0], 1))
    assert trainer.parameters() == before and len(trainer.history) == 10
    assert trainer.step().step == 10
    with pytest.raises(ValueError, match="svm loss needs two classes"):
        trainer.set_dataset(make_dataset("spiral", 30, seed=0, classes=3))


# -- the op table drives the activations -----------------------------------------------------------


def softsign_row():
    from gradlab.ops import UnaryOp

    return UnaryOp(
        "softsign", "softsign", lambda x: x / (1.0 + abs(x)), lambda x, out: 1.0 / (1.0 + abs(x)) ** 2,
        lambda a: a / (1.0 + np.abs(a)), lambda x, out: 1.0 / (1.0 + np.abs(x)) ** 2, True,
    )


def test_a_registered_activation_trains_in_both_backends() -> None:
    from gradlab import ops

    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        TrainConfig(activation="softsign")
    with ops.registered(softsign_row()):
        cfg = TrainConfig(layers=(4, 3), activation=("softsign", "tanh"), loss="logistic", learning_rate=0.5)
        fast, scalar = pair(make_dataset("xor", 20, seed=1), cfg)
        for _ in range(5):
            assert_agree(fast, scalar, fast.step(), scalar.step())
        grids = fast.neuron_grids((-1, 1, -1, 1), 5)
        assert (np.abs(grids[0]) < 1).all()  # softsign's range
        assert fast.point_graph(0) is not None
        assert fast.point_graph_model(0).find("n0.1") is not None
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        TrainConfig(activation="softsign")


# -- gradlab.nn's cross-entropy, the scalar twin of the fast backend's -------------------------------


def test_nn_cross_entropy_value_gradient_and_stability() -> None:
    from gradlab.engine import Value
    from gradlab.nn import cross_entropy

    rows = [[Value(1.0), Value(2.0), Value(-0.5)], [Value(1000.0), Value(999.0), Value(0.0)]]
    loss = cross_entropy(rows, [1, 0])
    expected = []
    for row, label in zip([[1.0, 2.0, -0.5], [1000.0, 999.0, 0.0]], [1, 0], strict=True):
        m = max(row)
        expected.append(math.log(sum(math.exp(s - m) for s in row)) + m - row[label])
    assert loss.data == pytest.approx(sum(expected) / 2, rel=1e-12)  # no overflow at 1000
    loss.backward()
    for row, label in zip(rows, [1, 0], strict=True):
        m = max(s.data for s in row)
        z = sum(math.exp(s.data - m) for s in row)
        for j, s in enumerate(row):
            assert s.grad == pytest.approx((math.exp(s.data - m) / z - (j == label)) / 2, abs=1e-12)
    with pytest.raises(ValueError, match="label 3 is not a class index 0..2"):
        cross_entropy([[Value(0.0)] * 3], [3])
    with pytest.raises(ValueError, match="2 rows of scores but 1 labels"):
        cross_entropy(rows, [0])


# -- memory: a configuration is refused, with the numbers, before anything big is built (issue 16) ----


def _peak_of_a_step(trainer: Trainer) -> int:
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        trainer.step()
        trainer.gradients()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


SLOW = pytest.mark.slow  # a step of Values on a big network under tracemalloc: seconds each


@pytest.mark.parametrize(("backend", "points", "layers"), [
    pytest.param("scalar", 150, (16, 16), marks=SLOW), pytest.param("scalar", 40, (32, 32, 32), marks=SLOW),
    ("fast", 20_000, (16, 16)),
    ("fast", 5_000, (64, 64, 64)), ("fast", 20_000, ()),
])
def test_the_memory_estimate_covers_what_a_step_takes(backend, points, layers) -> None:
    from gradlab.training.config import memory_needed

    trainer = Trainer(make_dataset("moons", points, 0.1, seed=3), TrainConfig(layers=layers), backend=backend)
    needed = memory_needed(trainer.layer_sizes, points, backend)
    peak = _peak_of_a_step(trainer)
    assert peak <= needed <= 1.5 * peak + 2_000_000, (peak, needed)  # the batch is made before the step


def test_a_trainer_too_big_for_memory_is_refused_before_it_is_built() -> None:
    import time

    from gradlab.training import TooMuchMemory
    from gradlab.training.config import MAX_TRAINING_BYTES

    data = make_dataset("moons", 100_000, 0.1, seed=1)
    started = time.perf_counter()
    with pytest.raises(TooMuchMemory) as caught:
        Trainer(data, TrainConfig(), backend="scalar")
    assert time.perf_counter() - started < 0.5
    assert str(caught.value) == (
        "this network (MLP 2-16-16-1, 337 parameters) on 100,000 points needs about 18.7 GB with the scalar "
        "backend; the limit is 1.0 GB: use the fast backend, or at most 5,337 points")
    assert caught.value.needed > MAX_TRAINING_BYTES and isinstance(caught.value, ValueError)
    Trainer(data, TrainConfig(), backend="fast")  # the fast backend takes it (about 120 MB)


def test_new_data_past_the_limit_is_refused_and_the_trainer_keeps_its_data() -> None:
    from gradlab.training import TooMuchMemory

    data = make_dataset("moons", 5_337, 0.1, seed=1)  # the most the scalar backend takes for 2-16-16-1
    trainer = Trainer(data, TrainConfig(), backend="scalar")
    with pytest.raises(TooMuchMemory, match="on 5,338 points needs about 1.0 GB"):
        trainer.set_dataset(data.with_point([0.0, 0.0], 1))
    assert trainer.dataset is data and trainer._full.n == 5_337
