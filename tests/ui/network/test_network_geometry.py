"""The network view's geometry, without Qt: where parameters sit and what lies under a point."""

import numpy as np
import pytest

from gradlab.ui.network import geometry
from gradlab.ui.network.geometry import NetworkLayout, fit_pitches, line_buckets, strength_levels

PIXEL = 0.01  # drawing units per screen pixel: a view showing a thumbnail 100 pixels wide


def test_every_parameter_is_one_line_or_one_bias_in_micrograd_order():
    lay = NetworkLayout([2, 3, 1])
    assert lay.parameter_count == (2 + 1) * 3 + (3 + 1) * 1
    both = np.sort(np.concatenate([lay.weight_index, lay.bias_index]))
    assert both.tolist() == list(range(lay.parameter_count))
    # neuron 0 of layer 1: its two weights, then its bias
    assert lay.weight_index[:2].tolist() == [0, 1] and lay.bias_index[0] == 2


def test_a_point_on_each_parameter_finds_that_parameter():
    lay = NetworkLayout([3, 4, 2])
    everything = np.ones(len(lay.segments), dtype=bool)
    for i in range(lay.parameter_count):
        x, y = lay.point_on(i)
        assert lay.parameter_near(x, y, PIXEL, everything) == i


def test_a_line_not_drawn_is_not_hit_and_empty_space_is_nothing():
    lay = NetworkLayout([2, 2, 1])
    weight = int(lay.weight_index[0])
    x, y = lay.point_on(weight)
    hidden = np.ones(len(lay.segments), dtype=bool)
    hidden[0] = False
    assert lay.parameter_near(x, y, PIXEL, hidden) != weight
    far = lay.pos.max(axis=0) + 10
    assert lay.parameter_near(far[0], far[1], PIXEL, hidden) == -1
    assert lay.node_near(far[0], far[1]) == -1


def test_a_neuron_is_found_anywhere_on_its_thumbnail():
    lay = NetworkLayout([2, 3, 1])
    for k, (x, y) in enumerate(lay.pos):
        assert lay.node_near(x + 0.45, y - 0.45) == k


def test_a_big_network_keeps_only_its_strongest_lines():
    w = np.random.default_rng(0).normal(size=geometry.MAX_LINES + 500)
    bucket = line_buckets(w, relative=False)
    drawn = bucket >= 0
    assert drawn.sum() == geometry.MAX_LINES
    assert np.abs(w[drawn]).min() >= np.abs(w[~drawn]).max()
    # the sign picks the pen's colour: the negative pens come after the positive ones
    assert (bucket[drawn & (w < 0)] >= geometry.LEVELS).all()
    assert (bucket[drawn & (w >= 0)] < geometry.LEVELS).all()


def test_levels_are_fixed_for_weights_and_relative_for_gradients():
    v = np.array([0.01, 0.1, 0.3, 1.0, 5.0])
    assert strength_levels(v, relative=False).tolist() == [0, 1, 2, 3, 4]
    assert strength_levels(v / 10, relative=False).tolist() == [0, 0, 0, 1, 2]
    # scaled by a power of two, so that the ratios are exactly the same
    assert strength_levels(v, relative=True).tolist() == [0, 0, 0, 1, 4]
    assert strength_levels(v / 8, relative=True).tolist() == [0, 0, 0, 1, 4]
    assert strength_levels(np.zeros(3), relative=True).tolist() == [0, 0, 0]


@pytest.mark.parametrize("sizes", [[2, 1], [2, 8, 8, 1], [3, 64, 2]])
def test_pitches_stay_in_bounds_and_grow_with_the_view(sizes):
    small = fit_pitches(400, 300, sizes)
    big = fit_pitches(1600, 1200, sizes)
    for col, row in (small, big):
        assert geometry.MIN_COL * geometry.PX - 1 <= col <= geometry.MAX_COL * geometry.PX + 1
        assert geometry.MIN_ROW * geometry.PX - 1 <= row <= geometry.MAX_ROW * geometry.PX + 1
    assert big[0] >= small[0] and big[1] >= small[1]
