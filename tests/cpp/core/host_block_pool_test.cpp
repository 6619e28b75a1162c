// The pool of costly host blocks (page-locked memory for GPU workers), over a source of
// ordinary memory that counts what it hands out and gets back.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "tessera/core/host_block_pool.hpp"

namespace {

using tessera::HostBlockPool;

class CountingSource final : public tessera::HostBlockSource {
 public:
  struct Counts {
    std::mutex mutex;
    std::set<void*> out;  // blocks obtained and not given back
    int obtained = 0, given_back = 0;
    bool refuse = false;
    std::size_t max_out = SIZE_MAX;  // blocks out at once before it has no more to give
  };
  explicit CountingSource(std::shared_ptr<Counts> counts) : counts_(std::move(counts)) {}
  void* obtain(std::size_t nbytes) noexcept override {
    std::lock_guard lock(counts_->mutex);
    if (counts_->refuse || counts_->out.size() >= counts_->max_out) return nullptr;
    EXPECT_EQ(nbytes % 4096, 0u);
    void* block = std::aligned_alloc(4096, nbytes);
    counts_->out.insert(block);
    ++counts_->obtained;
    return block;
  }
  void give_back(void* block, std::size_t) noexcept override {
    std::lock_guard lock(counts_->mutex);
    EXPECT_EQ(counts_->out.erase(block), 1u) << "a block given back twice, or never obtained";
    ++counts_->given_back;
    std::free(block);
  }

 private:
  std::shared_ptr<Counts> counts_;
};

struct PoolFixture {
  explicit PoolFixture(std::size_t capacity, std::size_t cache_limit)
      : pool(std::make_unique<CountingSource>(counts), capacity, cache_limit) {}
  std::shared_ptr<CountingSource::Counts> counts = std::make_shared<CountingSource::Counts>();
  HostBlockPool pool;
};

constexpr std::size_t kMiB = std::size_t{1} << 20;

TEST(HostBlockPool, BlockSizesAreWholePagesAndFourClassesPerDoublingWithAFifthAtMostSpare) {
  EXPECT_EQ(HostBlockPool::block_size(1), 4096u);
  EXPECT_EQ(HostBlockPool::block_size(4096), 4096u);
  EXPECT_EQ(HostBlockPool::block_size(4097), 8192u);
  EXPECT_EQ(HostBlockPool::block_size(16385), 20480u);
  EXPECT_EQ(HostBlockPool::block_size(kMiB), kMiB);
  EXPECT_EQ(HostBlockPool::block_size(kMiB + 1), kMiB + kMiB / 4);
  std::mt19937_64 random(7);
  std::size_t previous = 0;
  for (std::size_t n = 1; n < 64 * kMiB; n += 1 + random() % (n / 3 + 1)) {
    const std::size_t size = HostBlockPool::block_size(n);
    ASSERT_GE(size, n);
    ASSERT_EQ(size % 4096, 0u) << n;
    ASSERT_GE(size, previous) << "classes grow with the request, at " << n;
    if (n > 16384) {
      ASSERT_LE(size - n, size / 5) << n;
    } else {
      ASSERT_LT(size - n, 4096u) << n;
    }
    previous = size;
  }
}

TEST(HostBlockPool, AFreedBlockServesTheNextRequestOfItsClass) {
  PoolFixture f(64 * kMiB, 64 * kMiB);
  void* first_block = nullptr;
  {
    auto a = f.pool.allocate(kMiB + 100);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->nbytes(), kMiB + 100);
    std::memset(a->data(), 0x5a, a->nbytes());  // all of it is writable
    first_block = a->data();
  }
  EXPECT_EQ(f.pool.stats().bytes_cached, HostBlockPool::block_size(kMiB + 100));
  auto c = f.pool.allocate(3 * kMiB);  // another class: not the cached block
  ASSERT_TRUE(c);
  EXPECT_NE(c->data(), first_block);
  auto b = f.pool.allocate(kMiB + 200);  // the same class: the cached block
  ASSERT_TRUE(b);
  EXPECT_EQ(b->data(), first_block);
  const auto stats = f.pool.stats();
  EXPECT_EQ(stats.blocks_obtained, 2u);
  EXPECT_EQ(stats.blocks_reused, 1u);
  EXPECT_EQ(stats.bytes_in_use, HostBlockPool::block_size(kMiB + 100) + 3 * kMiB);
  EXPECT_EQ(f.counts->given_back, 0);
}

TEST(HostBlockPool, AtCapacityItRefusesAndCachedBlocksMakeRoomForOtherClasses) {
  PoolFixture f(4 * kMiB, 4 * kMiB);
  auto a = f.pool.allocate(2 * kMiB);
  auto b = f.pool.allocate(2 * kMiB);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(f.pool.allocate(4096)) << "everything is in use";
  a.reset();
  b.reset();
  EXPECT_EQ(f.pool.stats().bytes_cached, 4 * kMiB);
  // A request of another class takes the room of cached blocks, which go back.
  auto c = f.pool.allocate(3 * kMiB);
  ASSERT_TRUE(c);
  EXPECT_EQ(f.counts->given_back, 2);
  EXPECT_LE(f.pool.stats().bytes_in_use + f.pool.stats().bytes_cached, 4 * kMiB);
}

