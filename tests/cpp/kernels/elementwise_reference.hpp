// Scalar references for the CPU elementwise kernels, used by elementwise_test.cpp.
//
// Each reference is a struct with the array API name of its operation, its arity, the
// dtypes it must be registered for (`expected<T>`) and its scalar result (`ref`), written
// independently of the kernels where that is practical (integer arithmetic in 128 bits,
// comparisons without NumPy's macros) and as NumPy's own formula where NumPy's result is
// defined by its formula (floored float division, complex division and power). Optional
// members: `tolerance`, in epsilons of the real type, for formulas that FMA contraction
// may evaluate differently, and `input(v, which)`, which keeps input `which` in a domain.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <string_view>
#include <type_traits>

namespace tessera::testing::elementwise_reference {

__extension__ using i128 = __int128;
__extension__ using u128 = unsigned __int128;

// ---- dtype categories ------------------------------------------------------------------

template <class T>
constexpr bool is_complex_v = false;
template <class R>
constexpr bool is_complex_v<std::complex<R>> = true;
template <class T>
constexpr bool is_bool_v = std::is_same_v<T, bool>;
template <class T>
constexpr bool is_int_v = std::is_integral_v<T> && !is_bool_v<T>;
template <class T>
constexpr bool is_real_float_v = std::is_floating_point_v<T>;
template <class T>
constexpr bool is_floating_v = is_real_float_v<T> || is_complex_v<T>;
template <class T>
constexpr bool is_numeric_v = !is_bool_v<T>;
template <class T>
constexpr bool is_real_numeric_v = is_int_v<T> || is_real_float_v<T>;
template <class T>
struct real_of {
  using type = T;
};
template <class R>
struct real_of<std::complex<R>> {
  using type = R;
};
template <class T>
using real_t = typename real_of<T>::type;

/// 128-bit arithmetic holds every exact result of two 64-bit operands (unsigned products
/// wrap modulo 2^128, which keeps their low 64 bits exact).
template <class T>
using wide_t = std::conditional_t<std::is_signed_v<T>, i128, u128>;
template <class T>
T wrap(wide_t<T> v) {
  return static_cast<T>(static_cast<std::uint64_t>(static_cast<u128>(v)));
}
template <class T>
wide_t<T> widen(T v) {
  return static_cast<wide_t<T>>(v);
}

template <class R>
bool has_nan(std::complex<R> z) {
  return std::isnan(z.real()) || std::isnan(z.imag());
}

// NumPy's complex product and quotient, as NumPy writes them.
template <class R>
std::complex<R> numpy_mul(std::complex<R> a, std::complex<R> b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}
template <class R>
std::complex<R> numpy_div(std::complex<R> a, std::complex<R> b) {
  const R ar = a.real(), ai = a.imag(), br = b.real(), bi = b.imag();
  if (std::fabs(br) >= std::fabs(bi)) {
    if (br == 0 && bi == 0) return {ar / std::fabs(br), ai / std::fabs(br)};
    const R rat = bi / br, scl = R{1} / (br + bi * rat);
    return {(ar + ai * rat) * scl, (ai - ar * rat) * scl};
  }
  const R rat = br / bi, scl = R{1} / (bi + br * rat);
  return {(ar * rat + ai) * scl, (ai * rat - ar) * scl};
}

// NumPy's npy_divmod for b != 0.
template <class R>
R numpy_divmod(R a, R b, R& mod) {
  mod = std::fmod(a, b);
  R div = (a - mod) / b;
  if (mod) {
    if (std::isless(b, R{0}) != std::isless(mod, R{0})) {
      mod += b;
      div -= 1;
    }
  } else {
    mod = std::copysign(R{0}, b);
  }
  R floordiv;
  if (div) {
    floordiv = std::floor(div);
    if (std::isgreater(div - floordiv, R{0.5})) floordiv += 1;
  } else {
    floordiv = std::copysign(R{0}, a / b);
  }
  return floordiv;
}

// ---- references --------------------------------------------------------------------------

struct Un {
  static constexpr std::size_t arity = 1;
};
struct Bin {
  static constexpr std::size_t arity = 2;
};

struct RefAdd : Bin {
  static constexpr std::string_view name = "add";
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static T ref(T a, T b) {
    if constexpr (is_bool_v<T>)
      return a || b;
    else if constexpr (is_int_v<T>)
      return wrap<T>(widen(a) + widen(b));
    else
      return a + b;
  }
};

struct RefSubtract : Bin {
  static constexpr std::string_view name = "subtract";
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static T ref(T a, T b) {
    if constexpr (is_int_v<T>)
      return wrap<T>(widen(a) - widen(b));
    else
      return a - b;
  }
};

struct RefMultiply : Bin {
  static constexpr std::string_view name = "multiply";
  static constexpr double tolerance = 8;
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static T ref(T a, T b) {
    if constexpr (is_bool_v<T>)
      return a && b;
    else if constexpr (is_int_v<T>)
      return wrap<T>(widen(a) * widen(b));
    else if constexpr (is_complex_v<T>)
      return numpy_mul(a, b);
    else
      return a * b;
  }
};

struct RefDivide : Bin {
  static constexpr std::string_view name = "divide";
  static constexpr double tolerance = 8;
  template <class T>
  static constexpr bool expected = is_floating_v<T>;
  template <class T>
  static T ref(T a, T b) {
    if constexpr (is_complex_v<T>)
      return numpy_div(a, b);
    else
      return a / b;
  }
};

struct RefFloorDivide : Bin {
  static constexpr std::string_view name = "floor_divide";
  template <class T>
  static constexpr bool expected = is_real_numeric_v<T>;
  template <class T>
  static T ref(T a, T b) {
    if constexpr (is_real_float_v<T>) {
      if (b == 0) return a / b;
      T mod;
      return numpy_divmod(a, b, mod);
    } else {
      if (b == 0) return 0;
      wide_t<T> q = widen(a) / widen(b);  // no overflow in 128 bits
      if (q * widen(b) != widen(a) && ((a < 0) != (b < 0))) q -= 1;
      return wrap<T>(q);
    }
  }
};

struct RefRemainder : Bin {
  static constexpr std::string_view name = "remainder";
  template <class T>
  static constexpr bool expected = is_real_numeric_v<T>;
  template <class T>
  static T ref(T a, T b) {
    if constexpr (is_real_float_v<T>) {
      if (b == 0) return std::fmod(a, b);
      T mod;
      numpy_divmod(a, b, mod);
      return mod;
    } else {
      if (b == 0) return 0;
      wide_t<T> r = widen(a) % widen(b);
      if (r != 0 && ((r < 0) != (b < 0))) r += widen(b);
      return wrap<T>(r);
    }
  }
};

struct RefPow : Bin {
  static constexpr std::string_view name = "pow";
  static constexpr double tolerance = 8;
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static T input(T v, std::size_t which) {
    if constexpr (std::is_signed_v<T> && is_int_v<T>) {
      if (which == 1 && v < 0) return static_cast<T>(~v);  // negative exponents throw; tested below
    }
    return v;
  }
  template <class T>
  static T ref(T a, T b) {
    if constexpr (is_int_v<T>) {
      u128 result = 1, base = static_cast<u128>(widen(a));
      for (auto e = static_cast<std::uint64_t>(b); e != 0; e >>= 1, base *= base) {
        if (e & 1) result *= base;
      }
      return wrap<T>(static_cast<wide_t<T>>(result));
    } else if constexpr (is_complex_v<T>) {
      using R = real_t<T>;
      const R nan = std::numeric_limits<R>::quiet_NaN();
      if (b == T{0}) return T{1};
      if (a == T{0}) return (b.real() > 0 && b.imag() == 0) ? T{0} : T{nan, nan};
      if (b.imag() == 0 && std::fabs(b.real()) < 100 && b.real() == std::trunc(b.real())) {
        T product{1, 0};  // repeated multiplication; the special inputs only reach |n| = 1
        for (int k = 0; k < static_cast<int>(std::fabs(b.real())); ++k) product = numpy_mul(product, a);
        if (b.real() == 1) return a;
        return b.real() < 0 ? numpy_div(T{1, 0}, product) : product;
      }
      return std::pow(a, b);
    } else {
      return std::pow(a, b);
    }
  }
};

struct RefNegative : Un {
  static constexpr std::string_view name = "negative";
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static T ref(T a) {
    if constexpr (is_int_v<T>)
      return wrap<T>(-widen(a));
    else if constexpr (is_complex_v<T>)
      return {-a.real(), -a.imag()};
    else
      return -a;
  }
};

struct RefPositive : Un {
  static constexpr std::string_view name = "positive";
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static T ref(T a) {
    return a;
  }
};

struct RefAbs : Un {
  static constexpr std::string_view name = "abs";
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static real_t<T> ref(T a) {
    if constexpr (is_int_v<T>)
      return wrap<T>(a < 0 ? -widen(a) : widen(a));
    else if constexpr (is_complex_v<T>)
      return std::hypot(a.real(), a.imag());
    else
      return std::fabs(a);
  }
};

struct RefSquare : Un {
  static constexpr std::string_view name = "square";
  static constexpr double tolerance = 8;
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static T ref(T a) {
    return RefMultiply::ref(a, a);
  }
};

struct RefSign : Un {
  static constexpr std::string_view name = "sign";
  static constexpr double tolerance = 8;
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static T ref(T a) {
    if constexpr (is_complex_v<T>) {  // NumPy 2; the inputs here never overflow |z|
      using R = real_t<T>;
      const R nan = std::numeric_limits<R>::quiet_NaN(), magnitude = std::hypot(a.real(), a.imag());
      if (std::isnan(magnitude)) return {nan, nan};
      if (std::isinf(magnitude)) {
        if (std::isinf(a.real())) return std::isinf(a.imag()) ? T{nan, nan} : T{a.real() > 0 ? R{1} : R{-1}, 0};
        return {0, a.imag() > 0 ? R{1} : R{-1}};
      }
      if (magnitude == 0) return {0, 0};
      return {a.real() / magnitude, a.imag() / magnitude};
    } else if constexpr (is_real_float_v<T>) {
      if (std::isnan(a)) return a;
      return a > 0 ? T{1} : a < 0 ? T{-1} : T{0};
    } else {
      return static_cast<T>(a > 0 ? 1 : (widen(a) < 0 ? -1 : 0));
    }
  }
};

template <class T>
bool lex_less(T a, T b) {
  return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
}

struct RefMaximum : Bin {
  static constexpr std::string_view name = "maximum";
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static T ref(T a, T b) {
    if constexpr (is_complex_v<T>) {
      if (has_nan(a)) return a;
      if (has_nan(b)) return b;
      return lex_less(a, b) ? b : a;
    } else if constexpr (is_real_float_v<T>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
      return a < b ? b : a;
    } else {
      return std::max(a, b);
    }
  }
};

struct RefMinimum : Bin {
  static constexpr std::string_view name = "minimum";
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static T ref(T a, T b) {
    if constexpr (is_complex_v<T>) {
      if (has_nan(a)) return a;
      if (has_nan(b)) return b;
      return lex_less(b, a) ? b : a;
    } else if constexpr (is_real_float_v<T>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
      return b < a ? b : a;
    } else {
      return std::min(a, b);
    }
  }
};

// Comparisons: complex ones are lexicographic, and false when a NaN is involved.
template <class T, class Cmp>
bool compare(T a, T b, Cmp cmp) {
  if constexpr (is_complex_v<T>) {
    if (has_nan(a) || has_nan(b)) return false;
    if (a.real() != b.real()) return cmp(a.real(), b.real());
    return cmp(a.imag(), b.imag());
  } else {
    return cmp(a, b);
  }
}

struct RefEqual : Bin {
  static constexpr std::string_view name = "equal";
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static bool ref(T a, T b) {
    return a == b;
  }
};
struct RefNotEqual : Bin {
  static constexpr std::string_view name = "not_equal";
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static bool ref(T a, T b) {
    return !(a == b);
  }
};
struct RefLess : Bin {
  static constexpr std::string_view name = "less";
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static bool ref(T a, T b) {
    return compare(a, b, std::less<>{});
  }
};
struct RefLessEqual : Bin {
  static constexpr std::string_view name = "less_equal";
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static bool ref(T a, T b) {
    return compare(a, b, std::less_equal<>{});
  }
};
struct RefGreater : Bin {
  static constexpr std::string_view name = "greater";
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static bool ref(T a, T b) {
    return compare(a, b, std::greater<>{});
  }
};
struct RefGreaterEqual : Bin {
  static constexpr std::string_view name = "greater_equal";
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static bool ref(T a, T b) {
    return compare(a, b, std::greater_equal<>{});
  }
};

struct RefLogicalAnd : Bin {
  static constexpr std::string_view name = "logical_and";
  template <class T>
  static constexpr bool expected = is_bool_v<T>;
  static bool ref(bool a, bool b) { return a && b; }
};
struct RefLogicalOr : Bin {
  static constexpr std::string_view name = "logical_or";
  template <class T>
  static constexpr bool expected = is_bool_v<T>;
  static bool ref(bool a, bool b) { return a || b; }
};
struct RefLogicalXor : Bin {
  static constexpr std::string_view name = "logical_xor";
  template <class T>
  static constexpr bool expected = is_bool_v<T>;
  static bool ref(bool a, bool b) { return a != b; }
};
struct RefLogicalNot : Un {
  static constexpr std::string_view name = "logical_not";
  template <class T>
  static constexpr bool expected = is_bool_v<T>;
  static bool ref(bool a) { return !a; }
};

template <class T>
constexpr bool is_bitwise_v = std::is_integral_v<T>;
template <class T>
std::uint64_t bits_of(T v) {
  return static_cast<std::uint64_t>(v);
}

struct RefBitwiseAnd : Bin {
  static constexpr std::string_view name = "bitwise_and";
  template <class T>
  static constexpr bool expected = is_bitwise_v<T>;
  template <class T>
  static T ref(T a, T b) {
    return static_cast<T>(bits_of(a) & bits_of(b));
  }
};
struct RefBitwiseOr : Bin {
  static constexpr std::string_view name = "bitwise_or";
  template <class T>
  static constexpr bool expected = is_bitwise_v<T>;
  template <class T>
  static T ref(T a, T b) {
    return static_cast<T>(bits_of(a) | bits_of(b));
  }
};
struct RefBitwiseXor : Bin {
  static constexpr std::string_view name = "bitwise_xor";
  template <class T>
  static constexpr bool expected = is_bitwise_v<T>;
  template <class T>
  static T ref(T a, T b) {
    return static_cast<T>(bits_of(a) ^ bits_of(b));
  }
};
struct RefBitwiseInvert : Un {
  static constexpr std::string_view name = "bitwise_invert";
  template <class T>
  static constexpr bool expected = is_bitwise_v<T>;
  template <class T>
  static T ref(T a) {
    if constexpr (is_bool_v<T>)
      return !a;
    else
      return static_cast<T>(~bits_of(a));
  }
};

// Shifts: a count outside [0, bits), negative included, shifts everything out.
template <class T>
bool count_in_range(T count) {
  return widen(count) >= 0 && widen(count) < widen(T(sizeof(T) * 8));
}

struct RefLeftShift : Bin {
  static constexpr std::string_view name = "bitwise_left_shift";
  template <class T>
  static constexpr bool expected = is_int_v<T>;
  template <class T>
  static T ref(T a, T b) {
    return count_in_range(b) ? wrap<T>(static_cast<wide_t<T>>(static_cast<u128>(widen(a)) << b)) : T{0};
  }
};
struct RefRightShift : Bin {
  static constexpr std::string_view name = "bitwise_right_shift";
  template <class T>
  static constexpr bool expected = is_int_v<T>;
  template <class T>
  static T ref(T a, T b) {
    if (count_in_range(b)) return wrap<T>(widen(a) >> b);
    return widen(a) < 0 ? T(-1) : T(0);
  }
};

// Floating math: the C++ library function, on real and (where defined) complex dtypes.
#define TESSERA_MATH_REF(Name, op, fn, domain)   \
  struct Name : Un {                             \
    static constexpr std::string_view name = op; \
    template <class T>                           \
    static constexpr bool expected = domain<T>;  \
    template <class T>                           \
    static T ref(T a) {                          \
      return fn(a);                              \
    }                                            \
  };

TESSERA_MATH_REF(RefExp, "exp", std::exp, is_floating_v)
TESSERA_MATH_REF(RefLog, "log", std::log, is_floating_v)
TESSERA_MATH_REF(RefSqrt, "sqrt", std::sqrt, is_floating_v)
TESSERA_MATH_REF(RefSin, "sin", std::sin, is_floating_v)
TESSERA_MATH_REF(RefCos, "cos", std::cos, is_floating_v)
TESSERA_MATH_REF(RefTan, "tan", std::tan, is_floating_v)
TESSERA_MATH_REF(RefAsin, "asin", std::asin, is_floating_v)
TESSERA_MATH_REF(RefAcos, "acos", std::acos, is_floating_v)
TESSERA_MATH_REF(RefAtan, "atan", std::atan, is_floating_v)
TESSERA_MATH_REF(RefSinh, "sinh", std::sinh, is_floating_v)
TESSERA_MATH_REF(RefCosh, "cosh", std::cosh, is_floating_v)
TESSERA_MATH_REF(RefTanh, "tanh", std::tanh, is_floating_v)
TESSERA_MATH_REF(RefAsinh, "asinh", std::asinh, is_floating_v)
TESSERA_MATH_REF(RefAcosh, "acosh", std::acosh, is_floating_v)
TESSERA_MATH_REF(RefAtanh, "atanh", std::atanh, is_floating_v)

struct RefExpm1 : Un {
  static constexpr std::string_view name = "expm1";
  static constexpr double tolerance = 8;
  template <class T>
  static constexpr bool expected = is_floating_v<T>;
  template <class T>
  static T ref(T a) {
    if constexpr (is_complex_v<T>) {  // NumPy's formula
      const auto s = std::sin(a.imag() / 2);
      return {std::expm1(a.real()) * std::cos(a.imag()) - 2 * s * s, std::exp(a.real()) * std::sin(a.imag())};
    } else {
      return std::expm1(a);
    }
  }
};

struct RefLog1p : Un {
  static constexpr std::string_view name = "log1p";
  static constexpr double tolerance = 8;
  template <class T>
  static constexpr bool expected = is_floating_v<T>;
  template <class T>
  static T ref(T a) {
    if constexpr (is_complex_v<T>) {
      // log|1 + z| + i arg(1 + z); near 0 from log1p(|1 + z|^2 - 1) / 2 for accuracy.
      const auto x = a.real(), y = a.imag();
      const bool small = std::fabs(x) < 0.5 && std::fabs(y) < 0.5;
      return {small ? std::log1p(x * (2 + x) + y * y) / 2 : std::log(std::hypot(x + 1, y)), std::atan2(y, x + 1)};
    } else {
      return std::log1p(a);
    }
  }
};

struct RefLog2 : Un {
  static constexpr std::string_view name = "log2";
  static constexpr double tolerance = 8;
  template <class T>
  static constexpr bool expected = is_floating_v<T>;
  template <class T>
  static T ref(T a) {
    if constexpr (is_complex_v<T>) {
      const auto l = std::log(a);
      return {l.real() / std::numbers::ln2_v<real_t<T>>, l.imag() / std::numbers::ln2_v<real_t<T>>};
    } else {
      return std::log2(a);
    }
  }
};

struct RefLog10 : Un {
  static constexpr std::string_view name = "log10";
  static constexpr double tolerance = 8;
  template <class T>
  static constexpr bool expected = is_floating_v<T>;
  template <class T>
  static T ref(T a) {
    if constexpr (is_complex_v<T>) {
      const auto l = std::log(a);
      return {l.real() / std::numbers::ln10_v<real_t<T>>, l.imag() / std::numbers::ln10_v<real_t<T>>};
    } else {
      return std::log10(a);
    }
  }
};

#define TESSERA_REAL_BINARY_REF(Name, op, fn)            \
  struct Name : Bin {                                    \
    static constexpr std::string_view name = op;         \
    template <class T>                                   \
    static constexpr bool expected = is_real_float_v<T>; \
    template <class T>                                   \
    static T ref(T a, T b) {                             \
      return fn(a, b);                                   \
    }                                                    \
  };

TESSERA_REAL_BINARY_REF(RefAtan2, "atan2", std::atan2)
TESSERA_REAL_BINARY_REF(RefHypot, "hypot", std::hypot)
TESSERA_REAL_BINARY_REF(RefCopysign, "copysign", std::copysign)

struct RefLogaddexp : Bin {
  static constexpr std::string_view name = "logaddexp";
  template <class T>
  static constexpr bool expected = is_real_float_v<T>;
  template <class T>
  static T ref(T a, T b) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    if (a == b) return a + std::numbers::ln2_v<T>;  // also ±inf with itself
    return std::max(a, b) + std::log1p(std::exp(-std::fabs(a - b)));
  }
};

