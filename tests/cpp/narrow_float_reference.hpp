// The value of a 16-bit float's bit pattern (float16 or bfloat16), decoded from its fields
// with ldexp: the reference that tests of tessera::narrow_float's own decoding and
// rounding compare with.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace tessera::testing {

template <int ExponentBits, int FractionBits>
double decode_narrow(std::uint16_t bits) {
  const int top = (1 << ExponentBits) - 1, bias = (1 << (ExponentBits - 1)) - 1;
  const int exponent = (bits >> FractionBits) & top, fraction = bits & ((1 << FractionBits) - 1);
  const double sign = (bits & 0x8000u) ? -1.0 : 1.0;
  if (exponent == top) return fraction ? std::numeric_limits<double>::quiet_NaN() : sign * INFINITY;
  if (exponent == 0) return sign * std::ldexp(fraction, 1 - bias - FractionBits);
  return sign * std::ldexp((1 << FractionBits) + fraction, exponent - bias - FractionBits);
}

inline double decode_half(std::uint16_t bits) { return decode_narrow<5, 10>(bits); }
inline double decode_bfloat16(std::uint16_t bits) { return decode_narrow<8, 7>(bits); }

}  // namespace tessera::testing
