"""Sorting side by side: NumPy, dask.array (threaded scheduler; where it has the operation)
and tessera (the Python module) on the same data, in one process.

Usage: python bench/sort_compare.py [n] [repeat]
Prints the best of `repeat` (default 3) seconds per workload and tessera's speed-up over
each peer. unique is the values alone (unique_values; NumPy's and dask's unique), unique_counts the
values and their counts, unique_all every result (values, first indices, inverse, counts). Inputs are in memory (persisted) before timing; results come back as NumPy
arrays. Floats are uniform; integers are from a small range (many equal values).
"""
import sys

import dask
import dask.array as da
import numpy as np

import tessera as ts
from timing import best


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rng = np.random.default_rng(0)
    floats = rng.random(n)
    ints = rng.integers(0, 1000, n)
    chunk = n // 4
    print(f"{'workload':34} {'tessera s':>10} {'numpy s':>10} {'dask s':>10} {'vs numpy':>9} {'vs dask':>8}")
    for name, x in (("float64", floats), ("int64 in [0, 1000)", ints)):
        tx = ts.asarray(x, chunks=chunk).persist()
        dx = da.from_array(x, chunks=chunk).persist()
        cases = {
            f"sort, {name}": (lambda: ts.sort(tx).compute(), lambda: np.sort(x), None),
            f"unique, {name}": (lambda: ts.unique_values(tx).compute(), lambda: np.unique(x),
                                lambda: da.unique(dx).compute()),
            # dask's counts of 10M distinct floats ran past 15 minutes: integers only.
            f"unique_counts, {name}": (lambda: ts.compute(*ts.unique_counts(tx)),
                                       lambda: np.unique(x, return_counts=True),
                                       (lambda: dask.compute(*da.unique(dx, return_counts=True)))
                                       if x.dtype.kind == "i" else None),
            f"unique_all, {name}": (lambda: ts.compute(*ts.unique_all(tx)),
                                    lambda: np.unique(x, return_index=True, return_inverse=True, return_counts=True),
                                    None),  # dask's inverse compares every element with every value
        }
        with dask.config.set(scheduler="threads"):
            for label, (ours, numpy_run, dask_run) in cases.items():
                t = best(ours, repeat)
                n_s = best(numpy_run, repeat)
                d = best(dask_run, repeat) if dask_run else float("nan")
                print(f"{label:34} {t:10.4f} {n_s:10.4f} {d:10.4f} {n_s / t:8.2f}x {d / t:7.2f}x")


if __name__ == "__main__":
    main()
