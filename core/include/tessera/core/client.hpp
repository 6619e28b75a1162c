// Client: the user's entry point to the runtime, in the spirit of dask.distributed's
// Client. Submit functions, map them over inputs, compute whole graphs, scatter data,
// and wait for, gather or cancel the futures that come back.
#pragma once

#include <cstddef>
#include <memory>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tessera/core/detail/bound_call.hpp"
#include "tessera/core/future.hpp"
#include "tessera/core/graph.hpp"
#include "tessera/core/local_cluster.hpp"

namespace tessera {

/// Per-call options of submit and map.
struct TaskOptions {
  /// Prefix of the readable key names ("inc" gives "inc-0", "inc-1", ...).
  std::string name = "task";
};

class Client {
 public:
  /// A client of a new default LocalCluster (one CPU worker, a thread per core).
  Client();
  /// A client of an existing cluster; several clients may share one.
  explicit Client(const LocalCluster& cluster);

  /// Runs `fn(args...)` on a worker. Future arguments become dependencies: the task runs
  /// once they are computed and receives their values as `const T&`.
  ///     auto a = client.submit([](int x) { return x + 1; }, 1);
  ///     auto b = client.submit([](int x, int y) { return x * y; }, a, 10);  // b.result() == 20
  template <class F, class... Args>
  auto submit(F&& fn, Args&&... args) -> Future<detail::bound_result_t<F, Args...>> {
    return submit(TaskOptions{}, std::forward<F>(fn), std::forward<Args>(args)...);
  }

  template <class F, class... Args>
  auto submit(const TaskOptions& options, F&& fn, Args&&... args) -> Future<detail::bound_result_t<F, Args...>> {
    std::vector<detail::BoundCall> calls;
    calls.push_back(detail::bind_call(std::forward<F>(fn), std::forward<Args>(args)...));
    return Future<detail::bound_result_t<F, Args...>>(std::move(submit_calls(options.name, std::move(calls)).front()));
  }

  /// Submits `fn(item)` for every item (values or futures), as one batch.
  template <class F, std::ranges::input_range Range>
  auto map(F&& fn, const Range& items, const TaskOptions& options = {})
      -> std::vector<Future<detail::bound_result_t<F, std::ranges::range_value_t<Range>>>> {
    using R = detail::bound_result_t<F, std::ranges::range_value_t<Range>>;
    std::vector<detail::BoundCall> calls;
    if constexpr (std::ranges::sized_range<Range>) calls.reserve(std::ranges::size(items));
    for (const auto& item : items) calls.push_back(detail::bind_call(fn, item));
    return typed<R>(submit_calls(options.name, std::move(calls)));
  }

  /// Untyped submission for language bindings: each call (see detail::bind_runner) runs
  /// its runner on the values of its dependencies, which must be futures of this client.
  std::vector<Future<Value>> submit_runners(std::vector<detail::BoundCall> calls, const TaskOptions& options = {}) {
    return typed<Value>(submit_calls(options.name, std::move(calls)));
  }

  /// Computes the graph's task `output` (and what it needs; other tasks are dropped).
  template <class T>
  Future<T> compute(Graph graph, TaskRef<T> output) {
    Key key = output.key();
    return Future<T>(std::move(compute_keys(std::move(graph), std::span<const Key>(&key, 1)).front()));
  }

  template <class T>
  std::vector<Future<T>> compute(Graph graph, const std::vector<TaskRef<T>>& outputs) {
    std::vector<Key> keys;
    keys.reserve(outputs.size());
    for (const auto& ref : outputs) keys.push_back(ref.key());
    return typed<T>(compute_keys(std::move(graph), keys));
  }

  /// Untyped form: the futures' results are type-erased Values.
  std::vector<Future<Value>> compute(Graph graph, std::span<const Key> outputs) {
    return typed<Value>(compute_keys(std::move(graph), outputs));
  }

  /// Places values on the workers; the futures refer to them as task results.
  template <class T>
  std::vector<Future<T>> scatter(std::vector<T> values, const std::string& name = "scatter") {
    std::vector<Value> erased;
    erased.reserve(values.size());
    for (auto& v : values) erased.push_back(Value::make(std::move(v)));
    return typed<T>(scatter_values(std::move(erased), name));
  }

  /// Waits for every future to be done (finished, failed or cancelled).
  template <class T>
  void wait(const std::vector<Future<T>>& futures) const {
    detail::wait_all(states_of(futures));
  }

  /// Waits for all futures and returns their results in order; throws the first error.
  template <class T>
  std::vector<T> gather(const std::vector<Future<T>>& futures) const {
    return gather(futures, *host_device());
  }
  /// As gather, but leaves the results in `device`'s memory (a device of this client's
  /// cluster, or the host): copied there from wherever a worker holds them, and shared
  /// with the worker when they are there already. For handing device data to code that
  /// reads it in place (DLPack) without a trip through the host.
  template <class T>
  std::vector<T> gather(const std::vector<Future<T>>& futures, Device& device) const {
    std::vector<Value> values = gather_values(states_of(futures), device);
    if constexpr (std::is_same_v<T, Value>) {
      return values;
    } else {
      std::vector<T> out;
      out.reserve(values.size());
      for (const auto& v : values) out.push_back(v.get<T>());
      return out;
    }
  }

  /// Futures in the order they complete.
  template <class T>
  AsCompleted<T> as_completed(std::vector<Future<T>> futures) const {
    return AsCompleted<T>(std::move(futures));
  }

  /// Cancels the futures' tasks and every task that depends on them (their futures
  /// raise CancelledError), then releases the dependencies nobody else needs.
  template <class T>
  void cancel(const std::vector<Future<T>>& futures) {
    cancel_states(states_of(futures));
  }
  template <class T>
  void cancel(const Future<T>& future) {
    cancel_states(states_of(std::vector<Future<T>>{future}));
  }

  const LocalCluster& cluster() const noexcept;

 private:
  using StatePtr = std::shared_ptr<detail::FutureState>;

  std::vector<StatePtr> submit_calls(const std::string& name, std::vector<detail::BoundCall>&& calls);
  std::vector<StatePtr> compute_keys(Graph&& graph, std::span<const Key> outputs);
  std::vector<StatePtr> scatter_values(std::vector<Value>&& values, const std::string& name);
  std::vector<Value> gather_values(const std::vector<detail::FutureState*>& states, Device& device) const;
  void cancel_states(const std::vector<detail::FutureState*>& states);

  template <class T>
  static std::vector<Future<T>> typed(std::vector<StatePtr>&& states) {
    std::vector<Future<T>> out;
    out.reserve(states.size());
    for (auto& s : states) out.emplace_back(std::move(s));
    return out;
  }
  template <class T>
  static std::vector<detail::FutureState*> states_of(const std::vector<Future<T>>& futures) {
    std::vector<detail::FutureState*> states;
    states.reserve(futures.size());
    for (const auto& f : futures) {
      if (!f.valid()) throw ValueError("got an empty Future (default-constructed or moved from)");
      states.push_back(f.state().get());
    }
    return states;
  }

  LocalCluster cluster_;  // the client keeps its cluster running; its futures do not
  std::shared_ptr<detail::ClientImpl> impl_;
};

}  // namespace tessera
