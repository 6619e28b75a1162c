// Floating-point math on one element: exponentials and logarithms, roots, trigonometric
// and hyperbolic functions (real and complex), the real-only binary functions (atan2,
// hypot, copysign, logaddexp), rounding, classification (signbit, isnan, isinf,
// isfinite) and the complex parts (real, imag, conj).
//
// Transcendental functions are not defined for integers: the array layer casts them to
// floating_dtype() first, as NumPy does. The rounding functions and conj are the identity
// on integers, as the array API specifies. Portable (portable.hpp): CPU and CUDA kernels
// share it (the CPU replaces the real float ones by vectorized SLEEF loops where it can).
#pragma once

#include "tessera/kernels/ops/traits.hpp"

namespace tessera::kernels::ops {

/// Bases by domain.
struct RealOrComplexUnary : Unary {
  template <class T>
  static constexpr bool supports = is_floating_v<T>;
};
struct RealBinary : Binary {
  template <class T>
  static constexpr bool supports = is_real_float_v<T>;
};

// ---- exponentials and logarithms -------------------------------------------------------

struct Exp : RealOrComplexUnary {
  static constexpr const char* name = "exp";
  template <class T>
  static T apply(T x) {
    return port::exp(x);
  }
};

struct Expm1 : RealOrComplexUnary {
  static constexpr const char* name = "expm1";
  template <class T>
  static T apply(T x) {
    if constexpr (is_complex_v<T>) {
      // NumPy's formula: accurate for small |z| where exp(z) - 1 would cancel.
      using R = real_t<T>;
      const R half_sin = port::sin(x.imag() / 2);
      return {port::expm1(x.real()) * port::cos(x.imag()) - 2 * half_sin * half_sin,
              port::exp(x.real()) * port::sin(x.imag())};
    } else {
      return port::expm1(x);
    }
  }
};

struct Log : RealOrComplexUnary {
  static constexpr const char* name = "log";
  template <class T>
  static T apply(T x) {
    return port::log(x);
  }
};

struct Log1p : RealOrComplexUnary {
  static constexpr const char* name = "log1p";
  template <class T>
  static T apply(T x) {
    if constexpr (is_complex_v<T>) {
      // log|1 + z| + i arg(1 + z). NumPy takes log(hypot(1 + x, y)), which loses the
      // digits of a small z; near 0 we use log1p(|1 + z|^2 - 1) / 2 with
      // |1 + z|^2 - 1 = x (2 + x) + y^2 instead. Non-finite z takes NumPy's path.
      using R = real_t<T>;
      const R x_re = x.real(), x_im = x.imag();
      const R real_part = (port::fabs(x_re) < R{0.5} && port::fabs(x_im) < R{0.5})
                              ? port::log1p(x_re * (2 + x_re) + x_im * x_im) / 2
                              : port::log(port::hypot(x_re + 1, x_im));
      return {real_part, port::atan2(x_im, x_re + 1)};
    } else {
      return port::log1p(x);
    }
  }
};

struct Log2 : RealOrComplexUnary {
  static constexpr const char* name = "log2";
  template <class T>
  static T apply(T x) {
    if constexpr (is_complex_v<T>)
      return port::log(x) * port::kLog2e<real_t<T>>;
    else
      return port::log2(x);
  }
};

struct Log10 : RealOrComplexUnary {
  static constexpr const char* name = "log10";
  template <class T>
  static T apply(T x) {
    if constexpr (is_complex_v<T>)
      return port::log(x) * port::kLog10e<real_t<T>>;
    else
      return port::log10(x);
  }
};

struct Sqrt : RealOrComplexUnary {
  static constexpr const char* name = "sqrt";
  template <class T>
  static T apply(T x) {
    return port::sqrt(x);
  }
};

// ---- trigonometric and hyperbolic --------------------------------------------------------

struct Sin : RealOrComplexUnary {
  static constexpr const char* name = "sin";
  template <class T>
  static T apply(T x) {
    return port::sin(x);
  }
};
struct Cos : RealOrComplexUnary {
  static constexpr const char* name = "cos";
  template <class T>
  static T apply(T x) {
    return port::cos(x);
  }
};
struct Tan : RealOrComplexUnary {
  static constexpr const char* name = "tan";
  template <class T>
  static T apply(T x) {
    return port::tan(x);
  }
};
struct Asin : RealOrComplexUnary {
  static constexpr const char* name = "asin";
  template <class T>
  static T apply(T x) {
    return port::asin(x);
  }
};
struct Acos : RealOrComplexUnary {
  static constexpr const char* name = "acos";
  template <class T>
  static T apply(T x) {
    return port::acos(x);
  }
};
struct Atan : RealOrComplexUnary {
  static constexpr const char* name = "atan";
  template <class T>
  static T apply(T x) {
    return port::atan(x);
  }
};
struct Sinh : RealOrComplexUnary {
  static constexpr const char* name = "sinh";
  template <class T>
  static T apply(T x) {
    return port::sinh(x);
  }
};
struct Cosh : RealOrComplexUnary {
  static constexpr const char* name = "cosh";
  template <class T>
  static T apply(T x) {
    return port::cosh(x);
  }
};
struct Tanh : RealOrComplexUnary {
  static constexpr const char* name = "tanh";
  template <class T>
  static T apply(T x) {
    return port::tanh(x);
  }
};
struct Asinh : RealOrComplexUnary {
  static constexpr const char* name = "asinh";
  template <class T>
  static T apply(T x) {
    return port::asinh(x);
  }
};
struct Acosh : RealOrComplexUnary {
  static constexpr const char* name = "acosh";
  template <class T>
  static T apply(T x) {
    return port::acosh(x);
  }
};
struct Atanh : RealOrComplexUnary {
  static constexpr const char* name = "atanh";
  template <class T>
  static T apply(T x) {
    return port::atanh(x);
  }
};

// ---- real binary functions ---------------------------------------------------------------

struct Atan2 : RealBinary {
  static constexpr const char* name = "atan2";
  template <class T>
  static T apply(T y, T x) {
    return port::atan2(y, x);
  }
};
struct Hypot : RealBinary {
  static constexpr const char* name = "hypot";
  template <class T>
  static T apply(T a, T b) {
    return port::hypot(a, b);
  }
};
struct Copysign : RealBinary {
  static constexpr const char* name = "copysign";
  template <class T>
  static T apply(T a, T b) {
    return port::copysign(a, b);
  }
};

struct Logaddexp : RealBinary {
  static constexpr const char* name = "logaddexp";
  template <class T>
  static T apply(T a, T b) {
    // NumPy's npy_logaddexp: equal arguments (infinities of one sign included) directly,
    // else the larger plus log1p(exp(-difference)); a NaN difference is returned.
    if (a == b) return a + port::kLn2<T>;
    const T difference = a - b;
    if (difference > 0) return a + port::log1p(port::exp(-difference));
    if (difference <= 0) return b + port::log1p(port::exp(difference));
    return difference;
  }
};

// ---- rounding ------------------------------------------------------------------------------

struct Ceil : Unary {
  static constexpr const char* name = "ceil";
  template <class T>
  static constexpr bool supports = is_real_numeric_v<T>;
  template <class T>
  static T apply(T x) {
    if constexpr (is_int_v<T>)
      return x;
    else
      return port::ceil(x);
  }
};

struct Floor : Unary {
  static constexpr const char* name = "floor";
  template <class T>
  static constexpr bool supports = is_real_numeric_v<T>;
  template <class T>
  static T apply(T x) {
    if constexpr (is_int_v<T>)
      return x;
    else
      return port::floor(x);
  }
};

struct Trunc : Unary {
  static constexpr const char* name = "trunc";
  template <class T>
  static constexpr bool supports = is_real_numeric_v<T>;
  template <class T>
  static T apply(T x) {
    if constexpr (is_int_v<T>)
      return x;
    else
      return port::trunc(x);
  }
};

struct Round : Unary {
  static constexpr const char* name = "round";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static T apply(T x) {
    // nearbyint rounds half to even in the default rounding mode, which tessera never changes.
    if constexpr (is_int_v<T>)
      return x;
    else if constexpr (is_complex_v<T>)
      return {port::nearbyint(x.real()), port::nearbyint(x.imag())};
    else
      return port::nearbyint(x);
  }
};

// ---- classification ------------------------------------------------------------------------
// These read a 16-bit float's class from its bits (kOnNarrowBits): exact, cheaper than
// widening it first, and clear of a GCC 12 ICE that vectorizing the widening meets.

struct Signbit : Unary {
  static constexpr const char* name = "signbit";
  static constexpr bool kOnNarrowBits = true;
  template <class T>
  static constexpr bool supports = is_real_float_v<T>;
  template <class T>
  static bool apply(T x) {
    return port::signbit(x);
  }
};

struct Isnan : Unary {
  static constexpr const char* name = "isnan";
  static constexpr bool kOnNarrowBits = true;
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static bool apply(T x) {
    if constexpr (is_complex_v<T>)
      return port::isnan(x.real()) || port::isnan(x.imag());
    else if constexpr (is_real_float_v<T>)
      return port::isnan(x);
    else
      return false;
  }
};

struct Isinf : Unary {
  static constexpr const char* name = "isinf";
  static constexpr bool kOnNarrowBits = true;
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static bool apply(T x) {
    if constexpr (is_complex_v<T>)
      return port::isinf(x.real()) || port::isinf(x.imag());
    else if constexpr (is_real_float_v<T>)
      return port::isinf(x);
    else
      return false;
  }
};

struct Isfinite : Unary {
  static constexpr const char* name = "isfinite";
  static constexpr bool kOnNarrowBits = true;
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static bool apply(T x) {
    if constexpr (is_complex_v<T>)
      return port::isfinite(x.real()) && port::isfinite(x.imag());
    else if constexpr (is_real_float_v<T>)
      return port::isfinite(x);
    else
      return true;
  }
};

// ---- complex parts -------------------------------------------------------------------------

struct Real : Unary {
  static constexpr const char* name = "real";
  template <class T>
  static constexpr bool supports = is_complex_v<T>;
  template <class T>
  static real_t<T> apply(T x) {
    return x.real();
  }
};

struct Imag : Unary {
  static constexpr const char* name = "imag";
  template <class T>
  static constexpr bool supports = is_complex_v<T>;
  template <class T>
  static real_t<T> apply(T x) {
    return x.imag();
  }
};

struct Conj : Unary {
  static constexpr const char* name = "conj";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static T apply(T x) {
    if constexpr (is_complex_v<T>)
      return {x.real(), -x.imag()};
    else
      return x;
  }
};

}  // namespace tessera::kernels::ops
