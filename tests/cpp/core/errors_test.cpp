// Errors: tasks that raise (their futures and their dependents' futures throw TaskError
// naming the task that raised), and bad arguments (ValueError / IndexError), none of
// which may crash, hang or leave the client unusable.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include <tessera/tessera.hpp>

#include "core/runtime_helpers.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using tessera::Client;
using tessera::Future;
using tessera::FutureStatus;
using tessera::Graph;
using tessera::Key;
using tessera::LocalCluster;
using tessera::TaskError;
using tessera::TaskOptions;
using tessera::TaskRef;
using tessera::TaskSpec;
using tessera::Value;
using tessera::testing::leftovers;
using tessera::testing::released_eventually;
using tessera::testing::stored_keys;

struct CustomError : std::logic_error {
  using std::logic_error::logic_error;
};

// The client still computes correct values (a small map and a chain).
void expect_client_works(Client& client) {
  std::vector<int> inputs(20);
  std::iota(inputs.begin(), inputs.end(), 0);
  auto squares = client.map([](int x) { return x * x; }, inputs);
  auto total = client.submit([](int a, int b) { return a + b; }, squares[3], squares[4]);
  const auto values = client.gather(squares);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(values[static_cast<std::size_t>(i)], i * i);
  EXPECT_EQ(total.result(), 25);
}

// The TaskError that `f.result()` throws (a failed expectation when it throws something else).
template <class T>
std::optional<TaskError> task_error_of(const Future<T>& f) {
  if (!f.wait_for(10s)) {
    ADD_FAILURE() << "future of '" << f.name() << "' did not complete";
    return std::nullopt;
  }
  try {
    (void)f.result();
  } catch (const TaskError& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "'" << f.name() << "' threw " << tessera::demangle(typeid(e)) << ": " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE() << "'" << f.name() << "' did not throw";
  return std::nullopt;
}

TEST(TaskErrors, ARaisingTaskErrsWithItsNameAndMessage) {
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 1});
  Client client(cluster);
  auto boom = client.submit(TaskOptions{.name = "boom"}, []() -> int { throw std::runtime_error("boom"); });
  auto error = task_error_of(boom);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(boom.status(), FutureStatus::error);
  EXPECT_TRUE(boom.done());
  EXPECT_EQ(error->failed_key(), boom.key());
  EXPECT_EQ(error->failed_name(), boom.name());
  EXPECT_EQ(error->failed_name().rfind("boom-", 0), 0u) << error->failed_name();
  EXPECT_EQ(error->message(), "boom");
  EXPECT_EQ(error->exception_type(), "std::runtime_error");
  const std::string what = error->what();
  EXPECT_NE(what.find(boom.name()), std::string::npos) << what;
  EXPECT_NE(what.find("boom"), std::string::npos) << what;

  ASSERT_TRUE(error->original());
  try {
    std::rethrow_exception(error->original());
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  } catch (...) {
    ADD_FAILURE() << "original() holds something other than the std::runtime_error";
  }
  // Asking again gives the same answer.
  EXPECT_THROW(boom.result(), TaskError);
  EXPECT_THROW(client.gather(std::vector<Future<int>>{boom}), TaskError);
  expect_client_works(client);
}

TEST(TaskErrors, DependentsNameTheOriginalFailure) {
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 2});
  Client client(cluster);
  auto ok = client.submit(TaskOptions{.name = "ok"}, [] { return 1; });
  auto boom = client.submit(TaskOptions{.name = "boom"}, [](int) -> int { throw std::runtime_error("boom"); }, ok);
  auto child = client.submit(TaskOptions{.name = "child"}, [](int x, int y) { return x + y; }, boom, ok);
  auto grandchild = client.submit(TaskOptions{.name = "grandchild"}, [](int x) { return x * 2; }, child);
  auto sibling = client.submit(TaskOptions{.name = "sibling"}, [](int x) { return x + 100; }, ok);

  for (const Future<int>* f : {&boom, &child, &grandchild}) {
    SCOPED_TRACE("future " + f->name());
    auto error = task_error_of(*f);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(f->status(), FutureStatus::error);
    EXPECT_EQ(error->failed_key(), boom.key());
    EXPECT_EQ(error->failed_name(), boom.name());
    EXPECT_EQ(error->message(), "boom");
    EXPECT_EQ(error->exception_type(), "std::runtime_error");
    const std::string what = error->what();
    EXPECT_NE(what.find(f->name()), std::string::npos) << what;
    EXPECT_NE(what.find(boom.name()), std::string::npos) << what;
    ASSERT_TRUE(error->original());
    EXPECT_THROW(std::rethrow_exception(error->original()), std::runtime_error);
  }
  EXPECT_EQ(sibling.result(), 101);
  EXPECT_EQ(ok.result(), 1);
  expect_client_works(client);
}

