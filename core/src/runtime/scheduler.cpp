// Scheduler: message handling and task state transitions. Graph intake is in
// scheduler_graph.cpp, placement and stealing in scheduler_placement.cpp.
#include "scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "scheduler_state.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/logging.hpp"

namespace tessera::runtime {

Scheduler::Scheduler(SchedulerOptions options, Transport& transport) : options_(options), transport_(transport) {}

Scheduler::~Scheduler() = default;

void Scheduler::shutdown() {
  run_exclusive([this] {
    for (const auto& [id, holds] : wanted_by_) {
      for (const auto& [client, token] : holds) notify(client, tasks_[id].key, Notification::Kind::cancelled, 0);
    }
  });
}

void Scheduler::add_worker(WorkerId id, std::size_t threads, DeviceKind kind, std::string device) {
  std::lock_guard lock(mutex_);
  TESSERA_ASSERT(id == workers_.size(), "workers must be added with consecutive ids");
  WorkerState worker;
  worker.id = id;
  worker.kind = kind;
  worker.device = std::move(device);
  worker_kinds_ |= mask_of(kind);
  worker.threads = std::max<std::size_t>(1, threads);
  const double capacity = std::ceil(static_cast<double>(worker.threads) * options_.worker_saturation);
  worker.root_capacity = std::isfinite(capacity) ? std::max<std::size_t>(1, static_cast<std::size_t>(capacity))
                                                 : std::numeric_limits<std::size_t>::max();
  workers_.push_back(std::move(worker));
  outbox_.emplace_back();
}

// ---- exclusive execution -----------------------------------------------------------

void Scheduler::deliver(std::vector<Notification>& notifications) {
  for (Notification& n : notifications) {
    std::shared_ptr<ClientSink> client = n.client.lock();
    if (!client) continue;
    switch (n.kind) {
      case Notification::Kind::finished: client->key_finished(n.key, n.epoch); break;
      case Notification::Kind::failed: client->key_failed(n.key, n.failure, n.epoch); break;
      case Notification::Kind::cancelled: client->key_cancelled(n.key); break;
      case Notification::Kind::lost: client->key_lost(n.key, n.epoch); break;
    }
  }
}

void Scheduler::drain_locked(std::unique_lock<std::mutex>&) {
  for (;;) {
    if (!deferred_.empty()) {
      std::vector<std::function<void()>> ops;
      ops.swap(deferred_);
      for (auto& op : ops) op();
      continue;
    }
    bool sent = false;
    for (WorkerId w = 0; w < outbox_.size(); ++w) {
      if (outbox_[w].empty()) continue;
      std::vector<SchedulerToWorker> batch;
      batch.swap(outbox_[w]);
      transport_.send_to_worker(w, std::move(batch));
      sent = true;
    }
    if (!sent) return;
  }
}

void Scheduler::assert_not_reentrant() const {
  TESSERA_ASSERT(holder_.load(std::memory_order_relaxed) != std::this_thread::get_id(),
                 "this scheduler call cannot be made from inside a runtime notification");
}

// ---- messages from workers ---------------------------------------------------------

void Scheduler::handle(WorkerId from, std::vector<WorkerToScheduler>&& batch) {
  if (holder_.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
    // A worker answered during our own delivery: handle it before the lock is let go.
    deferred_.emplace_back([this, from, batch = std::move(batch)] { process_batch(from, batch); });
    return;
  }
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.emplace_back(from, std::move(batch));
  }
  pump_inbox();
}

void Scheduler::pump_inbox() {
  // Flat combining: whoever holds the scheduler handles every worker's reports; a worker
  // that finds it busy leaves its report in the inbox and goes back to running tasks
  // instead of sleeping on the lock. The holder looks at the inbox again after letting
  // go, so no report is stranded.
  for (;;) {
    std::vector<Notification> notifications;
    {
      std::unique_lock lock(mutex_, std::try_to_lock);
      if (!lock.owns_lock()) return;
      holder_.store(std::this_thread::get_id(), std::memory_order_relaxed);
      process_inbox_locked();
      drain_locked(lock);
      notifications.swap(notifications_);
      holder_.store(std::thread::id(), std::memory_order_relaxed);
    }
    deliver(notifications);
    std::lock_guard lock(inbox_mutex_);
    if (inbox_.empty()) return;
  }
}

