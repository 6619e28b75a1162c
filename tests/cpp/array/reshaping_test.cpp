// reshape, moveaxis, roll, tile and repeat against plain loops over the host elements, over
// several chunkings (single elements, regular, whole, uneven) and dtypes.
#include <gtest/gtest.h>

#include <numeric>

#include "manip_test_support.hpp"

namespace {

using tessera::Array;
using tessera::ChunkSizes;
using tessera::DType;
using tessera::Shape;
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

// The reference of an index-remapping operation: element i of the result is element
// source(index) of x.
template <class F>
std::vector<double> gathered(const std::vector<double>& x, const Shape& x_shape, const Shape& out_shape, F source) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < tessera::shape_size(out_shape); ++i) {
    out.push_back(x[static_cast<std::size_t>(ravel(source(unravel(i, out_shape)), x_shape))]);
  }
  return out;
}

std::int64_t largest_block(const Array& a) {
  std::int64_t block = 1;
  for (const auto& c : a.chunks()) block *= *std::max_element(c.begin(), c.end());
  return block;
}

struct ReshapeCase {
  Shape from;
  Shape to;
  Shape expected;
};

TEST(Reshape, MatchesCOrderOverChunkingsAndDtypes) {
  const std::vector<ReshapeCase> cases = {
      {{6, 8}, {48}, {48}},          {{48}, {6, 8}, {6, 8}},          {{4, 6, 8}, {24, 8}, {24, 8}},
      {{4, 6, 8}, {4, 48}, {4, 48}}, {{4, 6, 8}, {8, 6, 4}, {8, 6, 4}}, {{6, 35}, {35, 6}, {35, 6}},
      {{2, 3, 4}, {4, 3, 2}, {4, 3, 2}}, {{1, 6, 1}, {6}, {6}},       {{6}, {1, 6, 1}, {1, 6, 1}},
      {{12}, {-1, 4}, {3, 4}},       {{3, 1, 4}, {2, 6}, {2, 6}},     {{5, 7}, {7, 5}, {7, 5}},
      {{2, 2, 2, 2}, {4, 1, 4}, {4, 1, 4}}, {{9, 10}, {3, 3, 2, 5}, {3, 3, 2, 5}}, {{7}, {7, 1}, {7, 1}},
      {{7, 1}, {7}, {7}},            {{4, 9}, {-1}, {36}},            {{1}, {}, {}},
  };
  for (const auto& c : cases) {
    for (const auto& chunks : manip_chunkings(c.from)) {
      for (DType dtype : manip_dtypes()) {
        const auto x = typed_array(counting(tessera::shape_size(c.from)), c.from, dtype, chunks);
        const Array y = tessera::reshape(x.array, c.to);
        SCOPED_TRACE(describe(x.array) + " -> " + tessera::shape_to_string(c.expected) + " as " + describe(y));
        EXPECT_EQ(y.shape(), c.expected);
        EXPECT_EQ(y.dtype(), dtype);
        expect_near_all(computed(y), x.values, 0);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

TEST(Reshape, FusedInputsAndConsumersAndChainedReshapes) {
  const Shape shape{6, 10};
  const std::vector<double> v = counting(60);
  for (const auto& chunks : manip_chunkings(shape)) {
    const Array x = tessera::from_vector(v, shape, chunks);
    SCOPED_TRACE(describe(x));
    // The input is an expression, the result feeds another one and another reshape.
    const Array y = tessera::reshape(tessera::reshape(x * 2.0, {3, 20}) + 1.0, {5, 12});
    std::vector<double> ref;
    for (double e : v) ref.push_back(e * 2 + 1);
    expect_near_all(computed(y), ref, 0);
    // Consumed with a different chunking than its own, and reduced.
    const Array z = tessera::reshape(x, {60}).rechunk(std::int64_t{7});
    expect_near_all(computed(z), v, 0);
    EXPECT_NEAR(tessera::reshape(x.T(), {4, 15}).sum().compute(test_client()).item<double>(), 1830.0, 1e-9);
    std::vector<double> transposed;
    for (int j = 0; j < 10; ++j)
      for (int i = 0; i < 6; ++i) transposed.push_back(v[static_cast<std::size_t>(i * 10 + j)]);
    expect_near_all(computed(tessera::reshape(x.T(), {4, 15})), transposed, 0);
  }
}

TEST(Reshape, LinedUpChunksKeepTheirBlocks) {
  const Array x = tessera::from_vector(counting(48), {6, 8}, tessera::ChunkSpec(std::vector<std::int64_t>{2, -1}));
  // Merging axes whose trailing axis is whole: each block stays one block.
  EXPECT_EQ(tessera::reshape(x, {48}).chunks(), (ChunkSizes{{16, 16, 16}}));
  // Splitting along whole rows.
  const Array flat = tessera::from_vector(counting(48), {48}, std::int64_t{16});
  EXPECT_EQ(tessera::reshape(flat, {6, 8}).chunks(), (ChunkSizes{{2, 2, 2}, {8}}));
  // Axes cut into single elements in front of a cut one move blocks around as they are.
  const Array ones = tessera::from_vector(counting(48), {4, 12}, tessera::ChunkSpec(ChunkSizes{{1, 1, 1, 1}, {6, 6}}));
  EXPECT_EQ(tessera::reshape(ones, {48}).chunks(), (ChunkSizes{{6, 6, 6, 6, 6, 6, 6, 6}}));
}

TEST(Reshape, NeverGathersTheWholeArrayIntoOneBlock) {
  // (6, 35) and (35, 6) share no row boundary below the whole array.
  const Array x = tessera::from_vector(counting(210), {6, 35}, tessera::ChunkSpec(std::vector<std::int64_t>{2, 7}));
  const Array y = tessera::reshape(x, {35, 6});
  EXPECT_LT(largest_block(y), 210);
  expect_near_all(computed(y), counting(210), 0);
  const Array big = tessera::from_vector(counting(4096), {64, 64}, std::int64_t{16});
  const Array flat = tessera::reshape(big, {4096});
  EXPECT_LE(largest_block(flat), 256);
  expect_near_all(computed(flat), counting(4096), 0);
}

TEST(Reshape, EmptyAndZeroDimensional) {
  const Array empty = tessera::zeros({0, 3});
  const Array e = tessera::reshape(empty, {3, 0});
  EXPECT_EQ(e.shape(), (Shape{3, 0}));
  EXPECT_EQ(e.compute(test_client()).size(), 0);
  EXPECT_EQ(tessera::reshape(empty, {-1, 3}).shape(), (Shape{0, 3}));
  const Array scalar = tessera::full({}, 4.5);
  const Array s = tessera::reshape(scalar, {1, 1});
  expect_near_all(computed(s), {4.5}, 0);
  expect_near_all(computed(tessera::reshape(s, {})), {4.5}, 0);
}

TEST(Reshape, RejectsBadShapes) {
  const Array x = tessera::zeros({4, 6});
  EXPECT_THROW((void)tessera::reshape(x, {5, 5}), tessera::ValueError);
  EXPECT_THROW((void)tessera::reshape(x, {-1, -1}), tessera::ValueError);
  EXPECT_THROW((void)tessera::reshape(x, {-1, 5}), tessera::ValueError);
  EXPECT_THROW((void)tessera::reshape(x, {-2, 12}), tessera::ValueError);
  EXPECT_THROW((void)tessera::reshape(tessera::zeros({0}), {-1, 0}), tessera::ValueError);
  try {
    (void)tessera::reshape(x, {5, 5});
  } catch (const tessera::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("(4, 6)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(5, 5)"), std::string::npos) << e.what();
  }
}

TEST(MoveAxis, MatchesPermutedLoops) {
  const Shape shape{2, 3, 4, 5};
  const std::vector<double> v = counting(120);
  struct Case {
    std::vector<std::int64_t> source, destination;
    std::vector<std::size_t> order;  // result axis d is x's axis order[d]
  };
  const std::vector<Case> cases = {
      {{0}, {-1}, {1, 2, 3, 0}}, {{-1}, {0}, {3, 0, 1, 2}}, {{0, 1}, {-1, -2}, {2, 3, 1, 0}},
      {{3, 1}, {0, 1}, {3, 1, 0, 2}}, {{}, {}, {0, 1, 2, 3}}, {{2}, {2}, {0, 1, 2, 3}},
  };
  for (const auto& c : cases) {
    for (const auto& chunks : manip_chunkings(shape)) {
      const Array x = tessera::from_vector(v, shape, chunks);
      const Array y = tessera::moveaxis(x, c.source, c.destination);
      Shape out;
      for (std::size_t a : c.order) out.push_back(shape[a]);
      ASSERT_EQ(y.shape(), out);
      const auto ref = gathered(v, shape, out, [&](const std::vector<std::int64_t>& i) {
        std::vector<std::int64_t> src(4);
        for (std::size_t d = 0; d < 4; ++d) src[c.order[d]] = i[d];
        return src;
      });
      expect_near_all(computed(y), ref, 0);
    }
  }
}

TEST(MoveAxis, RejectsBadAxes) {
  const Array x = tessera::zeros({2, 3, 4});
  EXPECT_THROW((void)tessera::moveaxis(x, {0, 1}, {0}), tessera::ValueError);
  EXPECT_THROW((void)tessera::moveaxis(x, {0, 0}, {1, 2}), tessera::ValueError);
  EXPECT_THROW((void)tessera::moveaxis(x, {0, 1}, {2, -1}), tessera::ValueError);
  EXPECT_THROW((void)tessera::moveaxis(x, {3}, {0}), tessera::IndexError);
  EXPECT_THROW((void)tessera::moveaxis(x, {0}, {-4}), tessera::IndexError);
}

TEST(Roll, MatchesWrappedLoops) {
  const Shape shape{5, 7};
  const std::vector<double> v = counting(35);
  struct Case {
    std::vector<std::int64_t> shift, axes;
    std::int64_t rows, cols;  // net shift along each axis
    bool flat = false;
  };
  const std::vector<Case> cases = {
      {{2}, {0}, 2, 0},   {{-3}, {1}, 0, -3},    {{12}, {1}, 0, 12}, {{1, 2}, {0, 1}, 1, 2},
      {{3}, {0, 1}, 3, 3}, {{2, 4}, {1, 1}, 0, 6}, {{0}, {0}, 0, 0},  {{-40}, {-1}, 0, -40},
  };
  for (DType dtype : manip_dtypes()) {
    for (const auto& chunks : manip_chunkings(shape)) {
      const auto x = typed_array(v, shape, dtype, chunks);
      for (const auto& c : cases) {
        const Array y = tessera::roll(x.array, c.shift, c.axes);
        SCOPED_TRACE(describe(x.array) + " shift " + tessera::shape_to_string(c.shift));
        const auto ref = gathered(x.values, shape, shape, [&](const std::vector<std::int64_t>& i) {
          return std::vector<std::int64_t>{((i[0] - c.rows) % 5 + 5) % 5, ((i[1] - c.cols) % 7 + 7) % 7};
        });
        expect_near_all(computed(y), ref, 0);
      }
      // Without axes: the flattened array rolls, then takes the shape back.
      for (std::int64_t s : {1, -4, 36}) {
        const Array y = tessera::roll(x.array, {s});
        EXPECT_EQ(y.shape(), shape);
        std::vector<double> ref(35);
        for (std::int64_t i = 0; i < 35; ++i) ref[static_cast<std::size_t>(((i + s) % 35 + 35) % 35)] = x.values[static_cast<std::size_t>(i)];
        expect_near_all(computed(y), ref, 0);
      }
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_THROW((void)tessera::roll(tessera::zeros({3, 3}), {1, 2, 3}, {0, 1}), tessera::ValueError);
  EXPECT_THROW((void)tessera::roll(tessera::zeros({3, 3}), {1}, {2}), tessera::IndexError);
  EXPECT_THROW((void)tessera::roll(tessera::zeros({3, 3}), {}, {0}), tessera::ValueError);
}

TEST(Tile, MatchesModuloLoops) {
  const Shape shape{3, 4};
  const std::vector<double> v = counting(12);
  const std::vector<std::vector<std::int64_t>> reps = {{2}, {2, 3}, {1, 2, 2}, {0, 2}, {3, 1}, {1}};
  for (DType dtype : {DType::float64, DType::int64, DType::bool_}) {
    for (const auto& chunks : manip_chunkings(shape)) {
      const auto x = typed_array(v, shape, dtype, chunks);
      for (const auto& r : reps) {
        SCOPED_TRACE(describe(x.array) + " reps " + tessera::shape_to_string(r));
        const Array y = tessera::tile(x.array, r);
        std::vector<std::int64_t> full = r;
        full.insert(full.begin(), std::max<std::size_t>(2, r.size()) - r.size(), 1);
        Shape xs = shape;
        xs.insert(xs.begin(), full.size() - 2, 1);
        Shape out;
        for (std::size_t d = 0; d < full.size(); ++d) out.push_back(xs[d] * full[d]);
        ASSERT_EQ(y.shape(), out);
        EXPECT_EQ(y.dtype(), dtype);
        const auto ref = gathered(x.values, xs, out, [&](const std::vector<std::int64_t>& i) {
          std::vector<std::int64_t> src;
          for (std::size_t d = 0; d < i.size(); ++d) src.push_back(i[d] % xs[d]);
          return src;
        });
        expect_near_all(computed(y), ref, 0);
      }
    }
  }
  // A 1-d array tiled in two dimensions, and an expression tiled.
  const Array row = tessera::from_vector(counting(3), {3}, std::int64_t{2});
  expect_near_all(computed(tessera::tile(row * 2.0, {2, 2})), {2, 4, 6, 2, 4, 6, 2, 4, 6, 2, 4, 6}, 0);
  EXPECT_THROW((void)tessera::tile(row, {2, -1}), tessera::ValueError);
}

TEST(Repeat, MatchesDividedIndexLoops) {
  const Shape shape{3, 4};
  const std::vector<double> v = counting(12);
  for (DType dtype : {DType::float64, DType::int32, DType::bool_}) {
    for (const auto& chunks : manip_chunkings(shape)) {
      const auto x = typed_array(v, shape, dtype, chunks);
      for (std::int64_t r : {0, 1, 3, 5}) {
        for (std::int64_t axis : {0, 1, -1}) {
          SCOPED_TRACE(describe(x.array) + " repeats " + std::to_string(r) + " axis " + std::to_string(axis));
          const Array y = tessera::repeat(x.array, r, axis);
          const auto a = static_cast<std::size_t>(axis < 0 ? axis + 2 : axis);
          Shape out = shape;
          out[a] *= r;
          ASSERT_EQ(y.shape(), out);
          const auto ref = gathered(x.values, shape, out, [&](const std::vector<std::int64_t>& i) {
            std::vector<std::int64_t> src = i;
            src[a] /= r;
            return src;
          });
          expect_near_all(computed(y), ref, 0);
        }
        const Array flat = tessera::repeat(x.array, r);
        ASSERT_EQ(flat.shape(), (Shape{12 * r}));
        std::vector<double> ref;
        for (double e : x.values)
          for (std::int64_t k = 0; k < r; ++k) ref.push_back(e);
        expect_near_all(computed(flat), ref, 0);
      }
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_THROW((void)tessera::repeat(tessera::zeros({3}), -1), tessera::ValueError);
  EXPECT_THROW((void)tessera::repeat(tessera::zeros({3}), 2, 1), tessera::IndexError);
}

}  // namespace

namespace {

TEST(Reshape, MapBlocksSeesTheReshapedBlocks) {
  // The reshaped blocks are the persisted chunks read in a new shape: a user function
  // still gets chunks of the block's shape.
  const Array x = tessera::from_vector(counting(48), {6, 8}, tessera::ChunkSpec(std::vector<std::int64_t>{2, -1}))
                      .persist(test_client());
  const Array y = tessera::map_blocks(
      tessera::reshape(x, {48}),
      [](const tessera::Chunk& c) {
        if (c.shape != Shape{16}) throw tessera::ValueError("got a chunk of shape " + tessera::shape_to_string(c.shape));
        return c;
      },
      DType::float64);
  expect_near_all(computed(y), counting(48), 0);
  // Block 0 of a host array starts where the whole host chunk does: still only its block.
  const Array host = tessera::from_vector(counting(48), {6, 8}, tessera::ChunkSpec(std::vector<std::int64_t>{2, -1}));
  const Array z = tessera::map_blocks(
      host,
      [](const tessera::Chunk& c) {
        if (c.buffer.nbytes() != 16 * sizeof(double)) {
          throw tessera::ValueError("got a chunk of " + std::to_string(c.buffer.nbytes()) + " bytes");
        }
        return c;
      },
      DType::float64);
  expect_near_all(computed(z), counting(48), 0);
}

}  // namespace
