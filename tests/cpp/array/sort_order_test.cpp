// The blocked sort's second stage on the host (sort_order.hpp): co_ranks finds which slice
// of each sorted run holds a window of ranks, and merge_slices merges those slices. Both
// are checked against std::sort of all the runs' records together, for any number of
// runs (powers of two and not, an empty one among them) and windows anywhere, some of
// them inside one run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sort_order.hpp"

namespace sort_order_test {
namespace {

using tessera::array_detail::co_ranks;
using tessera::array_detail::merge_slices;
using tessera::array_detail::Record;
using tessera::array_detail::RecordOrder;

template <class T>
T draw(std::mt19937_64& rng) {
  const int v = static_cast<int>(rng() % 41) - 20;  // many ties
  if constexpr (std::is_floating_point_v<T>) {
    if (v == 20) return std::nan("");
    if (v == 19) return -T(0);
    return static_cast<T>(v) / 8;
  } else {
    return static_cast<T>(v);
  }
}

// `count` records dealt at random into `k` runs, each run sorted: the first stage's output
// for blocks whose indices interleave. Run 1 stays empty (k > 2); run 0 gets about half
// the records, all of them below the others' (NaNs aside), so that a window near an end
// of the order lies in run 0 alone.
template <class T>
std::vector<std::vector<Record<T>>> sorted_runs(std::size_t count, std::size_t k, const RecordOrder<T>& order,
                                                std::mt19937_64& rng) {
  std::vector<std::vector<Record<T>>> runs(k);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t r = rng() % 2 == 0 ? 0 : rng() % k;
    if (k > 2 && r == 1) r = 2;
    const T value = r == 0 ? static_cast<T>(draw<T>(rng) - T(100)) : draw<T>(rng);
    runs[r].push_back({value, static_cast<std::int64_t>(i)});
  }
  for (auto& run : runs) std::sort(run.begin(), run.end(), order);
  return runs;
}

template <class T>
void check_windows(bool descending) {
  const RecordOrder<T> order{{descending}};
  std::mt19937_64 rng(11);
  for (std::size_t k : {1, 2, 3, 4, 5, 8, 9, 16, 300}) {
    const std::size_t count = 40 * k + rng() % 50;
    const auto runs = sorted_runs<T>(count, k, order, rng);
    std::vector<std::span<const Record<T>>> spans;
    std::vector<Record<T>> all;
    for (const auto& run : runs) {
      spans.emplace_back(run);
      all.insert(all.end(), run.begin(), run.end());
    }
    std::sort(all.begin(), all.end(), order);
    const auto n = static_cast<std::int64_t>(count);
    const std::pair<std::int64_t, std::int64_t> windows[] = {
        {0, n}, {0, 0}, {n, n}, {n / 3, n / 3 + 1}, {n / 4, n - n / 5}, {1, n - 1}, {0, n / 4}, {n - n / 4, n}};
    for (const auto& [rank_lo, rank_hi] : windows) {
      const auto lo = co_ranks(spans, rank_lo, order), hi = co_ranks(spans, rank_hi, order);
      std::vector<Record<T>> merged(static_cast<std::size_t>(rank_hi - rank_lo));
      std::int64_t emitted = 0;
      merge_slices(spans, lo, hi, order, [&](std::int64_t q, const Record<T>& r) {
        ASSERT_EQ(q, emitted) << "records come in order of rank";
        ASSERT_LT(q, rank_hi - rank_lo) << "more records than the window holds";
        merged[static_cast<std::size_t>(q)] = r;
        ++emitted;
      });
      const std::string where = std::to_string(k) + " runs, ranks [" + std::to_string(rank_lo) + ", " +
                                std::to_string(rank_hi) + ")" + (descending ? ", descending" : "");
      ASSERT_EQ(emitted, rank_hi - rank_lo) << where;
      for (std::int64_t q = 0; q < emitted; ++q) {
        // Indices are distinct: equal indices mean the same record.
        ASSERT_EQ(merged[static_cast<std::size_t>(q)].index, all[static_cast<std::size_t>(rank_lo + q)].index)
            << where << ", rank " << rank_lo + q;
      }
    }
  }
}

TEST(MergeSlices, WindowsOfAnyNumberOfRunsMatchOneSortOfAll) {
  check_windows<double>(false);
  check_windows<double>(true);
  check_windows<std::int32_t>(false);
  check_windows<std::int32_t>(true);
}

TEST(MergeSlices, NoSlicesEmitNothing) {
  const RecordOrder<double> order{};
  const std::vector<Record<double>> run{{1.0, 0}, {2.0, 1}};
  const std::vector<std::span<const Record<double>>> spans{run, run};
  int calls = 0;
  merge_slices(spans, {1, 2}, {1, 2}, order, [&](std::int64_t, const Record<double>&) { ++calls; });
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace sort_order_test
