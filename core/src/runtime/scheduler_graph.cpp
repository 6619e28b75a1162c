// Scheduler: taking in a graph. The whole batch is validated before anything changes,
// new tasks get a static priority that finishes branches before opening new ones, and
// only what the wanted keys need is activated; the rest is forgotten at once.
#include <algorithm>
#include <unordered_map>

#include "scheduler.hpp"
#include "scheduler_state.hpp"
#include "tessera/core/error.hpp"

namespace tessera::runtime {
namespace {

// Priorities of new tasks while they are being ordered; real priorities never reach these.
constexpr std::uint64_t kUnvisited = ~std::uint64_t{0};
constexpr std::uint64_t kOnStack = kUnvisited - 1;

std::string quoted(const std::string& name) { return "'" + name + "'"; }

}  // namespace

void Scheduler::update_graph(ClientId client, std::vector<TaskSpec>&& tasks, std::span<const Key> wanted) {
  assert_not_reentrant();
  run_exclusive([&] {
    std::vector<char> is_new;
    validate_batch(tasks, wanted, is_new);
    // Keys already known are the same computation described again: keep the existing task.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      if (!is_new[i]) continue;
      if (kept != i) tasks[kept] = std::move(tasks[i]);  // self-move would empty the spec
      ++kept;
    }
    tasks.resize(kept);
    add_batch(client, std::move(tasks), wanted);
  });
}

void Scheduler::validate_batch(const std::vector<TaskSpec>& tasks, std::span<const Key> wanted,
                               std::vector<char>& is_new) const {
  TESSERA_EXPECTS(!workers_.empty(), "the cluster has no workers");
  std::unordered_map<Key, std::uint32_t> batch;  // key → position among the batch's tasks
  batch.reserve(tasks.size());
  is_new.assign(tasks.size(), 0);
  for (std::uint32_t i = 0; i < tasks.size(); ++i) {
    const TaskSpec& t = tasks[i];
    if (index_.contains(t.key)) continue;
    if (!batch.emplace(t.key, i).second) {
      throw ValueError("the graph holds two tasks with the same key (" + to_string(t.key) + ", task " + quoted(t.name) + ")");
    }
    is_new[i] = 1;
  }
  for (Key key : wanted) {
    if (!index_.contains(key) && !batch.contains(key)) {
      throw IndexError("cannot compute " + to_string(key) + ": it is neither in the graph nor known to the scheduler");
    }
  }
  // Dependencies must exist, be listed once, and (among new tasks) form no cycle.
  std::vector<std::uint32_t> pending(tasks.size(), 0);  // new dependencies not yet ordered
  std::vector<std::vector<std::uint32_t>> dependents_in_batch(tasks.size());
  for (std::uint32_t i = 0; i < tasks.size(); ++i) {
    if (!is_new[i]) continue;
    const TaskSpec& t = tasks[i];
    if (t.runner == nullptr) throw ValueError("task " + quoted(t.name) + " has no runner");
    for (std::size_t d = 0; d < t.dependencies.size(); ++d) {
      const Key dep = t.dependencies[d];
      if (std::find(t.dependencies.begin(), t.dependencies.begin() + static_cast<std::ptrdiff_t>(d), dep) !=
          t.dependencies.begin() + static_cast<std::ptrdiff_t>(d)) {
        throw ValueError("task " + quoted(t.name) + " lists the dependency " + to_string(dep) + " twice");
      }
      if (auto it = batch.find(dep); it != batch.end()) {
        ++pending[i];
        dependents_in_batch[it->second].push_back(i);
      } else if (!index_.contains(dep)) {
        throw ValueError("task " + quoted(t.name) + " depends on unknown " + to_string(dep));
      }
    }
  }
  // Kahn's algorithm: whatever cannot be ordered lies on or behind a cycle.
  std::vector<std::uint32_t> ready;
  for (std::uint32_t i = 0; i < tasks.size(); ++i) {
    if (is_new[i] && pending[i] == 0) ready.push_back(i);
  }
  std::size_t ordered = 0;
  while (!ready.empty()) {
    const std::uint32_t i = ready.back();
    ready.pop_back();
    ++ordered;
    for (std::uint32_t dependent : dependents_in_batch[i]) {
      if (--pending[dependent] == 0) ready.push_back(dependent);
    }
  }
  const auto n_new = static_cast<std::size_t>(std::count(is_new.begin(), is_new.end(), 1));
  if (ordered == n_new) return;
  // Walk unordered dependencies from an unordered task until one repeats: it is on a cycle.
  std::uint32_t at = 0;
  while (!is_new[at] || pending[at] == 0) ++at;
  std::vector<char> visited(tasks.size(), 0);
  while (!visited[at]) {
    visited[at] = 1;
    for (Key dep : tasks[at].dependencies) {
      auto it = batch.find(dep);
      if (it != batch.end() && pending[it->second] > 0) {
        at = it->second;
        break;
      }
    }
  }
  throw ValueError("the graph has a cycle through task " + quoted(tasks[at].name) + " (" + to_string(tasks[at].key) + ")");
}

