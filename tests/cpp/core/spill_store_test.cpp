// SpillStore: put/get/erase/contains, least-recently-accessed spill order under a memory
// limit, exact counters, values intact after reading back, unserializable values kept in
// memory, the spill folder's lifetime, and replacing keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <tessera/core/spill_store.hpp>
#include <tessera/tessera.hpp>

#include "core/runtime_helpers.hpp"
#include "test_support.hpp"

// A value whose spilling waits at a gate, so that a test can act while a move is under way.
struct Gated {
  std::string text;
};

struct Gate {
  std::string held;  // the contents whose writing waits; others pass
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int waiting = 0;
  void pass() {
    std::unique_lock lock(mutex);
    ++waiting;
    changed.notify_all();
    changed.wait(lock, [&] { return open; });
  }
  void wait_for_a_mover() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return waiting > 0; });
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
};
Gate* spill_gate = nullptr;

namespace tessera {
template <>
struct ValueTraits<Gated> {
  static constexpr bool serializable = true;
  static std::size_t nbytes(const Gated&) noexcept { return 1000; }
  static void serialize(const Gated& g, std::vector<std::byte>& out) {
    if (spill_gate != nullptr && spill_gate->held == g.text) spill_gate->pass();
    const auto* p = reinterpret_cast<const std::byte*>(g.text.data());
    out.insert(out.end(), p, p + g.text.size());
  }
  static Gated deserialize(std::span<const std::byte> bytes) {
    return Gated{std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size())};
  }
};
template <>
struct ValueTraits<std::runtime_error> {  // a codec that always fails
  static constexpr bool serializable = true;
  static std::size_t nbytes(const std::runtime_error&) noexcept { return 1000; }
  static void serialize(const std::runtime_error& e, std::vector<std::byte>&) { throw e; }
  static std::runtime_error deserialize(std::span<const std::byte>) { return std::runtime_error("never"); }
};
}  // namespace tessera

