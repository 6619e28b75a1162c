// unique_all and friends against a reference built with std::stable_sort over (value,
// flat index): sorted values, first occurrences, inverse indices and counts, with NaNs
// distinct, -0.0 equal to 0.0, over several chunkings and dtypes.
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
using tessera::testing::test_client;
using tessera::testing::tied_values;

template <class T>
struct UniqueReference {
  std::vector<T> values;
  std::vector<std::int64_t> indices, inverse, counts;
};

template <class T>
UniqueReference<T> reference_unique(const std::vector<T>& v) {
  std::vector<std::int64_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return tessera::testing::reference_less(v[static_cast<std::size_t>(a)], v[static_cast<std::size_t>(b)], false);
  });
  UniqueReference<T> r;
  r.inverse.assign(v.size(), 0);
  for (std::size_t p = 0; p < order.size(); ++p) {
    const T& x = v[static_cast<std::size_t>(order[p])];
    // operator==: NaN equals nothing, so each NaN is a value of its own.
    if (p == 0 || !(v[static_cast<std::size_t>(order[p - 1])] == x)) {
      r.values.push_back(x);
      r.indices.push_back(order[p]);
      r.counts.push_back(0);
    }
    ++r.counts.back();
    r.inverse[static_cast<std::size_t>(order[p])] = static_cast<std::int64_t>(r.values.size()) - 1;
  }
  return r;
}

template <class T>
void check_unique(const std::vector<T>& v, const Shape& shape, const ChunkSpec& chunks) {
  const Array x = array_of(v, shape, chunks);
  const auto ref = reference_unique(v);
  const tessera::UniqueAll u = tessera::unique_all(test_client(), x);
  const std::string what = x.repr();
  EXPECT_EQ(u.values.shape(), (Shape{static_cast<std::int64_t>(ref.values.size())})) << what;
  EXPECT_EQ(u.inverse_indices.shape(), shape) << what;
  EXPECT_EQ(u.inverse_indices.chunks(), x.chunks()) << what;
  const auto all = tessera::compute(test_client(), {u.values, u.indices, u.inverse_indices, u.counts});
  expect_same_values(all[0].to_vector<T>(), ref.values, "values of " + what);
  EXPECT_EQ(all[1].to_vector<std::int64_t>(), ref.indices) << what;
  EXPECT_EQ(all[2].to_vector<std::int64_t>(), ref.inverse) << what;
  EXPECT_EQ(all[3].to_vector<std::int64_t>(), ref.counts) << what;
}

template <class T>
void check_unique_matrix(unsigned seed) {
  const std::vector<T> v = tied_values<T>(63, seed);
  for (const ChunkSpec& chunks : tessera::testing::matrix_chunkings()) check_unique(v, {7, 9}, chunks);
}

TEST(Unique, Float64WithNaNsAndSignedZeros) { check_unique_matrix<double>(41); }
TEST(Unique, Float32) { check_unique_matrix<float>(42); }
TEST(Unique, Int32) { check_unique_matrix<std::int32_t>(43); }
TEST(Unique, Bool) { check_unique_matrix<bool>(44); }

TEST(Unique, ManyDistinctValuesAcrossUnevenChunks) {
  std::vector<std::int64_t> v(500);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int64_t>((i * 7919) % 211);  // each value 2-3 times
  for (const ChunkSpec& chunks : {ChunkSpec(std::int64_t{13}), ChunkSpec(ChunkSizes{{1, 250, 249}}), ChunkSpec(std::int64_t{-1})}) {
    check_unique(v, {500}, chunks);
  }
}

TEST(Unique, OneRepeatedValueSpanningChunks) {
  // One group crosses every chunk boundary: its count needs the next start far away.
  std::vector<double> v(40, 2.5);
  v[3] = 1;
  v[37] = 7;
  check_unique(v, {40}, ChunkSpec(std::int64_t{3}));
  check_unique(v, {40}, ChunkSpec(std::int64_t{1}));
}

TEST(Unique, HandComputed) {
  const double nan = std::nan("");
  const Array x = array_of(std::vector<double>{3, nan, 1, 3, -0.0, nan, 0.0}, {7}, ChunkSpec(std::int64_t{2}));
  const auto u = tessera::unique_all(test_client(), x);
  const auto r = tessera::compute(test_client(), {u.values, u.indices, u.inverse_indices, u.counts});
  const std::vector<double> values = r[0].to_vector<double>();
  expect_same_values(values, {-0.0, 1, 3, nan, nan}, "values");
  ASSERT_EQ(values.size(), 5U);
  EXPECT_TRUE(std::signbit(values.at(0))) << "the first occurrence's value";
  EXPECT_EQ(r[1].to_vector<std::int64_t>(), (std::vector<std::int64_t>{4, 2, 0, 1, 5}));
  EXPECT_EQ(r[2].to_vector<std::int64_t>(), (std::vector<std::int64_t>{2, 3, 1, 2, 0, 4, 0}));
  EXPECT_EQ(r[3].to_vector<std::int64_t>(), (std::vector<std::int64_t>{2, 1, 2, 1, 1}));
}

TEST(Unique, ComplexIsDistinctByBothParts) {
  using C = std::complex<double>;
  const Array x = array_of(std::vector<C>{{1, 1}, {0, 2}, {1, 1}, {1, 0}}, {4}, ChunkSpec(std::int64_t{1}));
  const auto u = tessera::unique_counts(test_client(), x);
  EXPECT_EQ(u.values.compute(test_client()).to_vector<C>(), (std::vector<C>{{0, 2}, {1, 0}, {1, 1}}));
  EXPECT_EQ(u.counts.compute(test_client()).to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 1, 2}));
}

TEST(Unique, SubsetsAgreeWithUniqueAll) {
  const std::vector<std::int32_t> v = tied_values<std::int32_t>(30, 45);
  const auto ref = reference_unique(v);
  const Array x = array_of(v, {5, 6}, ChunkSpec(std::vector<std::int64_t>{2, 4}));
  EXPECT_EQ(computed_values<std::int32_t>(tessera::unique_values(test_client(), x)), ref.values);
  const auto inv = tessera::unique_inverse(test_client(), x);
  EXPECT_EQ(computed_values<std::int64_t>(inv.inverse_indices), ref.inverse);
  const auto counts = tessera::unique_counts(test_client(), x);
  EXPECT_EQ(computed_values<std::int64_t>(counts.counts), ref.counts);
  // The default-client overload.
  EXPECT_EQ(tessera::unique_values(x).compute().to_vector<std::int32_t>(), ref.values);
}

TEST(Unique, ZeroSizeAndZeroDimensional) {
  const auto e = tessera::unique_all(test_client(), tessera::zeros({0, 3}, {.dtype = tessera::DType::int16}));
  EXPECT_EQ(e.values.shape(), (Shape{0}));
  EXPECT_EQ(e.values.dtype(), tessera::DType::int16);
  EXPECT_EQ(e.inverse_indices.shape(), (Shape{0, 3}));
  EXPECT_EQ(e.counts.compute(test_client()).size(), 0);
  EXPECT_EQ(e.indices.compute(test_client()).size(), 0);
  const auto s = tessera::unique_all(test_client(), tessera::full({}, 4));
  EXPECT_EQ(computed_values<double>(s.values), std::vector<double>{4});
  EXPECT_EQ(s.inverse_indices.shape(), Shape{});
  EXPECT_EQ(computed_values<std::int64_t>(s.inverse_indices), std::vector<std::int64_t>{0});
  EXPECT_EQ(computed_values<std::int64_t>(s.counts), std::vector<std::int64_t>{1});
}

}  // namespace