void Scheduler::add_batch(ClientId client, std::vector<TaskSpec>&& specs, std::span<const Key> wanted) {
  std::vector<TaskId> ids;
  ids.reserve(specs.size());
  index_.reserve(index_.size() + specs.size());
  for (TaskSpec& spec : specs) {
    TaskId id;
    if (free_slots_.empty()) {
      id = static_cast<TaskId>(tasks_.size());
      tasks_.emplace_back();
    } else {
      id = free_slots_.back();
      free_slots_.pop_back();
    }
    TaskState& task = tasks_[id];
    task.key = spec.key;
    task.prefix = prefix_of(spec.name);
    task.name = std::move(spec.name);
    task.runner = std::move(spec.runner);
    task.status = TaskStatus::released;
    index_.emplace(task.key, id);
    ids.push_back(id);
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const TaskId id = ids[i];
    tasks_[id].dependencies.reserve(specs[i].dependencies.size());
    for (Key dep : specs[i].dependencies) {
      const TaskId dep_id = index_.at(dep);
      tasks_[id].dependencies.push_back(dep_id);
      tasks_[dep_id].dependents.push_back(id);
      ++tasks_[dep_id].live_dependents;
    }
  }
  assign_priorities(ids);
  for (Key key : wanted) want(client, index_.at(key));
  for (Key key : wanted) {
    const TaskId id = index_.at(key);
    activate(id);
    // Wanted keys already computed (or failed) are reported at once.
    if (tasks_[id].status == TaskStatus::memory || tasks_[id].status == TaskStatus::erred) notify_clients(id);
  }
  // Tasks no wanted key needs are culled: forget them now.
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    if (tasks_[*it].status == TaskStatus::released) forget_unreachable(*it);
  }
  process_releases();
}

void Scheduler::assign_priorities(std::span<const TaskId> new_tasks) {
  // Post-order depth-first traversal from the sinks: every task is ordered right after
  // the dependencies it still needs, so a branch is finished (and its inputs can be
  // released) before the next one starts, as dask.order aims to do.
  TESSERA_ASSERT(generation_ < (1ULL << 32), "too many graph submissions for the priority encoding");
  const std::uint64_t base = generation_++ << 32;
  for (TaskId id : new_tasks) tasks_[id].priority = kUnvisited;
  std::uint64_t next = 0;
  std::vector<std::pair<TaskId, std::uint32_t>> stack;  // task, next dependency to visit
  for (TaskId sink : new_tasks) {
    // Existing tasks never depend on new ones, so a new task without dependents is a sink.
    if (tasks_[sink].priority != kUnvisited || !tasks_[sink].dependents.empty()) continue;
    tasks_[sink].priority = kOnStack;
    stack.emplace_back(sink, 0);
    while (!stack.empty()) {
      auto& [id, cursor] = stack.back();
      TaskState& task = tasks_[id];
      if (cursor < task.dependencies.size()) {
        const TaskId dep = task.dependencies[cursor++];
        if (tasks_[dep].priority == kUnvisited) {  // new and not yet ordered
          tasks_[dep].priority = kOnStack;
          stack.emplace_back(dep, 0);
        }
        continue;
      }
      task.priority = base | next++;
      stack.pop_back();
    }
  }
  TESSERA_ASSERT(next == new_tasks.size(), "every new task is reachable from a sink of an acyclic graph");
}

void Scheduler::activate(TaskId root) {
  if (tasks_[root].status != TaskStatus::released) return;
  // Iterative post-order: released dependencies are activated before their dependents.
  std::vector<std::pair<TaskId, bool>> stack{{root, false}};
  while (!stack.empty()) {
    auto [id, expanded] = stack.back();
    if (tasks_[id].status != TaskStatus::released) {
      stack.pop_back();
      continue;
    }
    if (!expanded) {
      stack.back().second = true;
      for (TaskId dep : tasks_[id].dependencies) {
        if (tasks_[dep].status == TaskStatus::released) stack.emplace_back(dep, false);
      }
      continue;
    }
    stack.pop_back();
    TaskState& task = tasks_[id];
    if (task.runner == nullptr) {
      auto failure = std::make_shared<TaskFailure>();
      failure->key = task.key;
      failure->task_name = task.name;
      failure->exception_type = "tessera::Error";
      failure->message = "the scattered data of task '" + task.name + "' was released and cannot be recomputed";
      task.status = TaskStatus::waiting;  // so that err_with_dependents treats it as active
      err_with_dependents(id, failure);
      continue;
    }
    const auto erred_dep = std::find_if(task.dependencies.begin(), task.dependencies.end(),
                                        [&](TaskId d) { return tasks_[d].status == TaskStatus::erred; });
    if (erred_dep != task.dependencies.end()) {
      task.status = TaskStatus::erred;
      task.failure = tasks_[*erred_dep].failure;
      if (task.wanted) notify_clients(id);
      if (!task.in_release_worklist) {
        task.in_release_worklist = true;
        release_worklist_.push_back(id);  // forgotten once nothing refers to it
      }
      continue;
    }
    std::uint32_t missing = 0;
    for (TaskId dep : task.dependencies) {
      ++tasks_[dep].active_dependents;
      if (tasks_[dep].status != TaskStatus::memory) ++missing;
    }
    task.missing_dependencies = missing;
    task.status = TaskStatus::waiting;
    if (missing == 0) make_ready(id);
  }
}

std::uint32_t Scheduler::prefix_of(const std::string& name) {
  // "inc-17" → "inc"; "('sum-3f2a', 2, 5)" → "('sum"; good enough to group kinds of tasks.
  const std::string prefix = name.substr(0, name.find('-'));
  auto [it, inserted] = prefix_ids_.emplace(prefix, static_cast<std::uint32_t>(prefixes_.size()));
  if (inserted) prefixes_.emplace_back();
  return it->second;
}

}  // namespace tessera::runtime
