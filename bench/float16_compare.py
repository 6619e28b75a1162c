"""float16 workloads side by side: NumPy, dask.array (threaded scheduler) and tessera's
Python module, on the same float16 matrix, in one run.

Usage: python3 bench/float16_compare.py [n] [chunk] [repeat]
Prints the best of `repeat` (default 3) seconds per workload and tessera's speed-up over
each peer. The input is generated and held in memory (persisted, for tessera) before
timing. Every framework's result is checked against the workload computed in float64 and
rounded to half: tessera's must be close (it is asserted), the peers' errors are printed
(NumPy, and dask through it, round a float16 sum to half at every step).
"""
import sys
import time

import dask
import dask.array as da
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
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    rng = np.random.default_rng(0)
    host = rng.uniform(-1, 1, (n, n)).astype(np.float16)
    host_b = rng.uniform(-1, 1, (n, 256)).astype(np.float16)

    dask.config.set(scheduler="threads", num_workers=2)
    dx, db = da.from_array(host, chunks=chunk).persist(), da.from_array(host_b, chunks=(chunk, 256)).persist()
    tx = ts.asarray(host, chunks=chunk).persist()
    tb = ts.asarray(host_b, chunks=(chunk, 256)).persist()

    print(f"float16 {n}x{n} in {chunk}x{chunk} chunks; b is {n}x256; best of {repeat}")
    print("| workload | tessera s | dask s | numpy s | dask/tessera | numpy/tessera | max error tessera / dask / numpy |")
    print("|---|---|---|---|---|---|---|")
    reference = workloads(np, host, host_b)
    exact = workloads(np, host.astype(np.float64), host_b.astype(np.float64))
    for name, ts_fn in workloads(ts, tx, tb).items():
        t_ts, r_ts = best_of(repeat, lambda: np.asarray(ts_fn().compute()))
        t_da, r_da = best_of(repeat, lambda: np.asarray(workloads(da, dx, db)[name]().compute()))
        t_np, r_np = best_of(repeat, reference[name])
        want = np.asarray(exact[name](), dtype=np.float64)
        errors = []
        for label, result in (("tessera", r_ts), ("dask", r_da), ("numpy", np.asarray(r_np))):
            assert result.dtype == np.float16, (name, label, result.dtype)
            errors.append(f"{np.max(np.abs(result.astype(np.float64) - want)):.3g}")
        # Elements rounded to half before a sum carry a few of half's ulps each: about
        # sqrt(n * n) of them add up, in either direction.
        np.testing.assert_allclose(r_ts.astype(np.float64), want, rtol=1e-2, atol=n * 2.0 ** -10, err_msg=name)
        print(f"| `{name}` | {t_ts:.3f} | {t_da:.3f} | {t_np:.3f} | {t_da / t_ts:.2f} | {t_np / t_ts:.2f} | "
              f"{' / '.join(errors)} |")


if __name__ == "__main__":
    main()
