// Tests of tessera's 16-bit floats, float16 and bfloat16 (core/narrow_float.hpp), and their
// place among the dtypes: decoding and rounding checked on every bit pattern and every
// midpoint between neighbouring values, against decodings written here with ldexp;
// NumPy's promotions involving float16, and bfloat16's beside them.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <type_traits>

#include "tessera/core/dtype.hpp"
#include "tessera/core/narrow_float.hpp"

#include "narrow_float_reference.hpp"

namespace {

using tessera::bfloat16;
using tessera::DType;
using tessera::float16;

template <class T>
double decode(std::uint16_t bits) {
  return tessera::testing::decode_narrow<T::kExponentBits, T::kFractionBits>(bits);
}

template <class T>
bool is_nan_bits(std::uint16_t bits) {
  return (bits & 0x7fffu) > T::kExponentField;
}

template <class T>
class NarrowFloat : public ::testing::Test {};
using NarrowFloats = ::testing::Types<float16, bfloat16>;
TYPED_TEST_SUITE(NarrowFloat, NarrowFloats);

TYPED_TEST(NarrowFloat, DecodesEveryBitPatternExactly) {
  for (unsigned b = 0; b <= 0xffffu; ++b) {
    const auto bits = static_cast<std::uint16_t>(b);
    const float value = TypeParam::from_bits(bits).to_float();
    const double expected = decode<TypeParam>(bits);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(value)) << std::hex << b;
    } else {
      EXPECT_EQ(static_cast<double>(value), expected) << std::hex << b;
      EXPECT_EQ(std::signbit(value), std::signbit(expected)) << std::hex << b;
    }
  }
}

TYPED_TEST(NarrowFloat, EveryValueSurvivesTheRoundTripThroughFloatAndDouble) {
  for (unsigned b = 0; b <= 0xffffu; ++b) {
    const auto bits = static_cast<std::uint16_t>(b);
    const TypeParam h = TypeParam::from_bits(bits);
    const TypeParam via_float(static_cast<float>(h)), via_double(static_cast<double>(h));
    if (is_nan_bits<TypeParam>(bits)) {
      EXPECT_TRUE(is_nan_bits<TypeParam>(via_float.bits()) && is_nan_bits<TypeParam>(via_double.bits()))
          << std::hex << b;
      EXPECT_EQ(via_double.bits() & 0x8000u, bits & 0x8000u) << "NaN keeps its sign, " << std::hex << b;
      EXPECT_EQ(via_float.bits() & 0x8000u, bits & 0x8000u) << "NaN keeps its sign, " << std::hex << b;
    } else {
      EXPECT_EQ(via_float.bits(), bits) << std::hex << b;
      EXPECT_EQ(via_double.bits(), bits) << std::hex << b;
    }
  }
}

TYPED_TEST(NarrowFloat, RoundsToNearestWithTiesToEven) {
  // Between every two neighbouring finite values (both signs): the midpoint goes to the
  // even bit pattern, and anything off the midpoint to the nearer value.
  const auto largest = std::numeric_limits<TypeParam>::max().bits();
  for (std::uint16_t sign : {std::uint16_t{0}, std::uint16_t{0x8000}}) {
    for (unsigned b = 0; b < largest; ++b) {
      const auto lo = static_cast<std::uint16_t>(b | sign), hi = static_cast<std::uint16_t>((b + 1) | sign);
      const double a = decode<TypeParam>(lo), c = decode<TypeParam>(hi);
      const double mid = (a + c) / 2;  // exact: 16-bit floats have at most 11 bits, doubles 53
      const std::uint16_t even = (b & 1u) ? hi : lo;
      ASSERT_EQ(TypeParam(mid).bits(), even) << "midpoint of " << std::hex << lo << " and " << hi;
      ASSERT_EQ(TypeParam(std::nextafter(mid, a)).bits(), lo) << std::hex << lo;
      ASSERT_EQ(TypeParam(std::nextafter(mid, c)).bits(), hi) << std::hex << hi;
      ASSERT_EQ(TypeParam(a).bits(), lo) << std::hex << lo;
    }
  }
}

