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
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
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
    if constexpr (kernels::ops::is_real_float_v<T>) {
      // ValueOrder's keys, each computed once rather than once per direction.
      const std::uint64_t ka = kernels::order_key(a.value, value.descending);
      const std::uint64_t kb = kernels::order_key(b.value, value.descending);
      return ka != kb ? ka < kb : a.index < b.index;
    } else {
      if (value(a.value, b.value)) return true;
      if (value(b.value, a.value)) return false;
      return a.index < b.index;
    }
  }
};

/// How many elements of each run are among the `rank` smallest of all runs together.
/// Each run is sorted by `order`, a strict total order over all their records. They split
/// at the record with exactly `rank` records below it, found by selection: every run keeps
/// a window [lo, hi) that holds it if it is there (records below lo are smaller, from hi
/// on larger); the weighted median of the windows' middle records is a pivot whose rank
/// (a binary search per run) moves one side of every window past it, which discards at
/// least a quarter of what the windows hold. O(k log n) per step for k runs of up to n
/// records, O(log n) steps: a merge task of an output block among many blocks does not
/// pay for every pair of runs.
template <class T>
std::vector<std::int64_t> co_ranks(const std::vector<std::span<const Record<T>>>& runs, std::int64_t rank,
                                   const RecordOrder<T>& order) {
  const std::size_t k = runs.size();
  std::vector<std::int64_t> split(k, 0), lo(k, 0), hi(k, 0);
  std::int64_t total = 0;
  for (std::size_t r = 0; r < k; ++r) {
    hi[r] = static_cast<std::int64_t>(runs[r].size());
    total += hi[r];
  }
  if (rank <= 0) return split;
  if (rank >= total) return hi;
  std::vector<std::pair<const Record<T>*, std::int64_t>> middles;  // a window's middle record, its size
  // Each step keeps at most three quarters: 160 steps cover 2^64 records. More would be a
  // broken order (not strict, or runs not sorted by it): an error, not an endless loop.
  for (int step = 0;; ++step) {
    TESSERA_ASSERT(step < 256, "co_ranks: the runs are not sorted in a strict order");
    middles.clear();
    std::int64_t weight = 0;
    for (std::size_t r = 0; r < k; ++r) {
      if (hi[r] <= lo[r]) continue;
      middles.emplace_back(&runs[r][static_cast<std::size_t>(lo[r] + (hi[r] - lo[r]) / 2)], hi[r] - lo[r]);
      weight += hi[r] - lo[r];
    }
    TESSERA_ASSERT(weight > 0, "co_ranks: the split record left every window");
    std::sort(middles.begin(), middles.end(), [&](const auto& a, const auto& b) { return order(*a.first, *b.first); });
    const Record<T>* pivot = nullptr;
    std::int64_t below_weight = 0;
    for (const auto& [middle, size] : middles) {
      below_weight += size;
      if (below_weight >= weight - below_weight) {
        pivot = middle;
        break;
      }
    }
    // Records below a window are below the pivot, and those past it above: search inside.
    std::int64_t below = 0;
    for (std::size_t r = 0; r < k; ++r) {
      const Record<T>* first = runs[r].data() + lo[r];
      split[r] = lo[r] + (std::lower_bound(first, runs[r].data() + hi[r], *pivot, order) - first);
      below += split[r];
    }
    if (below == rank) return split;
    for (std::size_t r = 0; r < k; ++r) {
      if (below < rank) {
        // The split record is above the pivot: windows start past it (and past the pivot itself).
        const bool holds_pivot = split[r] < hi[r] && !order(*pivot, runs[r][static_cast<std::size_t>(split[r])]);
        lo[r] = split[r] + (holds_pivot ? 1 : 0);
      } else {
        hi[r] = split[r];
      }
    }
  }
}

/// Merges the slices [lo[k], hi[k]) of the sorted runs into one sorted sequence, calling
/// `emit(q, record)` for its q-th record in order: a tournament of losers over the
/// slices' heads, one pass that reads each record once and writes it once where the
/// caller wants it (log2 k comparisons per record for k slices).
template <class T, class Emit>
void merge_slices(const std::vector<std::span<const Record<T>>>& runs, const std::vector<std::int64_t>& lo,
                  const std::vector<std::int64_t>& hi, const RecordOrder<T>& order, Emit&& emit) {
  std::vector<const Record<T>*> head, end;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    if (hi[k] <= lo[k]) continue;
    head.push_back(runs[k].data() + lo[k]);
    end.push_back(runs[k].data() + hi[k]);
  }
  if (head.empty()) return;
  std::int64_t q = 0;
  if (head.size() == 1) {
    for (const Record<T>* r = head[0]; r != end[0]; ++r) emit(q++, *r);
    return;
  }
  // Leaves: the slices, padded to a power of two with empty ones. A slice that is done
  // loses to every other; the records' order is strict, so no two live heads tie.
  std::size_t leaves = 1;
  while (leaves < head.size()) leaves *= 2;
  head.resize(leaves, nullptr);
  end.resize(leaves, nullptr);
  const auto beats = [&](std::size_t a, std::size_t b) {
    if (head[a] == end[a]) return false;
    if (head[b] == end[b]) return true;
    return order(*head[a], *head[b]);
  };
  // loser[n] for inner node n (1 .. leaves-1): the slice that lost the match there;
  // winner[n] is only needed while the tree is built, bottom up.
  std::vector<std::size_t> loser(leaves), winner(2 * leaves);
  for (std::size_t leaf = 0; leaf < leaves; ++leaf) winner[leaves + leaf] = leaf;
  for (std::size_t n = leaves - 1; n >= 1; --n) {
    const std::size_t a = winner[2 * n], b = winner[2 * n + 1];
    const bool a_wins = beats(a, b);
    winner[n] = a_wins ? a : b;
    loser[n] = a_wins ? b : a;
  }
  std::size_t top = winner[1];
  while (head[top] != end[top]) {
    emit(q++, *head[top]);
    ++head[top];
    // Replay the matches on the path from the winner's leaf to the root.
    for (std::size_t n = (leaves + top) / 2; n >= 1; n /= 2) {
      if (beats(loser[n], top)) std::swap(loser[n], top);
    }
  }
}

}  // namespace tessera::array_detail
