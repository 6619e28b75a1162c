// Arrays handing their results to device memory (Array::compute_on, what DLPack exports)
// and reading device memory in place (from_chunk, what DLPack imports), on a simulated
// GPU worker. In builds with CUDA the array tasks would run CUDA kernels on the simulated
// GPU's host memory, so there these cases skip: tests/cpp/array/gpu_array_test.cpp and
// tests/python/test_dlpack.py cover them on a real GPU.
#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <vector>

#include "array_test_support.hpp"
#include "core/simulated_gpu.hpp"

namespace tessera::testing {
namespace {

struct SimulatedGpuCluster {
  SimulatedGpuCluster()
      : gpu(std::make_shared<SimulatedGpu>("sim:0")),
        cluster(LocalClusterOptions{.n_workers = 1, .threads_per_worker = 2, .gpus = 0, .devices = {gpu}}),
        client(cluster) {}
  std::shared_ptr<SimulatedGpu> gpu;
  LocalCluster cluster;
  Client client;
};

std::vector<double> host_copy(const Chunk& chunk) {
  std::vector<double> out(static_cast<std::size_t>(chunk.size()));
  const Device* where = chunk.buffer.location();
  if (where == nullptr) {
    std::copy_n(chunk.data<double>(), out.size(), out.data());
  } else {
    const_cast<Device*>(where)->copy_to_host(chunk.buffer, out.data(), chunk.nbytes());
  }
  return out;
}

class DeviceData : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef TESSERA_TEST_WITH_CUDA
    GTEST_SKIP() << "with CUDA built in, array tasks on a simulated GPU would launch real kernels";
#endif
  }
};

TEST_F(DeviceData, ComputeOnLeavesTheWholeArrayInTheDevicesMemory) {
  SimulatedGpuCluster c;
  const std::vector<double> values = random_values(7 * 9, 3);
  const Array x = from_vector(values, {7, 9}, ChunkSpec({3, 4})) * 2.0;
  const Chunk on_gpu = x.compute_on(c.client, *c.gpu);
  EXPECT_EQ(on_gpu.buffer.location(), c.gpu.get());
  EXPECT_EQ(on_gpu.shape, (Shape{7, 9}));
  EXPECT_FALSE(on_gpu.buffer.shared()) << "blocks joined by a task: a chunk nobody else holds";
  const std::vector<double> expected = computed(x);
  EXPECT_EQ(host_copy(on_gpu), expected);

  const Chunk on_host = x.compute_on(c.client, *host_device());
  EXPECT_EQ(on_host.buffer.location(), nullptr);
  EXPECT_EQ(host_copy(on_host), expected);
}

TEST_F(DeviceData, ComputeOnSharesAStoredChunkAndSaysSo) {
  SimulatedGpuCluster c;
  const Array stored = arange(0.0, 12.0, 1.0, {.chunks = ChunkSpec(12)}).persist(c.client);
  std::vector<double> expected(12);
  std::iota(expected.begin(), expected.end(), 0.0);
  // Host tasks made it: in host memory it is the worker's own chunk, elsewhere a copy.
  const Chunk in_place = stored.compute_on(c.client, *host_device());
  EXPECT_TRUE(in_place.buffer.shared());
  EXPECT_EQ(host_copy(in_place), expected);
  const Chunk copied = stored.compute_on(c.client, *c.gpu);
  EXPECT_EQ(copied.buffer.location(), c.gpu.get());
  EXPECT_FALSE(copied.buffer.shared());
  EXPECT_EQ(host_copy(copied), expected);
}

TEST_F(DeviceData, ArraysReadDeviceChunksInPlace) {
  SimulatedGpuCluster c;
  Chunk whole = Chunk::allocate_on(*c.gpu, DType::float64, {6, 4});
  std::iota(whole.data<double>(), whole.data<double>() + 24, 1.0);  // simulated device memory is host memory
  const int copies_before = c.gpu->copies_in.load();
  const Array x = from_chunk(whole, ChunkSpec({2, 4}));
  EXPECT_EQ(x.numblocks(), (std::vector<std::int64_t>{3, 1}));
  const HostArray sums = x.sum(std::int64_t{0}).compute(c.client);
  EXPECT_EQ(sums.to_vector<double>(), (std::vector<double>{66, 72, 78, 84}));
  EXPECT_EQ(c.gpu->copies_in.load(), copies_before) << "the chunk was read where it is, never copied in";

  // A task reading the first block row copies that row's slab off the device, not the
  // whole chunk.
  const std::size_t moved_before = c.cluster.worker_stats(0).bytes_moved;
  const HostArray first_rows = x[std::vector<IndexItem>{Slice{0, 2, std::nullopt}}].sum().compute(c.client);
  EXPECT_EQ(first_rows.item<double>(), 36.0);
  EXPECT_EQ(c.cluster.worker_stats(0).bytes_moved - moved_before, sizeof(Chunk) + 2 * 4 * sizeof(double));

  Chunk short_buffer = whole;
  short_buffer.shape = {7, 4};
  EXPECT_THROW((void)from_chunk(short_buffer), ValueError);
}

}  // namespace
}  // namespace tessera::testing
