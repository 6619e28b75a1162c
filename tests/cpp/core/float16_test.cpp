// Tests of tessera::float16 (core/float16.hpp) and its place among the dtypes: decoding
// and rounding checked on every bit pattern and every midpoint between neighbouring
// halves, against decodings written here with ldexp; NumPy's promotions involving float16.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <type_traits>

#include "tessera/core/dtype.hpp"
#include "tessera/core/float16.hpp"

#include "half_reference.hpp"

namespace {

using tessera::DType;
using tessera::float16;

using tessera::testing::decode_half;

bool is_nan_bits(std::uint16_t bits) { return (bits & 0x7fffu) > 0x7c00u; }

TEST(Float16, DecodesEveryBitPatternExactly) {
  for (unsigned b = 0; b <= 0xffffu; ++b) {
    const auto bits = static_cast<std::uint16_t>(b);
    const float value = float16::from_bits(bits).to_float();
    const double expected = decode_half(bits);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(value)) << std::hex << b;
    } else {
      EXPECT_EQ(static_cast<double>(value), expected) << std::hex << b;
      EXPECT_EQ(std::signbit(value), std::signbit(expected)) << std::hex << b;
    }
  }
}

TEST(Float16, EveryHalfSurvivesTheRoundTripThroughFloatAndDouble) {
  for (unsigned b = 0; b <= 0xffffu; ++b) {
    const auto bits = static_cast<std::uint16_t>(b);
    const float16 h = float16::from_bits(bits);
    const float16 via_float(static_cast<float>(h)), via_double(static_cast<double>(h));
    if (is_nan_bits(bits)) {
      EXPECT_TRUE(is_nan_bits(via_float.bits()) && is_nan_bits(via_double.bits())) << std::hex << b;
      EXPECT_EQ(via_double.bits() & 0x8000u, bits & 0x8000u) << "NaN keeps its sign, " << std::hex << b;
    } else {
      EXPECT_EQ(via_float.bits(), bits) << std::hex << b;
      EXPECT_EQ(via_double.bits(), bits) << std::hex << b;
    }
  }
}

TEST(Float16, RoundsToNearestWithTiesToEven) {
  // Between every two neighbouring finite halves (both signs): the midpoint goes to the
  // even bit pattern, and anything off the midpoint to the nearer half.
  for (std::uint16_t sign : {std::uint16_t{0}, std::uint16_t{0x8000}}) {
    for (unsigned b = 0; b < 0x7bffu; ++b) {
      const auto lo = static_cast<std::uint16_t>(b | sign), hi = static_cast<std::uint16_t>((b + 1) | sign);
      const double a = decode_half(lo), c = decode_half(hi);
      const double mid = (a + c) / 2;  // exact: halves have 11 bits, doubles 53
      const std::uint16_t even = (b & 1u) ? hi : lo;
      ASSERT_EQ(float16(mid).bits(), even) << "midpoint of " << std::hex << lo << " and " << hi;
      ASSERT_EQ(float16(std::nextafter(mid, a)).bits(), lo) << std::hex << lo;
      ASSERT_EQ(float16(std::nextafter(mid, c)).bits(), hi) << std::hex << hi;
      ASSERT_EQ(float16(a).bits(), lo) << std::hex << lo;
    }
  }
}

TEST(Float16, FloatsRoundAsTheirValuesDo) {
  // A float's own rounding path (the one every operation's result takes) against the
  // double's: at every float whose 13 dropped bits sit at a rounding boundary or a step
  // either side of one, around every midpoint between subnormal halves, and at random.
  const auto check = [](std::uint32_t bits) {
    const float f = std::bit_cast<float>(bits);
    ASSERT_EQ(float16(f).bits(), float16(static_cast<double>(f)).bits()) << std::hex << "float bits " << bits;
  };
  for (std::uint32_t high = 0; high < (1u << 19); ++high) {
    for (std::uint32_t low : {0x0u, 0x1u, 0xfffu, 0x1000u, 0x1001u, 0x1fffu}) check((high << 13) | low);
  }
  for (int m = 0; m <= 1024; ++m) {
    for (double unit : {static_cast<double>(m), m + 0.5}) {
      const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(std::ldexp(unit, -24)));
      for (std::uint32_t b : {bits - 1, bits, bits + 1}) {
        check(b);
        check(b | 0x80000000u);
      }
    }
  }
  std::mt19937 rng(16);
  for (int i = 0; i < 1000000; ++i) check(static_cast<std::uint32_t>(rng()));
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
  EXPECT_TRUE(is_nan_bits(float16(std::numeric_limits<double>::quiet_NaN()).bits()));
  // Integers round as their values: 2049 is a tie between 2048 and 2050.
  EXPECT_EQ(static_cast<float>(float16(2049)), 2048.0f);
  EXPECT_EQ(static_cast<float>(float16(2051)), 2052.0f);
  EXPECT_EQ(float16(std::int64_t{1} << 40).bits(), 0x7c00u);
}

TEST(Float16, LimitsAreHalfPrecisions) {
  using L = std::numeric_limits<float16>;
  EXPECT_EQ(static_cast<double>(L::max()), 65504.0);
  EXPECT_EQ(static_cast<double>(L::lowest()), -65504.0);
  EXPECT_EQ(static_cast<double>(L::min()), std::ldexp(1.0, -14));
  EXPECT_EQ(static_cast<double>(L::denorm_min()), std::ldexp(1.0, -24));
  EXPECT_EQ(static_cast<double>(L::epsilon()), std::ldexp(1.0, -10));
  EXPECT_TRUE(std::isinf(static_cast<float>(L::infinity())));
  EXPECT_TRUE(std::isnan(static_cast<float>(L::quiet_NaN())));
  EXPECT_EQ(L::digits, 11);
}

TEST(Float16, ArithmeticRoundsEachResultToHalf) {
  static_assert(std::is_same_v<decltype(1.0 + float16(1)), float16>, "mixed arithmetic stays in half");
  const float16 third = float16(1) / float16(3);
  EXPECT_EQ(third.bits(), float16(1.0 / 3.0).bits());
  EXPECT_EQ((float16(2048) + float16(1)).bits(), float16(2048).bits());  // 2049 is no half
  EXPECT_EQ((-float16(0)).bits(), 0x8000u);
  EXPECT_TRUE(float16(1) < float16(2));
  EXPECT_FALSE(std::numeric_limits<float16>::quiet_NaN() == std::numeric_limits<float16>::quiet_NaN());
  EXPECT_TRUE(float16(0.0) == float16(-0.0));
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

}  // namespace
