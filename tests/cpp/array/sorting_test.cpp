// sort and argsort against std::stable_sort over each lane, and hand-computed orders:
// NaNs, ties, descending, both axes of matrices, a 3-d middle axis, 0-size arrays, size-1
// and uneven chunks, several dtypes; bad axes.
#include <gtest/gtest.h>

#include <numeric>

#include "sorting_test_support.hpp"

namespace {

using tessera::Array;
using tessera::ChunkSizes;
using tessera::ChunkSpec;
using tessera::Shape;
using tessera::testing::array_of;
using tessera::testing::computed_values;
using tessera::testing::expect_same_values;
using tessera::testing::reference_less;
using tessera::testing::tied_values;

template <class T>
struct SortedReference {
  std::vector<T> values;
  std::vector<std::int64_t> indices;
};

// Sorts each lane of a C-ordered array of `shape` along `axis` with std::stable_sort.
template <class T>
SortedReference<T> reference_sort(const std::vector<T>& v, const Shape& shape, int axis, bool descending) {
  std::int64_t outer = 1, inner = 1;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    if (d < axis) outer *= shape[static_cast<std::size_t>(d)];
    if (d > axis) inner *= shape[static_cast<std::size_t>(d)];
  }
  const std::int64_t length = shape[static_cast<std::size_t>(axis)];
  SortedReference<T> r{v, std::vector<std::int64_t>(v.size())};
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      const auto at = [&](std::int64_t p) { return static_cast<std::size_t>((o * length + p) * inner + i); };
      std::vector<std::int64_t> order(static_cast<std::size_t>(length));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::int64_t a, std::int64_t b) { return reference_less(v[at(a)], v[at(b)], descending); });
      for (std::int64_t p = 0; p < length; ++p) {
        r.values[at(p)] = v[at(order[static_cast<std::size_t>(p)])];
        r.indices[at(p)] = order[static_cast<std::size_t>(p)];
      }
    }
  }
  return r;
}

template <class T>
void check_matrix_sorts(unsigned seed) {
  const Shape shape{7, 9};
  const std::vector<T> v = tied_values<T>(63, seed);
  for (const ChunkSpec& chunks : tessera::testing::matrix_chunkings()) {
    const Array x = array_of(v, shape, chunks);
    for (const std::int64_t axis : {std::int64_t{0}, std::int64_t{-1}}) {
      for (const bool descending : {false, true}) {
        const std::string what = x.repr() + " axis " + std::to_string(axis) + (descending ? " descending" : "");
        const auto ref = reference_sort(v, shape, axis < 0 ? 1 : 0, descending);
        const Array s = tessera::sort(x, axis, {.descending = descending});
        const Array i = tessera::argsort(x, axis, {.descending = descending});
        EXPECT_EQ(s.chunks(), x.chunks());
        EXPECT_EQ(i.dtype(), tessera::DType::int64);
        expect_same_values(computed_values<T>(s), ref.values, "sort of " + what);
        expect_same_values(computed_values<std::int64_t>(i), ref.indices, "argsort of " + what);
      }
    }
  }
}

// Columns longer than the radix sort's cutoff, several to a block (lanes with inner > 1).
template <class T>
void check_tall_sorts(unsigned seed) {
  const Shape shape{600, 3};
  const std::vector<T> v = tied_values<T>(1800, seed);
  for (const ChunkSpec& chunks : {ChunkSpec(std::vector<std::int64_t>{600, 3}), ChunkSpec(std::vector<std::int64_t>{256, 2})}) {
    const Array x = array_of(v, shape, chunks);
    for (const bool descending : {false, true}) {
      const std::string what = x.repr() + " axis 0" + (descending ? " descending" : "");
      const auto ref = reference_sort(v, shape, 0, descending);
      expect_same_values(computed_values<T>(tessera::sort(x, 0, {.descending = descending})), ref.values, "sort of " + what);
      expect_same_values(computed_values<std::int64_t>(tessera::argsort(x, 0, {.descending = descending})), ref.indices,
                         "argsort of " + what);
    }
  }
}

