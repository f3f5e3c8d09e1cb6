"""Training toy MLPs: one ``Trainer``, two backends, the same numbers.

```python
from gradlab.datasets import make_dataset
from gradlab.training import TrainConfig, Trainer

trainer = Trainer(make_dataset("moons"), TrainConfig(layers=(16, 16)), backend="fast")
record = trainer.step()   # StepRecord(step, loss, accuracy, test_loss, test_accuracy)
```

The package, one hop per question:

- ``config``: ``TrainConfig``, its checks and the names and captions of every choice (read
  from the rows), limits, the memory check and the settings that train each dataset untouched;
- ``losses``: one row per loss and per regularisation (caption, the data it serves, targets,
  numpy and ``Value`` forms); ``backends``: one row per backend (caption, step maker, memory);
  optimisers are rows of :mod:`gradlab.optimizers`;
- ``trainer``: ``Trainer``, its steps, history, divergence check and saved state;
- ``probes``: one point's ``Value`` graph and the nudge probe on one parameter (part of ``Trainer``);
- ``fast`` and ``scalar``: the two backends (numpy over the batch; real ``Value`` graphs);
- ``views``: what the network lab draws of a trained net (activations, decision grid);
- ``state`` and ``lab``: reading a saved trainer and a saved network lab, field by field.
"""

from gradlab.training.trainer import *  # noqa: F403 -- the trainer's public names are the package's
from gradlab.training.trainer import __all__  # noqa: F401