void Scheduler::pump_if_reports_waiting() {
  bool reports_waiting;
  {
    std::lock_guard lock(inbox_mutex_);
    reports_waiting = !inbox_.empty();
  }
  if (reports_waiting) pump_inbox();
}

void Scheduler::process_inbox_locked() {
  std::vector<std::pair<WorkerId, std::vector<WorkerToScheduler>>> reports;
  {
    std::lock_guard lock(inbox_mutex_);
    reports.swap(inbox_);
  }
  for (const auto& [from, batch] : reports) process_batch(from, batch);
}

void Scheduler::process_batch(WorkerId from, const std::vector<WorkerToScheduler>& batch) {
  for (const auto& message : batch) {
    // Whatever a lost worker said after it was lost (reports crossing the news of its
    // loss) is void: its tasks have been taken back and its results written off.
    if (!alive(from)) break;
    std::visit(
        [this, from](const auto& m) {
          using M = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<M, TaskFinished>) on_task_finished(from, m);
          else if constexpr (std::is_same_v<M, TaskFailed>) on_task_failed(from, m);
          else if constexpr (std::is_same_v<M, KeysAcquired>) on_keys_acquired(from, m);
          else if constexpr (std::is_same_v<M, StealResponse>) on_steal_response(from, m);
          else if constexpr (std::is_same_v<M, MissingData>) on_missing_data(from, m);
          else on_worker_lost(from, m);
        },
        message);
  }
  balance();
}

void Scheduler::on_task_finished(WorkerId worker, const TaskFinished& msg) {
  const TaskId id = find_reported(msg.scheduler_ref, msg.key);
  if (id == kNoTask || !is_current_run(tasks_[id], worker, msg.attempt)) {
    // A run cancelled, released or stolen after it had started. Its result is not wanted,
    // unless the key has since been sent to that worker again or is held there anyway:
    // then the worker's copy is (or will be) the live one and must stay.
    if (id == kNoTask || !holds_or_runs(tasks_[id], worker)) send(worker, ReleaseKeys{{msg.key}});
    return;
  }
  TaskState& task = tasks_[id];
  PrefixStats& prefix = prefixes_[task.prefix];
  ++prefix.count;
  prefix.mean_duration_s += (msg.duration_s - prefix.mean_duration_s) / static_cast<double>(std::min<std::uint64_t>(prefix.count, 100));
  remove_processing(id);
  task.status = TaskStatus::memory;
  task.who_has.assign(1, worker);
  task.nbytes = msg.nbytes;

  for (TaskId dependent : task.dependents) {
    TaskState& d = tasks_[dependent];
    if (d.status == TaskStatus::waiting && --d.missing_dependencies == 0) make_ready(dependent);
  }
  for (TaskId dependency : tasks_[id].dependencies) dependency_no_longer_needed(dependency);
  if (tasks_[id].wanted) notify_clients(id);
  if (!needed(tasks_[id])) schedule_release(id);
  process_releases();
}

void Scheduler::on_task_failed(WorkerId worker, const TaskFailed& msg) {
  const TaskId id = find_reported(msg.scheduler_ref, msg.key);
  if (id == kNoTask || !is_current_run(tasks_[id], worker, msg.attempt)) return;
  remove_processing(id);
  auto failure = std::make_shared<TaskFailure>(*msg.failure);
  failure->key = tasks_[id].key;
  failure->task_name = tasks_[id].name;
  TESSERA_LOG(info) << "task '" << failure->task_name << "' raised " << failure->exception_type << ": " << failure->message;
  err_with_dependents(id, failure);
  process_releases();
}

