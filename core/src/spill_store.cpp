#include "tessera/core/spill_store.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "tessera/core/device.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/logging.hpp"

namespace tessera {

SpillStore::SpillStore(std::size_t memory_limit, std::filesystem::path directory, std::size_t device_limit)
    : memory_limit_(memory_limit), device_limit_(device_limit), directory_(std::move(directory)) {}

SpillStore::~SpillStore() {
  if (directory_created_) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

void SpillStore::remove(Key key, Entry& entry) {
  if (entry.moving) {  // erased or replaced while it moves: its move no longer counts
    (entry.on_device ? moving_device_bytes_ : moving_host_bytes_) -= entry.nbytes;
    entry.moving = false;
  }
  if (entry.on_disk) {
    remove_file(key, entry.generation);
    stats_.bytes_on_disk -= entry.nbytes;
    --stats_.keys_on_disk;
    return;
  }
  (entry.on_device ? device_lru_ : lru_).erase(entry.lru_position);
  stats_.bytes_in_memory -= entry.nbytes;
  --stats_.keys_in_memory;
  if (entry.on_device) {
    stats_.bytes_on_device -= entry.nbytes;
    --stats_.keys_on_device;
  }
}

void SpillStore::insert(Key key, Entry& entry, Value value) {
  entry.generation = ++next_generation_;
  entry.moving = false;
  entry.read_while_moving = false;
  entry.type = value.type();
  entry.nbytes = value.nbytes();
  entry.on_device = value.location() != nullptr;
  entry.value = std::move(value);
  entry.on_disk = false;
  std::list<Key>& lru = entry.on_device ? device_lru_ : lru_;
  entry.lru_position = lru.insert(lru.end(), key);
  stats_.bytes_in_memory += entry.nbytes;
  ++stats_.keys_in_memory;
  if (entry.on_device) {
    stats_.bytes_on_device += entry.nbytes;
    ++stats_.keys_on_device;
  }
}

void SpillStore::store(Key key, Value value) {
  auto [it, inserted] = entries_.try_emplace(key);
  if (!inserted) remove(key, it->second);
  insert(key, it->second, std::move(value));
}

bool SpillStore::over_limits() const {
  return stats_.bytes_on_device - moving_device_bytes_ > device_limit_ ||
         stats_.bytes_in_memory - stats_.bytes_on_device - moving_host_bytes_ > memory_limit_;
}

void SpillStore::put(Key key, Value value) {
  std::unique_lock lock(mutex_);
  store(key, std::move(value));
  settle(lock);
}

bool SpillStore::put_without_spilling(Key key, Value value) {
  std::lock_guard lock(mutex_);
  store(key, std::move(value));
  return over_limits();
}

void SpillStore::spill_to_limits() {
  std::unique_lock lock(mutex_);
  settle(lock);
}

bool SpillStore::replace(Key key, Value value) {
  std::unique_lock lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  remove(key, it->second);
  insert(key, it->second, std::move(value));
  settle(lock);
  return true;
}

std::optional<Value> SpillStore::get(Key key) {
  std::unique_lock lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  Entry& entry = it->second;
  if (!entry.on_disk) {
    std::list<Key>& lru = entry.on_device ? device_lru_ : lru_;
    lru.splice(lru.end(), lru, entry.lru_position);  // now the most recently used
    if (entry.moving) entry.read_while_moving = true;
    return entry.value;
  }

  // Read under the lock: a second reader of the key waits for this one rather than
  // reading the file twice.
  const std::filesystem::path path = path_of(key, entry.generation);
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  std::ifstream in(path, std::ios::binary);
  std::vector<std::byte> bytes(error ? 0 : size);
  if (error || !in || !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
    throw Error("could not read spilled value of " + to_string(key) + " back from " + path.string());
  }
  in.close();
  Value value = Value::deserialize(*entry.type, bytes, entry.nbytes);
  remove_file(key, entry.generation);
  stats_.bytes_on_disk -= entry.nbytes;
  --stats_.keys_on_disk;
  ++stats_.unspilled_total;

  insert(key, entry, value);
  settle(lock);  // may spill this very value again if it alone exceeds the limit
  return value;
}

bool SpillStore::contains(Key key) const {
  std::lock_guard lock(mutex_);
  return entries_.contains(key);
}

void SpillStore::erase(Key key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  remove(key, it->second);
  entries_.erase(it);
}

void SpillStore::clear() {
  std::unordered_map<Key, Entry> dropped;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, entry] : entries_) remove(key, entry);
    dropped.swap(entries_);
  }
  // The values are freed here, outside the lock: device memory goes back to its pool.
}

std::size_t SpillStore::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

