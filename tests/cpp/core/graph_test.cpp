// Graph + Client::compute: typed tasks, literals, chains of TaskRefs, futures as inputs,
// several outputs, untyped tasks, and culling: tasks the outputs do not need never run
// and are forgotten.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <tessera/tessera.hpp>

#include "core/runtime_helpers.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using tessera::Client;
using tessera::Future;
using tessera::Graph;
using tessera::Key;
using tessera::LocalCluster;
using tessera::TaskRef;
using tessera::TaskSpec;
using tessera::Value;
using tessera::testing::leftovers;
using tessera::testing::released_eventually;
using tessera::testing::stored_keys;

// A runner counting its executions and returning a fixed int.
class CountingLiteral final : public tessera::TaskRunner {
 public:
  CountingLiteral(int value, std::shared_ptr<std::atomic<int>> runs) : value_(value), runs_(std::move(runs)) {}
  Value run(std::span<const Value>) const override {
    ++*runs_;
    return Value::make(value_);
  }

 private:
  int value_;
  std::shared_ptr<std::atomic<int>> runs_;
};

TEST(Graph, LiteralsAndTasksCompute) {
  Client client(LocalCluster({.n_workers = 2, .threads_per_worker = 1}));
  Graph g;
  auto x = g.literal("x", 20);
  auto y = g.add("inc", [](int v) { return v + 1; }, x);
  auto z = g.add("mul", [](int a, int b) { return a * b; }, y, x);
  auto text = g.add("show", [](int v, const std::string& unit) { return std::to_string(v) + unit; }, z, std::string(" m"));
  EXPECT_EQ(g.size(), 4u);
  auto f = client.compute(std::move(g), text);
  EXPECT_EQ(f.result(), "420 m");
  EXPECT_EQ(f.name(), "show");  // futures carry the name of their task
  EXPECT_EQ(f.key(), text.key());
}

TEST(Graph, ChainOfTaskRefs) {
  Client client(LocalCluster({.n_workers = 2, .threads_per_worker = 2}));
  const std::size_t n = tessera::testing::scaled(2000, 10);
  Graph g;
  TaskRef<std::int64_t> ref = g.literal("start", std::int64_t{1});
  std::int64_t expected = 1;
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::int64_t>(i);
    ref = g.add("step-" + std::to_string(i), [k](std::int64_t v) { return (v * 3 + k) % 1000003; }, ref);
    expected = (expected * 3 + k) % 1000003;
  }
  EXPECT_EQ(client.compute(std::move(g), ref).result(), expected);
}

TEST(Graph, ExistingFuturesAreInputs) {
  Client client(LocalCluster({.n_workers = 2, .threads_per_worker = 1}));
  auto base = client.submit([] { return std::vector<int>{1, 2, 3, 4}; });
  auto scale = client.submit([] { return 10; });
  Graph g;
  auto offset = g.literal("offset", 5);
  auto transformed = g.add(
      "scale",
      [](const std::vector<int>& v, int s, int o) {
        std::vector<int> out;
        for (int x : v) out.push_back(x * s + o);
        return out;
      },
      base, scale, offset);
  auto total = g.add("sum", [](const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); }, transformed);
  // The graph holds its input futures: dropping ours before compute must not lose them.
  scale = Future<int>();
  auto f = client.compute(std::move(g), total);
  EXPECT_EQ(f.result(), (1 + 2 + 3 + 4) * 10 + 4 * 5);
  EXPECT_EQ(base.result(), (std::vector<int>{1, 2, 3, 4}));
}

