// The host's share of every fused GPU launch: generating the kernel's CUDA source from
// the task's program (its name is a hash of it) and finding the compiled kernel in the
// cache. Runs without a GPU (NVRTC compiles on the host): on an H200 a 64 MiB chunk's
// elementwise kernel takes about 30 µs, so this must stay well under that.
//
//   build/release/bench/tessera_kernel_source_bench
#include <benchmark/benchmark.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <tessera/kernels/cuda/fused_source.hpp>
#include <tessera/kernels/cuda/nvrtc_compiler.hpp>
#include <tessera/kernels/fused.hpp>
#include <tessera/kernels/registry.hpp>

#include "fused_programs.hpp"

namespace {

namespace cuda = tessera::kernels::cuda;
namespace k = tessera::kernels;
using tessera::DType;

const k::ElementwiseKernel& float64_kernel(const char* op) {
  const auto* kernel = k::KernelRegistry::instance().find_elementwise(
      op, std::vector<DType>{DType::float64, DType::float64}, tessera::DeviceKind::cpu);
  if (kernel == nullptr) throw std::runtime_error(std::string("no float64 kernel for ") + op);
  return *kernel;
}

/// Four binary operations over 2-d chunks (eight loads), as `x * 2 + y - z / 3` lowers.
k::FusedProgram chain() {
  const tessera::Shape shape{1000, 1000};
  k::FusedProgram program;
  for (const char* op : {"multiply", "add", "subtract", "divide"}) {
    program.result = tessera::test::append_apply(program, op, float64_kernel(op), shape);
  }
  return program;
}

void ElementwiseSource(benchmark::State& state) {
  const k::FusedProgram program = chain();
  for (auto _ : state) benchmark::DoNotOptimize(cuda::fused_kernel_source(program, 2));
}
BENCHMARK(ElementwiseSource)->Unit(benchmark::kMicrosecond);

void ReductionSource(benchmark::State& state) {
  const k::FusedProgram program = tessera::test::reducible(DType::float64, {1000, 1000});
  const k::ReductionKernel* mean = k::KernelRegistry::instance().find_reduction("mean", DType::float64,
                                                                                tessera::DeviceKind::cpu);
  const std::vector<bool> reduced{true, false};
  for (auto _ : state) benchmark::DoNotOptimize(cuda::fused_reduction_source(program, reduced, "mean", *mean));
}
BENCHMARK(ReductionSource)->Unit(benchmark::kMicrosecond);

void ScanSource(benchmark::State& state) {
  const k::FusedProgram program = chain();
  for (auto _ : state) benchmark::DoNotOptimize(cuda::fused_scan_source(program, 2, 1, "add", true));
}
BENCHMARK(ScanSource)->Unit(benchmark::kMicrosecond);

// The compiled kernel found again: hashing the source and the options, one cache lookup.
void CachedCompile(benchmark::State& state) {
  const std::string source = cuda::fused_kernel_source(chain(), 2).source;
  cuda::compile_cuda(source, cuda::NvrtcOptions{90, {}});  // compiled once, outside the loop
  for (auto _ : state) benchmark::DoNotOptimize(cuda::compile_cuda(source, cuda::NvrtcOptions{90, {}}));
}
BENCHMARK(CachedCompile)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
