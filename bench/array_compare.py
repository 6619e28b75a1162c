"""Array workloads side by side: NumPy, dask.array (threaded scheduler) and tessera (the
C++ API, through bench/array_bench) on the same sizes, in one run.

Usage: python3 bench/array_compare.py [n] [chunk] [repeat] [--skip-numpy]
Prints the best of `repeat` (default 3) seconds per workload and tessera's speed-up over
each peer. The input matrix is generated and kept in memory before timing, for every
framework.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import dask
import dask.array as da

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("TESSERA_ARRAY_BENCH", ROOT / "build" / "release" / "bench" / "tessera_array_bench"))


def workloads(lib, x, b):
    return {
        "seed_centered_sum": lambda: (x.T - x.mean(axis=0)).sum(),
        "sin2_cos2_mean": lambda: (lib.sin(x) ** 2 + lib.cos(x) ** 2).mean(),
        "x_plus_xT_sum": lambda: (x + x.T).sum(),
        "strided_std": lambda: x[::2, ::2].std(),
        "matmul": lambda: (x @ b).sum(),
        "sum": lambda: x.sum(),
        # The seed's two halves.
        "mean_axis0": lambda: x.mean(axis=0),
        "xT_sum": lambda: x.T.sum(),
    }


# Bytes each streaming workload must read at least, for the bandwidth floor: x once, or
# twice where a result needs a pass over x before the next pass can start (the seed's mean)
# or pairs each chunk with another one (x + x.T reads chunks (i, j) and (j, i) for each
# output chunk); x[::2, ::2] touches every cache line of every other row.
STREAMING_BYTES = {
    "seed_centered_sum": lambda n: 2 * 8 * n * n,
    "sin2_cos2_mean": lambda n: 8 * n * n,
    "x_plus_xT_sum": lambda n: 2 * 8 * n * n,
    "strided_std": lambda n: 8 * n * n // 2,
    "sum": lambda n: 8 * n * n,
    "mean_axis0": lambda n: 8 * n * n,
    "xT_sum": lambda n: 8 * n * n,
}


def copy_bandwidth(threads=2, megabytes=512, repeat=5):
    """STREAM-style copy bandwidth (bytes read + written per second) with `threads` threads
    each copying its share with NumPy (which releases the GIL)."""
    import threading
    n = megabytes * (1 << 20) // 8
    src, dst = np.ones(n), np.zeros(n)
    parts = [(i * n // threads, (i + 1) * n // threads) for i in range(threads)]
    best = float("inf")
    for _ in range(repeat):
        workers = [threading.Thread(target=np.copyto, args=(dst[a:b], src[a:b])) for a, b in parts]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        best = min(best, time.perf_counter() - start)
    return 2 * 8 * n / best


def timed(fn, compute, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        r = fn()
        if compute:
            r = r.compute()
        best = min(best, time.perf_counter() - start)
        del r
    return best


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 20000
    chunk = int(args[1]) if len(args) > 1 else 2000
    repeat = int(args[2]) if len(args) > 2 else 3
    results = {}
    out = subprocess.run([str(BENCH), str(n), str(chunk), str(repeat)], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        name, seconds = line.split()[:2]
        results.setdefault(name, {})["tessera"] = float(seconds)

    dask.config.set(scheduler="threads")
    dx = da.random.default_rng(1).random((n, n), chunks=chunk).persist()
    db = da.random.default_rng(2).random((n, n // 10), chunks=chunk).persist()
    for name, fn in workloads(da, dx, db).items():
        results[name]["dask"] = timed(fn, True, repeat)
    del dx, db

    if "--skip-numpy" not in sys.argv:
        rng = np.random.default_rng(1)
        nx = rng.random((n, n))
        nb = rng.random((n, n // 10))
        for name, fn in workloads(np, nx, nb).items():
            results[name]["numpy"] = timed(fn, False, repeat)

    bandwidth = copy_bandwidth()
    print(f"n={n} chunk={chunk}; best of {repeat} seconds (lower is better); copy bandwidth {bandwidth / 1e9:.1f} GB/s (2 threads)")
    print(f"{'workload':22s} {'tessera':>9s} {'dask':>9s} {'numpy':>9s} {'dask/tessera':>13s} {'numpy/tessera':>14s}"
          f" {'floor':>8s} {'tessera/floor':>14s}")
    for name, r in results.items():
        t, d, p = r.get("tessera"), r.get("dask"), r.get("numpy")
        fmt = lambda v: f"{v:9.3f}" if v is not None else f"{'-':>9s}"
        ratio = lambda v: f"{v / t:13.2f}" if v is not None and t else f"{'-':>13s}"
        floor = STREAMING_BYTES[name](n) / bandwidth if name in STREAMING_BYTES else None
        over_floor = f"{t / floor:14.2f}" if floor and t else f"{'-':>14s}"
        floor_text = f"{floor:8.3f}" if floor else f"{'-':>8s}"
        print(f"{name:22s} {fmt(t)} {fmt(d)} {fmt(p)} {ratio(d)} {ratio(p):>14s} {floor_text} {over_floor}")


if __name__ == "__main__":
    main()
