// Runs the CUDA toolchain smoke kernel where a GPU is present; skips with the reason
// (no driver, no device) elsewhere, as on CI.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include <tessera/kernels/cuda/smoke.hpp>

#include "tessera/core/error.hpp"

namespace {

namespace cuda = tessera::kernels::cuda;

TEST(CudaSmoke, AxpyMatchesTheHostLoop) {
  if (cuda::device_count() == 0) {
    GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  }
  const unsigned seed = 20261125;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{255}, std::size_t{256}, std::size_t{257}, std::size_t{1} << 20}) {
    std::vector<float> x(n), y(n);
    for (auto& v : x) v = dist(rng);
    for (auto& v : y) v = dist(rng);
    const auto out = cuda::axpy_on_device(2.5f, x, y);
    ASSERT_EQ(out.size(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_FLOAT_EQ(out[i], 2.5f * x[i] + y[i]) << "n=" << n << " i=" << i << " seed=" << seed;
  }
}

TEST(CudaSmoke, MismatchedLengthsAreAValueError) {
  // Checked before touching the device, so this runs without a GPU too.
  EXPECT_THROW(cuda::axpy_on_device(1.f, std::vector<float>(3), std::vector<float>(4)), tessera::ValueError);
}

TEST(CudaSmoke, DeviceCountNeverThrows) {
  const int count = cuda::device_count();
  EXPECT_GE(count, 0);
  if (count == 0) {
    EXPECT_FALSE(cuda::device_unavailable_reason().empty());
  }
}

}  // namespace
