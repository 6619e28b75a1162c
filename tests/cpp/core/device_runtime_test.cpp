// The runtime on devices: tasks placed by the kind of device they can run on, values
// moved to the device of the task reading them (host to GPU, GPU to GPU, GPU to host),
// results gathered into host memory, and the device tier of the spill store. Runs on
// simulated GPUs (simulated_gpu.hpp), so that CI without a GPU exercises all of it.
#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "runtime_helpers.hpp"
#include "tessera/core/spill_store.hpp"
#include "simulated_gpu.hpp"

namespace {

using tessera::Chunk;
using tessera::Device;
using tessera::DeviceKind;
using tessera::ExecutionContext;
using tessera::Placement;
using tessera::Value;
using tessera::testing::SimulatedGpu;

constexpr std::int64_t kElements = 256;
constexpr std::size_t kChunkBytes = kElements * sizeof(double);
// What a store counts for one such chunk (its elements and its header).
constexpr std::size_t kValueBytes = kChunkBytes + sizeof(Chunk);

Placement gpu_preferred() { return Placement{tessera::mask_of(DeviceKind::cpu) | tessera::mask_of(DeviceKind::cuda), DeviceKind::cuda}; }

// Where a task's inputs must be: null (host memory) on the host, else the task's device.
Device* expected_location(const ExecutionContext& context) {
  return &context.device == tessera::host_device().get() ? nullptr : &context.device;
}

void check_inputs_are_local(std::span<const Value> inputs, const ExecutionContext& context) {
  for (const Value& v : inputs) {
    if (v.get<Chunk>().buffer.location() != expected_location(context)) {
      throw tessera::Error("an input is not on " + context.device.name());
    }
  }
}

// A chunk of kElements copies of `value`, made on the task's device.
class FillRunner final : public tessera::TaskRunner {
 public:
  FillRunner(double value, Placement placement) : value_(value), placement_(placement) {}
  Value run(std::span<const Value> inputs) const override {
    return run_on(inputs, ExecutionContext{*tessera::host_device(), 0});
  }
  Value run_on(std::span<const Value>, const ExecutionContext& context) const override {
    Chunk c = Chunk::allocate_on(context.device, tessera::DType::float64, {kElements});
    std::fill_n(c.data<double>(), kElements, value_);  // simulated device memory is host memory
    return Value::make(std::move(c));
  }
  Placement placement() const override { return placement_; }

 private:
  double value_;
  Placement placement_;
};

// The elementwise sum of its input chunks, made on the task's device; fails when an
// input is not there (the worker must have moved it).
class SumRunner final : public tessera::TaskRunner {
 public:
  explicit SumRunner(Placement placement) : placement_(placement) {}
  Value run(std::span<const Value> inputs) const override {
    return run_on(inputs, ExecutionContext{*tessera::host_device(), 0});
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    check_inputs_are_local(inputs, context);
    Chunk c = Chunk::allocate_on(context.device, tessera::DType::float64, {kElements});
    std::fill_n(c.data<double>(), kElements, 0.0);
    for (const Value& v : inputs) {
      for (std::int64_t i = 0; i < kElements; ++i) c.data<double>()[i] += v.get<Chunk>().data<double>()[i];
    }
    return Value::make(std::move(c));
  }
  Placement placement() const override { return placement_; }

