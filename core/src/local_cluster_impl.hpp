// What a LocalCluster handle shares: the transport, the scheduler and the workers.
#pragma once

#include <atomic>
#include <filesystem>
#include <thread>
#include <memory>
#include <vector>

#include "runtime/in_process_transport.hpp"
#include "runtime/scheduler.hpp"
#include "tessera/core/local_cluster.hpp"
#include "tessera/core/runtime/worker.hpp"

namespace tessera::detail {

struct LocalClusterImpl;

/// How clients reach a cluster without owning it. Operations enter through `Use`; the
/// cluster, as it shuts down, closes the lifeline and waits for the operations in flight.
/// So a runtime thread (delivering a result, releasing a future) never holds the last
/// reference to a cluster and never has to tear it down.
class ClusterLifeline {
 public:
  explicit ClusterLifeline(LocalClusterImpl* cluster) : cluster_(cluster) {}

  class Use {
   public:
    explicit Use(ClusterLifeline& lifeline) : lifeline_(lifeline) {
      ++uses_on_this_thread();
      lifeline_.users_.fetch_add(1);
      if (lifeline_.closed_.load()) leave();
    }
    ~Use() { leave(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    /// The cluster, or null once it has shut down.
    LocalClusterImpl* cluster() const noexcept { return entered_ ? lifeline_.cluster_ : nullptr; }

   private:
    void leave() noexcept {
      if (entered_) {
        lifeline_.users_.fetch_sub(1);
        --uses_on_this_thread();
      }
      entered_ = false;
    }
    ClusterLifeline& lifeline_;
    bool entered_ = true;
  };

  /// True while this thread is inside a Use (of any cluster): a cluster whose last handle
  /// is dropped here cannot wait for the uses to end, so it must be torn down elsewhere.
  static bool used_on_this_thread() noexcept { return uses_on_this_thread() > 0; }

  /// Refuses new uses and waits until the current ones have finished.
  void close() noexcept {
    closed_.store(true);
    while (users_.load() != 0) std::this_thread::yield();
  }

 private:
  static int& uses_on_this_thread() noexcept {
    thread_local int uses = 0;
    return uses;
  }

  LocalClusterImpl* const cluster_;
  std::atomic<int> users_{0};
  std::atomic<bool> closed_{false};
};

struct LocalClusterImpl {
  explicit LocalClusterImpl(const LocalClusterOptions& options);
  /// Stops the workers' threads before the scheduler they report to goes away.
  ~LocalClusterImpl();
  /// The deleter of the shared handle: safe to run on any thread, the cluster's own included.
  static void destroy(LocalClusterImpl* cluster) noexcept;
  bool on_worker_thread() const noexcept;
  /// Worker `index`; tessera::IndexError naming the count when there is none.
  const runtime::Worker& worker(std::size_t index) const;

  std::shared_ptr<ClusterLifeline> lifeline = std::make_shared<ClusterLifeline>(this);
  std::size_t threads_per_worker = 1;
  std::filesystem::path spill_root;
  bool owns_spill_root = false;  // a folder we made, removed with the cluster
  runtime::InProcessTransport transport;
  std::unique_ptr<runtime::Scheduler> scheduler;
  std::vector<std::unique_ptr<runtime::Worker>> workers;
};

}  // namespace tessera::detail
