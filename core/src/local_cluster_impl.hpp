// What a LocalCluster handle shares: the transport, the scheduler and the workers.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "runtime/in_process_transport.hpp"
#include "runtime/scheduler.hpp"
#include "tessera/core/local_cluster.hpp"
#include "tessera/core/runtime/worker.hpp"

namespace tessera::detail {

struct LocalClusterImpl {
  explicit LocalClusterImpl(const LocalClusterOptions& options);
  /// Stops the workers' threads before the scheduler they report to goes away.
  ~LocalClusterImpl();
  /// The deleter of the shared handle: safe to run on any thread, the cluster's own included.
  static void destroy(LocalClusterImpl* cluster) noexcept;
  bool on_worker_thread() const noexcept;

  std::size_t threads_per_worker = 1;
  std::filesystem::path spill_root;
  bool owns_spill_root = false;  // a folder we made, removed with the cluster
  runtime::InProcessTransport transport;
  std::unique_ptr<runtime::Scheduler> scheduler;
  std::vector<std::unique_ptr<runtime::Worker>> workers;
};

}  // namespace tessera::detail