void Scheduler::on_keys_acquired(WorkerId worker, const KeysAcquired& msg) {
  for (Key key : msg.keys) {
    const TaskId id = find(key);
    if (id != kNoTask && tasks_[id].status == TaskStatus::memory) {
      auto& holders = tasks_[id].who_has;
      if (std::find(holders.begin(), holders.end(), worker) == holders.end()) holders.push_back(worker);
    } else if (id == kNoTask || !holds_or_runs(tasks_[id], worker)) {
      send(worker, ReleaseKeys{{key}});  // the copy arrived after the result was released
    }
  }
}

void Scheduler::on_steal_response(WorkerId worker, const StealResponse& msg) {
  const TaskId id = find(msg.key);
  if (id == kNoTask) return;
  TaskState& task = tasks_[id];
  // An answer about an earlier run (the task was lost or released and sent again since)
  // is stale: the scheduler's current request, if any, has its own answer coming.
  if (task.status != TaskStatus::processing || task.processing_on != worker || task.steal_to == kNoWorker ||
      msg.attempt != task.attempt) {
    return;
  }
  const WorkerId thief = task.steal_to;
  task.steal_to = kNoWorker;
  --workers_[thief].incoming_steals;
  if (!msg.stolen) {
    task.started = true;
    return;
  }
  remove_processing(id);
  ++steals_;
  if (alive(thief)) {
    dispatch(id, thief);
  } else {  // the thief was lost while the task was on its way: it goes elsewhere
    tasks_[id].status = TaskStatus::waiting;
    make_ready(id);
  }
}

// ---- transitions -------------------------------------------------------------------

void Scheduler::make_ready(TaskId id) {
  TaskState& task = tasks_[id];
  if (task.home != kNoWorker) {
    if (!workers_[task.home].alive) {
      // Its data was in the memory of the lost worker's device: like scattered data there,
      // it cannot be had again.
      kill(id, "task '" + task.name + "' reads data that was on " + workers_[task.home].device +
                   ", lost with worker " + std::to_string(task.home) + "; it cannot be computed again");
      return;
    }
    // Its data is already on that worker's device: not held back with the roots, which
    // are held back because they bring new data into memory.
    dispatch(id, task.home);
    return;
  }
  if ((worker_kinds_ & mask_of(task.target)) == 0) {
    // Every worker of its kind was lost: another kind takes it if its runner allows.
    if ((task.runner->placement().can_run & worker_kinds_) == 0) {
      kill(id, "no worker left can run task '" + task.name + "': every worker on a device of the kind it needs was lost");
      return;
    }
    task.target = target_kind(task.runner->placement());
  }
  if (task.dependencies.empty()) {
    const WorkerId worker = worker_with_room_for_root(task.target);
    if (worker == kNoWorker) {
      task.status = TaskStatus::queued;
      queued_[static_cast<std::size_t>(task.target)].emplace(task.priority, id);
      return;
    }
    dispatch(id, worker);
  } else {
    dispatch(id, choose_worker(task));
  }
}

void Scheduler::err_with_dependents(TaskId root, const std::shared_ptr<const TaskFailure>& failure) {
  std::vector<TaskId> stack{root};
  while (!stack.empty()) {
    const TaskId id = stack.back();
    stack.pop_back();
    TaskState& task = tasks_[id];
    const bool active = task.status == TaskStatus::waiting || task.status == TaskStatus::queued ||
                        (id == root && task.status == TaskStatus::processing);
    if (!active) continue;
    task.status = TaskStatus::erred;
    task.failure = failure;
    for (TaskId dependency : task.dependencies) dependency_no_longer_needed(dependency);
    for (TaskId dependent : tasks_[id].dependents) stack.push_back(dependent);
    if (tasks_[id].wanted) notify_clients(id);
    schedule_release(id);  // to be forgotten once nothing refers to it
  }
}

void Scheduler::dependency_no_longer_needed(TaskId dependency) {
  TaskState& dep = tasks_[dependency];
  TESSERA_ASSERT(dep.active_dependents > 0, "active dependents count underflow");
  --dep.active_dependents;
  if (!needed(dep)) schedule_release(dependency);
}

void Scheduler::schedule_release(TaskId id) {
  if (tasks_[id].in_release_worklist) return;
  tasks_[id].in_release_worklist = true;
  release_worklist_.push_back(id);
}

