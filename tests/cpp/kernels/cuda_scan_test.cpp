// The CUDA backend's scans (cumulative sums and products within a block): the generated
// kernels compile with NVRTC for both ways of walking a line (no GPU needed, so this runs
// in CI), bad requests are refused by name, and, where a GPU is present, the kernels
// compute what a sequential scan of the CPU evaluator's values gives.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <complex>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <tessera/kernels/cuda/fused_launch.hpp>
#include <tessera/kernels/cuda/fused_source.hpp>
#include <tessera/kernels/cuda/nvrtc_compiler.hpp>
#include <tessera/kernels/cuda/smoke.hpp>
#include <tessera/kernels/fused.hpp>
#include <tessera/kernels/ops/arithmetic.hpp>
#include <tessera/kernels/ops/cast.hpp>

#include "cuda_test_support.hpp"
#include "fused_programs.hpp"
#include "tessera/core/error.hpp"

namespace {

namespace cuda = tessera::kernels::cuda;
namespace k = tessera::kernels;
namespace ops = tessera::kernels::ops;
using tessera::DType;
using tessera::test::DeviceBytes;
using tessera::test::reducible;

TEST(CudaFusedScan, GeneratedScanKernelsCompile) {
  const tessera::Shape shape{6, 5, 40};
  struct Case {
    DType dtype;
    const char* op;
    int axis;
    bool block_per_line;
  };
  for (const Case c : {Case{DType::float64, "add", 1, false}, Case{DType::float64, "add", 2, true},
                       Case{DType::int64, "multiply", 2, true}, Case{DType::complex64, "add", 2, true},
                       Case{DType::complex128, "multiply", 0, false}}) {
    const cuda::FusedKernelSource source =
        cuda::fused_scan_source(reducible(c.dtype, shape), 3, c.axis, c.op, c.block_per_line);
    EXPECT_EQ(source.source.find("cub::BlockScan") != std::string::npos, c.block_per_line);
    EXPECT_TRUE(source.argument_in_parameter);
    EXPECT_GT(cuda::compile_cuda(source.source, cuda::NvrtcOptions{90, {}})->size(), 0u)
        << tessera::name(c.dtype) << " " << c.op << " axis " << c.axis;
  }
}

TEST(CudaFusedScan, BadScansAreRefusedByName) {
  const k::FusedProgram program = reducible(DType::float64, {4, 5});
  EXPECT_TRUE(cuda::has_device_scan("add", DType::int8));
  EXPECT_TRUE(cuda::has_device_scan("multiply", DType::complex128));
  EXPECT_FALSE(cuda::has_device_scan("maximum", DType::float64));
  try {
    cuda::fused_scan_source(program, 2, 0, "maximum", false);
    FAIL() << "a scan without device code was accepted";
  } catch (const tessera::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("maximum"), std::string::npos) << e.what();
  }
  EXPECT_THROW(cuda::fused_scan_source(program, 2, 2, "add", false), tessera::ValueError);
  EXPECT_THROW(cuda::fused_scan_source(program, 2, -1, "add", true), tessera::ValueError);
}

// ---- on a GPU --------------------------------------------------------------------------

/// The CPU's block scan: the fused program's values, then each line along `axis`
/// accumulated in order.
template <class T, class Op>
std::vector<T> sequential_scan(const k::FusedProgram& program, std::span<const void* const> sources,
                               const tessera::Shape& shape, int axis) {
  std::int64_t count = 1, inner = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    count *= shape[d];
    if (static_cast<int>(d) > axis) inner *= shape[d];
  }
  std::vector<T> values(static_cast<std::size_t>(count));
  const std::vector<std::int64_t> extent(shape.begin(), shape.end());
  k::evaluate_fused(program, sources, extent, values.data());
  const std::int64_t length = shape[static_cast<std::size_t>(axis)];
  for (std::int64_t o = 0; o < count / (length * inner); ++o) {
    for (std::int64_t j = 1; j < length; ++j) {
      for (std::int64_t i = 0; i < inner; ++i) {
        T& at = values[static_cast<std::size_t>((o * length + j) * inner + i)];
        at = Op::apply(values[static_cast<std::size_t>((o * length + j - 1) * inner + i)], at);
      }
    }
  }
  return values;
}

template <class T>
void check_scans_of(DType dtype) {
  struct Case {
    tessera::Shape shape;
    int axis;
  };
  // Long contiguous lines (a block per line, several tiles), short ones and strided ones
  // (a thread per line), and a single long line.
  const std::vector<Case> cases = {{{37, 300}, 1}, {{37, 300}, 0}, {{5, 3, 40}, 2}, {{5, 3, 40}, 1},
                                   {{5000}, 0},    {{4, 20}, 1},   {{3, 0, 2}, 2}};
  for (const Case& c : cases) {
    const std::size_t n = static_cast<std::size_t>(tessera::shape_size(c.shape));
    const k::FusedProgram program = reducible(dtype, c.shape);
    const std::vector<std::int64_t> extent(c.shape.begin(), c.shape.end());
    for (const std::string op : {"add", "multiply"}) {
      // Values whose sums (small integers) and products (signs; integers wrap) come
      // out the same bits in any order of combining: the block scan's tree must match
      // the sequential walk exactly.
      std::mt19937 rng(5);
      std::uniform_int_distribution<int> pick(0, 3);
      std::vector<T> x(n), y(n);
      for (std::size_t e = 0; e < n; ++e) {
        const bool signs_only = op == "multiply" && !std::is_integral_v<T>;
        x[e] = ops::convert<T>(signs_only ? (pick(rng) < 2 ? -1 : 1) : pick(rng) + 1);
        y[e] = ops::convert<T>(signs_only ? (pick(rng) < 2 ? -1 : 1) : 3);
      }
      DeviceBytes dx(n * sizeof(T), x.data()), dy(n * sizeof(T), y.data()), out(n * sizeof(T));
      const void* host_sources[] = {x.data(), y.data()};
      const void* device_sources[] = {dx.ptr, dy.ptr};
      const std::vector<T> expected = op == "add"
                                          ? sequential_scan<T, ops::Add>(program, host_sources, c.shape, c.axis)
                                          : sequential_scan<T, ops::Multiply>(program, host_sources, c.shape, c.axis);
      cuda::scan_fused_on_device(program, device_sources, extent, c.axis, op, out.ptr, nullptr);
      std::vector<T> got(n);
      ASSERT_EQ(cudaMemcpy(got.data(), out.ptr, n * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
      for (std::size_t e = 0; e < n; ++e) {
        ASSERT_EQ(expected[e], got[e]) << op << " " << tessera::name(dtype) << " " << tessera::shape_to_string(c.shape)
                                       << " axis " << c.axis << " element " << e;
      }
    }
  }
}

TEST(CudaFusedScanOnGpu, ScansMatchASequentialScan) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  check_scans_of<double>(DType::float64);
  check_scans_of<float>(DType::float32);
  check_scans_of<std::int64_t>(DType::int64);
  check_scans_of<std::uint64_t>(DType::uint64);
  check_scans_of<std::complex<double>>(DType::complex128);
}

}  // namespace
