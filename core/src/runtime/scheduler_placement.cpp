// Scheduler: where tasks run. A ready task goes to the worker where it is expected to
// finish first (its queue of work plus the transfer of inputs it lacks); root tasks are
// held back while every worker is saturated; idle workers steal queued tasks.
#include <algorithm>
#include <limits>

#include "scheduler.hpp"
#include "scheduler_state.hpp"

namespace tessera::runtime {

void Scheduler::dispatch(TaskId id, WorkerId worker) {
  TaskState& task = tasks_[id];
  task.status = TaskStatus::processing;
  task.started = false;
  ++task.attempt;
  task.expected_s = static_cast<float>(expected_duration(task));
  add_processing(workers_[worker], id);

  ComputeTask message;
  message.key = task.key;
  message.scheduler_ref = id;
  message.attempt = task.attempt;
  message.priority = task.priority;
  message.runner = task.runner;
  message.dependencies.reserve(task.dependencies.size());
  for (TaskId dep_id : task.dependencies) {
    const TaskState& dep = tasks_[dep_id];
    message.dependencies.push_back(dep.key);
    if (std::find(dep.who_has.begin(), dep.who_has.end(), worker) == dep.who_has.end()) {
      message.remote.push_back(RemoteDependency{dep.key, {dep.who_has.begin(), dep.who_has.end()}, dep.nbytes});
    }
  }
  send(worker, std::move(message));
}

WorkerId Scheduler::choose_worker(const TaskState& task) const {
  if (workers_.size() == 1 && workers_[0].alive) return 0;
  WorkerId best = kNoWorker;
  double best_finish = std::numeric_limits<double>::infinity();
  std::size_t best_load = 0;
  for (const WorkerState& w : workers_) {
    if (w.kind != task.target || !w.alive) continue;
    const double finish = w.occupancy_s / static_cast<double>(w.threads) +
                          static_cast<double>(missing_bytes(task, w.id)) / options_.transfer_bandwidth;
    const std::size_t load = w.processing.size();
    if (finish < best_finish || (finish == best_finish && load < best_load)) {
      best = w.id;
      best_finish = finish;
      best_load = load;
    }
  }
  return best;
}

DeviceKind Scheduler::target_kind(const Placement& placement) const noexcept {
  if (worker_kinds_ & mask_of(placement.prefers)) return placement.prefers;
  for (DeviceKind kind : {DeviceKind::cpu, DeviceKind::cuda}) {
    if (placement.can_run & worker_kinds_ & mask_of(kind)) return kind;
  }
  return DeviceKind::cpu;  // unreachable for a validated task
}

WorkerId Scheduler::worker_on(std::string_view device, DeviceKind kind) const noexcept {
  if (device.empty()) return kNoWorker;
  WorkerId found = kNoWorker;
  for (const WorkerState& w : workers_) {
    if (!w.alive || w.device != device) continue;
    if (found != kNoWorker || w.kind != kind) return kNoWorker;
    found = w.id;
  }
  return found;
}

WorkerId Scheduler::worker_with_room_for_root(DeviceKind kind) const {
  WorkerId best = kNoWorker;
  double best_load = std::numeric_limits<double>::infinity();
  for (const WorkerState& w : workers_) {
    if (w.kind != kind || !w.alive || w.processing.size() >= w.root_capacity) continue;
    const double load = static_cast<double>(w.processing.size()) / static_cast<double>(w.threads);
    if (load < best_load) {
      best = w.id;
      best_load = load;
    }
  }
  return best;
}

void Scheduler::fill_from_queue(WorkerId worker) {
  WorkerState& w = workers_[worker];
  RootQueue& queue = queued_[static_cast<std::size_t>(w.kind)];
  while (!queue.empty() && w.processing.size() < w.root_capacity) {
    const auto [priority, id] = queue.top();
    queue.pop();
    // Entries of tasks released (or forgotten and reused) since they were queued are stale.
    if (tasks_[id].status != TaskStatus::queued || tasks_[id].priority != priority) continue;
    dispatch(id, worker);
  }
}

void Scheduler::balance() {
  // Any worker with an idle thread takes held-back roots first, then steals queued work.
  // Run after every step, so that a worker that has finished nothing (and so never
  // triggers anything itself) is not left idle beside a busy one.
  for (WorkerState& w : workers_) {
    if (!w.alive || w.processing.size() >= w.threads) continue;
    fill_from_queue(w.id);
    steal_for(w.id);
  }
}

void Scheduler::steal_for(WorkerId thief) {
  WorkerState& t = workers_[thief];
  if (!options_.work_stealing || workers_.size() < 2 || !queued_[static_cast<std::size_t>(t.kind)].empty()) return;
  std::size_t room = t.threads > t.processing.size() + t.incoming_steals
                         ? t.threads - t.processing.size() - t.incoming_steals
                         : 0;
  if (room == 0) return;
  // The victim is the worker with the most tasks beyond its threads: those are waiting
  // in its queue and could start at once on the thief.
  WorkerId victim = kNoWorker;
  std::size_t most_waiting = 0;
  for (const WorkerState& w : workers_) {
    // Tasks beyond its threads, but no more than those it may give away.
    const std::size_t beyond = w.processing.size() > w.threads ? w.processing.size() - w.threads : 0;
    const std::size_t waiting = std::min(beyond, w.processing.size() - w.pinned);
    if (w.id != thief && w.alive && w.kind == t.kind && waiting > most_waiting) {
      victim = w.id;
      most_waiting = waiting;
    }
  }
  if (victim == kNoWorker) return;
  room = std::min(room, most_waiting);
  const auto& candidates = workers_[victim].processing;
  // Recently dispatched tasks are the least likely to have started.
  for (auto it = candidates.rbegin(); it != candidates.rend() && room > 0; ++it) {
    TaskState& task = tasks_[*it];
    if (task.steal_to != kNoWorker || task.started || task.home == victim) continue;
    const double transfer_s = static_cast<double>(missing_bytes(task, thief)) / options_.transfer_bandwidth;
    if (transfer_s > 2 * expected_duration(task)) continue;  // cheaper to wait than to move
    task.steal_to = thief;
    ++t.incoming_steals;
    --room;
    send(victim, StealRequest{task.key, task.attempt});
  }
}

double Scheduler::expected_duration(const TaskState& task) const {
  const PrefixStats& prefix = prefixes_[task.prefix];
  return prefix.count > 0 ? prefix.mean_duration_s : options_.default_task_duration_s;
}

std::uint64_t Scheduler::missing_bytes(const TaskState& task, WorkerId worker) const {
  std::uint64_t bytes = 0;
  for (TaskId dep_id : task.dependencies) {
    const TaskState& dep = tasks_[dep_id];
    if (std::find(dep.who_has.begin(), dep.who_has.end(), worker) == dep.who_has.end()) bytes += dep.nbytes;
  }
  return bytes;
}

void Scheduler::add_processing(WorkerState& worker, TaskId id) {
  TaskState& task = tasks_[id];
  task.processing_on = worker.id;
  task.processing_slot = static_cast<std::uint32_t>(worker.processing.size());
  worker.processing.push_back(id);
  worker.occupancy_s += task.expected_s;
  if (task.home == worker.id) ++worker.pinned;
}

void Scheduler::remove_processing(TaskId id) {
  TaskState& task = tasks_[id];
  WorkerState& worker = workers_[task.processing_on];
  const TaskId last = worker.processing.back();
  worker.processing[task.processing_slot] = last;
  tasks_[last].processing_slot = task.processing_slot;
  worker.processing.pop_back();
  worker.occupancy_s = std::max(0.0, worker.occupancy_s - task.expected_s);
  if (task.home == worker.id) --worker.pinned;
  task.processing_on = kNoWorker;
  if (task.steal_to != kNoWorker) {  // a steal request is moot once the task leaves the worker
    --workers_[task.steal_to].incoming_steals;
    task.steal_to = kNoWorker;
  }
}

}  // namespace tessera::runtime