 private:
  Placement placement_;
};

// Simulated GPUs, `device_memory_limit` bytes of results each, `capacity` bytes of memory.
struct Cluster : tessera::testing::SimulatedGpuCluster {
  explicit Cluster(std::size_t gpus, std::size_t device_memory_limit = 0, std::size_t capacity = 0)
      : SimulatedGpuCluster({.cards = gpus, .device_memory_limit = device_memory_limit, .capacity = capacity}) {}
};

std::vector<tessera::TaskRef<Chunk>> add_fills(tessera::Graph& graph, int n, Placement placement) {
  std::vector<tessera::TaskRef<Chunk>> refs;
  for (int i = 0; i < n; ++i) {
    const tessera::Key key = tessera::Key::unique();
    graph.add_task(tessera::TaskSpec{key, "fill-" + std::to_string(i), {}, std::make_shared<FillRunner>(i + 1.0, placement)});
    refs.emplace_back(key);
  }
  return refs;
}

tessera::TaskRef<Chunk> add_sum(tessera::Graph& graph, const std::vector<tessera::TaskRef<Chunk>>& inputs,
                                Placement placement) {
  std::vector<tessera::Key> keys;
  for (const auto& r : inputs) keys.push_back(r.key());
  const tessera::Key key = tessera::Key::unique();
  graph.add_task(tessera::TaskSpec{key, "sum", std::move(keys), std::make_shared<SumRunner>(placement)});
  return tessera::TaskRef<Chunk>(key);
}

void expect_filled(const Chunk& c, double value) {
  ASSERT_EQ(c.buffer.location(), nullptr) << "results reach the client in host memory";
  for (std::int64_t i = 0; i < kElements; ++i) ASSERT_EQ(c.data<double>()[i], value) << "element " << i;
}

TEST(DeviceRuntime, TasksPreferringAGpuRunOnGpuWorkersAndReturnToTheHost) {
  Cluster c(2);
  EXPECT_EQ(c.cluster->n_workers(), 3u);
  EXPECT_EQ(c.cluster->worker_device(0), "cpu");
  EXPECT_EQ(c.cluster->worker_device(2), "sim:1");
  tessera::Graph graph;
  auto refs = add_fills(graph, 8, gpu_preferred());
  auto futures = c.client->compute(std::move(graph), refs);
  for (int i = 0; i < 8; ++i) expect_filled(futures[static_cast<std::size_t>(i)].result(), i + 1.0);
  EXPECT_EQ(c.total(&SimulatedGpu::allocations), 8) << "every chunk was made on a GPU worker";
  EXPECT_EQ(c.cluster->worker_stats(0).tasks_executed, 0u) << "the CPU worker ran none";
  EXPECT_EQ(c.total(&SimulatedGpu::copies_out), 8) << "each result was copied to the host once";
}

TEST(DeviceRuntime, HostTasksReadGpuResultsInHostMemory) {
  Cluster c(1);
  tessera::Graph graph;
  auto refs = add_fills(graph, 4, gpu_preferred());
  auto sum = add_sum(graph, refs, Placement{});  // host only
  expect_filled(c.client->compute(std::move(graph), sum).result(), 1.0 + 2.0 + 3.0 + 4.0);
  const auto cpu = c.cluster->worker_stats(0);
  EXPECT_EQ(cpu.tasks_executed, 1u);
  EXPECT_EQ(cpu.values_moved, 4u) << "the four inputs were copied off the GPU";
  EXPECT_EQ(cpu.bytes_moved, 4 * kValueBytes);
}

TEST(DeviceRuntime, WithoutAGpuWorkerGpuPreferringTasksRunOnTheHost) {
  Cluster c(0);
  tessera::Graph graph;
  auto refs = add_fills(graph, 3, gpu_preferred());
  auto sum = add_sum(graph, refs, gpu_preferred());
  expect_filled(c.client->compute(std::move(graph), sum).result(), 6.0);
  EXPECT_EQ(c.cluster->worker_stats(0).tasks_executed, 4u);
}

TEST(DeviceRuntime, GpuTasksMoveInputsFromOtherGpusAndFromTheHost) {
  Cluster c(2);
  tessera::Graph graph;
  auto on_gpus = add_fills(graph, 8, gpu_preferred());
  auto on_host = add_fills(graph, 1, Placement{});
  std::vector<tessera::TaskRef<Chunk>> all = on_gpus;
  all.push_back(on_host.front());
  auto sum = add_sum(graph, all, gpu_preferred());
  expect_filled(c.client->compute(std::move(graph), sum).result(), 36.0 + 1.0);
  const auto gpu0 = c.cluster->worker_stats(1);
  const auto gpu1 = c.cluster->worker_stats(2);
  EXPECT_EQ(gpu0.tasks_executed + gpu1.tasks_executed, 9u);
  // The fills spread over both GPUs, so the sum read some from the other one, peer to
  // peer, and the host fill through a copy in.
  EXPECT_GT(c.devices[0]->allocations.load(), 0);
  EXPECT_GT(c.devices[1]->allocations.load(), 0);
  EXPECT_GT(c.total(&SimulatedGpu::peer_copies), 0);
  EXPECT_GE(c.total(&SimulatedGpu::copies_in), 1);
  EXPECT_GE(gpu0.values_moved + gpu1.values_moved, 2u);
}

TEST(DeviceRuntime, PastTheDeviceLimitLeastRecentlyUsedResultsMoveToHostAndComeBack) {
  Cluster c(1, 3 * kValueBytes);
  tessera::Graph graph;
  auto refs = add_fills(graph, 10, gpu_preferred());
  auto held = c.client->compute(std::move(graph), refs);
  for (auto& f : held) f.wait();
  const auto stats = c.cluster->worker_stats(1).store;
  EXPECT_LE(stats.bytes_on_device, 3 * kValueBytes);
  EXPECT_EQ(stats.keys_in_memory, 10u) << "moved to host memory, not to disk";
  EXPECT_EQ(stats.moved_to_host_total, 7u);
  EXPECT_EQ(c.devices[0]->copies_out.load(), static_cast<int>(stats.moved_to_host_total));

  // A task reading them all brings them back to the device (and the limit moves others out).
  tessera::Graph again;
  auto sum = add_sum(again, refs, gpu_preferred());
  expect_filled(c.client->compute(std::move(again), sum).result(), 55.0);
  EXPECT_GE(c.devices[0]->copies_in.load(), 7);
  EXPECT_LE(c.cluster->worker_stats(1).store.bytes_on_device, 3 * kValueBytes);
  for (int i = 0; i < 10; ++i) expect_filled(held[static_cast<std::size_t>(i)].result(), i + 1.0);
}

TEST(DeviceRuntime, OutOfDeviceMemoryFailsTheTaskAndNothingElse) {
  Cluster c(1, 0, /*capacity=*/2 * kChunkBytes);
  tessera::Graph graph;
  auto refs = add_fills(graph, 2, gpu_preferred());
  auto held = c.client->compute(std::move(graph), refs);
  for (auto& f : held) f.wait();
  tessera::Graph more;
  auto third = add_fills(more, 1, gpu_preferred());
  auto failing = c.client->compute(std::move(more), third.front());
  try {
    (void)failing.result();
    FAIL() << "expected the allocation to fail";
  } catch (const tessera::TaskError& e) {
    EXPECT_NE(std::string(e.what()).find("could not allocate"), std::string::npos) << e.what();
  }
  expect_filled(held[0].result(), 1.0);
  expect_filled(held[1].result(), 2.0);
}

TEST(DeviceRuntime, ATaskNoWorkerCanRunIsRejectedAtSubmission) {
  Cluster c(0);
  tessera::Graph graph;
  auto refs = add_fills(graph, 1, Placement{tessera::mask_of(DeviceKind::cuda), DeviceKind::cuda});
  try {
    (void)c.client->compute(std::move(graph), refs.front());
    FAIL() << "expected a ValueError";
  } catch (const tessera::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("fill-0"), std::string::npos) << e.what();
  }
}

