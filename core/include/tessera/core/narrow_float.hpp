// The 16-bit floats: IEEE 754 binary16 (NumPy's float16) and bfloat16 (float's exponent
// with 7 fraction bits; ml_dtypes' bfloat16 in Python). Both are storage types whose
// every operation computes in float and rounds the result once, as NumPy's float16 loops
// do. (float holds 24 bits, more than the 2 * 11 + 2 that make rounding twice harmless
// for + - * / and sqrt, so those are correctly rounded; other functions are float's,
// rounded.)
//
// Conversions in are implicit, from any arithmetic type, and correctly rounded from the
// value itself (a double is not rounded to float first, which could round twice); out
// they are explicit, so that 16-bit precision never widens silently in generic code, and
// `double + float16` is float16 arithmetic, not double. Between the two 16-bit types
// there is no implicit conversion: neither holds the other's values.
//
// Portable: the CPU kernels include it through core/dtype.hpp, and NVRTC compiles it into
// the generated CUDA kernels (it is embedded beside the ops headers, kernels/CMakeLists).
#pragma once

// Under nvcc and NVRTC, libcu++'s bit_cast, which device code may call; NVRTC has only
// libcu++'s numeric_limits to specialize, host code (nvcc's too) std's.
#if defined(__CUDACC__)
#include <cuda/std/bit>
#include <cuda/std/cstdint>
#include <cuda/std/type_traits>
#define TESSERA_NARROW_STD cuda::std
#else
#include <bit>
#include <cstdint>
#include <type_traits>
#define TESSERA_NARROW_STD std
#endif
#if defined(__CUDACC_RTC__)
#include <cuda/std/limits>
#define TESSERA_NARROW_LIMITS_STD cuda::std
#else
#include <limits>
#define TESSERA_NARROW_LIMITS_STD std
#endif

#if defined(__CUDACC__) && !defined(__CUDACC_RTC__)
#define TESSERA_NARROW_FN __host__ __device__ constexpr
#else
#define TESSERA_NARROW_FN constexpr
#endif

namespace tessera {

/// A binary floating-point format of 16 bits: sign, `ExponentBits`, `FractionBits`.
template <int ExponentBits, int FractionBits>
class narrow_float {
  static_assert(1 + ExponentBits + FractionBits == 16, "a narrow_float has 16 bits");
  using u16 = TESSERA_NARROW_STD::uint16_t;
  using u32 = TESSERA_NARROW_STD::uint32_t;
  using u64 = TESSERA_NARROW_STD::uint64_t;

 public:
  static constexpr int kExponentBits = ExponentBits;
  static constexpr int kFractionBits = FractionBits;
  static constexpr int kBias = (1 << (ExponentBits - 1)) - 1;
  static constexpr u16 kSignBit = 0x8000u;
  static constexpr u16 kExponentField = static_cast<u16>(((1u << ExponentBits) - 1) << FractionBits);
  static constexpr u16 kFractionField = static_cast<u16>((1u << FractionBits) - 1);
  static constexpr u16 kQuietBit = static_cast<u16>(1u << (FractionBits - 1));

  narrow_float() = default;
  /// Rounds to nearest, ties to even; beyond the largest value (rounded) is ±infinity;
  /// NaNs stay NaN, quieted. (Not from long double, which would be rounded to double first.)
  template <class A>
    requires TESSERA_NARROW_STD::is_arithmetic_v<A> && (!TESSERA_NARROW_STD::is_same_v<A, long double>)
  TESSERA_NARROW_FN narrow_float(A value) noexcept : bits_(round_from_any(value)) {}

  TESSERA_NARROW_FN static narrow_float from_bits(u16 bits) noexcept {
    narrow_float x;
    x.bits_ = bits;
    return x;
  }
  TESSERA_NARROW_FN u16 bits() const noexcept { return bits_; }

