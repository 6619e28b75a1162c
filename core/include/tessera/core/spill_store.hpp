// SpillStore: a worker's store of results with memory limits. Values whose data is on a
// device (a GPU) count against the device limit; past it, the least recently used move
// to host memory. Past the host limit, the least recently used serializable values are
// written to disk. Reading a spilled value brings it back from disk transparently (into
// host memory: the worker moves it to its device when a task needs it). Thread-safe; the
// copies off the device and the writes to disk run outside the lock, so that other
// threads keep reading and storing values meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tessera/core/key.hpp"
#include "tessera/core/value.hpp"

namespace tessera {

struct SpillStoreStats {
  std::size_t keys_in_memory = 0;
  std::size_t keys_on_disk = 0;
  std::size_t bytes_in_memory = 0;
  std::size_t bytes_on_disk = 0;
  std::size_t keys_on_device = 0;   ///< of keys_in_memory, those with data on a device
  std::size_t bytes_on_device = 0;  ///< of bytes_in_memory, those on a device
  std::size_t moved_to_host_total = 0;  ///< values moved off the device over the store's life
  std::size_t spilled_total = 0;    ///< values written to disk over the store's life
  std::size_t unspilled_total = 0;  ///< values read back from disk over the store's life
};

class SpillStore {
 public:
  /// `memory_limit` bytes may stay in host memory and `device_limit` bytes on the device;
  /// `directory` is created at the first spill and removed with the store.
  SpillStore(std::size_t memory_limit, std::filesystem::path directory,
             std::size_t device_limit = static_cast<std::size_t>(-1));
  ~SpillStore();
  SpillStore(const SpillStore&) = delete;
  SpillStore& operator=(const SpillStore&) = delete;

  /// Stores (or replaces) a value, then spills least recently used values while over the limit.
  void put(Key key, Value value);
  /// Stores (or replaces) a value and leaves the limits to a later spill_to_limits(): for a
  /// caller holding a lock of its own, who must not hold it through copies and writes.
  /// Returns whether the store is over a limit now (whether spill_to_limits has work).
  bool put_without_spilling(Key key, Value value);
  /// Moves least recently used values off the device and to disk until the store is
  /// within its limits (what put does after storing).
  void spill_to_limits();
  /// Replaces the value of a key the store holds (with a copy on another device); does
  /// nothing and returns false when the key is absent (released meanwhile).
  bool replace(Key key, Value value);
  /// The value of `key`, read back from disk if it was spilled; nullopt if absent.
  /// Throws tessera::Error when a spilled file cannot be read back.
  std::optional<Value> get(Key key);
  bool contains(Key key) const;
  /// Drops a value from memory or disk; no-op when absent.
  void erase(Key key);
  /// Drops every value (a worker whose device was lost holds nothing usable).
  void clear();
  std::size_t size() const;
  SpillStoreStats stats() const;
  std::size_t memory_limit() const noexcept { return memory_limit_; }
  std::size_t device_limit() const noexcept { return device_limit_; }

 private:
  struct Entry {
    Value value;                       // empty while spilled
    const ValueType* type = nullptr;   // kept to rebuild a spilled value
    std::size_t nbytes = 0;
    bool on_disk = false;
    bool on_device = false;
    bool moving = false;               // a copy to host memory or to disk is under way
    bool read_while_moving = false;    // then used again: it stays where it is
    std::uint64_t generation = 0;      // which value this is: a move of an older one is void
    std::list<Key>::iterator lru_position;  // in lru_ or device_lru_, while in memory
  };

  /// A value on its way off the device or to disk, done outside the lock.
  struct Move {
    Key key;
    std::uint64_t generation = 0;
    std::size_t nbytes = 0;
    bool to_disk = false;
    Value value;       // what is moved (still in the store meanwhile)
    Value on_host;     // the result of a move off the device
    bool done = false;  // the copy or the file was made
  };

  // Called with mutex_ held.
  void store(Key key, Value value);  // stores or replaces, without spilling
  bool over_limits() const;          // counting values on their way down as gone
  void insert(Key key, Entry& entry, Value value);
  void remove(Key key, Entry& entry);  // from memory or disk; the entry itself stays
  /// Marks the least recently used values that take the store over its limits as moving,
  /// passing over those whose moves failed in this settle (`failed`: key and generation).
  std::vector<Move> pick_moves(const std::vector<std::pair<Key, std::uint64_t>>& failed);
  /// Puts finished moves into the store, unless their value was replaced or erased meanwhile.
  void commit(std::vector<Move>& moves);
  std::filesystem::path path_of(Key key, std::uint64_t generation) const;
  void remove_file(Key key, std::uint64_t generation) noexcept;

  // Called without mutex_.
  /// Moves values until the store is within its limits; takes `lock` (held on entry) as needed.
  void settle(std::unique_lock<std::mutex>& lock);
  void run(Move& move);

  mutable std::mutex mutex_;
  std::size_t memory_limit_;
  std::size_t device_limit_;
  std::filesystem::path directory_;
  bool directory_created_ = false;
  std::unordered_map<Key, Entry> entries_;
  std::list<Key> lru_;  // front: least recently used; holds only entries in host memory
  std::list<Key> device_lru_;  // the same for entries on the device
  SpillStoreStats stats_;
  bool warned_unserializable_ = false;
  std::uint64_t next_generation_ = 0;
  std::size_t moving_device_bytes_ = 0;  // of bytes_on_device, those on their way to host memory
  std::size_t moving_host_bytes_ = 0;    // of host bytes, those on their way to disk
};

}  // namespace tessera
