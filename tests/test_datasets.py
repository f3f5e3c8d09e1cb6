"""Datasets: deterministic generators, the Dataset's operations, features, and CSV files."""

from __future__ import annotations

import os

import numpy as np
import pytest

from gradlab import nn
from gradlab.datasets import (
    DATASETS,
    DEFAULT_DATASET,
    FEATURES,
    MAX_CSV_BYTES,
    MAX_ROWS,
    Dataset,
    DatasetError,
    feature_matrix,
    load_csv,
    make_dataset,
)

CLASSIFICATION = ["moons", "circles", "xor", "spiral", "gaussians", "linear"]
REGRESSION = ["sine", "abs", "step"]


def test_registry_lists_every_dataset_moons_first() -> None:
    assert list(DATASETS) == CLASSIFICATION + REGRESSION
    assert DEFAULT_DATASET == "moons"
    assert make_dataset().name == "moons"
    assert all(DATASETS[n].kind == "classification" for n in CLASSIFICATION)
    assert all(DATASETS[n].kind == "regression" for n in REGRESSION)


@pytest.mark.parametrize("name", CLASSIFICATION + REGRESSION)
def test_same_seed_same_data_other_seed_other_data(name: str) -> None:
    a = make_dataset(name, 50, 0.2, seed=3)
    b = make_dataset(name, 50, 0.2, seed=3)
    c = make_dataset(name, 50, 0.2, seed=4)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_shapes_dtypes_and_classes(name: str) -> None:
    d = make_dataset(name, 101, noise=0.1, seed=0)
    assert d.X.shape == (101, 2) and d.X.dtype == np.float64
    assert d.y.shape == (101,) and d.y.dtype == np.int64
    assert d.kind == "classification" and d.num_classes == 2 and d.num_inputs == 2
    assert set(d.y.tolist()) == {0, 1}
    assert np.isfinite(d.X).all()
    assert not d.X.flags.writeable  # a dataset is a value; its operations return new ones


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_shapes_dtypes(name: str) -> None:
    d = make_dataset(name, 40, noise=0.0, seed=1)
    assert d.X.shape == (40, 1) and d.X.dtype == np.float64
    assert d.y.shape == (40,) and d.y.dtype == np.float64
    assert d.kind == "regression" and d.num_classes == 0
    expected = {"sine": np.sin, "abs": np.abs, "step": lambda x: (x > 0).astype(float)}[name](d.X[:, 0])
    np.testing.assert_array_equal(d.y, expected)  # no noise: the targets are the function


@pytest.mark.parametrize("name", ["spiral", "gaussians"])
@pytest.mark.parametrize("classes", [3, 5])
def test_spiral_and_gaussians_take_more_classes(name: str, classes: int) -> None:
    d = make_dataset(name, 100, seed=2, classes=classes)
    assert d.num_classes == classes
    counts = np.bincount(d.y, minlength=classes)
    assert counts.sum() == 100 and counts.max() - counts.min() <= 1


def test_moons_is_scikit_learns_and_gives_micrograds_demo_loss() -> None:
    """micrograd's demo.ipynb: np.random.seed(1337); make_moons(100, noise=0.1); random.seed(1337); MLP."""
    d = make_dataset("moons", 100, 0.1, seed=1337)
    np.testing.assert_allclose(d.X[0], [1.12211461, 0.08147717], atol=1e-8)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    scores = [model(x) for x in d.X.tolist()]
    loss = nn.svm_loss(scores, (2 * d.y - 1).tolist()) + nn.l2_regularization(model.parameters(), 1e-4)
    assert loss.data == 0.8958441028683222  # the notebook's "step 0 loss"


def test_noise_moves_points_but_not_labels() -> None:
    clean = make_dataset("moons", 60, noise=0.0, seed=5)
    noisy = make_dataset("moons", 60, noise=0.3, seed=5)
    assert np.array_equal(clean.y, noisy.y)
    assert np.abs(noisy.X - clean.X).mean() > 0.1
    r = np.hypot(*make_dataset("circles", 80, noise=0.0, seed=0).X.T)
    assert set(np.round(r, 12).tolist()) == {0.5, 1.0}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "blobs"}, "unknown dataset 'blobs'; choose one of moons, circles"),
        ({"name": "moons", "classes": 3}, "no option 'classes'"),
        ({"name": "spiral", "classes": 1}, "classes must be a whole number 2 .. 10"),
        ({"name": "spiral", "classes": 2.5}, "classes must be a whole number"),
        ({"name": "moons", "n_samples": 0}, "n_samples must be 2 .. 100000"),
        ({"name": "moons", "n_samples": MAX_ROWS + 1}, "n_samples must be"),
        ({"name": "moons", "n_samples": 10.0}, "whole number"),
        ({"name": "moons", "noise": -0.1}, "noise must be 0 .. 10"),
        ({"name": "moons", "noise": float("nan")}, "noise must be"),
        ({"name": "moons", "seed": -1}, "seed must be"),
        ({"name": "circles", "factor": 1.5}, "factor must be between 0 and 1"),
    ],
)
def test_make_dataset_refuses_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        make_dataset(**kwargs)


