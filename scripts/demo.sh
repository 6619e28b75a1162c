#!/usr/bin/env bash
# Sets everything up on a fresh machine, builds tessera and runs the demo: a task graph on
# the local cluster, its result and the measured overhead per task.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tessera_graph_demo tessera_array_demo
./build/release/examples/tessera_graph_demo
./build/release/examples/tessera_array_demo
