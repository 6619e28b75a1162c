// Future<T>: the user's handle on a result computed by the runtime. Copies share one
// state; the result stays on the workers until the last copy is dropped.
#pragma once

#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "tessera/core/detail/future_state.hpp"

namespace tessera {

template <class T>
class Future {
 public:
  using value_type = T;

  /// An empty handle (`valid() == false`).
  Future() = default;
  /// Wraps a shared state; used by Client.
  explicit Future(std::shared_ptr<detail::FutureState> state) : state_(std::move(state)) {}

  bool valid() const noexcept { return state_ != nullptr; }
  Key key() const { return checked().key(); }
  /// Readable task name, e.g. "inc-17".
  const std::string& name() const { return checked().name(); }
  FutureStatus status() const { return checked().status(); }
  bool done() const { return status() != FutureStatus::pending; }
  void wait() const { checked().wait(); }
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) const {
    return checked().wait_for(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }

  /// Waits for the task and returns a copy of its result. Throws TaskError when the
  /// task (or a dependency) raised, CancelledError when it was cancelled.
  T result() const {
    Value value = checked().result();
    if constexpr (std::is_void_v<T>) {
      return;
    } else if constexpr (std::is_same_v<T, Value>) {
      return value;
    } else {
      return value.get<T>();
    }
  }

  const std::shared_ptr<detail::FutureState>& state() const noexcept { return state_; }

 private:
  const detail::FutureState& checked() const {
    if (state_ == nullptr) throw ValueError("this Future is empty (default-constructed or moved from)");
    return *state_;
  }
  std::shared_ptr<detail::FutureState> state_;
};

/// Futures in the order they complete: `for (auto& f : client.as_completed(fs))`.
template <class T>
class AsCompleted {
 public:
  explicit AsCompleted(std::vector<Future<T>> futures) : futures_(std::move(futures)) {
    std::vector<detail::FutureState*> states;
    states.reserve(futures_.size());
    for (const auto& f : futures_) {
      if (!f.valid()) throw ValueError("as_completed got an empty Future");
      states.push_back(f.state().get());
    }
    queue_ = detail::CompletionQueue::watch(states);
  }

  /// The next future to complete, or nullopt once all have been returned.
  std::optional<Future<T>> next() {
    if (returned_ == futures_.size()) return std::nullopt;
    ++returned_;
    return futures_[queue_->pop()];
  }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Future<T>;
    using difference_type = std::ptrdiff_t;
    using pointer = const Future<T>*;
    using reference = const Future<T>&;
    iterator() = default;
    explicit iterator(AsCompleted* owner) : owner_(owner) { ++*this; }
    reference operator*() const { return *current_; }
    pointer operator->() const { return &*current_; }
    iterator& operator++() {
      current_ = owner_->next();
      if (!current_) owner_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.owner_ == b.owner_; }

   private:
    AsCompleted* owner_ = nullptr;
    std::optional<Future<T>> current_;
  };

  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  std::vector<Future<T>> futures_;
  std::shared_ptr<detail::CompletionQueue> queue_;
  std::size_t returned_ = 0;
};

}  // namespace tessera
