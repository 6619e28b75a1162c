// How failed CUDA calls become exceptions: out of memory, a GPU lost for the rest of the
// process (sticky errors, remembered so that every device on the card says so), or any
// other error. Needs no GPU: the classification and the record are host code.
#include <gtest/gtest.h>

#include <string>

#include "tessera/core/cuda_device.hpp"
#include "tessera/core/error.hpp"

namespace {

// cudaError_t values, spelled out: the test is built without CUDA's headers.
constexpr int kInvalidValue = 1, kMemoryAllocation = 2, kIllegalAddress = 700;

#if defined(TESSERA_TEST_WITH_CUDA)

std::string message_of(int status, int ordinal, const char* what) {
  try {
    tessera::throw_cuda_failure(status, ordinal, what);
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

TEST(CudaFailure, OnlyStickyErrorsMarkTheGpuLost) {
  // No such GPU: nothing real is marked lost for the other tests of this process.
  constexpr int kOrdinal = 1 << 20, kOtherOrdinal = kOrdinal + 1;
  ASSERT_TRUE(tessera::cuda_device_lost_reason(kOrdinal).empty());

  EXPECT_THROW(tessera::throw_cuda_failure(kMemoryAllocation, kOrdinal, "allocating"), tessera::OutOfMemory);
  try {
    tessera::throw_cuda_failure(kInvalidValue, kOrdinal, "launching");
    FAIL() << "no exception";
  } catch (const tessera::DeviceLost&) {
    FAIL() << "an invalid argument does not break the GPU";
  } catch (const tessera::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("launching failed: ", 0), 0u) << e.what();
  }
  EXPECT_TRUE(tessera::cuda_device_lost_reason(kOrdinal).empty());

  EXPECT_THROW(tessera::throw_cuda_failure(kIllegalAddress, kOrdinal, "cuda:9: running a task"), tessera::DeviceLost);
  const std::string reason = tessera::cuda_device_lost_reason(kOrdinal);
  EXPECT_EQ(reason.rfind("cuda:9: running a task failed: ", 0), 0u) << reason;
  EXPECT_NE(reason.find("illegal memory access"), std::string::npos) << reason;
  // The first error is the reason; later ones (every call fails now) do not replace it.
  EXPECT_EQ(message_of(kIllegalAddress, kOrdinal, "copying").rfind("copying failed", 0), 0u);
  EXPECT_EQ(tessera::cuda_device_lost_reason(kOrdinal), reason);
  EXPECT_TRUE(tessera::cuda_device_lost_reason(kOtherOrdinal).empty());
}

#else

TEST(CudaFailure, WithoutCudaNoErrorMarksAGpuLost) {
  EXPECT_THROW(tessera::throw_cuda_failure(kIllegalAddress, 0, "running a task"), tessera::Error);
  try {
    tessera::throw_cuda_failure(kIllegalAddress, 0, "running a task");
  } catch (const tessera::DeviceLost&) {
    FAIL() << "a build without CUDA has no GPU to lose";
  } catch (const tessera::Error&) {
  }
  EXPECT_TRUE(tessera::cuda_device_lost_reason(0).empty());
  (void)kInvalidValue;
  (void)kMemoryAllocation;
}

#endif

}  // namespace
