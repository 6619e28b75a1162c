// Dtype-category traits and the helpers several scalar operations share: integer
// arithmetic that wraps as NumPy's does, complex products, quotients and order. Portable
// (portable.hpp): the CPU kernels and the generated CUDA kernels both include it.
#pragma once

#include "tessera/kernels/ops/portable.hpp"

namespace tessera::kernels::ops {

template <class T>
inline constexpr bool is_complex_v = false;
template <class R>
inline constexpr bool is_complex_v<port::complex<R>> = true;
template <class T>
inline constexpr bool is_bool_v = port::is_same_v<T, bool>;
/// Integer dtypes, bool excluded.
template <class T>
inline constexpr bool is_int_v = port::is_integral_v<T> && !is_bool_v<T>;
template <class T>
inline constexpr bool is_signed_int_v = is_int_v<T>&& port::is_signed_v<T>;
template <class T>
inline constexpr bool is_real_float_v = port::is_floating_point_v<T> || port::is_narrow_float_v<T>;
template <class T>
inline constexpr bool is_floating_v = is_real_float_v<T> || is_complex_v<T>;
template <class T>
inline constexpr bool is_numeric_v = !is_bool_v<T>;
/// Integers and real floats: the ordered numeric types.
template <class T>
inline constexpr bool is_real_numeric_v = is_int_v<T> || is_real_float_v<T>;

/// The real type of a complex type; other types map to themselves.
template <class T>
struct real_of {
  using type = T;
};
template <class R>
struct real_of<port::complex<R>> {
  using type = R;
};
template <class T>
using real_t = typename real_of<T>::type;

/// Integer arithmetic that wraps as NumPy's does, without undefined behaviour: operands
/// go to an unsigned type at least as wide as `unsigned` (so that uint16 * uint16 is not
/// promoted to a signed int that overflows), and the result comes back modulo 2^bits,
/// which C++20 defines for signed targets.
template <class T>
using wide_unsigned_t = port::common_type_t<port::make_unsigned_t<T>, unsigned>;
template <class T>
constexpr wide_unsigned_t<T> to_unsigned(T v) noexcept {
  return static_cast<wide_unsigned_t<T>>(v);
}
template <class T>
constexpr T wrap_add(T a, T b) noexcept {
  return static_cast<T>(to_unsigned(a) + to_unsigned(b));
}
template <class T>
constexpr T wrap_sub(T a, T b) noexcept {
  return static_cast<T>(to_unsigned(a) - to_unsigned(b));
}
template <class T>
constexpr T wrap_mul(T a, T b) noexcept {
  return static_cast<T>(to_unsigned(a) * to_unsigned(b));
}
template <class T>
constexpr T wrap_neg(T a) noexcept {
  return static_cast<T>(wide_unsigned_t<T>{0} - to_unsigned(a));
}

/// Complex product by the textbook formula, as NumPy computes it (port::complex's operator*
/// instead calls a library routine that recovers infinities, and does not vectorize).
template <class R>
constexpr port::complex<R> complex_mul(port::complex<R> a, port::complex<R> b) noexcept {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

/// Complex quotient by Smith's method with NumPy's handling of a zero divisor.
template <class R>
port::complex<R> complex_div(port::complex<R> a, port::complex<R> b) noexcept {
  const R ar = a.real(), ai = a.imag(), br = b.real(), bi = b.imag();
  const R abs_br = port::fabs(br), abs_bi = port::fabs(bi);
  if (abs_br >= abs_bi) {
    if (abs_br == 0 && abs_bi == 0) return {ar / abs_br, ai / abs_br};  // inf or nan, as NumPy
    const R ratio = bi / br;
    const R scale = R{1} / (br + bi * ratio);
    return {(ar + ai * ratio) * scale, (ai - ar * ratio) * scale};
  }
  const R ratio = br / bi;
  const R scale = R{1} / (bi + br * ratio);
  return {(ar * ratio + ai) * scale, (ai * ratio - ar) * scale};
}

/// NumPy's lexicographic order of complex numbers: by real part, then by imaginary part;
/// a NaN anywhere makes the comparison false, except that equal real parts decide by the
/// imaginary parts alone.
template <class R>
bool complex_less(port::complex<R> x, port::complex<R> y) noexcept {
  return (x.real() < y.real() && !port::isnan(x.imag()) && !port::isnan(y.imag())) ||
         (x.real() == y.real() && x.imag() < y.imag());
}
template <class R>
bool complex_less_equal(port::complex<R> x, port::complex<R> y) noexcept {
  return (x.real() < y.real() && !port::isnan(x.imag()) && !port::isnan(y.imag())) ||
         (x.real() == y.real() && x.imag() <= y.imag());
}

/// The 16-bit float among the types, or void.
template <class... T>
struct narrow_float_among {
  using type = void;
};
template <class T0, class... T>
struct narrow_float_among<T0, T...> {
  using type = port::conditional_t<port::is_narrow_float_v<T0>, T0, typename narrow_float_among<T...>::type>;
};

/// Whether Op reads 16-bit floats themselves (`kOnNarrowBits`) rather than as floats.
template <class Op>
inline constexpr bool on_narrow_bits_v = requires { requires Op::kOnNarrowBits; };

/// An operation applied to elements, as every kernel applies one: `Op::apply` itself,
/// except on the 16-bit floats, which compute as NumPy's float16 loops do: the float
/// operation, its result rounded to 16 bits once (not after every step of the
/// operation's formula).
template <class Op, class... T>
auto apply_op(T... args) {
  using Narrow = typename narrow_float_among<T...>::type;
  if constexpr (!port::is_same_v<Narrow, void> && !on_narrow_bits_v<Op>) {
    const auto result = Op::apply(static_cast<float>(args)...);
    if constexpr (port::is_same_v<decltype(result), const float>) {
      return Narrow(result);
    } else {
      return result;
    }
  } else {
    return Op::apply(args...);
  }
}

/// Bases of operation structs.
struct Unary {
  static constexpr unsigned arity = 1;
};
struct Binary {
  static constexpr unsigned arity = 2;
};

}  // namespace tessera::kernels::ops
