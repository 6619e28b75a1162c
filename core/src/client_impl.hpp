// The shared state of a Client: its registration at the scheduler and the futures it
// hands out. Futures hold it alive, but it does not own the cluster: the cluster belongs
// to the user's LocalCluster and Client handles and is reached through its lifeline, so
// that it is always torn down by user code, never by a runtime thread delivering a result.
// Once the cluster is gone, pending futures are cancelled and further calls throw.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

#include "local_cluster_impl.hpp"
#include "tessera/core/detail/future_state.hpp"
#include "tessera/core/local_cluster.hpp"

namespace tessera::detail {

class ClientImpl final : public runtime::ClientSink, public std::enable_shared_from_this<ClientImpl> {
 public:
  /// Creates a client and registers it with the cluster's scheduler.
  static std::shared_ptr<ClientImpl> create(const LocalCluster& cluster);
  explicit ClientImpl(const LocalCluster& cluster);  // use create()
  ~ClientImpl() override;

  /// The state of the futures of `key`: the live one if the client has futures of the key
  /// already, else a new one with a hold of its own. Register before submitting, so that
  /// no report can be missed.
  std::shared_ptr<FutureState> register_future(Key key, std::string name);
  /// Makes room for `n` more futures at once (one rehash instead of many).
  void expect_futures(std::size_t n);
  /// Called by a FutureState as it dies: drops its hold on the key.
  void release(Key key, std::uint64_t token);
  /// Submits tasks; the futures' holds on the keys they want are registered with them.
  void update_graph(std::vector<TaskSpec>&& tasks, const std::vector<std::shared_ptr<FutureState>>& wanted);
  void scatter(std::vector<std::pair<Key, Value>>&& data, const std::vector<std::shared_ptr<FutureState>>& holders);
  void cancel(std::span<const Key> keys);
  /// Values of computed keys, fetched from the workers holding them into `target`'s memory.
  /// A result lost with its workers meanwhile is waited for while it is computed again;
  /// throws TaskError when that fails.
  std::vector<Value> fetch(std::span<const Key> keys, Device& target);


  // runtime::ClientSink
  void key_finished(Key key, std::uint32_t epoch) override;
  void key_failed(Key key, const std::shared_ptr<const TaskFailure>& failure, std::uint32_t epoch) override;
  void key_cancelled(Key key) override;
  void key_lost(Key key, std::uint32_t epoch) override;

 private:
  template <class F>
  void with_future(Key key, F&& f);
  /// One try of fetch(): the values, or the position of a key no worker could give.
  std::variant<std::vector<Value>, std::size_t> try_fetch(LocalClusterImpl& cluster, std::span<const Key> keys,
                                                          Device& target);

  /// Throws tessera::Error when the cluster has been shut down.
  static LocalClusterImpl& live(const ClusterLifeline::Use& use);

  std::shared_ptr<ClusterLifeline> lifeline_;
  runtime::ClientId id_ = 0;
  std::mutex mutex_;
  std::unordered_map<Key, std::weak_ptr<FutureState>> futures_;
  std::uint64_t next_token_ = 0;
};

}  // namespace tessera::detail
