// run_inline: the synchronous path runs what the outputs need, in dependency order, and
// fails the way a future would.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include <tessera/core/client.hpp>
#include <tessera/core/inline_run.hpp>

namespace {

using tessera::Graph;
using tessera::Key;
using tessera::Value;

TEST(InlineRun, RunsADiamondOnceEachAndOnlyWhatTheOutputsNeed) {
  std::atomic<int> runs{0};
  Graph graph;
  auto root = graph.add("root", [&] { ++runs; return 2; });
  auto left = graph.add("left", [&](int v) { ++runs; return v + 1; }, root);
  auto right = graph.add("right", [&](int v) { ++runs; return v * 10; }, root);
  auto join = graph.add("join", [&](int a, int b) { ++runs; return a + b; }, left, right);
  graph.add("unused", [&] { ++runs; return 0; });
  const Key wanted[] = {join.key(), left.key()};
  ASSERT_TRUE(tessera::can_run_inline(graph, wanted, 16));
  std::vector<Value> values = tessera::run_inline(graph, wanted);
  EXPECT_EQ(values[0].get<int>(), 23);
  EXPECT_EQ(values[1].get<int>(), 3);
  EXPECT_EQ(runs.load(), 4);
}

TEST(InlineRun, AFailingTaskThrowsTheTaskErrorItsFutureWould) {
  Graph graph;
  auto bad = graph.add("bad", []() -> int { throw std::invalid_argument("no good"); });
  auto after = graph.add("after", [](int v) { return v; }, bad);
  const Key wanted[] = {after.key()};
  try {
    tessera::run_inline(graph, wanted);
    FAIL() << "expected a TaskError";
  } catch (const tessera::TaskError& e) {
    EXPECT_EQ(e.failed_key(), bad.key());
    EXPECT_EQ(e.failed_name(), "bad");
    EXPECT_EQ(e.message(), "no good");
    EXPECT_THROW(std::rethrow_exception(e.original()), std::invalid_argument);
  }
}

TEST(InlineRun, RefusesGraphsItCannotRun) {
  Graph big;
  for (int i = 0; i < 5; ++i) big.add("leaf", [i] { return i; });
  EXPECT_FALSE(tessera::can_run_inline(big, {}, 4));

  tessera::Client client;
  auto outside = client.submit([] { return 1; });
  Graph reads_a_future;
  reads_a_future.add("uses", [](int v) { return v; }, outside);
  EXPECT_FALSE(tessera::can_run_inline(reads_a_future, {}, 16));

  Graph missing;
  missing.add_task(tessera::TaskSpec{Key::unique(), "orphan", {Key::unique()}, nullptr});
  EXPECT_FALSE(tessera::can_run_inline(missing, {}, 16));
  const Key unknown[] = {Key::unique()};
  EXPECT_FALSE(tessera::can_run_inline(Graph{}, unknown, 16));
  EXPECT_THROW(tessera::run_inline(Graph{}, unknown), tessera::ValueError);
}

}  // namespace
