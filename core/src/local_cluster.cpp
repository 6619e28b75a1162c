#include "tessera/core/local_cluster.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "local_cluster_impl.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/cuda_device.hpp"
#include "tessera/core/gpus.hpp"
#include "tessera/core/logging.hpp"

namespace tessera {
namespace detail {
namespace {

std::size_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size)
                                    : std::size_t{4} << 30;
}

// The devices of the GPU workers the options ask for. Logs, once per process, the GPUs
// found or why there are none.
std::vector<std::shared_ptr<Device>> gpu_devices(const LocalClusterOptions& options) {
  const GpuAvailability& available = gpu_availability();
  std::vector<std::shared_ptr<Device>> devices;
  if (options.gpus == 0) return devices;
  const std::size_t wanted = options.gpus < 0 ? available.gpus.size() : static_cast<std::size_t>(options.gpus);
  if (wanted > available.gpus.size()) {
    throw ValueError("asked for " + std::to_string(wanted) + " GPU(s), but " +
                     std::to_string(available.gpus.size()) + " are usable" +
                     (available.reason.empty() ? std::string() : " (" + available.reason + ")"));
  }
  for (std::size_t g = 0; g < wanted; ++g) {
    const GpuInfo& gpu = available.gpus[g];
    for (std::size_t v = 0; v < options.virtual_gpus; ++v) {
      CudaDeviceOptions device;
      device.ordinal = gpu.index;
      device.lanes = options.gpu_threads;
      device.capacity = gpu.memory_bytes / options.virtual_gpus;
      device.virtual_index = options.virtual_gpus > 1 ? static_cast<int>(v) : -1;
      try {
        // A card an earlier cluster of this process broke stays broken for the process.
        if (std::string lost = cuda_device_lost_reason(gpu.index); !lost.empty()) {
          throw DeviceLost("GPU " + std::to_string(gpu.index) + " was lost earlier in this process (" + lost + ")");
        }
        devices.push_back(make_cuda_device(device));
      } catch (const Error& e) {
        if (options.gpus > 0) throw;  // asked for explicitly: say why it cannot be had
        TESSERA_LOG(warning) << "GPU " << gpu.index << " is visible but unusable (" << e.what()
                             << "); its work runs on the CPU";
        break;
      }
    }
  }
  return devices;
}

std::filesystem::path default_spill_root() {
  std::random_device device;
  return std::filesystem::temp_directory_path() /
         ("tessera-spill-" + std::to_string(getpid()) + "-" + std::to_string(device() & 0xffffff));
}

// Threads that tear down clusters whose last reference was dropped on one of their own
// threads. They are detached, because such a drop can happen while the process exits,
// after any joiner would have run; exit waits for the teardowns already under way, so
// spill folders are removed and no teardown is cut short in the common case. The registry
// is never destroyed, since a late reaper may still reach it during exit.
class Reapers;
Reapers& reapers();

class Reapers {
 public:
  void run(LocalClusterImpl* cluster) {
    static const WaitAtExit wait_at_exit;
    {
      std::lock_guard lock(mutex_);
      ++running_;
    }
    std::thread([this, cluster] {
      delete cluster;
      std::lock_guard lock(mutex_);
      --running_;
      finished_.notify_all();
    }).detach();
  }

 private:
  struct WaitAtExit {
    ~WaitAtExit() { reapers().wait_for_all(); }
  };
  void wait_for_all() {
    std::unique_lock lock(mutex_);
    finished_.wait(lock, [this] { return running_ == 0; });
  }
  friend Reapers& reapers();

  std::mutex mutex_;
  std::condition_variable finished_;
  std::size_t running_ = 0;
};

Reapers& reapers() {
  static auto* const instance = new Reapers;
  return *instance;
}

}  // namespace

