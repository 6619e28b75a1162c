#include "tessera/core/host_block_pool.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <new>
#include <mutex>
#include <utility>
#include <vector>

namespace tessera {

struct HostBlockPool::State {
  State(std::unique_ptr<HostBlockSource> s, std::size_t cap, std::size_t cache)
      : source(std::move(s)), capacity(cap), cache_limit(cache) {}

  const std::unique_ptr<HostBlockSource> source;
  const std::size_t capacity;
  const std::size_t cache_limit;
  mutable std::mutex mutex;
  std::map<std::size_t, std::vector<void*>> cached;  // by block size
  HostBlockPoolStats stats;
  bool closed = false;  // the pool is gone: blocks coming back go to the source

  // Takes cached blocks out, largest first, until `needed` more bytes fit in the
  // capacity; returns them for the caller to give back without the lock.
  std::vector<std::pair<void*, std::size_t>> evict_for(std::size_t needed) {
    std::vector<std::pair<void*, std::size_t>> evicted;
    while (stats.bytes_in_use + stats.bytes_cached + needed > capacity && !cached.empty()) {
      auto largest = std::prev(cached.end());
      evicted.emplace_back(largest->second.back(), largest->first);
      stats.bytes_cached -= largest->first;
      largest->second.pop_back();
      if (largest->second.empty()) cached.erase(largest);
    }
    return evicted;
  }

  void give_back(const std::vector<std::pair<void*, std::size_t>>& blocks) noexcept {
    for (const auto& [block, size] : blocks) source->give_back(block, size);
  }

  // The deleter of a block handed out.
  void release(void* block, std::size_t size) noexcept {
    {
      std::lock_guard lock(mutex);
      stats.bytes_in_use -= size;
      if (!closed && stats.bytes_cached + size <= cache_limit) {
        try {
          cached[size].push_back(block);
          stats.bytes_cached += size;
          return;
        } catch (const std::bad_alloc&) {  // no room to remember it: it goes back instead
        }
      }
    }
    source->give_back(block, size);
  }

  // Every cached block, taken out for the caller to give back without the lock.
  std::vector<std::pair<void*, std::size_t>> take_cache() {
    std::vector<std::pair<void*, std::size_t>> blocks;
    for (auto& [size, list] : cached) {
      for (void* block : list) blocks.emplace_back(block, size);
    }
    cached.clear();
    stats.bytes_cached = 0;
    return blocks;
  }
};

HostBlockPool::HostBlockPool(std::unique_ptr<HostBlockSource> source, std::size_t capacity, std::size_t cache_limit)
    : state_(std::make_shared<State>(std::move(source), capacity, cache_limit)) {}

HostBlockPool::~HostBlockPool() {
  {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
  }
  trim();
}

std::size_t HostBlockPool::block_size(std::size_t nbytes) noexcept {
  constexpr std::size_t kPage = 4096;
  if (nbytes <= kPage) return kPage;
  // Whole pages (pinning works on pages), four classes per doubling from four pages on.
  const std::size_t step = std::max(kPage, std::bit_floor(nbytes) / 4);
  return (nbytes + step - 1) / step * step;
}

std::optional<Buffer> HostBlockPool::allocate(std::size_t nbytes) {
  if (nbytes == 0) return Buffer();
  State& s = *state_;
  if (nbytes > s.capacity) return std::nullopt;  // also keeps block_size from overflowing
  const std::size_t size = block_size(nbytes);
  void* block = nullptr;
  std::vector<std::pair<void*, std::size_t>> evicted;
  {
    std::lock_guard lock(s.mutex);
    if (auto it = s.cached.find(size); it != s.cached.end()) {
      block = it->second.back();
      it->second.pop_back();
      if (it->second.empty()) s.cached.erase(it);
      s.stats.bytes_cached -= size;
      ++s.stats.blocks_reused;
    } else {
      if (s.stats.bytes_in_use + size > s.capacity) return std::nullopt;  // even without its cache
      evicted = s.evict_for(size);
    }
    s.stats.bytes_in_use += size;  // reserved while the source is asked, without the lock
  }
  s.give_back(evicted);
  if (block == nullptr) {
    block = s.source->obtain(size);
    if (block == nullptr) {
      // The source may be short of what the cache holds (pinned pages are scarce): give
      // the cache back and ask once more.
      std::vector<std::pair<void*, std::size_t>> cache;
      {
        std::lock_guard lock(s.mutex);
        cache = s.take_cache();
      }
      if (!cache.empty()) {
        s.give_back(cache);
        block = s.source->obtain(size);
      }
    }
    std::lock_guard lock(s.mutex);
    if (block == nullptr) {
      s.stats.bytes_in_use -= size;
      return std::nullopt;
    }
    ++s.stats.blocks_obtained;
  }
  std::shared_ptr<State> state = state_;
  return Buffer::wrap_host(block, nbytes,
                           std::shared_ptr<const void>(block, [state, size](const void* b) {
                             state->release(const_cast<void*>(b), size);  // NOLINT: the block is ours again
                           }));
}

void HostBlockPool::trim() {
  std::vector<std::pair<void*, std::size_t>> blocks;
  {
    std::lock_guard lock(state_->mutex);
    blocks = state_->take_cache();
  }
  state_->give_back(blocks);
}

HostBlockPoolStats HostBlockPool::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

}  // namespace tessera
