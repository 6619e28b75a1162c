// Seeded random task graphs, chains, wide fans and tree reductions, run on 1, 2 and 4
// workers and checked against a serial evaluation of the same graph in topological
// order. Every task returns combine(index, inputs), which is sensitive to every input
// and its position, so a wrong, stale, missing or reordered input shows in the result.
// Results must not depend on the worker count, and every task runs exactly once.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <sstream>
#include <ostream>
#include <string>
#include <vector>

#include <tessera/tessera.hpp>

#include "core/runtime_helpers.hpp"
#include "test_support.hpp"

namespace {

using tessera::Client;
using tessera::Graph;
using tessera::Key;
using tessera::LocalCluster;
using tessera::TaskSpec;
using tessera::testing::combine;
using tessera::testing::MixRunner;
using tessera::testing::scaled;

// A DAG over tasks 0..n-1 whose dependencies always have smaller indices, so index order
// is a topological order.
struct Dag {
  std::string shape;
  std::uint64_t seed = 0;
  std::vector<std::vector<std::uint32_t>> deps;
  std::vector<std::uint32_t> outputs;  // tasks whose futures the test asks for

  std::size_t size() const { return deps.size(); }

  // The serial reference: every task evaluated once, in index order.
  std::vector<std::uint64_t> evaluate() const {
    std::vector<std::uint64_t> values(deps.size());
    std::vector<std::uint64_t> inputs;
    for (std::size_t i = 0; i < deps.size(); ++i) {
      inputs.clear();
      for (std::uint32_t d : deps[i]) inputs.push_back(values[d]);
      values[i] = combine(i, inputs);
    }
    return values;
  }
};

// Mostly local dependencies (the last 64 tasks), sometimes far ones; some new roots.
// Outputs: every sink plus a random sample of interior tasks.
Dag random_dag(std::size_t n, std::uint64_t seed) {
  Dag dag;
  dag.shape = "random";
  dag.seed = seed;
  dag.deps.resize(n);
  std::mt19937_64 rng(seed);
  std::vector<char> has_dependent(n, 0);
  for (std::size_t i = 1; i < n; ++i) {
    const std::size_t roll = rng() % 20;
    const std::size_t k = roll < 2 ? 0 : std::min<std::size_t>(i, 1 + roll % 4);
    auto& d = dag.deps[i];
    while (d.size() < k) {
      const std::size_t window = std::min<std::size_t>(i, 64);
      const auto dep = static_cast<std::uint32_t>(rng() % 8 == 0 ? rng() % i : i - 1 - rng() % window);
      if (std::find(d.begin(), d.end(), dep) == d.end()) d.push_back(dep);  // listed once
    }
    for (std::uint32_t dep : d) has_dependent[dep] = 1;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!has_dependent[i] || rng() % 100 == 0) dag.outputs.push_back(static_cast<std::uint32_t>(i));
  }
  return dag;
}

// 0 ← 1 ← 2 ← ... ← n-1; the end and a few points along the way are outputs.
Dag chain_dag(std::size_t n) {
  Dag dag;
  dag.shape = "chain";
  dag.deps.resize(n);
  for (std::size_t i = 1; i < n; ++i) dag.deps[i] = {static_cast<std::uint32_t>(i - 1)};
  if (n > 0) dag.outputs = {static_cast<std::uint32_t>(n - 1), static_cast<std::uint32_t>(n / 2)};
  return dag;
}

// One root, `width` tasks reading it, one task reading all of them.
Dag fan_dag(std::size_t width) {
  Dag dag;
  dag.shape = "fan";
  dag.deps.resize(width + 2);
  std::vector<std::uint32_t> all;
  for (std::size_t i = 1; i <= width; ++i) {
    dag.deps[i] = {0};
    all.push_back(static_cast<std::uint32_t>(i));
  }
  dag.deps[width + 1] = all;
  dag.outputs = {static_cast<std::uint32_t>(width + 1), 0};
  return dag;
}

// Pairwise reduction of `leaves` leaves; an odd task out at a level moves up unchanged.
Dag tree_dag(std::size_t leaves) {
  Dag dag;
  dag.shape = "tree";
  dag.deps.resize(leaves);
  std::vector<std::uint32_t> level(leaves);
  for (std::size_t i = 0; i < leaves; ++i) level[i] = static_cast<std::uint32_t>(i);
  while (level.size() > 1) {
    std::vector<std::uint32_t> next;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
      dag.deps.push_back({level[i], level[i + 1]});
      next.push_back(static_cast<std::uint32_t>(dag.deps.size() - 1));
    }
    if (level.size() % 2 == 1) next.push_back(level.back());
    level.swap(next);
  }
  if (!level.empty()) dag.outputs = {level.front()};
  return dag;
}

struct Config {
  std::size_t workers;
  std::size_t threads;
  bool work_stealing = true;
};

// Readable (and deterministic: no padding bytes) parameter names in test listings.
void PrintTo(const Config& config, std::ostream* os) {
  *os << config.workers << " worker(s) x " << config.threads << " thread(s), stealing "
      << (config.work_stealing ? "on" : "off");
}