TEST(Graph, SeveralOutputsTypedAndUntyped) {
  LocalCluster cluster({.n_workers = 3, .threads_per_worker = 1});
  Client client(cluster);
  const int n = 50;
  {
    Graph g;
    auto root = g.literal("root", 7);
    std::vector<TaskRef<int>> outputs;
    for (int i = 0; i < n; ++i) outputs.push_back(g.add("leaf-" + std::to_string(i), [i](int r) { return r * i; }, root));
    auto futures = client.compute(std::move(g), outputs);
    ASSERT_EQ(futures.size(), static_cast<std::size_t>(n));
    const auto values = client.gather(futures);
    for (int i = 0; i < n; ++i) EXPECT_EQ(values[static_cast<std::size_t>(i)], 7 * i) << "output " << i;
  }
  {
    Graph g;
    auto a = g.literal("a", std::string("ab"));
    auto b = g.add("twice", [](const std::string& s) { return s + s; }, a);
    auto c = g.add("size", [](const std::string& s) { return s.size(); }, b);
    const std::vector<Key> keys = {c.key(), a.key(), b.key()};
    auto futures = client.compute(std::move(g), std::span<const Key>(keys));
    ASSERT_EQ(futures.size(), 3u);
    EXPECT_EQ(futures[0].result().get<std::size_t>(), 4u);
    EXPECT_EQ(futures[1].result().get<std::string>(), "ab");
    EXPECT_EQ(futures[2].result().get<std::string>(), "abab");
    EXPECT_THROW(futures[0].result().get<int>(), tessera::TypeError);
  }
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
}

TEST(Graph, UntypedTasksWithAddTask) {
  Client client(LocalCluster({.n_workers = 2, .threads_per_worker = 1}));
  Graph g;
  const Key a = g.add_task(TaskSpec{Key::unique(), "a", {}, std::make_shared<tessera::LiteralRunner>(Value::make(std::uint64_t{3}))});
  const Key b = g.add_task(TaskSpec{Key::unique(), "b", {a}, std::make_shared<tessera::testing::MixRunner>(1)});
  const Key c = g.add_task(TaskSpec{Key::unique(), "c", {b, a}, std::make_shared<tessera::testing::MixRunner>(2)});
  // Typed tasks can read untyped results through a TaskRef of the right type.
  auto d = g.add("d", [](std::uint64_t v) { return v % 1000; }, TaskRef<std::uint64_t>(c));
  const std::uint64_t vb = tessera::testing::combine(1, std::vector<std::uint64_t>{3});
  const std::uint64_t vc = tessera::testing::combine(2, std::vector<std::uint64_t>{vb, 3});
  EXPECT_EQ(client.compute(std::move(g), d).result(), vc % 1000);
}

TEST(Graph, TasksTheOutputsDoNotNeedNeverRunAndAreForgotten) {
  std::atomic<int> shared_runs{0}, wanted_runs{0}, unneeded_runs{0};
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 2});
  Client client(cluster);
  {
    Graph g;
    auto shared = g.add("shared", [&shared_runs] { ++shared_runs; return 6; });
    auto wanted = g.add("wanted", [&wanted_runs](int s) { ++wanted_runs; return s * 7; }, shared);
    auto unneeded = g.add("unneeded", [&unneeded_runs](int s) { ++unneeded_runs; return s + 1; }, shared);
    auto unneeded_too = g.add("unneeded2", [&unneeded_runs](int u, int w) { ++unneeded_runs; return u + w; }, unneeded, wanted);
    (void)unneeded_too;
    std::vector<Future<int>> futures = client.compute(std::move(g), std::vector<TaskRef<int>>{wanted});
    EXPECT_EQ(futures[0].result(), 42);
    // Culled tasks are forgotten at once; at most the output and its input are known.
    const auto stats = cluster.scheduler_stats();
    EXPECT_LE(stats.tasks, 2u);
    EXPECT_EQ(stats.memory, 1u);
    EXPECT_EQ(stored_keys(cluster), 1u);
  }
  EXPECT_EQ(shared_runs.load(), 1);
  EXPECT_EQ(wanted_runs.load(), 1);
  EXPECT_EQ(unneeded_runs.load(), 0);
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
}

TEST(Graph, EmptyGraphWithoutOutputs) {
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  auto futures = client.compute(Graph(), std::span<const Key>());
  EXPECT_TRUE(futures.empty());
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
  EXPECT_EQ(client.submit([] { return 1; }).result(), 1);
}

