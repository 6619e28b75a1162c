// The first element of each distinct value of a block, found in one pass by hashing the
// values' order keys (kernels/order_key.hpp): -0.0 and 0.0 share a key, as they are one
// value, and every NaN is a value of its own, as unique counts them. With few values the
// table is small (8 bytes a slot, at most half full), so one pass over the block costs
// far less than sorting it; past a limit the search gives up, and the block is sorted.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "tessera/kernels/ops/traits.hpp"
#include "tessera/kernels/order_key.hpp"

namespace tessera::array_detail {

/// The positions of the first element of each distinct value of values[0, n) (a real or
/// bool T), in ascending order, into `firsts`; false (and `firsts` unspecified) as soon
/// as there are more than `limit` of them.
template <class T>
bool first_occurrences(const T* values, std::int64_t n, std::int64_t limit, std::vector<std::int64_t>& firsts) {
  // The all-ones key marks an empty slot: a float's is NaN's alone, which never enters
  // the table; an integer's (its type's largest value) is tracked apart.
  constexpr int bits = 8 * static_cast<int>(sizeof(T));
  constexpr std::uint64_t all_ones = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  constexpr std::uint64_t empty = ~std::uint64_t{0};
  std::vector<std::uint64_t> slots(256, empty);
  int shift = 64 - std::countr_zero(slots.size());
  // Fibonacci hashing: the top bits of the key times 2^64 / golden ratio, which spreads
  // runs of consecutive integers over the table.
  const auto slot_of = [&](std::uint64_t key) { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift); };
  const auto find = [&](std::uint64_t key) {
    std::size_t slot = slot_of(key);
    while (slots[slot] != empty && slots[slot] != key) slot = (slot + 1) & (slots.size() - 1);
    return slot;
  };
  const auto grow = [&] {
    std::vector<std::uint64_t> old(2 * slots.size(), empty);
    old.swap(slots);
    shift = 64 - std::countr_zero(slots.size());
    for (std::uint64_t k : old) {
      if (k != empty) slots[find(k)] = k;
    }
  };
  std::size_t entries = 0;
  bool seen_all_ones = false;
  firsts.clear();
  for (std::int64_t p = 0; p < n; ++p) {
    const std::uint64_t key = kernels::order_key(values[p], false);
    if (key == all_ones) {
      if constexpr (!kernels::ops::is_real_float_v<T>) {
        if (seen_all_ones) continue;
        seen_all_ones = true;
      }  // else a NaN: a value of its own every time
    } else {
      const std::size_t slot = find(key);
      if (slots[slot] == key) continue;  // seen before
      slots[slot] = key;
      ++entries;
    }
    firsts.push_back(p);
    if (static_cast<std::int64_t>(firsts.size()) > limit) return false;
    if (2 * entries > slots.size()) grow();  // at most half full, so that probes stay short
  }
  return true;
}

}  // namespace tessera::array_detail
