// Sorting a lane of records on the host by radix: their values' order keys
// (kernels/order_key.hpp, the device sort's) least significant digit first, skipping the
// digits that every key shares, which leaves one or two passes for non-negative integers
// of a small range. Records are made where the last pass leaves them in place: no pass
// copies them back. Stable, so records made in index order come out in RecordOrder's
// order (value, then index) without comparing indices.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "sort_order.hpp"
#include "tessera/core/buffer.hpp"
#include "tessera/kernels/order_key.hpp"

namespace tessera::array_detail {

/// Sorts lanes of records of a real or bool T; keeps its scratch memory between lanes.
template <class T>
class RecordRadixSort {
 public:
  RecordRadixSort() = default;
  // A copy would share the scratch (a Buffer is a handle) with the original.
  RecordRadixSort(const RecordRadixSort&) = delete;
  RecordRadixSort& operator=(const RecordRadixSort&) = delete;

  /// Writes into `out` the n records `record_at(p)` (p in [0, n), indices ascending with
  /// p), sorted into RecordOrder<T>{{descending}}'s order. The records are made where the
  /// passes will leave them in `out`: an odd number of passes starts in the scratch.
  template <class RecordAt>
  void sort_made(Record<T>* out, std::size_t n, bool descending, const RecordAt& record_at) {
    if (n < kSmall) {  // a comparison sort is faster than clearing and summing the buckets
      for (std::size_t p = 0; p < n; ++p) out[p] = record_at(p);
      std::sort(out, out + n, RecordOrder<T>{{descending}});
      return;
    }
    const auto key_of = [descending](const Record<T>& r) { return kernels::order_key(r.value, descending); };
    counts_.assign(kDigits * kBuckets, 0);  // 16 KiB per digit
    for (std::size_t p = 0; p < n; ++p) {
      const std::uint64_t key = key_of(record_at(p));
      for (std::size_t d = 0; d < kDigits; ++d) ++counts_[d * kBuckets + ((key >> (kDigitBits * d)) & kMask)];
    }
    // A digit that every key shares needs no pass.
    const std::uint64_t first_key = key_of(record_at(0));
    std::array<bool, kDigits> needed{};
    std::size_t passes = 0;
    for (std::size_t d = 0; d < kDigits; ++d) {
      needed[d] = counts_[d * kBuckets + ((first_key >> (kDigitBits * d)) & kMask)] != n;
      passes += needed[d] ? 1 : 0;
    }
    if (passes > 0 && scratch_.nbytes() < n * sizeof(Record<T>)) {
      scratch_ = Buffer::allocate_host(n * sizeof(Record<T>));
    }
    auto* scratch = reinterpret_cast<Record<T>*>(scratch_.data());  // unused without passes
    Record<T>* records = passes % 2 == 0 ? out : scratch;
    Record<T>* next = passes % 2 == 0 ? scratch : out;
    for (std::size_t p = 0; p < n; ++p) records[p] = record_at(p);
    // Each pass recomputes the keys from the values (a few operations) rather than moving
    // a key array beside the records: a third less memory traffic per pass.
    for (std::size_t d = 0; d < kDigits; ++d) {
      if (!needed[d]) continue;
      const std::size_t shift = kDigitBits * d;
      const std::size_t* count = counts_.data() + d * kBuckets;
      std::array<std::size_t, kBuckets> at;
      std::size_t sum = 0;
      for (std::size_t b = 0; b < kBuckets; ++b) {
        at[b] = sum;
        sum += count[b];
      }
      for (std::size_t p = 0; p < n; ++p) next[at[(key_of(records[p]) >> shift) & kMask]++] = records[p];
      std::swap(records, next);
    }
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
  // Host memory as chunks get it (huge pages for large lanes), not zero-filled as a
  // vector's would be: every pass overwrites it.
  Buffer scratch_;
};

}  // namespace tessera::array_detail
