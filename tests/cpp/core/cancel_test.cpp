// Cancellation: cancelled futures and their dependents' futures throw CancelledError,
// dependencies nobody else needs are released, shared ones survive, a running task
// finishes but its result is dropped. Tasks are held back behind gates the test opens;
// with one worker thread the order of execution is known.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <tessera/tessera.hpp>

#include "core/runtime_helpers.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using tessera::CancelledError;
using tessera::Client;
using tessera::Future;
using tessera::FutureStatus;
using tessera::Graph;
using tessera::LocalCluster;
using tessera::TaskRef;
using tessera::testing::Gate;
using tessera::testing::OpenOnExit;
using tessera::testing::leftovers;
using tessera::testing::released_eventually;
using tessera::testing::stored_keys;

// Waits (bounded) and checks that the future was cancelled.
template <class T>
void expect_cancelled(const Future<T>& f) {
  ASSERT_TRUE(f.wait_for(10s)) << "'" << f.name() << "' did not complete after cancel";
  EXPECT_EQ(f.status(), FutureStatus::cancelled) << f.name();
  EXPECT_TRUE(f.done());
  EXPECT_THROW((void)f.result(), CancelledError) << f.name();
}

TEST(Cancel, PendingTaskAndItsDependentsAreCancelledAndInputsReleased) {
  std::atomic<int> input_runs{0}, cancelled_runs{0};
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  Gate gate;
  OpenOnExit open_gate(gate);

  // The only worker thread is busy behind the gate; everything else waits.
  auto blocker = tessera::testing::submit_behind(client, gate, 1);
  Graph g;
  auto input = g.add("input", [&input_runs] {
    ++input_runs;
    return 10;
  });
  auto target = g.add("target", [&cancelled_runs](int x) {
    ++cancelled_runs;
    return x + 1;
  }, input);
  auto future = client.compute(std::move(g), target);
  auto child = client.submit([&cancelled_runs](int x) {
    ++cancelled_runs;
    return x * 2;
  }, future);
  auto grandchild = client.submit([&cancelled_runs](int x) {
    ++cancelled_runs;
    return x * 3;
  }, child);
  EXPECT_FALSE(future.done());

  client.cancel(future);
  // Cancelled at once, without waiting for the gate.
  expect_cancelled(future);
  expect_cancelled(child);
  expect_cancelled(grandchild);
  // Only the blocker is left: `input` was needed by nobody else and is forgotten.
  EXPECT_EQ(cluster.scheduler_stats().tasks, 1u);

  gate.open();
  EXPECT_EQ(blocker.result(), 1);
  EXPECT_EQ(input_runs.load(), 0);
  EXPECT_EQ(cancelled_runs.load(), 0);
  EXPECT_EQ(stored_keys(cluster), 1u);  // the blocker's result
  EXPECT_EQ(cluster.worker_stats(0).tasks_executed, 1u);
  blocker = Future<int>();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
  // Cancelled futures are harmless to drop and the client keeps working.
  future = Future<int>();
  child = Future<int>();
  EXPECT_EQ(client.submit([](int x) { return x + 1; }, 41).result(), 42);
}

TEST(Cancel, SharedDependencyStillNeededSurvives) {
  std::atomic<int> shared_runs{0};
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 1});
  Client client(cluster);
  Gate gate;
  OpenOnExit open_gate(gate);

  Graph g;
  auto shared = g.add("shared", [gate, &shared_runs] {
    gate.wait();
    ++shared_runs;
    return std::vector<int>{1, 2, 3};
  });
  auto doomed = g.add("doomed", [](const std::vector<int>& v) { return static_cast<int>(v.size()); }, shared);
  auto kept = g.add("kept", [](const std::vector<int>& v) { return v[0] + v[1] + v[2]; }, shared);
  auto futures = client.compute(std::move(g), std::vector<TaskRef<int>>{doomed, kept});
  client.cancel(futures[0]);
  expect_cancelled(futures[0]);
  EXPECT_FALSE(futures[1].done());

  gate.open();
  EXPECT_EQ(futures[1].result(), 6);
  EXPECT_EQ(shared_runs.load(), 1);
  futures.clear();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
}

TEST(Cancel, SeveralFuturesAtOnceAmongOthers) {
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 1});
  Client client(cluster);
  Gate gate;
  OpenOnExit open_gate(gate);
  auto root = tessera::testing::submit_behind(client, gate, 5);
  std::vector<Future<int>> futures;
  for (int i = 0; i < 20; ++i) futures.push_back(client.submit([i](int r) { return r * i; }, root));
  std::vector<Future<int>> to_cancel;
  for (int i = 0; i < 20; i += 2) to_cancel.push_back(futures[static_cast<std::size_t>(i)]);
  client.cancel(to_cancel);
  gate.open();
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE("future " + std::to_string(i));
    const auto& f = futures[static_cast<std::size_t>(i)];
    if (i % 2 == 0) {
      expect_cancelled(f);
    } else {
      EXPECT_EQ(f.result(), 5 * i);
    }
  }
  EXPECT_THROW(client.gather(futures), CancelledError);
  to_cancel.clear();
  futures.clear();
  root = Future<int>();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
}

