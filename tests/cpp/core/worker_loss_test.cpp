// Surviving a lost GPU: a kernel that corrupts a GPU's context leaves the card unusable
// to the process, so its worker retires. The results only it held are computed again
// where they are still needed, the tasks it was given run on other workers, a task that
// breaks every worker it runs on fails with KilledWorker after allowed_failures losses,
// and work that preferred the GPU runs on the CPU once no GPU is left. Runs on simulated
// GPUs (simulated_gpu.hpp) that break the way a GPU does after a sticky CUDA error.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime_helpers.hpp"
#include "simulated_gpu.hpp"

namespace {

using tessera::DeviceKind;
using tessera::ExecutionContext;
using tessera::Key;
using tessera::Placement;
using tessera::TaskRef;
using tessera::Value;
using tessera::testing::SimulatedGpu;

const Placement kGpuPreferred{tessera::mask_of(DeviceKind::cpu) | tessera::mask_of(DeviceKind::cuda),
                                  DeviceKind::cuda};
const Placement kGpuOnly{tessera::mask_of(DeviceKind::cuda), DeviceKind::cuda};

bool on_gpu(const ExecutionContext& context) { return context.device.kind() == DeviceKind::cuda; }

// Breaks the simulated GPU it runs on, as an out-of-bounds kernel breaks a real one.
[[noreturn]] void break_device(const ExecutionContext& context) {
  static_cast<SimulatedGpu&>(context.device).lose("an illegal memory access was encountered");
  throw tessera::DeviceLost(context.device.name() + ": running a task failed: an illegal memory access was encountered");
}

// A task body with a placement; counts its runs.
class Runner final : public tessera::TaskRunner {
 public:
  using Body = std::function<Value(std::span<const Value>, const ExecutionContext&)>;
  Runner(Body body, Placement placement, std::shared_ptr<std::atomic<int>> runs)
      : body_(std::move(body)), placement_(placement), runs_(std::move(runs)) {}
  Value run(std::span<const Value> inputs) const override {
    return run_on(inputs, ExecutionContext{*tessera::host_device(), 0});
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    ++*runs_;
    return body_(inputs, context);
  }
  Placement placement() const override { return placement_; }