namespace spill_store_tests {  // a name of its own: test files compile in batches (tests/cpp/CMakeLists.txt)
namespace {

using tessera::Key;
using tessera::SpillStore;
using tessera::Value;
using tessera::testing::count_files;
using tessera::testing::TempDir;

using Doubles = std::vector<double>;

// Bytes a vector of n doubles accounts for in the store.
constexpr std::size_t nbytes_of(std::size_t n) { return sizeof(Doubles) + n * sizeof(double); }

Doubles make_doubles(std::size_t n, std::uint64_t seed) {
  Doubles v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<double>(seed * 1000003 + i) + 0.25;
  return v;
}

// The stored vector, or a failed expectation naming the key when it is absent.
Doubles doubles_of(SpillStore& store, Key key) {
  std::optional<Value> value = store.get(key);
  EXPECT_TRUE(value.has_value()) << tessera::to_string(key) << " is missing";
  if (!value) return {};
  return value->get<Doubles>();
}

struct Opaque {  // no ValueTraits codec: never spilled
  std::string text;
};

// Counters that must hold whatever happened to the store.
void expect_consistent(SpillStore& store, std::size_t expected_keys, std::size_t expected_bytes,
                       const std::filesystem::path& dir) {
  const auto s = store.stats();
  EXPECT_EQ(s.keys_in_memory + s.keys_on_disk, expected_keys);
  EXPECT_EQ(store.size(), expected_keys);
  EXPECT_EQ(s.bytes_in_memory + s.bytes_on_disk, expected_bytes);
  EXPECT_EQ(count_files(dir), s.keys_on_disk);  // one file per spilled value, no leftovers
}

TEST(SpillStore, PutGetContainsErase) {
  TempDir tmp;
  const auto dir = tmp.path() / "store";
  SpillStore store(1 << 20, dir);
  EXPECT_EQ(store.memory_limit(), std::size_t{1} << 20);
  const Key a = Key::unique(), b = Key::unique();

  EXPECT_FALSE(store.contains(a));
  EXPECT_FALSE(store.get(a).has_value());
  store.erase(a);  // absent: no-op
  EXPECT_EQ(store.size(), 0u);

  store.put(a, Value::make(make_doubles(10, 1)));
  store.put(b, Value::make(std::string("bee")));
  EXPECT_TRUE(store.contains(a));
  EXPECT_TRUE(store.contains(b));
  EXPECT_EQ(doubles_of(store, a), make_doubles(10, 1));
  EXPECT_EQ(store.get(b)->get<std::string>(), "bee");
  expect_consistent(store, 2, nbytes_of(10) + sizeof(std::string) + 3, dir);

  store.erase(a);
  EXPECT_FALSE(store.contains(a));
  EXPECT_FALSE(store.get(a).has_value());
  EXPECT_TRUE(store.contains(b));
  expect_consistent(store, 1, sizeof(std::string) + 3, dir);
  store.erase(b);
  expect_consistent(store, 0, 0, dir);

  const auto s = store.stats();
  EXPECT_EQ(s.spilled_total, 0u);
  EXPECT_EQ(s.unspilled_total, 0u);
  EXPECT_FALSE(std::filesystem::exists(dir)) << "the folder is created at the first spill only";
}

TEST(SpillStore, SpillsTheLeastRecentlyAccessedFirst) {
  TempDir tmp;
  const auto dir = tmp.path() / "store";
  constexpr std::size_t n = 100;  // doubles per value
  SpillStore store(3 * nbytes_of(n), dir);  // room for exactly three values
  const Key a = Key::unique(), b = Key::unique(), c = Key::unique(), d = Key::unique();
  store.put(a, Value::make(make_doubles(n, 1)));
  store.put(b, Value::make(make_doubles(n, 2)));
  store.put(c, Value::make(make_doubles(n, 3)));
  EXPECT_EQ(store.stats().keys_on_disk, 0u);  // exactly at the limit is not over it

  // Reading a makes it the most recently used: b is now the oldest and goes first.
  EXPECT_EQ(doubles_of(store, a), make_doubles(n, 1));
  store.put(d, Value::make(make_doubles(n, 4)));
  auto s = store.stats();
  EXPECT_EQ(s.keys_in_memory, 3u);
  EXPECT_EQ(s.keys_on_disk, 1u);
  EXPECT_EQ(s.bytes_in_memory, 3 * nbytes_of(n));
  EXPECT_EQ(s.bytes_on_disk, nbytes_of(n));
  EXPECT_EQ(s.spilled_total, 1u);
  EXPECT_EQ(s.unspilled_total, 0u);
  EXPECT_EQ(count_files(dir), 1u);

  // a, c and d are in memory: reading them reads nothing back.
  EXPECT_EQ(doubles_of(store, a), make_doubles(n, 1));
  EXPECT_EQ(doubles_of(store, c), make_doubles(n, 3));
  EXPECT_EQ(doubles_of(store, d), make_doubles(n, 4));
  EXPECT_EQ(store.stats().unspilled_total, 0u) << "a, c or d had been spilled instead of b";

  // Reading b brings it back and pushes out the least recently read, a.
  EXPECT_EQ(doubles_of(store, b), make_doubles(n, 2));
  s = store.stats();
  EXPECT_EQ(s.unspilled_total, 1u);
  EXPECT_EQ(s.spilled_total, 2u);
  EXPECT_EQ(s.keys_on_disk, 1u);
  EXPECT_EQ(doubles_of(store, c), make_doubles(n, 3));
  EXPECT_EQ(doubles_of(store, d), make_doubles(n, 4));
  EXPECT_EQ(doubles_of(store, b), make_doubles(n, 2));
  EXPECT_EQ(store.stats().unspilled_total, 1u) << "b, c or d had been spilled instead of a";
  EXPECT_EQ(doubles_of(store, a), make_doubles(n, 1));
  s = store.stats();
  EXPECT_EQ(s.unspilled_total, 2u);
  EXPECT_EQ(s.spilled_total, 3u);  // c, the least recently read now, made room for a
  expect_consistent(store, 4, 4 * nbytes_of(n), dir);
}

TEST(SpillStore, ValuesAreIntactAfterReadBackAndCountersExact) {
  const std::uint64_t seed = tessera::testing::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  TempDir tmp;
  const auto dir = tmp.path() / "store";
  const std::size_t limit = 16 * 1024;
  SpillStore store(limit, dir);

  const std::size_t count = tessera::testing::scaled(400, 50);
  std::vector<Key> keys;
  std::vector<std::size_t> sizes;
  std::size_t total_bytes = 0;
  for (std::size_t i = 0; i < count; ++i) {
    // Edge sizes first (empty, one element, around a page), then random ones below the limit.
    const std::size_t edge[] = {0, 1, 511, 512, 513};
    const std::size_t n = i < std::size(edge) ? edge[i] : rng() % 1500;
    keys.push_back(Key::unique());
    sizes.push_back(n);
    total_bytes += nbytes_of(n);
    store.put(keys.back(), Value::make(make_doubles(n, i)));
    ASSERT_LE(store.stats().bytes_in_memory, limit) << "after put " << i;
  }
  expect_consistent(store, count, total_bytes, dir);
  auto s = store.stats();
  EXPECT_GT(s.keys_on_disk, 0u);
  EXPECT_EQ(s.keys_on_disk, s.spilled_total - s.unspilled_total);

  // Read everything back in a random order, twice.
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  for (int round = 0; round < 2; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t i : order) {
      ASSERT_EQ(doubles_of(store, keys[i]), make_doubles(sizes[i], i)) << "value " << i << ", round " << round;
      ASSERT_LE(store.stats().bytes_in_memory, limit);
    }
  }
  s = store.stats();
  EXPECT_GT(s.unspilled_total, 0u);
  EXPECT_EQ(s.keys_on_disk, s.spilled_total - s.unspilled_total);
  expect_consistent(store, count, total_bytes, dir);

