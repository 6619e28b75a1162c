// boolean_index, argwhere and nonzero against loops in C order: full and leading masks,
// 0-d masks, empty selections, masks computed from x itself, several chunkings and dtypes;
// errors for non-bool masks and shape mismatches.
#include <gtest/gtest.h>

#include "sorting_test_support.hpp"

namespace {

using tessera::Array;
using tessera::ChunkSizes;
using tessera::ChunkSpec;
using tessera::Shape;
using tessera::testing::array_of;
using tessera::testing::computed_values;
using tessera::testing::expect_same_values;
using tessera::testing::test_client;
using tessera::testing::tied_values;

tessera::Client& client() { return test_client(); }

std::int64_t chunk_sum(const std::vector<std::int64_t>& chunks) {
  std::int64_t s = 0;
  for (auto c : chunks) s += c;
  return s;
}

template <class T>
void check_full_mask(unsigned seed) {
  const std::vector<T> v = tied_values<T>(63, seed);
  const std::vector<bool> m = tied_values<bool>(63, seed + 100);
  std::vector<T> expected;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (m[i]) expected.push_back(v[i]);
  }
  for (const ChunkSpec& chunks : tessera::testing::matrix_chunkings()) {
    // The mask's own chunking differs from x's; the result must not depend on either.
    const Array x = array_of(v, {7, 9}, chunks);
    const Array mask = array_of(m, {7, 9}, ChunkSpec(std::int64_t{2}));
    const Array selected = tessera::boolean_index(client(), x, mask);
    EXPECT_EQ(selected.shape(), (Shape{static_cast<std::int64_t>(expected.size())}));
    EXPECT_EQ(chunk_sum(selected.chunks()[0]), static_cast<std::int64_t>(expected.size()));
    for (auto c : selected.chunks()[0]) EXPECT_GT(c, 0) << "empty chunks are dropped";
    expect_same_values(computed_values<T>(selected), expected, "x[mask] of " + x.repr());
  }
}

TEST(BooleanIndex, FullMaskFloat64) { check_full_mask<double>(21); }
TEST(BooleanIndex, FullMaskInt16) { check_full_mask<std::int16_t>(22); }
TEST(BooleanIndex, FullMaskBool) { check_full_mask<bool>(23); }

TEST(BooleanIndex, LeadingMaskSelectsRows) {
  const Shape shape{7, 4, 5};
  const std::vector<double> v = tessera::testing::random_values(140, 24);
  const std::vector<bool> rows = tied_values<bool>(7, 25);
  const std::vector<bool> plane = tied_values<bool>(28, 26);
  for (const ChunkSpec& chunks : {ChunkSpec(std::vector<std::int64_t>{3, 2, 4}), ChunkSpec(std::int64_t{1}),
                                  ChunkSpec(ChunkSizes{{1, 6}, {4}, {2, 3}})}) {
    const Array x = array_of(v, shape, chunks);
    // Mask over axis 0: whole (4, 5) planes.
    std::vector<double> expected;
    std::int64_t count = 0;
    for (std::size_t i = 0; i < 7; ++i) {
      if (!rows[i]) continue;
      ++count;
      expected.insert(expected.end(), v.begin() + static_cast<std::ptrdiff_t>(i * 20), v.begin() + static_cast<std::ptrdiff_t>(i * 20 + 20));
    }
    const Array r = tessera::boolean_index(client(), x, array_of(rows, {7}, ChunkSpec(std::int64_t{-1})));
    EXPECT_EQ(r.shape(), (Shape{count, 4, 5}));
    EXPECT_EQ(r.chunks()[2], x.chunks()[2]);
    expect_same_values(computed_values<double>(r), expected, "rows of " + x.repr());
    // Mask over axes 0 and 1: rows of 5.
    expected.clear();
    count = 0;
    for (std::size_t i = 0; i < 28; ++i) {
      if (!plane[i]) continue;
      ++count;
      expected.insert(expected.end(), v.begin() + static_cast<std::ptrdiff_t>(i * 5), v.begin() + static_cast<std::ptrdiff_t>(i * 5 + 5));
    }
    const Array p = tessera::boolean_index(client(), x, array_of(plane, {7, 4}, ChunkSpec(std::int64_t{3})));
    EXPECT_EQ(p.shape(), (Shape{count, 5}));
    expect_same_values(computed_values<double>(p), expected, "2-d mask over " + x.repr());
  }
}

TEST(BooleanIndex, MaskFromTheArrayItself) {
  const std::vector<double> v = tied_values<double>(63, 27);
  std::vector<double> expected;
  for (double x : v) {
    if (x > 0) expected.push_back(x);
  }
  const Array x = array_of(v, {7, 9}, ChunkSpec(std::vector<std::int64_t>{2, 4}));
  expect_same_values(computed_values<double>(tessera::boolean_index(client(), x, x > 0.0)), expected, "x[x > 0]");
}

