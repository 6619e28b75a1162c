// The blocked array against plain loops over the whole array: creation, elementwise
// chains with broadcasting, views, reductions, matmul, and independence from chunking.
#include <gtest/gtest.h>

#include <numeric>

#include "array_test_support.hpp"

namespace {

using tessera::Array;
using tessera::ChunkSizes;
using tessera::DType;
using tessera::Slice;
using tessera::testing::computed;
using tessera::testing::expect_near_all;
using tessera::testing::random_values;
using tessera::testing::test_client;

// A row-major reference matrix and its tessera twin.
struct Matrix {
  std::int64_t rows, cols;
  std::vector<double> v;
  double operator()(std::int64_t i, std::int64_t j) const { return v[static_cast<std::size_t>(i * cols + j)]; }
  Array array(const tessera::ChunkSpec& chunks) const { return tessera::from_vector(v, {rows, cols}, chunks); }
};

Matrix random_matrix(std::int64_t rows, std::int64_t cols, unsigned seed) {
  return {rows, cols, random_values(static_cast<std::size_t>(rows * cols), seed)};
}

const std::vector<tessera::ChunkSpec>& chunkings() {
  static const std::vector<tessera::ChunkSpec> specs = {
      tessera::ChunkSpec(std::int64_t{4}), tessera::ChunkSpec(std::vector<std::int64_t>{3, 5}),
      tessera::ChunkSpec(std::int64_t{-1}), tessera::ChunkSpec(std::int64_t{1})};
  return specs;
}

TEST(Array, FromVectorRoundTripsAcrossChunkings) {
  const Matrix m = random_matrix(7, 9, 1);
  for (const auto& c : chunkings()) {
    const Array a = m.array(c);
    EXPECT_EQ(a.shape(), (tessera::Shape{7, 9}));
    expect_near_all(computed(a), m.v, 0);
  }
}

TEST(Array, SeedExampleMatchesLoops) {
  const Matrix m = random_matrix(10, 10, 2);
  std::vector<double> colmean(10, 0.0);
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j) colmean[static_cast<std::size_t>(j)] += m(i, j) / 10;
  double expected = 0;
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j) expected += m(j, i) - colmean[static_cast<std::size_t>(j)];
  for (const auto& c : chunkings()) {
    const Array x = m.array(c);
    auto y = x.T() - x.mean(0);
    const double s = y.sum().compute(test_client()).item<double>();
    EXPECT_NEAR(s, expected, 1e-12);
    // The elementwise result itself, element by element.
    std::vector<double> ref(100);
    for (int i = 0; i < 10; ++i)
      for (int j = 0; j < 10; ++j) ref[static_cast<std::size_t>(i * 10 + j)] = m(j, i) - colmean[static_cast<std::size_t>(j)];
    expect_near_all(computed(y), ref, 1e-12);
  }
}

TEST(Array, ElementwiseChainWithScalarsAndBroadcasting) {
  const Matrix m = random_matrix(6, 5, 3);
  const std::vector<double> row = random_values(5, 4);
  std::vector<double> ref(30);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 5; ++j) {
      const double x = m(i, j);
      ref[static_cast<std::size_t>(i * 5 + j)] =
          std::sin(x) * std::sin(x) + std::cos(x) * std::cos(x) + 2.0 * x * row[static_cast<std::size_t>(j)] - 1.0;
    }
  for (const auto& c : chunkings()) {
    const Array x = m.array(c);
    const Array r = tessera::from_vector(row, {5}, std::int64_t{2});
    const Array y = tessera::sin(x) * tessera::sin(x) + tessera::cos(x) * tessera::cos(x) + 2.0 * x * r - 1.0;
    EXPECT_EQ(y.dtype(), DType::float64);
    expect_near_all(computed(y), ref, 1e-14);
  }
}

