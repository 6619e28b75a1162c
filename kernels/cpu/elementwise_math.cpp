// CPU elementwise floating-point math: exponentials and logarithms, roots, trigonometric
// and hyperbolic functions (real and complex), the real-only binary functions (atan2,
// hypot, copysign, logaddexp), rounding, classification (signbit, isnan, isinf,
// isfinite) and the complex parts (real, imag, conj).
//
// Transcendental functions are not registered for integers: the array layer casts them to
// floating_dtype() first, as NumPy does. The rounding functions and conj are the identity
// on integers, as the array API specifies.
#include <cmath>
#include <complex>
#include <numbers>

#include "elementwise_loops.hpp"

namespace tessera::kernels::elementwise_detail {
namespace {

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
  static constexpr std::string_view name = "exp";
  template <class T>
  static T apply(T x) {
    return std::exp(x);
  }
};

struct Expm1 : RealOrComplexUnary {
  static constexpr std::string_view name = "expm1";
  template <class T>
  static T apply(T x) {
    if constexpr (is_complex_v<T>) {
      // NumPy's formula: accurate for small |z| where exp(z) - 1 would cancel.
      using R = real_t<T>;
      const R half_sin = std::sin(x.imag() / 2);
      return {std::expm1(x.real()) * std::cos(x.imag()) - 2 * half_sin * half_sin,
              std::exp(x.real()) * std::sin(x.imag())};
    } else {
      return std::expm1(x);
    }
  }
};

struct Log : RealOrComplexUnary {
  static constexpr std::string_view name = "log";
  template <class T>
  static T apply(T x) {
    return std::log(x);
  }
};

struct Log1p : RealOrComplexUnary {
  static constexpr std::string_view name = "log1p";
  template <class T>
  static T apply(T x) {
    if constexpr (is_complex_v<T>) {
      // log|1 + z| + i arg(1 + z). NumPy takes log(hypot(1 + x, y)), which loses the
      // digits of a small z; near 0 we use log1p(|1 + z|^2 - 1) / 2 with
      // |1 + z|^2 - 1 = x (2 + x) + y^2 instead. Non-finite z takes NumPy's path.
      using R = real_t<T>;
      const R x_re = x.real(), x_im = x.imag();
      const R real_part = (std::fabs(x_re) < R{0.5} && std::fabs(x_im) < R{0.5})
                              ? std::log1p(x_re * (2 + x_re) + x_im * x_im) / 2
                              : std::log(std::hypot(x_re + 1, x_im));
      return {real_part, std::atan2(x_im, x_re + 1)};
    } else {
      return std::log1p(x);
    }
  }
};

struct Log2 : RealOrComplexUnary {
  static constexpr std::string_view name = "log2";
  template <class T>
  static T apply(T x) {
    if constexpr (is_complex_v<T>)
      return std::log(x) * std::numbers::log2e_v<real_t<T>>;
    else
      return std::log2(x);
  }
};

struct Log10 : RealOrComplexUnary {
  static constexpr std::string_view name = "log10";
  template <class T>
  static T apply(T x) {
    if constexpr (is_complex_v<T>)
      return std::log(x) * std::numbers::log10e_v<real_t<T>>;
    else
      return std::log10(x);
  }
};

struct Sqrt : RealOrComplexUnary {
  static constexpr std::string_view name = "sqrt";
  template <class T>
  static T apply(T x) {
    return std::sqrt(x);
  }
};

// ---- trigonometric and hyperbolic --------------------------------------------------------

struct Sin : RealOrComplexUnary {
  static constexpr std::string_view name = "sin";
  template <class T>
  static T apply(T x) {
    return std::sin(x);
  }
};
struct Cos : RealOrComplexUnary {
  static constexpr std::string_view name = "cos";
  template <class T>
  static T apply(T x) {
    return std::cos(x);
  }
};
struct Tan : RealOrComplexUnary {
  static constexpr std::string_view name = "tan";
  template <class T>
  static T apply(T x) {
    return std::tan(x);
  }
};
struct Asin : RealOrComplexUnary {
  static constexpr std::string_view name = "asin";
  template <class T>
  static T apply(T x) {
    return std::asin(x);
  }
};
struct Acos : RealOrComplexUnary {
  static constexpr std::string_view name = "acos";
  template <class T>
  static T apply(T x) {
    return std::acos(x);
  }
};
struct Atan : RealOrComplexUnary {
  static constexpr std::string_view name = "atan";
  template <class T>
  static T apply(T x) {
    return std::atan(x);
  }
};
struct Sinh : RealOrComplexUnary {
  static constexpr std::string_view name = "sinh";
  template <class T>
  static T apply(T x) {
    return std::sinh(x);
  }
};
struct Cosh : RealOrComplexUnary {
  static constexpr std::string_view name = "cosh";
  template <class T>
  static T apply(T x) {
    return std::cosh(x);
  }
};
struct Tanh : RealOrComplexUnary {
  static constexpr std::string_view name = "tanh";
  template <class T>
  static T apply(T x) {
    return std::tanh(x);
  }
};
struct Asinh : RealOrComplexUnary {
  static constexpr std::string_view name = "asinh";
  template <class T>
  static T apply(T x) {
    return std::asinh(x);
  }
};
struct Acosh : RealOrComplexUnary {
  static constexpr std::string_view name = "acosh";
  template <class T>
  static T apply(T x) {
    return std::acosh(x);
  }
};
struct Atanh : RealOrComplexUnary {
  static constexpr std::string_view name = "atanh";
  template <class T>
  static T apply(T x) {
    return std::atanh(x);
  }
};

// ---- real binary functions ---------------------------------------------------------------

struct Atan2 : RealBinary {
  static constexpr std::string_view name = "atan2";
  template <class T>
  static T apply(T y, T x) {
    return std::atan2(y, x);
  }
};
struct Hypot : RealBinary {
  static constexpr std::string_view name = "hypot";
  template <class T>
  static T apply(T a, T b) {
    return std::hypot(a, b);
  }
};
struct Copysign : RealBinary {
  static constexpr std::string_view name = "copysign";
  template <class T>
  static T apply(T a, T b) {
    return std::copysign(a, b);
  }
};

struct Logaddexp : RealBinary {
  static constexpr std::string_view name = "logaddexp";
  template <class T>
  static T apply(T a, T b) {
    // NumPy's npy_logaddexp: equal arguments (infinities of one sign included) directly,
    // else the larger plus log1p(exp(-difference)); a NaN difference is returned.
    if (a == b) return a + std::numbers::ln2_v<T>;
    const T difference = a - b;
    if (difference > 0) return a + std::log1p(std::exp(-difference));
    if (difference <= 0) return b + std::log1p(std::exp(difference));
    return difference;
  }
};

// ---- rounding ------------------------------------------------------------------------------

struct Ceil : Unary {
  static constexpr std::string_view name = "ceil";
  template <class T>
  static constexpr bool supports = is_real_numeric_v<T>;
  template <class T>
  static T apply(T x) {
    if constexpr (is_int_v<T>)
      return x;
    else
      return std::ceil(x);
  }
};

struct Floor : Unary {
  static constexpr std::string_view name = "floor";
  template <class T>
  static constexpr bool supports = is_real_numeric_v<T>;
  template <class T>
  static T apply(T x) {
    if constexpr (is_int_v<T>)
      return x;
    else
      return std::floor(x);
  }
};

struct Trunc : Unary {
  static constexpr std::string_view name = "trunc";
  template <class T>
  static constexpr bool supports = is_real_numeric_v<T>;
  template <class T>
  static T apply(T x) {
    if constexpr (is_int_v<T>)
      return x;
    else
      return std::trunc(x);
  }
};

struct Round : Unary {
  static constexpr std::string_view name = "round";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static T apply(T x) {
    // nearbyint rounds half to even in the default rounding mode, which tessera never changes.
    if constexpr (is_int_v<T>)
      return x;
    else if constexpr (is_complex_v<T>)
      return {std::nearbyint(x.real()), std::nearbyint(x.imag())};
    else
      return std::nearbyint(x);
  }
};

// ---- classification ------------------------------------------------------------------------

struct Signbit : Unary {
  static constexpr std::string_view name = "signbit";
  template <class T>
  static constexpr bool supports = is_real_float_v<T>;
  template <class T>
  static bool apply(T x) {
    return std::signbit(x);
  }
};

struct Isnan : Unary {
  static constexpr std::string_view name = "isnan";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static bool apply(T x) {
    if constexpr (is_complex_v<T>)
      return std::isnan(x.real()) || std::isnan(x.imag());
    else if constexpr (is_real_float_v<T>)
      return std::isnan(x);
    else
      return false;
  }
};

struct Isinf : Unary {
  static constexpr std::string_view name = "isinf";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static bool apply(T x) {
    if constexpr (is_complex_v<T>)
      return std::isinf(x.real()) || std::isinf(x.imag());
    else if constexpr (is_real_float_v<T>)
      return std::isinf(x);
    else
      return false;
  }
};

struct Isfinite : Unary {
  static constexpr std::string_view name = "isfinite";
  template <class T>
  static constexpr bool supports = is_numeric_v<T>;
  template <class T>
  static bool apply(T x) {
    if constexpr (is_complex_v<T>)
      return std::isfinite(x.real()) && std::isfinite(x.imag());
    else if constexpr (is_real_float_v<T>)
      return std::isfinite(x);
    else
      return true;
  }
};

// ---- complex parts -------------------------------------------------------------------------

struct Real : Unary {
  static constexpr std::string_view name = "real";
  template <class T>
  static constexpr bool supports = is_complex_v<T>;
  template <class T>
  static real_t<T> apply(T x) {
    return x.real();
  }
};

struct Imag : Unary {
  static constexpr std::string_view name = "imag";
  template <class T>
  static constexpr bool supports = is_complex_v<T>;
  template <class T>
  static real_t<T> apply(T x) {
    return x.imag();
  }
};

struct Conj : Unary {
  static constexpr std::string_view name = "conj";
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

}  // namespace

void register_math(KernelRegistry& registry) {
  register_ops<Exp, Expm1, Log, Log1p, Log2, Log10, Sqrt>(registry);
  register_ops<Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh>(registry);
  register_ops<Atan2, Hypot, Copysign, Logaddexp>(registry);
  register_ops<Ceil, Floor, Trunc, Round>(registry);
  register_ops<Signbit, Isnan, Isinf, Isfinite, Real, Imag, Conj>(registry);
}

}  // namespace tessera::kernels::elementwise_detail
