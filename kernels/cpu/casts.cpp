// CPU casts between every pair of dtypes (astype), with NumPy's semantics where NumPy
// defines them:
//   - anything to bool is `value != 0` (a complex value is nonzero when either part is;
//     NaN is nonzero);
//   - integers to integers wrap modulo 2^bits; integers and bools to floats round to
//     nearest;
//   - complex to real keeps the real part (NumPy warns and does the same);
//   - real to complex sets the imaginary part to 0.
// Where NumPy inherits undefined behaviour from C, float (or complex) to integer of a
// value outside the integer's range, we define it: NaN gives 0 and values beyond the
// range saturate to the integer's minimum or maximum. In-range values truncate toward
// zero, as in NumPy.
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "tessera/core/dtype.hpp"
#include "tessera/kernels/registry.hpp"

namespace tessera::kernels {
namespace {

template <class T>
inline constexpr bool is_complex_v = false;
template <class R>
inline constexpr bool is_complex_v<std::complex<R>> = true;

/// A real floating value to an integer: truncation toward zero inside the range, NaN to
/// 0, saturation outside.
template <class To, class From>
To float_to_integer(From v) {
  using limits = std::numeric_limits<To>;
  // The range's ends as From, exactly: the minimum is 0 or -2^digits and one past the
  // maximum is 2^digits, powers of two that every float type represents.
  constexpr From kLowest = static_cast<From>(limits::min());
  constexpr From kPastMax = static_cast<From>(limits::max() / 2 + 1) * From{2};
  if (std::isnan(v)) return To{0};
  if (v <= kLowest) return limits::min();
  if (v >= kPastMax) return limits::max();
  return static_cast<To>(v);  // trunc(v) lies in [min, max] here, so the conversion is defined
}

template <class To, class From>
To convert(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
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
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    return float_to_integer<To>(v);
  } else {
    return static_cast<To>(v);  // integer to integer wraps (C++20); to float rounds
  }
}

template <class From, class To>
void cast_loop(const void* const* inputs, void* output, std::size_t n) {
  // The output may alias the input only when the dtypes match, where this is a copy.
  const From* __restrict in = static_cast<const From*>(inputs[0]);
  To* __restrict out = static_cast<To*>(output);
  for (std::size_t i = 0; i < n; ++i) out[i] = convert<To>(in[i]);
}

}  // namespace

void register_cpu_casts(KernelRegistry& registry) {
  for (std::size_t from = 0; from < kDTypeCount; ++from) {
    for (std::size_t to = 0; to < kDTypeCount; ++to) {
      type_dispatch(static_cast<DType>(from), [&]<class From>() {
        type_dispatch(static_cast<DType>(to), [&]<class To>() {
          registry.add_cast(DeviceKind::cpu, dtype_of<From>, dtype_of<To>, &cast_loop<From, To>);
        });
      });
    }
  }
}

}  // namespace tessera::kernels