TEST(Array, TypePromotionFollowsNumPy) {
  const Array i32 = tessera::arange(std::int64_t{6}).astype(DType::int32);
  EXPECT_EQ((i32 + 1).dtype(), DType::int32);        // weak int scalar keeps int32
  EXPECT_EQ((i32 + 1.5).dtype(), DType::float64);    // a float scalar makes it float
  EXPECT_EQ((i32 / i32).dtype(), DType::float64);    // true division
  EXPECT_EQ((i32 < 3).dtype(), DType::bool_);
  const Array f32 = tessera::ones({3}, {.dtype = DType::float32});
  EXPECT_EQ((f32 * 2.0).dtype(), DType::float32);
  EXPECT_EQ((f32 + i32[Slice{0, 3}]).dtype(), DType::float64);
  expect_near_all(computed(i32 * 3 - 1), {-1, 2, 5, 8, 11, 14}, 0);
  EXPECT_THROW((void)tessera::elementwise("bitwise_and", {f32, f32}), tessera::TypeError);
}

TEST(Array, SlicingWithStepsNegativeStepsAndNewAxes) {
  const Matrix m = random_matrix(11, 7, 5);
  for (const auto& c : chunkings()) {
    const Array x = m.array(c);
    const Array s = x[{Slice{1, std::nullopt, 2}, Slice{std::nullopt, std::nullopt, -3}}];
    std::vector<double> ref;
    for (int i = 1; i < 11; i += 2)
      for (int j = 6; j >= 0; j -= 3) ref.push_back(m(i, j));
    EXPECT_EQ(s.shape(), (tessera::Shape{5, 3}));
    expect_near_all(computed(s), ref, 0);
    const Array row = x[{std::int64_t{-2}, tessera::Ellipsis{}}];
    std::vector<double> ref_row;
    for (int j = 0; j < 7; ++j) ref_row.push_back(m(9, j));
    EXPECT_EQ(row.shape(), (tessera::Shape{7}));
    expect_near_all(computed(row), ref_row, 0);
    const Array expanded = x[{tessera::NewAxis{}, Slice{2, 4}, std::int64_t{0}}];
    EXPECT_EQ(expanded.shape(), (tessera::Shape{1, 2}));
    expect_near_all(computed(expanded), {m(2, 0), m(3, 0)}, 0);
  }
  const Array x = m.array(std::int64_t{4});
  EXPECT_THROW((void)x[std::int64_t{11}], tessera::IndexError);
  const std::vector<tessera::IndexItem> too_many{std::int64_t{0}, std::int64_t{0}, std::int64_t{0}};
  EXPECT_THROW((void)x[too_many], tessera::IndexError);
  EXPECT_THROW((void)x[(tessera::Slice{0, 3, 0})], tessera::ValueError);
}

TEST(Array, StridedSliceStdMatchesLoops) {
  const Matrix m = random_matrix(9, 8, 6);
  std::vector<double> picked;
  for (int i = 0; i < 9; i += 2)
    for (int j = 0; j < 8; j += 2) picked.push_back(m(i, j));
  const double mean = std::accumulate(picked.begin(), picked.end(), 0.0) / static_cast<double>(picked.size());
  double ss = 0;
  for (double v : picked) ss += (v - mean) * (v - mean);
  const double expected = std::sqrt(ss / static_cast<double>(picked.size()));
  for (const auto& c : chunkings()) {
    const Array x = m.array(c);
    EXPECT_NEAR((x[{Slice{std::nullopt, std::nullopt, 2}, Slice{std::nullopt, std::nullopt, 2}}]).std().compute(test_client()).item<double>(),
                expected, 1e-13);
  }
}

TEST(Array, ReductionsOverAxesWithKeepdims) {
  const Matrix m = random_matrix(7, 6, 7);
  std::vector<double> rowsum(7, 0), colmax(6, -1e300);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 6; ++j) {
      rowsum[static_cast<std::size_t>(i)] += m(i, j);
      colmax[static_cast<std::size_t>(j)] = std::max(colmax[static_cast<std::size_t>(j)], m(i, j));
    }
  for (const auto& c : chunkings()) {
    for (int split : {0, 2}) {
      const Array x = m.array(c);
      const Array s = x.sum(1, {.keepdims = true, .split_every = split});
      EXPECT_EQ(s.shape(), (tessera::Shape{7, 1}));
      expect_near_all(computed(s), rowsum, 1e-13);
      expect_near_all(computed(x.max(0, {.split_every = split})), colmax, 0);
      EXPECT_NEAR(x.mean().compute(test_client()).item<double>(),
                  std::accumulate(m.v.begin(), m.v.end(), 0.0) / 42.0, 1e-14);
    }
  }
}

