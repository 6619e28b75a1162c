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

// unique_values alone, which drops repeats within each block before merging: the same
// values as the reference, to the sign of each zero (the first occurrence's).
template <class T>
void check_unique_values(const std::vector<T>& v, const Shape& shape, const ChunkSpec& chunks) {
  const Array x = array_of(v, shape, chunks);
  const auto ref = reference_unique(v);
  const std::vector<T> values = computed_values<T>(tessera::unique_values(test_client(), x));
  expect_same_values(values, ref.values, "unique_values of " + x.repr());
  if constexpr (std::is_floating_point_v<T>) {
    for (std::size_t i = 0; i < values.size() && i < ref.values.size(); ++i) {
      EXPECT_EQ(std::signbit(values[i]), std::signbit(ref.values[i])) << "unique_values of " << x.repr() << " at " << i;
    }
  }
  // unique_counts takes the same first pass, then counts per block where values are few.
  const tessera::UniqueCounts counted = tessera::unique_counts(test_client(), x);
  EXPECT_EQ(counted.counts.chunks(), counted.values.chunks()) << x.repr();
  expect_same_values(computed_values<T>(counted.values), ref.values, "unique_counts' values of " + x.repr());
  EXPECT_EQ(computed_values<std::int64_t>(counted.counts), ref.counts) << "unique_counts of " << x.repr();
}