TYPED_TEST(NarrowFloat, FloatsRoundAsTheirValuesDo) {
  // A float's own rounding path (the one every operation's result takes) against the
  // double's: at every float whose dropped fraction bits sit at a rounding boundary or a
  // step either side of one, around every midpoint between subnormals, and at random.
  const auto check = [](std::uint32_t bits) {
    const float f = std::bit_cast<float>(bits);
    const TypeParam from_float(f), from_double(static_cast<double>(f));
    if (std::isnan(f)) {
      ASSERT_TRUE(is_nan_bits<TypeParam>(from_float.bits())) << std::hex << "float bits " << bits;
    } else {
      ASSERT_EQ(from_float.bits(), from_double.bits()) << std::hex << "float bits " << bits;
    }
  };
  constexpr int dropped = 23 - TypeParam::kFractionBits;
  constexpr std::uint32_t half_step = 1u << (dropped - 1), step = 1u << dropped;
  for (std::uint32_t high = 0; high < (1u << (32 - dropped)); ++high) {
    for (std::uint32_t low : {0u, 1u, half_step - 1, half_step, half_step + 1, step - 1})
      check((high << dropped) | low);
  }
  constexpr int bias = TypeParam::kBias, fraction_bits = TypeParam::kFractionBits;
  for (int m = 0; m <= (1 << fraction_bits); ++m) {
    for (double unit : {static_cast<double>(m), m + 0.5}) {
      const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(std::ldexp(unit, 1 - bias - fraction_bits)));
      for (std::uint32_t b : {bits - 1, bits, bits + 1}) {
        check(b);
        check(b | 0x80000000u);
      }
    }
  }
  std::mt19937 rng(16);
  for (int i = 0; i < 1000000; ++i) check(static_cast<std::uint32_t>(rng()));
}

TYPED_TEST(NarrowFloat, ArithmeticRoundsEachResultOnce) {
  static_assert(std::is_same_v<decltype(1.0 + TypeParam(1)), TypeParam>, "mixed arithmetic stays in 16 bits");
  static_assert(!std::is_convertible_v<float16, bfloat16> && !std::is_convertible_v<bfloat16, float16>,
                "neither 16-bit float holds the other's values");
  const TypeParam third = TypeParam(1) / TypeParam(3);
  EXPECT_EQ(third.bits(), TypeParam(1.0 / 3.0).bits());
  const double big = std::ldexp(1.0, TypeParam::kFractionBits + 1);          // the first integer spacing of 2
  EXPECT_EQ((TypeParam(big) + TypeParam(1)).bits(), TypeParam(big).bits());  // big + 1 ties to even: big
  EXPECT_EQ((-TypeParam(0)).bits(), 0x8000u);
  EXPECT_TRUE(TypeParam(1) < TypeParam(2));
  using L = std::numeric_limits<TypeParam>;
  EXPECT_FALSE(L::quiet_NaN() == L::quiet_NaN());
  EXPECT_TRUE(TypeParam(0.0) == TypeParam(-0.0));
}

TEST(Float16, OverflowsToInfinityAndUnderflowsToZero) {
  EXPECT_EQ(float16(65504.0).bits(), 0x7bffu);
  EXPECT_EQ(float16(65519.99).bits(), 0x7bffu);
  EXPECT_EQ(float16(65520.0).bits(), 0x7c00u);  // the midpoint to 2^16 ties to even: infinity
  EXPECT_EQ(float16(-1e300).bits(), 0xfc00u);
  EXPECT_EQ(float16(std::ldexp(1.0, -25)).bits(), 0x0000u);  // half the smallest subnormal: to even 0
  EXPECT_EQ(float16(std::nextafter(std::ldexp(1.0, -25), 1.0)).bits(), 0x0001u);
  EXPECT_EQ(float16(-1e-300).bits(), 0x8000u);
  EXPECT_EQ(float16(std::numeric_limits<double>::denorm_min()).bits(), 0x0000u);
  EXPECT_EQ(float16(-0.0).bits(), 0x8000u);
  EXPECT_TRUE(is_nan_bits<float16>(float16(std::numeric_limits<double>::quiet_NaN()).bits()));
  // Integers round as their values: 2049 is a tie between 2048 and 2050.
  EXPECT_EQ(static_cast<float>(float16(2049)), 2048.0f);
  EXPECT_EQ(static_cast<float>(float16(2051)), 2052.0f);
  EXPECT_EQ(float16(std::int64_t{1} << 40).bits(), 0x7c00u);
}