TEST(HostBlockPool, BlocksBeyondTheCacheLimitGoBackAndTrimReturnsTheRest) {
  PoolFixture f(64 * kMiB, 2 * kMiB);
  {
    std::vector<tessera::Buffer> buffers;
    for (int i = 0; i < 4; ++i) buffers.push_back(*f.pool.allocate(kMiB));
  }
  EXPECT_EQ(f.pool.stats().bytes_cached, 2 * kMiB);
  EXPECT_EQ(f.counts->given_back, 2);
  f.pool.trim();
  EXPECT_EQ(f.pool.stats().bytes_cached, 0u);
  EXPECT_EQ(f.counts->given_back, 4);
  EXPECT_TRUE(f.counts->out.empty());
}

TEST(HostBlockPool, WhenTheSourceHasNothingTheRequestIsRefusedAndNothingIsCounted) {
  PoolFixture f(64 * kMiB, 64 * kMiB);
  f.counts->refuse = true;
  EXPECT_FALSE(f.pool.allocate(kMiB));
  EXPECT_EQ(f.pool.stats().bytes_in_use, 0u);
  f.counts->refuse = false;
  EXPECT_TRUE(f.pool.allocate(kMiB));
  EXPECT_EQ(f.pool.allocate(0)->nbytes(), 0u);
}

TEST(HostBlockPool, WhenTheSourceRunsShortTheCacheGoesBackAndTheRequestIsTriedAgain) {
  PoolFixture f(64 * kMiB, 64 * kMiB);
  f.counts->max_out = 2;  // as pinned memory, scarcer than the pool's capacity
  {
    auto a = f.pool.allocate(kMiB);
    auto b = f.pool.allocate(2 * kMiB);
    ASSERT_TRUE(a && b);
  }
  EXPECT_EQ(f.pool.stats().bytes_cached, 3 * kMiB);
  auto c = f.pool.allocate(5 * kMiB);  // a third class: the source has nothing until the cache goes back
  ASSERT_TRUE(c);
  EXPECT_EQ(f.counts->given_back, 2);
  EXPECT_EQ(f.pool.stats().bytes_cached, 0u);
}

TEST(HostBlockPool, BuffersOutlivingThePoolStayValidAndTheirBlocksGoBack) {
  auto counts = std::make_shared<CountingSource::Counts>();
  std::optional<tessera::Buffer> kept;
  {
    HostBlockPool pool(std::make_unique<CountingSource>(counts), 64 * kMiB, 64 * kMiB);
    auto cached = pool.allocate(kMiB);  // released into the cache, then given back by the destructor
    kept = pool.allocate(2 * kMiB);
  }
  EXPECT_EQ(counts->given_back, 1);
  std::memset(kept->data(), 1, kept->nbytes());
  kept.reset();
  EXPECT_EQ(counts->given_back, 2);
  EXPECT_TRUE(counts->out.empty());
}

TEST(HostBlockPool, ThreadsSharingItNeverShareABlockAndKeepItsBounds) {
  // Small enough that threads meet the capacity, evict each other's cached blocks and
  // wait for the source at the same time.
  constexpr std::size_t kCapacity = 4 * kMiB, kCache = kMiB;
  PoolFixture f(kCapacity, kCache);
  std::atomic<bool> overlap{false}, over_bounds{false};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int i = 0; i < 200; ++i) {
        const std::size_t n = 1 + random() % kMiB;
        auto buffer = f.pool.allocate(n);
        const auto stats = f.pool.stats();
        if (stats.bytes_in_use + stats.bytes_cached > kCapacity || stats.bytes_cached > kCache) over_bounds = true;
        if (!buffer) {
          ++refused;
          continue;
        }
        const auto mark = static_cast<unsigned char>(t + 1);
        std::memset(buffer->data(), mark, n);
        std::this_thread::yield();
        for (std::size_t k = 0; k < n; k += 4093) {
          if (static_cast<unsigned char>(buffer->data()[k]) != mark) overlap = true;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_FALSE(overlap.load()) << "two threads wrote to one block at once";
  EXPECT_FALSE(over_bounds.load()) << "the pool held more than its capacity or cache limit";
  EXPECT_GT(refused.load(), 0) << "the test never reached the capacity";
  const auto stats = f.pool.stats();
  EXPECT_EQ(stats.bytes_in_use, 0u);
  EXPECT_EQ(f.counts->out.empty(), stats.bytes_cached == 0) << "blocks out of the source are exactly the cached ones";
  f.pool.trim();
  EXPECT_TRUE(f.counts->out.empty()) << f.counts->out.size() << " blocks were neither cached nor given back";
}

}  // namespace
