"""unique_values' own path against the values of unique_all (which sorts and merges every
element as a record), with NumPy's unique in the same run: the gain of dropping each
block's repeats before the merge. n = 10M in 4 chunks; best of 3 seconds.

Usage: python bench/unique_paths.py
"""
import numpy as np

import tessera as ts
from timing import best

rng = np.random.default_rng(0)
for name, x in (("float64", rng.random(10_000_000)), ("int64 in [0, 1000)", rng.integers(0, 1000, 10_000_000))):
    tx = ts.asarray(x, chunks=x.size // 4).persist()
    new = best(lambda: ts.unique_values(tx).compute(), 3)
    old = best(lambda: ts.unique_all(tx).values.compute(), 3)
    np_t = best(lambda: np.unique(x), 3)
    print(f"{name:20} unique_values {new:.4f}  unique_all(x).values {old:.4f}  numpy {np_t:.4f}")
