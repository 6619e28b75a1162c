// The central dynamic scheduler. It owns the state of every task (released → waiting →
// queued → processing → memory → forgotten, or erred), decides where each ready task
// runs, keeps root tasks back while workers are saturated, steals queued work for idle
// workers, and releases results nobody needs. It reaches workers only through the
// Transport; clients reach it through the methods below (in-process for now).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tessera/core/runtime/stats.hpp"
#include "tessera/core/runtime/transport.hpp"

namespace tessera::runtime {

using ClientId = std::uint32_t;
using TaskId = std::uint32_t;

/// A client's hold on a key: kept while one of its futures of the key lives. Holds are
/// matched by token, so that the release of an old future and the hold of a new one
/// of the same key cannot be confused, whatever order they arrive in.
struct Hold {
  Key key;
  std::uint64_t token = 0;
};

/// How the scheduler tells a client about the keys it wants.
///
/// Reports carry the epoch of the key's state (the scheduler's count of runs and losses
/// of the key, which only grows): reports are delivered outside the scheduler's lock, so
/// two of one key may arrive out of order, and the epoch tells which is newer.
class ClientSink {
 public:
  virtual ~ClientSink() = default;
  virtual void key_finished(Key key, std::uint32_t epoch) = 0;
  virtual void key_failed(Key key, const std::shared_ptr<const TaskFailure>& failure, std::uint32_t epoch) = 0;
  virtual void key_cancelled(Key key) = 0;
  /// The result reported finished at `epoch` was lost with the workers holding it; it is
  /// being computed again (a finished or failed report with a later epoch follows).
  virtual void key_lost(Key key, std::uint32_t epoch) = 0;
};

struct SchedulerOptions {
  /// Root tasks (no dependencies) are sent to a worker only while it runs fewer than
  /// ceil(threads × saturation) tasks; the rest wait at the scheduler in priority order.
  /// Infinity turns this backpressure off.
  double worker_saturation = 1.1;
  bool work_stealing = true;
  /// Assumed bytes per second between workers, for placement and stealing decisions.
  double transfer_bandwidth = 10e9;
  /// Duration assumed for a kind of task never seen to finish.
  double default_task_duration_s = 1e-4;
  /// A task running on a worker that is lost is sent to another one, up to this many
  /// times; then it fails with KilledWorker (a task that breaks every device it runs on
  /// must not take them all down). dask.distributed's "allowed-failures".
  std::uint32_t allowed_failures = 3;
};

class Scheduler final : public SchedulerEndpoint {
 public:
  Scheduler(SchedulerOptions options, Transport& transport);
  ~Scheduler() override;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// Tells every client that the keys it holds are cancelled: the cluster is going away.
  void shutdown();
  /// Registers a worker running on a device of `kind` named `device` (Device::name(), for
  /// tasks whose data is on it: Placement::device); done before work is submitted.
  void add_worker(WorkerId id, std::size_t threads, DeviceKind kind = DeviceKind::cpu, std::string device = {});

  // ---- from workers (through the transport) ----
  void handle(WorkerId from, std::vector<WorkerToScheduler>&& batch) override;

  // ---- from clients ----
  /// Registers a client; the scheduler keeps only a weak reference to it.
  ClientId add_client(std::weak_ptr<ClientSink> sink);
  void remove_client(ClientId client);
  /// Adds tasks and the client's holds on the keys it wants computed. Validates the whole
  /// batch first (unknown dependencies, cycles, bad specs) and throws tessera::ValueError
  /// without changing anything.
  void update_graph(ClientId client, std::vector<TaskSpec>&& tasks, std::span<const Hold> wanted);
  /// Drops the client's holds; results nobody needs are released.
  void release_keys(ClientId client, std::span<const Hold> holds);
  /// Cancels the keys and everything depending on them, for every client, then
  /// releases the dependencies nobody else needs.
  void cancel_keys(std::span<const Key> keys);
  /// Places client data on workers; `holds[i]` is the client's hold on `data[i]`.
  void scatter(ClientId client, std::vector<std::pair<Key, Value>>&& data, std::span<const Hold> holds);
  /// For each key, the workers holding its result (empty when not in memory).
  std::vector<std::vector<WorkerId>> who_has(std::span<const Key> keys);
  SchedulerStats stats();