TaskId Scheduler::allocate_slot() {
  if (free_slots_.empty()) {
    tasks_.emplace_back();
    return static_cast<TaskId>(tasks_.size() - 1);
  }
  const TaskId id = free_slots_.back();
  free_slots_.pop_back();
  return id;
}

void Scheduler::process_releases() {
  while (!release_worklist_.empty()) {
    const TaskId id = release_worklist_.back();
    release_worklist_.pop_back();
    TaskState& task = tasks_[id];
    task.in_release_worklist = false;
    if (task.status == TaskStatus::forgotten || needed(task)) continue;
    switch (task.status) {
      case TaskStatus::memory:
        release_on_workers(task);
        task.status = TaskStatus::released;
        break;
      case TaskStatus::processing:
        stop_processing(id);
        [[fallthrough]];
      case TaskStatus::waiting:
      case TaskStatus::queued:  // its entry in queued_ is skipped when popped
        tasks_[id].status = TaskStatus::released;
        for (TaskId dependency : tasks_[id].dependencies) dependency_no_longer_needed(dependency);
        break;
      default:
        break;
    }
    forget_unreachable(id);
  }
}

void Scheduler::forget_unreachable(TaskId start) {
  std::vector<TaskId> stack{start};
  while (!stack.empty()) {
    const TaskId id = stack.back();
    stack.pop_back();
    TaskState& task = tasks_[id];
    if (task.wanted || task.live_dependents > 0 || task.in_release_worklist) continue;
    if (task.status != TaskStatus::released && task.status != TaskStatus::erred) continue;
    for (TaskId dependency : task.dependencies) {
      // The slot is reused: the dependency must not keep pointing at it.
      tasks_[dependency].dependents.erase_one(id);
      --tasks_[dependency].live_dependents;
      stack.push_back(dependency);
    }
    index_.erase(task.key);
    task = TaskState{};  // frees its vectors, name and runner; status is forgotten
    free_slots_.push_back(id);
  }
}

void Scheduler::stop_processing(TaskId id) {
  TaskState& task = tasks_[id];
  send(task.processing_on, ReleaseKeys{{task.key}});
  remove_processing(id);
}

void Scheduler::want(ClientId client, std::uint64_t token, TaskId id) {
  auto& holds = wanted_by_[id];
  const std::pair<ClientId, std::uint64_t> hold{client, token};
  if (std::find(holds.begin(), holds.end(), hold) == holds.end()) holds.push_back(hold);
  tasks_[id].wanted = true;
}

void Scheduler::unwant(ClientId client, std::uint64_t token, TaskId id) {
  auto it = wanted_by_.find(id);
  if (it == wanted_by_.end()) return;
  std::erase(it->second, std::pair<ClientId, std::uint64_t>{client, token});
  if (!it->second.empty()) return;
  wanted_by_.erase(it);
  TaskState& task = tasks_[id];
  task.wanted = false;
  schedule_release(id);
}

void Scheduler::notify_clients(TaskId id) {
  auto it = wanted_by_.find(id);
  if (it == wanted_by_.end()) return;
  const TaskState& task = tasks_[id];
  const auto& holds = it->second;
  for (std::size_t i = 0; i < holds.size(); ++i) {
    const ClientId client = holds[i].first;
    // A client with two holds on the key (an old future dying beside a new one) hears once.
    if (std::any_of(holds.begin(), holds.begin() + static_cast<std::ptrdiff_t>(i),
                    [client](const auto& h) { return h.first == client; })) {
      continue;
    }
    if (task.status == TaskStatus::memory) {
      notify(client, task.key, Notification::Kind::finished, task.attempt);
    } else if (task.status == TaskStatus::erred) {
      notify(client, task.key, Notification::Kind::failed, task.attempt, task.failure);
    }
  }
}

void Scheduler::notify(ClientId client, Key key, Notification::Kind kind, std::uint32_t epoch,
                       std::shared_ptr<const TaskFailure> failure) {
  if (clients_[client].expired()) return;
  notifications_.push_back(Notification{clients_[client], key, kind, std::move(failure), epoch});
}

