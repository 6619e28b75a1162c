#include "tessera/core/key.hpp"

#include <atomic>
#include <cstdio>
#include <random>

namespace tessera {
namespace {

// 24 random bits per process in the high bits: keys of different client processes of one
// cluster differ with high probability; 40 bits of sequence number are plenty per process.
std::uint64_t process_salt() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) & 0xffffffULL) << 40;
}

}  // namespace

Key Key::unique() noexcept {
  static const std::uint64_t salt = process_salt();
  static std::atomic<std::uint64_t> counter{1};
  return Key{salt | (counter.fetch_add(1, std::memory_order_relaxed) & ((1ULL << 40) - 1))};
}

Key Key::from_name(std::string_view name) noexcept {
  // FNV-1a, then a finalizer so that similar names spread.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return Key{h};
}

std::string to_string(Key key) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "key 0x%016llx", static_cast<unsigned long long>(key.id));
  return buffer;
}

}  // namespace tessera
