// GPU detection: answers without throwing on every machine, the same answer each time,
// and a reason exactly when no GPU is usable.
#include <gtest/gtest.h>

#include "tessera/core/gpus.hpp"

namespace {

TEST(Gpus, AvailabilityIsConsistentAndQueriedOnce) {
  const tessera::GpuAvailability& first = tessera::gpu_availability();
  EXPECT_EQ(&first, &tessera::gpu_availability());
  EXPECT_EQ(first.gpus.empty(), !first.reason.empty()) << first.reason;
  for (std::size_t i = 0; i < first.gpus.size(); ++i) {
    const tessera::GpuInfo& g = first.gpus[i];
    EXPECT_FALSE(g.name.empty());
    EXPECT_GT(g.memory_bytes, 0u);
    EXPECT_GE(g.compute_capability, 50);
    EXPECT_GT(g.multiprocessors, 0);
  }
#if !defined(TESSERA_TEST_WITH_CUDA)
  EXPECT_EQ(first.reason, "tessera was built without CUDA");
#endif
}

}  // namespace
