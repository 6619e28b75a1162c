// take and setitem against plain loops, over chunkings (single elements, regular, whole,
// uneven), dtypes, index kinds and value broadcasting.
#include <gtest/gtest.h>

#include <numeric>

#include "manip_test_support.hpp"

namespace {

using tessera::Array;
using tessera::DType;
using tessera::Ellipsis;
using tessera::IndexItem;
using tessera::NewAxis;
using tessera::Shape;
using tessera::Slice;
using tessera::testing::counting;
using tessera::testing::describe;
using tessera::testing::expect_near_all;
using tessera::testing::manip_chunkings;
using tessera::testing::manip_dtypes;
using tessera::testing::ravel;
using tessera::testing::test_client;
using tessera::testing::computed;
using tessera::testing::typed_array;
using tessera::testing::unravel;

Array index_array(const std::vector<std::int64_t>& values, DType dtype, std::int64_t chunk) {
  std::vector<double> v(values.begin(), values.end());
  return typed_array(v, {static_cast<std::int64_t>(values.size())}, dtype, chunk).array;
}

TEST(Take, MatchesIndexedLoopsAlongEveryAxis) {
  const Shape shape{6, 7};
  const std::vector<std::vector<std::int64_t>> index_sets = {
      {0, 5, 2, 2, -1, 3}, {6, 6, 6}, {-7, 0, 1, 2, 3, 4, 5, 6, -1}, {}, {3}};
  for (DType dtype : manip_dtypes()) {
    for (const auto& chunks : manip_chunkings(shape)) {
      const auto x = typed_array(counting(42), shape, dtype, chunks);
      for (int axis : {0, 1, -1}) {
        const auto a = static_cast<std::size_t>(axis < 0 ? axis + 2 : axis);
        for (const auto& indices : index_sets) {
          std::vector<std::int64_t> valid;
          for (std::int64_t i : indices) {
            if (i >= -shape[a] && i < shape[a]) valid.push_back(i);
          }
          for (DType index_dtype : {DType::int64, DType::int32}) {
            for (std::int64_t index_chunk : {1, 2, 100}) {
              const Array y = tessera::take(x.array, index_array(valid, index_dtype, index_chunk), axis);
              SCOPED_TRACE(describe(x.array) + " axis " + std::to_string(axis) + " indices " +
                           tessera::shape_to_string(valid) + " in " + describe(y));
              Shape out = shape;
              out[a] = static_cast<std::int64_t>(valid.size());
              ASSERT_EQ(y.shape(), out);
              std::vector<double> ref;
              for (std::int64_t i = 0; i < tessera::shape_size(out); ++i) {
                std::vector<std::int64_t> at = unravel(i, out);
                const std::int64_t p = valid[static_cast<std::size_t>(at[a])];
                at[a] = p < 0 ? p + shape[a] : p;
                ref.push_back(x.values[static_cast<std::size_t>(ravel(at, shape))]);
              }
              expect_near_all(computed(y), ref, 0);
              if (::testing::Test::HasFailure()) return;
            }
          }
        }
      }
    }
  }
}

TEST(Take, FromExpressionsAndUnsignedIndices) {
  const Array x = tessera::from_vector(counting(10), {10}, std::int64_t{3});
  const Array y = tessera::take(x * 10.0, index_array({9, 0, 4}, DType::uint8, 2));
  expect_near_all(computed(y), {100, 10, 50}, 0);
  // A broadcast input: blocks that share one chunk.
  const Array b = tessera::broadcast_to(tessera::from_vector(counting(3), {1, 3}, std::int64_t{1}), {5, 3}).rechunk(std::int64_t{1});
  expect_near_all(computed(tessera::take(b, index_array({4, 0, 2}, DType::int64, 3), 0)), {1, 2, 3, 1, 2, 3, 1, 2, 3}, 0);
}

TEST(Take, ManyBlocksLongTilesAndOuterIndices) {
  // Along an axis of 20 blocks (found by binary search) and of 5 (branch-free), more
  // positions than one tile of addresses holds, below two blocks of outer indices.
  const Shape shape{3, 5000};
  const std::vector<double> values = counting(3 * 5000);
  std::vector<std::int64_t> positions;
  for (std::int64_t i = 0; i < 9000; ++i) positions.push_back((i * 7919 + 13) % 5000);
  std::vector<double> ref;
  for (std::int64_t o = 0; o < 3; ++o) {
    for (std::int64_t p : positions) ref.push_back(values[static_cast<std::size_t>(o * 5000 + p)]);
  }
  for (std::int64_t columns : {250, 1000}) {
    const Array x = tessera::from_vector(values, shape, tessera::ChunkSpec({2, columns}));
    SCOPED_TRACE("column blocks of " + std::to_string(columns));
    expect_near_all(computed(tessera::take(x, index_array(positions, DType::int64, 5000), 1)), ref, 0);
  }
  // Nothing to copy: a zero-length axis beside the taken one.
  const Array empty = tessera::take(tessera::zeros({0, 10}), index_array({3, 1}, DType::int64, 1), 1);
  EXPECT_EQ(empty.shape(), (Shape{0, 2}));
  EXPECT_TRUE(computed(empty).empty());
}

TEST(Take, RejectsBadIndices) {
  const Array x = tessera::zeros({5, 4});
  const auto message = [&](const Array& indices, std::int64_t axis) {
    try {
      (void)tessera::take(x, indices, axis);
    } catch (const tessera::IndexError& e) {
      return std::string(e.what());
    }
    return std::string("no IndexError");
  };
  const std::string high = message(index_array({0, 5}, DType::int64, 1), 0);
  EXPECT_NE(high.find("index 5"), std::string::npos) << high;
  EXPECT_NE(high.find("size 5"), std::string::npos) << high;
  EXPECT_NE(message(index_array({-5}, DType::int32, 1), 1).find("index -5"), std::string::npos);
  EXPECT_THROW((void)tessera::take(x, index_array({0}, DType::int64, 1)), tessera::ValueError);
  EXPECT_THROW((void)tessera::take(x, tessera::zeros({2}), 0), tessera::TypeError);
  EXPECT_THROW((void)tessera::take(x, tessera::zeros({2, 2}, {.dtype = DType::int64}), 0), tessera::ValueError);
  EXPECT_THROW((void)tessera::take(x, index_array({0}, DType::int64, 1), 2), tessera::IndexError);
}

// Plain-loop setitem: the positions `index` selects, in order along each axis of x (an
// integer is one position), get the broadcast value in C order over the region.
struct Selection {
  std::vector<std::vector<std::int64_t>> positions;  // per axis of x
};

std::vector<double> assigned(std::vector<double> x, const Shape& shape, const Selection& s, const std::vector<double>& region_values) {
  Shape counts;
  for (const auto& p : s.positions) counts.push_back(static_cast<std::int64_t>(p.size()));
  for (std::int64_t i = 0; i < tessera::shape_size(counts); ++i) {
    const std::vector<std::int64_t> k = unravel(i, counts);
    std::vector<std::int64_t> at;
    for (std::size_t d = 0; d < k.size(); ++d) at.push_back(s.positions[d][static_cast<std::size_t>(k[d])]);
    x[static_cast<std::size_t>(ravel(at, shape))] = region_values[static_cast<std::size_t>(i)];
  }
  return x;
}

std::vector<std::int64_t> range(std::int64_t start, std::int64_t stop, std::int64_t step) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) v.push_back(i);
  return v;
}