TEST(Cancel, RunningTaskFinishesButItsResultIsDropped) {
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  Gate gate;
  OpenOnExit open_gate(gate);
  auto running = client.submit([gate, &started, &finished] {
    started = true;
    gate.wait();
    finished = true;
    return std::vector<double>(1000, 1.0);
  });
  auto dependent = client.submit([](const std::vector<double>& v) { return v.size(); }, running);
  ASSERT_TRUE(tessera::testing::wait_for_flag(started));

  client.cancel(running);
  expect_cancelled(running);
  expect_cancelled(dependent);
  EXPECT_FALSE(finished.load());

  gate.open();
  // One thread: the next task runs only after the cancelled one has returned and its
  // result has been dealt with.
  auto next = client.submit([] { return 7; });
  EXPECT_EQ(next.result(), 7);
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(cluster.worker_stats(0).tasks_executed, 2u);
  EXPECT_EQ(stored_keys(cluster), 1u) << "the cancelled task's result was kept";
  EXPECT_EQ(running.status(), FutureStatus::cancelled);
  next = Future<int>();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
}

TEST(Cancel, CancellingAFinishedFuture) {
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  auto f = client.submit([] { return 5; });
  ASSERT_EQ(f.result(), 5);
  client.cancel(f);
  // Cancelling a finished future releases its result and makes it read as cancelled
  // (as in dask.distributed); status and result() agree.
  EXPECT_EQ(f.status(), FutureStatus::cancelled);
  EXPECT_THROW(f.result(), CancelledError);
  f = Future<int>();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
  EXPECT_EQ(client.submit([] { return 6; }).result(), 6);
}

TEST(Cancel, CancellingAFinishedFutureCancelsItsPendingDependents) {
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  Gate gate;
  OpenOnExit open_gate(gate);
  auto done = client.submit([] { return 5; });
  ASSERT_TRUE(done.wait_for(10s));
  auto blocker = tessera::testing::submit_behind(client, gate, 0);
  auto pending = client.submit([](int x, int) { return x + 1; }, done, blocker);
  client.cancel(done);
  expect_cancelled(pending);
  gate.open();
  EXPECT_EQ(blocker.result(), 0);
  pending = Future<int>();
  done = Future<int>();
  blocker = Future<int>();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
}

TEST(Cancel, CancellingTwiceAndCancellingAnErredFuture) {
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  Gate gate;
  OpenOnExit open_gate(gate);
  auto blocker = tessera::testing::submit_behind(client, gate, 0);
  auto pending = client.submit([](int x) { return x; }, blocker);
  client.cancel(pending);
  client.cancel(pending);
  expect_cancelled(pending);
  gate.open();
  EXPECT_EQ(blocker.result(), 0);

  auto failed = client.submit([]() -> int { throw std::runtime_error("boom"); });
  ASSERT_TRUE(failed.wait_for(10s));
  client.cancel(failed);
  // Cancelling ends a failed future too (as in dask.distributed): it reads as cancelled.
  EXPECT_EQ(failed.status(), FutureStatus::cancelled);
  EXPECT_THROW(failed.result(), tessera::CancelledError);
  failed = Future<int>();
  pending = Future<int>();
  blocker = Future<int>();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
}

}  // namespace

namespace {

// A dependent dropped before it ran is forgotten and its slot reused by the next task;
// the dependencies must not keep the old slot as a dependent (that dispatched the new
// task early, before its second input existed, and aborted the process).
TEST(Release, ADroppedDependentsSlotIsReusedSafely) {
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 2});
  Client client(cluster);
  Gate first_gate, second_gate;
  OpenOnExit open_first(first_gate), open_second(second_gate);
  auto x = tessera::testing::submit_behind(client, first_gate, 20);
  auto y = tessera::testing::submit_behind(client, second_gate, 22);
  { auto dropped = client.submit([](int a, int b) { return a + b; }, x, y); }
  auto sum = client.submit([](int a, int b) { return a + b; }, x, y);
  first_gate.open();
  ASSERT_TRUE(x.wait_for(10s));
  EXPECT_FALSE(sum.wait_for(50ms)) << "the sum ran before its second input was computed";
  second_gate.open();
  EXPECT_EQ(sum.result(), 42);
}

// Computing a key again after its future was cancelled gives a future that finishes.
TEST(Cancel, ComputingAKeyAgainAfterCancelGivesAWorkingFuture) {
  LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
  Client client(cluster);
  const tessera::Key key = tessera::Key::from_name("cancel-test-recompute");
  auto graph_of_key = [key] {
    Graph g;
    g.add_task(tessera::TaskSpec{key, "recompute", {}, std::make_shared<tessera::LiteralRunner>(tessera::Value::make(7))});
    return g;
  };
  auto first = client.compute(graph_of_key(), TaskRef<int>(key));
  ASSERT_TRUE(first.wait_for(10s));
  client.cancel(first);
  expect_cancelled(first);
  auto again = client.compute(graph_of_key(), TaskRef<int>(key));
  EXPECT_EQ(again.result(), 7);
  EXPECT_EQ(first.status(), FutureStatus::cancelled);  // the old handle stays cancelled
}

}  // namespace
