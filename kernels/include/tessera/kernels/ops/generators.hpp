// The value of one element of a generated array (full, arange, linspace, eye and the
// random uniform, normal, integers) as a pure function of the generator's parameters and
// the element's global flat index, so that an array has the same values however it is
// chunked and on whichever device it is made. Random values come from Philox4x32-10
// (philox.hpp) keyed by the seed, one counter per element.
//
// Each generator is a callable struct: constructed once from the parameters (to hoist
// what does not depend on the index), then called per index. `kSupports<T>` says which
// dtypes it makes. Checks of the parameters (an empty integer range, eye's column count)
// are the host's job before it runs a generator. Portable (portable.hpp): CPU and CUDA
// kernels share it.
#pragma once

#include "tessera/kernels/ops/traits.hpp"
#include "tessera/kernels/philox.hpp"

namespace tessera::kernels::ops {

/// Parameters of a generator; each generator documents which fields it reads.
struct GeneratorParams {
  port::uint64_t seed = 0;
  double a = 0;         // full: the value's real part; uniform: low; normal: mean; arange/linspace: start
  double b = 0;         // full: imaginary part; uniform: high; normal: std; arange/linspace: step
  double c = 0;         // linspace: stop, written exactly at index `i1`
  port::int64_t i0 = 0;  // full (integers, bool): the exact value; integers: low; eye: columns
  port::int64_t i1 = 0;  // integers: high (exclusive); eye: k, the diagonal offset; linspace: last index
};

/// A real value in T (for complex T, with imaginary part 0).
template <class T>
T from_double(double v) {
  if constexpr (is_complex_v<T>) {
    return T(static_cast<typename T::value_type>(v), 0);
  } else {
    return static_cast<T>(v);
  }
}

/// Every element is one value: i0 for integers and bool (uint64 takes its bit pattern),
/// a for reals, a + b*i for complex.
template <class T>
struct Full {
  static constexpr bool kSupports = true;
  T value;
  explicit Full(const GeneratorParams& p) : value(make(p)) {}
  T operator()(port::int64_t) const { return value; }

 private:
  static T make(const GeneratorParams& p) {
    if constexpr (port::is_integral_v<T>) {
      return static_cast<T>(p.i0);  // modular, so the bit pattern for uint64; bool: i0 != 0
    } else if constexpr (is_complex_v<T>) {
      using R = typename T::value_type;
      return T(static_cast<R>(p.a), static_cast<R>(p.b));
    } else {
      return static_cast<T>(p.a);
    }
  }
};

/// a + index * b, computed in double (exact for integers while |values| < 2^53) and
/// converted; the caller keeps the values within range of the dtype.
template <class T>
struct Arange {
  static constexpr bool kSupports = !is_bool_v<T>;
  GeneratorParams p;
  explicit Arange(const GeneratorParams& params) : p(params) {}
  T operator()(port::int64_t i) const { return from_double<T>(p.a + static_cast<double>(i) * p.b); }
};

/// a + index * b, except that index i1 (the last) is exactly c (the stop), as NumPy's
/// linspace with endpoint=True. Complex dtypes get real values.
template <class T>
struct Linspace {
  static constexpr bool kSupports = is_floating_v<T>;
  GeneratorParams p;
  explicit Linspace(const GeneratorParams& params) : p(params) {}
  T operator()(port::int64_t i) const { return from_double<T>(i == p.i1 ? p.c : p.a + static_cast<double>(i) * p.b); }
};

/// 1 on diagonal k = i1 of a matrix with i0 (> 0) columns, 0 elsewhere.
template <class T>
struct Eye {
  static constexpr bool kSupports = true;
  port::int64_t cols, k;
  explicit Eye(const GeneratorParams& p) : cols(p.i0), k(p.i1) {}
  T operator()(port::int64_t i) const { return i / cols + k == i % cols ? T(1) : T{}; }
};

/// Uniform in [a, b). float64 takes 53 bits from words 0 and 1, float32 24 bits from word
/// 0. Rounding a + (b - a) * u can reach b; such values are moved to the largest value
/// below b, so that b is never produced.
template <class T>
struct Uniform {
  static constexpr bool kSupports = port::is_floating_point_v<T>;  // float32 and float64, as NumPy's
  port::uint64_t seed;
  double low, width;
  T high, below_high;
  bool clamp;
  explicit Uniform(const GeneratorParams& p)
      : seed(p.seed),
        low(p.a),
        width(p.b - p.a),
        high(static_cast<T>(p.b)),
        below_high(port::nextafter(high, -port::numeric_limits<T>::infinity())),
        clamp(static_cast<T>(p.a) < high) {}
  T operator()(port::int64_t i) const {
    const philox::Block r = philox::random_block(seed, static_cast<port::uint64_t>(i));
    double u;
    if constexpr (port::is_same_v<T, float>) {
      u = philox::unit_float(r.v[0]);
    } else {
      u = philox::unit_double(philox::join(r.v[0], r.v[1]));
    }
    const T v = static_cast<T>(low + width * u);
    return clamp && v >= high ? below_high : v;
  }
};

/// Normal with mean a and standard deviation b, by Box-Muller on u1 in (0, 1] (words 0
/// and 1) and u2 in [0, 1) (words 2 and 3), cosine branch only: one counter, one value.
/// Computed in double for both dtypes.
template <class T>
struct Normal {
  static constexpr bool kSupports = port::is_floating_point_v<T>;  // float32 and float64, as NumPy's
  port::uint64_t seed;
  double mean, std;
  explicit Normal(const GeneratorParams& p) : seed(p.seed), mean(p.a), std(p.b) {}
  T operator()(port::int64_t i) const {
    const philox::Block r = philox::random_block(seed, static_cast<port::uint64_t>(i));
    const double u1 = philox::unit_double_open_low(philox::join(r.v[0], r.v[1]));
    const double u2 = philox::unit_double(philox::join(r.v[2], r.v[3]));
    const double z = port::sqrt(-2.0 * port::log(u1)) * port::cos(2.0 * port::kPi<double> * u2);
    return static_cast<T>(mean + std * z);
  }
};

/// Integers in [i0, i1) (non-empty, within T) from 64 bits (words 0 and 1, word 0 high)
/// by Lemire's multiply-shift, without rejection: the bias is below (i1 - i0) / 2^64.
/// For uint64, i0 and i1 are bit patterns (as in full), so bounds up to 2^64 - 1 can be
/// expressed.
template <class T>
struct Integers {
  static constexpr bool kSupports = is_int_v<T>;
  port::uint64_t seed, low, range;
  explicit Integers(const GeneratorParams& p)
      : seed(p.seed),
        low(static_cast<port::uint64_t>(p.i0)),
        range(static_cast<port::uint64_t>(p.i1) - static_cast<port::uint64_t>(p.i0)) {}  // i1 > i0: no wrap
  T operator()(port::int64_t i) const {
    const philox::Block r = philox::random_block(seed, static_cast<port::uint64_t>(i));
    // The sum is taken modulo 2^64; its true value lies in T, so the conversion is exact.
    return static_cast<T>(low + philox::bounded(philox::join(r.v[0], r.v[1]), range));
  }
};

}  // namespace tessera::kernels::ops
