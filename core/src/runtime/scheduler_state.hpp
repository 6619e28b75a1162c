// The scheduler's bookkeeping per task and per worker. Kept compact: a graph of a
// million tasks must cost the scheduler well under a kilobyte per task.
#pragma once

#include <cstdint>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "scheduler.hpp"
#include "tessera/core/detail/inline_vector.hpp"

namespace tessera::runtime {

inline constexpr TaskId kNoTask = ~TaskId{0};

struct Scheduler::TaskState {
  Key key;
  std::string name;
  std::shared_ptr<const TaskRunner> runner;  // null for scattered data
  detail::InlineVector<TaskId, 2> dependencies;
  detail::InlineVector<TaskId, 2> dependents;
  detail::InlineVector<WorkerId, 1> who_has;  // workers holding the result while in memory
  std::shared_ptr<const TaskFailure> failure;  // set when erred
  std::uint64_t priority = 0;  // lower runs first
  std::uint64_t nbytes = 0;
  std::uint32_t missing_dependencies = 0;  // while waiting: dependencies not in memory
  std::uint32_t active_dependents = 0;     // dependents waiting, queued or processing
  std::uint32_t live_dependents = 0;       // dependents not forgotten (may need recomputing it)
  std::uint32_t prefix = 0;                // kind of task, for duration estimates
  std::uint32_t processing_slot = 0;       // index in the worker's processing list
  std::uint32_t attempt = 0;  // dispatches and losses so far; reports name the one they are about
  float expected_s = 0;                    // duration charged to the worker's occupancy
  WorkerId processing_on = kNoWorker;
  WorkerId steal_to = kNoWorker;           // thief, while a steal request is in flight
  WorkerId home = kNoWorker;               // the worker whose device holds its data (Placement::device)
  TaskStatus status = TaskStatus::forgotten;
  DeviceKind target = DeviceKind::cpu;     // the kind of worker it runs on
  bool wanted = false;                     // some client holds a future of it
  bool in_release_worklist = false;
  bool started = false;  // its worker refused a steal: it is running, never ask again
  std::uint8_t suspicious = 0;  // workers lost while it ran on them
};

struct Scheduler::WorkerState {
  WorkerId id = kNoWorker;
  DeviceKind kind = DeviceKind::cpu;
  std::size_t threads = 1;
  std::size_t root_capacity = 1;  // processing tasks allowed before roots are held back
  double occupancy_s = 0;         // expected seconds of work assigned and not finished
  std::size_t incoming_steals = 0;
  std::size_t pinned = 0;  // processing tasks whose home it is: never stolen
  std::vector<TaskId> processing;
  bool alive = true;  // false once lost: nothing is sent to it or placed on it again
  std::string device;  // its device's name, empty when not told
};

// Defined here because every part of the scheduler enters through it.
template <class Op>
void Scheduler::run_exclusive(Op&& op) {
  const std::thread::id me = std::this_thread::get_id();
  if (holder_.load(std::memory_order_relaxed) == me) {
    // Re-entered from our own delivery (a worker answering at once): finish the current
    // step first, then run this one.
    deferred_.emplace_back(std::forward<Op>(op));
    return;
  }
  std::vector<Notification> notifications;
  {
    std::unique_lock lock(mutex_);
    holder_.store(me, std::memory_order_relaxed);
    try {
      op();
      process_inbox_locked();  // reports that arrived while a client held the lock
      drain_locked(lock);
    } catch (...) {
      // A rejected request (a bad graph) changes nothing, but reports that arrived
      // meanwhile must still be handled before the error reaches the caller.
      holder_.store(std::thread::id(), std::memory_order_relaxed);
      lock.unlock();
      pump_inbox();
      throw;
    }
    notifications.swap(notifications_);
    holder_.store(std::thread::id(), std::memory_order_relaxed);
  }
  deliver(notifications);
  pump_if_reports_waiting();
}

template <class F>
auto Scheduler::query(F&& f) {
  auto result = [&] {
    std::lock_guard lock(mutex_);
    return f();
  }();
  pump_if_reports_waiting();
  return result;
}

}  // namespace tessera::runtime
