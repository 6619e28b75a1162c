// Distinct values of a block found by hashing their order keys (kernels/order_key.hpp):
// -0.0 and 0.0 share a key, as they are one value, and every NaN is a value of its own, as
// unique counts them. With few values the table is small, so one pass over a block costs
// far less than sorting it; past a limit the search gives up, and the block is sorted.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "tessera/kernels/order_key.hpp"

namespace tessera::array_detail {

/// An open-addressing map from order keys to an int64 (linear probing, at most half full
/// so that probes stay short).
class KeyTable {
 public:
  KeyTable() { resize(256); }

  /// Whether `key` is new; if so, it is added with `value`. Small enough to inline: it
  /// runs once per element of a block.
  bool insert(std::uint64_t key, std::int64_t value) {
    if (key == kEmpty) [[unlikely]] {
      return insert_empty_key(value);
    }
    std::size_t slot = find(key);
    if (keys_[slot] == key) return false;
    if (2 * (entries_ + 1) > keys_.size()) [[unlikely]] {
      grow();
      slot = find(key);
    }
    keys_[slot] = key;
    values_[slot] = value;
    ++entries_;
    return true;
  }

  /// The value of `key`, or -1 when it is not in the table.
  std::int64_t at(std::uint64_t key) const {
    if (key == kEmpty) return has_empty_key_ ? empty_key_value_ : -1;
    const std::size_t slot = find(key);
    return keys_[slot] == key ? values_[slot] : -1;
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  // Fibonacci hashing: the top bits of the key times 2^64 / golden ratio, which spreads
  // runs of consecutive integers over the table.
  std::size_t find(std::uint64_t key) const {
    std::size_t slot = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
    while (keys_[slot] != kEmpty && keys_[slot] != key) slot = (slot + 1) & (keys_.size() - 1);
    return slot;
  }

  void resize(std::size_t slots) {
    keys_.assign(slots, kEmpty);
    values_.assign(slots, 0);
    shift_ = 64 - std::countr_zero(slots);
  }

  // The one key that marks an empty slot is kept apart.
  [[gnu::noinline]] bool insert_empty_key(std::int64_t value) {
    if (has_empty_key_) return false;
    has_empty_key_ = true;
    empty_key_value_ = value;
    return true;
  }

  [[gnu::noinline]] void grow() {
    std::vector<std::uint64_t> old_keys = std::move(keys_);
    std::vector<std::int64_t> old_values = std::move(values_);
    resize(2 * old_keys.size());
    for (std::size_t s = 0; s < old_keys.size(); ++s) {
      if (old_keys[s] == kEmpty) continue;
      const std::size_t slot = find(old_keys[s]);
      keys_[slot] = old_keys[s];
      values_[slot] = old_values[s];
    }
  }

  std::vector<std::uint64_t> keys_;
  std::vector<std::int64_t> values_;
  std::size_t entries_ = 0;
  int shift_ = 64;
  bool has_empty_key_ = false;
  std::int64_t empty_key_value_ = 0;
};

/// The positions of the first element of each distinct value of values[0, n) (a real or
/// bool T), in ascending order, into `firsts`; false (and `firsts` unspecified) as soon
/// as there are more than `limit` of them.
template <class T>
bool first_occurrences(const T* values, std::int64_t n, std::int64_t limit, std::vector<std::int64_t>& firsts) {
  KeyTable seen;
  firsts.clear();
  for (std::int64_t p = 0; p < n; ++p) {
    const std::uint64_t key = kernels::order_key(values[p], false);
    const bool nan = kernels::is_nan_key<T>(key);
    if (static_cast<std::int64_t>(firsts.size()) == limit) {
      // One more value gives up: found before inserting, so that the table does not
      // grow for nothing.
      if (!nan && seen.at(key) >= 0) continue;
      return false;
    }
    if (!nan && !seen.insert(key, p)) continue;
    firsts.push_back(p);
  }
  return true;
}

}  // namespace tessera::array_detail