# -- Dataset operations ----------------------------------------------------------------------------


def test_split_is_seeded_disjoint_and_complete() -> None:
    d = make_dataset("xor", 50, seed=0)
    train, test = d.split(0.2, seed=7)
    assert (len(train), len(test)) == (40, 10)
    again = d.split(0.2, seed=7)
    assert np.array_equal(again[1].X, test.X)
    assert not np.array_equal(d.split(0.2, seed=8)[1].X, test.X)
    rows = {tuple(r) for r in np.hstack([d.X, d.y[:, None]]).tolist()}
    parts = [tuple(r) for s in (train, test) for r in np.hstack([s.X, s.y[:, None]]).tolist()]
    assert sorted(parts) == sorted(rows)
    assert train.kind == test.kind == "classification" and train.num_classes == 2
    whole, empty = d.split(0.0)
    assert np.array_equal(whole.X, d.X) and len(empty) == 0 and empty.X.shape == (0, 2)
    with pytest.raises(DatasetError, match="below 1"):
        d.split(1.0)


def test_with_point_and_without_point() -> None:
    d = make_dataset("moons", 10, seed=0)
    more = d.with_point([0.5, -0.25], 1)
    assert len(more) == 11 and more.X[-1].tolist() == [0.5, -0.25] and more.y[-1] == 1
    assert len(d) == 10  # the original is unchanged
    fewer = more.without_point(0)
    assert np.array_equal(fewer.X, np.vstack([d.X[1:], [[0.5, -0.25]]]))
    assert np.array_equal(more.without_point(-1).X, d.X)
    with pytest.raises(DatasetError, match="a class 0 .. 1"):
        d.with_point([0.0, 0.0], 2)
    with pytest.raises(DatasetError, match="2 coordinates, not 1"):
        d.with_point([0.0], 0)
    with pytest.raises(DatasetError, match="finite"):
        d.with_point([np.inf, 0.0], 0)
    with pytest.raises(DatasetError, match="point 10 does not exist"):
        d.without_point(10)
    r = make_dataset("sine", 5, seed=0).with_point(0.5, 0.25)
    assert r.X[-1].tolist() == [0.5] and r.y[-1] == 0.25


def test_bounds() -> None:
    d = Dataset([[0.0, -1.0], [2.0, 3.0]], [0, 1])
    assert d.bounds() == (-0.5, 2.5, -1.5, 3.5)
    assert d.bounds(0.0) == (0.0, 2.0, -1.0, 3.0)
    r = Dataset([[1.0], [-1.0]], [4.0, 2.0], kind="regression")
    assert r.bounds(1.0) == (-2.0, 2.0, 1.0, 5.0)  # 1-D: the second range is the targets'


def test_dataset_validates_its_arrays() -> None:
    with pytest.raises(DatasetError, match="labels must be 0 .. 1"):
        Dataset([[0.0, 0.0]], [2])
    with pytest.raises(DatasetError, match="2 rows but y has 1"):
        Dataset([[0.0, 0.0], [1.0, 1.0]], [0])
    with pytest.raises(DatasetError, match="shape"):
        Dataset(np.zeros((2, 3)), [0, 1])
    with pytest.raises(DatasetError, match="whole numbers"):
        Dataset([[0.0, 0.0], [1.0, 1.0]], [0, 0.5])
    with pytest.raises(DatasetError, match="whole numbers"):
        Dataset([[0.0, 0.0]], [np.nan])
    with pytest.raises(DatasetError, match="whole numbers"):
        Dataset([[0.0, 0.0]], ["a"])
    assert Dataset([[0.0, 0.0], [1.0, 1.0]], [0.0, 1.0]).y.dtype == np.int64
    with pytest.raises(DatasetError, match="kind"):
        Dataset([[0.0, 0.0]], [0], kind="clustering")


# -- features ----------------------------------------------------------------------------------------


def test_feature_matrix() -> None:
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    assert list(FEATURES) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"]
    F = feature_matrix(X, list(FEATURES))
    assert F.shape == (2, 7)
    np.testing.assert_array_equal(F[1], [-3.0, 0.5, 9.0, 0.25, -1.5, np.sin(-3.0), np.sin(0.5)])
    np.testing.assert_array_equal(feature_matrix(X, ["x2", "x1"]), X[:, ::-1])
    assert feature_matrix(np.array([[2.0], [0.0]]), ["x1", "x1^2", "sin x1"]).shape == (2, 3)


