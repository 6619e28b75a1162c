// searchsorted against std::lower_bound / std::upper_bound over the whole sorted vector,
// and count_nonzero against loops.
#include <gtest/gtest.h>

#include "sorting_test_support.hpp"

namespace {

using tessera::Array;
using tessera::ChunkSpec;
using tessera::testing::array_of;
using tessera::testing::computed_values;
using tessera::testing::reference_less;
using tessera::testing::tied_values;

template <class T>
void check_searchsorted(unsigned seed) {
  std::vector<T> sorted = tied_values<T>(23, seed);
  std::stable_sort(sorted.begin(), sorted.end(), [](const T& a, const T& b) { return reference_less(a, b, false); });
  const std::vector<T> values = tied_values<T>(63, seed + 1);
  const auto less = [](const T& a, const T& b) { return reference_less(a, b, false); };
  for (const ChunkSpec& sorted_chunks : {ChunkSpec(std::int64_t{4}), ChunkSpec(std::int64_t{1}), ChunkSpec(std::int64_t{-1})}) {
    for (const ChunkSpec& value_chunks : tessera::testing::matrix_chunkings()) {
      const Array s = array_of(sorted, {23}, sorted_chunks);
      const Array v = array_of(values, {7, 9}, value_chunks);
      for (const std::string side : {"left", "right"}) {
        std::vector<std::int64_t> expected;
        for (const T& x : values) {
          const auto it = side == "left" ? std::lower_bound(sorted.begin(), sorted.end(), x, less)
                                         : std::upper_bound(sorted.begin(), sorted.end(), x, less);
          expected.push_back(it - sorted.begin());
        }
        const Array at = tessera::searchsorted(s, v, side);
        EXPECT_EQ(at.chunks(), v.chunks());
        EXPECT_EQ(computed_values<std::int64_t>(at), expected) << side << " " << s.repr() << " " << v.repr();
      }
    }
  }
}

TEST(SearchSorted, Float64WithNaNsAndTies) { check_searchsorted<double>(11); }
TEST(SearchSorted, Int32) { check_searchsorted<std::int32_t>(12); }
TEST(SearchSorted, Bool) { check_searchsorted<bool>(13); }

TEST(SearchSorted, HandComputedMixedDtypes) {
  const Array sorted = array_of(std::vector<std::int32_t>{1, 2, 2, 5}, {4}, ChunkSpec(std::int64_t{3}));
  const Array values = array_of(std::vector<double>{0, 2, 2.5, 5, 9, std::nan("")}, {6}, ChunkSpec(std::int64_t{2}));
  EXPECT_EQ(computed_values<std::int64_t>(tessera::searchsorted(sorted, values)),
            (std::vector<std::int64_t>{0, 1, 3, 3, 4, 4}));
  EXPECT_EQ(computed_values<std::int64_t>(tessera::searchsorted(sorted, values, "right")),
            (std::vector<std::int64_t>{0, 3, 3, 4, 4, 4}));
  // A 0-d value and an empty sorted array.
  EXPECT_EQ(computed_values<std::int64_t>(tessera::searchsorted(sorted, tessera::full({}, 2))),
            (std::vector<std::int64_t>{1}));
  EXPECT_EQ(computed_values<std::int64_t>(tessera::searchsorted(tessera::zeros({0}), values)),
            (std::vector<std::int64_t>(6, 0)));
}

// The first block of a host array reads like a whole chunk of the literal holding the
// array; a task taking its key (searchsorted, map_blocks) must still get the block alone.
TEST(SearchSorted, LeadingBlockOfAHostArrayIsItsOwnChunk) {
  const std::vector<double> v{1, 2, 3, 4, 5};
  const Array x = array_of(v, {5}, ChunkSpec(std::int64_t{2}));
  EXPECT_EQ(computed_values<std::int64_t>(tessera::searchsorted(x, x, "right")), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  const Array sizes = tessera::map_blocks(
      x,
      [](const tessera::Chunk& c) {
        tessera::Chunk out = tessera::Chunk::allocate(tessera::DType::float64, c.shape);
        for (std::int64_t i = 0; i < c.size(); ++i) out.data<double>()[i] = static_cast<double>(c.size());
        return out;
      },
      tessera::DType::float64);
  EXPECT_EQ(computed_values<double>(sizes), (std::vector<double>{2, 2, 2, 2, 1}));
}

TEST(SearchSorted, BadArguments) {
  const Array sorted = tessera::arange(5);
  EXPECT_THROW(tessera::searchsorted(sorted, sorted, "middle"), tessera::ValueError);
  EXPECT_THROW(tessera::searchsorted(tessera::zeros({2, 2}), sorted), tessera::ValueError);
  EXPECT_THROW(tessera::searchsorted(tessera::zeros({}), sorted), tessera::ValueError);
}

template <class T>
void check_count_nonzero(unsigned seed) {
  const std::vector<T> v = tied_values<T>(63, seed);
  std::int64_t all = 0;
  std::vector<std::int64_t> rows(7, 0), cols(9, 0);
  for (int i = 0; i < 7; ++i) {
    for (int j = 0; j < 9; ++j) {
      const bool nz = v[static_cast<std::size_t>(i * 9 + j)] != T(0);  // NaN is nonzero
      all += nz;
      rows[static_cast<std::size_t>(i)] += nz;
      cols[static_cast<std::size_t>(j)] += nz;
    }
  }
  for (const ChunkSpec& chunks : tessera::testing::matrix_chunkings()) {
    const Array x = array_of(v, {7, 9}, chunks);
    EXPECT_EQ(computed_values<std::int64_t>(tessera::count_nonzero(x)), std::vector<std::int64_t>{all});
    EXPECT_EQ(computed_values<std::int64_t>(tessera::count_nonzero(x, {1})), rows);
    EXPECT_EQ(computed_values<std::int64_t>(tessera::count_nonzero(x, {0})), cols);
    EXPECT_EQ(computed_values<std::int64_t>(tessera::count_nonzero(x, {0, -1})), std::vector<std::int64_t>{all});
  }
}

TEST(CountNonzero, Float64WithNaNs) { check_count_nonzero<double>(14); }
TEST(CountNonzero, Int8) { check_count_nonzero<std::int8_t>(15); }
TEST(CountNonzero, Bool) { check_count_nonzero<bool>(16); }

TEST(CountNonzero, ZeroDimensionalAndEmpty) {
  EXPECT_EQ(computed_values<std::int64_t>(tessera::count_nonzero(tessera::full({}, 3))), std::vector<std::int64_t>{1});
  EXPECT_EQ(computed_values<std::int64_t>(tessera::count_nonzero(tessera::zeros({0, 4}), {0})),
            std::vector<std::int64_t>(4, 0));
}

TEST(CountNonzero, BadAxes) {
  EXPECT_THROW(tessera::count_nonzero(tessera::zeros({2, 2}), {2}), tessera::IndexError);
  EXPECT_THROW(tessera::count_nonzero(tessera::zeros({2, 2}), {0, 0}), tessera::ValueError);
}

}  // namespace