  /// Exact: every 16-bit value is a float.
  TESSERA_NARROW_FN float to_float() const noexcept {
    if constexpr (ExponentBits == 8) {  // float's top half
      return TESSERA_NARROW_STD::bit_cast<float>(static_cast<u32>(bits_) << 16);
    } else {
      const u32 sign = static_cast<u32>(bits_ & kSignBit) << 16;
      const u32 exponent = (bits_ & kExponentField) >> FractionBits;
      const u32 fraction = bits_ & kFractionField;
      constexpr u32 kTopExponent = (1u << ExponentBits) - 1;
      if (exponent == kTopExponent) {  // infinity or NaN, payload kept
        return TESSERA_NARROW_STD::bit_cast<float>(sign | 0x7f800000u | (fraction << (23 - FractionBits)));
      }
      if (exponent == 0) {  // zero or subnormal: fraction units of 2^(1 - bias - fraction bits), exact
        constexpr float kUnit = TESSERA_NARROW_STD::bit_cast<float>(static_cast<u32>(128 - kBias - FractionBits) << 23);
        const float magnitude = static_cast<float>(fraction) * kUnit;
        return sign ? -magnitude : magnitude;
      }
      return TESSERA_NARROW_STD::bit_cast<float>(sign | ((exponent + 127u - kBias) << 23) |
                                                 (fraction << (23 - FractionBits)));
    }
  }

  template <class A>
    requires TESSERA_NARROW_STD::is_arithmetic_v<A>
  TESSERA_NARROW_FN explicit operator A() const noexcept {
    return static_cast<A>(to_float());
  }

  TESSERA_NARROW_FN narrow_float operator-() const noexcept { return from_bits(bits_ ^ kSignBit); }
  TESSERA_NARROW_FN narrow_float operator+() const noexcept { return *this; }

  TESSERA_NARROW_FN friend narrow_float operator+(narrow_float a, narrow_float b) noexcept {
    return a.to_float() + b.to_float();
  }
  TESSERA_NARROW_FN friend narrow_float operator-(narrow_float a, narrow_float b) noexcept {
    return a.to_float() - b.to_float();
  }
  TESSERA_NARROW_FN friend narrow_float operator*(narrow_float a, narrow_float b) noexcept {
    return a.to_float() * b.to_float();
  }
  TESSERA_NARROW_FN friend narrow_float operator/(narrow_float a, narrow_float b) noexcept {
    return a.to_float() / b.to_float();
  }
  TESSERA_NARROW_FN narrow_float& operator+=(narrow_float o) noexcept { return *this = *this + o; }
  TESSERA_NARROW_FN narrow_float& operator-=(narrow_float o) noexcept { return *this = *this - o; }
  TESSERA_NARROW_FN narrow_float& operator*=(narrow_float o) noexcept { return *this = *this * o; }
  TESSERA_NARROW_FN narrow_float& operator/=(narrow_float o) noexcept { return *this = *this / o; }

  TESSERA_NARROW_FN friend bool operator==(narrow_float a, narrow_float b) noexcept {
    return a.to_float() == b.to_float();
  }
  TESSERA_NARROW_FN friend bool operator!=(narrow_float a, narrow_float b) noexcept {
    return a.to_float() != b.to_float();
  }
  TESSERA_NARROW_FN friend bool operator<(narrow_float a, narrow_float b) noexcept {
    return a.to_float() < b.to_float();
  }
  TESSERA_NARROW_FN friend bool operator<=(narrow_float a, narrow_float b) noexcept {
    return a.to_float() <= b.to_float();
  }
  TESSERA_NARROW_FN friend bool operator>(narrow_float a, narrow_float b) noexcept {
    return a.to_float() > b.to_float();
  }
  TESSERA_NARROW_FN friend bool operator>=(narrow_float a, narrow_float b) noexcept {
    return a.to_float() >= b.to_float();
  }

 private:
  template <class A>
  TESSERA_NARROW_FN static u16 round_from_any(A value) noexcept {
    if constexpr (TESSERA_NARROW_STD::is_same_v<A, float>) {
      return round_from_float(value);
    } else if constexpr (TESSERA_NARROW_STD::is_integral_v<A> && sizeof(A) > 4) {
      return round_from(odd_rounded(value));
    } else {
      return round_from(static_cast<double>(value));  // exact
    }
  }