void Scheduler::send(WorkerId worker, SchedulerToWorker&& message) {
  if (!alive(worker)) return;  // a lost worker hears nothing more
  auto& box = outbox_[worker];
  // Consecutive releases to one worker travel as one message.
  if (auto* release = std::get_if<ReleaseKeys>(&message); release && !box.empty()) {
    if (auto* last = std::get_if<ReleaseKeys>(&box.back())) {
      last->keys.insert(last->keys.end(), release->keys.begin(), release->keys.end());
      return;
    }
  }
  box.push_back(std::move(message));
}

void Scheduler::release_on_workers(TaskState& task) {
  for (WorkerId worker : task.who_has) send(worker, ReleaseKeys{{task.key}});
  task.who_has.clear();
}

TaskId Scheduler::find(Key key) const {
  auto it = index_.find(key);
  return it == index_.end() ? kNoTask : it->second;
}

TaskId Scheduler::find_reported(std::uint32_t ref, Key key) const {
  // Keys are never reused, so a slot holding the reported key is that task.
  if (ref < tasks_.size() && tasks_[ref].key == key && tasks_[ref].status != TaskStatus::forgotten) return ref;
  return find(key);
}

bool Scheduler::is_current_run(const TaskState& task, WorkerId worker, std::uint32_t attempt) const noexcept {
  return task.status == TaskStatus::processing && task.processing_on == worker && task.attempt == attempt;
}

bool Scheduler::holds_or_runs(const TaskState& task, WorkerId worker) const noexcept {
  if (task.status == TaskStatus::processing) return task.processing_on == worker;
  return std::find(task.who_has.begin(), task.who_has.end(), worker) != task.who_has.end();
}

bool Scheduler::needed(const TaskState& task) const noexcept { return task.wanted || task.active_dependents > 0; }

// ---- client operations ---------------------------------------------------------------

ClientId Scheduler::add_client(std::weak_ptr<ClientSink> sink) {
  assert_not_reentrant();
  return query([&] {
    clients_.push_back(std::move(sink));
    return static_cast<ClientId>(clients_.size() - 1);
  });
}

void Scheduler::remove_client(ClientId client) {
  run_exclusive([this, client] {
    clients_[client].reset();
    std::vector<std::pair<TaskId, std::uint64_t>> held;
    for (const auto& [id, holds] : wanted_by_) {
      for (const auto& [holder, token] : holds) {
        if (holder == client) held.emplace_back(id, token);
      }
    }
    for (const auto& [id, token] : held) unwant(client, token, id);
    process_releases();
  });
}

void Scheduler::release_keys(ClientId client, std::span<const Hold> holds) {
  run_exclusive([this, client, holds = std::vector<Hold>(holds.begin(), holds.end())] {
    for (const Hold& hold : holds) {
      const TaskId id = find(hold.key);
      if (id != kNoTask) unwant(client, hold.token, id);
    }
    process_releases();
    balance();
  });
}

void Scheduler::cancel_keys(std::span<const Key> keys) {
  assert_not_reentrant();
  run_exclusive([&] {
    // The keys and everything downstream of them.
    std::vector<TaskId> cancelled;
    std::unordered_set<TaskId> seen;
    for (Key key : keys) {
      const TaskId id = find(key);
      if (id != kNoTask && seen.insert(id).second) cancelled.push_back(id);
    }
    for (std::size_t i = 0; i < cancelled.size(); ++i) {
      for (TaskId dependent : tasks_[cancelled[i]].dependents) {
        if (seen.insert(dependent).second) cancelled.push_back(dependent);
      }
    }
    for (TaskId id : cancelled) {
      auto it = wanted_by_.find(id);
      if (it == wanted_by_.end()) continue;
      for (const auto& [client, token] : it->second) notify(client, tasks_[id].key, Notification::Kind::cancelled, 0);
      wanted_by_.erase(it);
      tasks_[id].wanted = false;
    }
    for (TaskId id : cancelled) {
      schedule_release(id);
    }
    process_releases();
    balance();
  });
}