TEST(Array, ArgminArgmaxFlatAndAlongAnAxis) {
  const Matrix m = random_matrix(5, 8, 8);
  const auto flat_min = std::min_element(m.v.begin(), m.v.end()) - m.v.begin();
  for (const auto& c : chunkings()) {
    const Array x = m.array(c);
    EXPECT_EQ(x.argmin().compute(test_client()).item<std::int64_t>(), flat_min);
    std::vector<double> ref;
    for (int j = 0; j < 8; ++j) {
      int best = 0;
      for (int i = 1; i < 5; ++i)
        if (m(i, j) > m(best, j)) best = i;
      ref.push_back(best);
    }
    expect_near_all(computed(x.argmax(0)), ref, 0);
  }
}

TEST(Array, TransposePlusSelfSum) {
  const Matrix m = random_matrix(8, 8, 9);
  const double expected = 2 * std::accumulate(m.v.begin(), m.v.end(), 0.0);
  for (const auto& c : chunkings()) {
    const Array x = m.array(c);
    EXPECT_NEAR((x + x.T()).sum().compute(test_client()).item<double>(), expected, 1e-12);
  }
}

TEST(Array, MatmulAgainstLoops) {
  const Matrix a = random_matrix(7, 5, 10), b = random_matrix(5, 6, 11);
  std::vector<double> ref(42, 0);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 6; ++j)
      for (int k = 0; k < 5; ++k) ref[static_cast<std::size_t>(i * 6 + j)] += a(i, k) * b(k, j);
  for (const auto& ca : chunkings()) {
    for (const auto& cb : {tessera::ChunkSpec(std::int64_t{2}), tessera::ChunkSpec(std::int64_t{-1})}) {
      expect_near_all(computed(tessera::matmul(a.array(ca), b.array(cb))), ref, 1e-13);
    }
  }
  // x.T @ x reads the transposed chunks without copying them.
  std::vector<double> gram(25, 0);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j)
      for (int k = 0; k < 7; ++k) gram[static_cast<std::size_t>(i * 5 + j)] += a(k, i) * a(k, j);
  const Array x = a.array(std::int64_t{3});
  expect_near_all(computed(tessera::matmul(x.T(), x)), gram, 1e-13);
  EXPECT_THROW((void)tessera::matmul(x, x), tessera::ValueError);
}

TEST(Array, RandomDoesNotDependOnChunking) {
  const auto a = computed(tessera::random::uniform({9, 13}, 0, 1, {.seed = 42, .chunks = std::int64_t{4}}));
  const auto b = computed(tessera::random::uniform({9, 13}, 0, 1, {.seed = 42, .chunks = std::int64_t{-1}}));
  const auto c = computed(tessera::random::uniform({9, 13}, 0, 1, {.seed = 43, .chunks = std::int64_t{4}}));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (double v : a) {
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 1);
  }
}

