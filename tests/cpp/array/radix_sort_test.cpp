// The host's radix sort of records against std::sort with RecordOrder, the order every
// sort of tessera follows: NaNs last in both directions, -0.0 equal to 0.0 (ties by
// index), every real width, lanes shorter and longer than the comparison-sort cutoff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "radix_sort.hpp"
#include "tessera/core/narrow_float.hpp"

namespace {

using tessera::array_detail::Record;
using tessera::array_detail::RecordOrder;
using tessera::array_detail::RecordRadixSort;

// Values drawn from a small pool (many ties), with the edges of the type among them.
template <class T>
std::vector<T> pool() {
  std::vector<T> v;
  if constexpr (std::is_same_v<T, bool>) {
    v = {false, true};
  } else if constexpr (std::is_integral_v<T>) {
    v = {std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), T(0), T(1), T(7), T(100)};
    if constexpr (std::is_signed_v<T>) v.insert(v.end(), {T(-1), T(-7), T(-100)});
  } else {
    const double specials[] = {0.0, -0.0, 1.5, -1.5, 3.0, -250.0, 1e-3, std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity(), std::nan("")};
    for (double d : specials) v.push_back(static_cast<T>(d));
    v.push_back(-static_cast<T>(std::nan("")));  // a NaN with its sign bit set
  }
  return v;
}

// Sorts records made in index order with `radix_sort` and expects std::sort's order by
// RecordOrder: the same record at every position, which the indices say, NaN or not.
template <class T>
void expect_comparison_sort_order(RecordRadixSort<T>& radix_sort, std::vector<Record<T>> made, bool descending) {
  std::vector<Record<T>> expected = made, records(made.size());
  std::sort(expected.begin(), expected.end(), RecordOrder<T>{{descending}});
  radix_sort.sort_made(records.data(), records.size(), descending, [&](std::size_t p) { return made[p]; });
  for (std::size_t p = 0; p < records.size(); ++p) {
    ASSERT_EQ(records[p].index, expected[p].index)
        << "at " << p << " of " << records.size() << (descending ? ", descending" : ", ascending");
  }
}

template <class T>
void check_radix_sort() {
  const std::vector<T> values = pool<T>();
  std::mt19937_64 rng(5);
  RecordRadixSort<T> radix_sort;  // one instance across lanes, as the runner uses it
  for (std::size_t n : {0, 1, 17, 2047, 2048, 5000}) {
    for (bool descending : {false, true}) {
      std::vector<Record<T>> records(n);
      for (std::size_t p = 0; p < n; ++p) {
        records[p] = {values[rng() % values.size()], static_cast<std::int64_t>(p)};
      }
      expect_comparison_sort_order(radix_sort, std::move(records), descending);
    }
  }
}

// Values whose keys differ in every digit: random bits for integers, random magnitudes
// across the exponent range for floats.
template <class T>
void check_radix_sort_of_random_bits() {
  std::mt19937_64 rng(9);
  RecordRadixSort<T> radix_sort;
  for (bool descending : {false, true}) {
    const std::size_t n = 20000;
    std::vector<Record<T>> records(n);
    for (std::size_t p = 0; p < n; ++p) {
      T value;
      if constexpr (std::is_integral_v<T>) {
        value = static_cast<T>(rng());
      } else if constexpr (tessera::is_narrow_float_v<T>) {
        value = T::from_bits(static_cast<std::uint16_t>(rng()));  // NaNs too: they tie, by index
      } else {
        const double magnitude = std::ldexp(std::uniform_real_distribution<double>(1, 2)(rng),
                                            static_cast<int>(rng() % 200) - 100);
        value = static_cast<T>(rng() % 2 ? magnitude : -magnitude);
      }
      records[p] = {value, static_cast<std::int64_t>(p)};
    }
    expect_comparison_sort_order(radix_sort, std::move(records), descending);
  }
}

TEST(RecordRadixSort, MatchesTheComparisonSortWhereEveryDigitDiffers) {
  check_radix_sort_of_random_bits<std::int64_t>();
  check_radix_sort_of_random_bits<std::uint64_t>();
  check_radix_sort_of_random_bits<std::int32_t>();
  check_radix_sort_of_random_bits<std::int16_t>();
  check_radix_sort_of_random_bits<std::uint16_t>();
  check_radix_sort_of_random_bits<double>();
  check_radix_sort_of_random_bits<float>();
  check_radix_sort_of_random_bits<tessera::float16>();
  check_radix_sort_of_random_bits<tessera::bfloat16>();
}