 private:
  struct TaskState;
  struct WorkerState;
  struct PrefixStats {
    double mean_duration_s = 0;
    std::uint64_t count = 0;
  };

  /// A report to a client, delivered after the lock is released so that client code
  /// (waking waiters, callbacks, dropping the last future) never runs inside the scheduler.
  struct Notification {
    std::weak_ptr<ClientSink> client;
    Key key;
    enum class Kind : std::uint8_t { finished, failed, cancelled, lost } kind;
    std::shared_ptr<const TaskFailure> failure;
    std::uint32_t epoch = 0;
  };

  // Runs `op` holding the lock, delivers every message it produced, then releases the
  // lock and delivers notifications. When called from inside the scheduler (a worker
  // answering during delivery), `op` is deferred to the end of the current critical section.
  template <class Op>
  void run_exclusive(Op&& op);
  void drain_locked(std::unique_lock<std::mutex>& lock);
  // Runs a read-only `f` under the lock. Like every holder of the lock, it then looks at
  // the inbox: a report left there while it held the lock would otherwise be stranded.
  template <class F>
  auto query(F&& f);
  std::vector<std::vector<WorkerId>> who_has_locked(std::span<const Key> keys) const;
  SchedulerStats stats_locked() const;
  void pump_inbox();
  void pump_if_reports_waiting();
  void process_inbox_locked();
  void process_batch(WorkerId from, const std::vector<WorkerToScheduler>& batch);
  void assert_not_reentrant() const;

  // Graph intake (scheduler_graph.cpp).
  struct BatchPlan;
  void validate_batch(const std::vector<TaskSpec>& tasks, std::span<const Hold> wanted, BatchPlan& plan) const;
  void add_batch(ClientId client, std::vector<TaskSpec>&& tasks, std::span<const Hold> wanted, const BatchPlan& plan);
  void assign_priorities(std::span<const TaskId> new_tasks);
  void activate(TaskId root);
  std::uint32_t prefix_of(std::string_view name);

  // Transitions (scheduler.cpp).
  void on_task_finished(WorkerId worker, const TaskFinished& msg);
  void on_task_failed(WorkerId worker, const TaskFailed& msg);
  void on_keys_acquired(WorkerId worker, const KeysAcquired& msg);
  void on_steal_response(WorkerId worker, const StealResponse& msg);

  // Losses (scheduler_recovery.cpp).
  void on_missing_data(WorkerId worker, const MissingData& msg);
  void on_worker_lost(WorkerId worker, const WorkerLost& msg);
  /// Results whose last copy is gone: computed again where still needed (or failed, for
  /// scattered data); their dependents that were running are taken back to waiting.
  void lose_results(std::span<const TaskId> lost, const std::string& why);
  /// Tasks taken back from a worker: waiting for their inputs again, dispatched when all
  /// are in memory.
  void send_again(TaskId id);
  /// Fails a waiting task (and what depends on it) with KilledWorker.
  void kill(TaskId id, const std::string& message);
  bool alive(WorkerId worker) const noexcept;
  std::uint32_t inputs_not_in_memory(const TaskState& task) const;
  void make_ready(TaskId id);
  void err_with_dependents(TaskId id, const std::shared_ptr<const TaskFailure>& failure);
  void dependency_no_longer_needed(TaskId dependency);
  void process_releases();
  void schedule_release(TaskId id);  // queue for process_releases, once
  TaskId allocate_slot();
  void forget_unreachable(TaskId id);
  void stop_processing(TaskId id);
  void want(ClientId client, std::uint64_t token, TaskId id);
  void unwant(ClientId client, std::uint64_t token, TaskId id);
  void notify_clients(TaskId id);
  void notify(ClientId client, Key key, Notification::Kind kind, std::uint32_t epoch,
              std::shared_ptr<const TaskFailure> failure = {});
  /// Tells the clients holding a finished result that it was lost.
  void notify_lost(TaskId id);
  static void deliver(std::vector<Notification>& notifications);
  void send(WorkerId worker, SchedulerToWorker&& message);
  void release_on_workers(TaskState& task);
  TaskId find(Key key) const;
  TaskId find_reported(std::uint32_t scheduler_ref, Key key) const;
  bool needed(const TaskState& task) const noexcept;
  /// True when a worker's report is about the run the scheduler is waiting for.
  bool is_current_run(const TaskState& task, WorkerId worker, std::uint32_t attempt) const noexcept;
  /// True when `worker` holds the task's result or is running it now.
  bool holds_or_runs(const TaskState& task, WorkerId worker) const noexcept;

