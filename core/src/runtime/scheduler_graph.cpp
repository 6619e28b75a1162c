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

// A validated batch: which specs are new, and every new spec's dependencies resolved
// once, so that insertion needs no further lookups by key.
struct Scheduler::BatchPlan {
  std::vector<char> is_new;
  std::vector<std::uint32_t> first_dependency;  // per spec: offset into `dependencies`, plus an end marker
  // A dependency is an existing task (its TaskId) or a new one (kNewBit | its position in the batch).
  std::vector<std::uint64_t> dependencies;
  static constexpr std::uint64_t kNewBit = 1ULL << 63;
};

void Scheduler::update_graph(ClientId client, std::vector<TaskSpec>&& tasks, std::span<const Hold> wanted) {
  assert_not_reentrant();
  run_exclusive([&] {
    BatchPlan plan;
    validate_batch(tasks, wanted, plan);
    add_batch(client, std::move(tasks), wanted, plan);
  });
}

void Scheduler::validate_batch(const std::vector<TaskSpec>& tasks, std::span<const Hold> wanted, BatchPlan& plan) const {
  TESSERA_EXPECTS(!workers_.empty(), "the cluster has no workers");
  TESSERA_EXPECTS(worker_kinds_ != 0, "every worker of the cluster was lost");
  const std::size_t n = tasks.size();
  std::unordered_map<Key, std::uint32_t> batch;  // key → position of a new task in the batch
  batch.reserve(n);
  plan.is_new.assign(n, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const TaskSpec& t = tasks[i];
    // Keys already known are the same computation described again: the existing task stays.
    if (index_.contains(t.key)) continue;
    if (!batch.emplace(t.key, i).second) {
      throw ValueError("the graph holds two tasks with the same key (" + to_string(t.key) + ", task " + quoted(t.name) + ")");
    }
    plan.is_new[i] = 1;
  }
  for (const Hold& hold : wanted) {
    if (!index_.contains(hold.key) && !batch.contains(hold.key)) {
      throw IndexError("cannot compute " + to_string(hold.key) + ": it is neither in the graph nor known to the scheduler");
    }
  }
  plan.first_dependency.assign(n + 1, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    plan.first_dependency[i] = static_cast<std::uint32_t>(plan.dependencies.size());
    if (!plan.is_new[i]) continue;
    const TaskSpec& t = tasks[i];
    if (t.runner == nullptr) throw ValueError("task " + quoted(t.name) + " has no runner");
    if ((t.runner->placement().can_run & worker_kinds_) == 0) {
      throw ValueError("task " + quoted(t.name) + " cannot run on any worker of this cluster: it needs a device of a "
                       "kind the cluster has no worker on");
    }
    for (std::size_t d = 0; d < t.dependencies.size(); ++d) {
      const Key dep = t.dependencies[d];
      const auto listed_before = t.dependencies.begin() + static_cast<std::ptrdiff_t>(d);
      if (std::find(t.dependencies.begin(), listed_before, dep) != listed_before) {
        throw ValueError("task " + quoted(t.name) + " lists the dependency " + to_string(dep) + " twice");
      }
      if (auto it = batch.find(dep); it != batch.end()) {
        plan.dependencies.push_back(BatchPlan::kNewBit | it->second);
      } else if (auto existing = index_.find(dep); existing != index_.end()) {
        plan.dependencies.push_back(existing->second);
      } else {
        throw ValueError("task " + quoted(t.name) + " depends on unknown " + to_string(dep));
      }
    }
  }
  plan.first_dependency[n] = static_cast<std::uint32_t>(plan.dependencies.size());

  // Cycles can only run through new tasks (existing ones never depend on new keys):
  // an iterative depth-first search that meets a task still on its path found one.
  enum : char { kUnseen = 0, kOnPath = 1, kDone = 2 };
  std::vector<char> color(n, kUnseen);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> stack;  // position, next dependency offset
  for (std::uint32_t root = 0; root < n; ++root) {
    if (!plan.is_new[root] || color[root] != kUnseen) continue;
    color[root] = kOnPath;
    stack.emplace_back(root, plan.first_dependency[root]);
    while (!stack.empty()) {
      auto& [at, cursor] = stack.back();
      if (cursor == plan.first_dependency[at + 1]) {
        color[at] = kDone;
        stack.pop_back();
        continue;
      }
      const std::uint64_t dep = plan.dependencies[cursor++];
      if (!(dep & BatchPlan::kNewBit)) continue;
      const auto position = static_cast<std::uint32_t>(dep & ~BatchPlan::kNewBit);
      if (color[position] == kOnPath) {
        throw ValueError("the graph has a cycle through task " + quoted(tasks[position].name) + " (" +
                         to_string(tasks[position].key) + ")");
      }
      if (color[position] == kUnseen) {
        color[position] = kOnPath;
        stack.emplace_back(position, plan.first_dependency[position]);
      }
    }
  }
}