#define TESSERA_ROUNDING_REF(Name, op, fn)                 \
  struct Name : Un {                                       \
    static constexpr std::string_view name = op;           \
    template <class T>                                     \
    static constexpr bool expected = is_real_numeric_v<T>; \
    template <class T>                                     \
    static T ref(T a) {                                    \
      if constexpr (is_int_v<T>)                           \
        return a;                                          \
      else                                                 \
        return fn(a);                                      \
    }                                                      \
  };

TESSERA_ROUNDING_REF(RefCeil, "ceil", std::ceil)
TESSERA_ROUNDING_REF(RefFloor, "floor", std::floor)
TESSERA_ROUNDING_REF(RefTrunc, "trunc", std::trunc)

template <class R>
R round_half_even(R x) {
  if (std::fabs(x - std::trunc(x)) == R{0.5}) return 2 * std::round(x / 2);
  return std::round(x);
}

struct RefRound : Un {
  static constexpr std::string_view name = "round";
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static T ref(T a) {
    if constexpr (is_int_v<T>)
      return a;
    else if constexpr (is_complex_v<T>)
      return {round_half_even(a.real()), round_half_even(a.imag())};
    else
      return round_half_even(a);
  }
};

struct RefSignbit : Un {
  static constexpr std::string_view name = "signbit";
  template <class T>
  static constexpr bool expected = is_real_float_v<T>;
  template <class T>
  static bool ref(T a) {
    return std::signbit(a);
  }
};

