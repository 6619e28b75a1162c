// The transport interface: the only way the scheduler, workers and clients reach one
// another. The in-process transport calls the endpoints directly; a UCX transport
// (cluster mode) will serialize the same messages, so neither side assumes that the
// other shares its address space.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "tessera/core/runtime/messages.hpp"

namespace tessera::runtime {

/// What the scheduler exposes to the transport.
class SchedulerEndpoint {
 public:
  virtual ~SchedulerEndpoint() = default;
  /// Handles a batch of messages from one worker, in order.
  virtual void handle(WorkerId from, std::vector<WorkerToScheduler>&& batch) = 0;
};

/// What a worker exposes to the transport.
class WorkerEndpoint {
 public:
  virtual ~WorkerEndpoint() = default;
  /// Handles a batch of messages from the scheduler, in order; must not block on I/O.
  virtual void handle(std::vector<SchedulerToWorker>&& batch) = 0;
  /// Returns the values of `keys` this worker holds (nullopt for a key it lacks).
  virtual std::vector<std::optional<Value>> serve_data(std::span<const Key> keys) = 0;
};

/// Delivers messages and data between the scheduler, the workers and clients.
///
/// Messages from one sender to one receiver arrive in the order they were sent.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send_to_worker(WorkerId to, std::vector<SchedulerToWorker>&& batch) = 0;
  virtual void send_to_scheduler(WorkerId from, std::vector<WorkerToScheduler>&& batch) = 0;
  /// Fetches values from a worker's store (used by peers and by clients to gather).
  /// Blocks until they arrive; throws CommError when the worker cannot be reached.
  virtual std::vector<std::optional<Value>> fetch(WorkerId from, std::span<const Key> keys) = 0;
};

}  // namespace tessera::runtime
