// cumulative_sum and cumulative_prod across chunks against sequential loops, over axes,
// chunkings (single elements, regular, whole, uneven) and dtypes with NumPy's accumulation
// dtypes.
#include <gtest/gtest.h>

#include "manip_test_support.hpp"

namespace {

using tessera::Array;
using tessera::DType;
using tessera::Shape;
using tessera::testing::describe;
using tessera::testing::expect_near_all;
using tessera::testing::manip_chunkings;
using tessera::testing::test_client;
using tessera::testing::computed;
using tessera::testing::typed_array;
using tessera::testing::unravel;

// The sequential scan of `x` along `axis`, in the accumulation type T, as doubles; with
// `initial`, the identity first along the axis.
template <class T>
std::vector<double> scanned(const std::vector<double>& x, const Shape& shape, int axis, bool product, bool initial) {
  Shape out = shape;
  if (initial) out[static_cast<std::size_t>(axis)] += 1;
  std::vector<double> result;
  const auto a = static_cast<std::size_t>(axis);
  for (std::int64_t i = 0; i < tessera::shape_size(out); ++i) {
    std::vector<std::int64_t> index = unravel(i, out);
    const std::int64_t last = index.at(a) - (initial ? 1 : 0);
    T acc = product ? T(1) : T(0);
    for (std::int64_t k = 0; k <= last; ++k) {
      index[a] = k;
      const T v = static_cast<T>(x[static_cast<std::size_t>(tessera::testing::ravel(index, shape))]);
      acc = product ? static_cast<T>(acc * v) : static_cast<T>(acc + v);
    }
    result.push_back(static_cast<double>(acc));
  }
  return result;
}

// Small values so that products stay exact in every dtype; floats are not integers.
std::vector<double> scan_values(std::size_t n, DType dtype) {
  std::vector<double> v = tessera::testing::random_values(n, 11);
  for (double& e : v) e = tessera::is_floating(dtype) ? 1.0 + e / 4 : std::round(e * 2);
  return v;
}

struct ScanCase {
  Shape shape;
  int axis;
};

TEST(CumulativeSum, MatchesSequentialLoopsOverAxesChunkingsAndDtypes) {
  const std::vector<ScanCase> cases = {{{17}, 0}, {{7, 9}, 0}, {{7, 9}, 1}, {{3, 4, 5}, 1}, {{3, 4, 5}, -1}};
  for (const auto& c : cases) {
    for (const auto& chunks : manip_chunkings(c.shape)) {
      for (bool initial : {false, true}) {
        const int axis = c.axis < 0 ? c.axis + static_cast<int>(c.shape.size()) : c.axis;
        const std::size_t n = static_cast<std::size_t>(tessera::shape_size(c.shape));
        // int32 and bool accumulate in int64, uint8 in uint64, floats in themselves.
        const auto i32 = typed_array(scan_values(n, DType::int32), c.shape, DType::int32, chunks);
        const Array si = tessera::cumulative_sum(i32.array, c.axis, std::nullopt, initial);
        SCOPED_TRACE(describe(i32.array) + " axis " + std::to_string(c.axis) + (initial ? " with initial" : ""));
        EXPECT_EQ(si.dtype(), DType::int64);
        expect_near_all(computed(si), scanned<std::int64_t>(i32.values, c.shape, axis, false, initial), 0);
        const auto u8 = typed_array(tessera::testing::counting(static_cast<std::int64_t>(n)), c.shape, DType::uint8, chunks);
        const Array su = tessera::cumulative_sum(u8.array, c.axis, std::nullopt, initial);
        EXPECT_EQ(su.dtype(), DType::uint64);
        expect_near_all(computed(su), scanned<std::uint64_t>(u8.values, c.shape, axis, false, initial), 0);
        const auto b = typed_array(tessera::testing::counting(static_cast<std::int64_t>(n)), c.shape, DType::bool_, chunks);
        const Array sb = tessera::cumulative_sum(b.array, c.axis, std::nullopt, initial);
        EXPECT_EQ(sb.dtype(), DType::int64);
        expect_near_all(computed(sb), scanned<std::int64_t>(b.values, c.shape, axis, false, initial), 0);
        const auto f64 = typed_array(scan_values(n, DType::float64), c.shape, DType::float64, chunks);
        expect_near_all(computed(tessera::cumulative_sum(f64.array, c.axis, std::nullopt, initial)),
                        scanned<double>(f64.values, c.shape, axis, false, initial), 1e-13);
        const auto f32 = typed_array(scan_values(n, DType::float32), c.shape, DType::float32, chunks);
        const Array sf = tessera::cumulative_sum(f32.array, c.axis, std::nullopt, initial);
        EXPECT_EQ(sf.dtype(), DType::float32);
        expect_near_all(computed(sf), scanned<float>(f32.values, c.shape, axis, false, initial), 1e-5);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

TEST(CumulativeProd, MatchesSequentialLoopsOverAxesChunkingsAndDtypes) {
  const std::vector<ScanCase> cases = {{{17}, 0}, {{7, 9}, 0}, {{7, 9}, 1}, {{3, 4, 5}, 2}};
  for (const auto& c : cases) {
    for (const auto& chunks : manip_chunkings(c.shape)) {
      for (bool initial : {false, true}) {
        const std::size_t n = static_cast<std::size_t>(tessera::shape_size(c.shape));
        const auto i32 = typed_array(scan_values(n, DType::int32), c.shape, DType::int32, chunks);
        SCOPED_TRACE(describe(i32.array) + " axis " + std::to_string(c.axis) + (initial ? " with initial" : ""));
        const Array pi = tessera::cumulative_prod(i32.array, c.axis, std::nullopt, initial);
        EXPECT_EQ(pi.dtype(), DType::int64);
        expect_near_all(computed(pi), scanned<std::int64_t>(i32.values, c.shape, c.axis, true, initial), 0);
        const auto f64 = typed_array(scan_values(n, DType::float64), c.shape, DType::float64, chunks);
        expect_near_all(computed(tessera::cumulative_prod(f64.array, c.axis, std::nullopt, initial)),
                        scanned<double>(f64.values, c.shape, c.axis, true, initial), 1e-13);
        // An explicit dtype: the product of bools stays bool (logical and).
        const auto b = typed_array(tessera::testing::counting(static_cast<std::int64_t>(n)), c.shape, DType::bool_, chunks);
        const Array pb = tessera::cumulative_prod(b.array, c.axis, DType::bool_, initial);
        EXPECT_EQ(pb.dtype(), DType::bool_);
        expect_near_all(computed(pb), scanned<bool>(b.values, c.shape, c.axis, true, initial), 0);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

TEST(CumulativeSum, FusedInputWrappingIntegersAndEmptyAxes) {
  // The scanned input is an expression; the result feeds another one.
  const std::vector<double> v = tessera::testing::counting(20);
  const Array x = tessera::from_vector(v, {20}, std::int64_t{3});
  std::vector<double> ref;
  double acc = 0;
  for (double e : v) ref.push_back((acc += 2 * e) - 1);
  expect_near_all(computed(tessera::cumulative_sum(x * 2.0) - 1.0), ref, 1e-12);
  // An explicit narrow dtype wraps as NumPy's does.
  const auto big = typed_array(std::vector<double>(6, 100), {6}, DType::int64, std::int64_t{2});
  const Array wrapped = tessera::cumulative_sum(big.array, 0, DType::int8);
  EXPECT_EQ(wrapped.dtype(), DType::int8);
  expect_near_all(computed(wrapped), scanned<std::int8_t>(big.values, {6}, 0, false, false), 0);
  // Zero-length axes, with and without the initial identity.
  const Array empty = tessera::zeros({0, 3});
  EXPECT_EQ(tessera::cumulative_sum(empty, 0).compute(test_client()).size(), 0);
  const Array first = tessera::cumulative_prod(empty, 0, std::nullopt, true);
  EXPECT_EQ(first.shape(), (Shape{1, 3}));
  expect_near_all(computed(first), {1, 1, 1}, 0);
}

TEST(CumulativeSum, RejectsBadAxesAndDtypes) {
  const Array x = tessera::zeros({3, 4});
  EXPECT_THROW((void)tessera::cumulative_sum(x), tessera::ValueError);
  EXPECT_THROW((void)tessera::cumulative_sum(x, 2), tessera::IndexError);
  EXPECT_THROW((void)tessera::cumulative_prod(x, -3), tessera::IndexError);
  EXPECT_THROW((void)tessera::cumulative_sum(tessera::full({}, 1.0)), tessera::ValueError);
}

}  // namespace
