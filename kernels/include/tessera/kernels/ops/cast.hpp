// Casts of one element between every pair of dtypes (astype), with NumPy's semantics
// where NumPy defines them:
//   - anything to bool is `value != 0` (a complex value is nonzero when either part is;
//     NaN is nonzero);
//   - integers to integers wrap modulo 2^bits; integers and bools to floats round to
//     nearest;
//   - complex to real keeps the real part (NumPy warns and does the same);
//   - real to complex sets the imaginary part to 0.
// Where NumPy inherits undefined behaviour from C, float (or complex) to integer of a
// value outside the integer's range, we define it: NaN gives 0 and values beyond the
// range saturate to the integer's minimum or maximum. In-range values truncate toward
// zero, as in NumPy. Portable (portable.hpp): CPU and CUDA kernels share it.
#pragma once

#include "tessera/kernels/ops/traits.hpp"

namespace tessera::kernels::ops {

/// A real floating value to an integer: truncation toward zero inside the range, NaN to
/// 0, saturation outside.
template <class To, class From>
To float_to_integer(From v) {
  using limits = port::numeric_limits<To>;
  // The range's ends as From, exactly: the minimum is 0 or -2^digits and one past the
  // maximum is 2^digits, powers of two that every float type represents.
  constexpr From kLowest = static_cast<From>(limits::min());
  constexpr From kPastMax = static_cast<From>(limits::max() / 2 + 1) * From{2};
  if (port::isnan(v)) return To{0};
  if (v <= kLowest) return limits::min();
  if (v >= kPastMax) return limits::max();
  return static_cast<To>(v);  // trunc(v) lies in [min, max] here, so the conversion is defined
}

/// One element of dtype From as dtype To: astype.
template <class To, class From>
To convert(From v) {
  if constexpr (port::is_same_v<To, From>) {
    return v;
  } else if constexpr (port::is_same_v<To, bool>) {
    if constexpr (is_complex_v<From>)
      return v.real() != 0 || v.imag() != 0;
    else
      return v != From{0};
  } else if constexpr (is_complex_v<To>) {
    if constexpr (is_complex_v<From>)
      return static_cast<To>(v);
    else
      return To{static_cast<typename To::value_type>(v), 0};
  } else if constexpr (is_complex_v<From>) {
    return convert<To>(v.real());
  } else if constexpr (port::is_narrow_float_v<To> && port::is_narrow_float_v<From>) {
    return To(static_cast<float>(v));  // exact in float, then rounded once
  } else if constexpr (port::is_integral_v<To> && port::is_narrow_float_v<From>) {
    return float_to_integer<To>(static_cast<float>(v));  // exact, and float's limits are constexpr
  } else if constexpr (port::is_integral_v<To> && is_real_float_v<From>) {
    return float_to_integer<To>(v);
  } else {
    return static_cast<To>(v);  // integer to integer wraps (C++20); to float rounds
  }
}

}  // namespace tessera::kernels::ops
