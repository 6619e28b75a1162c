#include "tessera/core/spill_store.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/logging.hpp"

namespace tessera {

SpillStore::SpillStore(std::size_t memory_limit, std::filesystem::path directory)
    : memory_limit_(memory_limit), directory_(std::move(directory)) {}

SpillStore::~SpillStore() {
  if (directory_created_) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

void SpillStore::put(Key key, Value value) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& entry = it->second;
  if (!inserted) {
    if (entry.on_disk) {
      remove_file(key);
      stats_.bytes_on_disk -= entry.nbytes;
      --stats_.keys_on_disk;
    } else {
      lru_.erase(entry.lru_position);
      stats_.bytes_in_memory -= entry.nbytes;
      --stats_.keys_in_memory;
    }
  }
  entry.type = value.type();
  entry.nbytes = value.nbytes();
  entry.value = std::move(value);
  entry.on_disk = false;
  entry.lru_position = lru_.insert(lru_.end(), key);
  stats_.bytes_in_memory += entry.nbytes;
  ++stats_.keys_in_memory;
  spill_while_over_limit();
}

std::optional<Value> SpillStore::get(Key key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  Entry& entry = it->second;
  if (!entry.on_disk) {
    lru_.splice(lru_.end(), lru_, entry.lru_position);  // now the most recently used
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

  entry.value = value;
  entry.on_disk = false;
  entry.lru_position = lru_.insert(lru_.end(), key);
  stats_.bytes_in_memory += entry.nbytes;
  ++stats_.keys_in_memory;
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
  Entry& entry = it->second;
  if (entry.on_disk) {
    remove_file(key);
    stats_.bytes_on_disk -= entry.nbytes;
    --stats_.keys_on_disk;
  } else {
    lru_.erase(entry.lru_position);
    stats_.bytes_in_memory -= entry.nbytes;
    --stats_.keys_in_memory;
  }
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

void SpillStore::spill_while_over_limit() {
  auto it = lru_.begin();
  std::vector<std::byte> buffer;
  while (stats_.bytes_in_memory > memory_limit_ && it != lru_.end()) {
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
    entry.value = Value();
    entry.on_disk = true;
    it = lru_.erase(it);
    stats_.bytes_in_memory -= entry.nbytes;
    --stats_.keys_in_memory;
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