SpillStoreStats SpillStore::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::vector<SpillStore::Move> SpillStore::pick_moves(const std::vector<std::pair<Key, std::uint64_t>>& failed) {
  std::vector<Move> moves;
  const auto failed_before = [&](Key key, const Entry& entry) {
    return std::find(failed.begin(), failed.end(), std::pair{key, entry.generation}) != failed.end();
  };
  // Bytes in flight still count where they are, so they are subtracted here: a move that
  // another thread runs already brings the store down by its size.
  std::size_t on_device = stats_.bytes_on_device - moving_device_bytes_;
  for (auto it = device_lru_.begin(); on_device > device_limit_ && it != device_lru_.end(); ++it) {
    Entry& entry = entries_.at(*it);
    if (entry.moving || failed_before(*it, entry)) continue;
    entry.moving = true;
    entry.read_while_moving = false;
    moving_device_bytes_ += entry.nbytes;
    on_device -= entry.nbytes;
    moves.push_back(Move{*it, entry.generation, entry.nbytes, false, entry.value, {}, false});
  }
  std::size_t on_host = stats_.bytes_in_memory - stats_.bytes_on_device - moving_host_bytes_;
  for (auto it = lru_.begin(); on_host > memory_limit_ && it != lru_.end(); ++it) {
    Entry& entry = entries_.at(*it);
    if (entry.moving || failed_before(*it, entry)) continue;
    if (!entry.value.serializable()) {
      if (!warned_unserializable_ && entry.value.has_value()) {
        TESSERA_LOG(warning) << "worker memory is over its limit of " << memory_limit_
                             << " bytes, but values of type " << demangle(*entry.type->info)
                             << " cannot be spilled (no ValueTraits codec); they stay in memory";
        warned_unserializable_ = true;
      }
      continue;
    }
    if (!directory_created_) {
      std::error_code error;
      std::filesystem::create_directories(directory_, error);
      directory_created_ = !error;
    }
    entry.moving = true;
    entry.read_while_moving = false;
    moving_host_bytes_ += entry.nbytes;
    on_host -= entry.nbytes;
    moves.push_back(Move{*it, entry.generation, entry.nbytes, true, entry.value, {}, false});
  }
  return moves;
}

void SpillStore::run(Move& move) {
  if (!move.to_disk) {
    try {
      move.on_host = move.value.relocated_to(*host_device());
      move.done = true;
    } catch (const std::exception& e) {
      // Host memory may be short too: the value stays where it is, and nothing is lost.
      TESSERA_LOG(error) << "could not move " << to_string(move.key) << " off the device (" << e.what()
                         << "); keeping it there";
    } catch (...) {
      TESSERA_LOG(error) << "could not move " << to_string(move.key) << " off the device; keeping it there";
    }
    return;
  }
  std::vector<std::byte> buffer;
  try {
    move.value.serialize(buffer);  // user codecs may throw, anything
  } catch (const std::exception& e) {
    TESSERA_LOG(error) << "could not serialize " << to_string(move.key) << " to spill it (" << e.what()
                       << "); keeping it in memory";
    return;
  } catch (...) {
    TESSERA_LOG(error) << "could not serialize " << to_string(move.key) << " to spill it; keeping it in memory";
    return;
  }
  const std::filesystem::path path = path_of(move.key, move.generation);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
  out.close();
  if (!out) {
    // A full or missing disk must not lose data: keep the value in memory and say so.
    TESSERA_LOG(error) << "could not spill " << to_string(move.key) << " to " << path.string()
                       << "; keeping it in memory";
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return;
  }
  move.done = true;
}

void SpillStore::commit(std::vector<Move>& moves) {
  for (Move& move : moves) {
    auto it = entries_.find(move.key);
    const bool current = it != entries_.end() && it->second.generation == move.generation && it->second.moving;
    if (!current) {
      // Erased or replaced while it moved (remove() uncounted it): the copy is of nothing
      // the store holds.
      if (move.to_disk && move.done) remove_file(move.key, move.generation);
      continue;
    }
    Entry& entry = it->second;
    (move.to_disk ? moving_host_bytes_ : moving_device_bytes_) -= move.nbytes;
    entry.moving = false;
    if (entry.read_while_moving && move.done) {
      // Used again since it was picked: no longer the least recent, it stays. (The next
      // round picks another, if the store is still over its limit.)
      entry.read_while_moving = false;
      if (move.to_disk) remove_file(move.key, move.generation);
      continue;
    }
    if (!move.done) continue;  // it stays where it was
    remove(move.key, entry);
    if (!move.to_disk) {
      insert(move.key, entry, std::move(move.on_host));
      ++stats_.moved_to_host_total;
      continue;
    }
    entry.value = Value();
    entry.on_disk = true;
    stats_.bytes_on_disk += entry.nbytes;
    ++stats_.keys_on_disk;
    ++stats_.spilled_total;
  }
}

void SpillStore::settle(std::unique_lock<std::mutex>& lock) {
  // Values off the device land in host memory, which may then spill to disk: rounds of
  // moves until nothing is over a limit, or nothing more can move. A move that failed
  // leaves its value where it was, and later rounds pass over it (trying it again at once
  // would fail again) to the next least recently used.
  std::vector<std::pair<Key, std::uint64_t>> failed;
  for (std::vector<Move> moves = pick_moves(failed); !moves.empty(); moves = pick_moves(failed)) {
    lock.unlock();
    for (Move& move : moves) run(move);
    lock.lock();
    for (const Move& move : moves) {
      if (!move.done) failed.emplace_back(move.key, move.generation);
    }
    commit(moves);
  }
}

std::filesystem::path SpillStore::path_of(Key key, std::uint64_t generation) const {
  // The generation keeps a value's file apart from an older value's of the same key,
  // which a move outside the lock may still be writing.
  char name[48];
  std::snprintf(name, sizeof name, "%016llx-%llu.bin", static_cast<unsigned long long>(key.id),
                static_cast<unsigned long long>(generation));
  return directory_ / name;
}

void SpillStore::remove_file(Key key, std::uint64_t generation) noexcept {
  std::error_code ignored;
  std::filesystem::remove(path_of(key, generation), ignored);
}

}  // namespace tessera