void Scheduler::scatter(ClientId client, std::vector<std::pair<Key, Value>>&& data, std::span<const Hold> holds) {
  assert_not_reentrant();
  TESSERA_ASSERT(holds.size() == data.size(), "one hold per scattered value");
  run_exclusive([&] {
    TESSERA_EXPECTS(worker_kinds_ != 0, workers_.empty() ? "cannot scatter: the cluster has no workers"
                                                         : "cannot scatter: every worker of the cluster was lost");
    for (auto& [key, value] : data) {
      TESSERA_EXPECTS(!index_.contains(key), "cannot scatter to " + to_string(key) + ": the key already exists");
    }
    for (std::size_t i = 0; i < data.size(); ++i) {
      auto& [key, value] = data[i];
      // Round robin over the host workers (over all where there are none): scattered
      // values are host objects, mostly for host tasks.
      const bool host_workers = (worker_kinds_ & mask_of(DeviceKind::cpu)) != 0;
      WorkerId worker = static_cast<WorkerId>(scatter_cursor_++ % workers_.size());
      while (!alive(worker) || (host_workers && workers_[worker].kind != DeviceKind::cpu)) {
        worker = static_cast<WorkerId>(scatter_cursor_++ % workers_.size());
      }
      const TaskId id = allocate_slot();
      TaskState& task = tasks_[id];
      task.key = key;
      task.name = "scatter-" + std::to_string(key.id & 0xffffffffffULL);
      task.status = TaskStatus::memory;
      task.who_has.assign(1, worker);
      task.nbytes = value.nbytes();
      index_.emplace(key, id);
      want(client, holds[i].token, id);
      send(worker, StoreData{key, std::move(value)});
    }
  });
}

std::vector<std::vector<WorkerId>> Scheduler::who_has(std::span<const Key> keys) {
  assert_not_reentrant();
  return query([&] { return who_has_locked(keys); });
}

std::vector<std::vector<WorkerId>> Scheduler::who_has_locked(std::span<const Key> keys) const {
  std::vector<std::vector<WorkerId>> out;
  out.reserve(keys.size());
  for (Key key : keys) {
    const TaskId id = find(key);
    if (id == kNoTask || tasks_[id].status != TaskStatus::memory) {
      out.emplace_back();
    } else {
      out.emplace_back(tasks_[id].who_has.begin(), tasks_[id].who_has.end());
    }
  }
  return out;
}

SchedulerStats Scheduler::stats() {
  assert_not_reentrant();
  return query([&] { return stats_locked(); });
}

SchedulerStats Scheduler::stats_locked() const {
  SchedulerStats stats;
  std::size_t bytes = 0;
  for (const TaskState& task : tasks_) {
    switch (task.status) {
      case TaskStatus::released: ++stats.released; break;
      case TaskStatus::waiting: ++stats.waiting; break;
      case TaskStatus::queued: ++stats.queued; break;
      case TaskStatus::processing: ++stats.processing; break;
      case TaskStatus::memory: ++stats.memory; break;
      case TaskStatus::erred: ++stats.erred; break;
      case TaskStatus::forgotten: continue;
    }
    ++stats.tasks;
    // Heap blocks carry ~16 bytes of allocator overhead; hash nodes hold key, id, hash, next.
    constexpr std::size_t kBlock = 16, kIndexNode = 40;
    bytes += sizeof(TaskState) + kIndexNode;
    for (std::size_t heap : {task.dependencies.heap_bytes(), task.dependents.heap_bytes(), task.who_has.heap_bytes()}) {
      bytes += heap ? heap + kBlock : 0;
    }
    if (task.name.capacity() > 15) bytes += task.name.capacity() + 1 + kBlock;
  }
  stats.steals = steals_;
  stats.workers_lost = workers_lost_;
  stats.results_lost = results_lost_;
  stats.bytes_per_task = stats.tasks ? bytes / stats.tasks : 0;
  return stats;
}

}  // namespace tessera::runtime
