# A neuron with two inputs and tanh: o = tanh(x1*w1 + x2*w2 + b) = 0.7071
x1 = Value(2.0)
x2 = Value(0.0)
w1 = Value(-3.0)
w2 = Value(1.0)
b = Value(6.8813735870195432)
x1w1 = x1 * w1
x2w2 = x2 * w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = n.tanh()
o.backward()
print(f'o = {o.data:.4f}')
print(f'dx1 = {x1.grad:.4f}, dw1 = {w1.grad:.4f}')