TEST(TaskErrors, UnrelatedTasksInTheSameGraphFinish) {
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 2});
  Client client(cluster);
  Graph g;
  auto root = g.literal("root", 3);
  std::vector<TaskRef<int>> outputs;
  std::vector<int> expected;
  const int bad = 7;
  for (int i = 0; i < 20; ++i) {
    outputs.push_back(g.add("branch-" + std::to_string(i),
                            [i](int r) {
                              if (i == bad) throw std::runtime_error("branch 7 failed");
                              return r * i;
                            },
                            root));
    expected.push_back(3 * i);
  }
  // A task reading the bad branch and a good one, and one reading only good branches.
  outputs.push_back(g.add("mixed", [](int a, int b) { return a + b; }, outputs[bad], outputs[1]));
  outputs.push_back(g.add("good", [](int a, int b) { return a + b; }, outputs[2], outputs[3]));
  auto futures = client.compute(std::move(g), outputs);
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE("branch " + std::to_string(i));
    const auto& f = futures[static_cast<std::size_t>(i)];
    if (i == bad) {
      auto error = task_error_of(f);
      ASSERT_TRUE(error.has_value());
      EXPECT_EQ(error->failed_name(), "branch-7");
      EXPECT_EQ(error->message(), "branch 7 failed");
    } else {
      EXPECT_EQ(f.result(), expected[static_cast<std::size_t>(i)]);
    }
  }
  auto mixed_error = task_error_of(futures[20]);
  ASSERT_TRUE(mixed_error.has_value());
  EXPECT_EQ(mixed_error->failed_key(), outputs[bad].key());
  EXPECT_EQ(futures[21].result(), 3 * 2 + 3 * 3);
  EXPECT_THROW(client.gather(futures), TaskError);  // gather throws the first error
  EXPECT_EQ(cluster.scheduler_stats().erred, 2u);
  futures.clear();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
  expect_client_works(client);
}

TEST(TaskErrors, NonStandardExceptionsAreReported) {
  Client client(LocalCluster({.n_workers = 1, .threads_per_worker = 1}));
  auto f = client.submit(TaskOptions{.name = "int"}, []() -> int { throw 42; });
  auto child = client.submit([](int x) { return x; }, f);
  auto error = task_error_of(f);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->failed_key(), f.key());
  EXPECT_FALSE(error->exception_type().empty());
  EXPECT_FALSE(error->message().empty());
  ASSERT_TRUE(error->original());
  try {
    std::rethrow_exception(error->original());
  } catch (int value) {
    EXPECT_EQ(value, 42);
  } catch (...) {
    ADD_FAILURE() << "original() does not hold the int";
  }
  auto child_error = task_error_of(child);
  ASSERT_TRUE(child_error.has_value());
  EXPECT_EQ(child_error->failed_key(), f.key());
  expect_client_works(client);
}

TEST(TaskErrors, ExceptionTypesAndTesseraErrorsInsideTasks) {
  Client client(LocalCluster({.n_workers = 1, .threads_per_worker = 2}));
  auto custom = client.submit([]() -> int { throw CustomError("custom"); });
  auto custom_error = task_error_of(custom);
  ASSERT_TRUE(custom_error.has_value());
  EXPECT_NE(custom_error->exception_type().find("CustomError"), std::string::npos) << custom_error->exception_type();
  EXPECT_EQ(custom_error->message(), "custom");
  EXPECT_THROW(std::rethrow_exception(custom_error->original()), CustomError);

  // A task reading a result as the wrong type raises TypeError inside the task.
  auto number = client.submit([] { return 1.5; });
  Graph g;
  auto misread = g.add("misread", [](int x) { return x; }, TaskRef<int>(number.key()));
  auto misread_future = client.compute(std::move(g), misread);
  auto type_error = task_error_of(misread_future);
  ASSERT_TRUE(type_error.has_value());
  EXPECT_EQ(type_error->exception_type(), "tessera::TypeError");
  EXPECT_EQ(type_error->failed_name(), "misread");
  EXPECT_THROW(std::rethrow_exception(type_error->original()), tessera::TypeError);
  EXPECT_DOUBLE_EQ(number.result(), 1.5);
  expect_client_works(client);
}