template <class T, class Pred>
bool classify(T a, Pred pred, bool any) {
  if constexpr (is_complex_v<T>)
    return any ? (pred(a.real()) || pred(a.imag())) : (pred(a.real()) && pred(a.imag()));
  else
    return pred(static_cast<double>(a));  // integers are finite, exactly or not
}

struct RefIsnan : Un {
  static constexpr std::string_view name = "isnan";
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static bool ref(T a) {
    return classify(
        a, [](auto v) { return std::isnan(v); }, true);
  }
};
struct RefIsinf : Un {
  static constexpr std::string_view name = "isinf";
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static bool ref(T a) {
    return classify(
        a, [](auto v) { return std::isinf(v); }, true);
  }
};
struct RefIsfinite : Un {
  static constexpr std::string_view name = "isfinite";
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static bool ref(T a) {
    return classify(
        a, [](auto v) { return std::isfinite(v); }, false);
  }
};

struct RefReal : Un {
  static constexpr std::string_view name = "real";
  template <class T>
  static constexpr bool expected = is_complex_v<T>;
  template <class T>
  static real_t<T> ref(T a) {
    return a.real();
  }
};
struct RefImag : Un {
  static constexpr std::string_view name = "imag";
  template <class T>
  static constexpr bool expected = is_complex_v<T>;
  template <class T>
  static real_t<T> ref(T a) {
    return a.imag();
  }
};
struct RefConj : Un {
  static constexpr std::string_view name = "conj";
  template <class T>
  static constexpr bool expected = is_numeric_v<T>;
  template <class T>
  static T ref(T a) {
    if constexpr (is_complex_v<T>)
      return {a.real(), -a.imag()};
    else
      return a;
  }
};

