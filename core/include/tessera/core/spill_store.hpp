// SpillStore: a worker's store of results with a memory limit. When the bytes held in
// memory exceed the limit, the least recently used serializable values are written to
// disk; reading a spilled value brings it back transparently. Thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "tessera/core/key.hpp"
#include "tessera/core/value.hpp"

namespace tessera {

struct SpillStoreStats {
  std::size_t keys_in_memory = 0;
  std::size_t keys_on_disk = 0;
  std::size_t bytes_in_memory = 0;
  std::size_t bytes_on_disk = 0;
  std::size_t spilled_total = 0;    ///< values written to disk over the store's life
  std::size_t unspilled_total = 0;  ///< values read back from disk over the store's life
};

class SpillStore {
 public:
  /// `memory_limit` bytes may stay in memory; `directory` is created at the first spill
  /// and removed with the store.
  SpillStore(std::size_t memory_limit, std::filesystem::path directory);
  ~SpillStore();
  SpillStore(const SpillStore&) = delete;
  SpillStore& operator=(const SpillStore&) = delete;

  /// Stores (or replaces) a value, then spills least recently used values while over the limit.
  void put(Key key, Value value);
  /// The value of `key`, read back from disk if it was spilled; nullopt if absent.
  /// Throws tessera::Error when a spilled file cannot be read back.
  std::optional<Value> get(Key key);
  bool contains(Key key) const;
  /// Drops a value from memory or disk; no-op when absent.
  void erase(Key key);
  std::size_t size() const;
  SpillStoreStats stats() const;
  std::size_t memory_limit() const noexcept { return memory_limit_; }

 private:
  struct Entry {
    Value value;                       // empty while spilled
    const ValueType* type = nullptr;   // kept to rebuild a spilled value
    std::size_t nbytes = 0;
    bool on_disk = false;
    std::list<Key>::iterator lru_position;  // valid while in memory
  };

  void spill_while_over_limit();
  std::filesystem::path path_of(Key key) const;
  void remove_file(Key key) noexcept;

  mutable std::mutex mutex_;
  std::size_t memory_limit_;
  std::filesystem::path directory_;
  bool directory_created_ = false;
  std::unordered_map<Key, Entry> entries_;
  std::list<Key> lru_;  // front: least recently used; holds only in-memory entries
  SpillStoreStats stats_;
  bool warned_unserializable_ = false;
};

}  // namespace tessera
