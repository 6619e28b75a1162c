// GPU devices' host-side services, where a GPU is present (skips elsewhere): page-locked
// memory (pinned, from the process's pool, serving the next buffer once released), and
// waiting for every GPU in use without changing the thread's current one.
#include <gtest/gtest.h>

#include <cuda_runtime_api.h>

#include <cstring>
#include <thread>

#include "tessera/core/cuda_device.hpp"
#include "tessera/core/gpus.hpp"

namespace {

TEST(CudaPinned, HostBuffersArePinnedAndReusedOnceReleased) {
  const tessera::GpuAvailability& available = tessera::gpu_availability();
  if (available.gpus.empty()) GTEST_SKIP() << "no usable GPU: " << available.reason;
  auto gpu = tessera::make_cuda_device({.ordinal = available.gpus.front().index});
  constexpr std::size_t kBytes = (std::size_t{1} << 20) + 100;
  const void* blocks[2] = {};
  {
    tessera::Buffer host = gpu->allocate_host(kBytes);
    ASSERT_EQ(host.nbytes(), kBytes);
    cudaPointerAttributes attributes{};
    ASSERT_EQ(cudaPointerGetAttributes(&attributes, host.data()), cudaSuccess);
    EXPECT_EQ(attributes.type, cudaMemoryTypeHost) << "not page-locked";
    // A round trip through the device lands in it intact.
    std::memset(host.data(), 0x3c, kBytes);
    tessera::Buffer device = gpu->allocate(kBytes);
    gpu->copy_from_host(host.data(), device, kBytes);
    tessera::Buffer back = gpu->allocate_host(kBytes);
    gpu->copy_to_host(device, back.data(), kBytes);
    EXPECT_EQ(std::memcmp(host.data(), back.data(), kBytes), 0);
    blocks[0] = host.data();
    blocks[1] = back.data();
  }
  // Both blocks are cached now: a request of their size class gets one of them.
  const tessera::Buffer again = gpu->allocate_host(kBytes - 50);
  EXPECT_TRUE(again.data() == blocks[0] || again.data() == blocks[1]) << "a released block serves the next request";
}

TEST(CudaDevices, WaitingForTheGpusInUseLeavesTheCurrentGpuAsItWas) {
  const tessera::GpuAvailability& available = tessera::gpu_availability();
  if (available.gpus.empty()) GTEST_SKIP() << "no usable GPU: " << available.reason;
  auto gpu = tessera::make_cuda_device({.ordinal = available.gpus.back().index});
  int before = -1, after = -1;
  ASSERT_EQ(cudaGetDevice(&before), cudaSuccess);
  EXPECT_NO_THROW(tessera::synchronize_gpus_in_use());
  ASSERT_EQ(cudaGetDevice(&after), cudaSuccess);
  EXPECT_EQ(after, before);
  // A thread that never used CUDA is left without a context too (no error, nothing made).
  std::thread fresh([] { EXPECT_NO_THROW(tessera::synchronize_gpus_in_use()); });
  fresh.join();
}

}  // namespace
