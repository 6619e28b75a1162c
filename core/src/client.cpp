#include "tessera/core/client.hpp"

#include <atomic>
#include <string>
#include <unordered_map>

#include "client_impl.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

Client::Client() : Client(LocalCluster()) {}

Client::Client(const LocalCluster& cluster) : cluster_(cluster), impl_(detail::ClientImpl::create(cluster)) {}

const LocalCluster& Client::cluster() const noexcept { return cluster_; }

namespace {

void check_owner(const detail::FutureState& state, const detail::ClientImpl* client) {
  if (state.client() != client) {
    throw ValueError("the future of task '" + state.name() + "' belongs to another client; "
                     "pass futures only to the client that created them");
  }
}

}  // namespace

std::vector<Client::StatePtr> Client::submit_calls(const std::string& name, std::vector<detail::BoundCall>&& calls) {
  std::vector<TaskSpec> specs;
  std::vector<StatePtr> states;
  specs.reserve(calls.size());
  states.reserve(calls.size());
  static std::atomic<std::uint64_t> sequence{0};
  impl_->expect_futures(calls.size());
  for (auto& call : calls) {
    for (const auto& future : call.futures) check_owner(*future, impl_.get());
    const Key key = Key::unique();
    std::string task_name = name + "-" + std::to_string(sequence.fetch_add(1, std::memory_order_relaxed));
    states.push_back(impl_->register_future(key, task_name));
    specs.push_back(TaskSpec{key, std::move(task_name), std::move(call.dependencies), std::move(call.runner)});
  }
  impl_->update_graph(std::move(specs), states);
  return states;  // `calls` still holds the argument futures until here: their keys stay alive
}

std::vector<Client::StatePtr> Client::compute_keys(Graph&& graph, std::span<const Key> outputs) {
  for (const auto& future : graph.external_) check_owner(*future, impl_.get());
  // Futures are named after their tasks: one pass over the graph finds every output's name.
  std::unordered_map<Key, std::string> names;
  for (Key key : outputs) names.emplace(key, to_string(key));
  for (const TaskSpec& spec : graph.tasks_) {
    if (auto it = names.find(spec.key); it != names.end()) it->second = spec.name;
  }
  std::vector<StatePtr> states;
  states.reserve(outputs.size());
  for (Key key : outputs) states.push_back(impl_->register_future(key, names.at(key)));
  impl_->update_graph(std::move(graph.tasks_), states);
  return states;
}

std::vector<Client::StatePtr> Client::scatter_values(std::vector<Value>&& values, const std::string& name) {
  std::vector<std::pair<Key, Value>> data;
  std::vector<StatePtr> states;
  data.reserve(values.size());
  states.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Key key = Key::unique();
    states.push_back(impl_->register_future(key, name + "-" + std::to_string(i)));
    data.emplace_back(key, std::move(values[i]));
  }
  impl_->scatter(std::move(data), states);
  for (auto& state : states) state->set_finished(0);  // the epoch the scheduler gives scattered data
  return states;
}

std::vector<Value> Client::gather_values(const std::vector<detail::FutureState*>& states, Device& device) const {
  std::vector<Key> keys;
  keys.reserve(states.size());
  for (const detail::FutureState* state : states) check_owner(*state, impl_.get());
  detail::wait_all(states);
  for (const detail::FutureState* state : states) {
    state->throw_if_failed();
    keys.push_back(state->key());
  }
  return impl_->fetch(keys, device);
}

void Client::cancel_states(const std::vector<detail::FutureState*>& states) {
  std::vector<Key> keys;
  keys.reserve(states.size());
  for (const detail::FutureState* state : states) {
    check_owner(*state, impl_.get());
    keys.push_back(state->key());
  }
  impl_->cancel(keys);
}

}  // namespace tessera
