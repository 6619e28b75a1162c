// Worker: owns a store of results and runs tasks on its executor threads, on one device
// (the host, or a GPU). It receives ComputeTask messages from the scheduler, fetches
// missing inputs directly from peer workers, moves inputs that live on another device to
// its own, and reports every finished or failed task back, all through the Transport.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tessera/core/device.hpp"
#include "tessera/core/runtime/stats.hpp"
#include "tessera/core/runtime/transport.hpp"
#include "tessera/core/spill_store.hpp"

namespace tessera::runtime {

struct WorkerOptions {
  std::size_t threads = 1;
  std::size_t memory_limit = 0;  ///< bytes kept in host memory before spilling to disk
  std::filesystem::path spill_directory;
  /// Where the worker's tasks run and its results live; null: the host.
  std::shared_ptr<Device> device = {};
  /// Bytes of results kept on the device before the least recently used move to host
  /// memory; 0: no limit (results stay until the device runs out).
  std::size_t device_memory_limit = 0;
};

class Worker final : public WorkerEndpoint {
 public:
  Worker(WorkerId id, WorkerOptions options, Transport& transport);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Starts the executor threads. The transport must be able to reach every endpoint.
  void start();
  /// Stops the executor threads after the tasks they are running; idempotent.
  void stop();

  void handle(std::vector<SchedulerToWorker>&& batch) override;
  std::vector<std::optional<Value>> serve_data(std::span<const Key> keys) override;

  WorkerId id() const noexcept { return id_; }
  Device& device() const noexcept { return *device_; }
  std::size_t threads() const noexcept { return options_.threads; }
  WorkerStats stats() const;
  /// True on this worker's executor threads (a task of it is calling).
  bool is_current_thread() const noexcept;
  /// True once the worker has retired because its device was lost.
  bool lost() const noexcept { return lost_.load(std::memory_order_acquire); }

 private:
  enum class State : std::uint8_t { fetching, ready, executing };

  struct Task {
    ComputeTask spec;
    State state = State::fetching;
    std::uint32_t missing = 0;   // remote inputs not yet fetched
    std::uint64_t serial = 0;    // tells live entries of ready_ from stale ones
    bool released = false;       // the scheduler dropped it while it was executing
  };

  struct ReadyEntry {
    std::uint64_t priority;
    std::uint64_t serial;
    Key key;
    // std::priority_queue is a max-heap: invert so that the lowest priority value pops first.
    bool operator<(const ReadyEntry& other) const noexcept {
      return priority != other.priority ? priority > other.priority : serial > other.serial;
    }
  };

  struct FetchJob {
    WorkerId peer;
    std::vector<Key> keys;
  };

  void executor_loop(std::size_t lane);
  void wait_briefly(std::uint64_t epoch) const;  // spins until new work or a few microseconds pass
  // Each of these is called with mutex_ held and returns with it held.
  std::size_t accept_task(ComputeTask&& task);  // returns the number of new work items
  Task* pop_ready();
  void release_key(Key key);
  bool steal(const StealRequest& request);
  void wake_for(std::size_t new_work);
  bool retry_fetch_elsewhere(Key key, WorkerId failed_peer);  // queues a fetch from another holder
  // Called without mutex_.
  void execute(Task& task, std::size_t lane);
  /// A copy of the value on this worker's device; nullopt when it is there already (or
  /// its type always lives on the host), the common case, which costs one comparison.
  std::optional<Value> moved_here(Key key, const Value& value);
  /// Says once per device that host tasks read its data: operations without device code,
  /// falling back to the CPU with transfers.
  void note_host_fallback(const Device& from);
  void run_fetch(FetchJob job);
  void report(WorkerToScheduler&& message);
  /// The device can no longer be used: drops every task and result, and tells the
  /// scheduler (once), which sends the work elsewhere. `failed` is a task that just
  /// failed on it (running, so possibly the cause). Called without mutex_.
  void retire(const std::string& reason, std::optional<Key> failed = std::nullopt);
  /// Retires if the device was lost (by another worker on the same card, too); returns
  /// whether the worker is retired.
  bool retire_if_device_lost();

  const WorkerId id_;
  const WorkerOptions options_;
  const std::shared_ptr<Device> device_;
  const Device* const home_;  // where values must be for its tasks: null for host memory
  Transport& transport_;
  SpillStore store_;

  mutable std::mutex mutex_;
  std::condition_variable work_available_;
  std::unordered_map<Key, Task> tasks_;
  std::priority_queue<ReadyEntry> ready_;
  std::deque<FetchJob> fetch_jobs_;
  // Fetched key → the tasks needing it, with the serial each had when it asked: a task
  // released or stolen and then sent back has a new serial, and its old entry is stale.
  std::unordered_map<Key, std::vector<std::pair<Key, std::uint64_t>>> waiting_for_;
  std::unordered_set<Key> in_flight_;                      // keys being fetched
  std::unordered_map<Key, std::vector<WorkerId>> fetch_tried_;  // peers that lacked a key in flight
  std::uint64_t next_serial_ = 0;
  std::size_t idle_threads_ = 0;  // threads asleep on work_available_
  std::atomic<std::uint64_t> work_epoch_{0};  // bumped whenever work arrives
  std::size_t tasks_executed_ = 0;
  std::size_t values_fetched_ = 0;
  std::atomic<std::size_t> values_moved_{0};
  std::atomic<std::size_t> bytes_moved_{0};
  std::mutex fallback_mutex_;  // guards fallback_sources_ only
  std::unordered_set<const Device*> fallback_sources_;
  bool stopping_ = false;
  std::atomic<bool> lost_{false};  // set under mutex_; read without it by serve_data
  std::string lost_reason_;        // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace tessera::runtime
