#!/usr/bin/env bash
# Builds the release preset and runs the runtime benchmarks: per-task overhead (Google
# Benchmark), the million-task scale run, and the comparison with Dask's threaded
# scheduler on the same graph (installs dask from PyPI for it).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
python3 -m pip install -q "dask[array]==2024.12.1" numpy
cmake --preset release >/dev/null
cmake --build --preset release --target tessera_task_overhead_bench tessera_scale_bench tessera_tree_graph_bench tessera_array_bench
echo "=== per-task overhead (Google Benchmark)"
./build/release/bench/tessera_task_overhead_bench --benchmark_counters_tabular=true
echo "=== one million tasks"
./build/release/bench/tessera_scale_bench 1000000
echo "=== tessera beside Dask's threaded scheduler"
python3 bench/dask_compare.py --binary build/release/bench/tessera_tree_graph_bench
echo "=== array workloads beside NumPy and dask.array"
python3 bench/array_compare.py 10000 2000