  // Placement, backpressure and stealing (scheduler_placement.cpp).
  void dispatch(TaskId id, WorkerId worker);
  WorkerId choose_worker(const TaskState& task) const;
  WorkerId worker_with_room_for_root(DeviceKind kind) const;
  /// The kind of worker a task with this placement goes to in this cluster.
  DeviceKind target_kind(const Placement& placement) const noexcept;
  /// The one alive worker of `kind` on the device named `device`, or kNoWorker (an empty
  /// name, no such worker, or several: a name two workers share says nothing).
  WorkerId worker_on(std::string_view device, DeviceKind kind) const noexcept;
  void fill_from_queue(WorkerId worker);
  void balance();
  void steal_for(WorkerId thief);
  double expected_duration(const TaskState& task) const;
  std::uint64_t missing_bytes(const TaskState& task, WorkerId worker) const;
  void add_processing(WorkerState& worker, TaskId id);
  void remove_processing(TaskId id);

  const SchedulerOptions options_;
  Transport& transport_;

  std::mutex mutex_;
  std::mutex inbox_mutex_;  // guards inbox_ only; never held while taking mutex_
  std::vector<std::pair<WorkerId, std::vector<WorkerToScheduler>>> inbox_;
  std::atomic<std::thread::id> holder_{};  // thread inside run_exclusive, for re-entrancy detection
  std::vector<std::function<void()>> deferred_;
  std::vector<std::vector<SchedulerToWorker>> outbox_;  // per worker, flushed in drain_locked

  std::vector<TaskState> tasks_;  // indexed by TaskId; slots of forgotten tasks are reused
  std::vector<TaskId> free_slots_;
  std::unordered_map<Key, TaskId> index_;
  std::vector<WorkerState> workers_;
  std::unordered_map<TaskId, std::vector<std::pair<ClientId, std::uint64_t>>> wanted_by_;  // holds
  std::vector<std::weak_ptr<ClientSink>> clients_;  // by ClientId; reset once removed
  std::vector<Notification> notifications_;
  using RootQueue = std::priority_queue<std::pair<std::uint64_t, TaskId>,
                                        std::vector<std::pair<std::uint64_t, TaskId>>, std::greater<>>;
  // Root tasks held back, lowest priority first; one queue per device kind, since a task
  // waits for a worker of its target kind.
  std::array<RootQueue, 2> queued_;
  DeviceKindMask worker_kinds_ = 0;  // kinds of device the workers run on
  std::vector<TaskId> release_worklist_;
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> prefix_ids_;
  std::vector<PrefixStats> prefixes_;
  std::uint64_t generation_ = 0;
  std::size_t steals_ = 0;
  std::size_t workers_lost_ = 0;
  std::size_t results_lost_ = 0;
  std::size_t scatter_cursor_ = 0;
};

}  // namespace tessera::runtime
