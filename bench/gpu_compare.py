"""GPU workloads side by side: CuPy (one GPU), dask.array over CuPy chunks (threaded
scheduler) and tessera (the Python module, on its GPU workers) on the same sizes, in one run.

Usage: python3 bench/gpu_compare.py [n] [chunk] [repeat]
Prints the best of `repeat` (default 3) seconds per workload and tessera's speed-up over
each peer. Needs a GPU and CuPy (`pip install cupy-cuda13x`); says which is missing and
exits with status 1 otherwise. The input is generated on the GPU before timing, for
every framework, and each result is brought to the host (as .compute() does).
"""
import sys

import numpy as np

import tessera as ts
from timing import best

try:
    import cupy as cp
except ImportError:  # the peer is the point of this script
    cp = None


def workloads(lib, x, b, rows):
    """`rows`: integer positions along axis 0, in the array type that `lib` indexes with."""
    return {
        "seed_centered_sum": lambda: (x.T - x.mean(axis=0)).sum(),
        "fused_x2_plus_1_sum": lambda: (x * 2 + 1).sum(),
        "x_plus_xT_sum": lambda: (x + x.T).sum(),
        "mean_axis0": lambda: x.mean(axis=0),
        "matmul_sum": lambda: (x @ b).sum(),
        "take_rows_sum": lambda: x[rows].sum(),
    }


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 32768
    chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 8192
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    gpus = ts.diagnostics.gpus()
    if not gpus["gpus"]:
        sys.exit(f"gpu_compare.py needs a GPU: {gpus['reason']}")
    if cp is None:
        sys.exit("gpu_compare.py needs CuPy for its peers: pip install cupy-cuda13x")
    import dask
    import dask.array as da

    print(f"{gpus['gpus'][0]['name']}: n = {n}, chunks {chunk}, float64, best of {repeat}")
    client = ts.Client(n_workers=1, set_as_default=False)
    tx = ts.random.random((n, n), chunks=chunk, seed=1).persist(client=client)
    tb = ts.random.random((n, n // 8), chunks=chunk, seed=2).persist(client=client)
    cx = cp.random.random((n, n))
    cb = cp.random.random((n, n // 8))
    dx = da.from_array(cx, chunks=chunk, asarray=False)
    db = da.from_array(cb, chunks=chunk, asarray=False)
    # Half the rows, shuffled: every block of x is read, out of order, in a take.
    rows = np.random.default_rng(3).permutation(n)[: n // 2]
    ours = workloads(ts, tx, tb, rows)
    cupy = workloads(cp, cx, cb, cp.asarray(rows))
    dask_cupy = workloads(da, dx, db, rows)
    print(f"{'workload':24} {'tessera s':>10} {'cupy s':>10} {'dask+cupy s':>12} {'vs cupy':>8} {'vs dask':>8}")
    for name in ours:
        t = best(lambda: ours[name]().compute(client=client), repeat)
        c = best(lambda: cp.asnumpy(cupy[name]()), repeat)
        with dask.config.set(scheduler="threads"):
            d = best(lambda: np.asarray(cp.asnumpy(dask_cupy[name]().compute())), repeat)
        print(f"{name:24} {t:10.4f} {c:10.4f} {d:12.4f} {c / t:7.2f}x {d / t:7.2f}x")


if __name__ == "__main__":
    main()
