// IEEE 754 binary16, NumPy's float16: a storage type whose every operation computes in
// float and rounds the result to half precision, exactly as NumPy's float16 loops do.
// (float holds 24 bits, more than the 2 * 11 + 2 that make rounding twice harmless for
// + - * / and sqrt, so those are correctly rounded; other functions are float's, rounded.)
//
// Conversions in are implicit, from any arithmetic type, and correctly rounded from the
// value itself (a double is not rounded to float first, which could round twice); out
// they are explicit, so that half precision never widens silently in generic code, and
// `double + float16` is float16 arithmetic, not double.
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
#define TESSERA_FLOAT16_STD cuda::std
#else
#include <bit>
#include <cstdint>
#include <type_traits>
#define TESSERA_FLOAT16_STD std
#endif
#if defined(__CUDACC_RTC__)
#include <cuda/std/limits>
#define TESSERA_FLOAT16_LIMITS_STD cuda::std
#else
#include <limits>
#define TESSERA_FLOAT16_LIMITS_STD std
#endif

#if defined(__CUDACC__) && !defined(__CUDACC_RTC__)
#define TESSERA_FLOAT16_FN __host__ __device__ constexpr
#else
#define TESSERA_FLOAT16_FN constexpr
#endif

namespace tessera {

class float16 {
 public:
  float16() = default;
  /// Rounds to nearest, ties to even; beyond ±65504 (rounded) is ±infinity. (Not from
  /// long double, which would be rounded to double first.)
  template <class A>
    requires TESSERA_FLOAT16_STD::is_arithmetic_v<A> && (!TESSERA_FLOAT16_STD::is_same_v<A, long double>)
  TESSERA_FLOAT16_FN float16(A value) noexcept
      : bits_(TESSERA_FLOAT16_STD::is_same_v<A, float> ? round_from_float(static_cast<float>(value))
                                                       : round_from(static_cast<double>(value))) {}

  TESSERA_FLOAT16_FN static float16 from_bits(TESSERA_FLOAT16_STD::uint16_t bits) noexcept {
    float16 h;
    h.bits_ = bits;
    return h;
  }
  TESSERA_FLOAT16_FN TESSERA_FLOAT16_STD::uint16_t bits() const noexcept { return bits_; }

  /// Exact: every half value is a float.
  TESSERA_FLOAT16_FN float to_float() const noexcept {
    const TESSERA_FLOAT16_STD::uint32_t sign = static_cast<TESSERA_FLOAT16_STD::uint32_t>(bits_ & 0x8000u) << 16;
    const TESSERA_FLOAT16_STD::uint32_t exponent = (bits_ >> 10) & 0x1fu;
    const TESSERA_FLOAT16_STD::uint32_t mantissa = bits_ & 0x3ffu;
    if (exponent == 0x1f) {  // infinity or NaN, payload kept
      return TESSERA_FLOAT16_STD::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    }
    if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in float
      const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
      return sign ? -magnitude : magnitude;
    }
    return TESSERA_FLOAT16_STD::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  }

  template <class A>
    requires TESSERA_FLOAT16_STD::is_arithmetic_v<A>
  TESSERA_FLOAT16_FN explicit operator A() const noexcept {
    return static_cast<A>(to_float());
  }

  TESSERA_FLOAT16_FN float16 operator-() const noexcept { return from_bits(bits_ ^ 0x8000u); }
  TESSERA_FLOAT16_FN float16 operator+() const noexcept { return *this; }

  TESSERA_FLOAT16_FN friend float16 operator+(float16 a, float16 b) noexcept { return a.to_float() + b.to_float(); }
  TESSERA_FLOAT16_FN friend float16 operator-(float16 a, float16 b) noexcept { return a.to_float() - b.to_float(); }
  TESSERA_FLOAT16_FN friend float16 operator*(float16 a, float16 b) noexcept { return a.to_float() * b.to_float(); }
  TESSERA_FLOAT16_FN friend float16 operator/(float16 a, float16 b) noexcept { return a.to_float() / b.to_float(); }
  TESSERA_FLOAT16_FN float16& operator+=(float16 o) noexcept { return *this = *this + o; }
  TESSERA_FLOAT16_FN float16& operator-=(float16 o) noexcept { return *this = *this - o; }
  TESSERA_FLOAT16_FN float16& operator*=(float16 o) noexcept { return *this = *this * o; }
  TESSERA_FLOAT16_FN float16& operator/=(float16 o) noexcept { return *this = *this / o; }

  TESSERA_FLOAT16_FN friend bool operator==(float16 a, float16 b) noexcept { return a.to_float() == b.to_float(); }
  TESSERA_FLOAT16_FN friend bool operator!=(float16 a, float16 b) noexcept { return a.to_float() != b.to_float(); }
  TESSERA_FLOAT16_FN friend bool operator<(float16 a, float16 b) noexcept { return a.to_float() < b.to_float(); }
  TESSERA_FLOAT16_FN friend bool operator<=(float16 a, float16 b) noexcept { return a.to_float() <= b.to_float(); }
  TESSERA_FLOAT16_FN friend bool operator>(float16 a, float16 b) noexcept { return a.to_float() > b.to_float(); }
  TESSERA_FLOAT16_FN friend bool operator>=(float16 a, float16 b) noexcept { return a.to_float() >= b.to_float(); }

