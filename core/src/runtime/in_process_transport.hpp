// The transport of a LocalCluster: every endpoint lives in this process, so messages are
// delivered by calling the receiver and values change hands by pointer.
#pragma once

#include <vector>

#include "tessera/core/runtime/transport.hpp"

namespace tessera::runtime {

class InProcessTransport final : public Transport {
 public:
  /// Wires the endpoints; called once, before any message is sent.
  void connect(SchedulerEndpoint& scheduler, std::vector<WorkerEndpoint*> workers) {
    scheduler_ = &scheduler;
    workers_ = std::move(workers);
  }

  void send_to_worker(WorkerId to, std::vector<SchedulerToWorker>&& batch) override {
    worker(to).handle(std::move(batch));
  }
  void send_to_scheduler(WorkerId from, std::vector<WorkerToScheduler>&& batch) override {
    scheduler_->handle(from, std::move(batch));
  }
  std::vector<std::optional<Value>> fetch(WorkerId from, std::span<const Key> keys) override {
    return worker(from).serve_data(keys);
  }

 private:
  WorkerEndpoint& worker(WorkerId id) const {
    if (id >= workers_.size()) throw CommError("no worker with id " + std::to_string(id) + " in this cluster");
    return *workers_[id];
  }

  SchedulerEndpoint* scheduler_ = nullptr;
  std::vector<WorkerEndpoint*> workers_;
};

}  // namespace tessera::runtime
