// The shared state behind Future<T> handles of one key. Not for direct use.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tessera/core/key.hpp"
#include "tessera/core/task.hpp"
#include "tessera/core/value.hpp"

namespace tessera {

enum class FutureStatus { pending, finished, error, cancelled };

namespace detail {

class ClientImpl;

class FutureState {
 public:
  /// `token` identifies this state's hold on the key at the scheduler.
  FutureState(std::shared_ptr<ClientImpl> client, Key key, std::string name, std::uint64_t token);
  /// Tells the client that nobody holds the key any more, so its result can be released.
  ~FutureState();
  FutureState(const FutureState&) = delete;
  FutureState& operator=(const FutureState&) = delete;

  Key key() const noexcept { return key_; }
  std::uint64_t token() const noexcept { return token_; }
  const std::string& name() const noexcept { return name_; }
  const ClientImpl* client() const noexcept { return client_.get(); }
  FutureStatus status() const;
  void wait() const;
  /// Waits at most `timeout`; true when the future is done.
  bool wait_for(std::chrono::nanoseconds timeout) const;
  /// Waits, then returns the value or throws TaskError / CancelledError.
  Value result() const;
  /// Throws TaskError / CancelledError when done without a value; no-op otherwise.
  void throw_if_failed() const;
  /// Runs `callback` once the future is done (at once, here, if it already is). The
  /// callback runs on a runtime thread and must not block.
  void add_done_callback(std::function<void()> callback);

  /// The epoch of the scheduler's report that set the status (0 before any).
  std::uint32_t epoch() const;
  /// Waits at most `timeout` for a report newer than `epoch`: after a finished result was
  /// lost with its workers, the news of the loss or of the result computed again.
  void wait_for_report_after(std::uint32_t epoch, std::chrono::nanoseconds timeout) const;

  // Set by the client when the scheduler reports. Reports may arrive out of order; the
  // epoch (which grows with every run and loss of the key) tells which is newer.
  void set_finished(std::uint32_t epoch);
  void set_failed(std::shared_ptr<const TaskFailure> failure, std::uint32_t epoch);
  void set_cancelled();
  /// The result reported finished at `epoch` was lost and is being computed again: the
  /// future is pending until a newer report.
  void set_lost(std::uint32_t epoch);

 private:
  void finish(FutureStatus status, std::shared_ptr<const TaskFailure> failure, std::uint32_t epoch);

  const std::shared_ptr<ClientImpl> client_;
  const Key key_;
  const std::string name_;
  const std::uint64_t token_;
  mutable std::mutex mutex_;
  mutable std::condition_variable done_;
  FutureStatus status_ = FutureStatus::pending;
  std::uint32_t epoch_ = 0;       // of the report that set status_
  std::uint32_t lost_before_ = 0;  // results of epochs below this were reported lost
  std::shared_ptr<const TaskFailure> failure_;
  std::vector<std::function<void()>> callbacks_;
};

/// Blocks until every future is done, waking once rather than once per future.
void wait_all(const std::vector<FutureState*>& states);

/// Yields indices of watched futures in the order they complete (for as_completed).
class CompletionQueue {
 public:
  /// Registers a callback on `state` that enqueues `index` when it completes.
  static std::shared_ptr<CompletionQueue> watch(const std::vector<FutureState*>& states);
  /// Blocks until another watched future completes and returns its index.
  std::size_t pop();

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<std::size_t> completed_;
  std::size_t next_ = 0;
};

}  // namespace detail
}  // namespace tessera
