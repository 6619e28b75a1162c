// The value of a float16 bit pattern, decoded from its fields with ldexp: the reference
// that tests of tessera::float16's own decoding and rounding compare with.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace tessera::testing {

inline double decode_half(std::uint16_t bits) {
  const int exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  const double sign = (bits & 0x8000u) ? -1.0 : 1.0;
  if (exponent == 0x1f) return mantissa ? std::numeric_limits<double>::quiet_NaN() : sign * INFINITY;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

}  // namespace tessera::testing