TEST(Array, CreationFunctions) {
  expect_near_all(computed(tessera::arange(2.0, 7.0, 1.5, {.chunks = std::int64_t{2}})), {2, 3.5, 5, 6.5}, 0);
  expect_near_all(computed(tessera::linspace(0, 1, 5, true, {.chunks = std::int64_t{2}})), {0, .25, .5, .75, 1}, 1e-15);
  expect_near_all(computed(tessera::eye(3, 4, 1, {.chunks = std::int64_t{2}})), {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, 0);
  expect_near_all(computed(tessera::full({2, 2}, 7, {.dtype = DType::int16})), {7, 7, 7, 7}, 0);
  EXPECT_EQ(tessera::zeros({0, 3}).compute(test_client()).size(), 0);
}

TEST(Array, RechunkConcatStackFlip) {
  const Matrix m = random_matrix(6, 4, 12);
  const Array x = m.array(std::int64_t{4});
  const Array r = x.rechunk(ChunkSizes{{1, 5}, {3, 1}});
  EXPECT_EQ(r.chunks(), (ChunkSizes{{1, 5}, {3, 1}}));
  expect_near_all(computed(r), m.v, 0);
  const Array cat = tessera::concat({x, x[Slice{0, 2}]}, 0);
  std::vector<double> ref = m.v;
  ref.insert(ref.end(), m.v.begin(), m.v.begin() + 8);
  expect_near_all(computed(cat), ref, 0);
  EXPECT_EQ(tessera::stack({x, x}, 1).shape(), (tessera::Shape{6, 2, 4}));
  std::vector<double> flipped;
  for (int i = 5; i >= 0; --i)
    for (int j = 0; j < 4; ++j) flipped.push_back(m(i, j));
  expect_near_all(computed(tessera::flip(x, {0})), flipped, 0);
  // Consumers with different chunkings meet on one grid (shifted slices, Jacobi-style).
  const Array shifted = x[Slice{1, std::nullopt}] + x[Slice{std::nullopt, -1}];
  std::vector<double> ref_shift;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) ref_shift.push_back(m(i + 1, j) + m(i, j));
  expect_near_all(computed(shifted), ref_shift, 1e-15);
}

TEST(Array, PersistKeepsChunksAndReusesThem) {
  const Matrix m = random_matrix(6, 6, 13);
  const Array x = (m.array(std::int64_t{4}) * 2.0).persist(test_client());
  std::vector<double> ref;
  for (double v : m.v) ref.push_back(2 * v + 1);
  expect_near_all(computed(x + 1.0), ref, 1e-15);
}

TEST(Array, MapBlocksRunsACppFunctionPerChunk) {
  const Matrix m = random_matrix(5, 5, 14);
  const Array y = tessera::map_blocks(
      m.array(std::int64_t{2}),
      [](const tessera::Chunk& c) {
        tessera::Chunk out = tessera::Chunk::allocate(c.dtype, c.shape);
        for (std::int64_t i = 0; i < c.size(); ++i) out.data<double>()[i] = c.data<double>()[i] * 10;
        return out;
      },
      DType::float64);
  std::vector<double> ref;
  for (double v : m.v) ref.push_back(10 * v);
  expect_near_all(computed(y), ref, 0);
}

TEST(Array, BadInputGivesClearErrors) {
  const Array a = tessera::ones({3, 4});
  const Array b = tessera::ones({5});
  EXPECT_THROW((void)(a + b), tessera::ValueError);
  EXPECT_THROW((void)a.sum(2), tessera::IndexError);
  EXPECT_THROW((void)tessera::ones({4}, {.chunks = ChunkSizes{{1, 2}}}), tessera::ValueError);
  EXPECT_THROW((void)tessera::squeeze(a, {0}), tessera::ValueError);
  EXPECT_THROW((void)Array().shape(), tessera::ValueError);
  try {
    (void)(a + b);
  } catch (const tessera::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("(3, 4)"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

TEST(Array, PythonStyleIntsMustFitTheArraysDtypeExceptInComparisons) {
  const Array small = tessera::from_vector(std::vector<std::uint8_t>{0, 7, 255}, {3}, std::int64_t{2});
  EXPECT_THROW((void)(small + 300), tessera::OverflowError);
  EXPECT_THROW((void)(small * -1), tessera::OverflowError);
  EXPECT_THROW((void)tessera::full({2}, -1, {.dtype = tessera::DType::uint8}), tessera::OverflowError);
  // Comparisons compare true values: every uint8 is greater than -1 and less than 300.
  const Array above = small > -1;
  const Array below = small < 300;
  EXPECT_EQ(above.dtype(), tessera::DType::bool_);
  EXPECT_EQ(above.compute(test_client()).to_vector<bool>(), (std::vector<bool>{true, true, true}));
  EXPECT_EQ(below.compute(test_client()).to_vector<bool>(), (std::vector<bool>{true, true, true}));
  EXPECT_EQ(computed(small + 200), (std::vector<double>{200, 207, 199}));  // in range: uint8 arithmetic wraps
}

}  // namespace