TEST(TaskErrors, ManyFailuresDoNotStopTheCluster) {
  LocalCluster cluster({.n_workers = 2, .threads_per_worker = 2});
  Client client(cluster);
  std::vector<int> inputs(200);
  std::iota(inputs.begin(), inputs.end(), 0);
  auto results = client.map(
      [](int x) {
        if (x % 3 == 0) throw std::runtime_error("multiple of three: " + std::to_string(x));
        return x * 2;
      },
      inputs);
  for (int i = 0; i < 200; ++i) {
    const auto& f = results[static_cast<std::size_t>(i)];
    if (i % 3 == 0) {
      auto error = task_error_of(f);
      ASSERT_TRUE(error.has_value());
      EXPECT_EQ(error->message(), "multiple of three: " + std::to_string(i));
    } else {
      EXPECT_EQ(f.result(), i * 2);
    }
  }
  results.clear();
  EXPECT_TRUE(released_eventually(cluster)) << leftovers(cluster);
  expect_client_works(client);
}

// ---- bad arguments -----------------------------------------------------------------

// The runner of a task that must never run.
std::shared_ptr<tessera::TaskRunner> never_runs() {
  return std::make_shared<tessera::LiteralRunner>(Value::make(0));
}

// Asserts that `f` throws E whose message contains `needle`.
template <class E, class F>
void expect_throw_naming(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "did not throw " << tessera::demangle(typeid(E));
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what() << "\nexpected to name: " << needle;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw " << tessera::demangle(typeid(e)) << " instead of " << tessera::demangle(typeid(E)) << ": " << e.what();
  }
}

class BadArguments : public ::testing::Test {
 protected:
  void TearDown() override {
    // Nothing was half-added, and the client still works.
    EXPECT_TRUE(released_eventually(cluster_)) << leftovers(cluster_);
    expect_client_works(client_);
  }
  LocalCluster cluster_{{.n_workers = 2, .threads_per_worker = 1}};
  Client client_{cluster_};
};

TEST_F(BadArguments, FutureOfAnotherClient) {
  Client other(cluster_);  // same cluster, another client
  LocalCluster other_cluster({.n_workers = 1, .threads_per_worker = 1});
  Client stranger(other_cluster);
  auto mine = client_.submit([] { return 1; });
  auto theirs = other.submit([] { return 2; });
  auto foreign = stranger.submit([] { return 3; });
  expect_throw_naming<tessera::ValueError>([&] { client_.submit([](int x) { return x; }, theirs); }, theirs.name());
  expect_throw_naming<tessera::ValueError>([&] { client_.submit([](int x) { return x; }, foreign); }, foreign.name());
  expect_throw_naming<tessera::ValueError>([&] { client_.map([](int x) { return x; }, std::vector<Future<int>>{mine, theirs}); },
                                           theirs.name());
  expect_throw_naming<tessera::ValueError>(
      [&] {
        Graph g;
        auto t = g.add("t", [](int x) { return x; }, foreign);
        client_.compute(std::move(g), t);
      },
      foreign.name());
  EXPECT_THROW(client_.gather(std::vector<Future<int>>{theirs}), tessera::ValueError);
  EXPECT_THROW(client_.cancel(theirs), tessera::ValueError);
  // The rejected calls left the other clients' futures alone.
  EXPECT_EQ(mine.result(), 1);
  EXPECT_EQ(theirs.result(), 2);
  EXPECT_EQ(foreign.result(), 3);
  EXPECT_EQ(other.submit([](int x) { return x + 1; }, theirs).result(), 3);
}

