"""take (integer-array indexing) side by side: NumPy, dask.array (threaded scheduler) and
tessera (the Python module) on the same data, in one process.

Usage: python bench/take_compare.py [n] [repeat]
Prints the best of `repeat` (default 5) seconds per workload and tessera's speed-up over
each peer. Inputs are in memory (persisted) before timing; each result is brought back as
a NumPy array. Positions are random (a gather with no locality) or a random half of the
rows or columns of a matrix.
"""
import sys

import dask
import dask.array as da
import numpy as np

import tessera as ts
from timing import best


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    rng = np.random.default_rng(0)
    x = rng.random(n)
    positions = rng.integers(0, n, n // 2)
    m = int(np.sqrt(n / 1.25))  # a matrix of about n elements
    y = rng.random((m, m))
    half = rng.permutation(m)[: m // 2]
    tx, ty = ts.asarray(x, chunks=n // 4).persist(), ts.asarray(y, chunks=m // 4).persist()
    dx, dy = da.from_array(x, chunks=n // 4).persist(), da.from_array(y, chunks=m // 4).persist()
    cases = {
        f"1-d, {n // 2} random positions": (lambda a: a[positions], x, tx, dx),
        f"rows, half of {m}": (lambda a: a[half], y, ty, dy),
        f"columns, half of {m}": (lambda a: a[:, half], y, ty, dy),
    }
    print(f"{'workload':34} {'tessera s':>10} {'numpy s':>10} {'dask s':>10} {'vs numpy':>9} {'vs dask':>8}")
    with dask.config.set(scheduler="threads"):
        for name, (op, npx, tsx, dax) in cases.items():
            t = best(lambda: op(tsx).compute(), repeat)
            n_s = best(lambda: op(npx), repeat)
            d = best(lambda: op(dax).compute(), repeat)
            print(f"{name:34} {t:10.4f} {n_s:10.4f} {d:10.4f} {n_s / t:8.2f}x {d / t:7.2f}x")


if __name__ == "__main__":
    main()
