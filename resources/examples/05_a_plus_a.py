# Why gradients accumulate: b = a + a uses a twice, so db/da = 2, not 1.
# Each use of a sends its own share back; backward() adds them up (+=).
a = Value(3.0)
b = a + a
b.backward()
print(f'b = {b.data}, db/da = {a.grad}')
