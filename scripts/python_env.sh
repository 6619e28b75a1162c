#!/usr/bin/env bash
# Builds and installs the Python package into a virtual environment, build/venv, with what
# its tests and benchmarks need: `pip install .` (scikit-build-core runs CMake in
# build/python/, which persists, so a re-install recompiles only what changed).
#
# TESSERA_PIP_PRESET=release (scripts/test.sh) builds the module in that CMake preset's
# folder instead, with its settings (scripts/pip_args_for_preset.py), where the libraries
# are compiled already: only the bindings compile. pip's scikit-build-core may clear that
# folder's cache (settings given to it by hand are lost) and leaves pybind11's path from
# its temporary environment there: the preset's configure restores both afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=build/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip
build_args=()
if [ -n "${TESSERA_PIP_PRESET:-}" ]; then
  mapfile -t build_args < <(python3 scripts/pip_args_for_preset.py "$TESSERA_PIP_PRESET")
  ((${#build_args[@]})) || exit 1
  build_args+=(-Cbuild.targets=_tessera)  # not the preset's tests and benchmarks
fi
"$venv/bin/python" -m pip install -q ${build_args[@]+"${build_args[@]}"} ".[test,bench]"
if [ -n "${TESSERA_PIP_PRESET:-}" ]; then
  cmake --preset "$TESSERA_PIP_PRESET" >/dev/null
fi
