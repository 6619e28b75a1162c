// Reductions down the columns (over the next-to-last axis only) end to end, against plain
// loops: the fused evaluator folds these in tall tiles of whole rows up to 2048 wide (and
// copies narrower pieces of wider rows), through each kernel's fold_rows. Chunks wider and
// narrower than 2048 columns, one-row and one-column chunks, uneven chunks, a leading axis,
// fused expressions and several dtypes.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <vector>

#include "array_test_support.hpp"

namespace {

using tessera::Array;
using tessera::DType;
using tessera::testing::computed;
using tessera::testing::expect_near_all;
using tessera::testing::random_values;

/// Per-column sum, mean, variance (correction 0), max and argmax of a row-major
/// rows × cols matrix (repeated `lead` times along a leading axis), in long double.
struct ColumnStats {
  std::vector<double> sum, mean, var, max, argmax;
};

ColumnStats column_stats(const std::vector<double>& v, std::int64_t lead, std::int64_t rows, std::int64_t cols) {
  ColumnStats s;
  for (std::int64_t l = 0; l < lead; ++l) {
    for (std::int64_t c = 0; c < cols; ++c) {
      auto at = [&](std::int64_t r) { return v[static_cast<std::size_t>((l * rows + r) * cols + c)]; };
      long double total = 0;
      std::int64_t best = 0;
      for (std::int64_t r = 0; r < rows; ++r) {
        total += at(r);
        if (at(r) > at(best)) best = r;
      }
      const long double mean = total / static_cast<long double>(rows);
      long double m2 = 0;
      for (std::int64_t r = 0; r < rows; ++r) m2 += (at(r) - mean) * (at(r) - mean);
      s.sum.push_back(static_cast<double>(total));
      s.mean.push_back(static_cast<double>(mean));
      s.var.push_back(static_cast<double>(m2 / static_cast<long double>(rows)));
      s.max.push_back(at(best));
      s.argmax.push_back(static_cast<double>(best));
    }
  }
  return s;
}

void expect_column_reductions(const Array& x, const std::vector<double>& values, std::int64_t lead, std::int64_t rows,
                              std::int64_t cols, double tol) {
  SCOPED_TRACE(::testing::Message() << x.repr());
  const std::int64_t axis = x.ndim() - 2;
  const ColumnStats want = column_stats(values, lead, rows, cols);
  expect_near_all(computed(x.sum(axis)), want.sum, tol);
  expect_near_all(computed(x.mean(axis)), want.mean, tol);
  expect_near_all(computed(x.var({axis})), want.var, tol);
  std::vector<double> std_dev;
  for (double v : want.var) std_dev.push_back(std::sqrt(v));
  expect_near_all(computed(x.std({axis})), std_dev, tol);
  expect_near_all(computed(x.max(axis)), want.max, tol);  // exact but for the ULPs of sin below
  expect_near_all(computed(x.argmax(axis)), want.argmax, 0);
}

TEST(ColumnReductions, Float64AcrossChunkingsWiderAndNarrowerThanATile) {
  const std::int64_t rows = 70, cols = 2300;
  // Far from zero, so that a naive one-pass variance would lose digits.
  std::vector<double> v = random_values(static_cast<std::size_t>(rows * cols), 11);
  for (double& e : v) e = 1e6 + e;
  for (const tessera::ChunkSpec& chunks :
       {tessera::ChunkSpec(std::int64_t{-1}), tessera::ChunkSpec(std::vector<std::int64_t>{33, 1200}),
        tessera::ChunkSpec(std::vector<std::int64_t>{1, 2300}), tessera::ChunkSpec(std::vector<std::int64_t>{70, 1}),
        tessera::ChunkSpec(std::vector<std::int64_t>{16, 2048})}) {
    expect_column_reductions(tessera::from_vector(v, {rows, cols}, chunks), v, 1, rows, cols, 1e-10);
  }
}

TEST(ColumnReductions, BelowALeadingAxis) {
  const std::int64_t lead = 3, rows = 45, cols = 700;
  const std::vector<double> v = random_values(static_cast<std::size_t>(lead * rows * cols), 12);
  for (const tessera::ChunkSpec& chunks :
       {tessera::ChunkSpec(std::int64_t{-1}), tessera::ChunkSpec(std::vector<std::int64_t>{2, 13, 300})}) {
    expect_column_reductions(tessera::from_vector(v, {lead, rows, cols}, chunks), v, lead, rows, cols, 1e-12);
  }
}

TEST(ColumnReductions, OfFusedExpressionsAndTransposes) {
  const std::int64_t rows = 90, cols = 130;
  const std::vector<double> v = random_values(static_cast<std::size_t>(rows * cols), 13);
  std::vector<double> expression, transposed(v.size());
  for (double e : v) expression.push_back(std::sin(e) * 2 + 1);
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      transposed[static_cast<std::size_t>(c * rows + r)] = v[static_cast<std::size_t>(r * cols + c)];
    }
  }
  for (const tessera::ChunkSpec& chunks :
       {tessera::ChunkSpec(std::int64_t{-1}), tessera::ChunkSpec(std::vector<std::int64_t>{40, 50})}) {
    const Array x = tessera::from_vector(v, {rows, cols}, chunks);
    // sin is vectorized: within a couple of ULP of std::sin.
    expect_column_reductions(tessera::sin(x) * 2 + 1, expression, 1, rows, cols, 1e-13);
    expect_column_reductions(x.T(), transposed, 1, cols, rows, 1e-13);
  }
}

TEST(ColumnReductions, IntegerFloat32AndComplexInputs) {
  const std::int64_t rows = 40, cols = 600;
  const std::vector<double> v = random_values(static_cast<std::size_t>(rows * cols), 14);
  std::vector<std::int32_t> ints;
  std::vector<float> floats;
  std::vector<std::complex<double>> complexes;
  for (double e : v) {
    ints.push_back(static_cast<std::int32_t>(std::lround(e * 1000)));
    floats.push_back(static_cast<float>(e));
    complexes.emplace_back(e, 1 - e);
  }
  std::vector<double> ints_as_doubles(ints.begin(), ints.end()), floats_as_doubles(floats.begin(), floats.end());
  for (const tessera::ChunkSpec& chunks :
       {tessera::ChunkSpec(std::int64_t{-1}), tessera::ChunkSpec(std::vector<std::int64_t>{7, 250})}) {
    expect_column_reductions(tessera::from_vector(ints, {rows, cols}, chunks), ints_as_doubles, 1, rows, cols, 1e-12);
    expect_column_reductions(tessera::from_vector(floats, {rows, cols}, chunks), floats_as_doubles, 1, rows, cols,
                             1e-5);
    // The variance of a complex column: the sum of the variances of its parts, each part
    // having (up to sign) the same deviations here.
    const Array z = tessera::from_vector(complexes, {rows, cols}, chunks);
    const ColumnStats real = column_stats(v, 1, rows, cols);
    std::vector<double> var;
    for (double e : real.var) var.push_back(2 * e);
    expect_near_all(computed(z.var({0})), var, 1e-12);
    EXPECT_EQ(z.var({0}).dtype(), DType::float64);
  }
}

}  // namespace