std::string describe(const Dag& dag, const Config& config) {
  std::ostringstream out;
  out << dag.shape << " dag, seed " << dag.seed << ", " << dag.size() << " tasks, " << dag.outputs.size()
      << " outputs, " << config.workers << " worker(s) x " << config.threads << " thread(s), work stealing "
      << (config.work_stealing ? "on" : "off");
  return out.str();
}

// Runs `dag` on a fresh cluster and checks every output against the serial evaluation,
// that each task ran exactly once, and that everything is released afterwards.
void check_dag(const Dag& dag, const Config& config) {
  SCOPED_TRACE(describe(dag, config));
  const std::vector<std::uint64_t> expected = dag.evaluate();
  LocalCluster cluster(
      {.n_workers = config.workers, .threads_per_worker = config.threads, .work_stealing = config.work_stealing});
  Client client(cluster);

  const std::size_t n = dag.size();
  auto executions = std::make_unique<std::atomic<std::uint32_t>[]>(n);
  std::vector<Key> keys(n);
  for (auto& key : keys) key = Key::unique();
  Graph graph;
  graph.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<Key> deps;
    deps.reserve(dag.deps[i].size());
    for (std::uint32_t d : dag.deps[i]) deps.push_back(keys[d]);
    graph.add_task(TaskSpec{keys[i], "dag-" + std::to_string(i), std::move(deps),
                            std::make_shared<MixRunner>(i, &executions[i])});
  }
  std::vector<Key> output_keys;
  for (std::uint32_t o : dag.outputs) output_keys.push_back(keys[o]);

  {
    auto futures = client.compute(std::move(graph), std::span<const Key>(output_keys));
    ASSERT_EQ(futures.size(), output_keys.size());
    std::vector<tessera::Value> values;
    try {
      values = client.gather(futures);
    } catch (const std::exception& e) {
      FAIL() << "gather threw: " << e.what();  // reported with the trace above
    }
    std::size_t wrong = 0;
    for (std::size_t j = 0; j < values.size(); ++j) {
      const std::uint32_t task = dag.outputs[j];
      if (values[j].get<std::uint64_t>() != expected[task] && wrong++ < 5) {
        ADD_FAILURE() << "task " << task << ": got " << values[j].get<std::uint64_t>() << ", expected " << expected[task];
      }
    }
    EXPECT_EQ(wrong, 0u) << "outputs with a wrong value";
  }
  std::size_t not_once = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t runs = executions[i].load();
    if (runs != 1 && not_once++ < 5) ADD_FAILURE() << "task " << i << " ran " << runs << " times";
  }
  EXPECT_EQ(not_once, 0u) << "tasks that did not run exactly once";

  // Futures dropped: the scheduler forgets everything and the workers hold nothing.
  EXPECT_TRUE(tessera::testing::released_eventually(cluster)) << tessera::testing::leftovers(cluster);
  std::size_t executed = 0;
  for (std::size_t w = 0; w < cluster.n_workers(); ++w) executed += cluster.worker_stats(w).tasks_executed;
  EXPECT_EQ(executed, n);
}

// The suite runs with work stealing off: with it on, large graphs on several workers
// sometimes fail (see RandomDagWithStealing below). Turn it back on once that is fixed.
class RandomDag : public ::testing::TestWithParam<Config> {};

TEST_P(RandomDag, EdgeAndSmallSizesMatchSerialEvaluation) {
  const std::uint64_t seed = tessera::testing::test_seed();
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> sizes = {0, 1, 2, 3, 63, 64, 65};
  for (int i = 0; i < 4; ++i) sizes.push_back(1 + rng() % 3000);
  for (std::size_t k = 0; k < sizes.size(); ++k) check_dag(random_dag(sizes[k], seed + k), GetParam());
}

TEST_P(RandomDag, LargeGraphMatchesSerialEvaluation) {
  check_dag(random_dag(scaled(100000, 1000), tessera::testing::test_seed() + 1000), GetParam());
}

TEST_P(RandomDag, LongChain) { check_dag(chain_dag(scaled(20000, 100)), GetParam()); }

TEST_P(RandomDag, WideFanOutThenFanIn) { check_dag(fan_dag(scaled(20000, 100)), GetParam()); }

TEST_P(RandomDag, TreeReduction) {
  // Odd leaf counts leave a task out at some levels; a power of two does not.
  check_dag(tree_dag(scaled(50001, 101)), GetParam());
  check_dag(tree_dag(1024), GetParam());
  check_dag(tree_dag(1), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Workers, RandomDag,
                         ::testing::Values(Config{1, 1}, Config{1, 2}, Config{2, 1}, Config{2, 2}, Config{4, 1},
                                           Config{4, 2}),
                         [](const ::testing::TestParamInfo<Config>& param_info) {
                           return "w" + std::to_string(param_info.param.workers) + "t" + std::to_string(param_info.param.threads);
                         });

TEST(RandomDagWithStealing, LargeGraphsOnFourWorkers) {
  const std::uint64_t seed = tessera::testing::test_seed() + 2000;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int round = 0; round < 20 && std::chrono::steady_clock::now() < deadline; ++round) {
    check_dag(random_dag(scaled(100000, 1000), seed + static_cast<std::uint64_t>(round)), Config{4, 2, true});
    if (HasFailure()) break;
  }
}

}  // namespace