 private:
  Body body_;
  Placement placement_;
  std::shared_ptr<std::atomic<int>> runs_;
};

// Simulated cards, each split into `virtual_gpus` workers that share its fate.
struct Cluster : tessera::testing::SimulatedGpuCluster {
  explicit Cluster(std::size_t cards, std::uint32_t allowed_failures = 3, std::size_t virtual_gpus = 1)
      : SimulatedGpuCluster({.cards = cards, .virtual_gpus = virtual_gpus, .allowed_failures = allowed_failures}) {}
};

Key add(tessera::Graph& graph, std::string name, std::vector<Key> dependencies, Runner::Body body, Placement placement,
        std::shared_ptr<std::atomic<int>> runs) {
  const Key key = Key::unique();
  graph.add_task(tessera::TaskSpec{key, std::move(name), std::move(dependencies),
                                   std::make_shared<Runner>(std::move(body), placement, std::move(runs))});
  return key;
}

// The error of a future whose task must fail with KilledWorker, or none (a test failure).
template <class Future>
std::optional<tessera::TaskError> killed_worker_error(Future& future) {
  try {
    future.result();
  } catch (const tessera::TaskError& e) {
    EXPECT_EQ(e.exception_type(), "tessera::KilledWorker") << e.what();
    return e;
  }
  ADD_FAILURE() << "the task did not fail";
  return std::nullopt;
}

std::int64_t sum_of(std::span<const Value> inputs) {
  std::int64_t total = 0;
  for (const Value& v : inputs) total += v.get<std::int64_t>();
  return total;
}

TEST(LostGpu, ResultsOnlyItHeldAreComputedAgainAndItsTasksRunElsewhere) {
  Cluster c(2);
  auto fill_runs = std::make_shared<std::atomic<int>>(0);
  auto breaker_runs = std::make_shared<std::atomic<int>>(0);
  constexpr int kFills = 8;

  // Stage 1: results on both GPUs, held by futures.
  tessera::Graph fills;
  std::vector<Key> fill_keys;
  for (int i = 0; i < kFills; ++i) {
    fill_keys.push_back(add(fills, "fill-" + std::to_string(i), {},
                            [i](std::span<const Value>, const ExecutionContext&) { return Value::make(std::int64_t{i + 1}); },
                            kGpuPreferred, fill_runs));
  }
  auto fill_futures = c.client->compute(std::move(fills), fill_keys);
  c.client->wait(fill_futures);
  ASSERT_EQ(fill_runs->load(), kFills);

  // Stage 2: a task placed with fill 0 breaks that GPU the first time it runs; the sum
  // of every fill needs the results the broken GPU held.
  tessera::Graph more;
  const Key breaker = add(more, "breaker", {fill_keys[0]},
                          [breaker_runs](std::span<const Value> inputs, const ExecutionContext& context) {
                            if (breaker_runs->load() == 1 && on_gpu(context)) break_device(context);
                            return Value::make(inputs[0].get<std::int64_t>() * 100);
                          },
                          kGpuPreferred, breaker_runs);
  std::vector<Key> sum_inputs = fill_keys;
  sum_inputs.push_back(breaker);
  const Key total = add(more, "sum", sum_inputs,
                        [](std::span<const Value> inputs, const ExecutionContext&) { return Value::make(sum_of(inputs)); },
                        kGpuPreferred, std::make_shared<std::atomic<int>>(0));
  const Key keys[] = {total};
  auto result = c.client->compute(std::move(more), keys).front();

  EXPECT_EQ(result.result().get<std::int64_t>(), kFills * (kFills + 1) / 2 + 100);
  EXPECT_EQ(breaker_runs->load(), 2) << "the breaker runs again on a working GPU";
  const auto stats = c.cluster->scheduler_stats();
  EXPECT_EQ(stats.workers_lost, 1u);
  EXPECT_GE(stats.results_lost, 1u) << "fill 0 was held only by the broken GPU";
  EXPECT_GT(fill_runs->load(), kFills) << "lost fills were computed again";
  EXPECT_EQ(c.lost_workers(), 1u);
  // Every fill future still gives its value: the lost ones wait for their new run.
  for (int i = 0; i < kFills; ++i) EXPECT_EQ(fill_futures[static_cast<std::size_t>(i)].result().get<std::int64_t>(), i + 1);
  for (std::size_t w = 0; w < c.cluster->n_workers(); ++w) {
    const auto worker = c.cluster->worker_stats(w);
    if (worker.lost_reason.empty()) continue;
    EXPECT_NE(worker.lost_reason.find("illegal memory access"), std::string::npos) << worker.lost_reason;
    EXPECT_EQ(worker.store.keys_in_memory, 0u) << "a lost worker keeps nothing";
  }
}

TEST(LostGpu, ATaskThatBreaksEveryGpuItRunsOnFailsWithKilledWorker) {
  Cluster c(3, /*allowed_failures=*/1);
  auto runs = std::make_shared<std::atomic<int>>(0);
  tessera::Graph g;
  const Key key = add(g, "bad-kernel", {}, [](std::span<const Value>, const ExecutionContext& context) -> Value { break_device(context); },
                      kGpuOnly, runs);
  const Key keys[] = {key};
  auto future = c.client->compute(std::move(g), keys).front();
  const auto error = killed_worker_error(future);  // a task that breaks every GPU it runs on
  ASSERT_TRUE(error);
  EXPECT_NE(error->message().find("running on 2 workers that were lost"), std::string::npos) << error->message();
  EXPECT_NE(error->message().find("illegal memory access"), std::string::npos) << error->message();
  ASSERT_TRUE(error->original());
  EXPECT_THROW(std::rethrow_exception(error->original()), tessera::KilledWorker);
  EXPECT_EQ(runs->load(), 2) << "one first run and allowed_failures = 1 retry";
  EXPECT_EQ(c.cluster->scheduler_stats().workers_lost, 2u);
  EXPECT_EQ(c.lost_workers(), 2u);

  // The third GPU and the CPU worker keep working.
  tessera::Graph after;
  const Key fine = add(after, "fine", {},
                       [](std::span<const Value>, const ExecutionContext& context) {
                         return Value::make(std::int64_t{on_gpu(context) ? 1 : 0});
                       },
                       kGpuOnly, std::make_shared<std::atomic<int>>(0));
  const Key after_keys[] = {fine};
  EXPECT_EQ(c.client->compute(std::move(after), after_keys).front().result().get<std::int64_t>(), 1);
}

TEST(LostGpu, WhenNoGpuIsLeftWorkThatPreferredOneRunsOnTheCpu) {
  Cluster c(1);
  auto runs = std::make_shared<std::atomic<int>>(0);
  tessera::Graph g;
  const Key key = add(g, "gpu-or-cpu", {},
                      [](std::span<const Value>, const ExecutionContext& context) {
                        if (on_gpu(context)) break_device(context);
                        return Value::make(std::int64_t{42});
                      },
                      kGpuPreferred, runs);
  // Queued behind it: roots held back for the GPU must move to the CPU too.
  std::vector<Key> keys{key};
  for (int i = 0; i < 16; ++i) {
    keys.push_back(add(g, "root-" + std::to_string(i), {},
                       [i](std::span<const Value>, const ExecutionContext&) { return Value::make(std::int64_t{i}); },
                       kGpuPreferred, std::make_shared<std::atomic<int>>(0)));
  }
  auto futures = c.client->compute(std::move(g), keys);
  EXPECT_EQ(futures[0].result().get<std::int64_t>(), 42);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(futures[static_cast<std::size_t>(i) + 1].result().get<std::int64_t>(), i);
  EXPECT_EQ(runs->load(), 2);
  EXPECT_EQ(c.cluster->scheduler_stats().workers_lost, 1u);

  // A task only a GPU can run is refused at submission, naming why.
  tessera::Graph gpu_only;
  const Key refused = add(gpu_only, "gpu-only", {},
                          [](std::span<const Value>, const ExecutionContext&) { return Value::make(std::int64_t{0}); },
                          kGpuOnly, std::make_shared<std::atomic<int>>(0));
  const Key refused_keys[] = {refused};
  EXPECT_THROW(c.client->compute(std::move(gpu_only), refused_keys), tessera::ValueError);
}

TEST(LostGpu, AGpuOnlyTaskWaitingWhenTheLastGpuIsLostFailsInsteadOfHanging) {
  Cluster c(1);
  tessera::testing::Gate gate;
  tessera::testing::OpenOnExit open_on_exit(gate);
  tessera::Graph g;
  // The breaker holds one lane; the GPU-only task waits for its input, computed on the CPU.
  const Key slow = add(g, "slow-input", {},
                       [gate](std::span<const Value>, const ExecutionContext&) {
                         gate.wait();
                         return Value::make(std::int64_t{1});
                       },
                       Placement{}, std::make_shared<std::atomic<int>>(0));
  const Key gpu_only = add(g, "gpu-only", {slow},
                           [](std::span<const Value> inputs, const ExecutionContext&) { return inputs[0]; }, kGpuOnly,
                           std::make_shared<std::atomic<int>>(0));
  const Key breaker = add(g, "breaker", {},
                          [](std::span<const Value>, const ExecutionContext& context) -> Value { break_device(context); },
                          kGpuOnly, std::make_shared<std::atomic<int>>(0));
  const Key keys[] = {gpu_only, breaker};
  auto futures = c.client->compute(std::move(g), keys);
  ASSERT_TRUE(tessera::testing::eventually([&] { return c.cluster->scheduler_stats().workers_lost == 1; }));
  gate.open();
  for (auto& future : futures) killed_worker_error(future);  // no worker is left that can run it
}

TEST(LostGpu, VirtualGpusOfABrokenCardRetireTogetherAndTheirQueuedTasksDoNotCountAsCulprits) {
  // One card in four workers; a task may be sent elsewhere once. Innocent tasks queued
  // on the card's other workers must not run out of retries while those retire.
  Cluster c(1, /*allowed_failures=*/1, /*virtual_gpus=*/4);
  tessera::Graph g;
  std::vector<Key> keys;
  keys.push_back(add(g, "breaker", {},
                     [](std::span<const Value>, const ExecutionContext& context) {
                       if (on_gpu(context)) break_device(context);
                       return Value::make(std::int64_t{-1});
                     },
                     kGpuPreferred, std::make_shared<std::atomic<int>>(0)));
  for (int i = 0; i < 40; ++i) {
    keys.push_back(add(g, "innocent-" + std::to_string(i), {},
                       [i](std::span<const Value>, const ExecutionContext&) { return Value::make(std::int64_t{i}); },
                       kGpuPreferred, std::make_shared<std::atomic<int>>(0)));
  }
  auto futures = c.client->compute(std::move(g), keys);
  EXPECT_EQ(futures[0].result().get<std::int64_t>(), -1) << "the breaker ends up on the CPU worker";
  for (int i = 0; i < 40; ++i) EXPECT_EQ(futures[static_cast<std::size_t>(i) + 1].result().get<std::int64_t>(), i);
  // The siblings retire when they are next sent work or asked for data: by now all four.
  ASSERT_TRUE(tessera::testing::eventually([&] { return c.lost_workers() == 4; })) << c.lost_workers();
}

TEST(LostGpu, ATaskWhoseDataWasOnTheLostGpuFailsWithKilledWorker) {
  Cluster c(2);
  tessera::Chunk on_second = tessera::Chunk::allocate_on(*c.devices[1], tessera::DType::int64, {4});
  c.devices[1]->lose("an uncorrectable ECC error was encountered");  // before its worker has heard
  tessera::Graph g;
  const Key literal = Key::unique();
  g.add_task(tessera::TaskSpec{literal, "literal", {}, std::make_shared<tessera::LiteralRunner>(Value::make(on_second))});
  const Key keys[] = {literal};
  auto future = c.client->compute(std::move(g), keys).front();
  const auto error = killed_worker_error(future);  // the data went with the GPU
  ASSERT_TRUE(error);
  EXPECT_NE(error->message().find("reads data that was on sim:1, lost with worker 2"), std::string::npos)
      << error->message();
  EXPECT_EQ(c.lost_workers(), 1u);
}

TEST(LostGpu, DependentsOfALostResultThatCannotBeComputedAgainFailInsteadOfWaiting) {
  Cluster c(1);
  tessera::testing::Gate gate;
  tessera::testing::OpenOnExit open_on_exit(gate);
  tessera::Graph g;
  // a (GPU only) -> b (on the GPU, the only copy) -> c (CPU), which also waits for x.
  const Key a = add(g, "a", {}, [](std::span<const Value>, const ExecutionContext&) { return Value::make(std::int64_t{1}); },
                    kGpuOnly, std::make_shared<std::atomic<int>>(0));
  const Key b = add(g, "b", {a}, [](std::span<const Value> inputs, const ExecutionContext&) { return inputs[0]; },
                    kGpuPreferred, std::make_shared<std::atomic<int>>(0));
  const Key x = add(g, "x", {},
                    [gate](std::span<const Value>, const ExecutionContext&) {
                      gate.wait();
                      return Value::make(std::int64_t{2});
                    },
                    Placement{}, std::make_shared<std::atomic<int>>(0));
  const Key sum = add(g, "c", {b, x},
                      [](std::span<const Value> inputs, const ExecutionContext&) { return Value::make(sum_of(inputs)); },
                      Placement{}, std::make_shared<std::atomic<int>>(0));
  const Key keys[] = {sum};
  auto future = c.client->compute(std::move(g), keys).front();
  const std::size_t gpu_worker = 1;
  ASSERT_TRUE(tessera::testing::eventually([&] { return c.cluster->worker_stats(gpu_worker).tasks_executed == 2; }));

  // Breaking the GPU loses b; computing it again needs a, which only a GPU can run.
  tessera::Graph breaking;
  const Key breaker = add(breaking, "breaker", {},
                          [](std::span<const Value>, const ExecutionContext& context) -> Value { break_device(context); },
                          kGpuOnly, std::make_shared<std::atomic<int>>(0));
  const Key breaker_keys[] = {breaker};
  auto broken = c.client->compute(std::move(breaking), breaker_keys).front();
  EXPECT_THROW(broken.result(), tessera::TaskError);
  gate.open();
  const auto error = killed_worker_error(future);  // b cannot be computed again
  ASSERT_TRUE(error);
  EXPECT_NE(error->message().find("no worker left can run task 'a'"), std::string::npos) << error->message();
}

}  // namespace
