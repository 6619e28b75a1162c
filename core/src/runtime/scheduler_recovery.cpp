// Scheduler: surviving losses. A worker whose device was lost (or, in cluster mode, whose
// connection dropped) takes its results with it: the scheduler writes them off, computes
// again those still needed from the tasks that made them, and sends the tasks it was
// running to other workers, as dask.distributed's remove_worker does. A worker that
// cannot fetch an input from a peer says so (MissingData) and the input is found, or
// computed, elsewhere.
#include <algorithm>

#include "scheduler.hpp"
#include "scheduler_state.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/logging.hpp"

namespace tessera::runtime {

bool Scheduler::alive(WorkerId worker) const noexcept { return worker < workers_.size() && workers_[worker].alive; }

void Scheduler::on_worker_lost(WorkerId lost, const WorkerLost& msg) {
  WorkerState& worker = workers_[lost];
  worker.alive = false;
  ++workers_lost_;
  outbox_[lost].clear();
  worker_kinds_ = 0;
  for (const WorkerState& w : workers_) {
    if (w.alive) worker_kinds_ |= mask_of(w.kind);
  }
  const std::string why = "worker " + std::to_string(lost) + " was lost (" + msg.reason + ")";

  // The tasks it was given, in its queue or running.
  const std::vector<TaskId> interrupted = worker.processing;
  for (TaskId id : interrupted) {
    remove_processing(id);
    tasks_[id].status = TaskStatus::waiting;
  }
  // The results it held; those held nowhere else are lost.
  std::vector<TaskId> lost_results;
  for (TaskId id = 0; id < tasks_.size(); ++id) {
    TaskState& task = tasks_[id];
    if (task.status == TaskStatus::memory && task.who_has.erase_one(lost) && task.who_has.empty()) {
      lost_results.push_back(id);
    }
  }
  TESSERA_LOG(warning) << why << ": " << interrupted.size() << " of its tasks go to other workers, "
                       << lost_results.size() << " results held only there are lost";
  lose_results(lost_results, why);

  for (TaskId id : interrupted) {
    TaskState& task = tasks_[id];
    if (task.status != TaskStatus::waiting) continue;  // failed meanwhile, through a lost input
    const bool was_running =
        !msg.running || std::find(msg.running->begin(), msg.running->end(), task.key) != msg.running->end();
    if (!was_running) {
      send_again(id);
      continue;
    }
    if (task.suspicious < 255) ++task.suspicious;  // saturates: 255 losses mean the same as more
    if (task.suspicious > options_.allowed_failures) {
      kill(id, "task '" + task.name + "' was running on " + std::to_string(task.suspicious) +
                   " workers that were lost while it ran (at most " + std::to_string(options_.allowed_failures) +
                   " are allowed); the last: " + why);
      continue;
    }
    send_again(id);
  }
  // Roots held back for the lost worker's kind wait for one of another kind, where
  // their runners allow one, when it was the last of its kind.
  RootQueue& held = queued_[static_cast<std::size_t>(worker.kind)];
  if ((worker_kinds_ & mask_of(worker.kind)) == 0) {
    while (!held.empty()) {
      const auto [priority, id] = held.top();
      held.pop();
      if (tasks_[id].status != TaskStatus::queued || tasks_[id].priority != priority) continue;
      tasks_[id].status = TaskStatus::waiting;
      make_ready(id);
    }
  }
  process_releases();
}

void Scheduler::on_missing_data(WorkerId worker, const MissingData& msg) {
  const TaskId id = find_reported(msg.scheduler_ref, msg.key);
  if (id == kNoTask || !is_current_run(tasks_[id], worker, msg.attempt)) return;
  remove_processing(id);  // the worker has dropped it
  tasks_[id].status = TaskStatus::waiting;
  const TaskId input = find(msg.missing);
  if (input != kNoTask && tasks_[input].status == TaskStatus::memory && tasks_[input].who_has.erase_one(msg.peer)) {
    // Only the scheduler's record changes: should the peer still hold the value (a
    // transport that failed), its own queued tasks may yet read it there.
    TESSERA_LOG(info) << "worker " << worker << " could not fetch " << to_string(msg.missing) << " from worker "
                      << msg.peer << " (" << msg.problem << "): it is no longer counted as held there";
    if (tasks_[input].who_has.empty()) {
      const TaskId lost[] = {input};
      lose_results(lost, "worker " + std::to_string(msg.peer) + " no longer holds it: " + msg.problem);
    }
  }
  if (tasks_[id].status == TaskStatus::waiting) send_again(id);
  process_releases();
}

void Scheduler::lose_results(std::span<const TaskId> lost, const std::string& why) {
  for (TaskId id : lost) {
    TaskState& task = tasks_[id];
    ++results_lost_;
    notify_lost(id);
    ++task.attempt;  // a new epoch: reports of the result computed again are newer
    task.status = TaskStatus::released;
    // Dependents sent out to fetch it must wait for it again.
    for (TaskId dependent : task.dependents) {
      TaskState& d = tasks_[dependent];
      if (d.status == TaskStatus::processing) {
        stop_processing(dependent);
        d.status = TaskStatus::waiting;
      }
    }
  }
  for (TaskId id : lost) {
    for (TaskId dependent : tasks_[id].dependents) {
      TaskState& d = tasks_[dependent];
      if (d.status != TaskStatus::waiting) continue;
      d.missing_dependencies = inputs_not_in_memory(d);
    }
  }
  for (TaskId id : lost) {
    TaskState& task = tasks_[id];
    if (task.status != TaskStatus::released) continue;
    if (!needed(task)) {
      schedule_release(id);
    } else if (task.runner == nullptr) {
      task.status = TaskStatus::waiting;  // active, so that its failure reaches its dependents
      kill(id, "the scattered data of '" + task.name + "' cannot be computed again: " + why);
    } else {
      activate(id);  // with whatever of its own inputs was released since
    }
  }
}

void Scheduler::send_again(TaskId id) {
  TaskState& task = tasks_[id];
  task.missing_dependencies = inputs_not_in_memory(task);
  if (task.missing_dependencies == 0) make_ready(id);
}

std::uint32_t Scheduler::inputs_not_in_memory(const TaskState& task) const {
  return static_cast<std::uint32_t>(std::count_if(task.dependencies.begin(), task.dependencies.end(),
                                                  [&](TaskId dep) { return tasks_[dep].status != TaskStatus::memory; }));
}

void Scheduler::kill(TaskId id, const std::string& message) {
  TESSERA_LOG(warning) << message;
  auto failure = std::make_shared<TaskFailure>();
  failure->key = tasks_[id].key;
  failure->task_name = tasks_[id].name;
  failure->exception_type = "tessera::KilledWorker";
  failure->message = message;
  failure->original = std::make_exception_ptr(KilledWorker(message));
  ++tasks_[id].attempt;  // newer than a finished report of it that a client may hold
  err_with_dependents(id, failure);
}

void Scheduler::notify_lost(TaskId id) {
  auto it = wanted_by_.find(id);
  if (it == wanted_by_.end()) return;
  for (const auto& [client, token] : it->second) notify(client, tasks_[id].key, Notification::Kind::lost, tasks_[id].attempt);
}

}  // namespace tessera::runtime
