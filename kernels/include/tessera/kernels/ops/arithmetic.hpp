// Arithmetic on one element: add, subtract, multiply, divide, floor_divide, remainder,
// pow, negative, positive, abs, square, sign, maximum, minimum.
//
// Semantics are NumPy's: integers wrap on overflow (computed in unsigned arithmetic, so
// without undefined behaviour), integer division by zero gives 0, floor_divide and
// remainder follow Python (floor; remainder takes the sign of the divisor), and
// maximum/minimum propagate NaN. Portable (portable.hpp): CPU and CUDA kernels share it.
#pragma once

#include "tessera/kernels/ops/traits.hpp"

namespace tessera::kernels::ops {

struct Add : Binary {
  static constexpr const char* name = "add";
  template <class T>
  static constexpr bool supports = true;  // bool: logical or, as NumPy
  template <class T>
  static T apply(T a, T b) {
    if constexpr (is_bool_v<T>)
      return a || b;
    else if constexpr (is_int_v<T>)
      return wrap_add(a, b);
    else
      return a + b;
  }
};

struct Subtract : Binary {
  static constexpr const char* name = "subtract";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static T apply(T a, T b) {
    if constexpr (is_int_v<T>)
      return wrap_sub(a, b);
    else
      return a - b;
  }
};

struct Multiply : Binary {
  static constexpr const char* name = "multiply";
  template <class T>
  static constexpr bool supports = true;  // bool: logical and, as NumPy
  template <class T>
  static T apply(T a, T b) {
    if constexpr (is_bool_v<T>)
      return a && b;
    else if constexpr (is_int_v<T>)
      return wrap_mul(a, b);
    else if constexpr (is_complex_v<T>)
      return complex_mul(a, b);
    else
      return a * b;
  }
};

struct Divide : Binary {
  static constexpr const char* name = "divide";
  template <class T>
  static constexpr bool supports = is_floating_v<T>;
  template <class T>
  static T apply(T a, T b) {
    if constexpr (is_complex_v<T>)
      return complex_div(a, b);
    else
      return a / b;
  }
};

/// NumPy's npy_divmod for b != 0: the floored quotient, and in `mod` the remainder with
/// the sign of b. The quotient is computed from fmod so that it is exact where fmod is.
template <class R>
R floored_divmod(R a, R b, R& mod) {
  mod = port::fmod(a, b);
  R div = (a - mod) / b;
  if (mod != 0) {  // also NaN
    if (port::isless(b, R{0}) != port::isless(mod, R{0})) {
      mod += b;
      div -= R{1};
    }
  } else {
    mod = port::copysign(R{0}, b);
  }
  if (div == 0) return port::copysign(R{0}, a / b);
  R floor_div = port::floor(div);
  if (port::isgreater(div - floor_div, R{0.5})) floor_div += R{1};  // snap to the nearest integer
  return floor_div;
}

struct FloorDivide : Binary {
  static constexpr const char* name = "floor_divide";
  template <class T>
  static constexpr bool supports = is_real_numeric_v<T>;
  template <class T>
  static T apply(T a, T b) {
    if constexpr (is_real_float_v<T>) {
      if (b == 0) return a / b;  // ±inf or NaN
      T mod;
      return floored_divmod(a, b, mod);
    } else {
      if (b == 0) return T{0};
      if constexpr (port::is_signed_v<T>) {
        if (b == T{-1}) return wrap_neg(a);  // INT_MIN / -1 would trap; NumPy gives INT_MIN
        const T q = static_cast<T>(a / b);
        return static_cast<T>((a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q);
      } else {
        return static_cast<T>(a / b);
      }
    }
  }
};

struct Remainder : Binary {
  static constexpr const char* name = "remainder";
  template <class T>
  static constexpr bool supports = is_real_numeric_v<T>;
  template <class T>
  static T apply(T a, T b) {
    if constexpr (is_real_float_v<T>) {
      if (b == 0) return port::fmod(a, b);  // NaN
      T mod;
      floored_divmod(a, b, mod);
      return mod;
    } else {
      if (b == 0) return T{0};
      if constexpr (port::is_signed_v<T>) {
        if (b == T{-1}) return T{0};  // INT_MIN % -1 would trap
        const T r = static_cast<T>(a % b);
        // r and b have opposite signs here, so r + b cannot overflow.
        return static_cast<T>((r != 0 && ((r < 0) != (b < 0))) ? r + b : r);
      } else {
        return static_cast<T>(a % b);
      }
    }
  }
};

/// Integer power by squaring, wrapping like NumPy's.
template <class T>
T integer_pow(T base, T exponent) {
  if constexpr (port::is_signed_v<T>) {
    if (exponent < 0) {
      port::report(port::ErrorCode::negative_integer_power);
      return T{0};
    }
  }
  wide_unsigned_t<T> result = 1, square = to_unsigned(base), e = to_unsigned(exponent);
  while (e != 0) {
    if (e & 1u) result *= square;
    square *= square;
    e >>= 1;
  }
  return static_cast<T>(result);
}

/// NumPy's complex power: exact special cases for a zero exponent or base and repeated
/// multiplication for small integer exponents; the C library's cpow otherwise.
template <class R>
port::complex<R> complex_pow(port::complex<R> a, port::complex<R> b) {
  using C = port::complex<R>;
  const R br = b.real(), bi = b.imag();
  if (br == 0 && bi == 0) return C{1, 0};
  if (a.real() == 0 && a.imag() == 0) {
    if (br > 0 && bi == 0) return C{0, 0};
    return C{port::numeric_limits<R>::quiet_NaN(), port::numeric_limits<R>::quiet_NaN()};
  }
  if (bi == 0 && port::fabs(br) < R{100} && br == port::trunc(br)) {
    int n = static_cast<int>(br);  // |br| < 100: the conversion is exact and defined
    if (n == 1) return a;
    if (n == 2) return complex_mul(a, a);
    if (n == 3) return complex_mul(a, complex_mul(a, a));
    if (n < 0) n = -n;
    C result{1, 0}, square = a;
    for (int mask = 1;; mask <<= 1) {
      if (n & mask) result = complex_mul(result, square);
      if (n < (mask << 1)) break;
      square = complex_mul(square, square);
    }
    return br < 0 ? complex_div(C{1, 0}, result) : result;
  }
  return port::pow(a, b);
}

struct Pow : Binary {
  static constexpr const char* name = "pow";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static T apply(T a, T b) {
    if constexpr (is_int_v<T>)
      return integer_pow(a, b);
    else if constexpr (is_complex_v<T>)
      return complex_pow(a, b);
    else
      return port::pow(a, b);
  }
};

struct Negative : Unary {
  static constexpr const char* name = "negative";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static T apply(T a) {
    if constexpr (is_int_v<T>)
      return wrap_neg(a);
    else
      return -a;
  }
};

struct Positive : Unary {
  static constexpr const char* name = "positive";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static T apply(T a) {
    return a;
  }
};

struct Abs : Unary {
  static constexpr const char* name = "abs";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static real_t<T> apply(T a) {
    if constexpr (is_signed_int_v<T>)
      return a < 0 ? wrap_neg(a) : a;  // abs(INT_MIN) is INT_MIN
    else if constexpr (is_int_v<T>)
      return a;
    else if constexpr (is_complex_v<T>)
      return port::hypot(a.real(), a.imag());
    else
      return port::fabs(a);
  }
};

struct Square : Unary {
  static constexpr const char* name = "square";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static T apply(T a) {
    return Multiply::apply(a, a);
  }
};

/// z / |z| for complex z, 0 for 0, with NumPy's results for infinite parts. Unlike NumPy,
/// a finite z whose |z| overflows is scaled first instead of being taken as infinite.
template <class R>
port::complex<R> complex_sign(port::complex<R> z) {
  const R re = z.real(), im = z.imag();
  const R nan = port::numeric_limits<R>::quiet_NaN();
  if (port::isinf(re)) return port::isinf(im) ? port::complex<R>{nan, nan} : port::complex<R>{re > 0 ? R{1} : R{-1}, 0};
  if (port::isinf(im)) return {0, im > 0 ? R{1} : R{-1}};
  if (port::isnan(re) || port::isnan(im)) return {nan, nan};
  R magnitude = port::hypot(re, im);
  if (magnitude == 0) return {0, 0};
  if (port::isinf(magnitude)) {
    const R scale = port::fmax(port::fabs(re), port::fabs(im));
    magnitude = port::hypot(re / scale, im / scale);
    return {re / scale / magnitude, im / scale / magnitude};
  }
  return {re / magnitude, im / magnitude};
}

struct Sign : Unary {
  static constexpr const char* name = "sign";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static T apply(T a) {
    if constexpr (is_complex_v<T>)
      return complex_sign(a);
    else if constexpr (is_real_float_v<T>)
      return a > 0 ? T{1} : (a < 0 ? T{-1} : (a == 0 ? T{0} : a));  // NaN stays
    else if constexpr (port::is_signed_v<T>)
      return static_cast<T>((a > T{0}) - (a < T{0}));
    else
      return static_cast<T>(a > T{0});
  }
};

struct Maximum : Binary {
  static constexpr const char* name = "maximum";
  template <class T>
  static constexpr bool supports = true;  // bool: logical or, as NumPy
  template <class T>
  static T apply(T a, T b) {
    if constexpr (is_bool_v<T>)
      return a || b;
    else if constexpr (is_complex_v<T>) {
      return (port::isnan(a.real()) || port::isnan(a.imag()) || complex_less_equal(b, a)) ? a : b;
    } else if constexpr (is_real_float_v<T>)
      return (a >= b || port::isnan(a)) ? a : b;
    else
      return a >= b ? a : b;
  }
};

struct Minimum : Binary {
  static constexpr const char* name = "minimum";
  template <class T>
  static constexpr bool supports = true;  // bool: logical and, as NumPy
  template <class T>
  static T apply(T a, T b) {
    if constexpr (is_bool_v<T>)
      return a && b;
    else if constexpr (is_complex_v<T>) {
      return (port::isnan(a.real()) || port::isnan(a.imag()) || complex_less_equal(a, b)) ? a : b;
    } else if constexpr (is_real_float_v<T>)
      return (a <= b || port::isnan(a)) ? a : b;
    else
      return a <= b ? a : b;
  }
};

}  // namespace tessera::kernels::ops
