// Tests of the CPU elementwise kernels (kernels/cpu/elementwise*.cpp).
//
// Every operation has a reference here: a scalar function written independently of the
// kernels where that is practical (integer arithmetic in 128 bits, comparisons without
// NumPy's macros), and NumPy's own formula where NumPy's result is defined by its
// formula (floored float division, complex division). Each reference also states the
// dtypes its operation must be registered for, so a missing or a stray kernel fails.
// Kernels run on seeded random inputs mixed with special values, on every pair of special
// values, in place, and at lengths 0, 1, 7 and 1000; failures name op, dtype, seed, length.
// The tests at the end pin NumPy's results on chosen values.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <numbers>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/registry.hpp"

namespace {

using tessera::DeviceKind;
using tessera::DType;
using tessera::dtype_of;
using tessera::kernels::KernelRegistry;

__extension__ using i128 = __int128;
__extension__ using u128 = unsigned __int128;

const KernelRegistry& registry() {
  static const KernelRegistry* const r = [] {
    auto* built = new KernelRegistry;  // never destroyed, like KernelRegistry::instance()
    tessera::kernels::register_cpu_elementwise(*built);
    return built;
  }();
  return *r;
}

// ---- dtype categories ------------------------------------------------------------------

template <class T> constexpr bool is_complex_v = false;
template <class R> constexpr bool is_complex_v<std::complex<R>> = true;
template <class T> constexpr bool is_bool_v = std::is_same_v<T, bool>;
template <class T> constexpr bool is_int_v = std::is_integral_v<T> && !is_bool_v<T>;
template <class T> constexpr bool is_real_float_v = std::is_floating_point_v<T>;
template <class T> constexpr bool is_floating_v = is_real_float_v<T> || is_complex_v<T>;
template <class T> constexpr bool is_numeric_v = !is_bool_v<T>;
template <class T> constexpr bool is_real_numeric_v = is_int_v<T> || is_real_float_v<T>;
template <class T> struct real_of { using type = T; };
template <class R> struct real_of<std::complex<R>> { using type = R; };
template <class T> using real_t = typename real_of<T>::type;

/// 128-bit arithmetic holds every exact result of two 64-bit operands (unsigned products
/// wrap modulo 2^128, which keeps their low 64 bits exact).
template <class T> using wide_t = std::conditional_t<std::is_signed_v<T>, i128, u128>;
template <class T> T wrap(wide_t<T> v) { return static_cast<T>(static_cast<std::uint64_t>(static_cast<u128>(v))); }
template <class T> wide_t<T> widen(T v) { return static_cast<wide_t<T>>(v); }

template <class R> bool has_nan(std::complex<R> z) { return std::isnan(z.real()) || std::isnan(z.imag()); }

// NumPy's complex product and quotient, as NumPy writes them.
template <class R> std::complex<R> numpy_mul(std::complex<R> a, std::complex<R> b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}
template <class R> std::complex<R> numpy_div(std::complex<R> a, std::complex<R> b) {
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
template <class R> R numpy_divmod(R a, R b, R& mod) {
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
// name, arity, `expected<T>`: the dtypes it must be registered for; `ref`: the scalar
// result; optional `tolerance` (in units of the real type's epsilon, for NumPy formulas
// that FMA contraction may evaluate differently) and `input` (to keep inputs in a domain).

struct Un { static constexpr std::size_t arity = 1; };
struct Bin { static constexpr std::size_t arity = 2; };

struct RefAdd : Bin {
  static constexpr std::string_view name = "add";
  template <class T> static constexpr bool expected = true;
  template <class T> static T ref(T a, T b) {
    if constexpr (is_bool_v<T>) return a || b;
    else if constexpr (is_int_v<T>) return wrap<T>(widen(a) + widen(b));
    else return a + b;
  }
};

struct RefSubtract : Bin {
  static constexpr std::string_view name = "subtract";
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static T ref(T a, T b) {
    if constexpr (is_int_v<T>) return wrap<T>(widen(a) - widen(b));
    else return a - b;
  }
};

struct RefMultiply : Bin {
  static constexpr std::string_view name = "multiply";
  static constexpr double tolerance = 8;
  template <class T> static constexpr bool expected = true;
  template <class T> static T ref(T a, T b) {
    if constexpr (is_bool_v<T>) return a && b;
    else if constexpr (is_int_v<T>) return wrap<T>(widen(a) * widen(b));
    else if constexpr (is_complex_v<T>) return numpy_mul(a, b);
    else return a * b;
  }
};

struct RefDivide : Bin {
  static constexpr std::string_view name = "divide";
  static constexpr double tolerance = 8;
  template <class T> static constexpr bool expected = is_floating_v<T>;
  template <class T> static T ref(T a, T b) {
    if constexpr (is_complex_v<T>) return numpy_div(a, b);
    else return a / b;
  }
};

struct RefFloorDivide : Bin {
  static constexpr std::string_view name = "floor_divide";
  template <class T> static constexpr bool expected = is_real_numeric_v<T>;
  template <class T> static T ref(T a, T b) {
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
  template <class T> static constexpr bool expected = is_real_numeric_v<T>;
  template <class T> static T ref(T a, T b) {
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
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static T input(T v, std::size_t which) {
    if constexpr (std::is_signed_v<T> && is_int_v<T>) {
      if (which == 1 && v < 0) return static_cast<T>(~v);  // negative exponents throw; tested below
    }
    return v;
  }
  template <class T> static T ref(T a, T b) {
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
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static T ref(T a) {
    if constexpr (is_int_v<T>) return wrap<T>(-widen(a));
    else if constexpr (is_complex_v<T>) return {-a.real(), -a.imag()};
    else return -a;
  }
};

struct RefPositive : Un {
  static constexpr std::string_view name = "positive";
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static T ref(T a) { return a; }
};

struct RefAbs : Un {
  static constexpr std::string_view name = "abs";
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static real_t<T> ref(T a) {
    if constexpr (is_int_v<T>) return wrap<T>(a < 0 ? -widen(a) : widen(a));
    else if constexpr (is_complex_v<T>) return std::hypot(a.real(), a.imag());
    else return std::fabs(a);
  }
};

struct RefSquare : Un {
  static constexpr std::string_view name = "square";
  static constexpr double tolerance = 8;
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static T ref(T a) { return RefMultiply::ref(a, a); }
};

struct RefSign : Un {
  static constexpr std::string_view name = "sign";
  static constexpr double tolerance = 8;
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static T ref(T a) {
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

template <class T> bool lex_less(T a, T b) { return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag()); }

struct RefMaximum : Bin {
  static constexpr std::string_view name = "maximum";
  template <class T> static constexpr bool expected = true;
  template <class T> static T ref(T a, T b) {
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
  template <class T> static constexpr bool expected = true;
  template <class T> static T ref(T a, T b) {
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
template <class T, class Cmp> bool compare(T a, T b, Cmp cmp) {
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
  template <class T> static constexpr bool expected = true;
  template <class T> static bool ref(T a, T b) { return a == b; }
};
struct RefNotEqual : Bin {
  static constexpr std::string_view name = "not_equal";
  template <class T> static constexpr bool expected = true;
  template <class T> static bool ref(T a, T b) { return !(a == b); }
};
struct RefLess : Bin {
  static constexpr std::string_view name = "less";
  template <class T> static constexpr bool expected = true;
  template <class T> static bool ref(T a, T b) { return compare(a, b, std::less<>{}); }
};
struct RefLessEqual : Bin {
  static constexpr std::string_view name = "less_equal";
  template <class T> static constexpr bool expected = true;
  template <class T> static bool ref(T a, T b) { return compare(a, b, std::less_equal<>{}); }
};
struct RefGreater : Bin {
  static constexpr std::string_view name = "greater";
  template <class T> static constexpr bool expected = true;
  template <class T> static bool ref(T a, T b) { return compare(a, b, std::greater<>{}); }
};
struct RefGreaterEqual : Bin {
  static constexpr std::string_view name = "greater_equal";
  template <class T> static constexpr bool expected = true;
  template <class T> static bool ref(T a, T b) { return compare(a, b, std::greater_equal<>{}); }
};

struct RefLogicalAnd : Bin {
  static constexpr std::string_view name = "logical_and";
  template <class T> static constexpr bool expected = is_bool_v<T>;
  static bool ref(bool a, bool b) { return a && b; }
};
struct RefLogicalOr : Bin {
  static constexpr std::string_view name = "logical_or";
  template <class T> static constexpr bool expected = is_bool_v<T>;
  static bool ref(bool a, bool b) { return a || b; }
};
struct RefLogicalXor : Bin {
  static constexpr std::string_view name = "logical_xor";
  template <class T> static constexpr bool expected = is_bool_v<T>;
  static bool ref(bool a, bool b) { return a != b; }
};
struct RefLogicalNot : Un {
  static constexpr std::string_view name = "logical_not";
  template <class T> static constexpr bool expected = is_bool_v<T>;
  static bool ref(bool a) { return !a; }
};

template <class T> constexpr bool is_bitwise_v = std::is_integral_v<T>;
template <class T> std::uint64_t bits_of(T v) { return static_cast<std::uint64_t>(v); }

struct RefBitwiseAnd : Bin {
  static constexpr std::string_view name = "bitwise_and";
  template <class T> static constexpr bool expected = is_bitwise_v<T>;
  template <class T> static T ref(T a, T b) { return static_cast<T>(bits_of(a) & bits_of(b)); }
};
struct RefBitwiseOr : Bin {
  static constexpr std::string_view name = "bitwise_or";
  template <class T> static constexpr bool expected = is_bitwise_v<T>;
  template <class T> static T ref(T a, T b) { return static_cast<T>(bits_of(a) | bits_of(b)); }
};
struct RefBitwiseXor : Bin {
  static constexpr std::string_view name = "bitwise_xor";
  template <class T> static constexpr bool expected = is_bitwise_v<T>;
  template <class T> static T ref(T a, T b) { return static_cast<T>(bits_of(a) ^ bits_of(b)); }
};
struct RefBitwiseInvert : Un {
  static constexpr std::string_view name = "bitwise_invert";
  template <class T> static constexpr bool expected = is_bitwise_v<T>;
  template <class T> static T ref(T a) {
    if constexpr (is_bool_v<T>) return !a;
    else return static_cast<T>(~bits_of(a));
  }
};

// Shifts: a count outside [0, bits), negative included, shifts everything out.
template <class T> bool count_in_range(T count) { return widen(count) >= 0 && widen(count) < widen(T(sizeof(T) * 8)); }

struct RefLeftShift : Bin {
  static constexpr std::string_view name = "bitwise_left_shift";
  template <class T> static constexpr bool expected = is_int_v<T>;
  template <class T> static T ref(T a, T b) {
    return count_in_range(b) ? wrap<T>(static_cast<wide_t<T>>(static_cast<u128>(widen(a)) << b)) : T{0};
  }
};
struct RefRightShift : Bin {
  static constexpr std::string_view name = "bitwise_right_shift";
  template <class T> static constexpr bool expected = is_int_v<T>;
  template <class T> static T ref(T a, T b) {
    if (count_in_range(b)) return wrap<T>(widen(a) >> b);
    return widen(a) < 0 ? T(-1) : T(0);
  }
};

// Floating math: the C++ library function, on real and (where defined) complex dtypes.
#define TESSERA_MATH_REF(Name, op, fn, domain)                        \
  struct Name : Un {                                                  \
    static constexpr std::string_view name = op;                     \
    template <class T> static constexpr bool expected = domain<T>;    \
    template <class T> static T ref(T a) { return fn(a); }            \
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
  template <class T> static constexpr bool expected = is_floating_v<T>;
  template <class T> static T ref(T a) {
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
  template <class T> static constexpr bool expected = is_floating_v<T>;
  template <class T> static T ref(T a) {
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
  template <class T> static constexpr bool expected = is_floating_v<T>;
  template <class T> static T ref(T a) {
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
  template <class T> static constexpr bool expected = is_floating_v<T>;
  template <class T> static T ref(T a) {
    if constexpr (is_complex_v<T>) {
      const auto l = std::log(a);
      return {l.real() / std::numbers::ln10_v<real_t<T>>, l.imag() / std::numbers::ln10_v<real_t<T>>};
    } else {
      return std::log10(a);
    }
  }
};

#define TESSERA_REAL_BINARY_REF(Name, op, fn)                                 \
  struct Name : Bin {                                                         \
    static constexpr std::string_view name = op;                              \
    template <class T> static constexpr bool expected = is_real_float_v<T>;  \
    template <class T> static T ref(T a, T b) { return fn(a, b); }            \
  };

TESSERA_REAL_BINARY_REF(RefAtan2, "atan2", std::atan2)
TESSERA_REAL_BINARY_REF(RefHypot, "hypot", std::hypot)
TESSERA_REAL_BINARY_REF(RefCopysign, "copysign", std::copysign)

struct RefLogaddexp : Bin {
  static constexpr std::string_view name = "logaddexp";
  template <class T> static constexpr bool expected = is_real_float_v<T>;
  template <class T> static T ref(T a, T b) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    if (a == b) return a + std::numbers::ln2_v<T>;  // also ±inf with itself
    return std::max(a, b) + std::log1p(std::exp(-std::fabs(a - b)));
  }
};

#define TESSERA_ROUNDING_REF(Name, op, fn)                                      \
  struct Name : Un {                                                            \
    static constexpr std::string_view name = op;                                \
    template <class T> static constexpr bool expected = is_real_numeric_v<T>;  \
    template <class T> static T ref(T a) {                                      \
      if constexpr (is_int_v<T>) return a;                                      \
      else return fn(a);                                                        \
    }                                                                           \
  };

TESSERA_ROUNDING_REF(RefCeil, "ceil", std::ceil)
TESSERA_ROUNDING_REF(RefFloor, "floor", std::floor)
TESSERA_ROUNDING_REF(RefTrunc, "trunc", std::trunc)

template <class R> R round_half_even(R x) {
  if (std::fabs(x - std::trunc(x)) == R{0.5}) return 2 * std::round(x / 2);
  return std::round(x);
}

struct RefRound : Un {
  static constexpr std::string_view name = "round";
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static T ref(T a) {
    if constexpr (is_int_v<T>) return a;
    else if constexpr (is_complex_v<T>) return {round_half_even(a.real()), round_half_even(a.imag())};
    else return round_half_even(a);
  }
};

struct RefSignbit : Un {
  static constexpr std::string_view name = "signbit";
  template <class T> static constexpr bool expected = is_real_float_v<T>;
  template <class T> static bool ref(T a) { return std::signbit(a); }
};

template <class T, class Pred> bool classify(T a, Pred pred, bool any) {
  if constexpr (is_complex_v<T>) return any ? (pred(a.real()) || pred(a.imag())) : (pred(a.real()) && pred(a.imag()));
  else return pred(static_cast<double>(a));  // integers are finite, exactly or not
}

struct RefIsnan : Un {
  static constexpr std::string_view name = "isnan";
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static bool ref(T a) { return classify(a, [](auto v) { return std::isnan(v); }, true); }
};
struct RefIsinf : Un {
  static constexpr std::string_view name = "isinf";
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static bool ref(T a) { return classify(a, [](auto v) { return std::isinf(v); }, true); }
};
struct RefIsfinite : Un {
  static constexpr std::string_view name = "isfinite";
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static bool ref(T a) { return classify(a, [](auto v) { return std::isfinite(v); }, false); }
};

struct RefReal : Un {
  static constexpr std::string_view name = "real";
  template <class T> static constexpr bool expected = is_complex_v<T>;
  template <class T> static real_t<T> ref(T a) { return a.real(); }
};
struct RefImag : Un {
  static constexpr std::string_view name = "imag";
  template <class T> static constexpr bool expected = is_complex_v<T>;
  template <class T> static real_t<T> ref(T a) { return a.imag(); }
};
struct RefConj : Un {
  static constexpr std::string_view name = "conj";
  template <class T> static constexpr bool expected = is_numeric_v<T>;
  template <class T> static T ref(T a) {
    if constexpr (is_complex_v<T>) return {a.real(), -a.imag()};
    else return a;
  }
};

#undef TESSERA_REAL_BINARY_REF
#undef TESSERA_ROUNDING_REF
#undef TESSERA_MATH_REF

struct RefWhere {
  static constexpr std::string_view name = "where";
  static constexpr std::size_t arity = 3;
  template <class T> static constexpr bool expected = true;
  template <class T> static T ref(bool condition, T x, T y) { return condition ? x : y; }
};

template <class... Refs> struct RefList {};
using ArithmeticRefs = RefList<RefAdd, RefSubtract, RefMultiply, RefDivide, RefFloorDivide, RefRemainder, RefPow,
                               RefNegative, RefPositive, RefAbs, RefSquare, RefSign, RefMaximum, RefMinimum>;
using LogicRefs = RefList<RefEqual, RefNotEqual, RefLess, RefLessEqual, RefGreater, RefGreaterEqual, RefLogicalAnd,
                          RefLogicalOr, RefLogicalXor, RefLogicalNot, RefBitwiseAnd, RefBitwiseOr, RefBitwiseXor,
                          RefBitwiseInvert, RefLeftShift, RefRightShift, RefWhere>;
using MathRefs = RefList<RefExp, RefExpm1, RefLog, RefLog1p, RefLog2, RefLog10, RefSqrt, RefSin, RefCos, RefTan,
                         RefAsin, RefAcos, RefAtan, RefSinh, RefCosh, RefTanh, RefAsinh, RefAcosh, RefAtanh, RefAtan2,
                         RefHypot, RefCopysign, RefLogaddexp, RefCeil, RefFloor, RefTrunc, RefRound, RefSignbit,
                         RefIsnan, RefIsinf, RefIsfinite, RefReal, RefImag, RefConj>;

// ---- cases -------------------------------------------------------------------------------------
// Each (reference, dtype) becomes a type-erased case, so that the checking code below is
// compiled once per dtype rather than once per operation and dtype.

template <class Ref, class T, std::size_t Arity = Ref::arity> struct RefResult;
template <class Ref, class T> struct RefResult<Ref, T, 1> {
  using type = decltype(Ref::ref(std::declval<T>()));
};
template <class Ref, class T> struct RefResult<Ref, T, 2> {
  using type = decltype(Ref::ref(std::declval<T>(), std::declval<T>()));
};
template <class Ref, class T> struct RefResult<Ref, T, 3> {
  using type = decltype(Ref::ref(std::declval<bool>(), std::declval<T>(), std::declval<T>()));
};
template <class Ref, class T> using ref_result_t = typename RefResult<Ref, T>::type;

/// The reference applied elementwise, with a kernel's calling convention.
template <class Ref, class T>
void reference_loop(const void* const* in, void* out, std::size_t n) {
  auto* result = static_cast<ref_result_t<Ref, T>*>(out);
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (Ref::arity == 1) {
      result[i] = Ref::ref(static_cast<const T*>(in[0])[i]);
    } else if constexpr (Ref::arity == 2) {
      result[i] = Ref::ref(static_cast<const T*>(in[0])[i], static_cast<const T*>(in[1])[i]);
    } else {
      result[i] = Ref::ref(static_cast<const bool*>(in[0])[i], static_cast<const T*>(in[1])[i],
                           static_cast<const T*>(in[2])[i]);
    }
  }
}

template <class Ref, class T>
void constrain_loop(void* column, std::size_t n, std::size_t which) {
  T* values = static_cast<T*>(column);
  for (std::size_t i = 0; i < n; ++i) values[i] = Ref::input(values[i], which);
}

template <class Ref> constexpr double tolerance_of() {
  if constexpr (requires { Ref::tolerance; }) return Ref::tolerance;
  else return 0;
}

struct OpCase {
  std::string_view op;
  std::size_t arity = 0;
  std::array<DType, 3> inputs{};
  DType output{};
  double tolerance = 0;
  tessera::kernels::ElementwiseFn reference = nullptr;
  void (*constrain)(void* column, std::size_t n, std::size_t which) = nullptr;  // may be null
};

template <class... Refs> std::vector<OpCase> cases_of(RefList<Refs...>) {
  std::vector<OpCase> cases;
  auto add = [&cases]<class Ref>() {
    for (std::size_t d = 0; d < tessera::kDTypeCount; ++d) {
      tessera::type_dispatch(static_cast<DType>(d), [&cases]<class T>() {
        if constexpr (Ref::template expected<T>) {
          OpCase c;
          c.op = Ref::name;
          c.arity = Ref::arity;
          for (std::size_t k = 0; k < Ref::arity; ++k) c.inputs[k] = Ref::arity == 3 && k == 0 ? DType::bool_ : dtype_of<T>;
          c.output = dtype_of<ref_result_t<Ref, T>>;
          c.tolerance = tolerance_of<Ref>();
          c.reference = &reference_loop<Ref, T>;
          if constexpr (requires { Ref::input(T{}, std::size_t{}); }) c.constrain = &constrain_loop<Ref, T>;
          cases.push_back(c);
        }
      });
    }
  };
  (add.template operator()<Refs>(), ...);
  return cases;
}

// ---- inputs --------------------------------------------------------------------------------------

template <class T> std::vector<T> special_values() {
  using L = std::numeric_limits<T>;
  if constexpr (is_bool_v<T>) {
    return {false, true};
  } else if constexpr (is_int_v<T>) {
    std::vector<T> v = {0, 1, 2, 7, 100, L::max(), static_cast<T>(L::max() - 1), L::min(), static_cast<T>(L::min() + 1),
                        static_cast<T>(sizeof(T) * 8 - 1), static_cast<T>(sizeof(T) * 8)};
    if constexpr (std::is_signed_v<T>) v.insert(v.end(), {T(-1), T(-2), T(-7), T(-100)});
    return v;
  } else if constexpr (is_real_float_v<T>) {
    return {T(0), T(-0.0), T(1), T(-1), T(0.5), T(-0.5), T(1.5), T(2.5), T(-2.5), T(3), T(-3), T(100), T(1e-30),
            L::infinity(), -L::infinity(), L::quiet_NaN(), L::max(), L::lowest(), L::min(), L::denorm_min()};
  } else {
    using R = real_t<T>;
    const std::vector<R> parts = {R(0), R(-0.0), R(1), R(-1), R(2.5), std::numeric_limits<R>::infinity(),
                                  -std::numeric_limits<R>::infinity(), std::numeric_limits<R>::quiet_NaN()};
    std::vector<T> v;
    for (R re : parts) {
      for (R im : parts) v.emplace_back(re, im);
    }
    return v;
  }
}

template <class R> R random_real(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return std::uniform_real_distribution<R>(-10, 10)(rng);
    case 1: return std::uniform_real_distribution<R>(-1, 1)(rng);  // the domain of asin, atanh
    case 2: {
      const R magnitude = std::exp(std::uniform_real_distribution<R>(-40, 40)(rng));
      return rng() % 2 ? magnitude : -magnitude;
    }
    default: return static_cast<R>(static_cast<int>(rng() % 41) - 20) / 2;  // halves, for round
  }
}

/// A random value, a special one a quarter of the time. Half the integers are small, so
/// that shifts and exponents fall in range.
template <class T> T random_value(std::mt19937_64& rng, const std::vector<T>& specials) {
  if (rng() % 4 == 0) return specials[rng() % specials.size()];
  if constexpr (is_bool_v<T>) {
    return rng() % 2 != 0;
  } else if constexpr (is_int_v<T>) {
    if (rng() % 2) return static_cast<T>(rng());  // the full range, modulo 2^bits
    const auto small = static_cast<std::int64_t>(rng() % 141) - 70;
    return static_cast<T>(std::is_signed_v<T> ? small : (small < 0 ? -small : small));  // all fit in int8
  } else if constexpr (is_real_float_v<T>) {
    return random_real<T>(rng);
  } else {
    return T{random_real<real_t<T>>(rng), random_real<real_t<T>>(rng)};
  }
}

/// Storage for n elements of a dtype (a bool* too, which std::vector<bool> cannot give).
class Column {
 public:
  Column(DType dtype, std::size_t n)
      : dtype_(dtype), size_(n), bytes_(std::make_unique<std::byte[]>(n * tessera::itemsize(dtype) + 1)) {}
  DType dtype() const { return dtype_; }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return size_ * tessera::itemsize(dtype_); }
  void* data() { return bytes_.get(); }
  const void* data() const { return bytes_.get(); }

 private:
  DType dtype_;
  std::size_t size_;
  std::unique_ptr<std::byte[]> bytes_;
};

void fill_random(Column& column, std::mt19937_64& rng) {
  tessera::type_dispatch(column.dtype(), [&]<class T>() {
    const std::vector<T> specials = special_values<T>();
    T* values = static_cast<T*>(column.data());
    for (std::size_t i = 0; i < column.size(); ++i) values[i] = random_value(rng, specials);
  });
}

std::size_t special_count(DType dtype) {
  return tessera::type_dispatch(dtype, []<class T>() { return special_values<T>().size(); });
}

/// Element i gets special value (i / stride) % count: with strides 1, count, count^2, ...
/// the inputs run through every combination of special values.
void fill_all_combinations(Column& column, std::size_t stride) {
  tessera::type_dispatch(column.dtype(), [&]<class T>() {
    const std::vector<T> specials = special_values<T>();
    T* values = static_cast<T*>(column.data());
    for (std::size_t i = 0; i < column.size(); ++i) values[i] = specials[(i / stride) % specials.size()];
  });
}

// ---- comparison and printing -------------------------------------------------------------------

template <class T> std::string repr(T v) {
  std::ostringstream s;
  s.precision(std::numeric_limits<real_t<T>>::max_digits10);
  if constexpr (is_complex_v<T>) s << '(' << v.real() << ", " << v.imag() << ')';
  else if constexpr (std::is_integral_v<T>) s << +v;
  else s << v;
  return s.str();
}

std::string element_repr(const Column& column, std::size_t i) {
  return tessera::type_dispatch(column.dtype(), [&]<class T>() { return repr(static_cast<const T*>(column.data())[i]); });
}

/// Equal values: NaN matches NaN and zeros must agree in sign. With a tolerance (in
/// epsilons), finite values may differ by that much relative to the result's magnitude.
template <class R> bool same_real(R got, R want, R scale, double tolerance) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (got == want) return tolerance > 0 || std::signbit(got) == std::signbit(want);
  if (tolerance == 0 || !std::isfinite(got) || !std::isfinite(want)) return false;
  const R limit = static_cast<R>(tolerance) * std::numeric_limits<R>::epsilon() *
                  std::max(scale, std::numeric_limits<R>::min());
  return std::fabs(got - want) <= limit;
}

bool same_element(const Column& got, const Column& want, std::size_t i, double tolerance) {
  return tessera::type_dispatch(got.dtype(), [&]<class T>() {
    const T g = static_cast<const T*>(got.data())[i], w = static_cast<const T*>(want.data())[i];
    if constexpr (is_complex_v<T>) {
      const auto scale = std::max(std::fabs(w.real()), std::fabs(w.imag()));
      return same_real(g.real(), w.real(), scale, tolerance) && same_real(g.imag(), w.imag(), scale, tolerance);
    } else if constexpr (is_real_float_v<T>) {
      return same_real(g, w, std::fabs(w), tolerance);
    } else {
      return g == w;
    }
  });
}

std::string signature_text(std::string_view op, std::span<const DType> inputs, DType output) {
  std::string s(op);
  s += '(';
  for (std::size_t i = 0; i < inputs.size(); ++i) s += (i ? ", " : "") + std::string(tessera::name(inputs[i]));
  return s + ") -> " + std::string(tessera::name(output));
}

std::string signature_text(const OpCase& c) { return signature_text(c.op, std::span(c.inputs.data(), c.arity), c.output); }

// ---- the checks --------------------------------------------------------------------------------

constexpr std::uint64_t kSeeds[] = {20240601, 7, 123456789};
constexpr std::size_t kLengths[] = {0, 1, 7, 1000};

/// Runs the case's kernel against its reference: on random inputs at each seed and
/// length, on every combination of special values (reported as seed 0), and in place
/// on each input the output may alias.
void check_case(const OpCase& c) {
  SCOPED_TRACE(::testing::Message() << "kernel " << signature_text(c));
  const auto* kernel = registry().find_elementwise(c.op, std::span(c.inputs.data(), c.arity), DeviceKind::cpu);
  ASSERT_NE(kernel, nullptr) << "kernel not registered";
  ASSERT_EQ(kernel->output, c.output) << "output dtype " << tessera::name(kernel->output);

  std::vector<std::pair<std::size_t, std::uint64_t>> runs;  // (length, seed)
  for (std::uint64_t seed : kSeeds) {
    for (std::size_t n : kLengths) runs.emplace_back(n, seed);
  }
  std::size_t combinations = 1;
  for (std::size_t k = 0; k < c.arity; ++k) combinations *= special_count(c.inputs[k]);
  runs.emplace_back(combinations, 0);

  for (const auto& [n, seed] : runs) {
    SCOPED_TRACE(::testing::Message() << "seed=" << seed << (seed == 0 ? " (every combination of special values)" : "")
                                      << " n=" << n);
    std::mt19937_64 rng(seed);
    std::vector<Column> in;
    std::array<const void*, 3> pointers{};
    std::size_t stride = 1;
    for (std::size_t k = 0; k < c.arity; ++k) {
      Column& column = in.emplace_back(c.inputs[k], n);
      if (seed == 0) {
        fill_all_combinations(column, stride);
        stride *= special_count(c.inputs[k]);
      } else {
        fill_random(column, rng);
      }
      if (c.constrain) c.constrain(column.data(), n, k);
      pointers[k] = column.data();
    }
    Column got(c.output, n), want(c.output, n);
    kernel->fn(pointers.data(), got.data(), n);
    c.reference(pointers.data(), want.data(), n);
    int failures = 0;
    for (std::size_t i = 0; i < n && failures < 5; ++i) {
      if (same_element(got, want, i, c.tolerance)) continue;
      ++failures;
      std::string args;
      for (const Column& column : in) args += (args.empty() ? "" : ", ") + element_repr(column, i);
      ADD_FAILURE() << "element " << i << ": " << c.op << '(' << args << ") = " << element_repr(got, i) << ", expected "
                    << element_repr(want, i);
    }
    for (std::size_t k = 0; k < c.arity; ++k) {  // the output may alias an input of its dtype
      if (c.inputs[k] != c.output || n == 0) continue;
      Column in_place(c.output, n);
      std::memcpy(in_place.data(), in[k].data(), in[k].bytes());
      std::array<const void*, 3> aliased = pointers;
      aliased[k] = in_place.data();
      kernel->fn(aliased.data(), in_place.data(), n);
      EXPECT_EQ(std::memcmp(in_place.data(), got.data(), got.bytes()), 0) << "differs with the output in input " << k;
    }
  }
}

TEST(CpuElementwise, RegistersExactlyTheExpectedOpsForEachDtype) {
  std::set<std::string> expected;
  for (const auto& list : {cases_of(ArithmeticRefs{}), cases_of(LogicRefs{}), cases_of(MathRefs{})}) {
    for (const OpCase& c : list) expected.insert(signature_text(c));
  }
  std::set<std::string> registered;
  for (const auto& [op, kernel] : registry().elementwise_kernels(DeviceKind::cpu)) {
    registered.insert(signature_text(op, std::span(kernel.inputs.data(), kernel.arity), kernel.output));
  }
  for (const auto& s : expected) EXPECT_TRUE(registered.count(s)) << "missing kernel: " << s;
  for (const auto& s : registered) EXPECT_TRUE(expected.count(s)) << "unexpected kernel: " << s;
}

TEST(CpuElementwise, ArithmeticMatchesTheReference) {
  for (const OpCase& c : cases_of(ArithmeticRefs{})) check_case(c);
}

TEST(CpuElementwise, ComparisonsLogicalBitwiseAndWhereMatchTheReference) {
  for (const OpCase& c : cases_of(LogicRefs{})) check_case(c);
}

TEST(CpuElementwise, MathMatchesTheReference) {
  for (const OpCase& c : cases_of(MathRefs{})) check_case(c);
}

TEST(CpuElementwise, IntegerPowerOfANegativeExponentIsAValueError) {
  for (DType dtype : {DType::int8, DType::int16, DType::int32, DType::int64}) {
    SCOPED_TRACE(tessera::name(dtype));
    const std::array<DType, 2> signature{dtype, dtype};
    const auto* kernel = registry().find_elementwise("pow", signature, DeviceKind::cpu);
    ASSERT_NE(kernel, nullptr);
    Column base(dtype, 3), exponent(dtype, 3), out(dtype, 3);
    tessera::type_dispatch(dtype, [&]<class T>() {
      static_cast<T*>(base.data())[2] = 2;
      static_cast<T*>(exponent.data())[2] = -1;
    });
    const std::array<const void*, 2> pointers{base.data(), exponent.data()};
    try {
      kernel->fn(pointers.data(), out.data(), 3);
      ADD_FAILURE() << "no exception";
    } catch (const tessera::ValueError& e) {
      EXPECT_STREQ(e.what(), "Integers to negative integer powers are not allowed");
    }
  }
}

}  // namespace
