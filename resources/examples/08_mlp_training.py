# The lecture's MLP training loop: 20 steps of gradient descent, loss plotted at each backward()
# Each pass: forward, zero the gradients, backward(), nudge every parameter against its gradient.
# The plot panel shows the loss at each backward() call; the graph shows the last step's loss.
import random
from micrograd.nn import MLP

random.seed(1)
n = MLP(3, [4, 4, 1])
xs = [
    [2.0, 3.0, -1.0],
    [3.0, -1.0, 0.5],
    [0.5, 1.0, 1.0],
    [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0]  # desired targets

for k in range(20):
    # forward pass
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))

    # backward pass
    n.zero_grad()
    loss.backward()

    # update
    for p in n.parameters():
        p.data += -0.02 * p.grad

    print(k, loss.data)

print([round(y.data, 4) for y in ypred])