TEST(BFloat16, OverflowsToInfinityAndUnderflowsToZero) {
  EXPECT_EQ(bfloat16(std::numeric_limits<float>::max()).bits(), 0x7f80u);  // past the largest bfloat16's midpoint
  EXPECT_EQ(bfloat16(std::ldexp(255.0, 120)).bits(), 0x7f7fu);             // the largest: 255 * 2^120
  EXPECT_EQ(bfloat16(std::ldexp(511.0, 119)).bits(), 0x7f80u);             // its midpoint to 2^128 ties to infinity
  EXPECT_EQ(bfloat16(-1e300).bits(), 0xff80u);
  EXPECT_EQ(bfloat16(std::ldexp(1.0, -134)).bits(), 0x0000u);  // half the smallest subnormal: to even 0
  EXPECT_EQ(bfloat16(std::nextafter(std::ldexp(1.0, -134), 1.0)).bits(), 0x0001u);
  EXPECT_EQ(bfloat16(-1e-300).bits(), 0x8000u);
  // A double just above a midpoint rounds up, where rounding through float would tie down
  // to even (ml_dtypes' conversion from float64 does that).
  EXPECT_EQ(static_cast<double>(bfloat16(1.00390625 + 1e-12)), 1.0078125);
  EXPECT_EQ(static_cast<double>(bfloat16(1.00390625)), 1.0);
  EXPECT_EQ(static_cast<float>(bfloat16(257)), 256.0f);
  EXPECT_EQ(static_cast<float>(bfloat16(259)), 260.0f);
  EXPECT_TRUE(is_nan_bits<bfloat16>(bfloat16(std::numeric_limits<float>::signaling_NaN()).bits()));
  // 64-bit integers round from their value: 2^62 + 2^54 + 1 is just past a midpoint, which
  // it would be exactly once rounded to a double.
  const std::int64_t past_midpoint = (std::int64_t{1} << 62) + (std::int64_t{1} << 54) + 1;
  EXPECT_EQ(static_cast<double>(bfloat16(past_midpoint)), std::ldexp(1.0, 62) + std::ldexp(1.0, 55));
  EXPECT_EQ(static_cast<double>(bfloat16(-past_midpoint)), -(std::ldexp(1.0, 62) + std::ldexp(1.0, 55)));
  EXPECT_EQ(static_cast<double>(bfloat16(std::uint64_t(past_midpoint) * 2)), std::ldexp(1.0, 63) + std::ldexp(1.0, 56));
  EXPECT_EQ(static_cast<double>(bfloat16((std::int64_t{1} << 62) + (std::int64_t{1} << 54))), std::ldexp(1.0, 62));
  EXPECT_EQ(static_cast<double>(bfloat16(std::numeric_limits<std::int64_t>::min())), -std::ldexp(1.0, 63));
  EXPECT_EQ(static_cast<double>(bfloat16(std::numeric_limits<std::uint64_t>::max())), std::ldexp(1.0, 64));
}

TEST(NarrowFloatLimits, AreEachFormatsOwn) {
  using H = std::numeric_limits<float16>;
  EXPECT_EQ(static_cast<double>(H::max()), 65504.0);
  EXPECT_EQ(static_cast<double>(H::lowest()), -65504.0);
  EXPECT_EQ(static_cast<double>(H::min()), std::ldexp(1.0, -14));
  EXPECT_EQ(static_cast<double>(H::denorm_min()), std::ldexp(1.0, -24));
  EXPECT_EQ(static_cast<double>(H::epsilon()), std::ldexp(1.0, -10));
  EXPECT_EQ(static_cast<double>(H::round_error()), 0.5);
  EXPECT_TRUE(std::isinf(static_cast<float>(H::infinity())));
  EXPECT_TRUE(std::isnan(static_cast<float>(H::quiet_NaN())));
  EXPECT_TRUE(std::isnan(static_cast<float>(H::signaling_NaN())));
  EXPECT_EQ(H::digits, 11);
  EXPECT_EQ(H::digits10, 3);
  EXPECT_EQ(H::max_digits10, 5);
  EXPECT_EQ(H::min_exponent, -13);
  EXPECT_EQ(H::max_exponent, 16);
  EXPECT_EQ(H::min_exponent10, -4);
  EXPECT_EQ(H::max_exponent10, 4);

  // bfloat16 has float's range, hence float's exponents, with 8 bits of precision.
  using B = std::numeric_limits<bfloat16>;
  using F = std::numeric_limits<float>;
  EXPECT_EQ(static_cast<double>(B::max()), std::ldexp(255.0, 120));
  EXPECT_EQ(static_cast<double>(B::lowest()), -std::ldexp(255.0, 120));
  EXPECT_EQ(static_cast<float>(B::min()), F::min());
  EXPECT_EQ(static_cast<double>(B::denorm_min()), std::ldexp(1.0, -133));
  EXPECT_EQ(static_cast<double>(B::epsilon()), std::ldexp(1.0, -7));
  EXPECT_EQ(static_cast<double>(B::round_error()), 0.5);
  EXPECT_TRUE(std::isinf(static_cast<float>(B::infinity())));
  EXPECT_TRUE(std::isnan(static_cast<float>(B::quiet_NaN())));
  EXPECT_TRUE(std::isnan(static_cast<float>(B::signaling_NaN())));
  EXPECT_EQ(B::digits, 8);
  EXPECT_EQ(B::digits10, 2);
  EXPECT_EQ(B::max_digits10, 4);
  EXPECT_EQ(B::min_exponent, F::min_exponent);
  EXPECT_EQ(B::max_exponent, F::max_exponent);
  EXPECT_EQ(B::min_exponent10, F::min_exponent10);
  EXPECT_EQ(B::max_exponent10, F::max_exponent10);
  EXPECT_FALSE(B::is_iec559);
}

