#include "tessera/core/inline_run.hpp"

#include <unordered_map>

#include "tessera/core/error.hpp"
#include "tessera/core/task.hpp"

namespace tessera {

namespace {

struct InlineTask {
  const TaskSpec* spec = nullptr;
  enum class State { unvisited, visiting, done } state = State::unvisited;
  Value value = {};
};

}  // namespace

bool can_run_inline(const Graph& graph, std::span<const Key> outputs, std::size_t max_tasks) {
  if (graph.size() > max_tasks || graph.has_external_inputs()) return false;
  std::unordered_map<Key, bool> present;
  for (const TaskSpec& spec : graph.tasks()) present.emplace(spec.key, true);
  for (const TaskSpec& spec : graph.tasks()) {
    for (Key dependency : spec.dependencies) {
      if (!present.contains(dependency)) return false;
    }
  }
  for (Key output : outputs) {
    if (!present.contains(output)) return false;  // e.g. a persisted chunk, held by a worker
  }
  return true;
}

std::vector<Value> run_inline(const Graph& graph, std::span<const Key> outputs) {
  std::unordered_map<Key, InlineTask> tasks;
  tasks.reserve(graph.size());
  for (const TaskSpec& spec : graph.tasks()) tasks[spec.key].spec = &spec;
  auto find = [&](Key key) -> InlineTask& {
    auto it = tasks.find(key);
    if (it == tasks.end()) throw ValueError("run_inline: the graph has no task " + to_string(key));
    return it->second;
  };
  // Depth-first, dependencies before dependents; the stack holds (task, expanded).
  std::vector<std::pair<InlineTask*, bool>> stack;
  std::vector<Value> inputs;
  for (Key output : outputs) {
    stack.emplace_back(&find(output), false);
    while (!stack.empty()) {
      auto [task, expanded] = stack.back();
      stack.pop_back();
      if (task->state == InlineTask::State::done) continue;
      if (!expanded) {
        if (task->state == InlineTask::State::visiting) throw ValueError("run_inline: the graph has a cycle");
        task->state = InlineTask::State::visiting;
        stack.emplace_back(task, true);
        for (Key dependency : task->spec->dependencies) {
          InlineTask& input = find(dependency);
          if (input.state == InlineTask::State::visiting) throw ValueError("run_inline: the graph has a cycle");
          if (input.state == InlineTask::State::unvisited) stack.emplace_back(&input, false);
        }
        continue;
      }
      inputs.clear();
      for (Key dependency : task->spec->dependencies) inputs.push_back(find(dependency).value);
      try {
        task->value = task->spec->runner->run(inputs);
      } catch (...) {
        auto failure = failure_from_current_exception(task->spec->key, task->spec->name);
        throw_task_error(*failure, task->spec->key, task->spec->name);
      }
      task->state = InlineTask::State::done;
    }
  }
  std::vector<Value> values;
  values.reserve(outputs.size());
  for (Key output : outputs) values.push_back(find(output).value);
  return values;
}

}  // namespace tessera
