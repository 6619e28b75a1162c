// Turns a C++ callable and its arguments into a TaskRunner plus dependency keys: every
// Future<T> or TaskRef<T> argument becomes a dependency whose value the runner passes
// as `const T&`; every other argument is stored by value in the runner.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/task.hpp"

namespace tessera {
template <class T>
class Future;
template <class T>
class TaskRef;

namespace detail {

class FutureState;

template <class A>
struct ArgTraits {
  using value_type = A;
  static constexpr bool is_dependency = false;
};
template <class T>
struct ArgTraits<Future<T>> {
  using value_type = T;
  static constexpr bool is_dependency = true;
};
template <class T>
struct ArgTraits<TaskRef<T>> {
  using value_type = T;
  static constexpr bool is_dependency = true;
};

/// The type a task function receives for an argument of type A.
template <class A>
using arg_value_t = typename ArgTraits<std::decay_t<A>>::value_type;

/// What calling F with Args produces once dependencies are replaced by their values.
template <class F, class... Args>
using bound_result_t = std::invoke_result_t<const std::decay_t<F>&, const arg_value_t<Args>&...>;

template <class A, bool = ArgTraits<A>::is_dependency>
struct ArgSlot {
  A value;
  const A& get(std::span<const Value>) const noexcept { return value; }
};

template <class A>
struct ArgSlot<A, true> {
  using T = typename ArgTraits<A>::value_type;
  std::uint32_t index;
  const T& get(std::span<const Value> inputs) const {
    if constexpr (std::is_same_v<T, Value>) {
      return inputs[index];
    } else {
      return inputs[index].template get<T>();
    }
  }
};

template <class F, class... Slots>
class BoundTask final : public TaskRunner {
 public:
  template <class G>
  explicit BoundTask(G&& fn, Slots... slots) : fn_(std::forward<G>(fn)), slots_(std::move(slots)...) {}

  Value run(std::span<const Value> inputs) const override {
    return std::apply(
        [&](const Slots&... slot) -> Value {
          using R = std::invoke_result_t<const F&, decltype(slot.get(inputs))...>;
          if constexpr (std::is_void_v<R>) {
            std::invoke(fn_, slot.get(inputs)...);
            return Value();
          } else if constexpr (std::is_same_v<std::decay_t<R>, Value>) {
            return std::invoke(fn_, slot.get(inputs)...);
          } else {
            return Value::make(std::invoke(fn_, slot.get(inputs)...));
          }
        },
        slots_);
  }

 private:
  F fn_;
  std::tuple<Slots...> slots_;
};

/// A callable bound to its arguments, ready to become a TaskSpec.
struct BoundCall {
  std::shared_ptr<const TaskRunner> runner;
  std::vector<Key> dependencies;
  /// States of the Future arguments: kept alive until the task is submitted, and checked
  /// to belong to the submitting client.
  std::vector<std::shared_ptr<FutureState>> futures;
};

template <class F, class... Args>
BoundCall bind_call(F&& fn, Args&&... args) {
  static_assert(std::is_invocable_v<const std::decay_t<F>&, const arg_value_t<Args>&...>,
                "the task function cannot be called with these arguments (a Future<T> or TaskRef<T> "
                "argument is passed to the function as const T&)");
  BoundCall call;
  [[maybe_unused]] auto slot_for = [&call]<class A>(A&& arg) {
    using D = std::decay_t<A>;
    if constexpr (ArgTraits<D>::is_dependency) {
      const Key key = arg.key();
      std::uint32_t index = 0;
      while (index < call.dependencies.size() && call.dependencies[index] != key) ++index;
      if (index == call.dependencies.size()) call.dependencies.push_back(key);
      if constexpr (requires { arg.state(); }) call.futures.push_back(arg.state());
      return ArgSlot<D>{index};
    } else {
      return ArgSlot<D>{std::forward<A>(arg)};
    }
  };
  call.runner = std::make_shared<const BoundTask<std::decay_t<F>, ArgSlot<std::decay_t<Args>>...>>(
      std::forward<F>(fn), slot_for(std::forward<Args>(args))...);
  return call;
}

/// A ready-made runner whose inputs are the values of `dependencies`, in order: the
/// untyped form language bindings use, where arguments are only known at run time. The
/// dependencies must be distinct (a task reads each input once).
template <class T>
BoundCall bind_runner(std::shared_ptr<const TaskRunner> runner, const std::vector<Future<T>>& dependencies) {
  BoundCall call;
  call.runner = std::move(runner);
  call.dependencies.reserve(dependencies.size());
  call.futures.reserve(dependencies.size());
  for (const auto& future : dependencies) {
    const Key key = future.key();
    for (const Key& seen : call.dependencies) {
      if (seen == key) throw ValueError("a task lists the future " + future.name() + " twice among its dependencies");
    }
    call.dependencies.push_back(key);
    call.futures.push_back(future.state());
  }
  return call;
}

}  // namespace detail
}  // namespace tessera
