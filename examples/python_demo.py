"""tessera from Python: the seed's array program, NumPy interop, futures and delayed.

Run: ./scripts/demo.sh (or, after ./scripts/python_env.sh: build/venv/bin/python examples/python_demo.py)
"""
import time

import numpy as np

import tessera as ts

# The seed's program: a 4000 x 4000 matrix in 1000 x 1000 chunks, centred by its column means.
x = ts.random.uniform(size=(4000, 4000), chunks=1000, seed=42)
y = x.T - x.mean(axis=0)
start = time.perf_counter()
total = y.sum().compute()
print(f"(x.T - x.mean(0)).sum() = {float(total):.6g} in {time.perf_counter() - start:.3f} s "
      f"({x.npartitions} chunks of {x.chunksize})")

# NumPy functions on tessera arrays stay lazy; np.asarray computes.
host = np.arange(12.0).reshape(3, 4)
a = ts.asarray(host, chunks=2)
lazy = np.sin(a) ** 2 + np.cos(a) ** 2
print("np.sin(a)**2 + np.cos(a)**2 is", type(lazy).__name__, "->", np.asarray(lazy).round(12).ravel()[:4], "...")
print("sorted across chunks:", ts.sort(ts.asarray(np.array([5, 3, 9, 1, 7, 2]), chunks=2)).compute())
print("mask:", a[a > 6].compute())

# Futures: Python functions run on the workers; futures among the arguments are dependencies.
with ts.Client(n_workers=2) as client:
    squares = client.map(lambda v: v * v, range(10))
    total = client.submit(sum, squares)
    print("sum of squares via futures:", total.result())


# delayed: lazy calls that compose with arrays (an array argument arrives as NumPy).
@ts.delayed
def describe(block):
    return f"{block.shape} mean={block.mean():.3f}"


print("delayed:", describe(x[:2, :3]).compute())