TEST(SetItem, ScalarsAndArraysThroughEveryIndexKind) {
  const Shape shape{7, 9};
  struct Case {
    std::vector<IndexItem> index;
    Selection selection;
    Shape region;  // NumPy's x[index].shape
  };
  const std::vector<Case> cases = {
      {{std::int64_t{2}}, {{{2}, range(0, 9, 1)}}, {9}},
      {{Slice{1, 6, 2}, Slice{std::nullopt, std::nullopt, -3}}, {{{1, 3, 5}, {8, 5, 2}}}, {3, 3}},
      {{Ellipsis{}, std::int64_t{-1}}, {{range(0, 7, 1), {8}}}, {7}},
      {{NewAxis{}, Slice{5, 1, -1}, NewAxis{}, Slice{2, 7}}, {{{5, 4, 3, 2}, range(2, 7, 1)}}, {1, 4, 1, 5}},
      {{std::int64_t{-7}, std::int64_t{4}}, {{{0}, {4}}}, {}},
      {{Slice{}, Slice{3, 4}}, {{range(0, 7, 1), {3}}}, {7, 1}},
  };
  for (DType dtype : manip_dtypes()) {
    for (const auto& chunks : manip_chunkings(shape)) {
      const auto x = typed_array(counting(63), shape, dtype, chunks);
      for (const auto& c : cases) {
        SCOPED_TRACE(describe(x.array) + " region " + tessera::shape_to_string(c.region));
        const std::int64_t n = tessera::shape_size(c.region);
        // A scalar (cast to x's dtype: 100.7 becomes 100 in integer arrays).
        const Array s = tessera::setitem(x.array, c.index, 100.7);
        EXPECT_EQ(s.dtype(), dtype);
        const double cast = tessera::is_floating(dtype) ? (dtype == DType::float32 ? double(float(100.7)) : 100.7) : 100;
        expect_near_all(computed(s), assigned(x.values, shape, c.selection, std::vector<double>(static_cast<std::size_t>(n), cast)), 1e-15);
        // A value of the region's whole shape, computed by an expression.
        std::vector<double> region_values;
        for (std::int64_t i = 0; i < n; ++i) region_values.push_back(static_cast<double>(100 + i));
        const Array value = tessera::from_vector(region_values, c.region, std::int64_t{2}) * 1.0;
        const Array full = tessera::setitem(x.array, c.index, value);
        expect_near_all(computed(full), assigned(x.values, shape, c.selection, region_values), 0);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

TEST(SetItem, BroadcastsValuesAndComposes) {
  const Shape shape{6, 8};
  const std::vector<double> v = counting(48);
  for (const auto& chunks : manip_chunkings(shape)) {
    const Array x = tessera::from_vector(v, shape, chunks);
    SCOPED_TRACE(describe(x));
    // A row broadcast down the selected rows; a value with extra leading length-1 axes.
    const Array row = tessera::from_vector(std::vector<double>{-1, -2, -3, -4}, {4}, std::int64_t{3});
    const Array y = tessera::setitem(x, {Slice{1, std::nullopt, 2}, Slice{2, 6}}, row);
    const Selection sel{{{1, 3, 5}, {2, 3, 4, 5}}};
    std::vector<double> region;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) region.push_back(-1 - j);
    const std::vector<double> ref = assigned(v, shape, sel, region);
    expect_near_all(computed(y), ref, 0);
    expect_near_all(computed(tessera::setitem(x, {Slice{1, std::nullopt, 2}, Slice{2, 6}}, tessera::reshape(row, {1, 1, 4}))), ref, 0);
    // Consumed in another chunking, by an expression, and set again over the first.
    const Array z = tessera::setitem(y.rechunk(std::int64_t{5}) * 2.0, {std::int64_t{3}}, 0.5);
    std::vector<double> ref_z;
    for (double e : ref) ref_z.push_back(2 * e);
    for (int j = 0; j < 8; ++j) ref_z[static_cast<std::size_t>(3 * 8 + j)] = 0.5;
    expect_near_all(computed(z), ref_z, 0);
    EXPECT_NEAR(z.sum().compute(test_client()).item<double>(), std::accumulate(ref_z.begin(), ref_z.end(), 0.0), 1e-9);
    // An empty selection changes nothing.
    expect_near_all(computed(tessera::setitem(x, {Slice{4, 4}}, 9.0)), v, 0);
  }
}

TEST(SetItem, RejectsValuesThatDoNotBroadcastAndBadIndices) {
  const Array x = tessera::zeros({4, 6});
  const Array wrong = tessera::zeros({5});
  try {
    (void)tessera::setitem(x, {Slice{}, Slice{0, 3}}, wrong);
    ADD_FAILURE() << "no ValueError";
  } catch (const tessera::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("(5,)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(4, 3)"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)tessera::setitem(x, {std::int64_t{0}}, tessera::zeros({2, 6})), tessera::ValueError);
  EXPECT_THROW((void)tessera::setitem(x, {std::int64_t{4}}, 1.0), tessera::IndexError);
  EXPECT_THROW((void)tessera::setitem(x, {Slice{}, Slice{}, Slice{}}, 1.0), tessera::IndexError);
  EXPECT_THROW((void)tessera::setitem(x, {Slice{0, 2, 0}}, 1.0), tessera::ValueError);
}

}  // namespace