TEST(Sort, TallColumnsOfEveryWidth) {
  check_tall_sorts<float>(11);
  check_tall_sorts<std::int16_t>(12);
  check_tall_sorts<std::uint8_t>(13);
  check_tall_sorts<std::int64_t>(14);
  check_tall_sorts<bool>(15);
}

TEST(Sort, Float64MatrixWithNaNsSignedZerosAndTies) { check_matrix_sorts<double>(1); }
TEST(Sort, Float32Matrix) { check_matrix_sorts<float>(2); }
TEST(Sort, Int32Matrix) { check_matrix_sorts<std::int32_t>(3); }
TEST(Sort, Int64Matrix) { check_matrix_sorts<std::int64_t>(4); }
TEST(Sort, Uint8Matrix) { check_matrix_sorts<std::uint8_t>(5); }
TEST(Sort, BoolMatrixFalseBeforeTrue) { check_matrix_sorts<bool>(6); }

TEST(Sort, LongVectorAcrossManyUnevenChunks) {
  const std::vector<double> v = tessera::testing::random_values(1000, 7);
  std::vector<double> expected = v;
  std::sort(expected.begin(), expected.end());
  for (const ChunkSpec& chunks : {ChunkSpec(std::int64_t{37}), ChunkSpec(std::int64_t{1000}),
                                  ChunkSpec(ChunkSizes{{1, 500, 2, 497}})}) {
    const Array x = array_of(v, {1000}, chunks);
    expect_same_values(computed_values<double>(tessera::sort(x)), expected, "sort of " + x.repr());
    const auto ref = reference_sort(v, {1000}, 0, true);
    expect_same_values(computed_values<std::int64_t>(tessera::argsort(x, 0, {.descending = true})), ref.indices,
                       "descending argsort of " + x.repr());
  }
}

TEST(Sort, MiddleAxisOfThreeDimensions) {
  const Shape shape{4, 5, 6};
  const std::vector<std::int64_t> v = tied_values<std::int64_t>(120, 8);
  for (const ChunkSpec& chunks : {ChunkSpec(std::vector<std::int64_t>{3, 2, 4}), ChunkSpec(std::int64_t{1})}) {
    const Array x = array_of(v, shape, chunks);
    for (const bool descending : {false, true}) {
      const auto ref = reference_sort(v, shape, 1, descending);
      expect_same_values(computed_values<std::int64_t>(tessera::sort(x, 1, {.descending = descending})), ref.values,
                         "sort of " + x.repr());
      expect_same_values(computed_values<std::int64_t>(tessera::argsort(x, -2, {.descending = descending})),
                         ref.indices, "argsort of " + x.repr());
    }
  }
}

TEST(Sort, HandComputedNaNsStayLastWhenDescending) {
  const double nan = std::nan("");
  const std::vector<double> v{3, nan, 1, 3, nan, 2};
  for (const ChunkSpec& chunks : {ChunkSpec(std::int64_t{2}), ChunkSpec(std::int64_t{1}), ChunkSpec(std::int64_t{-1})}) {
    const Array x = array_of(v, {6}, chunks);
    expect_same_values(computed_values<double>(tessera::sort(x)), {1, 2, 3, 3, nan, nan}, "ascending");
    expect_same_values(computed_values<std::int64_t>(tessera::argsort(x)), {2, 5, 0, 3, 1, 4}, "ascending argsort");
    expect_same_values(computed_values<double>(tessera::sort(x, 0, {.descending = true})), {3, 3, 2, 1, nan, nan},
                       "descending");
    expect_same_values(computed_values<std::int64_t>(tessera::argsort(x, 0, {.descending = true, .stable = false})),
                       {0, 3, 5, 2, 1, 4}, "descending argsort");
  }
}

