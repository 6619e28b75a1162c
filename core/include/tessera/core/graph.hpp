// Graph: a task graph built ahead of running it, as the array layer and users of
// `delayed` build one, then handed whole to Client::compute. Tasks refer to each other
// through TaskRef<T>; existing futures can be inputs too.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tessera/core/detail/bound_call.hpp"
#include "tessera/core/future.hpp"
#include "tessera/core/task.hpp"

namespace tessera {

/// A typed reference to the result of a task in a Graph.
template <class T>
class TaskRef {
 public:
  using value_type = T;
  explicit TaskRef(Key key) : key_(key) {}
  Key key() const noexcept { return key_; }

 private:
  Key key_;
};

class Graph {
 public:
  /// Adds a task calling `fn(args...)`, where TaskRef and Future arguments are replaced
  /// by their values (as `const T&`). `name` is the readable name of the task's key.
  template <class F, class... Args>
  auto add(std::string name, F&& fn, Args&&... args) -> TaskRef<detail::bound_result_t<F, Args...>> {
    detail::BoundCall call = detail::bind_call(std::forward<F>(fn), std::forward<Args>(args)...);
    Key key = Key::unique();
    tasks_.push_back(TaskSpec{key, std::move(name), std::move(call.dependencies), std::move(call.runner)});
    for (auto& f : call.futures) external_.push_back(std::move(f));
    return TaskRef<detail::bound_result_t<F, Args...>>(key);
  }

  /// Adds a task whose result is `value`.
  template <class T>
  TaskRef<std::decay_t<T>> literal(std::string name, T&& value) {
    Key key = Key::unique();
    tasks_.push_back(TaskSpec{key, std::move(name), {}, std::make_shared<LiteralRunner>(Value::make(std::forward<T>(value)))});
    return TaskRef<std::decay_t<T>>(key);
  }

  /// Adds a task described by hand (the array layer's entry point). The spec is
  /// validated when the graph is computed.
  Key add_task(TaskSpec spec) {
    Key key = spec.key;
    tasks_.push_back(std::move(spec));
    return key;
  }

  std::size_t size() const noexcept { return tasks_.size(); }
  /// Whether some task reads a Future (a result computed outside this graph).
  bool has_external_inputs() const noexcept { return !external_.empty(); }
  const std::vector<TaskSpec>& tasks() const noexcept { return tasks_; }
  void reserve(std::size_t n) { tasks_.reserve(n); }

 private:
  friend class Client;
  std::vector<TaskSpec> tasks_;
  std::vector<std::shared_ptr<detail::FutureState>> external_;  // futures used as inputs
};

}  // namespace tessera