TEST(BooleanIndex, EmptySelectionsAndZeroDimensionalMasks) {
  const Array x = array_of(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6}, {2, 3}, ChunkSpec(std::int64_t{1}));
  const Array none = tessera::boolean_index(client(), x, tessera::zeros({2, 3}, {.dtype = tessera::DType::bool_}));
  EXPECT_EQ(none.shape(), (Shape{0}));
  EXPECT_EQ(none.chunks(), (ChunkSizes{{0}}));
  EXPECT_EQ(none.compute(client()).size(), 0);
  const Array all_rows = tessera::boolean_index(client(), x, tessera::ones({}, {.dtype = tessera::DType::bool_}));
  EXPECT_EQ(all_rows.shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(computed_values<std::int32_t>(all_rows), (std::vector<std::int32_t>{1, 2, 3, 4, 5, 6}));
  const Array no_rows = tessera::boolean_index(client(), x, tessera::zeros({}, {.dtype = tessera::DType::bool_}));
  EXPECT_EQ(no_rows.shape(), (Shape{0, 2, 3}));
  EXPECT_EQ(no_rows.compute(client()).size(), 0);
  // A 0-size x.
  const Array empty = tessera::zeros({0, 3});
  EXPECT_EQ(tessera::boolean_index(client(), empty, tessera::zeros({0}, {.dtype = tessera::DType::bool_})).shape(),
            (Shape{0, 3}));
}

TEST(BooleanIndex, BadMasks) {
  const Array x = tessera::zeros({3, 4});
  EXPECT_THROW(tessera::boolean_index(client(), x, tessera::zeros({3, 4}, {.dtype = tessera::DType::int32})),
               tessera::TypeError);
  EXPECT_THROW(tessera::boolean_index(client(), x, tessera::zeros({4}, {.dtype = tessera::DType::bool_})),
               tessera::IndexError);
  EXPECT_THROW(tessera::boolean_index(client(), x, tessera::zeros({3, 4, 1}, {.dtype = tessera::DType::bool_})),
               tessera::IndexError);
  try {
    tessera::boolean_index(client(), x, tessera::zeros({3, 5}, {.dtype = tessera::DType::bool_}));
    ADD_FAILURE() << "no error";
  } catch (const tessera::IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("(3, 5)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(3, 4)"), std::string::npos) << e.what();
  }
}

template <class T>
void check_argwhere(unsigned seed) {
  const Shape shape{7, 9};
  const std::vector<T> v = tied_values<T>(63, seed);
  std::vector<std::int64_t> expected, rows, cols;
  for (std::int64_t i = 0; i < 7; ++i) {
    for (std::int64_t j = 0; j < 9; ++j) {
      if (v[static_cast<std::size_t>(i * 9 + j)] == T(0)) continue;  // NaN counts as nonzero
      expected.insert(expected.end(), {i, j});
      rows.push_back(i);
      cols.push_back(j);
    }
  }
  for (const ChunkSpec& chunks : tessera::testing::matrix_chunkings()) {
    const Array x = array_of(v, shape, chunks);
    const Array w = tessera::argwhere(client(), x);
    EXPECT_EQ(w.shape(), (Shape{static_cast<std::int64_t>(rows.size()), 2}));
    EXPECT_EQ(computed_values<std::int64_t>(w), expected) << x.repr();
    const std::vector<Array> nz = tessera::nonzero(client(), x);
    ASSERT_EQ(nz.size(), 2u);
    const auto both = tessera::compute(client(), nz);
    EXPECT_EQ(both[0].to_vector<std::int64_t>(), rows) << x.repr();
    EXPECT_EQ(both[1].to_vector<std::int64_t>(), cols) << x.repr();
  }
}

TEST(Argwhere, Float64WithNaNs) { check_argwhere<double>(31); }
TEST(Argwhere, Uint16) { check_argwhere<std::uint16_t>(32); }
TEST(Argwhere, Bool) { check_argwhere<bool>(33); }

TEST(Argwhere, OneAndThreeDimensions) {
  const std::vector<std::int32_t> v{0, 3, 0, 0, -1, 2, 0};
  const Array x = array_of(v, {7}, ChunkSpec(ChunkSizes{{2, 1, 4}}));
  EXPECT_EQ(computed_values<std::int64_t>(tessera::nonzero(client(), x)[0]), (std::vector<std::int64_t>{1, 4, 5}));
  const std::vector<std::int64_t> c = tied_values<std::int64_t>(24, 34);
  std::vector<std::int64_t> expected;
  for (std::int64_t i = 0; i < 24; ++i) {
    if (c[static_cast<std::size_t>(i)] != 0) expected.insert(expected.end(), {i / 12, (i / 4) % 3, i % 4});
  }
  const Array cube = array_of(c, {2, 3, 4}, ChunkSpec(std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(computed_values<std::int64_t>(tessera::argwhere(client(), cube)), expected);
}

TEST(Argwhere, ZeroDimensionalAndEmpty) {
  EXPECT_EQ(tessera::argwhere(client(), tessera::full({}, 5)).shape(), (Shape{1, 0}));
  EXPECT_EQ(tessera::argwhere(client(), tessera::zeros({})).shape(), (Shape{0, 0}));
  EXPECT_THROW(tessera::nonzero(client(), tessera::zeros({})), tessera::ValueError);
  const Array none = tessera::argwhere(client(), tessera::zeros({4, 5}, {.chunks = 2}));
  EXPECT_EQ(none.shape(), (Shape{0, 2}));
  EXPECT_EQ(none.compute(client()).size(), 0);
  const auto nz = tessera::nonzero(client(), tessera::zeros({0, 3}));
  EXPECT_EQ(nz[1].shape(), (Shape{0}));
  EXPECT_EQ(nz[1].compute(client()).size(), 0);
}

TEST(Argwhere, DefaultClientOverloads) {
  const Array x = array_of(std::vector<double>{0, 1, 0, 2}, {4}, ChunkSpec(std::int64_t{2}));
  EXPECT_EQ(tessera::argwhere(x).compute().to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(tessera::boolean_index(x, x > 0.5).compute().to_vector<double>(), (std::vector<double>{1, 2}));
}

}  // namespace