TEST(Graph, OutputsMayIncludeIntermediateResults) {
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 1});
  Client client(cluster);
  Graph g;
  auto a = g.literal("a", 2);
  auto b = g.add("b", [](int x) { return x * 10; }, a);
  auto c = g.add("c", [](int x) { return x + 1; }, b);
  auto futures = client.compute(std::move(g), std::vector<TaskRef<int>>{c, b, a});
  EXPECT_EQ(client.gather(futures), (std::vector<int>{21, 20, 2}));
  EXPECT_EQ(cluster.scheduler_stats().memory, 3u);
}

// The same computation described twice (deterministic keys) is recognised as one: the
// task runs once and both futures see its result.
TEST(Graph, SameKeysComputedTwiceRunOnce) {
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  auto runs = std::make_shared<std::atomic<int>>(0);
  const Key key = Key::from_name("graph-test-shared-literal");
  auto make_graph = [&] {
    Graph g;
    g.add_task(TaskSpec{key, "shared-literal", {}, std::make_shared<CountingLiteral>(11, runs)});
    return g;
  };
  auto first = client.compute(make_graph(), TaskRef<int>(key));
  ASSERT_TRUE(first.wait_for(10s));
  auto second = client.compute(make_graph(), TaskRef<int>(key));
  ASSERT_TRUE(second.wait_for(10s)) << "the second future of a known key never completed";
  EXPECT_EQ(first.result(), 11);
  EXPECT_EQ(second.result(), 11);
  EXPECT_EQ(runs->load(), 1);
  // Futures of one key in one client share one state; dropping one handle keeps the
  // result for the other. Wait until the runtime thread that delivered the result has let
  // go of the state, so that only our two handles hold it.
  EXPECT_EQ(first.state(), second.state());
  ASSERT_TRUE(tessera::testing::eventually([&] { return first.state().use_count() == 2; }));
  first = Future<int>();
  ASSERT_TRUE(second.wait_for(1s));
  EXPECT_EQ(second.result(), 11);
  second = Future<int>();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
}

TEST(Graph, SameKeysComputedAgainWhileTheFirstIsPending) {
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  tessera::testing::Gate gate;
  tessera::testing::OpenOnExit open_gate(gate);
  auto blocker = tessera::testing::submit_behind(client, gate, 0);
  auto runs = std::make_shared<std::atomic<int>>(0);
  const Key key = Key::from_name("graph-test-pending-literal");
  auto make_graph = [&] {
    Graph g;
    g.add_task(TaskSpec{key, "pending-literal", {}, std::make_shared<CountingLiteral>(12, runs)});
    return g;
  };
  auto first = client.compute(make_graph(), TaskRef<int>(key));
  auto second = client.compute(make_graph(), TaskRef<int>(key));
  gate.open();
  EXPECT_EQ(blocker.result(), 0);
  ASSERT_TRUE(second.wait_for(10s)) << "the second future of a pending key never completed";
  ASSERT_TRUE(first.wait_for(10s)) << "the first future of a key computed again never completed";
  EXPECT_EQ(first.result(), 12);
  EXPECT_EQ(second.result(), 12);
  EXPECT_EQ(runs->load(), 1);
}

TEST(Graph, TheSameOutputTwiceGivesTwoWorkingFutures) {
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  Graph g;
  auto a = g.add("a", [] { return 5; });
  auto futures = client.compute(std::move(g), std::vector<TaskRef<int>>{a, a});
  ASSERT_EQ(futures.size(), 2u);
  ASSERT_TRUE(futures[0].wait_for(10s)) << "the first future of a repeated output never completed";
  ASSERT_TRUE(futures[1].wait_for(10s)) << "the second future of a repeated output never completed";
  EXPECT_EQ(futures[0].result(), 5);
  EXPECT_EQ(futures[1].result(), 5);
  futures.pop_back();
  EXPECT_EQ(futures[0].result(), 5) << "dropping one of two futures of a key released it";
  futures.clear();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
}

}  // namespace
