// Private to the CPU elementwise kernels: dtype-category traits, wrapping integer
// arithmetic, the loop templates every elementwise kernel is an instance of, and the one
// registration loop over dtypes.
//
// An operation is a struct with
//   static constexpr std::string_view name;          // the array API name
//   static constexpr std::size_t arity;              // 1 or 2; all inputs share one dtype
//   template <class T> static constexpr bool supports;
//   template <class T> static Out apply(T...);       // Out is T, bool or T's real type
// and `register_ops<Op...>(registry)` registers it for every dtype it supports.
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "tessera/core/dtype.hpp"
#include "tessera/kernels/registry.hpp"

// A distinct namespace: other kernel families have their own helpers, and two different
// templates of one name in one namespace would silently break the one-definition rule.
namespace tessera::kernels::elementwise_detail {

template <class T>
inline constexpr bool is_complex_v = false;
template <class R>
inline constexpr bool is_complex_v<std::complex<R>> = true;
template <class T>
inline constexpr bool is_bool_v = std::is_same_v<T, bool>;
/// Integer dtypes, bool excluded.
template <class T>
inline constexpr bool is_int_v = std::is_integral_v<T> && !is_bool_v<T>;
template <class T>
inline constexpr bool is_signed_int_v = is_int_v<T>&& std::is_signed_v<T>;
template <class T>
inline constexpr bool is_real_float_v = std::is_floating_point_v<T>;
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
struct real_of<std::complex<R>> {
  using type = R;
};
template <class T>
using real_t = typename real_of<T>::type;

/// Integer arithmetic that wraps as NumPy's does, without undefined behaviour: operands
/// go to an unsigned type at least as wide as `unsigned` (so that uint16 * uint16 is not
/// promoted to a signed int that overflows), and the result comes back modulo 2^bits,
/// which C++20 defines for signed targets.
template <class T>
using wide_unsigned_t = std::common_type_t<std::make_unsigned_t<T>, unsigned>;
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

/// Complex product by the textbook formula, as NumPy computes it (std::complex's operator*
/// instead calls a library routine that recovers infinities, and does not vectorize).
template <class R>
constexpr std::complex<R> complex_mul(std::complex<R> a, std::complex<R> b) noexcept {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

/// Complex quotient by Smith's method with NumPy's handling of a zero divisor.
template <class R>
std::complex<R> complex_div(std::complex<R> a, std::complex<R> b) noexcept {
  const R ar = a.real(), ai = a.imag(), br = b.real(), bi = b.imag();
  const R abs_br = std::fabs(br), abs_bi = std::fabs(bi);
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
bool complex_less(std::complex<R> x, std::complex<R> y) noexcept {
  return (x.real() < y.real() && !std::isnan(x.imag()) && !std::isnan(y.imag())) ||
         (x.real() == y.real() && x.imag() < y.imag());
}
template <class R>
bool complex_less_equal(std::complex<R> x, std::complex<R> y) noexcept {
  return (x.real() < y.real() && !std::isnan(x.imag()) && !std::isnan(y.imag())) ||
         (x.real() == y.real() && x.imag() <= y.imag());
}

/// Bases of operation structs.
struct Unary {
  static constexpr std::size_t arity = 1;
};
struct Binary {
  static constexpr std::size_t arity = 2;
};

template <class Op, class T>
using unary_result_t = decltype(Op::apply(std::declval<T>()));
template <class Op, class T>
using binary_result_t = decltype(Op::apply(std::declval<T>(), std::declval<T>()));

// The loops are plain indexed loops over restrict pointers so that g++ -O3 vectorizes
// them when `apply` is simple (GCC still checks for overlap at run time, and takes the
// vector path when the output is exactly an input). The kernel contract lets the output
// alias an input of the same dtype exactly; every loop reads element i of its inputs
// before it writes element i of the output and never reads an element it has written.
template <class Op, class T>
void unary_loop(const void* const* inputs, void* output, std::size_t n) {
  using Out = unary_result_t<Op, T>;
  const T* __restrict a = static_cast<const T*>(inputs[0]);
  Out* __restrict out = static_cast<Out*>(output);
  for (std::size_t i = 0; i < n; ++i) out[i] = Op::apply(a[i]);
}

template <class Op, class T>
void binary_loop(const void* const* inputs, void* output, std::size_t n) {
  using Out = binary_result_t<Op, T>;
  const T* __restrict a = static_cast<const T*>(inputs[0]);
  const T* __restrict b = static_cast<const T*>(inputs[1]);
  Out* __restrict out = static_cast<Out*>(output);
  for (std::size_t i = 0; i < n; ++i) out[i] = Op::apply(a[i], b[i]);
}

/// Registers `Op` for every dtype T with `Op::supports<T>`, all inputs of dtype T.
template <class Op>
void register_op(KernelRegistry& registry) {
  for (std::size_t d = 0; d < kDTypeCount; ++d) {
    type_dispatch(static_cast<DType>(d), [&registry]<class T>() {
      if constexpr (Op::template supports<T>) {
        ElementwiseKernel kernel;
        kernel.arity = Op::arity;
        for (std::size_t i = 0; i < Op::arity; ++i) kernel.inputs[i] = dtype_of<T>;
        if constexpr (Op::arity == 1) {
          kernel.output = dtype_of<unary_result_t<Op, T>>;
          kernel.fn = &unary_loop<Op, T>;
        } else {
          static_assert(Op::arity == 2, "elementwise operations take one or two inputs of one dtype");
          kernel.output = dtype_of<binary_result_t<Op, T>>;
          kernel.fn = &binary_loop<Op, T>;
        }
        registry.add_elementwise(Op::name, DeviceKind::cpu, kernel);
      }
    });
  }
}

template <class... Ops>
void register_ops(KernelRegistry& registry) {
  (register_op<Ops>(registry), ...);
}

/// The families, one per file; register_cpu_elementwise calls them all.
void register_arithmetic(KernelRegistry& registry);  // elementwise_arith.cpp
void register_logic(KernelRegistry& registry);       // elementwise_logic.cpp: comparisons, logical, bitwise, where
void register_math(KernelRegistry& registry);        // elementwise_math.cpp

}  // namespace tessera::kernels::elementwise_detail