TEST_F(BadArguments, CycleIsAValueErrorNamingATaskOnIt) {
  const Key a = Key::unique(), b = Key::unique(), c = Key::unique(), head = Key::unique(), tail = Key::unique();
  {
    // tail → head → a → b → c → a: the cycle is a, b, c; head and tail only lead into it.
    Graph g;
    g.add_task(TaskSpec{tail, "tail", {head}, never_runs()});
    g.add_task(TaskSpec{head, "head", {a}, never_runs()});
    g.add_task(TaskSpec{a, "cycle-a", {b}, never_runs()});
    g.add_task(TaskSpec{b, "cycle-b", {c}, never_runs()});
    g.add_task(TaskSpec{c, "cycle-c", {a}, never_runs()});
    try {
      client_.compute(std::move(g), std::vector<Key>{tail});
      ADD_FAILURE() << "a cyclic graph was accepted";
    } catch (const tessera::ValueError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("cycle"), std::string::npos) << what;
      EXPECT_TRUE(what.find("'cycle-a'") != std::string::npos || what.find("'cycle-b'") != std::string::npos ||
                  what.find("'cycle-c'") != std::string::npos)
          << "the message names no task on the cycle: " << what;
    }
  }
  {
    Graph g;  // a task depending on itself
    g.add_task(TaskSpec{a, "self", {a}, never_runs()});
    expect_throw_naming<tessera::ValueError>([&] { client_.compute(std::move(g), std::vector<Key>{a}); }, "'self'");
  }
  {
    Graph g;  // a cycle the outputs do not even need
    g.add_task(TaskSpec{head, "fine", {}, never_runs()});
    g.add_task(TaskSpec{a, "loop-a", {b}, never_runs()});
    g.add_task(TaskSpec{b, "loop-b", {a}, never_runs()});
    expect_throw_naming<tessera::ValueError>([&] { client_.compute(std::move(g), std::vector<Key>{head}); }, "loop-");
  }
}

TEST_F(BadArguments, DependencyOnAnUnknownKey) {
  const Key missing = Key::unique();
  Graph g;
  auto ok = g.literal("ok", 1);
  g.add_task(TaskSpec{Key::unique(), "orphan", {ok.key(), missing}, never_runs()});
  expect_throw_naming<tessera::ValueError>([&] { client_.compute(std::move(g), std::vector<Key>{ok.key()}); },
                                           tessera::to_string(missing));
}

TEST_F(BadArguments, ComputingAKeyNotInTheGraph) {
  const Key missing = Key::unique();
  Graph g;
  auto ok = g.literal("ok", 1);
  expect_throw_naming<tessera::IndexError>(
      [&] { client_.compute(std::move(g), std::vector<Key>{ok.key(), missing}); }, tessera::to_string(missing));
  Graph empty;
  EXPECT_THROW(client_.compute(std::move(empty), TaskRef<int>(missing)), tessera::IndexError);
}

TEST_F(BadArguments, TwoTasksWithOneKey) {
  const Key key = Key::unique();
  Graph g;
  g.add_task(TaskSpec{key, "first", {}, never_runs()});
  g.add_task(TaskSpec{key, "second", {}, never_runs()});
  expect_throw_naming<tessera::ValueError>([&] { client_.compute(std::move(g), std::vector<Key>{key}); },
                                           tessera::to_string(key));
}

TEST_F(BadArguments, RepeatedDependencyAndMissingRunner) {
  Graph g;
  auto ok = g.literal("ok", 1);
  const Key twice = g.add_task(TaskSpec{Key::unique(), "twice", {ok.key(), ok.key()}, never_runs()});
  EXPECT_THROW(client_.compute(std::move(g), std::vector<Key>{twice}), tessera::ValueError);
  Graph h;
  const Key no_runner = h.add_task(TaskSpec{Key::unique(), "no-runner", {}, nullptr});
  expect_throw_naming<tessera::ValueError>([&] { client_.compute(std::move(h), std::vector<Key>{no_runner}); },
                                           "'no-runner'");
}

TEST_F(BadArguments, EmptyFuture) {
  const Future<int> empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_THROW(empty.result(), tessera::ValueError);
  EXPECT_THROW((void)empty.status(), tessera::ValueError);
  EXPECT_THROW((void)empty.key(), tessera::ValueError);
  EXPECT_THROW(empty.wait(), tessera::ValueError);
  EXPECT_THROW(client_.submit([](int x) { return x; }, empty), tessera::ValueError);
  EXPECT_THROW(client_.gather(std::vector<Future<int>>{empty}), tessera::ValueError);
  EXPECT_THROW(client_.wait(std::vector<Future<int>>{empty}), tessera::ValueError);
  EXPECT_THROW(client_.as_completed(std::vector<Future<int>>{empty}), tessera::ValueError);
  EXPECT_THROW(client_.cancel(std::vector<Future<int>>{empty}), tessera::ValueError);
  Graph g;
  EXPECT_THROW(g.add("t", [](int x) { return x; }, empty), tessera::ValueError);
}

TEST_F(BadArguments, CancelOfASingleEmptyFuture) {
  EXPECT_THROW(client_.cancel(Future<int>()), tessera::ValueError);
}

}  // namespace
