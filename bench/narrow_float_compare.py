"""16-bit float workloads side by side: NumPy, dask.array (threaded scheduler) and
tessera's Python module, on the same float16 or bfloat16 matrix, in one run.

Usage: python3 bench/narrow_float_compare.py [n] [chunk] [repeat] [dtype]
dtype is float16 (default) or bfloat16 (ml_dtypes' dtype for NumPy and dask). Prints the
best of `repeat` (default 3) seconds per workload and tessera's speed-up over each peer.
The input is generated and held in memory (persisted, for tessera) before timing. Every
framework's result is checked against the workload computed in float64: tessera's must
be close (it is asserted), the peers' errors are printed (NumPy, and dask through it,
round a 16-bit sum at every step; ml_dtypes' bfloat16 matmul returns float32).
"""
import sys
import time

import dask
import dask.array as da
import ml_dtypes  # noqa: F401 - registers bfloat16 with NumPy
import numpy as np

import tessera as ts


def workloads(lib, x, b):
    return {
        "x * 2 + 1": lambda: x * 2 + 1,
        "sin(x) ** 2": lambda: lib.sin(x) ** 2,
        "x.sum(axis=0)": lambda: x.sum(axis=0),
        "(x.T - x.mean(0)).sum()": lambda: (x.T - x.mean(axis=0)).sum(),
        "x @ b": lambda: x @ b,
    }


def best_of(repeat, fn):
    """The best time and the result; (None, None) where a peer cannot run the workload
    (dask's matmul over ml_dtypes' bfloat16 raises)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            result = fn()
        except TypeError:
            return None, None
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    dtype = np.dtype(sys.argv[4] if len(sys.argv) > 4 else "float16")
    rng = np.random.default_rng(0)
    host = rng.uniform(-1, 1, (n, n)).astype(np.float32).astype(dtype)
    host_b = rng.uniform(-1, 1, (n, 256)).astype(np.float32).astype(dtype)
    eps = float(ts.finfo(dtype).eps)

    dask.config.set(scheduler="threads", num_workers=2)
    dx, db = da.from_array(host, chunks=chunk).persist(), da.from_array(host_b, chunks=(chunk, 256)).persist()
    tx = ts.asarray(host, chunks=chunk).persist()
    tb = ts.asarray(host_b, chunks=(chunk, 256)).persist()

    print(f"{dtype} {n}x{n} in {chunk}x{chunk} chunks; b is {n}x256; best of {repeat}")
    print("| workload | tessera s | dask s | numpy s | dask/tessera | numpy/tessera | max error tessera / dask / numpy |")
    print("|---|---|---|---|---|---|---|")
    reference = workloads(np, host, host_b)
    exact = workloads(np, host.astype(np.float64), host_b.astype(np.float64))
    for name, ts_fn in workloads(ts, tx, tb).items():
        t_ts, r_ts = best_of(repeat, lambda: np.asarray(ts_fn().compute()))
        t_da, r_da = best_of(repeat, lambda: np.asarray(workloads(da, dx, db)[name]().compute()))
        t_np, r_np = best_of(repeat, reference[name])
        want = np.asarray(exact[name](), dtype=np.float64)
        assert r_ts.dtype == dtype, (name, r_ts.dtype)
        error = [np.max(np.abs(np.asarray(r).astype(np.float64) - want)) if r is not None else None
                 for r in (r_ts, r_da, r_np)]
        # Elements rounded to 16 bits before a sum carry a few epsilons each, which add
        # up over n * n of them: tessera's error is bounded by n epsilons or by NumPy's own.
        np.testing.assert_allclose(r_ts.astype(np.float64), want, rtol=4 * eps,
                                   atol=max(n * eps, 2 * (error[2] or 0)), err_msg=name)
        print(f"| `{name}` | {t_ts:.3f} | {seconds(t_da)} | {seconds(t_np)} | {ratio(t_da, t_ts)} | "
              f"{ratio(t_np, t_ts)} | {' / '.join('-' if e is None else f'{e:.3g}' for e in error)} |")


def seconds(t):
    return "fails" if t is None else f"{t:.3f}"


def ratio(peer, ours):
    return "-" if peer is None else f"{peer / ours:.2f}"

if __name__ == "__main__":
    main()
