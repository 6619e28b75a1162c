// The blocked sort's second stage on the host (sort_order.hpp): co_ranks finds which slice
// of each sorted run holds a window of ranks, and merge_slices merges those slices. Both
// are checked against std::sort of all the runs' records together, for any number of
// runs (powers of two and not, an empty one among them) and windows anywhere, some of
// them inside one run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
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

// co_ranks at every rank from -1 to n + 1 (clamped to [0, n]) against a count, per run, of
// its records below the rank-th of all (the runs sorted by `order`).
template <class T>
void check_every_rank(std::vector<std::vector<Record<T>>> runs, const RecordOrder<T>& order, const std::string& what) {
  std::vector<std::span<const Record<T>>> spans;
  std::vector<Record<T>> all;
  for (auto& run : runs) {
    std::sort(run.begin(), run.end(), order);
    all.insert(all.end(), run.begin(), run.end());
  }
  for (const auto& run : runs) spans.emplace_back(run);
  std::sort(all.begin(), all.end(), order);
  const auto n = static_cast<std::int64_t>(all.size());
  for (std::int64_t rank = -1; rank <= n + 1; ++rank) {
    const std::vector<std::int64_t> split = co_ranks(spans, rank, order);
    const std::int64_t at = std::clamp<std::int64_t>(rank, 0, n);
    for (std::size_t r = 0; r < runs.size(); ++r) {
      const auto expected = at == n ? static_cast<std::int64_t>(runs[r].size())
                                    : std::count_if(runs[r].begin(), runs[r].end(), [&](const Record<T>& e) {
                                        return order(e, all[static_cast<std::size_t>(at)]);
                                      });
      ASSERT_EQ(split[r], expected) << what << ": run " << r << " at rank " << rank;
    }
  }
}

TEST(CoRanks, EveryRankOfComplexBoolSingleRecordAndDisjointRuns) {
  using C = std::complex<double>;
  const double nan = std::nan("");
  std::vector<std::vector<Record<C>>> complex_runs(5);
  const C pool[] = {{1, 1}, {1, nan}, {nan, 1}, {nan, nan}, {0, 2}, {1, 0}, {-1, 5}};
  for (std::int64_t i = 0; i < 60; ++i) complex_runs[static_cast<std::size_t>(i % 5)].push_back({pool[(i * 5) % 7], i});
  check_every_rank(complex_runs, RecordOrder<C>{{false}}, "complex");
  check_every_rank(complex_runs, RecordOrder<C>{{true}}, "complex, descending");

  std::vector<std::vector<Record<bool>>> flags(4);
  for (std::int64_t i = 0; i < 40; ++i) flags[static_cast<std::size_t>(i % 4)].push_back({i % 3 == 0, i});
  check_every_rank(flags, RecordOrder<bool>{{false}}, "bool");

  std::vector<std::vector<Record<double>>> singles(50);  // runs of one record, one of them empty
  for (std::int64_t i = 1; i < 50; ++i) singles[static_cast<std::size_t>(i)].push_back({static_cast<double>(i % 7), i});
  check_every_rank(singles, RecordOrder<double>{{false}}, "single records");

  std::vector<std::vector<Record<std::int32_t>>> apart(6);  // run r holds values above run r + 1's
  for (std::int64_t i = 0; i < 60; ++i) {
    const auto r = static_cast<std::size_t>(i / 10);
    apart[r].push_back({static_cast<std::int32_t>(1000 - 100 * static_cast<std::int64_t>(r) + i % 10), i});
  }
  check_every_rank(apart, RecordOrder<std::int32_t>{{false}}, "disjoint runs");
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
