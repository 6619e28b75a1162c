// The worker on its own, behind a scripted transport: what it fetches from which peer,
// and what it reports to the scheduler.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "simulated_gpu.hpp"
#include "tessera/core/runtime/worker.hpp"

namespace {

using namespace std::chrono_literals;
using tessera::Key;
using tessera::Value;
namespace rt = tessera::runtime;

// Peers are scripted: each holds some keys with values. Reports to the scheduler are
// recorded for the test to wait on.
class ScriptedTransport final : public rt::Transport {
 public:
  std::vector<std::pair<rt::WorkerId, Key>> peer_holds;  // (peer, key) pairs that answer
  Value answer = Value::make(21);

  void send_to_worker(rt::WorkerId, std::vector<rt::SchedulerToWorker>&&) override {}
  void send_to_scheduler(rt::WorkerId, std::vector<rt::WorkerToScheduler>&& batch) override {
    std::lock_guard lock(mutex_);
    for (auto& m : batch) reports_.push_back(std::move(m));
    arrived_.notify_all();
  }
  std::vector<std::optional<Value>> fetch(rt::WorkerId from, std::span<const Key> keys) override {
    std::vector<std::optional<Value>> out;
    std::lock_guard lock(mutex_);
    for (Key key : keys) {
      asked_.push_back(from);
      const bool holds = std::find(peer_holds.begin(), peer_holds.end(), std::pair{from, key}) != peer_holds.end();
      out.push_back(holds ? std::optional<Value>(answer) : std::nullopt);
    }
    return out;
  }
  /// Waits for a report of what became of the task: TaskFinished, TaskFailed, MissingData
  /// or WorkerLost.
  rt::WorkerToScheduler wait_for_outcome() {
    std::unique_lock lock(mutex_);
    const bool arrived = arrived_.wait_for(lock, 10s, [this] { return outcome_index() >= 0; });
    EXPECT_TRUE(arrived) << "the worker reported no outcome";
    return arrived ? reports_[static_cast<std::size_t>(outcome_index())] : rt::WorkerToScheduler{};
  }
  std::vector<rt::WorkerId> asked() {
    std::lock_guard lock(mutex_);
    return asked_;
  }
  std::vector<rt::WorkerToScheduler> reports() {
    std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  int outcome_index() const {
    for (std::size_t i = 0; i < reports_.size(); ++i) {
      if (!std::holds_alternative<rt::KeysAcquired>(reports_[i]) && !std::holds_alternative<rt::StealResponse>(reports_[i])) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<rt::WorkerToScheduler> reports_;
  std::vector<rt::WorkerId> asked_;
};

class Doubler final : public tessera::TaskRunner {
 public:
  Value run(std::span<const Value> inputs) const override { return Value::make(inputs[0].get<int>() * 2); }
};

rt::WorkerOptions one_thread() { return rt::WorkerOptions{.threads = 1, .memory_limit = 1 << 20, .spill_directory = {}}; }

// Starts `worker` and sends it a task doubling `input`, which the worker lacks and is told
// `holders` have.
void start_doubling(rt::Worker& worker, Key task, Key input, std::vector<rt::WorkerId> holders);

rt::ComputeTask doubling_task(Key task, Key input, std::vector<rt::WorkerId> holders) {
  rt::ComputeTask message;
  message.key = task;
  message.attempt = 1;
  message.runner = std::make_shared<Doubler>();
  message.dependencies = {input};
  message.remote = {rt::RemoteDependency{input, std::move(holders), sizeof(int)}};
  return message;
}

void start_doubling(rt::Worker& worker, Key task, Key input, std::vector<rt::WorkerId> holders) {
  worker.start();
  std::vector<rt::SchedulerToWorker> batch;
  batch.emplace_back(doubling_task(task, input, std::move(holders)));
  worker.handle(std::move(batch));
}

TEST(Worker, FetchesAMissingInputFromAnotherHolder) {
  ScriptedTransport transport;
  const Key input = Key::unique(), task = Key::unique();
  transport.peer_holds = {{2, input}};  // peer 1 no longer holds the input; peer 2 does
  rt::Worker worker(0, one_thread(), transport);
  start_doubling(worker, task, input, {1, 2});

  const auto outcome = transport.wait_for_outcome();
  ASSERT_TRUE(std::holds_alternative<rt::TaskFinished>(outcome)) << "the task failed instead of trying peer 2";
  EXPECT_EQ(std::get<rt::TaskFinished>(outcome).attempt, 1u);
  EXPECT_EQ(transport.asked(), (std::vector<rt::WorkerId>{1, 2}));
  const Key asked[] = {task};
  auto values = worker.serve_data(asked);
  ASSERT_TRUE(values[0].has_value());
  EXPECT_EQ(values[0]->get<int>(), 42);
  worker.stop();
}

TEST(Worker, SaysWhichInputIsMissingWhenNoHolderHasIt) {
  ScriptedTransport transport;
  const Key input = Key::unique(), task = Key::unique();
  rt::Worker worker(0, one_thread(), transport);
  start_doubling(worker, task, input, {1, 2});

  // Not a failure of the task: the scheduler finds the input elsewhere or computes it again.
  const auto outcome = transport.wait_for_outcome();
  ASSERT_TRUE(std::holds_alternative<rt::MissingData>(outcome));
  const auto& missing = std::get<rt::MissingData>(outcome);
  EXPECT_EQ(missing.key, task);
  EXPECT_EQ(missing.missing, input);
  EXPECT_EQ(missing.peer, 2u);  // the last holder asked
  EXPECT_EQ(missing.attempt, 1u);
  EXPECT_EQ(transport.asked(), (std::vector<rt::WorkerId>{1, 2}));  // each holder asked once
  EXPECT_EQ(worker.stats().tasks_held, 0u) << "the worker keeps no task it cannot run";
  worker.stop();
}

TEST(Worker, GivesUpAQueuedTaskOnlyForAStealOfItsCurrentRun) {
  ScriptedTransport transport;
  rt::Worker worker(0, one_thread(), transport);  // not started: its tasks stay queued
  const Key task = Key::unique();
  rt::ComputeTask message;
  message.key = task;
  message.attempt = 2;  // sent again after a first run was lost
  message.runner = std::make_shared<Doubler>();
  std::vector<rt::SchedulerToWorker> batch;
  batch.emplace_back(std::move(message));
  batch.emplace_back(rt::StealRequest{task, 1});  // a request about the first run, delayed
  batch.emplace_back(rt::StealRequest{task, 2});
  worker.handle(std::move(batch));

  const auto reports = transport.reports();
  ASSERT_EQ(reports.size(), 2u);
  const auto& stale = std::get<rt::StealResponse>(reports[0]);
  const auto& current = std::get<rt::StealResponse>(reports[1]);
  EXPECT_EQ(stale.attempt, 1u);
  EXPECT_FALSE(stale.stolen) << "a request about another run does not take this one";
  EXPECT_EQ(current.attempt, 2u);
  EXPECT_TRUE(current.stolen);
  EXPECT_EQ(worker.stats().tasks_held, 0u);
}

// Fails every task on the device it runs on, the way a kernel that writes out of bounds
// does on a GPU: the device is unusable afterwards.
class DeviceBreaker final : public tessera::TaskRunner {
 public:
  Value run(std::span<const Value>) const override { return Value::make(0); }
  Value run_on(std::span<const Value>, const tessera::ExecutionContext& context) const override {
    static_cast<tessera::testing::SimulatedGpu&>(context.device).lose("an illegal memory access was encountered");
    throw tessera::DeviceLost(context.device.name() + ": running a task failed: an illegal memory access was encountered");
  }
};

TEST(Worker, RetiresWhenItsDeviceIsLostInsteadOfFailingTheTask) {
  ScriptedTransport transport;
  auto gpu = std::make_shared<tessera::testing::SimulatedGpu>("sim:0");
  rt::WorkerOptions options = one_thread();
  options.device = gpu;
  rt::Worker worker(0, options, transport);
  worker.start();
  const Key kept = Key::unique(), broken = Key::unique();
  {
    std::vector<rt::SchedulerToWorker> batch;
    batch.emplace_back(rt::StoreData{kept, Value::make(7)});
    rt::ComputeTask task;
    task.key = broken;
    task.attempt = 1;
    task.runner = std::make_shared<DeviceBreaker>();
    batch.emplace_back(std::move(task));
    worker.handle(std::move(batch));
  }
  const auto outcome = transport.wait_for_outcome();
  ASSERT_TRUE(std::holds_alternative<rt::WorkerLost>(outcome)) << "the task's failure was reported instead";
  EXPECT_NE(std::get<rt::WorkerLost>(outcome).reason.find("illegal memory access"), std::string::npos);
  EXPECT_TRUE(worker.lost());
  EXPECT_NE(worker.stats().lost_reason.find("illegal memory access"), std::string::npos);
  const Key asked[] = {kept};
  EXPECT_FALSE(worker.serve_data(asked)[0].has_value()) << "a lost worker serves nothing";
  EXPECT_EQ(worker.stats().store.keys_in_memory, 0u);
  worker.stop();
}

}  // namespace
