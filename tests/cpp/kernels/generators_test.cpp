// Tests of the CPU generators (kernels/cpu/generators.cpp) and of Philox4x32-10
// (kernels/include/tessera/kernels/philox.hpp): Random123's known-answer vectors, values
// that depend only on (seed, index) whatever the call's start and step, the documented bit
// mappings, distribution sanity, and the creation kernels against plain loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <tessera/kernels/philox.hpp>
#include <tessera/kernels/registry.hpp>

#include "tessera/core/error.hpp"
#include "test_support.hpp"

namespace generator_tests {  // a name of its own: test files compile in batches (tests/cpp/CMakeLists.txt)
namespace {

using tessera::DType;
using tessera::kernels::GeneratorFn;
using tessera::kernels::GeneratorParams;
using tessera::kernels::KernelRegistry;
namespace philox = tessera::kernels::philox;

constexpr std::uint64_t kSeeds[] = {0, 1, 0x243F6A8885A308D3ull, ~0ull};

const KernelRegistry& registry() {
  static const KernelRegistry* const r = [] {
    auto* reg = new KernelRegistry;
    tessera::kernels::register_cpu_generators(*reg);
    return reg;
  }();
  return *r;
}

GeneratorFn generator(std::string_view op, DType dtype) {
  GeneratorFn fn = registry().find_generator(op, dtype, tessera::DeviceKind::cpu);
  if (fn == nullptr) throw std::logic_error("no generator " + std::string(op) + " for " + tessera::to_string(dtype));
  return fn;
}

/// Runs a generator into a vector of bytes (works for bool too).
std::vector<std::byte> generate_bytes(std::string_view op, DType dtype, const GeneratorParams& p, std::size_t n,
                                      std::int64_t first = 0, std::int64_t step = 1) {
  std::vector<std::byte> out(n * tessera::itemsize(dtype) + 1);
  generator(op, dtype)(p, out.data(), n, first, step);
  out.pop_back();
  return out;
}

template <class T>
std::vector<T> generate(std::string_view op, const GeneratorParams& p, std::size_t n, std::int64_t first = 0,
                        std::int64_t step = 1) {
  static_assert(!std::is_same_v<T, bool>);
  std::vector<T> out(n);
  generator(op, tessera::dtype_of<T>)(p, out.data(), n, first, step);
  return out;
}

// --- Philox ---------------------------------------------------------------------------

void expect_block(const philox::Block& got, std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  EXPECT_EQ(got.v[0], a);
  EXPECT_EQ(got.v[1], b);
  EXPECT_EQ(got.v[2], c);
  EXPECT_EQ(got.v[3], d);
}

TEST(Philox, MatchesRandom123KnownAnswers) {
  // Random123's kat_vectors for philox4x32_10.
  expect_block(philox::philox4x32_10({{0, 0, 0, 0}}, {{0, 0}}), 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
  expect_block(philox::philox4x32_10({{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, {{0xffffffff, 0xffffffff}}),
               0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
  expect_block(philox::philox4x32_10({{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, {{0xa4093822, 0x299f31d0}}),
               0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
  // Usable at compile time, so the CUDA backend can share it.
  static_assert(philox::philox4x32_10({{0, 0, 0, 0}}, {{0, 0}}).v[0] == 0x6627e8d5u);
}

TEST(Philox, SeedIsTheKeyAndIndexTheCounter) {
  const std::uint64_t seed = 0x299f31d0a4093822ull;
  const std::uint64_t index = 0x85a308d3243f6a88ull;
  const philox::Block got = philox::random_block(seed, index);
  const philox::Block want = philox::philox4x32_10({{0x243f6a88, 0x85a308d3, 0, 0}}, {{0xa4093822, 0x299f31d0}});
  for (int w = 0; w < 4; ++w) EXPECT_EQ(got.v[w], want.v[w]) << "word " << w;
}

TEST(Philox, MappingsStayInTheirRanges) {
  EXPECT_EQ(philox::unit_double(0), 0.0);
  EXPECT_LT(philox::unit_double(~0ull), 1.0);
  EXPECT_EQ(philox::unit_double(~0ull), 1.0 - 0x1p-53);
  EXPECT_EQ(philox::unit_double_open_low(0), 0x1p-53);
  EXPECT_EQ(philox::unit_double_open_low(~0ull), 1.0);
  EXPECT_EQ(philox::unit_float(0), 0.0f);
  EXPECT_EQ(philox::unit_float(0xffffffffu), 1.0f - 0x1p-24f);
  // mulhi64 against the compiler's 128-bit product on random operands.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t a = rng() >> (rng() % 64);
    const std::uint64_t b = rng() >> (rng() % 64);
    __extension__ using u128 = unsigned __int128;
    ASSERT_EQ(philox::mulhi64(a, b), static_cast<std::uint64_t>((static_cast<u128>(a) * b) >> 64)) << a << " * " << b;
  }
  EXPECT_EQ(philox::bounded(~0ull, 10), 9u);
  EXPECT_EQ(philox::bounded(0, 10), 0u);
}

// --- random generators: determinism and bit mappings ----------------------------------

struct RandomCase {
  const char* op;
  DType dtype;
  GeneratorParams params;
};

std::vector<RandomCase> random_cases(std::uint64_t seed) {
  std::vector<RandomCase> cases;
  for (DType d : {DType::float32, DType::float64}) {
    cases.push_back({"uniform", d, {seed, -2.0, 3.0, 0, 0, 0}});
    cases.push_back({"normal", d, {seed, 1.0, 2.0, 0, 0, 0}});
  }
  for (DType d : {DType::uint8, DType::int8, DType::uint16, DType::int16, DType::uint32, DType::int32, DType::uint64,
                  DType::int64}) {
    cases.push_back({"integers", d, {seed, 0, 0, 0, 0, 100}});
  }
  cases.push_back({"integers", DType::int64, {seed, 0, 0, 0, std::numeric_limits<std::int64_t>::min(),
                                              std::numeric_limits<std::int64_t>::max()}});
  return cases;
}

TEST(RandomGenerators, ValuesDependOnlyOnSeedAndIndex) {
  const std::size_t n = 1000;
  std::mt19937_64 rng(20240611);
  for (std::uint64_t seed : kSeeds) {
    for (const RandomCase& c : random_cases(seed)) {
      SCOPED_TRACE(::testing::Message() << c.op << " dtype=" << tessera::name(c.dtype) << " seed=" << seed);
      const std::size_t size = tessera::itemsize(c.dtype);
      const auto whole = generate_bytes(c.op, c.dtype, c.params, n);
      // The same indices in several calls with random starts.
      std::vector<std::byte> pieces;
      for (std::size_t start = 0; start < n;) {
        const std::size_t len = std::min<std::size_t>(n - start, rng() % 200);
        const auto part = generate_bytes(c.op, c.dtype, c.params, len, static_cast<std::int64_t>(start));
        pieces.insert(pieces.end(), part.begin(), part.end());
        start += len;
      }
      EXPECT_EQ(pieces, whole);
      // Every third index starting at 1.
      const auto strided = generate_bytes(c.op, c.dtype, c.params, n / 3, 1, 3);
      for (std::size_t j = 0; j < n / 3; ++j) {
        ASSERT_EQ(0, std::memcmp(strided.data() + j * size, whole.data() + (1 + 3 * j) * size, size)) << "j=" << j;
      }
      // Reversed: index 999 down to 0.
      const auto reversed = generate_bytes(c.op, c.dtype, c.params, n, static_cast<std::int64_t>(n) - 1, -1);
      for (std::size_t j = 0; j < n; ++j) {
        ASSERT_EQ(0, std::memcmp(reversed.data() + j * size, whole.data() + (n - 1 - j) * size, size)) << "j=" << j;
      }
      // Another seed gives another stream.
      GeneratorParams other = c.params;
      other.seed = seed ^ 0x9E3779B97F4A7C15ull;
      EXPECT_NE(generate_bytes(c.op, c.dtype, other, n), whole);
    }
  }
}

TEST(RandomGenerators, FollowTheDocumentedBitMappings) {
  // Indices past 2^32 exercise the counter's high word.
  const std::int64_t first = (std::int64_t{1} << 32) - 5;
  for (std::uint64_t seed : kSeeds) {
    SCOPED_TRACE(::testing::Message() << "seed=" << seed);
    const GeneratorParams u{seed, -2.0, 3.0, 0, 0, 0};
    const auto u64 = generate<double>("uniform", u, 10, first);
    const auto u32 = generate<float>("uniform", u, 10, first);
    const auto norm = generate<double>("normal", {seed, 1.0, 2.0, 0, 0, 0}, 10, first);
    const auto ints = generate<std::int16_t>("integers", {seed, 0, 0, 0, -300, 301}, 10, first);
    for (std::size_t j = 0; j < 10; ++j) {
      const auto r = philox::random_block(seed, static_cast<std::uint64_t>(first) + j);
      const std::uint64_t w01 = (std::uint64_t{r.v[0]} << 32) | r.v[1];
      const std::uint64_t w23 = (std::uint64_t{r.v[2]} << 32) | r.v[3];
      EXPECT_EQ(u64[j], -2.0 + 5.0 * (static_cast<double>(w01 >> 11) / 9007199254740992.0)) << j;
      EXPECT_EQ(u32[j], static_cast<float>(-2.0 + 5.0 * (static_cast<double>(r.v[0] >> 8) / 16777216.0))) << j;
      const double u1 = (static_cast<double>(w01 >> 11) + 1) / 9007199254740992.0;
      const double u2 = static_cast<double>(w23 >> 11) / 9007199254740992.0;
      EXPECT_DOUBLE_EQ(norm[j], 1.0 + 2.0 * std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2)) << j;
      __extension__ using u128 = unsigned __int128;
      EXPECT_EQ(ints[j], -300 + static_cast<std::int64_t>((static_cast<u128>(w01) * 601) >> 64)) << j;
    }
  }
}

// --- random generators: distributions -------------------------------------------------

struct Moments {
  double mean = 0;
  double var = 0;
};

template <class T>
Moments moments(const std::vector<T>& x) {
  long double s = 0;
  for (T v : x) s += v;
  const long double mean = s / x.size();
  long double m2 = 0;
  for (T v : x) m2 += (v - mean) * (v - mean);
  return {static_cast<double>(mean), static_cast<double>(m2 / x.size())};
}

template <class T>
void check_uniform(std::uint64_t seed) {
  const std::size_t n = tessera::testing::scaled(1'000'000, 100'000);
  SCOPED_TRACE(::testing::Message() << "dtype=" << tessera::name(tessera::dtype_of<T>) << " seed=" << seed
                                    << " n=" << n);
  const double a = -2, b = 3;
  const auto x = generate<T>("uniform", {seed, a, b, 0, 0, 0}, n);
  for (T v : x) ASSERT_TRUE(v >= a && v < b) << v;
  const Moments m = moments(x);
  const double var = (b - a) * (b - a) / 12;
  // Five standard errors: sd(mean) = sqrt(var / n); sd(var) = sqrt(var^2 * 0.8 / n).
  EXPECT_NEAR(m.mean, (a + b) / 2, 5 * std::sqrt(var / n));
  EXPECT_NEAR(m.var, var, 5 * var * std::sqrt(0.8 / n));
  // Both tails are reached: the gap to an end exceeds t with probability exp(-n·t/(b-a)),
  // so t = 20·(b-a)/n fails once in 5e8 runs whatever the test scale (1e-4 at full scale).
  const double tail = 20 * (b - a) / static_cast<double>(n);
  EXPECT_LT(*std::min_element(x.begin(), x.end()), a + tail);
  EXPECT_GT(*std::max_element(x.begin(), x.end()), b - tail);
}

template <class T>
void check_normal(std::uint64_t seed) {
  const std::size_t n = tessera::testing::scaled(1'000'000, 100'000);
  SCOPED_TRACE(::testing::Message() << "dtype=" << tessera::name(tessera::dtype_of<T>) << " seed=" << seed
                                    << " n=" << n);
  const double mu = 1.5, sigma = 2.5;
  const auto x = generate<T>("normal", {seed, mu, sigma, 0, 0, 0}, n);
  for (T v : x) ASSERT_TRUE(std::isfinite(v)) << v;
  const Moments m = moments(x);
  const double var = sigma * sigma;
  // sd(mean) = sigma / sqrt(n); sd(var) = var * sqrt(2 / n).
  EXPECT_NEAR(m.mean, mu, 5 * sigma / std::sqrt(n));
  EXPECT_NEAR(m.var, var, 5 * var * std::sqrt(2.0 / n));
  // The share within one sigma: 0.682689; binomial sd sqrt(p (1 - p) / n).
  std::size_t within = 0;
  for (T v : x) within += std::abs(v - mu) < sigma;
  EXPECT_NEAR(static_cast<double>(within) / n, 0.682689, 5 * std::sqrt(0.682689 * 0.317311 / n));
}

TEST(RandomGenerators, UniformAndNormalMoments) {
  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{12345}}) {
    check_uniform<float>(seed);
    check_uniform<double>(seed);
    check_normal<float>(seed);
    check_normal<double>(seed);
  }
}

TEST(RandomGenerators, UniformNeverReturnsHigh) {
  // With a float32 range whose width rounds up, a + (b - a) * u can round to b.
  const auto x = generate<float>("uniform", {3, 1.0, 1.0 + 0x1p-22, 0, 0, 0}, 100'000);
  for (float v : x) ASSERT_TRUE(v >= 1.0f && v < static_cast<float>(1.0 + 0x1p-22)) << v;
  // float32 has two values in [1, 1 + 2^-22): 1 and 1 + 2^-23. A quarter of the draws
  // round to the excluded 1 + 2^-22 and are moved below it.
  std::map<float, std::size_t> seen;
  for (float v : x) ++seen[v];
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NEAR(static_cast<double>(seen[1.0f + 0x1p-23f]) / x.size(), 0.75, 0.01);
}

template <class T>
void check_integers(std::int64_t low, std::int64_t high, std::uint64_t seed, std::size_t n) {
  SCOPED_TRACE(::testing::Message() << "dtype=" << tessera::name(tessera::dtype_of<T>) << " seed=" << seed
                                    << " [" << low << ", " << high << ")");
  const auto x = generate<T>("integers", {seed, 0, 0, 0, low, high}, n);
  std::map<std::int64_t, std::size_t> counts;
  for (T v : x) {
    const auto w = static_cast<std::int64_t>(v);
    ASSERT_TRUE(w >= low && w < high) << w;
    ++counts[w];
  }
  const auto range = static_cast<std::size_t>(high - low);
  ASSERT_EQ(counts.size(), range) << "not every value was produced";
  // Chi-square with range - 1 degrees of freedom, within 6 standard deviations.
  const double expected = static_cast<double>(n) / range;
  double chi2 = 0;
  for (const auto& [value, count] : counts) chi2 += (count - expected) * (count - expected) / expected;
  EXPECT_LE(chi2, (range - 1) + 6 * std::sqrt(2.0 * (range - 1)));
}

TEST(RandomGenerators, IntegersCoverTheirRangeUniformly) {
  for (std::uint64_t seed : kSeeds) {
    check_integers<std::int8_t>(-128, 128, seed, 100'000);
    check_integers<std::uint8_t>(0, 256, seed, 100'000);
    check_integers<std::int16_t>(-3, 5, seed, 10'000);
    check_integers<std::uint16_t>(7, 8, seed, 100);
    check_integers<std::int32_t>(-1000, 1000, seed, 200'000);
    check_integers<std::uint32_t>(0, 10, seed, 10'000);
    check_integers<std::int64_t>(-50, 50, seed, 100'000);
    check_integers<std::uint64_t>(0, 3, seed, 10'000);
  }
}

TEST(RandomGenerators, IntegersOverWideRanges) {
  // int64 over its whole range: the top bit is set in about half the values.
  const auto x = generate<std::int64_t>(
      "integers", {1, 0, 0, 0, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}, 10'000);
  std::size_t negative = 0;
  for (auto v : x) negative += v < 0;
  EXPECT_NEAR(static_cast<double>(negative) / x.size(), 0.5, 0.03);
  // uint64 bounds are bit patterns: [2^63, 2^64 - 1).
  const auto u = generate<std::uint64_t>(
      "integers", {1, 0, 0, 0, std::numeric_limits<std::int64_t>::min(), -1}, 10'000);
  for (auto v : u) ASSERT_TRUE(v >= (1ull << 63) && v < ~0ull) << v;
}

TEST(RandomGenerators, IntegersRejectEmptyOrOversizedRanges) {
  auto call = [&](DType d, std::int64_t low, std::int64_t high) {
    std::vector<std::byte> buf(64);
    generator("integers", d)({0, 0, 0, 0, low, high}, buf.data(), 4, 0, 1);
  };
  EXPECT_THROW(call(DType::int32, 5, 5), tessera::ValueError);
  EXPECT_THROW(call(DType::int32, 6, 5), tessera::ValueError);
  EXPECT_THROW(call(DType::uint8, 0, 257), tessera::ValueError);
  EXPECT_THROW(call(DType::uint8, -1, 10), tessera::ValueError);
  EXPECT_THROW(call(DType::int8, -129, 0), tessera::ValueError);
  EXPECT_THROW(call(DType::uint64, -1, 0), tessera::ValueError);  // 2^64 - 1 > 0 as bit patterns
  EXPECT_NO_THROW(call(DType::uint8, 0, 256));
  EXPECT_NO_THROW(call(DType::int8, -128, 128));
}

// --- creation -------------------------------------------------------------------------

TEST(Creation, RegisteredDTypes) {
  for (std::size_t d = 0; d < tessera::kDTypeCount; ++d) {
    const auto dtype = static_cast<DType>(d);
    SCOPED_TRACE(tessera::name(dtype));
    auto has = [&](std::string_view op) {
      return registry().find_generator(op, dtype, tessera::DeviceKind::cpu) != nullptr;
    };
    EXPECT_TRUE(has("full"));
    EXPECT_TRUE(has("eye"));
    EXPECT_EQ(has("arange"), dtype != DType::bool_);
    EXPECT_EQ(has("linspace"), tessera::is_floating(dtype));
    EXPECT_EQ(has("uniform"), dtype == DType::float32 || dtype == DType::float64);
    EXPECT_EQ(has("normal"), dtype == DType::float32 || dtype == DType::float64);
    EXPECT_EQ(has("integers"), tessera::is_integer(dtype));
  }
}

TEST(Creation, FullWritesTheExactValue) {
  EXPECT_EQ(generate<std::int64_t>("full", {0, 0, 0, 0, (std::int64_t{1} << 62) + 1, 0}, 3),
            std::vector<std::int64_t>(3, (std::int64_t{1} << 62) + 1));
  EXPECT_EQ(generate<std::uint64_t>("full", {0, 0, 0, 0, -1, 0}, 2), std::vector<std::uint64_t>(2, ~0ull));
  EXPECT_EQ(generate<std::int8_t>("full", {0, 0, 0, 0, -7, 0}, 5), std::vector<std::int8_t>(5, -7));
  EXPECT_EQ(generate<float>("full", {0, 0.1, 0, 0, 0, 0}, 4), std::vector<float>(4, 0.1f));
  EXPECT_EQ(generate<std::complex<double>>("full", {0, 1.5, -2.5, 0, 0, 0}, 2),
            std::vector<std::complex<double>>(2, {1.5, -2.5}));
  const auto b = generate_bytes("full", DType::bool_, {0, 0, 0, 0, 1, 0}, 3);
  for (std::byte v : b) EXPECT_EQ(v, std::byte{1});
  const auto f = generate_bytes("full", DType::bool_, {0, 0, 0, 0, 0, 0}, 3);
  for (std::byte v : f) EXPECT_EQ(v, std::byte{0});
}

TEST(Creation, ArangeAndLinspace) {
  // int64 values stay exact up to 2^53.
  const std::int64_t big = (std::int64_t{1} << 53) - 10;
  const auto a = generate<std::int64_t>("arange", {0, static_cast<double>(big), 3, 0, 0, 0}, 3, 0, 1);
  EXPECT_EQ(a, (std::vector<std::int64_t>{big, big + 3, big + 6}));
  const auto r = generate<double>("arange", {0, 0.5, 0.25, 0, 0, 0}, 4, 2, 2);  // indices 2, 4, 6, 8
  EXPECT_EQ(r, (std::vector<double>{1.0, 1.5, 2.0, 2.5}));
  const auto i8 = generate<std::int8_t>("arange", {0, 10, -3, 0, 0, 0}, 4);
  EXPECT_EQ(i8, (std::vector<std::int8_t>{10, 7, 4, 1}));
  // linspace(0, 1, 7): a + i * step, and exactly the stop at the last index.
  const double step = 1.0 / 6;
  const auto l = generate<double>("linspace", {0, 0.0, step, 1.0, 0, 6}, 7);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(l[i], static_cast<double>(i) * step) << i;
  EXPECT_EQ(l[6], 1.0);
  const auto lf = generate<float>("linspace", {0, 0.0, step, 1.0, 0, 6}, 2, 5);
  EXPECT_EQ(lf, (std::vector<float>{static_cast<float>(5 * step), 1.0f}));
  const auto lc = generate<std::complex<float>>("linspace", {0, 1.0, 1.0, 9.0, 0, 2}, 3);
  EXPECT_EQ(lc, (std::vector<std::complex<float>>{{1, 0}, {2, 0}, {9, 0}}));
}

TEST(Creation, EyeMatchesNumPy) {
  // np.eye(rows, cols, k) for a few shapes and offsets, generated in two pieces.
  for (std::int64_t rows : {1, 3, 4}) {
    for (std::int64_t cols : {1, 3, 5}) {
      for (std::int64_t k : {-2, -1, 0, 1, 4}) {
        SCOPED_TRACE(::testing::Message() << rows << "x" << cols << " k=" << k);
        const auto n = static_cast<std::size_t>(rows * cols);
        const GeneratorParams p{0, 0, 0, 0, cols, k};
        auto e = generate<double>("eye", p, n / 2);
        const auto rest = generate<double>("eye", p, n - n / 2, static_cast<std::int64_t>(n / 2));
        e.insert(e.end(), rest.begin(), rest.end());
        for (std::int64_t i = 0; i < rows; ++i) {
          for (std::int64_t j = 0; j < cols; ++j) {
            EXPECT_EQ(e[static_cast<std::size_t>(i * cols + j)], j - i == k ? 1.0 : 0.0) << i << "," << j;
          }
        }
      }
    }
  }
  const auto b = generate_bytes("eye", DType::bool_, {0, 0, 0, 0, 2, 0}, 4);
  EXPECT_EQ(b, (std::vector<std::byte>{std::byte{1}, std::byte{0}, std::byte{0}, std::byte{1}}));
  EXPECT_EQ(generate<std::complex<float>>("eye", {0, 0, 0, 0, 2, 1}, 4),
            (std::vector<std::complex<float>>{{0, 0}, {1, 0}, {0, 0}, {0, 0}}));
}

}  // namespace
}  // namespace generator_tests
