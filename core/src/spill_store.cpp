#include "tessera/core/spill_store.hpp"

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
  if (entry.on_disk) {
    remove_file(key);
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

void SpillStore::put(Key key, Value value) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(key);
  if (!inserted) remove(key, it->second);
  insert(key, it->second, std::move(value));
  spill_while_over_limit();
}

bool SpillStore::replace(Key key, Value value) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  remove(key, it->second);
  insert(key, it->second, std::move(value));
  spill_while_over_limit();
  return true;
}

std::optional<Value> SpillStore::get(Key key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  Entry& entry = it->second;
  if (!entry.on_disk) {
    std::list<Key>& lru = entry.on_device ? device_lru_ : lru_;
    lru.splice(lru.end(), lru, entry.lru_position);  // now the most recently used
    return entry.value;
  }

  const std::filesystem::path path = path_of(key);
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  std::ifstream in(path, std::ios::binary);
  std::vector<std::byte> bytes(error ? 0 : size);
  if (error || !in || !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
    throw Error("could not read spilled value of " + to_string(key) + " back from " + path.string());
  }
  in.close();
  Value value = Value::deserialize(*entry.type, bytes, entry.nbytes);
  remove_file(key);
  stats_.bytes_on_disk -= entry.nbytes;
  --stats_.keys_on_disk;
  ++stats_.unspilled_total;

  insert(key, entry, value);
  spill_while_over_limit();  // may spill this very value again if it alone exceeds the limit
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

std::size_t SpillStore::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

SpillStoreStats SpillStore::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void SpillStore::move_to_host_while_over_device_limit() {
  auto it = device_lru_.begin();
  while (stats_.bytes_on_device > device_limit_ && it != device_lru_.end()) {
    const Key key = *it;
    Entry& entry = entries_.at(key);
    Value on_host;
    try {
      on_host = entry.value.relocated_to(*host_device());
    } catch (const std::exception& e) {
      // Host memory may be short too: the value stays where it is, and nothing is lost.
      TESSERA_LOG(error) << "could not move " << to_string(key) << " off the device (" << e.what()
                         << "); keeping it there";
      ++it;
      continue;
    }
    ++it;
    remove(key, entry);
    insert(key, entry, std::move(on_host));
    ++stats_.moved_to_host_total;
  }
}

void SpillStore::spill_while_over_limit() {
  move_to_host_while_over_device_limit();
  auto it = lru_.begin();
  std::vector<std::byte> buffer;
  while (stats_.bytes_in_memory - stats_.bytes_on_device > memory_limit_ && it != lru_.end()) {
    const Key key = *it;
    Entry& entry = entries_.at(key);
    if (!entry.value.serializable()) {
      if (!warned_unserializable_ && entry.value.has_value()) {
        TESSERA_LOG(warning) << "worker memory is over its limit of " << memory_limit_
                             << " bytes, but values of type " << demangle(*entry.type->info)
                             << " cannot be spilled (no ValueTraits codec); they stay in memory";
        warned_unserializable_ = true;
      }
      ++it;
      continue;
    }
    buffer.clear();
    try {
      entry.value.serialize(buffer);  // user codecs may throw
    } catch (const std::exception& e) {
      TESSERA_LOG(error) << "could not serialize " << to_string(key) << " to spill it (" << e.what()
                         << "); keeping it in memory";
      ++it;
      continue;
    }
    std::error_code error;
    if (!directory_created_) {
      std::filesystem::create_directories(directory_, error);
      directory_created_ = !error;
    }
    const std::filesystem::path path = path_of(key);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    out.close();
    if (error || !out) {
      // A full or missing disk must not lose data: keep the value in memory and say so.
      TESSERA_LOG(error) << "could not spill " << to_string(key) << " to " << path.string()
                         << "; keeping it in memory";
      std::filesystem::remove(path, error);
      ++it;
      continue;
    }
    ++it;
    remove(key, entry);
    entry.value = Value();
    entry.on_disk = true;
    stats_.bytes_on_disk += entry.nbytes;
    ++stats_.keys_on_disk;
    ++stats_.spilled_total;
  }
}

std::filesystem::path SpillStore::path_of(Key key) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.bin", static_cast<unsigned long long>(key.id));
  return directory_ / name;
}

void SpillStore::remove_file(Key key) noexcept {
  std::error_code ignored;
  std::filesystem::remove(path_of(key), ignored);
}

}  // namespace tessera
