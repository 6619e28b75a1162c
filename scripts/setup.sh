#!/usr/bin/env bash
# Installs what tessera needs to build, test and benchmark on Debian 12 (or Ubuntu),
# from Debian's packages only; does nothing for what is already there. The CUDA
# toolkit is optional: with nvcc on PATH or in /usr/local/cuda the CUDA sources build too.
set -euo pipefail

packages=(cmake ninja-build g++ libgtest-dev libgmock-dev libbenchmark-dev libopenblas-dev libsleef-dev libdlpack-dev pkg-config)
command -v python3 >/dev/null 2>&1 || packages+=(python3 python3-pip)
# The Python module builds in a virtual environment against Python's headers.
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then packages+=(python3-venv); fi
if ! python3 -c 'import os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))' \
    >/dev/null 2>&1; then
  packages+=(python3-dev)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