TEST(Sort, HandComputedComplexIsLexicographicWithNaNsLast) {
  using C = std::complex<double>;
  const double nan = std::nan("");
  const std::vector<C> v{{2, 1}, {1, nan}, {nan, 0}, {1, 2}, {1, 1}, {nan, nan}, {0, 5}};
  for (const ChunkSpec& chunks : {ChunkSpec(std::int64_t{2}), ChunkSpec(std::int64_t{1})}) {
    const Array x = array_of(v, {7}, chunks);
    EXPECT_EQ(computed_values<std::int64_t>(tessera::argsort(x)), (std::vector<std::int64_t>{6, 4, 3, 0, 1, 2, 5}));
    EXPECT_EQ(computed_values<std::int64_t>(tessera::argsort(x, -1, {.descending = true})),
              (std::vector<std::int64_t>{0, 3, 4, 6, 1, 2, 5}));
    const std::vector<C> sorted = computed_values<C>(tessera::sort(x));
    EXPECT_EQ(sorted[0], C(0, 5));
    EXPECT_EQ(sorted[3], C(2, 1));
    EXPECT_TRUE(std::isnan(sorted[6].real()) && std::isnan(sorted[6].imag()));
  }
}

TEST(Sort, FusedAndTransposedInputs) {
  const std::vector<double> v = tessera::testing::random_values(63, 9);
  const Array x = array_of(v, {7, 9}, ChunkSpec(std::vector<std::int64_t>{3, 4}));
  // sort((2x + 1).T, axis 1) sorts the columns of x, doubled and shifted.
  std::vector<double> t(63);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 9; ++j) t[static_cast<std::size_t>(j * 7 + i)] = 2 * v[static_cast<std::size_t>(i * 9 + j)] + 1;
  const auto ref = reference_sort(t, {9, 7}, 1, false);
  expect_same_values(computed_values<double>(tessera::sort((x * 2.0 + 1.0).T(), 1)), ref.values, "sort of a view");
}

TEST(Sort, ZeroSizeArrays) {
  for (const Shape& shape : {Shape{0}, Shape{3, 0}, Shape{0, 4}}) {
    const Array x = tessera::zeros(shape, {.dtype = tessera::DType::float32});
    for (const std::int64_t axis : {std::int64_t{0}, std::int64_t{-1}}) {
      const Array s = tessera::sort(x, axis);
      const Array i = tessera::argsort(x, axis, {.descending = true});
      EXPECT_EQ(s.shape(), shape);
      EXPECT_EQ(i.shape(), shape);
      EXPECT_EQ(s.compute(tessera::testing::test_client()).size(), 0);
      EXPECT_EQ(i.compute(tessera::testing::test_client()).size(), 0);
    }
  }
}

TEST(Sort, SizeOneLanes) {
  const std::vector<std::int32_t> v{5, -1, 3};
  const Array x = array_of(v, {3, 1}, ChunkSpec(std::int64_t{1}));
  EXPECT_EQ(computed_values<std::int32_t>(tessera::sort(x)), v);
  EXPECT_EQ(computed_values<std::int32_t>(tessera::sort(x, 0)), (std::vector<std::int32_t>{-1, 3, 5}));
  EXPECT_EQ(computed_values<std::int64_t>(tessera::argsort(x, 0)), (std::vector<std::int64_t>{1, 2, 0}));
}

TEST(Sort, BadAxisIsAnIndexError) {
  const Array x = tessera::zeros({3, 4});
  EXPECT_THROW(tessera::sort(x, 2), tessera::IndexError);
  EXPECT_THROW(tessera::argsort(x, -3), tessera::IndexError);
  EXPECT_THROW(tessera::sort(tessera::zeros({})), tessera::IndexError);
  try {
    tessera::sort(x, 5);
  } catch (const tessera::IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("axis 5"), std::string::npos) << e.what();
  }
}

}  // namespace
