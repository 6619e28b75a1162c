// The order every sorting operation uses, and the two algorithms of the blocked sort on
// top of it: finding where a rank falls in several sorted runs (co-ranks) and merging the
// runs' slices.
//
// Order of values (the array API leaves NaNs unspecified; we follow NumPy and document
// it): NaNs go last, in ascending AND descending order, as pandas' na_position="last"
// does; a complex sorts lexicographically by (real, imag), those with a NaN part last in
// NumPy's order [R+Rj, R+nanj, nan+Rj, nan+nanj]; false < true; -0.0 equals 0.0.
//
// Ties between equal values are broken by each element's index (its position along the
// sorted axis, or its flat index), so every sort is stable and the order of (value,
// index) records is a strict total order: results cannot depend on the chunking.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <span>
#include <vector>

#include "tessera/kernels/ops/traits.hpp"
#include "tessera/kernels/order_key.hpp"

namespace tessera::array_detail {

/// One element of a sorted run: its value and its index (see above).
template <class T>
struct Record {
  T value;
  std::int64_t index;
};

template <class T>
struct IsComplex : std::false_type {};
template <class R>
struct IsComplex<std::complex<R>> : std::true_type {};

/// Strict weak order of values: ascending or descending, NaNs last either way.
template <class T>
struct ValueOrder {
  bool descending = false;

  bool operator()(const T& a, const T& b) const {
    if constexpr (IsComplex<T>::value) {
      const int ca = nan_class(a), cb = nan_class(b);
      if (ca != cb) return ca < cb;
      // Within a class, compare the parts that are not NaN.
      if (ca == 0) return a.real() != b.real() ? directed(a.real(), b.real()) : directed(a.imag(), b.imag());
      if (ca == 1) return directed(a.real(), b.real());
      if (ca == 2) return directed(a.imag(), b.imag());
      return false;
    } else if constexpr (kernels::ops::is_real_float_v<T>) {
      // By the order keys the radix sort of a block's runs uses (NaNs last, -0.0 as 0.0),
      // so that the merges agree with it whatever the floating-point mode (flushing
      // subnormals to zero would make comparisons disagree with the keys' bits), and the
      // 16-bit floats compare without a conversion.
      return kernels::order_key(a, descending) < kernels::order_key(b, descending);
    } else {
      return directed(a, b);
    }
  }

 private:
  template <class U>
  bool directed(const U& a, const U& b) const {
    return descending ? b < a : a < b;
  }
  template <class C>
  static int nan_class(const C& z) {
    return (std::isnan(z.real()) ? 2 : 0) + (std::isnan(z.imag()) ? 1 : 0);
  }
};

/// The strict total order of records: by value, then by index.
template <class T>
struct RecordOrder {
  ValueOrder<T> value;
  bool operator()(const Record<T>& a, const Record<T>& b) const {
    if (value(a.value, b.value)) return true;
    if (value(b.value, a.value)) return false;
    return a.index < b.index;
  }
};

/// How many elements of each run are among the `rank` smallest of all runs together.
/// Each run is sorted by `order`, a strict total order over all their records. Element p
/// of run k is among them when its global rank (the elements of all runs before it) is
/// below `rank`; that is monotone in p, so each count is a binary search over p of
/// binary searches over the runs: O(k² log² n).
template <class T>
std::vector<std::int64_t> co_ranks(const std::vector<std::span<const Record<T>>>& runs, std::int64_t rank,
                                   const RecordOrder<T>& order) {
  std::vector<std::int64_t> split(runs.size(), 0);
  std::int64_t total = 0;
  for (const auto& r : runs) total += static_cast<std::int64_t>(r.size());
  if (rank <= 0) return split;
  if (rank >= total) {
    for (std::size_t k = 0; k < runs.size(); ++k) split[k] = static_cast<std::int64_t>(runs[k].size());
    return split;
  }
  const auto global_rank = [&](const Record<T>& e) {
    std::int64_t smaller = 0;
    for (const auto& r : runs) smaller += std::lower_bound(r.begin(), r.end(), e, order) - r.begin();
    return smaller;
  };
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const auto end = std::partition_point(runs[k].begin(), runs[k].end(),
                                          [&](const Record<T>& e) { return global_rank(e) < rank; });
    split[k] = end - runs[k].begin();
  }
  return split;
}

/// Merges the slices [lo[k], hi[k]) of the sorted runs into one sorted sequence
/// (bottom-up pairwise std::inplace_merge: O(m log k) for m elements from k runs).
template <class T>
std::vector<Record<T>> merge_slices(const std::vector<std::span<const Record<T>>>& runs,
                                    const std::vector<std::int64_t>& lo, const std::vector<std::int64_t>& hi,
                                    const RecordOrder<T>& order) {
  std::vector<Record<T>> merged;
  std::vector<std::size_t> bounds{0};
  for (std::size_t k = 0; k < runs.size(); ++k) {
    if (hi[k] <= lo[k]) continue;
    merged.insert(merged.end(), runs[k].begin() + lo[k], runs[k].begin() + hi[k]);
    bounds.push_back(merged.size());
  }
  while (bounds.size() > 2) {
    std::vector<std::size_t> next{0};
    for (std::size_t i = 0; i + 1 < bounds.size(); i += 2) {
      if (i + 2 < bounds.size()) {
        std::inplace_merge(merged.begin() + static_cast<std::ptrdiff_t>(bounds[i]),
                           merged.begin() + static_cast<std::ptrdiff_t>(bounds[i + 1]),
                           merged.begin() + static_cast<std::ptrdiff_t>(bounds[i + 2]), order);
        next.push_back(bounds[i + 2]);
      } else {
        next.push_back(bounds[i + 1]);
      }
    }
    bounds = std::move(next);
  }
  return merged;
}

}  // namespace tessera::array_detail
