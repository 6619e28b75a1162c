#include "tessera/core/detail/future_state.hpp"

#include <algorithm>

#include "client_impl.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/logging.hpp"

namespace tessera::detail {

FutureState::FutureState(std::shared_ptr<ClientImpl> client, Key key, std::string name, std::uint64_t token)
    : client_(std::move(client)), key_(key), name_(std::move(name)), token_(token) {}

FutureState::~FutureState() {
  try {
    client_->release(key_, token_);
  } catch (const std::exception& e) {
    // Destructors never throw; a release that fails only delays freeing memory.
    TESSERA_LOG(error) << "releasing '" << name_ << "' failed: " << e.what();
  }
}

FutureStatus FutureState::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void FutureState::wait() const {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return status_ != FutureStatus::pending; });
}

bool FutureState::wait_for(std::chrono::nanoseconds timeout) const {
  std::unique_lock lock(mutex_);
  return done_.wait_for(lock, timeout, [this] { return status_ != FutureStatus::pending; });
}

void FutureState::throw_if_failed() const {
  std::shared_ptr<const TaskFailure> failure;
  FutureStatus status;
  {
    std::lock_guard lock(mutex_);
    status = status_;
    failure = failure_;
  }
  if (status == FutureStatus::cancelled) throw CancelledError("task '" + name_ + "' was cancelled");
  if (status != FutureStatus::error) return;
  throw_task_error(*failure, key_, name_);
}

Value FutureState::result() const {
  wait();
  throw_if_failed();
  return client_->fetch(std::span<const Key>(&key_, 1), *host_device()).front();  // waits out a loss
}

void FutureState::add_done_callback(std::function<void()> callback) {
  {
    std::lock_guard lock(mutex_);
    if (status_ == FutureStatus::pending) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

std::uint32_t FutureState::epoch() const {
  std::lock_guard lock(mutex_);
  return epoch_;
}

void FutureState::wait_for_report_after(std::uint32_t epoch, std::chrono::nanoseconds timeout) const {
  std::unique_lock lock(mutex_);
  done_.wait_for(lock, timeout, [&] { return epoch_ > epoch || status_ != FutureStatus::finished; });
}

void FutureState::set_finished(std::uint32_t epoch) { finish(FutureStatus::finished, nullptr, epoch); }
void FutureState::set_failed(std::shared_ptr<const TaskFailure> failure, std::uint32_t epoch) {
  finish(FutureStatus::error, std::move(failure), epoch);
}
void FutureState::set_cancelled() { finish(FutureStatus::cancelled, nullptr, 0); }

void FutureState::set_lost(std::uint32_t epoch) {
  {
    std::lock_guard lock(mutex_);
    lost_before_ = std::max(lost_before_, epoch + 1);
    if (status_ == FutureStatus::finished && epoch_ <= epoch) status_ = FutureStatus::pending;
  }
  done_.notify_all();  // wakes wait_for_report_after
}

void FutureState::finish(FutureStatus status, std::shared_ptr<const TaskFailure> failure, std::uint32_t epoch) {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    // Cancelling is final, and ends a finished or failed future too (its result is
    // released, as in dask.distributed). Otherwise the first report of an epoch wins, an
    // older one is stale, and a finished one whose result was since reported lost is too.
    if (status_ == FutureStatus::cancelled) return;
    if (status != FutureStatus::cancelled) {
      if (epoch < epoch_ || (status_ != FutureStatus::pending && epoch == epoch_)) return;
      if (status == FutureStatus::finished && epoch < lost_before_) return;
      epoch_ = epoch;
    }
    status_ = status;
    failure_ = std::move(failure);
    callbacks.swap(callbacks_);
  }
  done_.notify_all();
  for (auto& callback : callbacks) callback();
}

void wait_all(const std::vector<FutureState*>& states) {
  struct Latch {
    std::mutex mutex;
    std::condition_variable all_done;
    std::size_t pending;
  };
  auto latch = std::make_shared<Latch>();
  latch->pending = states.size();
  for (FutureState* state : states) {
    state->add_done_callback([latch] {
      bool last;
      {
        std::lock_guard lock(latch->mutex);
        last = --latch->pending == 0;
      }
      if (last) latch->all_done.notify_one();
    });
  }
  std::unique_lock lock(latch->mutex);
  latch->all_done.wait(lock, [&] { return latch->pending == 0; });
}

std::shared_ptr<CompletionQueue> CompletionQueue::watch(const std::vector<FutureState*>& states) {
  auto queue = std::make_shared<CompletionQueue>();
  for (std::size_t i = 0; i < states.size(); ++i) {
    states[i]->add_done_callback([queue, i] {
      {
        std::lock_guard lock(queue->mutex_);
        queue->completed_.push_back(i);
      }
      queue->ready_.notify_one();
    });
  }
  return queue;
}

std::size_t CompletionQueue::pop() {
  std::unique_lock lock(mutex_);
  ready_.wait(lock, [this] { return next_ < completed_.size(); });
  return completed_[next_++];
}

}  // namespace tessera::detail
