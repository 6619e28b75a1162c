// LocalCluster: the scheduler and its workers in this process, connected by the
// in-process transport. The default cluster has one CPU worker with a thread per core,
// and one worker per visible GPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/core/device.hpp"
#include "tessera/core/runtime/stats.hpp"

namespace tessera {

namespace detail {
struct LocalClusterImpl;
class ClientImpl;
}  // namespace detail

struct LocalClusterOptions {
  /// CPU workers.
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

  /// GPU workers: -1, one per visible GPU (none on a machine without); 0, none; n > 0,
  /// one on each of the first n GPUs (an error where fewer are visible).
  int gpus = -1;
  /// Workers per GPU ("virtual GPUs"), each with its own streams, memory pool and memory
  /// limit: multi-GPU placement, transfers and spilling, exercised on one card.
  std::size_t virtual_gpus = 1;
  /// Bytes of results each GPU worker keeps on its device before the least recently used
  /// move to (page-locked) host memory; 0: 80% of its share of the card.
  std::size_t device_memory_limit = 0;
  /// Executor threads per GPU worker, one stream each: one copies or launches while
  /// another waits for its kernel.
  std::size_t gpu_threads = 2;
  /// Workers on devices the caller made (one each), beside the CPU and GPU workers; they
  /// get gpu_threads threads and device_memory_limit (0: no limit).
  std::vector<std::shared_ptr<Device>> devices{};
  /// Times a task is sent elsewhere after the worker running it was lost (its device
  /// broke) before it fails with KilledWorker.
  std::uint32_t allowed_failures = 3;
};

class LocalCluster {
 public:
  /// Starts the scheduler and workers. Throws ValueError for impossible options.
  explicit LocalCluster(LocalClusterOptions options = {});

  /// Every worker: the CPU workers first (ids 0 to n_workers - 1), then those on devices.
  std::size_t n_workers() const;
  /// The device a worker runs on ("cpu", "cuda:0", "cuda:0/1").
  std::string worker_device(std::size_t worker) const;
  /// The device itself: where a worker's results live, and where Client::gather can leave
  /// them for code that reads device memory directly.
  std::shared_ptr<Device> device_of_worker(std::size_t worker) const;
  std::size_t threads_per_worker() const;
  runtime::WorkerStats worker_stats(std::size_t worker) const;
  runtime::SchedulerStats scheduler_stats() const;

 private:
  friend class Client;
  friend class detail::ClientImpl;
  std::shared_ptr<detail::LocalClusterImpl> impl_;
};

}  // namespace tessera