  /// A 64-bit integer as a double, rounded to odd where it has more than 53 bits: the
  /// sticky last bit keeps the second rounding, to 16 bits, correct (a double rounded to
  /// nearest could land on a tie the integer was not).
  template <class I>
  TESSERA_NARROW_FN static double odd_rounded(I value) noexcept {
    bool negative = false;
    if constexpr (TESSERA_NARROW_STD::is_signed_v<I>) negative = value < 0;
    const u64 magnitude = negative ? u64{0} - static_cast<u64>(value) : static_cast<u64>(value);
    int shift = 0;
    while ((magnitude >> shift) >= (u64{1} << 53)) ++shift;
    u64 kept = magnitude >> shift;
    if (shift > 0 && (magnitude & ((u64{1} << shift) - 1)) != 0) kept |= 1u;
    const double exact = static_cast<double>(kept) * static_cast<double>(u64{1} << shift);
    return negative ? -exact : exact;
  }

  /// The nearest value to `value` (ties to even), from its binary64 fields.
  TESSERA_NARROW_FN static u16 round_from(double value) noexcept {
    const u64 bits = TESSERA_NARROW_STD::bit_cast<u64>(value);
    const auto sign = static_cast<u16>((bits >> 48) & kSignBit);
    const int exponent = static_cast<int>((bits >> 52) & 0x7ffu) - 1023;
    const u64 mantissa = bits & ((u64{1} << 52) - 1);
    constexpr int kDropped = 52 - FractionBits;  // fraction bits of a double that a normal value rounds away
    if (exponent == 1024) {                      // infinity, or NaN (quiet, with the payload's top bits)
      if (mantissa == 0) return sign | kExponentField;
      return static_cast<u16>(sign | kExponentField | kQuietBit | (mantissa >> kDropped));
    }
    if (exponent > kBias) return sign | kExponentField;
    // Below half the smallest subnormal (double subnormals too): zero.
    if (exponent < -(kBias + FractionBits)) return sign;
    // Normal values keep all fraction bits; subnormals count in units of the smallest
    // and keep fewer. Either way, `shift` low bits of the significand are rounded away,
    // and a carry out of the fraction lands in the exponent field, up to infinity, as it
    // should.
    const bool normal = exponent >= 1 - kBias;
    const u64 significand = normal ? mantissa : (mantissa | (u64{1} << 52));
    const int shift = normal ? kDropped : kDropped + (1 - kBias - exponent);
    u64 kept = significand >> shift;
    const u64 rest = significand & ((u64{1} << shift) - 1);
    const u64 half_unit = u64{1} << (shift - 1);
    if (rest > half_unit || (rest == half_unit && (kept & 1u))) ++kept;
    const u64 biased = normal ? static_cast<u64>(exponent + kBias) << FractionBits : 0;
    return static_cast<u16>(sign | (biased + kept));
  }

  /// round_from for a float, which every operation's result is: 32-bit integer steps,
  /// few branches (the kernels' inner loops call it per element).
  TESSERA_NARROW_FN static u16 round_from_float(float value) noexcept {
    const u32 bits = TESSERA_NARROW_STD::bit_cast<u32>(value);
    const auto sign = static_cast<u16>((bits >> 16) & kSignBit);
    const u32 magnitude = bits & 0x7fffffffu;
    if constexpr (ExponentBits == 8) {
      // float's exponent: drop 16 fraction bits, rounding to nearest, ties to the even
      // kept bit; a carry runs into the exponent, up to infinity. NaNs stay NaN, quieted.
      if (magnitude > 0x7f800000u) return static_cast<u16>((bits >> 16) | kQuietBit);
      return static_cast<u16>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
    } else {
      static_assert(ExponentBits == 5 && FractionBits == 10, "a fast float conversion for binary16 only");
      u32 half;
      if (magnitude >= 0x47800000u) {  // |value| >= 2^16, infinity or NaN (quiet, payload's top bits)
        half = magnitude > 0x7f800000u ? 0x7e00u | ((magnitude >> 13) & 0x3ffu) : 0x7c00u;
      } else if (magnitude < 0x38800000u) {  // below 2^-14: a subnormal half, or zero
        // In [0.5, 1) floats step by 2^-24, half's subnormal unit: adding 0.5 rounds the
        // value to that unit (to nearest, ties to even), and the sum's low bits count it.
        const float shifted = TESSERA_NARROW_STD::bit_cast<float>(magnitude) + 0.5f;
        half = TESSERA_NARROW_STD::bit_cast<u32>(shifted) - 0x3f000000u;
      } else {
        // Rebias the exponent (127 to 15) and round the 13 dropped fraction bits to
        // nearest, ties to the even kept bit; a carry runs into the exponent, up to infinity.
        const u32 odd = (magnitude >> 13) & 1u;
        half = (magnitude - (112u << 23) + 0xfffu + odd) >> 13;
      }
      return static_cast<u16>(sign | half);
    }
  }