TEST(Float16, PromotesAsNumPy) {
  EXPECT_EQ(tessera::itemsize(DType::float16), 2u);
  EXPECT_EQ(tessera::name(DType::float16), "float16");
  for (const char* spelling : {"float16", "f2", "e", "half"}) EXPECT_EQ(tessera::parse_dtype(spelling), DType::float16);
  EXPECT_EQ(tessera::result_type(DType::float16, DType::bool_), DType::float16);
  EXPECT_EQ(tessera::result_type(DType::float16, DType::int8), DType::float16);
  EXPECT_EQ(tessera::result_type(DType::float16, DType::uint8), DType::float16);
  EXPECT_EQ(tessera::result_type(DType::float16, DType::int16), DType::float32);
  EXPECT_EQ(tessera::result_type(DType::float16, DType::uint32), DType::float64);
  EXPECT_EQ(tessera::result_type(DType::float16, DType::int64), DType::float64);
  EXPECT_EQ(tessera::result_type(DType::float16, DType::float32), DType::float32);
  EXPECT_EQ(tessera::result_type(DType::float16, DType::complex64), DType::complex64);
  EXPECT_EQ(tessera::result_type(DType::float16, tessera::ScalarKind::real), DType::float16);
  EXPECT_EQ(tessera::result_type(DType::float16, tessera::ScalarKind::complex), DType::complex64);
  EXPECT_EQ(tessera::floating_dtype(DType::int8), DType::float16);
  EXPECT_EQ(tessera::floating_dtype(DType::bool_), DType::float16);
  EXPECT_EQ(tessera::floating_dtype(DType::uint16), DType::float32);
  EXPECT_EQ(tessera::floating_dtype(DType::int32), DType::float64);
  EXPECT_TRUE(tessera::can_cast_safely(DType::float16, DType::float32));
  EXPECT_FALSE(tessera::can_cast_safely(DType::float32, DType::float16));
  EXPECT_FALSE(tessera::can_cast_safely(DType::int16, DType::float16));
}

TEST(BFloat16, PromotesLikeFloat16ExceptWithIt) {
  // As JAX and ml_dtypes promote: the 8-bit integers and bool fit in bfloat16, float16
  // and bfloat16 meet in float32 (neither holds the other's values), the rest as float16.
  EXPECT_EQ(tessera::itemsize(DType::bfloat16), 2u);
  EXPECT_EQ(tessera::name(DType::bfloat16), "bfloat16");
  EXPECT_EQ(tessera::parse_dtype("bfloat16"), DType::bfloat16);
  EXPECT_EQ(tessera::kind(DType::bfloat16), tessera::DTypeKind::real_floating);
  EXPECT_EQ(tessera::result_type(DType::bfloat16, DType::float16), DType::float32);
  EXPECT_EQ(tessera::result_type(DType::float16, DType::bfloat16), DType::float32);
  for (DType other : {DType::bool_, DType::int8, DType::uint8, DType::int16, DType::uint16, DType::int32, DType::uint64,
                      DType::float32, DType::float64, DType::complex64, DType::complex128}) {
    const DType as_float16 = tessera::result_type(DType::float16, other);
    EXPECT_EQ(tessera::result_type(DType::bfloat16, other), as_float16 == DType::float16 ? DType::bfloat16 : as_float16)
        << tessera::name(other);
  }
  EXPECT_EQ(tessera::result_type(DType::bfloat16, tessera::ScalarKind::integer), DType::bfloat16);
  EXPECT_EQ(tessera::result_type(DType::bfloat16, tessera::ScalarKind::real), DType::bfloat16);
  EXPECT_EQ(tessera::result_type(DType::bfloat16, tessera::ScalarKind::complex), DType::complex64);
  EXPECT_TRUE(tessera::can_cast_safely(DType::bfloat16, DType::float32));
  EXPECT_TRUE(tessera::can_cast_safely(DType::uint8, DType::bfloat16));
  EXPECT_FALSE(tessera::can_cast_safely(DType::bfloat16, DType::float16));
  EXPECT_FALSE(tessera::can_cast_safely(DType::float16, DType::bfloat16));
  EXPECT_FALSE(tessera::can_cast_safely(DType::float32, DType::bfloat16));
}

}  // namespace
