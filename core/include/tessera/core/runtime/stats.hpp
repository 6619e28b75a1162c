// Counters the runtime exposes for tests, benchmarks and (later) the dashboard.
#pragma once

#include <cstddef>
#include <string>

#include "tessera/core/spill_store.hpp"

namespace tessera::runtime {

struct SchedulerStats {
  std::size_t tasks = 0;  ///< tasks known (not forgotten)
  std::size_t released = 0, waiting = 0, queued = 0, processing = 0, memory = 0, erred = 0;
  std::size_t steals = 0;  ///< tasks moved to another worker since start
  std::size_t workers_lost = 0;  ///< workers that retired (a lost device) since start
  /// Results whose every copy was on lost workers (computed again where still needed).
  std::size_t results_lost = 0;
  /// Scheduler-side bookkeeping per known task, in bytes (structures, names, edges, index).
  std::size_t bytes_per_task = 0;
};

struct WorkerStats {
  std::size_t tasks_executed = 0;
  std::size_t tasks_held = 0;  ///< queued, fetching or running right now
  std::size_t values_fetched = 0;  ///< inputs copied from peer workers
  std::size_t values_moved = 0;    ///< values copied from another device to this worker's
  std::size_t bytes_moved = 0;     ///< their bytes
  SpillStoreStats store;
  /// Why the worker retired (its device was lost); empty while it works.
  std::string lost_reason;
};

}  // namespace tessera::runtime