LocalClusterImpl::LocalClusterImpl(const LocalClusterOptions& options) {
  TESSERA_EXPECTS(options.n_workers > 0, "a LocalCluster needs at least one worker, got n_workers = 0");
  TESSERA_EXPECTS(options.worker_saturation > 0,
                  "worker_saturation must be positive, got " + std::to_string(options.worker_saturation));
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  threads_per_worker = options.threads_per_worker > 0 ? options.threads_per_worker
                                                      : std::max<std::size_t>(1, cores / options.n_workers);
  TESSERA_EXPECTS(options.gpus >= -1, "gpus must be -1 (every visible GPU), 0 or a count, got " +
                                          std::to_string(options.gpus));
  TESSERA_EXPECTS(options.virtual_gpus > 0, "virtual_gpus must be at least 1");
  TESSERA_EXPECTS(options.gpu_threads > 0, "gpu_threads must be at least 1");
  const std::size_t memory_limit =
      options.memory_limit > 0 ? options.memory_limit : physical_memory_bytes() / options.n_workers;
  owns_spill_root = options.spill_directory.empty();
  spill_root = owns_spill_root ? default_spill_root() : options.spill_directory;

  runtime::SchedulerOptions scheduler_options;
  scheduler_options.worker_saturation = options.worker_saturation;
  scheduler_options.work_stealing = options.work_stealing;
  scheduler_options.allowed_failures = options.allowed_failures;
  scheduler = std::make_unique<runtime::Scheduler>(scheduler_options, transport);

  std::vector<runtime::WorkerEndpoint*> endpoints;
  auto add_worker = [&](std::shared_ptr<Device> device, std::size_t threads, std::size_t device_limit) {
    const auto id = static_cast<runtime::WorkerId>(workers.size());
    runtime::WorkerOptions worker_options;
    worker_options.threads = threads;
    worker_options.memory_limit = memory_limit;
    worker_options.spill_directory = spill_root / ("worker-" + std::to_string(id));
    worker_options.device_memory_limit = device_limit;
    const DeviceKind kind = device ? device->kind() : DeviceKind::cpu;
    worker_options.device = std::move(device);
    workers.push_back(std::make_unique<runtime::Worker>(id, std::move(worker_options), transport));
    endpoints.push_back(workers.back().get());
    // Host workers name no device (they share the host's): only a device's own worker is
    // a home for the tasks whose data is on it.
    scheduler->add_worker(id, threads, kind, kind == DeviceKind::cpu ? std::string() : workers.back()->device().name());
  };
  for (std::size_t i = 0; i < options.n_workers; ++i) add_worker(nullptr, threads_per_worker, 0);
  for (auto& device : gpu_devices(options)) {
    const std::size_t limit = options.device_memory_limit > 0 ? options.device_memory_limit
                                                               : device->capacity() / 10 * 8;
    TESSERA_LOG(info) << "local cluster: GPU worker on " << device->name() << ", " << options.gpu_threads
                      << " stream(s), " << limit << " bytes kept on the device before spilling";
    add_worker(std::move(device), options.gpu_threads, limit);
  }
  for (const auto& device : options.devices) {
    TESSERA_EXPECTS(device != nullptr, "LocalClusterOptions::devices holds a null device");
    add_worker(device, options.gpu_threads, options.device_memory_limit);
  }
  transport.connect(*scheduler, std::move(endpoints));
  for (auto& worker : workers) worker->start();
  TESSERA_LOG(info) << "local cluster: " << options.n_workers << " CPU worker(s) × " << threads_per_worker
                    << " thread(s), memory limit " << memory_limit << " bytes per worker";
}

const runtime::Worker& LocalClusterImpl::worker(std::size_t index) const {
  if (index >= workers.size()) {
    throw IndexError("worker " + std::to_string(index) + " does not exist; the cluster has " +
                     std::to_string(workers.size()) + " workers");
  }
  return *workers[index];
}

bool LocalClusterImpl::on_worker_thread() const noexcept {
  return std::any_of(workers.begin(), workers.end(), [](const auto& w) { return w->is_current_thread(); });
}

void LocalClusterImpl::destroy(LocalClusterImpl* cluster) noexcept {
  if (cluster->on_worker_thread() || ClusterLifeline::used_on_this_thread()) {
    // The last reference went away where teardown cannot happen: on one of the cluster's
    // own threads (which cannot join itself), or inside a client operation (which the
    // teardown would wait for). A task had captured the last Client or LocalCluster
    // handle. A short-lived thread tears the cluster down instead.
    reapers().run(cluster);
  } else {
    delete cluster;
  }
}

LocalClusterImpl::~LocalClusterImpl() {
  lifeline->close();      // client operations in flight finish; later ones find the cluster gone
  scheduler->shutdown();  // futures that outlive the cluster read as cancelled, none waits forever
  for (auto& worker : workers) worker->stop();
  if (owns_spill_root) {
    std::error_code ignored;
    std::filesystem::remove_all(spill_root, ignored);
  }
}

}  // namespace detail

LocalCluster::LocalCluster(LocalClusterOptions options)
    : impl_(new detail::LocalClusterImpl(options), &detail::LocalClusterImpl::destroy) {}

std::size_t LocalCluster::n_workers() const { return impl_->workers.size(); }

std::string LocalCluster::worker_device(std::size_t worker) const { return impl_->worker(worker).device().name(); }

std::shared_ptr<Device> LocalCluster::device_of_worker(std::size_t worker) const {
  return impl_->worker(worker).device().shared_from_this();
}

std::size_t LocalCluster::threads_per_worker() const { return impl_->threads_per_worker; }

runtime::WorkerStats LocalCluster::worker_stats(std::size_t worker) const { return impl_->worker(worker).stats(); }

runtime::SchedulerStats LocalCluster::scheduler_stats() const { return impl_->scheduler->stats(); }

}  // namespace tessera
