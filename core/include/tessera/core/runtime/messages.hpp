// The control messages between the scheduler and its workers. The scheduler and the
// workers share nothing else: every decision travels as one of these, through a
// Transport, so that workers in other processes receive the same messages over a wire.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "tessera/core/key.hpp"
#include "tessera/core/task.hpp"
#include "tessera/core/value.hpp"

namespace tessera::runtime {

using WorkerId = std::uint32_t;
inline constexpr WorkerId kNoWorker = std::numeric_limits<WorkerId>::max();

/// Where a worker can fetch a dependency it does not hold.
struct RemoteDependency {
  Key key;
  std::vector<WorkerId> who_has;
  std::uint64_t nbytes = 0;
};

// ---- scheduler → worker ------------------------------------------------------------

/// Run a task. Dependencies listed in `remote` must be fetched from a peer first; all
/// others are in the worker's store.
struct ComputeTask {
  Key key;
  /// Opaque to the worker; echoed in TaskFinished/TaskFailed so the scheduler finds the
  /// task without a lookup by key.
  std::uint32_t scheduler_ref = 0;
  /// Which dispatch of the key this is; echoed in the report, so that a late report of an
  /// earlier run is not taken for the current one.
  std::uint32_t attempt = 0;
  std::uint64_t priority = 0;  ///< lower runs first
  std::shared_ptr<const TaskRunner> runner;
  std::vector<Key> dependencies;
  std::vector<RemoteDependency> remote;
};

/// Keep a value the client scattered.
struct StoreData {
  Key key;
  Value value;
};

/// Drop these results, and any queued or running task producing them.
struct ReleaseKeys {
  std::vector<Key> keys;
};

/// Give a not-yet-started task back so that an idle worker can run it. `attempt` names
/// the run asked for: a request that crossed a newer ComputeTask of the key is refused.
struct StealRequest {
  Key key;
  std::uint32_t attempt = 0;
};

using SchedulerToWorker = std::variant<ComputeTask, StoreData, ReleaseKeys, StealRequest>;

// ---- worker → scheduler ------------------------------------------------------------

struct TaskFinished {
  Key key;
  std::uint32_t scheduler_ref = 0;
  std::uint32_t attempt = 0;
  std::uint64_t nbytes = 0;
  double duration_s = 0;
};

struct TaskFailed {
  Key key;
  std::uint32_t scheduler_ref = 0;
  std::uint32_t attempt = 0;
  std::shared_ptr<const TaskFailure> failure;
  double duration_s = 0;
};

/// The worker fetched copies of these results from peers and now holds them too.
struct KeysAcquired {
  std::vector<Key> keys;
};

/// Answer to StealRequest: `stolen` is true when the task was removed before it started.
struct StealResponse {
  Key key;
  std::uint32_t attempt = 0;  // the request's
  bool stolen = false;
};

/// A task could not get an input from the peer it was told holds it: the peer lost it, or
/// could not be reached. The worker has dropped the task; the scheduler forgets that the
/// peer holds the input, computes the input again if no one else does, and sends the
/// task again (as dask.distributed's "missing-data").
struct MissingData {
  Key key;  ///< the task
  std::uint32_t scheduler_ref = 0;
  std::uint32_t attempt = 0;
  Key missing;  ///< the input
  WorkerId peer = kNoWorker;
  std::string problem;
};

/// The worker can no longer run tasks or serve results: its device was lost (in cluster
/// mode, a transport says the same of a worker whose connection dropped). Every result it
/// held is gone; the tasks it was given run elsewhere. Nothing follows from that worker.
struct WorkerLost {
  std::string reason;
  /// The tasks it was running when it was lost: one of them may have broken the device,
  /// and each counts toward its allowed_failures. Tasks it only held in its queue are
  /// sent elsewhere without counting. nullopt where the sender cannot tell (a dropped
  /// connection): then every task it was given counts, as in dask.distributed.
  std::optional<std::vector<Key>> running;
};

using WorkerToScheduler = std::variant<TaskFinished, TaskFailed, KeysAcquired, StealResponse, MissingData, WorkerLost>;

}  // namespace tessera::runtime