TEST(DeviceRuntime, ScatteredValuesGoToHostWorkers) {
  Cluster c(2);
  auto futures = c.client->scatter(std::vector<int>{1, 2, 3, 4});
  for (auto& f : futures) f.wait();
  EXPECT_EQ(c.cluster->worker_stats(0).store.keys_in_memory, 4u);
}

TEST(DeviceRuntime, GatherLeavesResultsOnTheNamedDevice) {
  Cluster c(2);
  tessera::Graph graph;
  auto refs = add_fills(graph, 6, gpu_preferred());
  const auto chunk_futures = c.client->compute(std::move(graph), refs);
  for (const auto& f : chunk_futures) f.wait();
  const int made_on_first = c.devices[0]->allocations.load();
  const auto on_first = c.client->gather(chunk_futures, *c.devices[0]);
  int shared = 0;
  for (std::size_t i = 0; i < on_first.size(); ++i) {
    EXPECT_EQ(on_first[i].buffer.location(), c.devices[0].get()) << "chunk " << i;
    EXPECT_EQ(on_first[i].data<double>()[kElements - 1], static_cast<double>(i + 1));
    shared += on_first[i].buffer.shared() ? 1 : 0;
  }
  EXPECT_EQ(shared, made_on_first) << "the first GPU's own chunks come as they are, still held by its worker";
  EXPECT_EQ(c.total(&SimulatedGpu::copies_out), 0) << "nothing went through the host";
  EXPECT_EQ(c.devices[0]->peer_copies.load(), 6 - made_on_first) << "those of the other GPU were copied across";
  const auto on_host = c.client->gather(chunk_futures, *tessera::host_device());
  for (const Chunk& chunk : on_host) EXPECT_EQ(chunk.buffer.location(), nullptr);
}

