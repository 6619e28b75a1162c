// Releasing results: once no future refers to a key, no worker holds it and the scheduler
// forgets it; intermediate results go as soon as their dependents have run, while the
// computation is still going; results a future still refers to stay.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

#include <tessera/tessera.hpp>

#include "core/runtime_helpers.hpp"
#include "test_support.hpp"

namespace release_tests {  // a name of its own: test files compile in batches (tests/cpp/CMakeLists.txt)
namespace {

using namespace std::chrono_literals;
using tessera::Client;
using tessera::Future;
using tessera::Graph;
using tessera::Key;
using tessera::LocalCluster;
using tessera::TaskRef;
using tessera::testing::Gate;
using tessera::testing::OpenOnExit;
using tessera::testing::stored_keys;

struct Config {
  std::size_t workers;
  std::size_t threads;
};

// Readable parameter names in test listings.
void PrintTo(const Config& config, std::ostream* os) {
  *os << config.workers << " worker(s) x " << config.threads << " thread(s)";
}

class ReleaseAfterDrop : public ::testing::TestWithParam<Config> {};

// Every worker store is empty and the scheduler knows no task (see released_eventually
// for why this may take a moment after the last future drops).
void expect_everything_released(const LocalCluster& cluster) {
  EXPECT_TRUE(tessera::testing::released_eventually(cluster)) << tessera::testing::leftovers(cluster);
  for (std::size_t w = 0; w < cluster.n_workers(); ++w) {
    const auto store = cluster.worker_stats(w).store;
    EXPECT_EQ(store.bytes_in_memory + store.bytes_on_disk, 0u) << "worker " << w;
  }
}

TEST_P(ReleaseAfterDrop, SubmitMapGraphAndScatter) {
  const Config config = GetParam();
  SCOPED_TRACE(std::to_string(config.workers) + " worker(s) x " + std::to_string(config.threads) + " thread(s)");
  LocalCluster cluster({.n_workers = config.workers, .threads_per_worker = config.threads});
  Client client(cluster);
  {
    // Data spread over the workers, then tasks mixing it so that values move between them.
    std::vector<std::vector<double>> chunks;
    for (int i = 0; i < 16; ++i) chunks.emplace_back(1000, static_cast<double>(i));
    auto data = client.scatter(chunks);
    auto sums = client.map([](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }, data);
    std::vector<Future<double>> pairs;
    for (std::size_t i = 0; i < 16; ++i) {
      pairs.push_back(client.submit([](const std::vector<double>& a, double b) { return a[0] + b; }, data[i], sums[15 - i]));
    }
    Graph g;
    std::vector<TaskRef<double>> level;
    for (auto& p : pairs) level.push_back(g.add("id", [](double x) { return x; }, p));
    while (level.size() > 1) {
      std::vector<TaskRef<double>> next;
      for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
        next.push_back(g.add("add", [](double a, double b) { return a + b; }, level[i], level[i + 1]));
      }
      level.swap(next);
    }
    auto total = client.compute(std::move(g), level.front());
    double expected = 0;
    for (int i = 0; i < 16; ++i) expected += i + 1000.0 * (15 - i);
    EXPECT_DOUBLE_EQ(total.result(), expected);
    EXPECT_GT(stored_keys(cluster), 0u);
  }
  // Copies fetched by peers are released too.
  expect_everything_released(cluster);
}

TEST_P(ReleaseAfterDrop, ErredAndCancelledTasks) {
  const Config config = GetParam();
  LocalCluster cluster({.n_workers = config.workers, .threads_per_worker = config.threads});
  Client client(cluster);
  {
    auto ok = client.submit([] { return 1; });
    auto bad = client.submit([](int) -> int { throw std::runtime_error("boom"); }, ok);
    auto after = client.submit([](int x, int y) { return x + y; }, bad, ok);
    EXPECT_THROW(after.result(), tessera::TaskError);
    EXPECT_EQ(ok.result(), 1);
  }
  expect_everything_released(cluster);
}

INSTANTIATE_TEST_SUITE_P(Workers, ReleaseAfterDrop,
                         ::testing::Values(Config{1, 1}, Config{2, 1}, Config{2, 2}, Config{4, 2}),
                         [](const ::testing::TestParamInfo<Config>& param_info) {
                           return "w" + std::to_string(param_info.param.workers) + "t" + std::to_string(param_info.param.threads);
                         });

TEST(Release, IntermediateResultsGoWhileALongChainRuns) {
  std::atomic<std::size_t> max_in_memory{0};
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  const std::size_t n = tessera::testing::scaled(3000, 100);
  auto observe = [&cluster, &max_in_memory] {
    const std::size_t now = stored_keys(cluster, 0);
    std::size_t seen = max_in_memory.load();
    while (now > seen && !max_in_memory.compare_exchange_weak(seen, now)) {
    }
  };
  Graph g;
  TaskRef<std::uint64_t> ref = g.literal("start", std::uint64_t{1});
  std::uint64_t expected = 1;
  for (std::size_t i = 0; i < n; ++i) {
    ref = g.add("link", [i, observe](std::uint64_t v) {
      observe();  // the inputs of this task are in the store now
      return tessera::testing::mix64(v + i);
    }, ref);
    expected = tessera::testing::mix64(expected + i);
  }
  auto f = client.compute(std::move(g), ref);
  EXPECT_EQ(f.result(), expected);
  // While link i runs, only its input is held: everything before it was released.
  EXPECT_LE(max_in_memory.load(), 2u) << "of " << n + 1 << " results in the chain";
  EXPECT_EQ(stored_keys(cluster), 1u);
  f = Future<std::uint64_t>();
  expect_everything_released(cluster);
}

TEST(Release, ResultsStillReferencedStay) {
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 1});
  Client client(cluster);
  Graph g;
  std::vector<TaskRef<int>> refs{g.literal("start", 0)};
  for (int i = 1; i <= 100; ++i) refs.push_back(g.add("inc", [](int v) { return v + 1; }, refs.back()));
  auto futures = client.compute(std::move(g), std::vector<TaskRef<int>>{refs[100], refs[40]});
  EXPECT_EQ(futures[0].result(), 100);
  auto middle = futures[1];
  auto middle_copy = middle;
  futures.clear();
  // Everything but the middle result goes (possibly just after the drop, see
  // released_eventually); the middle one stays.
  EXPECT_TRUE(tessera::testing::eventually([&] { return stored_keys(cluster) == 1; })) << tessera::testing::leftovers(cluster);
  EXPECT_EQ(cluster.scheduler_stats().memory, 1u);
  middle = Future<int>();  // a copy still refers to the key
  EXPECT_EQ(middle_copy.result(), 40);
  EXPECT_EQ(stored_keys(cluster), 1u);
  // It can still feed new work.
  EXPECT_EQ(client.submit([](int x) { return x * 2; }, middle_copy).result(), 80);
  middle_copy = Future<int>();
  expect_everything_released(cluster);
}

