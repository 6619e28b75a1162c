// Helpers shared by the core runtime tests: gates that hold tasks back until the test
// lets them go, a bounded wait for conditions the runtime reaches asynchronously, a
// seed source, an order-sensitive mixing function for values computed by task graphs,
// and a scratch folder that cleans up after itself.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <tessera/tessera.hpp>

namespace tessera::testing {

/// A one-shot gate: tasks call wait(), the test calls open(). Copies share one gate, so
/// task closures capture it by value and never outlive it.
class Gate {
 public:
  Gate() : promise_(std::make_shared<std::promise<void>>()), future_(promise_->get_future().share()) {}
  void wait() const { future_.wait(); }
  /// Opens the gate; idempotent.
  void open() const {
    if (!opened_->exchange(true)) promise_->set_value();
  }
  bool is_open() const { return opened_->load(); }

 private:
  std::shared_ptr<std::promise<void>> promise_;
  std::shared_future<void> future_;
  std::shared_ptr<std::atomic<bool>> opened_ = std::make_shared<std::atomic<bool>>(false);
};

/// Opens a gate when it goes out of scope, so that a failed assertion cannot leave a
/// worker thread blocked forever (the cluster's destructor joins its threads). Declare
/// it after the cluster and client so that it runs first.
class OpenOnExit {
 public:
  explicit OpenOnExit(Gate gate) : gate_(std::move(gate)) {}
  ~OpenOnExit() { gate_.open(); }
  OpenOnExit(const OpenOnExit&) = delete;
  OpenOnExit& operator=(const OpenOnExit&) = delete;

 private:
  Gate gate_;
};

/// Submits a task that returns `value` once `gate` opens: it holds a worker thread, so
/// that work submitted after it waits.
template <class T>
tessera::Future<T> submit_behind(tessera::Client& client, const Gate& gate, T value) {
  return client.submit([gate, value] {
    gate.wait();
    return value;
  });
}

/// Waits until `condition` holds or `timeout` passes; returns whether it held. For states
/// the runtime reaches on its own threads after the event the test waited for.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

/// Spins (yielding) until `flag` is true or `timeout` passes; returns whether it became true.
inline bool wait_for_flag(const std::atomic<bool>& flag, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  return eventually([&flag] { return flag.load(); }, timeout);
}

/// The base seed of randomized tests: TESSERA_TEST_SEED when set, else a fixed value.
inline std::uint64_t test_seed() {
  const char* value = std::getenv("TESSERA_TEST_SEED");
  return value ? std::strtoull(value, nullptr, 0) : 0x7e55e7aULL;
}

/// splitmix64 finalizer: a bijective mix of 64 bits.
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The value of task `index` given its inputs' values, in order: sensitive to the index,
/// to every input and to their order, so a wrong, missing or swapped input shows.
inline std::uint64_t combine(std::uint64_t index, std::span<const std::uint64_t> inputs) {
  std::uint64_t h = mix64(index);
  for (std::uint64_t v : inputs) h = mix64(h ^ v) + 0x632be59bd9b4e019ULL;
  return h;
}

/// A task with any number of uint64 inputs computing combine(index, inputs); counts its
/// executions when given a counter.
class MixRunner final : public TaskRunner {
 public:
  explicit MixRunner(std::uint64_t index, std::atomic<std::uint32_t>* executions = nullptr)
      : index_(index), executions_(executions) {}
  Value run(std::span<const Value> inputs) const override {
    if (executions_ != nullptr) executions_->fetch_add(1, std::memory_order_relaxed);
    std::vector<std::uint64_t> values;
    values.reserve(inputs.size());
    for (const Value& v : inputs) values.push_back(v.get<std::uint64_t>());
    return Value::make(combine(index_, values));
  }

 private:
  std::uint64_t index_;
  std::atomic<std::uint32_t>* executions_;
};

/// Keys held by a worker's store, in memory or on disk.
inline std::size_t stored_keys(const LocalCluster& cluster, std::size_t worker) {
  const auto stats = cluster.worker_stats(worker).store;
  return stats.keys_in_memory + stats.keys_on_disk;
}

/// Keys held by all workers' stores together.
inline std::size_t stored_keys(const LocalCluster& cluster) {
  std::size_t total = 0;
  for (std::size_t w = 0; w < cluster.n_workers(); ++w) total += stored_keys(cluster, w);
  return total;
}

/// Waits until the scheduler knows no task and no worker stores a key; returns whether
/// that happened within `timeout`. The release is not always done when the test's last
/// handle drops: a runtime thread delivering a future's completion briefly holds the
/// future's state too, and when it lets go last, the release runs on that thread.
inline bool released_eventually(const LocalCluster& cluster,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  return eventually([&cluster] { return cluster.scheduler_stats().tasks == 0 && stored_keys(cluster) == 0; }, timeout);
}

/// What is still known and stored, for failure messages.
inline std::string leftovers(const LocalCluster& cluster) {
  const auto s = cluster.scheduler_stats();
  std::ostringstream out;
  out << s.tasks << " task(s) known (" << s.memory << " in memory, " << s.released << " released, " << s.waiting
      << " waiting, " << s.queued << " queued, " << s.processing << " processing, " << s.erred
      << " erred); keys stored per worker:";
  for (std::size_t w = 0; w < cluster.n_workers(); ++w) out << ' ' << stored_keys(cluster, w);
  return out.str();
}

/// A fresh folder under the system's temporary directory, removed with its contents.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "tessera-test") {
    std::random_device device;
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(device()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

/// Regular files anywhere under `dir` (0 when it does not exist).
inline std::size_t count_files(const std::filesystem::path& dir) {
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) return 0;
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, error)) {
    if (entry.is_regular_file()) ++n;
  }
  return n;
}

}  // namespace tessera::testing
