#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include <tessera/tessera.hpp>

namespace {

using tessera::Client;
using tessera::LocalCluster;
using tessera::LocalClusterOptions;

TEST(Client, SubmitReturnsTheFunctionsResult) {
  Client client(LocalCluster({.n_workers = 1, .threads_per_worker = 2}));
  auto f = client.submit([](int a, int b) { return a + b; }, 2, 40);
  EXPECT_EQ(f.result(), 42);
  EXPECT_EQ(f.status(), tessera::FutureStatus::finished);
}

TEST(Client, FutureArgumentsBecomeDependencies) {
  Client client(LocalCluster({.n_workers = 2, .threads_per_worker = 1}));
  auto a = client.submit([](int x) { return x + 1; }, 1);
  auto b = client.submit([](int x, int y) { return x * y; }, a, 10);
  auto c = client.submit([](int x, int y) { return x - y; }, b, a);  // a used twice in the graph
  EXPECT_EQ(b.result(), 20);
  EXPECT_EQ(c.result(), 18);
}

TEST(Client, SameFutureTwiceInOneCallIsOneDependency) {
  Client client(LocalCluster({.n_workers = 1, .threads_per_worker = 1}));
  auto a = client.submit([] { return 7; });
  auto b = client.submit([](int x, int y) { return x * y; }, a, a);
  EXPECT_EQ(b.result(), 49);
}

TEST(Client, MapOverValuesAndFutures) {
  Client client(LocalCluster({.n_workers = 2, .threads_per_worker = 2}));
  std::vector<int> inputs(100);
  std::iota(inputs.begin(), inputs.end(), 0);
  auto squares = client.map([](int x) { return x * x; }, inputs);
  auto plus_one = client.map([](int x) { return x + 1; }, squares);
  auto values = client.gather(plus_one);
  ASSERT_EQ(values.size(), inputs.size());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(values[static_cast<std::size_t>(i)], i * i + 1) << "i=" << i;
}

TEST(Client, VoidTasksAndNonTrivialValues) {
  Client client(LocalCluster({.n_workers = 1, .threads_per_worker = 2}));
  auto text = client.submit([](const std::string& s) { return s + " world"; }, std::string("hello"));
  auto vec = client.submit([](const std::string& s) { return std::vector<double>(s.size(), 0.5); }, text);
  auto nothing = client.submit([](const std::vector<double>& v) { (void)v; }, vec);
  EXPECT_EQ(text.result(), "hello world");
  EXPECT_EQ(vec.result(), std::vector<double>(11, 0.5));
  nothing.result();
  EXPECT_EQ(nothing.status(), tessera::FutureStatus::finished);
}

TEST(Client, ScatterPlacesDataUsableAsInputs) {
  LocalCluster cluster({.n_workers = 3, .threads_per_worker = 1});
  Client client(cluster);
  auto data = client.scatter(std::vector<std::vector<int>>{{1, 2}, {3, 4, 5}, {6}});
  ASSERT_EQ(data.size(), 3u);
  auto sums = client.map([](const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); }, data);
  EXPECT_EQ(client.gather(sums), (std::vector<int>{3, 12, 6}));
  EXPECT_EQ(data[1].result(), (std::vector<int>{3, 4, 5}));
}

TEST(Client, WaitAndAsCompletedYieldEveryFutureOnce) {
  Client client(LocalCluster({.n_workers = 1, .threads_per_worker = 1}));
  // Completion is reported after the scheduler lets go of its lock, by whichever thread
  // handled it, so neighbours may be yielded in either order; each comes exactly once.
  // (AsCompletedReturnsFastTasksBeforeSlowOnes checks the order where it is certain.)
  std::vector<tessera::Future<int>> futures;
  for (int i = 0; i < 20; ++i) futures.push_back(client.submit([](int x) { return x; }, i));
  std::vector<int> seen;
  for (const auto& f : client.as_completed(futures)) seen.push_back(f.result());
  std::vector<int> expected(20);
  std::iota(expected.begin(), expected.end(), 0);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, expected);
  client.wait(futures);
  for (const auto& f : futures) EXPECT_TRUE(f.done());
}

TEST(Client, AsCompletedReturnsFastTasksBeforeSlowOnes) {
  Client client(LocalCluster({.n_workers = 1, .threads_per_worker = 2}));
  std::atomic<bool> release_slow{false};
  auto slow = client.submit([&release_slow] {
    while (!release_slow.load()) std::this_thread::yield();
    return 1;
  });
  auto fast = client.submit([] { return 2; });
  auto completed = client.as_completed(std::vector<tessera::Future<int>>{slow, fast});
  auto first = completed.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->result(), 2);
  release_slow = true;
  auto second = completed.next();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->result(), 1);
  EXPECT_FALSE(completed.next().has_value());
}