#undef TESSERA_REAL_BINARY_REF
#undef TESSERA_ROUNDING_REF
#undef TESSERA_MATH_REF

struct RefWhere {
  static constexpr std::string_view name = "where";
  static constexpr std::size_t arity = 3;
  template <class T>
  static constexpr bool expected = true;
  template <class T>
  static T ref(bool condition, T x, T y) {
    return condition ? x : y;
  }
};

template <class... Refs>
struct RefList {};
using ArithmeticRefs = RefList<RefAdd, RefSubtract, RefMultiply, RefDivide, RefFloorDivide, RefRemainder, RefPow,
                               RefNegative, RefPositive, RefAbs, RefSquare, RefSign, RefMaximum, RefMinimum>;
using LogicRefs = RefList<RefEqual, RefNotEqual, RefLess, RefLessEqual, RefGreater, RefGreaterEqual, RefLogicalAnd,
                          RefLogicalOr, RefLogicalXor, RefLogicalNot, RefBitwiseAnd, RefBitwiseOr, RefBitwiseXor,
                          RefBitwiseInvert, RefLeftShift, RefRightShift, RefWhere>;
using MathRefs = RefList<RefExp, RefExpm1, RefLog, RefLog1p, RefLog2, RefLog10, RefSqrt, RefSin, RefCos, RefTan,
                         RefAsin, RefAcos, RefAtan, RefSinh, RefCosh, RefTanh, RefAsinh, RefAcosh, RefAtanh, RefAtan2,
                         RefHypot, RefCopysign, RefLogaddexp, RefCeil, RefFloor, RefTrunc, RefRound, RefSignbit,
                         RefIsnan, RefIsinf, RefIsfinite, RefReal, RefImag, RefConj>;

}  // namespace tessera::testing::elementwise_reference
