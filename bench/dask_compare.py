#!/usr/bin/env python3
"""Per-task overhead of tessera's C++ runtime beside Dask's threaded scheduler.

Both run the same graph in the same invocation: `leaves` increments summed by a binary
tree (40k tasks for the default 20k leaves). Dask's figure times `dask.threaded.get` on
a prebuilt graph dict; tessera's includes building the graph through the C++ API, so the
comparison does not flatter tessera.

    python3 bench/dask_compare.py --binary build/release/bench/tessera_tree_graph_bench
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import time
from operator import add


def inc(x):
    return x + 1


def tree_graph(leaves):
    """The Dask graph: ('inc', i) for i < leaves, then pairwise ('add', depth, j)."""
    graph = {}
    level = []
    for i in range(leaves):
        graph[("inc", i)] = (inc, i)
        level.append(("inc", i))
    depth = 0
    while len(level) > 1:
        next_level = []
        for j in range(0, len(level) - 1, 2):
            key = ("add", depth, j // 2)
            graph[key] = (add, level[j], level[j + 1])
            next_level.append(key)
        if len(level) % 2:
            next_level.append(level[-1])
        level = next_level
        depth += 1
    return graph, level[0]


def dask_us_per_task(leaves, repeats):
    import dask.threaded

    graph, root = tree_graph(leaves)
    expected = leaves * (leaves + 1) // 2
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = dask.threaded.get(graph, root)
        times.append(time.perf_counter() - start)
        if result != expected:
            raise SystemExit(f"dask computed {result}, expected {expected}")
    return statistics.median(times) * 1e6 / len(graph), len(graph)


def tessera_us_per_task(binary, leaves, repeats):
    out = subprocess.run([binary, str(leaves), str(repeats)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="build/release/bench/tessera_tree_graph_bench")
    parser.add_argument("--leaves", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import dask

    tessera = tessera_us_per_task(args.binary, args.leaves, args.repeats)
    dask_us, tasks = dask_us_per_task(args.leaves, args.repeats)
    ours = tessera["us_per_task_with_graph_build"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; dask {dask.__version__}; "
          f"graph: {tasks} tasks ({args.leaves} increments summed by a binary tree); median of {args.repeats}")
    print(f"{'runtime':<58} {'us/task':>9}")
    print(f"{'dask.threaded.get (' + str(os.cpu_count()) + ' threads), prebuilt graph':<58} {dask_us:>9.2f}")
    label = f"tessera C++ ({tessera['workers']} worker x {tessera['threads_per_worker']} threads), build+run"
    print(f"{label:<58} {ours:>9.2f}")
    print(f"{'tessera C++, submit+run only':<58} {tessera['us_per_task_submit_and_run']:>9.2f}")
    print(f"ratio dask / tessera: {dask_us / ours:.1f}x")


if __name__ == "__main__":
    main()