TEST(Client, ResultOfWrongTypeIsATypeError) {
  Client client(LocalCluster({.n_workers = 1, .threads_per_worker = 1}));
  auto f = client.submit([] { return 1.5; });
  tessera::Future<tessera::Value> untyped(f.state());
  EXPECT_DOUBLE_EQ(untyped.result().get<double>(), 1.5);
  EXPECT_THROW(untyped.result().get<int>(), tessera::TypeError);
}

TEST(Client, DefaultClientStartsALocalCluster) {
  Client client;
  EXPECT_GE(client.cluster().n_workers(), 1u);
  EXPECT_EQ(client.submit([] { return 3; }).result(), 3);
}

TEST(LocalCluster, RejectsImpossibleOptions) {
  EXPECT_THROW(LocalCluster({.n_workers = 0}), tessera::ValueError);
  EXPECT_THROW(LocalCluster({.n_workers = 1, .worker_saturation = -1.0}), tessera::ValueError);
  LocalCluster cluster({.n_workers = 2});
  EXPECT_THROW(cluster.worker_stats(2), tessera::IndexError);
}

}  // namespace

namespace {

// A task may submit work to the cluster and wait for it, as long as another thread is
// free to run it: the submitting thread must wake that thread (it used to assume it would
// pick the work up itself, and both slept forever).
TEST(Client, ATaskCanSubmitWorkAndWaitForIt) {
  tessera::LocalCluster cluster({.n_workers = 1, .threads_per_worker = 2});
  tessera::Client client(cluster);
  auto inner_client = std::make_shared<tessera::Client>(client);
  auto outer = client.submit(
      [inner_client](int x) { return inner_client->submit([](int y) { return y * 3; }, x).result() + 1; }, 5);
  ASSERT_TRUE(outer.wait_for(std::chrono::seconds(10))) << "the nested task was never run";
  EXPECT_EQ(outer.result(), 16);
}

}  // namespace

namespace {

// Futures do not keep the cluster running: once the client and cluster handles are gone,
// a pending future reads as cancelled and result() throws instead of waiting forever.
TEST(Client, FuturesOutlivingTheirClusterAreCancelled) {
  tessera::Future<int> pending;
  tessera::Future<int> done;
  {
    tessera::LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1});
    tessera::Client client(cluster);
    done = client.submit([] { return 1; });
    ASSERT_EQ(done.result(), 1);
    auto gate = std::make_shared<std::atomic<bool>>(false);
    auto blocker = client.submit([gate] {
      while (!gate->load()) std::this_thread::yield();
      return 0;
    });
    pending = client.submit([](int x) { return x + 1; }, blocker);
    *gate = true;  // let the worker thread finish so that the cluster can stop
  }
  pending.wait();
  EXPECT_TRUE(pending.status() == tessera::FutureStatus::cancelled || pending.status() == tessera::FutureStatus::finished);
  if (pending.status() == tessera::FutureStatus::cancelled) {
    EXPECT_THROW(pending.result(), tessera::CancelledError);
  }
  EXPECT_EQ(done.status(), tessera::FutureStatus::cancelled);  // its result went with the cluster
  EXPECT_THROW(done.result(), tessera::CancelledError);
}

}  // namespace

namespace {

// A task may capture the only remaining Client of its cluster. Dropping the last future
// then forgets the task inside a client operation, which drops the last handle: the
// cluster must be torn down elsewhere, not wait for the very operation that drops it.
TEST(Client, ATaskMayHoldTheLastHandleOfItsCluster) {
  tessera::Future<int> outer;
  {
    tessera::LocalCluster cluster({.n_workers = 1, .threads_per_worker = 2});
    auto captured = std::make_shared<tessera::Client>(cluster);
    outer = captured->submit(
        [captured](int x) { return captured->submit([](int y) { return y * 3; }, x).result() + 1; }, 5);
    ASSERT_EQ(outer.result(), 16);
  }
  outer = tessera::Future<int>();  // forgets the task: its runner held the last Client
  tessera::Client fresh(tessera::LocalCluster({.n_workers = 1, .threads_per_worker = 1}));
  EXPECT_EQ(fresh.submit([] { return 4; }).result(), 4);
}

}  // namespace