 private:
  /// The nearest half to `value` (ties to even), from its binary64 fields.
  TESSERA_FLOAT16_FN static TESSERA_FLOAT16_STD::uint16_t round_from(double value) noexcept {
    using u64 = TESSERA_FLOAT16_STD::uint64_t;
    const u64 bits = TESSERA_FLOAT16_STD::bit_cast<u64>(value);
    const auto sign = static_cast<TESSERA_FLOAT16_STD::uint16_t>((bits >> 48) & 0x8000u);
    const int exponent = static_cast<int>((bits >> 52) & 0x7ffu) - 1023;
    const u64 mantissa = bits & ((u64{1} << 52) - 1);
    if (exponent == 1024) {  // infinity, or NaN (quiet, with the payload's top bits)
      if (mantissa == 0) return sign | 0x7c00u;
      return static_cast<TESSERA_FLOAT16_STD::uint16_t>(sign | 0x7e00u | (mantissa >> 42));
    }
    if (exponent > 15) return sign | 0x7c00u;
    if (exponent < -25) return sign;  // below half the smallest subnormal (double subnormals too)
    // Normal halves keep 10 fraction bits; subnormals count in units of 2^-24 and keep
    // fewer. Either way, `shift` low bits of the significand are rounded away, and a carry
    // out of the fraction lands in the exponent field, up to infinity, as it should.
    const bool normal = exponent >= -14;
    const u64 significand = normal ? mantissa : (mantissa | (u64{1} << 52));
    const int shift = normal ? 42 : 28 - exponent;
    u64 kept = significand >> shift;
    const u64 rest = significand & ((u64{1} << shift) - 1);
    const u64 half_unit = u64{1} << (shift - 1);
    if (rest > half_unit || (rest == half_unit && (kept & 1u))) ++kept;
    const u64 biased = normal ? static_cast<u64>(exponent + 15) << 10 : 0;
    return static_cast<TESSERA_FLOAT16_STD::uint16_t>(sign | (biased + kept));
  }

  /// round_from for a float, which every operation's result is: 32-bit integer steps
  /// and one float addition, few branches (the kernels' inner loops call it per element).
  TESSERA_FLOAT16_FN static TESSERA_FLOAT16_STD::uint16_t round_from_float(float value) noexcept {
    using u32 = TESSERA_FLOAT16_STD::uint32_t;
    const u32 bits = TESSERA_FLOAT16_STD::bit_cast<u32>(value);
    const auto sign = static_cast<TESSERA_FLOAT16_STD::uint16_t>((bits >> 16) & 0x8000u);
    const u32 magnitude = bits & 0x7fffffffu;
    u32 half;
    if (magnitude >= 0x47800000u) {  // |value| >= 2^16, infinity or NaN (quiet, payload's top bits)
      half = magnitude > 0x7f800000u ? 0x7e00u | ((magnitude >> 13) & 0x3ffu) : 0x7c00u;
    } else if (magnitude < 0x38800000u) {  // below 2^-14: a subnormal half, or zero
      // In [0.5, 1) floats step by 2^-24, half's subnormal unit: adding 0.5 rounds the
      // value to that unit (to nearest, ties to even), and the sum's low bits count it.
      const float shifted = TESSERA_FLOAT16_STD::bit_cast<float>(magnitude) + 0.5f;
      half = TESSERA_FLOAT16_STD::bit_cast<u32>(shifted) - 0x3f000000u;
    } else {
      // Rebias the exponent (127 to 15) and round the 13 dropped fraction bits to nearest,
      // ties to the even kept bit; a carry runs into the exponent, up to infinity.
      const u32 odd = (magnitude >> 13) & 1u;
      half = (magnitude - (112u << 23) + 0xfffu + odd) >> 13;
    }
    return static_cast<TESSERA_FLOAT16_STD::uint16_t>(sign | half);
  }

  TESSERA_FLOAT16_STD::uint16_t bits_;
};

static_assert(sizeof(float16) == 2 && TESSERA_FLOAT16_STD::is_trivially_copyable_v<float16>);

}  // namespace tessera

/// Limits as for float: the generic code of the kernels asks port::numeric_limits.
template <>
struct TESSERA_FLOAT16_LIMITS_STD::numeric_limits<tessera::float16> {
  using H = tessera::float16;
  static constexpr bool is_specialized = true;
  static constexpr bool is_signed = true;
  static constexpr bool is_integer = false;
  static constexpr bool is_exact = false;
  static constexpr bool has_infinity = true;
  static constexpr bool has_quiet_NaN = true;
  static constexpr bool has_signaling_NaN = true;
  static constexpr bool is_iec559 = true;
  static constexpr bool is_bounded = true;
  static constexpr bool is_modulo = false;
  static constexpr int digits = 11;
  static constexpr int digits10 = 3;
  static constexpr int max_digits10 = 5;
  static constexpr int radix = 2;
  static constexpr int min_exponent = -13;
  static constexpr int min_exponent10 = -4;
  static constexpr int max_exponent = 16;
  static constexpr int max_exponent10 = 4;
  TESSERA_FLOAT16_FN static H min() noexcept { return H::from_bits(0x0400u); }
  TESSERA_FLOAT16_FN static H max() noexcept { return H::from_bits(0x7bffu); }
  TESSERA_FLOAT16_FN static H lowest() noexcept { return H::from_bits(0xfbffu); }
  TESSERA_FLOAT16_FN static H epsilon() noexcept { return H::from_bits(0x1400u); }
  TESSERA_FLOAT16_FN static H round_error() noexcept { return H::from_bits(0x3800u); }
  TESSERA_FLOAT16_FN static H infinity() noexcept { return H::from_bits(0x7c00u); }
  TESSERA_FLOAT16_FN static H quiet_NaN() noexcept { return H::from_bits(0x7e00u); }
  TESSERA_FLOAT16_FN static H signaling_NaN() noexcept { return H::from_bits(0x7d00u); }
  TESSERA_FLOAT16_FN static H denorm_min() noexcept { return H::from_bits(0x0001u); }
};

#undef TESSERA_FLOAT16_FN
#undef TESSERA_FLOAT16_STD
#undef TESSERA_FLOAT16_LIMITS_STD