TEST(Release, AFutureDroppedBeforeItsTaskRanNeverRuns) {
  std::atomic<int> runs{0};
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  Gate gate;
  OpenOnExit open_gate(gate);
  auto blocker = tessera::testing::submit_behind(client, gate, 1);
  {
    // Roots held at the scheduler and tasks queued on the worker alike.
    std::vector<int> inputs(50);
    std::iota(inputs.begin(), inputs.end(), 0);
    auto dropped = client.map([&runs](int x) {
      ++runs;
      return x;
    }, inputs);
    auto dependent = client.submit([&runs](int x, int y) {
      ++runs;
      return x + y;
    }, blocker, dropped[3]);
  }
  EXPECT_EQ(cluster.scheduler_stats().tasks, 1u);
  gate.open();
  EXPECT_EQ(blocker.result(), 1);
  // One thread: a task submitted now runs after anything still queued.
  EXPECT_EQ(client.submit([] { return 2; }).result(), 2);
  EXPECT_EQ(runs.load(), 0);
  EXPECT_EQ(cluster.worker_stats(0).tasks_executed, 2u);
  blocker = Future<int>();
  expect_everything_released(cluster);
}

TEST(Release, DroppingTheClientsFuturesReleasesAcrossClients) {
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 1});
  {
    Client a(cluster);
    Client b(cluster);
    Graph g1, g2;
    const Key shared = Key::from_name("release-test-shared");
    g1.add_task(tessera::TaskSpec{shared, "shared", {}, std::make_shared<tessera::LiteralRunner>(tessera::Value::make(9))});
    g2.add_task(tessera::TaskSpec{shared, "shared", {}, std::make_shared<tessera::LiteralRunner>(tessera::Value::make(9))});
    auto fa = a.compute(std::move(g1), TaskRef<int>(shared));
    auto fb = b.compute(std::move(g2), TaskRef<int>(shared));
    ASSERT_TRUE(fa.wait_for(10s));
    ASSERT_TRUE(fb.wait_for(10s));
    EXPECT_EQ(fa.result(), 9);
    fa = Future<int>();  // b still holds the key
    EXPECT_EQ(fb.result(), 9);
    EXPECT_EQ(stored_keys(cluster), 1u);
  }
  expect_everything_released(cluster);
}

}  // namespace
}  // namespace release_tests
