// matmul_block_on_device (cuBLAS) against the CPU's matmul_block for every transpose and
// accumulate combination, where a GPU is present; the dtype check everywhere.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <complex>
#include <cstring>
#include <random>
#include <vector>

#include <tessera/kernels/cuda/matmul.hpp>
#include <tessera/kernels/cuda/smoke.hpp>
#include <tessera/kernels/matmul.hpp>
#include <tessera/kernels/ops/cast.hpp>

#include "cuda_test_support.hpp"
#include "tessera/core/error.hpp"

namespace {

namespace cuda = tessera::kernels::cuda;
using tessera::DType;

TEST(CudaMatmul, DtypesWithoutAGemmAreATypeErrorBeforeAnyCudaCall) {
  EXPECT_TRUE(cuda::has_device_matmul(DType::float64));
  EXPECT_TRUE(cuda::has_device_matmul(DType::complex64));
  EXPECT_TRUE(cuda::has_device_matmul(DType::float16));
  EXPECT_TRUE(cuda::has_device_matmul(DType::bfloat16));
  EXPECT_FALSE(cuda::has_device_matmul(DType::int32));
  EXPECT_FALSE(cuda::has_device_matmul(DType::bool_));
  int a = 0, b = 0, c = 0;
  EXPECT_THROW(cuda::matmul_block_on_device(DType::int32, &a, false, &b, false, &c, 1, 1, 1, false, nullptr),
               tessera::TypeError);
}

TEST(CudaMatmul, MatchesTheCpuBlockKernel) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  const std::int64_t m = 67, n = 45, k = 130;
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> dist(-1, 1);
  for (DType dtype :
       {DType::float16, DType::bfloat16, DType::float32, DType::float64, DType::complex64, DType::complex128}) {
    // 16-bit results are rounded to 11 bits (float16: a step of 2^-7 at the sums'
    // magnitudes) or 8 (bfloat16: 2^-4), and cuBLAS may add in another order before rounding.
    const double tolerance = dtype == DType::float16 ? 2e-2 : dtype == DType::bfloat16 ? 1.5e-1 : 1e-3;
    const std::size_t size = tessera::itemsize(dtype);
    auto random_bytes = [&](std::int64_t count) {
      std::vector<std::byte> bytes(static_cast<std::size_t>(count) * size);
      tessera::type_dispatch(dtype, [&]<class T>() {
        for (std::int64_t i = 0; i < count; ++i) {
          // (Only the floating dtypes reach here; the others merely instantiate.)
          const std::complex<double> z(dist(rng), dist(rng));
          const T v = tessera::kernels::ops::convert<T>(z);
          std::memcpy(bytes.data() + static_cast<std::size_t>(i) * size, &v, size);
        }
      });
      return bytes;
    };
    const auto a = random_bytes(m * k), b = random_bytes(k * n), c0 = random_bytes(m * n);
    tessera::test::DeviceBytes da(a.size(), a.data()), db(b.size(), b.data()), dc(c0.size());
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        for (bool accumulate : {false, true}) {
          std::vector<std::byte> expected = c0, got(c0.size());
          ASSERT_EQ(cudaMemcpy(dc.ptr, c0.data(), c0.size(), cudaMemcpyHostToDevice), cudaSuccess);
          // The same bytes read transposed are another matrix: both sides see the same one.
          tessera::kernels::matmul_block(dtype, a.data(), ta, b.data(), tb, expected.data(), m, n, k, accumulate);
          cuda::matmul_block_on_device(dtype, da.ptr, ta, db.ptr, tb, dc.ptr, m, n, k, accumulate, nullptr);
          ASSERT_EQ(cudaMemcpy(got.data(), dc.ptr, got.size(), cudaMemcpyDeviceToHost), cudaSuccess);
          tessera::type_dispatch(dtype, [&]<class T>() {
            for (std::int64_t i = 0; i < m * n; ++i) {
              T x, y;
              std::memcpy(&x, expected.data() + static_cast<std::size_t>(i) * size, size);
              std::memcpy(&y, got.data() + static_cast<std::size_t>(i) * size, size);
              const std::complex<double> xd = tessera::kernels::ops::convert<std::complex<double>>(x);
              const std::complex<double> yd = tessera::kernels::ops::convert<std::complex<double>>(y);
              EXPECT_LE(std::abs(xd - yd), tolerance)
                  << tessera::name(dtype) << " ta=" << ta << " tb=" << tb << " acc=" << accumulate << " i=" << i;
            }
          });
        }
      }
    }
  }
}

template <class T>
void expect_float_accumulation_as_on_the_cpu() {
  const std::int64_t m = 40, n = 30, k = 90;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<T> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n));
  for (auto& v : a) v = dist(rng);
  for (auto& v : b) v = dist(rng);
  std::vector<float> expected(static_cast<std::size_t>(m * n), 0.5f), got(expected.size());
  tessera::test::DeviceBytes da(a.size() * 2, a.data()), db(b.size() * 2, b.data()),
      dc(got.size() * 4, expected.data());
  const DType dtype = tessera::dtype_of<T>;
  tessera::kernels::matmul_block(dtype, a.data(), false, b.data(), true, expected.data(), m, n, k, true,
                                 DType::float32);
  cuda::matmul_block_on_device(dtype, da.ptr, false, db.ptr, true, dc.ptr, m, n, k, true, DType::float32, nullptr);
  ASSERT_EQ(cudaMemcpy(got.data(), dc.ptr, got.size() * 4, cudaMemcpyDeviceToHost), cudaSuccess);
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expected[i], 1e-4) << tessera::name(dtype) << ' ' << i;
}

TEST(CudaMatmul, SixteenBitOperandsAccumulateInFloatAsOnTheCpu) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  expect_float_accumulation_as_on_the_cpu<tessera::float16>();
  expect_float_accumulation_as_on_the_cpu<tessera::bfloat16>();
  float a = 0, b = 0, c = 0;
  EXPECT_THROW(
      cuda::matmul_block_on_device(DType::float32, &a, false, &b, false, &c, 1, 1, 1, false, DType::float64, nullptr),
      tessera::TypeError);
}

}  // namespace
