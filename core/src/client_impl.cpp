#include "client_impl.hpp"

#include <chrono>

#include "tessera/core/device.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/logging.hpp"

namespace tessera::detail {

std::shared_ptr<ClientImpl> ClientImpl::create(const LocalCluster& cluster) {
  auto client = std::make_shared<ClientImpl>(cluster);
  client->id_ = cluster.impl_->scheduler->add_client(client);  // a weak reference: futures own the client
  return client;
}

ClientImpl::ClientImpl(const LocalCluster& cluster) : lifeline_(cluster.impl_->lifeline) {}

LocalClusterImpl& ClientImpl::live(const ClusterLifeline::Use& use) {
  if (use.cluster() == nullptr) throw Error("the cluster of this client has been shut down");
  return *use.cluster();
}

ClientImpl::~ClientImpl() {
  try {
    ClusterLifeline::Use use(*lifeline_);
    if (use.cluster() != nullptr) use.cluster()->scheduler->remove_client(id_);
  } catch (const std::exception& e) {
    TESSERA_LOG(error) << "removing a client failed: " << e.what();  // destructors never throw
  }
}

std::shared_ptr<FutureState> ClientImpl::register_future(Key key, std::string name) {
  std::lock_guard lock(mutex_);
  std::weak_ptr<FutureState>& slot = futures_[key];
  // All live futures of a key share one state, except a cancelled one: computing the key
  // again must give a future that can finish.
  if (auto existing = slot.lock(); existing && existing->status() != FutureStatus::cancelled) return existing;
  auto state = std::make_shared<FutureState>(shared_from_this(), key, std::move(name), ++next_token_);
  slot = state;
  return state;
}

void ClientImpl::expect_futures(std::size_t n) {
  std::lock_guard lock(mutex_);
  futures_.reserve(futures_.size() + n);
}

void ClientImpl::release(Key key, std::uint64_t token) {
  {
    std::lock_guard lock(mutex_);
    auto it = futures_.find(key);
    // A newer state of the same key may have replaced the dying one: keep that entry.
    if (it != futures_.end() && it->second.expired()) futures_.erase(it);
  }
  // Holds are matched by token, so this cannot drop a newer future's hold, whatever the
  // order in which the two reach the scheduler.
  const runtime::Hold hold{key, token};
  ClusterLifeline::Use use(*lifeline_);
  if (use.cluster() != nullptr) {  // nothing to release once the cluster is gone
    use.cluster()->scheduler->release_keys(id_, std::span<const runtime::Hold>(&hold, 1));
  }
}

namespace {
std::vector<runtime::Hold> holds_of(const std::vector<std::shared_ptr<FutureState>>& states) {
  std::vector<runtime::Hold> holds;
  holds.reserve(states.size());
  for (const auto& state : states) holds.push_back(runtime::Hold{state->key(), state->token()});
  return holds;
}
}  // namespace

void ClientImpl::update_graph(std::vector<TaskSpec>&& tasks, const std::vector<std::shared_ptr<FutureState>>& wanted) {
  ClusterLifeline::Use use(*lifeline_);
  live(use).scheduler->update_graph(id_, std::move(tasks), holds_of(wanted));
}

void ClientImpl::scatter(std::vector<std::pair<Key, Value>>&& data,
                         const std::vector<std::shared_ptr<FutureState>>& holders) {
  ClusterLifeline::Use use(*lifeline_);
  live(use).scheduler->scatter(id_, std::move(data), holds_of(holders));
}

void ClientImpl::cancel(std::span<const Key> keys) {
  ClusterLifeline::Use use(*lifeline_);
  live(use).scheduler->cancel_keys(keys);
}

std::vector<Value> ClientImpl::fetch(std::span<const Key> keys, Device& target) {
  // Tries without news of the key before giving up: the news of a loss follows the loss
  // within a scheduler step, so only a result that is truly gone runs out of them.
  constexpr int kQuietTries = 250;
  constexpr auto kQuietWait = std::chrono::milliseconds(20);
  int quiet_tries = 0;
  for (;;) {
    std::variant<std::vector<Value>, std::size_t> outcome;
    {
      // Held for one try only: waiting inside it would keep the cluster from shutting
      // down, which is what cancels a future that waits forever.
      ClusterLifeline::Use use(*lifeline_);
      outcome = try_fetch(live(use), keys, target);
    }
    if (auto* values = std::get_if<std::vector<Value>>(&outcome)) return std::move(*values);
    // The result was lost with the workers holding it (and is being computed again), or
    // moved between our question and the fetch: wait for its future to hear of it.
    const Key key = keys[std::get<std::size_t>(outcome)];
    std::shared_ptr<FutureState> state;
    {
      std::lock_guard lock(mutex_);
      if (auto it = futures_.find(key); it != futures_.end()) state = it->second.lock();
    }
    const std::uint32_t epoch = state ? state->epoch() : 0;
    if (state) state->wait_for_report_after(epoch, kQuietWait);
    const bool news = state && (state->epoch() != epoch || state->status() != FutureStatus::finished);
    quiet_tries = news ? 0 : quiet_tries + 1;
    if (!state || quiet_tries > kQuietTries) {
      throw Error("the result of " + to_string(key) + " is not held by any worker");
    }
    state->wait();
    state->throw_if_failed();
  }
}

std::variant<std::vector<Value>, std::size_t> ClientImpl::try_fetch(LocalClusterImpl& cluster, std::span<const Key> keys,
                                                                     Device& target) {
  const auto holders = cluster.scheduler->who_has(keys);
  std::unordered_map<runtime::WorkerId, std::vector<std::size_t>> by_worker;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (holders[i].empty()) return i;
    by_worker[holders[i].front()].push_back(i);
  }
  std::vector<Value> values(keys.size());
  auto& transport = cluster.transport;
  for (const auto& [worker, positions] : by_worker) {
    std::vector<Key> wanted;
    wanted.reserve(positions.size());
    for (std::size_t i : positions) wanted.push_back(keys[i]);
    auto fetched = transport.fetch(worker, wanted);
    for (std::size_t j = 0; j < positions.size(); ++j) {
      if (!fetched[j]) return positions[j];
      // Results reach the client where it asked for them (mostly host memory): chunks
      // elsewhere are copied here. A device lost meanwhile is a result lost: its worker
      // retires, and the result is computed again.
      try {
        values[positions[j]] = fetched[j]->relocated_to(target);
      } catch (const DeviceLost&) {
        return positions[j];
      }
    }
  }
  return values;
}

template <class F>
void ClientImpl::with_future(Key key, F&& f) {
  std::shared_ptr<FutureState> state;
  {
    std::lock_guard lock(mutex_);
    auto it = futures_.find(key);
    if (it != futures_.end()) state = it->second.lock();
  }
  if (state) f(*state);
}

void ClientImpl::key_finished(Key key, std::uint32_t epoch) {
  with_future(key, [epoch](FutureState& s) { s.set_finished(epoch); });
}

void ClientImpl::key_failed(Key key, const std::shared_ptr<const TaskFailure>& failure, std::uint32_t epoch) {
  with_future(key, [&failure, epoch](FutureState& s) { s.set_failed(failure, epoch); });
}

void ClientImpl::key_lost(Key key, std::uint32_t epoch) {
  with_future(key, [epoch](FutureState& s) { s.set_lost(epoch); });
}

void ClientImpl::key_cancelled(Key key) {
  with_future(key, [](FutureState& s) { s.set_cancelled(); });
}

}  // namespace tessera::detail