TEST(RecordRadixSort, MatchesTheComparisonSortForEveryRealType) {
  check_radix_sort<bool>();
  check_radix_sort<std::int8_t>();
  check_radix_sort<std::uint8_t>();
  check_radix_sort<std::int16_t>();
  check_radix_sort<std::uint16_t>();
  check_radix_sort<std::int32_t>();
  check_radix_sort<std::uint32_t>();
  check_radix_sort<std::int64_t>();
  check_radix_sort<std::uint64_t>();
  check_radix_sort<tessera::float16>();
  check_radix_sort<tessera::bfloat16>();
  check_radix_sort<float>();
  check_radix_sort<double>();
}

TEST(RecordRadixSort, SortsKeysSharingTheirLowestDigitAndReusesItsScratchForShorterLanes) {
  // Multiples of 2048 share their lowest digit (11 bits), which the sort skips: a higher
  // digit decides. Lanes shrink after a long one, with the same scratch.
  std::mt19937_64 rng(6);
  RecordRadixSort<std::int32_t> radix_sort;
  for (std::size_t n : {5000, 300, 4000, 2048}) {
    std::vector<Record<std::int32_t>> records(n);
    for (std::size_t p = 0; p < n; ++p) {
      records[p] = {static_cast<std::int32_t>(rng() % 64) * 2048 - 4096 * 8, static_cast<std::int64_t>(p)};
    }
    expect_comparison_sort_order(radix_sort, std::move(records), false);
  }
}

// sort_made of n records of `values[p]` (indices 10·p) against std::sort of the same:
// the same index and value bits at every position.
template <class T>
void expect_sort_made_order(RecordRadixSort<T>& radix_sort, const std::vector<T>& values, bool descending,
                            const std::string& what) {
  const std::size_t n = values.size();
  std::vector<Record<T>> expected(n), got(n);
  for (std::size_t p = 0; p < n; ++p) expected[p] = {values[p], static_cast<std::int64_t>(10 * p)};
  std::sort(expected.begin(), expected.end(), RecordOrder<T>{{descending}});
  radix_sort.sort_made(got.data(), n, descending, [&](std::size_t p) {
    return Record<T>{values[p], static_cast<std::int64_t>(10 * p)};
  });
  for (std::size_t p = 0; p < n; ++p) {
    ASSERT_EQ(got[p].index, expected[p].index) << "at " << p << ": " << what;
    ASSERT_EQ(std::memcmp(&got[p].value, &expected[p].value, sizeof(T)), 0) << "at " << p << ": " << what;
  }
}

TEST(RecordRadixSort, SortMadeLanesOfEveryKind) {
  std::mt19937_64 rng(8);
  RecordRadixSort<double> radix_sort;
  const std::vector<double> specials = pool<double>();
  for (std::size_t n : {100, 5000}) {  // below and above the comparison-sort cutoff
    std::vector<double> values(n);
    for (auto& v : values) v = specials[rng() % specials.size()];
    for (bool descending : {false, true}) {
      expect_sort_made_order(radix_sort, values, descending, std::to_string(n) + " specials");
      // One value throughout: every digit shared, no pass, records made in the output.
      expect_sort_made_order(radix_sort, std::vector<double>(n, 2.5), descending, std::to_string(n) + " equal");
    }
  }
  // One 64-bit integer throughout, descending, from records in index order.
  std::vector<Record<std::int64_t>> equal(5000);
  for (std::size_t p = 0; p < equal.size(); ++p) equal[p] = {-3, static_cast<std::int64_t>(p)};
  RecordRadixSort<std::int64_t> in_place;
  expect_comparison_sort_order(in_place, equal, true);
}

TEST(RecordRadixSort, MakesRecordsWhereAnOddOrEvenNumberOfPassesEnds) {
  // Non-negative int64 below 2^(11·k) vary in their k lowest digits alone (the sign flip
  // makes the top digit shared too): k passes, odd and even. sort_made makes the records
  // from values it reads, into the scratch or the output as the count's parity says.
  std::mt19937_64 rng(7);
  RecordRadixSort<std::int64_t> radix_sort;
  for (int passes : {1, 2, 3, 4}) {
    std::vector<std::int64_t> values(5000);
    for (auto& v : values) v = static_cast<std::int64_t>(rng() % (std::uint64_t{1} << (11 * passes)));
    expect_sort_made_order(radix_sort, values, false, std::to_string(passes) + " passes");
  }
}

}  // namespace
