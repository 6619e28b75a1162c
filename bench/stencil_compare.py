"""A 5-point Laplacian stencil side by side: NumPy (whole array, np.pad 'symmetric'),
dask.array.map_overlap (threaded scheduler, depth 1, boundary 'reflect') and tessera's
map_overlap (the C++ API, through bench/stencil_bench) on the same sizes, in one run.
Each framework runs in its own process so that its peak RSS can be reported.

Usage: python3 bench/stencil_compare.py [n] [chunk] [--skip-numpy]
Prints seconds (stencil, then the sum of squares of the result, so that only a scalar
comes back) and each process's peak resident memory. The input matrix is generated and
kept in memory before timing, for every framework.
"""
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(os.environ.get("TESSERA_STENCIL_BENCH", ROOT / "build" / "release" / "bench" / "tessera_stencil_bench"))


def laplacian(b):
    out = b.copy()
    out[1:-1, 1:-1] = 4 * b[1:-1, 1:-1] - b[:-2, 1:-1] - b[2:, 1:-1] - b[1:-1, :-2] - b[1:-1, 2:]
    return out


def run_dask(n, chunk):
    import dask
    import dask.array as da

    dask.config.set(scheduler="threads")
    x = da.random.default_rng(1).random((n, n), chunks=chunk).persist()
    start = time.perf_counter()
    y = x.map_overlap(laplacian, depth=1, boundary="reflect")
    value = float((y * y).sum().compute())
    return time.perf_counter() - start, value


def run_numpy(n, chunk):
    import numpy as np

    x = np.random.default_rng(1).random((n, n))
    start = time.perf_counter()
    y = laplacian(np.pad(x, 1, mode="symmetric"))[1:-1, 1:-1]
    value = float((y * y).sum())
    return time.perf_counter() - start, value


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(framework, n, chunk):
    """Runs one framework in this process and prints its line."""
    seconds, value = {"dask": run_dask, "numpy": run_numpy}[framework](n, chunk)
    print(f"stencil {seconds:.4f}  (value {value:.6g})")
    print(f"peak_rss_mib {peak_rss_mib():.1f}")


def measure(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    fields = {}
    for line in out.splitlines():
        name, value = line.split()[:2]
        fields[name] = float(value)
    value = float(out.split("(value ")[1].split(")")[0])
    return fields["stencil"], fields["peak_rss_mib"], value


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 8000
    chunk = int(args[1]) if len(args) > 1 else 1000
    results = {"tessera": measure([str(BENCH), str(n), str(chunk)])}
    results["dask"] = measure([sys.executable, __file__, "--child", "dask", str(n), str(chunk)])
    if "--skip-numpy" not in sys.argv:
        results["numpy"] = measure([sys.executable, __file__, "--child", "numpy", str(n), str(chunk)])

    t = results["tessera"][0]
    print(f"n={n} chunk={chunk}; 5-point stencil, depth 1, reflect; seconds (lower is better)")
    # The inputs come from different generators: the sums of squares agree only roughly
    # (about n² · 20/12 for uniform [0, 1) values).
    print(f"{'framework':10s} {'seconds':>9s} {'x tessera':>10s} {'peak RSS MiB':>13s} {'sum of squares':>15s}")
    for name, (seconds, rss, value) in results.items():
        print(f"{name:10s} {seconds:9.3f} {seconds / t:10.2f} {rss:13.1f} {value:15.6g}")


if __name__ == "__main__":
    main()
