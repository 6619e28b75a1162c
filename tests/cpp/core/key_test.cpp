// Keys: unique() never repeats (across calls and threads), from_name() is deterministic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <tessera/tessera.hpp>

#include "test_support.hpp"

namespace {

using tessera::Key;
using tessera::testing::scaled;

TEST(Key, UniqueKeysAreDistinctOverManyCalls) {
  const std::size_t n = scaled(200000, 1000);
  std::unordered_set<Key> seen;
  seen.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Key key = Key::unique();
    EXPECT_NE(key.id, 0u) << "call " << i;
    ASSERT_TRUE(seen.insert(key).second) << "repeated " << tessera::to_string(key) << " at call " << i;
  }
}

TEST(Key, UniqueKeysAreDistinctAcrossThreads) {
  constexpr std::size_t kThreads = 8;
  const std::size_t per_thread = scaled(50000, 1000);
  std::vector<std::vector<Key>> keys(kThreads);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&keys, t, per_thread] {
      keys[t].reserve(per_thread);
      for (std::size_t i = 0; i < per_thread; ++i) keys[t].push_back(Key::unique());
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<Key> all;
  for (const auto& k : keys) {
    // Each thread sees increasing keys: the counter is monotonic.
    EXPECT_TRUE(std::is_sorted(k.begin(), k.end()));
    all.insert(all.end(), k.begin(), k.end());
  }
  ASSERT_EQ(all.size(), kThreads * per_thread);
  std::sort(all.begin(), all.end());
  const auto repeat = std::adjacent_find(all.begin(), all.end());
  EXPECT_EQ(repeat, all.end()) << "repeated " << tessera::to_string(*repeat);
}

TEST(Key, FromNameIsDeterministic) {
  const std::vector<std::string> names = {"", "x", "inc-17", "('sum-3f2a', 2, 5)", std::string(1000, 'a')};
  for (const auto& name : names) {
    SCOPED_TRACE("name '" + name.substr(0, 40) + "'");
    EXPECT_EQ(Key::from_name(name), Key::from_name(name));
    EXPECT_EQ(Key::from_name(name), Key::from_name(std::string(name)));  // a copy of the name
  }
  EXPECT_NE(Key::from_name("inc-17"), Key::from_name("inc-18"));
  EXPECT_NE(Key::from_name("ab"), Key::from_name("ba"));
}

TEST(Key, FromNameSpreadsSimilarNames) {
  const std::size_t n = scaled(100000, 1000);
  std::unordered_set<std::uint64_t> ids;
  std::unordered_set<std::size_t> hashes;
  ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Key key = Key::from_name("chunk-" + std::to_string(i));
    ASSERT_TRUE(ids.insert(key.id).second) << "collision at chunk-" << i;
    hashes.insert(std::hash<Key>{}(key));
  }
  EXPECT_EQ(hashes.size(), n);  // std::hash<Key> mixes bijectively on 64-bit size_t
}

TEST(Key, ToStringShowsTheIdInHex) {
  EXPECT_EQ(tessera::to_string(Key{0x1f2e}), "key 0x0000000000001f2e");
  EXPECT_EQ(tessera::to_string(Key{~std::uint64_t{0}}), "key 0xffffffffffffffff");
}

TEST(Key, ComparisonFollowsTheId) {
  EXPECT_EQ(Key{5}, Key{5});
  EXPECT_NE(Key{5}, Key{6});
  EXPECT_LT(Key{5}, Key{6});
  EXPECT_GT(Key{7}, Key{6});
}

}  // namespace