TEST(DeviceRuntime, LiteralsInDeviceMemoryAreHeldByAWorkerOfThatKind) {
  Cluster c(1);
  Chunk literal = Chunk::allocate_on(*c.devices[0], tessera::DType::float64, {kElements});
  std::fill_n(literal.data<double>(), kElements, 5.0);
  const tessera::LiteralRunner runner(Value::make(literal));
  EXPECT_EQ(runner.placement().prefers, DeviceKind::cuda);
  EXPECT_EQ(tessera::LiteralRunner(Value::make(7)).placement().prefers, DeviceKind::cpu);

  tessera::Graph graph;
  const tessera::Key key = tessera::Key::unique();
  graph.add_task(tessera::TaskSpec{key, "literal", {}, std::make_shared<tessera::LiteralRunner>(Value::make(literal))});
  auto sum = add_sum(graph, {tessera::TaskRef<Chunk>(key)}, gpu_preferred());
  expect_filled(c.client->compute(std::move(graph), sum).result(), 5.0);
  EXPECT_EQ(c.cluster->worker_stats(0).tasks_executed, 0u) << "the CPU worker ran neither";
  EXPECT_EQ(c.devices[0]->copies_in.load(), 0) << "the literal never left the device";
}

TEST(DeviceRuntime, LiteralsInDeviceMemoryAreHeldByTheWorkerOfTheirDevice) {
  Cluster c(3);
  const std::size_t home = 2;  // devices[2] is worker 3's device
  Chunk literal = Chunk::allocate_on(*c.devices[home], tessera::DType::float64, {kElements});
  std::fill_n(literal.data<double>(), kElements, 2.0);
  EXPECT_EQ(tessera::LiteralRunner(Value::make(literal)).placement().device, "sim:2");

  // More literals than the worker has threads: spread by load as roots are, most would be
  // held by the other GPUs' workers (and copied across for every task reading them there).
  tessera::Graph graph;
  std::vector<tessera::TaskRef<Chunk>> literals;
  constexpr int kLiterals = 8;
  for (int i = 0; i < kLiterals; ++i) {
    const tessera::Key key = tessera::Key::unique();
    graph.add_task(tessera::TaskSpec{key, "literal", {}, std::make_shared<tessera::LiteralRunner>(Value::make(literal))});
    literals.emplace_back(key);
  }
  const auto futures = c.client->compute(std::move(graph), literals);
  for (const auto& f : futures) expect_filled(f.result(), 2.0);
  for (std::size_t w = 1; w <= c.devices.size(); ++w) {
    const std::size_t expected = w == home + 1 ? kLiterals : 0;
    EXPECT_EQ(c.cluster->worker_stats(w).tasks_executed, expected) << "worker " << w;
  }
}

