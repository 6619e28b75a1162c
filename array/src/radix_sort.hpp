// Sorting a lane of records on the host by radix: their values' order keys
// (kernels/order_key.hpp, the device sort's) least significant digit first, skipping the
// digits that every key shares, which leaves one or two passes for non-negative integers
// of a small range. Stable, so records made in index order come out in RecordOrder's order (value,
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
    if (n < kSmall) {  // a comparison sort is faster than clearing and summing the buckets
      std::sort(run, run + n, RecordOrder<T>{{descending}});
      return;
    }
    other_.resize(n);
    counts_.assign(kDigits * kBuckets, 0);  // 16 KiB per digit
    const auto key_of = [descending](const Record<T>& r) { return kernels::order_key(r.value, descending); };
    for (std::size_t p = 0; p < n; ++p) {
      const std::uint64_t key = key_of(run[p]);
      for (std::size_t d = 0; d < kDigits; ++d) ++counts_[d * kBuckets + ((key >> (kDigitBits * d)) & kMask)];
    }
    // Each pass recomputes the keys from the values (a few operations) rather than moving
    // a key array beside the records: a third less memory traffic per pass.
    Record<T>* records = run;
    Record<T>* next = other_.data();
    for (std::size_t d = 0; d < kDigits; ++d) {
      const std::size_t shift = kDigitBits * d;
      const std::size_t* count = counts_.data() + d * kBuckets;
      if (count[(key_of(records[0]) >> shift) & kMask] == n) continue;  // every key has this digit
      std::array<std::size_t, kBuckets> at;
      std::size_t sum = 0;
      for (std::size_t b = 0; b < kBuckets; ++b) {
        at[b] = sum;
        sum += count[b];
      }
      for (std::size_t p = 0; p < n; ++p) next[at[(key_of(records[p]) >> shift) & kMask]++] = records[p];
      std::swap(records, next);
    }
    if (records != run) std::copy(records, records + n, run);
  }

 private:
  // Digits of 11 bits: at most six passes over 64-bit keys where bytes take eight, and a
  // pass's 2048 counters (16 KiB) stay in the first-level cache while it scatters. Keys
  // are as wide as T (order_key.hpp), so a 16-bit T has two digits.
  static constexpr std::size_t kDigitBits = 11;
  static constexpr std::size_t kDigits = (8 * sizeof(T) + kDigitBits - 1) / kDigitBits;
  static constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
  static constexpr std::uint64_t kMask = kBuckets - 1;
  static constexpr std::size_t kSmall = kBuckets;
  std::vector<std::size_t> counts_;
  std::vector<Record<T>> other_;
};

}  // namespace tessera::array_detail
