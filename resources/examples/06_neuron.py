# A 2-input neuron with ReLU: out = relu(w1*x1 + w2*x2 + b)
# Drag the sliders: when the sum goes negative, ReLU cuts every gradient to zero.
x1 = Value(1.5)
x2 = Value(-0.5)
w1 = Value(0.8)
w2 = Value(-1.2)
b = Value(0.1)
act = w1*x1 + w2*x2 + b
out = act.relu()
out.backward()
print(f'out = {out.data:.4f}')
