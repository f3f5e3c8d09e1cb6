# What is a derivative? f(x) = 3x**2 - 4x + 5 has slope 6x - 4, which is 14 at x = 3.
# Select x and nudge it by h: (f(x+h) - f(x)) / h approaches 14 as h shrinks.
x = Value(3.0)
f = 3*x**2 - 4*x + 5
f.backward()
print(f'f(3) = {f.data}, slope = {x.grad}')