void Scheduler::add_batch(ClientId client, std::vector<TaskSpec>&& specs, std::span<const Hold> wanted,
                          const BatchPlan& plan) {
  const std::size_t n = specs.size();
  std::vector<TaskId> ids(n, kNoTask);  // by batch position, for new tasks
  std::vector<TaskId> new_ids;
  new_ids.reserve(n);
  tasks_.reserve(tasks_.size() + n);
  index_.reserve(index_.size() + n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!plan.is_new[i]) continue;
    TaskSpec& spec = specs[i];
    const TaskId id = allocate_slot();
    TaskState& task = tasks_[id];
    task.key = spec.key;
    task.prefix = prefix_of(spec.name);
    task.name = std::move(spec.name);
    task.runner = std::move(spec.runner);
    const Placement placement = task.runner->placement();
    task.target = target_kind(placement);
    task.home = worker_on(placement.device, task.target);
    task.status = TaskStatus::released;
    index_.emplace(task.key, id);
    ids[i] = id;
    new_ids.push_back(id);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!plan.is_new[i]) continue;
    TaskState& task = tasks_[ids[i]];
    task.dependencies.reserve(plan.first_dependency[i + 1] - plan.first_dependency[i]);
    for (std::uint32_t d = plan.first_dependency[i]; d < plan.first_dependency[i + 1]; ++d) {
      const std::uint64_t dep = plan.dependencies[d];
      const TaskId dep_id = (dep & BatchPlan::kNewBit) ? ids[dep & ~BatchPlan::kNewBit] : static_cast<TaskId>(dep);
      task.dependencies.push_back(dep_id);
      tasks_[dep_id].dependents.push_back(ids[i]);
      ++tasks_[dep_id].live_dependents;
    }
  }
  assign_priorities(new_ids);
  for (const Hold& hold : wanted) want(client, hold.token, index_.at(hold.key));
  for (const Hold& hold : wanted) {
    const TaskId id = index_.at(hold.key);
    activate(id);
    // Wanted keys already computed (or failed) are reported at once.
    if (tasks_[id].status == TaskStatus::memory || tasks_[id].status == TaskStatus::erred) notify_clients(id);
  }
  // Tasks no wanted key needs are culled: forget them now.
  for (auto it = new_ids.rbegin(); it != new_ids.rend(); ++it) {
    if (tasks_[*it].status == TaskStatus::released) forget_unreachable(*it);
  }
  process_releases();
  balance();
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
      schedule_release(id);  // forgotten once nothing refers to it
      // A result lost with its worker is activated again while its dependents wait for
      // it: they fail with it instead of waiting forever.
      for (TaskId dependent : tasks_[id].dependents) {
        const TaskStatus status = tasks_[dependent].status;
        if (status == TaskStatus::waiting || status == TaskStatus::queued) err_with_dependents(dependent, tasks_[id].failure);
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

std::uint32_t Scheduler::prefix_of(std::string_view name) {
  // "inc-17" → "inc"; "('sum-3f2a', 2, 5)" → "('sum"; good enough to group kinds of tasks.
  const std::string_view prefix = name.substr(0, name.find('-'));
  auto it = prefix_ids_.find(prefix);  // transparent lookup: no string is built per task
  if (it != prefix_ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(prefixes_.size());
  prefix_ids_.emplace(std::string(prefix), id);
  prefixes_.emplace_back();
  return id;
}

}  // namespace tessera::runtime
