# The same neuron with tanh written out: tanh(n) = (e**2n - 1) / (e**2n + 1)
# The gradients match the tanh op exactly: backprop works for any expression.
x1 = Value(2.0)
x2 = Value(0.0)
w1 = Value(-3.0)
w2 = Value(1.0)
b = Value(6.8813735870195432)
n = x1*w1 + x2*w2 + b
e = (2*n).exp()
o = (e - 1) / (e + 1)
o.backward()
print(f'o = {o.data:.4f}')
print(f'dx1 = {x1.grad:.4f}, dw1 = {w1.grad:.4f}')
