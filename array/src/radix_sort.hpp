// Sorting a lane of records on the host by radix: their values' order keys
// (kernels/order_key.hpp, the device sort's) least significant byte first, skipping the
// bytes that every key shares, which leaves two or three passes for integers of a small
// range. Stable, so records made in index order come out in RecordOrder's order (value,
// then index) without comparing indices.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "sort_order.hpp"
#include "tessera/kernels/order_key.hpp"

namespace tessera::array_detail {

/// Sorts lanes of records of a real or bool T; keeps its scratch memory between lanes.
template <class T>
class RecordRadixSort {
 public:
  /// Sorts `run` (n records whose indices ascend) into RecordOrder<T>{{descending}}'s order.
  void operator()(Record<T>* run, std::size_t n, bool descending) {
    if (n < kSmall) {  // a comparison sort is faster than 256-bucket passes
      std::sort(run, run + n, RecordOrder<T>{{descending}});
      return;
    }
    keys_.resize(n);
    other_keys_.resize(n);
    other_.resize(n);
    std::array<std::array<std::size_t, 256>, 8> counts{};
    for (std::size_t p = 0; p < n; ++p) {
      const std::uint64_t key = kernels::order_key(run[p].value, descending);
      keys_[p] = key;
      for (std::size_t d = 0; d < 8; ++d) ++counts[d][(key >> (8 * d)) & 0xff];
    }
    std::uint64_t* keys = keys_.data();
    std::uint64_t* next_keys = other_keys_.data();
    Record<T>* records = run;
    Record<T>* next = other_.data();
    for (std::size_t d = 0; d < 8; ++d) {
      const std::size_t shift = 8 * d;
      if (counts[d][(keys[0] >> shift) & 0xff] == n) continue;  // every key has this byte
      std::array<std::size_t, 256> at{};
      std::size_t sum = 0;
      for (std::size_t b = 0; b < 256; ++b) {
        at[b] = sum;
        sum += counts[d][b];
      }
      for (std::size_t p = 0; p < n; ++p) {
        const std::size_t to = at[(keys[p] >> shift) & 0xff]++;
        next_keys[to] = keys[p];
        next[to] = records[p];
      }
      std::swap(keys, next_keys);
      std::swap(records, next);
    }
    if (records != run) std::copy(records, records + n, run);
  }

 private:
  static constexpr std::size_t kSmall = 256;
  std::vector<std::uint64_t> keys_, other_keys_;
  std::vector<Record<T>> other_;
};

}  // namespace tessera::array_detail
