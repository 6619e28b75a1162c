#include "tessera/core/runtime/worker.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

#include "tessera/core/error.hpp"
#include "tessera/core/logging.hpp"

namespace tessera::runtime {
namespace {

// The worker whose executor thread this is, between tasks: work it queues for itself
// needs no wake-up. Cleared while user code runs (that code will not come back for work).
thread_local const Worker* current_worker = nullptr;
// The worker whose executor thread this is, always (for teardown decisions).
thread_local const Worker* executor_of = nullptr;

}  // namespace

Worker::Worker(WorkerId id, WorkerOptions options, Transport& transport)
    : id_(id),
      options_(std::move(options)),
      device_(options_.device ? options_.device : host_device()),
      home_(device_ == host_device() ? nullptr : device_.get()),
      transport_(transport),
      store_(options_.memory_limit, options_.spill_directory,
             options_.device_memory_limit > 0 ? options_.device_memory_limit : static_cast<std::size_t>(-1)) {
  TESSERA_EXPECTS(options_.threads > 0, "a worker needs at least one thread");
}

Worker::~Worker() { stop(); }

void Worker::start() {
  std::lock_guard lock(mutex_);
  TESSERA_ASSERT(threads_.empty(), "worker started twice");
  for (std::size_t i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { executor_loop(i); });
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_epoch_.fetch_add(1, std::memory_order_release);  // ends any spin
  work_available_.notify_all();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

// ---- from the scheduler --------------------------------------------------------------

void Worker::handle(std::vector<SchedulerToWorker>&& batch) {
  retire_if_device_lost();  // work sent to a card another worker broke goes elsewhere at once
  std::vector<WorkerToScheduler> replies;
  bool over_limits = false;  // the store's, after storing scattered data
  {
    std::lock_guard lock(mutex_);
    std::size_t new_work = 0;
    for (auto& message : batch) {
      // A retired worker takes no work: the scheduler, once it hears of the loss, takes
      // back whatever it sent meanwhile.
      if (lost_.load(std::memory_order_relaxed) && !std::holds_alternative<ReleaseKeys>(message)) continue;
      if (auto* compute = std::get_if<ComputeTask>(&message)) {
        new_work += accept_task(std::move(*compute));
      } else if (auto* release = std::get_if<ReleaseKeys>(&message)) {
        for (Key key : release->keys) release_key(key);
      } else if (auto* data = std::get_if<StoreData>(&message)) {
        over_limits = store_.put_without_spilling(data->key, std::move(data->value)) || over_limits;
      } else if (auto* steal_request = std::get_if<StealRequest>(&message)) {
        replies.emplace_back(StealResponse{steal_request->key, steal_request->attempt, steal(*steal_request)});
      }
    }
    wake_for(new_work);
  }
  // Outside the worker's lock: moving values off the device or to disk takes a while.
  if (over_limits) store_.spill_to_limits();
  if (!replies.empty()) transport_.send_to_scheduler(id_, std::move(replies));
}

std::size_t Worker::accept_task(ComputeTask&& message) {
  auto [it, inserted] = tasks_.try_emplace(message.key);
  Task& task = it->second;
  if (!inserted) {
    // Sent again after a release while still running: keep its result after all, and
    // report it as the run the scheduler now waits for.
    task.released = false;
    task.spec.attempt = message.attempt;
    task.spec.scheduler_ref = message.scheduler_ref;
    return 0;
  }
  task.spec = std::move(message);
  task.serial = ++next_serial_;
  std::unordered_map<WorkerId, std::vector<Key>> to_fetch;
  for (const RemoteDependency& dep : task.spec.remote) {
    if (store_.contains(dep.key)) continue;  // fetched earlier for another task
    ++task.missing;
    waiting_for_[dep.key].emplace_back(task.spec.key, task.serial);
    if (in_flight_.insert(dep.key).second) {
      TESSERA_ASSERT(!dep.who_has.empty(), "the scheduler sent a dependency that no worker holds");
      to_fetch[dep.who_has.front()].push_back(dep.key);
    }
  }
  for (auto& [peer, keys] : to_fetch) fetch_jobs_.push_back(FetchJob{peer, std::move(keys)});
  if (task.missing > 0) {
    task.state = State::fetching;
    return to_fetch.size();
  }
  task.state = State::ready;
  ready_.push(ReadyEntry{task.spec.priority, task.serial, task.spec.key});
  return 1;
}

void Worker::release_key(Key key) {
  if (auto it = tasks_.find(key); it != tasks_.end()) {
    if (it->second.state == State::executing) {
      // Its result will not be stored (execute checks under this lock). Messages from the
      // scheduler arrive in order, so the release also means any copy held now must go.
      it->second.released = true;
    } else {
      tasks_.erase(it);  // its entry in ready_ becomes stale
    }
  }
  store_.erase(key);
}

bool Worker::steal(const StealRequest& request) {
  auto it = tasks_.find(request.key);
  if (it == tasks_.end() || it->second.state == State::executing || it->second.spec.attempt != request.attempt) {
    return false;
  }
  tasks_.erase(it);
  return true;
}

void Worker::wake_for(std::size_t new_work) {
  if (new_work == 0) return;
  work_epoch_.fetch_add(1, std::memory_order_release);  // for threads spinning in wait_briefly
  // An executor thread of ours that queued work itself picks one item up when it loops.
  if (current_worker == this) --new_work;
  for (std::size_t i = 0; i < std::min(new_work, idle_threads_); ++i) work_available_.notify_one();
}

// ---- executor ------------------------------------------------------------------------

void Worker::executor_loop(std::size_t lane) {
  current_worker = this;
  executor_of = this;
  try {
    device_->bind_current_thread(lane);
  } catch (const std::exception& e) {
    // The thread still serves its tasks: each will fail with the device's own error.
    TESSERA_LOG(error) << "worker " << id_ << ": could not use " << device_->name() << " (" << e.what() << ")";
  }
  std::unique_lock lock(mutex_);
  bool may_spin = true;
  for (;;) {
    if (stopping_) return;
    if (!fetch_jobs_.empty()) {
      FetchJob job = std::move(fetch_jobs_.front());
      fetch_jobs_.pop_front();
      lock.unlock();
      run_fetch(std::move(job));
      lock.lock();
      may_spin = true;
      continue;
    }
    if (Task* task = pop_ready()) {
      lock.unlock();
      execute(*task, lane);
      lock.lock();
      may_spin = true;
      continue;
    }
    if (may_spin) {
      // Work often follows within microseconds (the next task of a graph); waiting for
      // it briefly avoids a sleep and a wake-up that cost more than the task itself.
      may_spin = false;
      const std::uint64_t epoch = work_epoch_.load(std::memory_order_acquire);
      lock.unlock();
      wait_briefly(epoch);
      lock.lock();
      continue;
    }
    ++idle_threads_;
    work_available_.wait(lock);
    --idle_threads_;
    may_spin = true;
  }
}

void Worker::wait_briefly(std::uint64_t epoch) const {
  constexpr auto kSpin = std::chrono::microseconds(20);
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (unsigned i = 1;; ++i) {
    if (work_epoch_.load(std::memory_order_acquire) != epoch) return;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
    if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline) return;
  }
}

Worker::Task* Worker::pop_ready() {
  while (!ready_.empty()) {
    const ReadyEntry entry = ready_.top();
    ready_.pop();
    auto it = tasks_.find(entry.key);
    if (it == tasks_.end() || it->second.serial != entry.serial || it->second.state != State::ready) continue;
    it->second.state = State::executing;
    return &it->second;  // nodes of an unordered_map stay put; executing entries are not erased
  }
  return nullptr;
}

std::optional<Value> Worker::moved_here(Key key, const Value& value) {
  if (value.location() == home_) return std::nullopt;
  Value moved = value.relocated_to(*device_);
  if (moved.location() == value.location()) return std::nullopt;  // a type that stays on the host
  if (home_ == nullptr && value.location() != nullptr) note_host_fallback(*value.location());
  values_moved_.fetch_add(1, std::memory_order_relaxed);
  bytes_moved_.fetch_add(value.nbytes(), std::memory_order_relaxed);
  TESSERA_LOG(debug) << "worker " << id_ << " (" << device_->name() << "): moved " << to_string(key) << " ("
                     << value.nbytes() << " bytes) from "
                     << (value.location() ? value.location()->name() : std::string("host memory"));
  return moved;
}

void Worker::note_host_fallback(const Device& from) {
  {
    std::lock_guard lock(fallback_mutex_);
    if (!fallback_sources_.insert(&from).second) return;
  }
  TESSERA_LOG(info) << "worker " << id_ << " (" << device_->name() << ") copies values off " << from.name()
                    << " for tasks without device code (each move is counted in worker_stats().values_moved, "
                    << "and logged at debug level)";
}

void Worker::execute(Task& task, std::size_t lane) {
  const ComputeTask& spec = task.spec;
  std::shared_ptr<const TaskFailure> failure;
  Value result;
  const auto start = std::chrono::steady_clock::now();
  // Outlives the try: a failed task's kernels may still read the inputs until the lane is
  // synchronized below, and if another thread dropped the store's reference meanwhile, the
  // last one must not go (freeing the memory outside the lane's order) before then.
  std::vector<Value> inputs;
  try {
    inputs.reserve(spec.dependencies.size());
    for (Key dep : spec.dependencies) {
      std::optional<Value> value = store_.get(dep);
      if (!value) throw Error("input " + to_string(dep) + " is missing on worker " + std::to_string(id_));
      // Scattered data and values spilled off the device come back here for the task,
      // and stay here for the next one.
      if (std::optional<Value> local = moved_here(dep, *value)) {
        store_.replace(dep, *local);
        value = std::move(local);
      }
      inputs.push_back(std::move(*value));
    }
    // User code may submit work to this very worker and wait for it; while it runs, this
    // thread will not loop back to pick work up, so work it queues must wake another.
    struct NotPickingUpWork {
      explicit NotPickingUpWork(const Worker* w) : owner(w) { current_worker = nullptr; }
      ~NotPickingUpWork() { current_worker = owner; }
      NotPickingUpWork(const NotPickingUpWork&) = delete;
      NotPickingUpWork& operator=(const NotPickingUpWork&) = delete;
      const Worker* owner;
    } not_picking_up(this);
    // Task code may have made another GPU current (a library it calls): each device task
    // starts on its own.
    if (home_ != nullptr) device_->bind_current_thread(lane);
    result = spec.runner->run_on(inputs, ExecutionContext{*device_, lane});
    // The result is complete (and device errors surface) before anyone reads it.
    if (home_ != nullptr) device_->synchronize(lane);
  } catch (...) {
    failure = failure_from_current_exception(spec.key);
    if (home_ != nullptr) {
      // Work the failed task queued may still be running: it ends here, so that its error
      // is not blamed on the next task, nor its inputs freed under it.
      try {
        device_->synchronize(lane);
      } catch (const std::exception& e) {
        TESSERA_LOG(debug) << "worker " << id_ << ": after a failed task, " << e.what();
      }
    }
  }
  // Both paths have synchronized the lane: the inputs may go now, before the report (a
  // value holding a Client must not outlive it, see below).
  inputs.clear();
  // A lost device fails every task from then on, and the task that broke it cannot be told
  // from those that only saw it break: none of them fails here. The worker retires and
  // the scheduler sends them elsewhere (failing one that breaks too many workers).
  const std::string device_lost = failure && home_ != nullptr ? device_->lost_reason() : std::string();
  const double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Key key = spec.key;
  std::uint32_t ref = 0;
  std::uint32_t attempt = 0;

  decltype(tasks_)::node_type finished;  // destroyed after unlocking: a runner may hold futures
  bool released;
  bool over_limits = false;  // the store's, after storing the result
  {
    std::lock_guard lock(mutex_);
    ref = spec.scheduler_ref;  // read under the lock: a re-send while running updates them
    attempt = spec.attempt;
    // Checked and stored under one lock: a release that arrives later finds the value in
    // place and erases it; a run released meanwhile stores nothing, so it cannot clobber
    // (or erase) a copy of the key this worker fetched for another task.
    released = task.released || !device_lost.empty();
    over_limits = !released && !failure && store_.put_without_spilling(key, result);
    finished = tasks_.extract(key);
    ++tasks_executed_;
  }
  if (over_limits) store_.spill_to_limits();  // outside the worker's lock
  // Let go of the runner before reporting: once the client hears of the result it may
  // drop everything, and a runner holding a Client must not be the last handle left.
  finished = decltype(finished){};
  if (!device_lost.empty()) retire(device_lost, key);
  if (released) return;
  if (failure) {
    report(TaskFailed{key, ref, attempt, std::move(failure), duration});
  } else {
    report(TaskFinished{key, ref, attempt, result.nbytes(), duration});
  }
}

void Worker::run_fetch(FetchJob job) {
  std::vector<std::optional<Value>> values;
  std::string problem;  // why the peer's values could not be had
  try {
    values = transport_.fetch(job.peer, job.keys);
  } catch (const std::exception& e) {
    problem = e.what();
  }
  values.resize(job.keys.size());

  // A value the peer no longer has (or whose device was lost) is the scheduler's to find
  // elsewhere; one that cannot be copied to this worker's device fails the tasks needing it.
  std::vector<std::string> local_failure(job.keys.size());
  KeysAcquired acquired;
  for (std::size_t i = 0; i < job.keys.size(); ++i) {
    if (!values[i]) continue;
    try {
      if (std::optional<Value> local = moved_here(job.keys[i], *values[i])) values[i] = std::move(local);
    } catch (const std::exception& e) {
      values[i].reset();
      if (std::string lost = device_->lost_reason(); !lost.empty()) {
        retire(lost);
        return;
      }
      if (dynamic_cast<const DeviceLost*>(&e) != nullptr) {
        problem = e.what();
      } else {  // out of device memory, mostly
        local_failure[i] = std::string("could not copy it to ") + device_->name() + ": " + e.what();
      }
      continue;
    }
    store_.put(job.keys[i], std::move(*values[i]));
    acquired.keys.push_back(job.keys[i]);
  }
  if (lost()) {
    // Retired while these were copied: its store must stay empty (retire() set the flag
    // before clearing the store, so a put after the clear is seen here).
    for (Key key : acquired.keys) store_.erase(key);
    return;
  }
  if (problem.empty()) problem = "the peer does not hold it";
  std::vector<decltype(tasks_)::node_type> dropped_tasks;  // destroyed after unlocking
  // Tell the scheduler before any task using the copies can finish, so it knows to
  // release them here too.
  std::vector<WorkerToScheduler> messages;
  if (!acquired.keys.empty()) messages.emplace_back(std::move(acquired));
  {
    std::lock_guard lock(mutex_);
    if (lost_.load(std::memory_order_relaxed)) return;  // retired meanwhile: nothing is owed
    std::size_t new_work = 0;
    for (std::size_t i = 0; i < job.keys.size(); ++i) {
      const Key key = job.keys[i];
      if (!values[i] && local_failure[i].empty() && retry_fetch_elsewhere(key, job.peer)) continue;  // in flight
      in_flight_.erase(key);
      fetch_tried_.erase(key);
      auto waiting = waiting_for_.extract(key);
      if (waiting.empty()) continue;
      if (values[i]) ++values_fetched_;
      for (const auto& [task_key, serial] : waiting.mapped()) {
        auto it = tasks_.find(task_key);
        // Skip tasks released or stolen meanwhile, and stale entries of ones sent back since.
        if (it == tasks_.end() || it->second.serial != serial || it->second.state != State::fetching) continue;
        const ComputeTask& spec = it->second.spec;
        if (!local_failure[i].empty()) {
          auto failure = std::make_shared<TaskFailure>();
          failure->key = task_key;
          failure->exception_type = "tessera::Error";
          failure->message = "could not fetch input " + to_string(key) + " from worker " + std::to_string(job.peer) +
                             ": " + local_failure[i];
          messages.emplace_back(TaskFailed{task_key, spec.scheduler_ref, spec.attempt, std::move(failure), 0.0});
          dropped_tasks.push_back(tasks_.extract(it));
        } else if (!values[i]) {
          messages.emplace_back(MissingData{task_key, spec.scheduler_ref, spec.attempt, key, job.peer, problem});
          dropped_tasks.push_back(tasks_.extract(it));
        } else if (--it->second.missing == 0) {
          it->second.state = State::ready;
          ready_.push(ReadyEntry{it->second.spec.priority, it->second.serial, task_key});
          ++new_work;
        }
      }
    }
    wake_for(new_work);
  }
  if (!messages.empty()) transport_.send_to_scheduler(id_, std::move(messages));
}

bool Worker::retry_fetch_elsewhere(Key key, WorkerId failed_peer) {
  // The peer no longer holds the key (it was released there and recomputed elsewhere
  // while this fetch waited): try the other holders that the waiting tasks were told of.
  std::vector<WorkerId>& tried = fetch_tried_[key];
  tried.push_back(failed_peer);
  auto waiting = waiting_for_.find(key);
  if (waiting == waiting_for_.end()) return false;
  for (const auto& [task_key, serial] : waiting->second) {
    auto it = tasks_.find(task_key);
    if (it == tasks_.end() || it->second.serial != serial) continue;
    for (const RemoteDependency& dep : it->second.spec.remote) {
      if (dep.key != key) continue;
      for (WorkerId holder : dep.who_has) {
        if (std::find(tried.begin(), tried.end(), holder) != tried.end()) continue;
        fetch_jobs_.push_back(FetchJob{holder, {key}});
        wake_for(1);
        return true;
      }
    }
  }
  return false;
}

bool Worker::retire_if_device_lost() {
  if (home_ == nullptr || lost()) return lost();
  std::string reason = device_->lost_reason();
  if (reason.empty()) return false;
  retire(reason);
  return true;
}

void Worker::retire(const std::string& reason, std::optional<Key> failed) {
  std::vector<decltype(tasks_)::node_type> dropped;  // destroyed after unlocking: runners may hold futures
  WorkerLost message{reason, std::vector<Key>{}};
  if (failed) message.running->push_back(*failed);
  {
    std::lock_guard lock(mutex_);
    if (lost_.load(std::memory_order_relaxed)) return;
    lost_reason_ = reason;
    lost_.store(true, std::memory_order_release);
    for (auto it = tasks_.begin(); it != tasks_.end();) {
      if (it->second.state == State::executing) {
        it->second.released = true;  // it ends without storing or reporting anything
        message.running->push_back(it->first);
        ++it;
      } else {
        dropped.push_back(tasks_.extract(it++));
      }
    }
    ready_ = {};
    fetch_jobs_.clear();
    waiting_for_.clear();
    in_flight_.clear();
    fetch_tried_.clear();
  }
  store_.clear();  // its values are on a device that cannot be read
  TESSERA_LOG(error) << "worker " << id_ << " (" << device_->name() << ") retires: " << reason;
  report(std::move(message));
}

void Worker::report(WorkerToScheduler&& message) {
  std::vector<WorkerToScheduler> batch;
  batch.push_back(std::move(message));
  transport_.send_to_scheduler(id_, std::move(batch));
}

std::vector<std::optional<Value>> Worker::serve_data(std::span<const Key> keys) {
  std::vector<std::optional<Value>> values;
  values.reserve(keys.size());
  const bool retired = retire_if_device_lost();
  for (Key key : keys) values.push_back(retired ? std::nullopt : store_.get(key));
  return values;
}

bool Worker::is_current_thread() const noexcept { return executor_of == this; }

WorkerStats Worker::stats() const {
  WorkerStats stats;
  {
    std::lock_guard lock(mutex_);
    stats.tasks_executed = tasks_executed_;
    stats.tasks_held = tasks_.size();
    stats.values_fetched = values_fetched_;
    stats.lost_reason = lost_reason_;
  }
  stats.values_moved = values_moved_.load(std::memory_order_relaxed);
  stats.bytes_moved = bytes_moved_.load(std::memory_order_relaxed);
  stats.store = store_.stats();
  return stats;
}

}  // namespace tessera::runtime
