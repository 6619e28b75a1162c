// LocalCluster: the scheduler and its workers in this process, connected by the
// in-process transport. The default cluster has one CPU worker with a thread per core.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

#include "tessera/core/runtime/stats.hpp"

namespace tessera {

namespace detail {
struct LocalClusterImpl;
class ClientImpl;
}  // namespace detail

struct LocalClusterOptions {
  std::size_t n_workers = 1;
  /// Executor threads per worker; 0 shares the machine's cores among the workers.
  std::size_t threads_per_worker = 0;
  /// Bytes each worker keeps in memory before spilling to disk; 0 shares the machine's
  /// physical memory among the workers.
  std::size_t memory_limit = 0;
  /// Where workers spill; empty: a fresh folder under the system's temporary directory.
  std::filesystem::path spill_directory{};
  /// Root tasks queued per worker thread before the scheduler holds them back.
  double worker_saturation = 1.1;
  bool work_stealing = true;
};

class LocalCluster {
 public:
  /// Starts the scheduler and workers. Throws ValueError for impossible options.
  explicit LocalCluster(LocalClusterOptions options = {});

  std::size_t n_workers() const;
  std::size_t threads_per_worker() const;
  runtime::WorkerStats worker_stats(std::size_t worker) const;
  runtime::SchedulerStats scheduler_stats() const;

 private:
  friend class Client;
  friend class detail::ClientImpl;
  std::shared_ptr<detail::LocalClusterImpl> impl_;
};

}  // namespace tessera