TEST(DeviceValues, ChunksMoveBetweenDevicesAndSerializeFromAny) {
  auto gpu = std::make_shared<SimulatedGpu>("sim:0");
  auto other = std::make_shared<SimulatedGpu>("sim:1");
  Chunk host = Chunk::allocate(tessera::DType::int32, {3, 5});
  std::iota(host.data<std::int32_t>(), host.data<std::int32_t>() + 15, -7);
  const Value on_host = Value::make(host);
  EXPECT_EQ(on_host.location(), nullptr);
  EXPECT_EQ(on_host.relocated_to(*tessera::host_device()).get<Chunk>().buffer.data(), host.buffer.data())
      << "already there: no copy";

  const Value on_gpu = on_host.relocated_to(*gpu);
  EXPECT_EQ(on_gpu.location(), gpu.get());
  EXPECT_EQ(on_gpu.relocated_to(*gpu).get<Chunk>().buffer.data(), on_gpu.get<Chunk>().buffer.data());
  const Value on_other = on_gpu.relocated_to(*other);
  EXPECT_EQ(on_other.location(), other.get());
  EXPECT_EQ(other->peer_copies.load(), 1);
  const Value back = on_other.relocated_to(*tessera::host_device());
  EXPECT_EQ(back.location(), nullptr);
  EXPECT_EQ(back.get<Chunk>().shape, host.shape);
  EXPECT_EQ(std::memcmp(back.get<Chunk>().buffer.data(), host.buffer.data(), host.nbytes()), 0);

  std::vector<std::byte> from_gpu, from_host;
  on_gpu.serialize(from_gpu);
  on_host.serialize(from_host);
  EXPECT_EQ(from_gpu, from_host) << "a device chunk serializes like its host copy";

  const tessera::Buffer duplicate = tessera::duplicate_buffer(on_gpu.get<Chunk>().buffer);
  EXPECT_EQ(duplicate.location(), gpu.get());
  EXPECT_NE(duplicate.data(), on_gpu.get<Chunk>().buffer.data());
  EXPECT_EQ(std::memcmp(duplicate.data(), host.buffer.data(), host.nbytes()), 0);
  EXPECT_FALSE(duplicate.shared()) << "a fresh copy is the caller's alone";
  EXPECT_TRUE(host.buffer.shared()) << "on_host holds the same bytes";
  const tessera::Buffer host_duplicate = tessera::duplicate_buffer(host.buffer);
  EXPECT_EQ(host_duplicate.location(), nullptr);
  EXPECT_EQ(std::memcmp(host_duplicate.data(), host.buffer.data(), host.nbytes()), 0);

  const tessera::Buffer part = on_gpu.get<Chunk>().buffer.view(8, 12);
  EXPECT_EQ(part.location(), gpu.get()) << "a view stays on its device";
  EXPECT_EQ(part.data(), on_gpu.get<Chunk>().buffer.data() + 8);
  EXPECT_EQ(part.nbytes(), 12u);
  EXPECT_THROW((void)part.view(4, 9), tessera::ValueError);

  const Value not_a_chunk = Value::make(42);
  EXPECT_EQ(not_a_chunk.relocated_to(*gpu).location(), nullptr) << "host-only types stay on the host";
}

TEST(DeviceValues, TheSpillStoreKeepsDeviceBytesUnderItsLimit) {
  tessera::testing::TempDir dir;
  auto gpu = std::make_shared<SimulatedGpu>("sim:0");
  tessera::SpillStore store(/*memory_limit=*/2 * kValueBytes, dir.path(), /*device_limit=*/2 * kValueBytes);
  for (int i = 0; i < 6; ++i) {
    Chunk c = Chunk::allocate_on(*gpu, tessera::DType::float64, {kElements});
    std::fill_n(c.data<double>(), kElements, double(i));
    store.put(tessera::Key{static_cast<std::uint64_t>(i + 1)}, Value::make(std::move(c)));
  }
  auto stats = store.stats();
  EXPECT_EQ(stats.keys_on_device, 2u);
  EXPECT_EQ(stats.bytes_on_device, 2 * kValueBytes);
  EXPECT_EQ(stats.moved_to_host_total, 4u);
  EXPECT_EQ(stats.keys_in_memory, 4u) << "two on the device, two in host memory";
  EXPECT_EQ(stats.keys_on_disk, 2u) << "past the host limit, the oldest went to disk";
  for (int i = 0; i < 6; ++i) {
    const auto v = store.get(tessera::Key{static_cast<std::uint64_t>(i + 1)});
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->get<Chunk>().data<double>()[kElements - 1], double(i));
  }
  // Replacing a key moves it between tiers; a released key is not brought back.
  const tessera::Key first{1};
  EXPECT_TRUE(store.replace(first, store.get(first)->relocated_to(*gpu)));
  EXPECT_LE(store.stats().bytes_on_device, 2 * kValueBytes);
  store.erase(first);
  EXPECT_FALSE(store.replace(first, Value::make(1)));
  EXPECT_FALSE(store.contains(first));
}

}  // namespace