@pytest.mark.parametrize(
    "X, names, message",
    [
        (np.zeros((2, 2)), ["x3"], r"unknown input feature 'x3'; choose from x1, x2, x1\^2"),
        (np.zeros((2, 1)), ["x1", "x1*x2"], r"'x1\*x2' needs x2, but this data has one input"),
        (np.zeros((2, 1)), ["sin x2"], "needs x2"),
        (np.zeros((2, 2)), [], "at least one"),
        (np.zeros((2, 2)), ["x1", "x1"], "listed twice"),
    ],
)
def test_feature_matrix_refuses_bad_names(X: np.ndarray, names: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        feature_matrix(X, names)


# -- CSV ----------------------------------------------------------------------------------------------


def _write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_csv_with_and_without_header(tmp_path) -> None:
    with_header = load_csv(_write(tmp_path, "x1,x2,label\n0.5,1,0\n-1,2.5e-1,1\n\n# a comment\n3,4,1\n"))
    without = load_csv(_write(tmp_path, "0.5, 1, 0\n-1, 0.25, 1\n3, 4, 1\n", "b.csv"))
    for d in (with_header, without):
        assert d.kind == "classification" and d.num_classes == 2
        assert d.X.tolist() == [[0.5, 1.0], [-1.0, 0.25], [3.0, 4.0]] and d.y.tolist() == [0, 1, 1]
    assert with_header.name == "data"


def test_load_csv_maps_labels_to_classes(tmp_path) -> None:
    assert load_csv(_write(tmp_path, "0,0,-1\n1,1,1\n2,2,-1\n")).y.tolist() == [0, 1, 0]
    three = load_csv(_write(tmp_path, "0,0,2\n1,1,7\n2,2,5\n"))
    assert three.num_classes == 3 and three.y.tolist() == [0, 2, 1]


def test_load_csv_regression_and_bom(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffx,y\n1,2\n-0.5,0.25\n".encode())
    d = load_csv(path)
    assert d.kind == "regression" and d.X.shape == (2, 1) and d.y.tolist() == [2.0, 0.25]


def test_load_csv_round_trips_a_generated_dataset(tmp_path) -> None:
    d = make_dataset("spiral", 30, seed=1, classes=3)
    points = zip(d.X.tolist(), d.y.tolist(), strict=True)
    rows = "\n".join(f"{x1!r},{x2!r},{label}" for (x1, x2), label in points)
    back = load_csv(_write(tmp_path, "x1,x2,label\n" + rows))
    assert np.array_equal(back.X, d.X) and np.array_equal(back.y, d.y) and back.num_classes == 3


BAD_CSV = [
    ("x1,x2,label\n1,2,0\n1,2\n", 3, "expected 3 values \\(x1, x2, label\\), found 2"),
    ("1,2,0\n1,2,0,4\n", 2, "expected 3 values"),
    ("1,2,3,4\n", 1, "expected 3 columns \\(x1, x2, label\\) or 2 \\(x, y\\), found 4"),
    ("x1,x2,label\n1,abc,0\n", 2, "x2 is 'abc', not a number"),
    ("1,2,0\n\n1,nan,1\n", 3, "x2 is 'nan'; values must be finite"),
    ("1,2,0\ninf,2,1\n", 2, "x1 is 'inf'; values must be finite"),
    ("1,2,0\n1,2,0.5\n", 2, "label is '0.5'; labels must be whole numbers"),
    ("a,b,c\n1,2,0\n", 1, "the header must be x1,x2,label"),
    ("x,y\n1,2\n3,oops\n", 3, "y is 'oops', not a number"),
    ("x,y\n1,2\n3,4,5\n", 3, "expected 2 values \\(x, y\\), found 3"),
]


@pytest.mark.parametrize("text, line, message", BAD_CSV)
def test_a_malformed_csv_names_its_line(tmp_path, text: str, line: int, message: str) -> None:
    with pytest.raises(DatasetError, match=f"^data.csv, line {line}: {message}") as info:
        load_csv(_write(tmp_path, text))
    assert info.value.line == line


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "data.csv: no data rows"),
        ("x1,x2,label\n\n# nothing\n", "no data rows"),
        ("1,2,1\n3,4,1\n", "every row has label 1; a classification needs two classes"),
        ("".join(f"{k},0,{k}\n" for k in range(11)), "11 different labels; at most 10"),
    ],
)
def test_csv_without_usable_rows(tmp_path, text: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_csv(_write(tmp_path, text))


def test_csv_with_too_many_rows(tmp_path) -> None:
    text = "x1,x2,label\n" + "0,0,0\n1,1,1\n" * (MAX_ROWS // 2) + "2,2,1\n"
    with pytest.raises(DatasetError, match=f"line {MAX_ROWS + 2}: more than 100,000 rows"):
        load_csv(_write(tmp_path, text))
    assert len(load_csv(_write(tmp_path, text.rsplit("2,2,1", 1)[0]))) == MAX_ROWS


def test_missing_and_unreadable_files(tmp_path) -> None:
    with pytest.raises(DatasetError, match="nope.csv"):
        load_csv(tmp_path / "nope.csv")
    with pytest.raises(DatasetError, match="Cannot open"):
        load_csv(tmp_path)  # a folder
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"1,2,0\n\xe9,2,1\n")
    with pytest.raises(DatasetError, match="latin1.csv: it is not UTF-8 text"):
        load_csv(bad)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DatasetError, match="pipe.csv: it is a named pipe"):
        load_csv(fifo)  # refused at once, not a read that waits for a writer
    big = tmp_path / "big.csv"
    big.write_bytes(b"0" * (MAX_CSV_BYTES + 1))
    with pytest.raises(DatasetError, match="a data file may have at most"):
        load_csv(big)
