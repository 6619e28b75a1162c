#!/usr/bin/env bash
# Sets everything up on a fresh machine, builds tessera and runs the demos: a task graph on
# the local cluster (its result and the overhead per task), the seed's array program in
# C++, and the same from Python (`pip install .` into build/venv) with futures and delayed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tessera_graph_demo tessera_array_demo
./build/release/examples/tessera_graph_demo
./build/release/examples/tessera_array_demo
./scripts/python_env.sh
build/venv/bin/python examples/python_demo.py