  // Erase half, spilled or not: counters and files follow.
  std::size_t remaining_bytes = total_bytes;
  for (std::size_t i = 0; i < count; i += 2) {
    store.erase(keys[i]);
    remaining_bytes -= nbytes_of(sizes[i]);
  }
  expect_consistent(store, count - (count + 1) / 2, remaining_bytes, dir);
  for (std::size_t i = 1; i < count; i += 2) ASSERT_EQ(doubles_of(store, keys[i]), make_doubles(sizes[i], i)) << i;
  for (std::size_t i = 1; i < count; i += 2) store.erase(keys[i]);
  expect_consistent(store, 0, 0, dir);
  EXPECT_EQ(store.stats().bytes_in_memory, 0u);
}

TEST(SpillStore, AValueLargerThanTheLimitGoesStraightToDiskAndReadsBack) {
  TempDir tmp;
  const auto dir = tmp.path() / "store";
  SpillStore store(64, dir);
  const Key key = Key::unique();
  store.put(key, Value::make(make_doubles(1000, 7)));
  auto s = store.stats();
  EXPECT_EQ(s.keys_on_disk, 1u);
  EXPECT_EQ(s.bytes_in_memory, 0u);
  EXPECT_EQ(doubles_of(store, key), make_doubles(1000, 7));
  s = store.stats();
  EXPECT_EQ(s.unspilled_total, 1u);
  EXPECT_EQ(s.spilled_total, 2u);  // read back, then over the limit again
  EXPECT_EQ(s.keys_on_disk, 1u);
  expect_consistent(store, 1, nbytes_of(1000), dir);
}

TEST(SpillStore, UnserializableValuesStayInMemory) {
  TempDir tmp;
  const auto dir = tmp.path() / "store";
  const std::size_t limit = 2 * sizeof(Opaque);
  SpillStore store(limit, dir);
  std::vector<Key> opaque_keys, vector_keys;
  for (int i = 0; i < 5; ++i) {
    opaque_keys.push_back(Key::unique());
    store.put(opaque_keys.back(), Value::make(Opaque{"opaque-" + std::to_string(i)}));
  }
  auto s = store.stats();
  EXPECT_EQ(s.keys_in_memory, 5u);
  EXPECT_EQ(s.bytes_in_memory, 5 * sizeof(Opaque));  // over the limit: nothing can be spilled
  EXPECT_EQ(s.keys_on_disk, 0u);
  EXPECT_EQ(s.spilled_total, 0u);
  EXPECT_FALSE(std::filesystem::exists(dir));

  // Serializable values arriving while over the limit are spilled around the opaque ones.
  for (int i = 0; i < 3; ++i) {
    vector_keys.push_back(Key::unique());
    store.put(vector_keys.back(), Value::make(make_doubles(8, static_cast<std::uint64_t>(i))));
  }
  s = store.stats();
  EXPECT_EQ(s.keys_in_memory, 5u);
  EXPECT_EQ(s.keys_on_disk, 3u);
  EXPECT_EQ(s.bytes_in_memory, 5 * sizeof(Opaque));
  EXPECT_EQ(s.spilled_total, 3u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(store.get(opaque_keys[static_cast<std::size_t>(i)])->get<Opaque>().text, "opaque-" + std::to_string(i));
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(doubles_of(store, vector_keys[static_cast<std::size_t>(i)]), make_doubles(8, static_cast<std::uint64_t>(i)));
  }
  expect_consistent(store, 8, 5 * sizeof(Opaque) + 3 * nbytes_of(8), dir);
}

TEST(SpillStore, SpillFolderIsRemovedWithTheStore) {
  TempDir tmp;
  const auto dir = tmp.path() / "nested" / "store";
  {
    SpillStore store(nbytes_of(10), dir);
    store.put(Key::unique(), Value::make(make_doubles(10, 1)));
    EXPECT_FALSE(std::filesystem::exists(dir)) << "nothing was spilled yet";
    store.put(Key::unique(), Value::make(make_doubles(10, 2)));
    ASSERT_TRUE(std::filesystem::is_directory(dir));
    EXPECT_EQ(count_files(dir), 1u);
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_TRUE(std::filesystem::exists(tmp.path())) << "only the store's own folder goes";
}

TEST(SpillStore, ReplacingAKeyKeepsOneEntryWithTheNewValue) {
  TempDir tmp;
  const auto dir = tmp.path() / "store";
  constexpr std::size_t n = 50;
  SpillStore store(2 * nbytes_of(n), dir);
  const Key a = Key::unique(), b = Key::unique(), c = Key::unique();

  // In memory: replaced in place, bytes follow the new size.
  store.put(a, Value::make(make_doubles(n, 1)));
  store.put(a, Value::make(make_doubles(n / 2, 2)));
  EXPECT_EQ(doubles_of(store, a), make_doubles(n / 2, 2));
  expect_consistent(store, 1, nbytes_of(n / 2), dir);

  // On disk: the file goes, the new value lives in memory.
  store.put(b, Value::make(make_doubles(n, 3)));
  store.put(c, Value::make(make_doubles(n, 4)));  // over the limit: a (least recently used) spills
  ASSERT_EQ(store.stats().keys_on_disk, 1u);
  ASSERT_EQ(store.stats().spilled_total, 1u);
  store.put(a, Value::make(make_doubles(n, 5)));  // a replaced while on disk; now b spills
  auto s = store.stats();
  EXPECT_EQ(s.unspilled_total, 0u) << "replacing a spilled key must not read it back";
  EXPECT_EQ(s.keys_on_disk, 1u);
  EXPECT_EQ(s.spilled_total, 2u);
  expect_consistent(store, 3, 3 * nbytes_of(n), dir);
  EXPECT_EQ(doubles_of(store, a), make_doubles(n, 5));
  EXPECT_EQ(doubles_of(store, b), make_doubles(n, 3));
  EXPECT_EQ(doubles_of(store, c), make_doubles(n, 4));

  // A different type under the same key.
  store.put(c, Value::make(std::string("now a string")));
  EXPECT_EQ(store.get(c)->get<std::string>(), "now a string");
  EXPECT_THROW(store.get(c)->get<Doubles>(), tessera::TypeError);
  EXPECT_EQ(store.size(), 3u);
}

TEST(SpillStore, ConcurrentUseKeepsValuesAndCounters) {
  const std::uint64_t seed = tessera::testing::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  TempDir tmp;
  const auto dir = tmp.path() / "store";
  SpillStore store(8 * nbytes_of(64), dir);
  constexpr std::size_t kThreads = 4;
  const std::size_t per_thread = tessera::testing::scaled(300, 30);
  std::vector<std::vector<Key>> keys(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed + t);
      for (std::size_t i = 0; i < per_thread; ++i) {
        const Key key = Key::unique();
        const std::uint64_t tag = t * 1000000 + i;
        store.put(key, Value::make(make_doubles(64, tag)));
        keys[t].push_back(key);
        // Read back one of ours at random while the others put and spill.
        const std::size_t j = rng() % keys[t].size();
        auto value = store.get(keys[t][j]);
        if (!value || value->get<Doubles>() != make_doubles(64, t * 1000000 + j)) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
  expect_consistent(store, kThreads * per_thread, kThreads * per_thread * nbytes_of(64), dir);
  for (std::size_t t = 0; t < kThreads; ++t) {
    for (std::size_t i = 0; i < per_thread; ++i) {
      ASSERT_EQ(doubles_of(store, keys[t][i]), make_doubles(64, t * 1000000 + i)) << "thread " << t << " value " << i;
    }
  }
  const auto s = store.stats();
  EXPECT_LE(s.bytes_in_memory, store.memory_limit());
  EXPECT_EQ(s.keys_on_disk, s.spilled_total - s.unspilled_total);
}

// A store with room for one Gated value, holding `first`; putting `second` spills the
// first, whose write waits at the gate until finish(): a move caught under way.
struct SpillCaughtAtTheGate {
  explicit SpillCaughtAtTheGate(const std::string& first_text) {
    gate.held = first_text;
    spill_gate = &gate;
    store.put(first, Value::make(Gated{first_text}));
    putting = std::async(std::launch::async, [this] { store.put(second, Value::make(Gated{"second"})); });
    gate.wait_for_a_mover();
  }
  ~SpillCaughtAtTheGate() { finish(); }
  /// Opens the gate and waits for the spill; whether `meanwhile` ran while it was shut.
  bool finish(std::future<void>* meanwhile = nullptr) {
    const bool answered =
        meanwhile == nullptr || meanwhile->wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    gate.release();
    if (putting.valid()) putting.get();
    if (meanwhile != nullptr) meanwhile->get();
    spill_gate = nullptr;
    return answered;
  }

  TempDir tmp;
  std::filesystem::path dir = tmp.path() / "store";
  SpillStore store{1500, dir};
  Gate gate;
  Key first = Key::unique(), second = Key::unique();
  std::future<void> putting;
};

TEST(SpillStore, WritesToDiskRunOutsideTheLock) {
  SpillCaughtAtTheGate caught("first");
  SpillStore& store = caught.store;
  const Key third = Key::unique();
  // Meanwhile the store answers: reads (of the value on its way out too), puts, erases.
  auto meanwhile = std::async(std::launch::async, [&] {
    EXPECT_EQ(store.get(caught.first)->get<Gated>().text, "first");
    EXPECT_EQ(store.get(caught.second)->get<Gated>().text, "second");
    store.erase(caught.first);  // the move in flight is then of nothing the store holds
    store.put(third, Value::make(7));
  });
  EXPECT_TRUE(caught.finish(&meanwhile)) << "the store was locked while a value was written to disk";
  EXPECT_FALSE(store.contains(caught.first));
  EXPECT_EQ(store.get(caught.second)->get<Gated>().text, "second");
  EXPECT_EQ(store.get(third)->get<int>(), 7);
  const auto stats = store.stats();
  EXPECT_EQ(stats.keys_on_disk, 0u) << "the erased value's file is gone, and the rest fits";
  EXPECT_EQ(count_files(caught.dir), 0u);
  EXPECT_EQ(stats.keys_in_memory, 2u);
}

TEST(SpillStore, AValueReplacedWhileItIsWrittenKeepsItsNewContents) {
  SpillCaughtAtTheGate caught("old");
  SpillStore& store = caught.store;
  auto replacing = std::async(std::launch::async, [&] { store.put(caught.first, Value::make(Gated{"new"})); });
  EXPECT_TRUE(caught.finish(&replacing));
  EXPECT_EQ(store.get(caught.first)->get<Gated>().text, "new") << "the old value's write must not land over the new one";
  EXPECT_EQ(store.get(caught.second)->get<Gated>().text, "second");
  const auto stats = store.stats();
  EXPECT_EQ(count_files(caught.dir), stats.keys_on_disk);
  EXPECT_EQ(stats.keys_in_memory + stats.keys_on_disk, 2u);
}

TEST(SpillStore, AValueReadWhileItIsWrittenStaysAndTheNextGoes) {
  SpillCaughtAtTheGate caught("first");
  SpillStore& store = caught.store;
  EXPECT_EQ(store.get(caught.first)->get<Gated>().text, "first");  // used again: no longer the least recent
  caught.finish();
  EXPECT_EQ(store.stats().keys_on_disk, 1u);
  EXPECT_EQ(count_files(caught.dir), 1u);
  EXPECT_EQ(store.get(caught.first)->get<Gated>().text, "first");
  EXPECT_EQ(store.stats().unspilled_total, 0u) << "the value read during its write stayed in memory";
  EXPECT_EQ(store.get(caught.second)->get<Gated>().text, "second");
  EXPECT_EQ(store.stats().unspilled_total, 1u) << "the next least recently used went to disk instead";
}

TEST(SpillStore, AValueThatCannotBeWrittenIsPassedOver) {
  TempDir tmp;
  const auto dir = tmp.path() / "store";
  SpillStore store(1500, dir);
  const Key failing = Key::unique(), fine = Key::unique();
  store.put(failing, Value::make(std::runtime_error("no codec today")));
  store.put(fine, Value::make(Gated{"fine"}));
  const auto stats = store.stats();
  EXPECT_EQ(stats.keys_on_disk, 1u) << "the next value went to disk in its place";
  EXPECT_LE(stats.bytes_in_memory, store.memory_limit());
  EXPECT_EQ(store.get(fine)->get<Gated>().text, "fine");
  EXPECT_TRUE(store.contains(failing));
}

}  // namespace
}  // namespace spill_store_tests
