# The lecture's first graph: L = (a*b + c) * f, which is -8.0
# Press Step (F10) to backprop one node at a time, as the lecture does by hand; then press
# Ascend with rate 0.01 and watch L rise from -8.0 to about -7.29
a = Value(2.0, label='a')
b = Value(-3.0, label='b')
c = Value(10.0, label='c')
e = a * b
d = e + c
f = Value(-2.0, label='f')
L = d * f
L.backward()
print(f'L = {L.data:.4f}')
