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
# TESSERA_PIP_PRESET=release (scripts/test.sh) builds the module in that CMake preset's
# folder, with its settings (pip_args_for_preset.py), where the libraries are compiled
# already: only the bindings compile. The preset turns the module off again, since pip's
# pybind11 lives in a temporary environment.
build_args=()
if [ -n "${TESSERA_PIP_PRESET:-}" ]; then
  mapfile -t build_args < <(python3 scripts/pip_args_for_preset.py "$TESSERA_PIP_PRESET")
  ((${#build_args[@]})) || exit 1
fi
"$venv/bin/python" -m pip install -q ${build_args[@]+"${build_args[@]}"} ".[test,bench]"
