// Tests of the CPU casts (kernels/cpu/casts.cpp): every (from, to) pair is registered and
// agrees with a scalar reference written independently of the kernels (integer wrapping
// by masking, float-to-integer saturation in long double) on seeded random values mixed
// with the values where conversions go wrong (integer limits, one past them, halves, NaN,
// infinities, signed zeros), at lengths 0, 1, 7 and 1000; failures name both dtypes and
// the seed. The tests at the end pin chosen results.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/kernels/registry.hpp"

#include "column.hpp"
#include "narrow_float_reference.hpp"

namespace cast_tests {  // a name of its own: test files compile in batches (tests/cpp/CMakeLists.txt)
namespace {

using tessera::kernel_testing::Column;
using tessera::kernel_testing::element_repr;

using tessera::DeviceKind;
using tessera::DType;
using tessera::dtype_of;
using tessera::kernels::KernelRegistry;

const KernelRegistry& registry() {
  static const KernelRegistry* const r = [] {
    auto* built = new KernelRegistry;  // never destroyed, like KernelRegistry::instance()
    tessera::kernels::register_cpu_casts(*built);
    return built;
  }();
  return *r;
}

template <class T>
constexpr bool is_complex_v = false;
template <class R>
constexpr bool is_complex_v<std::complex<R>> = true;

// ---- the reference ---------------------------------------------------------------------------

/// Integer (or bool) to integer: the low bits of the two's complement value.
template <class To>
To wrap_integer(std::uint64_t bits) {
  constexpr int width = static_cast<int>(sizeof(To) * 8);
  if constexpr (width < 64) bits &= (std::uint64_t{1} << width) - 1;
  if constexpr (std::is_signed_v<To>) {
    // Values at or above 2^(width-1) stand for value - 2^width.
    const std::uint64_t half = std::uint64_t{1} << (width - 1);
    if (bits >= half) {
      return static_cast<To>(static_cast<std::int64_t>(bits - half) - static_cast<std::int64_t>(half - 1) - 1);
    }
  }
  return static_cast<To>(bits);
}

/// A real value to an integer: truncate toward zero; NaN is 0; saturate outside the range.
template <class To>
To saturate(long double v) {
  using L = std::numeric_limits<To>;
  if (std::isnan(v)) return 0;
  const long double t = std::trunc(v);
  if (t < static_cast<long double>(L::min())) return L::min();
  if (t > static_cast<long double>(L::max())) return L::max();
  return static_cast<To>(t);
}

/// Every non-negative finite value of the 16-bit float N, decoded from its fields by
/// ldexp, in order.
template <class N>
const std::vector<long double>& finite_values() {
  static const std::vector<long double> values = [] {
    std::vector<long double> v;
    for (unsigned bits = 0; bits < N::kExponentField; ++bits) {
      // exact in double
      v.push_back(
          tessera::testing::decode_narrow<N::kExponentBits, N::kFractionBits>(static_cast<std::uint16_t>(bits)));
    }
    return v;
  }();
  return values;
}

/// The N nearest to `v`, found among all its values (ties to the even bit pattern):
/// written without the rounding arithmetic of tessera::narrow_float.
template <class N>
N nearest_narrow(long double v) {
  if (std::isnan(v)) return std::numeric_limits<N>::quiet_NaN();
  const std::uint16_t sign = std::signbit(v) ? 0x8000u : 0u;
  const long double magnitude = std::fabs(v);
  const auto& values = finite_values<N>();
  // Past the midpoint of the largest value and the next power of two: infinity.
  const long double largest = values.back(), overflow = largest + (largest - values[values.size() - 2]) / 2;
  std::uint16_t bits = 0;
  if (magnitude >= overflow) {
    bits = N::kExponentField;
  } else {
    const auto above = std::lower_bound(values.begin(), values.end(), magnitude);
    bits = static_cast<std::uint16_t>(above - values.begin());
    if (above == values.end()) {  // between the largest value and the midpoint to the next
      bits = static_cast<std::uint16_t>(values.size() - 1);
    } else if (*above != magnitude) {
      const long double below_gap = magnitude - *(above - 1), above_gap = *above - magnitude;
      if (below_gap < above_gap || (below_gap == above_gap && (bits & 1u))) --bits;
    }
  }
  return N::from_bits(static_cast<std::uint16_t>(bits | sign));
}

template <class To, class From>
To reference_cast(From v) {
  if constexpr (tessera::is_narrow_float_v<From>) {
    // Every 16-bit value is a float; the reference for floats goes on from there.
    const float exact = static_cast<float>(v);
    if (std::isnan(exact) != ((v.bits() & 0x7fffu) > From::kExponentField)) ADD_FAILURE() << "NaN decoded wrongly";
    return reference_cast<To>(exact);
  } else if constexpr (tessera::is_narrow_float_v<To>) {
    if constexpr (is_complex_v<From>)
      return nearest_narrow<To>(static_cast<long double>(v.real()));
    else
      return nearest_narrow<To>(static_cast<long double>(v));
  } else if constexpr (is_complex_v<From>) {
    if constexpr (std::is_same_v<To, bool>)
      return !(v.real() == 0 && v.imag() == 0);
    else if constexpr (is_complex_v<To>)
      return To(static_cast<typename To::value_type>(v.real()), static_cast<typename To::value_type>(v.imag()));
    else
      return reference_cast<To>(v.real());
  } else if constexpr (std::is_same_v<To, bool>) {
    return !(v == From{0});
  } else if constexpr (is_complex_v<To>) {
    return To(reference_cast<typename To::value_type>(v), 0);
  } else if constexpr (std::is_floating_point_v<To>) {
    return static_cast<To>(static_cast<long double>(v));  // exact, then rounded once
  } else if constexpr (std::is_floating_point_v<From>) {
    return saturate<To>(v);
  } else {
    return wrap_integer<To>(static_cast<std::uint64_t>(v));
  }
}

template <class From, class To>
void reference_loop(const void* const* in, void* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) static_cast<To*>(out)[i] = reference_cast<To>(static_cast<const From*>(in[0])[i]);
}

// ---- inputs ------------------------------------------------------------------------------------

/// Values near every integer dtype's limits, as a real type R.
template <class R>
std::vector<R> real_specials() {
  std::vector<R> v = {R(0),
                      R(-0.0),
                      R(0.5),
                      R(-0.5),
                      R(0.9),
                      R(-0.9),
                      R(1),
                      R(-1),
                      R(2.5),
                      R(-2.5),
                      std::numeric_limits<R>::infinity(),
                      -std::numeric_limits<R>::infinity(),
                      std::numeric_limits<R>::quiet_NaN(),
                      std::numeric_limits<R>::max(),
                      std::numeric_limits<R>::lowest(),
                      std::numeric_limits<R>::denorm_min(),
                      // where float16 rounds: its largest value, ties, subnormals, underflow
                      R(65504),
                      R(65519.99),
                      R(65520),
                      R(2049),
                      R(2051),
                      R(1.00048828125),
                      R(5.9604644775390625e-8),
                      R(2.98023223876953125e-8),
                      R(8.940696716308594e-8),
                      R(1e-9),
                      // where bfloat16 rounds: its largest value and the tie past it, ties
                      std::ldexp(R(255), 120),
                      std::ldexp(R(511), 119),
                      R(257),
                      R(259),
                      R(1.00390625),
                      std::ldexp(R(1), -134)};
  for (int bits : {7, 8, 15, 16, 31, 32, 63, 64}) {
    const R p = std::ldexp(R(1), bits);
    for (R x : {p, -p, std::nextafter(p, R(0)), -std::nextafter(p, R(0)), p - 1, -p - 1, p + R(0.5), -p - R(0.5)}) {
      v.push_back(x);
    }
  }
  return v;
}

template <class T>
std::vector<T> special_values() {
  using L = std::numeric_limits<T>;
  if constexpr (std::is_same_v<T, bool>) {
    return {false, true};
  } else if constexpr (std::is_integral_v<T>) {
    return {0, 1, T(-1), L::min(), L::max(), T(L::min() + 1), T(L::max() - 1), T(127), T(128), T(255), T(256), T(-129)};
  } else if constexpr (std::is_floating_point_v<T>) {
    return real_specials<T>();
  } else if constexpr (tessera::is_narrow_float_v<T>) {
    std::vector<T> v;
    for (float x : real_specials<float>()) v.push_back(nearest_narrow<T>(x));
    return v;
  } else {
    using R = typename T::value_type;
    std::vector<T> v;
    for (R x : real_specials<R>()) v.emplace_back(x, R(0));
    for (R x : {R(0), R(-0.0), R(1), std::numeric_limits<R>::quiet_NaN(), std::numeric_limits<R>::infinity()}) {
      v.emplace_back(R(0), x);
      v.emplace_back(R(-0.0), x);
      v.emplace_back(R(3.7), x);
    }
    return v;
  }
}

template <class R>
R random_real(std::mt19937_64& rng) {
  // Magnitudes across every integer range, and beyond.
  const R magnitude = std::exp2(std::uniform_real_distribution<R>(-4, 70)(rng));
  return rng() % 2 ? magnitude : -magnitude;
}

template <class T>
T random_value(std::mt19937_64& rng, const std::vector<T>& specials) {
  if (rng() % 4 == 0) return specials[rng() % specials.size()];
  if constexpr (std::is_same_v<T, bool>)
    return rng() % 2 != 0;
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(rng() >> (rng() % 64));  // every width
  else if constexpr (std::is_floating_point_v<T>)
    return random_real<T>(rng);
  else if constexpr (tessera::is_narrow_float_v<T>)
    return nearest_narrow<T>(std::ldexp(static_cast<long double>(rng() % 2048), static_cast<int>(rng() % 40) - 34) *
                             (rng() % 2 ? 1 : -1));
  else
    return T{random_real<typename T::value_type>(rng), rng() % 2 ? random_real<typename T::value_type>(rng) : 0};
}

void fill_random(Column& column, std::uint64_t seed) {
  tessera::type_dispatch(column.dtype(), [&]<class T>() {
    std::mt19937_64 rng(seed);
    const std::vector<T> specials = special_values<T>();
    T* values = static_cast<T*>(column.data());
    for (std::size_t i = 0; i < column.size(); ++i) values[i] = random_value(rng, specials);
  });
}

template <class R>
bool same_real(R a, R b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

bool same_element(const Column& got, const Column& want, std::size_t i) {
  return tessera::type_dispatch(got.dtype(), [&]<class T>() {
    const T g = static_cast<const T*>(got.data())[i], w = static_cast<const T*>(want.data())[i];
    if constexpr (is_complex_v<T>)
      return same_real(g.real(), w.real()) && same_real(g.imag(), w.imag());
    else if constexpr (std::is_floating_point_v<T>)
      return same_real(g, w);
    else if constexpr (tessera::is_narrow_float_v<T>)
      return g.bits() == w.bits() || (std::isnan(static_cast<float>(g)) && std::isnan(static_cast<float>(w)));
    else
      return g == w;
  });
}

// ---- the checks ----------------------------------------------------------------------------------

/// Every (from, to) pair with its reference.
struct CastCase {
  DType from, to;
  tessera::kernels::ElementwiseFn reference;
};

std::vector<CastCase> all_cases() {
  std::vector<CastCase> cases;
  for (std::size_t from = 0; from < tessera::kDTypeCount; ++from) {
    for (std::size_t to = 0; to < tessera::kDTypeCount; ++to) {
      tessera::type_dispatch(static_cast<DType>(from), [&]<class From>() {
        tessera::type_dispatch(static_cast<DType>(to), [&]<class To>() {
          cases.push_back({dtype_of<From>, dtype_of<To>, &reference_loop<From, To>});
        });
      });
    }
  }
  return cases;
}

TEST(CpuCasts, EveryPairIsRegistered) {
  EXPECT_EQ(all_cases().size(), tessera::kDTypeCount * tessera::kDTypeCount);
  for (const CastCase& c : all_cases()) {
    const auto* kernel = registry().find_cast(c.from, c.to, DeviceKind::cpu);
    ASSERT_NE(kernel, nullptr) << "no cast " << tessera::name(c.from) << " -> " << tessera::name(c.to);
    EXPECT_EQ(kernel->arity, 1u);
    EXPECT_EQ(kernel->inputs[0], c.from);
    EXPECT_EQ(kernel->output, c.to);
  }
}

TEST(CpuCasts, MatchTheReference) {
  constexpr std::uint64_t kSeeds[] = {20240601, 7, 123456789};
  constexpr std::size_t kLengths[] = {0, 1, 7, 1000};
  for (const CastCase& c : all_cases()) {
    SCOPED_TRACE(::testing::Message() << "astype " << tessera::name(c.from) << " -> " << tessera::name(c.to));
    const auto* kernel = registry().find_cast(c.from, c.to, DeviceKind::cpu);
    ASSERT_NE(kernel, nullptr);
    for (std::uint64_t seed : kSeeds) {
      for (std::size_t n : kLengths) {
        SCOPED_TRACE(::testing::Message() << "seed=" << seed << " n=" << n);
        Column in(c.from, n), got(c.to, n), want(c.to, n);
        fill_random(in, seed);
        const void* pointer = in.data();
        kernel->fn(&pointer, got.data(), n);
        c.reference(&pointer, want.data(), n);
        int failures = 0;
        for (std::size_t i = 0; i < n && failures < 5; ++i) {
          if (same_element(got, want, i)) continue;
          ++failures;
          ADD_FAILURE() << "element " << i << ": " << element_repr(in, i) << " -> " << element_repr(got, i)
                        << ", expected " << element_repr(want, i);
        }
        if (c.from == c.to && n > 0) {  // only then may the output alias the input
          kernel->fn(&pointer, in.data(), n);
          EXPECT_EQ(std::memcmp(in.data(), got.data(), got.bytes()), 0) << "differs in place";
        }
      }
    }
  }
}

// ---- chosen values --------------------------------------------------------------------------------

template <class To, class From>
To cast(From v) {
  const auto* kernel = registry().find_cast(dtype_of<From>, dtype_of<To>, DeviceKind::cpu);
  if (kernel == nullptr) {
    ADD_FAILURE() << "no cast " << tessera::name(dtype_of<From>) << " -> " << tessera::name(dtype_of<To>);
    return To{};
  }
  const void* pointer = &v;
  To out{};
  kernel->fn(&pointer, &out, 1);
  return out;
}

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(CpuCasts, FloatToIntegerTruncatesAndSaturates) {
  EXPECT_EQ(cast<std::int8_t>(2.9), 2);
  EXPECT_EQ(cast<std::int8_t>(-2.9), -2);
  EXPECT_EQ(cast<std::int8_t>(127.9), 127);
  EXPECT_EQ(cast<std::int8_t>(-128.9), -128);
  EXPECT_EQ(cast<std::int8_t>(128.0), 127);
  EXPECT_EQ(cast<std::int8_t>(300.0), 127);
  EXPECT_EQ(cast<std::int8_t>(-300.0), -128);
  EXPECT_EQ(cast<std::int8_t>(kNan), 0);
  EXPECT_EQ(cast<std::uint8_t>(-0.9), 0);
  EXPECT_EQ(cast<std::uint8_t>(-1.0), 0);
  EXPECT_EQ(cast<std::uint8_t>(255.9), 255);
  EXPECT_EQ(cast<std::uint8_t>(256.0), 255);
  EXPECT_EQ(cast<std::int32_t>(2147483648.0f), std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(cast<std::int32_t>(-2147483648.0f), std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(cast<std::int32_t>(std::numeric_limits<float>::infinity()), std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(cast<std::int32_t>(-std::numeric_limits<float>::infinity()), std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(cast<std::uint32_t>(4294967296.0f), std::numeric_limits<std::uint32_t>::max());
  EXPECT_EQ(cast<std::uint32_t>(4294967040.0f), 4294967040u);
  EXPECT_EQ(cast<std::int64_t>(1e20), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(cast<std::int64_t>(-1e20), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(cast<std::int64_t>(9223372036854775808.0), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(cast<std::int64_t>(-9223372036854775808.0), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(cast<std::int64_t>(9223372036854774784.0), 9223372036854774784);
  EXPECT_EQ(cast<std::uint64_t>(18446744073709551616.0), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(cast<std::uint64_t>(18446744073709549568.0), 18446744073709549568u);
  EXPECT_EQ(cast<std::int32_t>(std::complex<double>(3.7, 5)), 3);
  EXPECT_EQ(cast<std::uint16_t>(std::complex<float>(-4.0f, 1)), 0);
}

TEST(CpuCasts, IntegersWrap) {
  EXPECT_EQ(cast<std::int8_t>(std::int32_t{300}), 44);
  EXPECT_EQ(cast<std::int8_t>(std::int32_t{-129}), 127);
  EXPECT_EQ(cast<std::uint8_t>(std::int32_t{-1}), 255);
  EXPECT_EQ(cast<std::int64_t>(std::numeric_limits<std::uint64_t>::max()), -1);
  EXPECT_EQ(cast<std::uint64_t>(std::int8_t{-1}), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(cast<std::int16_t>(std::uint16_t{40000}), -25536);
  EXPECT_EQ(cast<std::int64_t>(true), 1);
}

TEST(CpuCasts, BoolComplexAndFloat) {
  EXPECT_TRUE(cast<bool>(kNan));
  EXPECT_FALSE(cast<bool>(-0.0));
  EXPECT_TRUE(cast<bool>(std::complex<double>(0, 1)));
  EXPECT_FALSE(cast<bool>(std::complex<float>(-0.0f, 0.0f)));
  EXPECT_TRUE(cast<bool>(std::int64_t{-9}));
  EXPECT_EQ(cast<double>(true), 1.0);
  EXPECT_EQ(cast<double>(std::numeric_limits<std::uint64_t>::max()), 18446744073709551616.0);
  EXPECT_EQ(cast<float>(std::numeric_limits<std::uint64_t>::max()), 18446744073709551616.0f);
  EXPECT_EQ(cast<double>(std::int64_t{9007199254740993}), 9007199254740992.0);  // to nearest even
  EXPECT_EQ(cast<float>(1e300), std::numeric_limits<float>::infinity());
  EXPECT_EQ(cast<double>(std::complex<double>(-2.5, 7)), -2.5);
  const auto c = cast<std::complex<float>>(kNan);
  EXPECT_TRUE(std::isnan(c.real()));
  EXPECT_EQ(c.imag(), 0.0f);
  const auto narrowed = cast<std::complex<float>>(std::complex<double>(1e300, -1));
  EXPECT_EQ(narrowed.real(), std::numeric_limits<float>::infinity());
  EXPECT_EQ(narrowed.imag(), -1.0f);
  EXPECT_EQ(cast<std::complex<double>>(std::int64_t{-3}), std::complex<double>(-3, 0));
  EXPECT_EQ(cast<std::complex<double>>(kInf), std::complex<double>(kInf, 0));
}

}  // namespace
}  // namespace cast_tests
