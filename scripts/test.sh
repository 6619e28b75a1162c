#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs every test: the C++ suites in an
# optimised build (CUDA sources compiled for sm_90 when nvcc is present; GPU tests skip
# without a GPU), then the same suites under AddressSanitizer + UndefinedBehaviorSanitizer
# and under ThreadSanitizer. Pass preset names to run only those (e.g. `release`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

presets=("$@")
if ((${#presets[@]} == 0)); then presets=(release debug-asan tsan); fi
jobs=$(nproc)
for preset in "${presets[@]}"; do
  echo "=== ${preset}: configure, build, test"
  start=$(date +%s)
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
  echo "=== ${preset}: passed in $(($(date +%s) - start)) s"
done
