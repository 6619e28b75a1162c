#!/usr/bin/env bash
# Builds tessera with CUDA on the lent GPU machine and runs what needs a GPU, in one call
# of the device tool (which carries the working tree; the machine reaches no network):
#
#   ./scripts/gpu_deps.sh                      # here, once: fills .gpu-deps/
#   run(command="bash scripts/gpu_session.sh", carry=[".gpu-deps"], timeout_s=600)
#
# Steps (all by default, or those named as arguments, in this order): build (Release,
# sm_90, the Python module in place), test (every C++ suite, the GPU ones included, then
# the Python suite, whose default cluster then takes the GPU), bench (tessera-bench, then
# bench/gpu_compare.py beside CuPy and dask.array over CuPy). The libraries of
# .gpu-deps/debs are unpacked under /opt/tessera-deps (never over /), dask's wheels into
# a folder of their own. Each step's full log goes to $OUT; a table of the steps, and the
# benchmark tables, come last. A failing step does not stop the later ones.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/tessera-gpu-session}
mkdir -p "$out"
steps=("$@")
if ((${#steps[@]} == 0)); then steps=(build test bench); fi
jobs=$(nproc)
build=build/gpu

prefix=/opt/tessera-deps
lib=$prefix/usr/lib/x86_64-linux-gnu
if [ -d .gpu-deps/debs ]; then
  mkdir -p "$prefix"
  for deb in .gpu-deps/debs/*.deb; do dpkg -x "$deb" "$prefix"; done
fi
if [ -d .gpu-deps/wheels ] && ! python3 -c 'import dask' >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --target "$prefix/python" .gpu-deps/wheels/*.whl
fi
export LD_LIBRARY_PATH="$lib/openblas-pthread:$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PKG_CONFIG_PATH="$lib/openblas-pthread/pkgconfig:$lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR=$prefix  # the .pc files say /usr; the files are under $prefix
export PYTHONPATH="$PWD/python:$prefix/python"
pkg_config=$(command -v pkg-config || echo "$prefix/usr/bin/pkgconf")

summary=()
# run_step NAME LOG COMMAND...: runs it, logs everything, records status and seconds.
run_step() {
  local name=$1 log=$2
  shift 2
  local start status
  start=$(date +%s)
  echo "=== $name"
  "$@" >"$out/$log" 2>&1
  status=$?
  tail -n 5 "$out/$log"
  summary+=("$(printf '%-22s %-6s %5d s  %s' "$name" "$([ $status -eq 0 ] && echo ok || echo FAIL:$status)" \
    $(($(date +%s) - start)) "$log")")
  return $status
}

configure() {
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTESSERA_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DTESSERA_WERROR=OFF -DTESSERA_BUILD_PYTHON=ON -DPython_EXECUTABLE="$(command -v python3)" \
    -DCMAKE_PREFIX_PATH="$prefix/usr" -DPKG_CONFIG_EXECUTABLE="$pkg_config"
}

configure_and_build() {
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv
  nvcc --version | tail -n 2
  configure && cmake --build "$build" -j "$jobs"
}

for step in "${steps[@]}"; do
  case $step in
    configure) run_step configure configure.log configure ;;  # a dry run of the dependencies
    build) run_step build build.log configure_and_build ;;
    test)
      run_step gpu-kernel-tests kernels_cuda_tests.log "$build/tests/cpp/kernels_cuda_tests"
      run_step gpu-array-tests array_gpu_tests.log "$build/tests/cpp/array_gpu_tests"
      # The GPU suites ran just above, with their whole output; not twice.
      run_step cpp-suites ctest.log ctest --test-dir "$build" -j "$jobs" --output-on-failure --timeout 300 \
        -E '^(Cuda[A-Za-z]*|GpuArray)\.'
      run_step python-suite pytest.log python3 -m pytest tests/python -q -p no:cacheprovider
      ;;
    bench)
      run_step tessera-bench tessera_bench.log "$build/bench/tessera-bench"
      run_step gpu-compare gpu_compare.log python3 bench/gpu_compare.py
      ;;
    *) echo "gpu_session: unknown step '$step' (configure, build, test, bench)" >&2; exit 2 ;;
  esac
done

echo
for f in tessera_bench.log gpu_compare.log; do
  if [ -s "$out/$f" ]; then echo "=== $f"; tail -n 40 "$out/$f"; fi
done
echo "=== steps"
printf '%s\n' "${summary[@]}"
! printf '%s\n' "${summary[@]}" | grep -q FAIL
