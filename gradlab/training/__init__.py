"""Training toy MLPs: one ``Trainer``, two backends, the same numbers.

```python
from gradlab.datasets import make_dataset
from gradlab.training import TrainConfig, Trainer

trainer = Trainer(make_dataset("moons"), TrainConfig(layers=(16, 16)), backend="fast")
record = trainer.step()   # StepRecord(step, loss, accuracy, test_loss, test_accuracy)
```

The package, one hop per question:

- ``config``: ``TrainConfig`` and the registries of every choice (losses, regularisations,
  backends, with their captions; optimisers are rows of :mod:`gradlab.optimizers`), limits,
  the memory estimate and the settings that train each dataset untouched;
- ``trainer``: ``Trainer``, its steps, history, probes, divergence check and saved state;
- ``fast`` and ``scalar``: the two backends (numpy over the batch; real ``Value`` graphs);
- ``views``: what the network lab draws of a trained net (activations, decision grid);
- ``state`` and ``lab``: reading a saved trainer and a saved network lab, field by field.
"""

from gradlab.training.trainer import *  # noqa: F403 -- the trainer's public names are the package's
from gradlab.training.trainer import __all__  # noqa: F401
