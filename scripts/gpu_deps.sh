#!/usr/bin/env bash
# Gathers, on a machine with Debian's and PyPI's archives, what the lent GPU machine needs
# to build and benchmark tessera but cannot download (it reaches no network): the Debian
# packages of the libraries tessera links (OpenBLAS, SLEEF, GoogleTest, Google Benchmark,
# DLPack's header, pkgconf) and the wheels of dask for the dask.array+CuPy peer. They go to .gpu-deps/
# (ignored by git), which the device tool carries with the call that runs
# scripts/gpu_session.sh (carry: [".gpu-deps"]).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.gpu-deps
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/wheels"
# apt-get download writes as the _apt user where it can; a root-owned folder is fine too.
(cd "$dir/debs" && apt-get download -q \
  libopenblas0 libopenblas0-pthread libopenblas-dev libopenblas-pthread-dev libgfortran5 \
  libsleef3 libsleef-dev libgtest-dev libgmock-dev libbenchmark1debian libbenchmark-dev \
  libdlpack-dev pkgconf pkgconf-bin libpkgconf3 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
# dask for the peer, for the device image's Python (3.12); its other dependencies
# (numpy, toolz, cloudpickle, fsspec, packaging, pyyaml) are in the image already.
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 -d "$dir/wheels" \
  "dask==2024.12.1" "partd==1.4.2" "locket==1.0.0"
du -sh "$dir"