  u16 bits_;
};

/// IEEE 754 binary16: NumPy's float16.
using float16 = narrow_float<5, 10>;
/// bfloat16: float with 7 fraction bits, the matrix units' input type.
using bfloat16 = narrow_float<8, 7>;

static_assert(sizeof(float16) == 2 && TESSERA_NARROW_STD::is_trivially_copyable_v<float16>);
static_assert(sizeof(bfloat16) == 2 && TESSERA_NARROW_STD::is_trivially_copyable_v<bfloat16>);

template <class T>
inline constexpr bool is_narrow_float_v = false;
template <int E, int F>
inline constexpr bool is_narrow_float_v<narrow_float<E, F>> = true;

}  // namespace tessera

/// Limits as for float: the generic code of the kernels asks port::numeric_limits.
template <int E, int F>
struct TESSERA_NARROW_LIMITS_STD::numeric_limits<tessera::narrow_float<E, F>> {
  using N = tessera::narrow_float<E, F>;
  static constexpr bool is_specialized = true;
  static constexpr bool is_signed = true;
  static constexpr bool is_integer = false;
  static constexpr bool is_exact = false;
  static constexpr bool has_infinity = true;
  static constexpr bool has_quiet_NaN = true;
  static constexpr bool has_signaling_NaN = true;
  static constexpr bool is_iec559 = E == 5;  // bfloat16 is no IEEE interchange format
  static constexpr bool is_bounded = true;
  static constexpr bool is_modulo = false;
  static constexpr int digits = F + 1;
  // log10(2) as 30103 / 100000 is close enough for exponents this small.
  static constexpr int digits10 = F * 30103 / 100000;
  static constexpr int max_digits10 = 2 + digits * 30103 / 100000;
  static constexpr int radix = 2;
  static constexpr int min_exponent = 2 - N::kBias;
  static constexpr int min_exponent10 = -((N::kBias - 1) * 30103 / 100000);
  static constexpr int max_exponent = N::kBias + 1;
  static constexpr int max_exponent10 = max_exponent * 30103 / 100000;
  TESSERA_NARROW_FN static N min() noexcept { return N::from_bits(1u << F); }
  TESSERA_NARROW_FN static N max() noexcept { return N::from_bits(N::kExponentField - (1u << F) + N::kFractionField); }
  TESSERA_NARROW_FN static N lowest() noexcept { return -max(); }
  TESSERA_NARROW_FN static N epsilon() noexcept { return N::from_bits(static_cast<unsigned>(N::kBias - F) << F); }
  TESSERA_NARROW_FN static N round_error() noexcept { return N::from_bits(static_cast<unsigned>(N::kBias - 1) << F); }
  TESSERA_NARROW_FN static N infinity() noexcept { return N::from_bits(N::kExponentField); }
  TESSERA_NARROW_FN static N quiet_NaN() noexcept { return N::from_bits(N::kExponentField | N::kQuietBit); }
  TESSERA_NARROW_FN static N signaling_NaN() noexcept { return N::from_bits(N::kExponentField | (N::kQuietBit >> 1)); }
  TESSERA_NARROW_FN static N denorm_min() noexcept { return N::from_bits(1u); }
};

#undef TESSERA_NARROW_FN
#undef TESSERA_NARROW_STD
#undef TESSERA_NARROW_LIMITS_STD
