#!/usr/bin/env bash
# Builds and installs the Python package into a virtual environment, build/venv, with what
# its tests and benchmarks need: `pip install .` (scikit-build-core runs CMake; the build
# folder build/python/ persists, so a re-install recompiles only what changed).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=build/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q ".[test,bench]"
