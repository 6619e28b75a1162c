#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs every test: the C++ suites in an
# optimised build (CUDA sources compiled for sm_90 when nvcc is present; GPU tests skip
# without a GPU), the Python suite against `pip install .` in build/venv (compiled in the
# release folder, so that the libraries compile once), then the C++ suites under
# AddressSanitizer + UndefinedBehaviorSanitizer and under ThreadSanitizer.
# Pass step names to run only those (e.g. `release python`).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

steps=("$@")
if ((${#steps[@]} == 0)); then steps=(release python debug-asan tsan); fi
jobs=$(nproc)
for step in "${steps[@]}"; do
  echo "=== ${step}: build and test"
  start=$(date +%s)
  if [ "$step" = python ]; then
    # The module builds in the release folder, reusing its libraries (python_env.sh).
    CMAKE_BUILD_PARALLEL_LEVEL=$jobs TESSERA_PIP_PRESET=release ./scripts/python_env.sh
    build/venv/bin/python -m pytest tests/python -q -p no:cacheprovider
  else
    cmake --preset "$step" >/dev/null
    cmake --build --preset "$step" -j "$jobs"
    ctest --preset "$step" -j "$jobs"
  fi
  echo "=== ${step}: passed in $(($(date +%s) - start)) s"
done
