"""Weights, biases and neurons named for people first, micrograd's label beside it (nn.parameter_name)."""

from gradlab.datasets import make_dataset
from gradlab.nn import MLP, parameter_name
from gradlab.training import Trainer

SIZES = (2, 16, 16, 1)  # micrograd's demo network: inputs, two hidden layers, one output
INPUTS = ("x1", "x2")


def test_a_first_layer_weight_names_its_layer_neuron_and_input_counting_from_one():
    assert parameter_name("w0.2.0", INPUTS, SIZES) == "layer 1, neuron 3, from x1 (w0.2.0)"
    assert parameter_name("w0.15.1", INPUTS, SIZES) == "layer 1, neuron 16, from x2 (w0.15.1)"


def test_deeper_weights_biases_and_neurons():
    assert parameter_name("w1.0.4", INPUTS, SIZES) == "layer 2, neuron 1, from neuron 5 of layer 1 (w1.0.4)"
    assert parameter_name("w2.0.15", INPUTS, SIZES) == "output, from neuron 16 of layer 2 (w2.0.15)"
    assert parameter_name("b0.3", INPUTS, SIZES) == "layer 1, neuron 4, bias (b0.3)"
    assert parameter_name("b2.0", INPUTS, SIZES) == "output, bias (b2.0)"
    assert parameter_name("n0.2", INPUTS, SIZES) == "layer 1, neuron 3 (n0.2)"
    # three outputs (cross-entropy): each is numbered
    assert parameter_name("b1.2", ("x1",), (1, 4, 3)) == "output 3, bias (b1.2)"


def test_other_labels_come_back_as_they_are():
    for label in ("loss", "score", "w0.2", "wx.1.2", "", "n0"):
        assert parameter_name(label, INPUTS, SIZES) == label


def test_every_label_of_a_real_network_gets_a_name_of_its_own():
    mlp = MLP(2, [16, 16, 1], seed=1)
    labels = [p.label for p in mlp.parameters()]
    names = [parameter_name(label, INPUTS, SIZES) for label in labels]
    assert len(set(names)) == len(labels) == 337
    for name, label in zip(names, labels, strict=True):
        assert name.endswith(f"({label})") and not name.startswith(label)
    trainer = Trainer(make_dataset("moons"))
    assert trainer.parameter_labels()[:3] == labels[:3]  # the trainer's labels are micrograd's too