template <class T>
void check_unique(const std::vector<T>& v, const Shape& shape, const ChunkSpec& chunks) {
  check_unique_values(v, shape, chunks);
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

TEST(Unique, CountsOfValuesSharedByManyBlocks) {
  // 20 blocks of the same 5 values: the blocks give 100 records, more than the 1000
  // elements allow for a row per block of that many values, but the 5 values they hold
  // allow it. Then 100 blocks of 2 values each, all different: 200 values, too many for
  // a row per block, which unique_all's path counts instead.
  std::vector<std::int64_t> shared(1000), apart(1000);
  for (std::size_t i = 0; i < shared.size(); ++i) {
    shared[i] = static_cast<std::int64_t>((i * 7) % 5);
    apart[i] = static_cast<std::int64_t>(2 * (i / 10) + (i % 3 == 0 ? 1 : 0));
  }
  check_unique_values(shared, {1000}, ChunkSpec(std::int64_t{50}));
  check_unique_values(apart, {1000}, ChunkSpec(std::int64_t{10}));
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

TEST(Unique, ValuesAloneWithFewValuesPerBlock) {
  // Three values in every block of 16 or more (at most a quarter of its elements: its
  // first records alone go to the merge) and all distinct (its runs are merged whole),
  // with empty blocks and one of a single element (sorted whole) among them.
  std::vector<std::int64_t> few(300), all(300);
  for (std::size_t i = 0; i < few.size(); ++i) {
    few[i] = static_cast<std::int64_t>((i * 37) % 3) - 1;
    all[i] = static_cast<std::int64_t>((i * 7919) % 300);
  }
  for (const ChunkSpec& chunks : {ChunkSpec(std::int64_t{16}), ChunkSpec(ChunkSizes{{0, 100, 0, 199, 1}}), ChunkSpec(std::int64_t{-1})}) {
    check_unique_values(few, {300}, chunks);
    check_unique_values(all, {300}, chunks);
  }
  check_unique_values(few, {15, 20}, ChunkSpec(std::vector<std::int64_t>{4, 7}));
  // Every block with few values and a NaN or two (each a value of one element), and
  // both zeros.
  std::vector<double> with_nans(300);
  for (std::size_t i = 0; i < with_nans.size(); ++i) {
    with_nans[i] = i % 41 == 7 ? std::nan("") : i % 3 == 0 ? (i % 2 == 0 ? 0.0 : -0.0) : static_cast<double>(i % 3);
  }
  check_unique_values(with_nans, {300}, ChunkSpec(std::int64_t{50}));
  check_unique_values(with_nans, {10, 30}, ChunkSpec(std::vector<std::int64_t>{5, 10}));
}

TEST(Unique, ValuesAloneKeepTheFirstZeroAcrossInterleavedBlocks) {
  // Blocks of {2, 4} over a {2, 8} matrix interleave in flat order: the first zero (flat
  // index 4, -0.0) lies in the second block, which repeats it as +0.0 (flat 13) and gives
  // its first records (2 values of 8 elements); the first block's only zero (flat 8) is
  // +0.0, and its 3 values are sorted whole.
  const double nan = std::nan("");
  std::vector<double> v(16, 1.0);
  v[4] = -0.0;
  v[8] = 0.0;
  v[13] = 0.0;
  v[1] = nan;
  const ChunkSpec chunks(std::vector<std::int64_t>{2, 4});
  check_unique_values(v, {2, 8}, chunks);
  const auto values = computed_values<double>(tessera::unique_values(test_client(), array_of(v, {2, 8}, chunks)));
  ASSERT_EQ(values.size(), 3U);  // -0.0, 1, NaN
  EXPECT_TRUE(std::signbit(values[0]));
}

TEST(Unique, ValuesAloneOverBlocksOfFewAndOfManyValues) {
  // Blocks of 400: some hold few values (their first records alone go to the merge), one
  // with a few NaNs among them (each a value), one more than a quarter of its size (sorted
  // whole), one mostly NaNs (too many values: sorted whole).
  const double nan = std::nan("");
  std::vector<double> v(2000);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::size_t block = i / 400;
    v[i] = block == 1   ? static_cast<double>((i * 7919) % 1000) / 8  // many
           : block == 3 ? (i % 5 == 0 ? 2.0 : nan)                     // mostly NaNs
           : block == 4 && i % 100 == 0 ? nan                          // few NaNs
                                        : static_cast<double>(i % 7) - 2;  // few
  }
  // The first zero is -0.0, in block 2 (block 0 has none), whose other zeros are +0.0.
  for (std::size_t i = 0; i < 400; ++i) v[i] = v[i] == 0.0 ? 9.0 : v[i];
  ASSERT_TRUE(v[800] == 0.0 && v[807] == 0.0);
  v[800] = -0.0;
  check_unique_values(v, {2000}, ChunkSpec(std::int64_t{400}));
  check_unique_values(v, {40, 50}, ChunkSpec(std::vector<std::int64_t>{8, 50}));
  // float16 and bfloat16, by their own keys (bfloat16 rounds some of the many together).
  for (const tessera::DType narrow : {tessera::DType::float16, tessera::DType::bfloat16}) {
    const Array x = array_of(v, {2000}, ChunkSpec(std::int64_t{400})).astype(narrow).persist(test_client());
    const auto reference = reference_unique(tessera::testing::to_doubles(x.compute(test_client()))).values;
    const std::vector<double> got = tessera::testing::to_doubles(tessera::unique_values(test_client(), x).compute(test_client()));
    expect_same_values(got, reference, "unique_values of " + std::string(tessera::name(narrow)));
    ASSERT_FALSE(got.empty());
    EXPECT_TRUE(std::signbit(got[2])) << "-0.0 follows -2 and -1 in " << tessera::name(narrow);
  }
}

TEST(Unique, ValuesAloneDecideTheFirstZeroInsideAnNdBlock) {
  // Blocks of {3, 5} over {6, 10}, each of at most 3 values (a fifth of 15: first records
  // alone). The first zero is -0.0 at (1, 6), flat 16, in the second row of block (0, 1);
  // block (0, 0)'s first zero, +0.0 at (2, 0), is flat 20, and block (0, 1) repeats the
  // zero as +0.0 at (2, 7). Only each record's flat index tells them apart.
  std::vector<double> v(60);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 1.0 + static_cast<double>(i % 2);
  v[16] = -0.0;
  v[20] = 0.0;
  v[27] = 0.0;
  check_unique_values(v, {6, 10}, ChunkSpec(std::vector<std::int64_t>{3, 5}));
}

TEST(Unique, ValuesAloneOfIntegerExtremesAndInfinities) {
  // An integer type's largest value has the all-ones order key, which marks an empty slot
  // of the hash table (and a float's NaN): it must be kept, once. A few of them per block
  // keep every block under its limit, so that the table decides.
  std::vector<std::int64_t> edges(1000);
  for (std::size_t i = 0; i < edges.size(); ++i) {
    edges[i] = i % 50 == 0   ? std::numeric_limits<std::int64_t>::max()
               : i % 50 == 25 ? std::numeric_limits<std::int64_t>::min()
                              : static_cast<std::int64_t>(i % 11);
  }
  check_unique_values(edges, {1000}, ChunkSpec(std::int64_t{250}));
  std::vector<std::uint64_t> unsigned_edges(1000);
  for (std::size_t i = 0; i < unsigned_edges.size(); ++i) {
    unsigned_edges[i] = i % 40 == 0 ? std::numeric_limits<std::uint64_t>::max() : i % 13;
  }
  check_unique_values(unsigned_edges, {1000}, ChunkSpec(std::int64_t{250}));
  std::vector<std::uint8_t> bytes(1000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = i % 30 == 0 ? 255 : static_cast<std::uint8_t>(i % 5);
  check_unique_values(bytes, {1000}, ChunkSpec(std::int64_t{250}));
  std::vector<float> floats(1000);
  for (std::size_t i = 0; i < floats.size(); ++i) {
    floats[i] = i % 60 == 0    ? std::numeric_limits<float>::infinity()
                : i % 60 == 30 ? -std::numeric_limits<float>::infinity()
                : i % 97 == 5  ? std::numeric_limits<float>::quiet_NaN()
                               : static_cast<float>(i % 9);
  }
  check_unique_values(floats, {1000}, ChunkSpec(std::int64_t{300}));
  std::vector<bool> flags(1000);
  for (std::size_t i = 0; i < flags.size(); ++i) flags[i] = i % 3 == 0;
  check_unique_values(flags, {1000}, ChunkSpec(std::int64_t{300}));
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
