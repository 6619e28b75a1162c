// CPU generators: the creation kernels (full, arange, linspace, eye) and the random ones
// (uniform, normal, integers) of registry.hpp.
//
// A generator writes element j as the value at global flat index first + j * step, a pure
// function of the parameters and that index, so that an array has the same values however
// it is chunked. Random values come from Philox4x32-10 (philox.hpp) with the seed as key
// and the global index as counter, one counter per element; the CUDA backend uses the same
// header and mappings so that both devices make the same arrays.
//
// Each generator is a struct with `kSupports<T>` (the dtypes it is registered for) and
// `run<T>`; `register_generator` registers it for every supported dtype.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>
#include <type_traits>

#include "tessera/core/error.hpp"
#include "tessera/kernels/philox.hpp"
#include "tessera/kernels/registry.hpp"

namespace tessera::kernels {
namespace {

template <class T> inline constexpr bool kIsComplex = false;
template <class U> inline constexpr bool kIsComplex<std::complex<U>> = true;

template <class T> inline constexpr bool kIsInteger = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <class T> inline constexpr bool kIsReal = std::is_floating_point_v<T>;

/// A real value in T (for complex T, with imaginary part 0).
template <class T>
T from_double(double v) {
  if constexpr (kIsComplex<T>) {
    return T(static_cast<typename T::value_type>(v), 0);
  } else {
    return static_cast<T>(v);
  }
}

/// out[j] = value(first + j * step) for j < n.
template <class T, class F>
void fill(T* out, std::size_t n, std::int64_t first, std::int64_t step, const F& value) {
  for (std::size_t j = 0; j < n; ++j) out[j] = value(first + static_cast<std::int64_t>(j) * step);
}

/// The Philox block of element `index`.
inline philox::Block block(const GeneratorParams& p, std::int64_t index) {
  return philox::random_block(p.seed, static_cast<std::uint64_t>(index));
}

// --- creation -------------------------------------------------------------------------

/// Every element is one value: i0 for integers and bool (uint64 takes its bit pattern),
/// a for reals, a + b*i for complex.
struct Full {
  template <class T> static constexpr bool kSupports = true;
  template <class T>
  static void run(const GeneratorParams& p, T* out, std::size_t n, std::int64_t, std::int64_t) {
    T value;
    if constexpr (std::is_integral_v<T>) {
      value = static_cast<T>(p.i0);  // modular, so the bit pattern for uint64; bool: i0 != 0
    } else if constexpr (kIsComplex<T>) {
      using R = typename T::value_type;
      value = T(static_cast<R>(p.a), static_cast<R>(p.b));
    } else {
      value = static_cast<T>(p.a);
    }
    std::fill_n(out, n, value);
  }
};

/// a + index * b, computed in double (exact for integers while |values| < 2^53) and
/// converted; the caller keeps the values within range of the dtype.
struct Arange {
  template <class T> static constexpr bool kSupports = !std::is_same_v<T, bool>;
  template <class T>
  static void run(const GeneratorParams& p, T* out, std::size_t n, std::int64_t first, std::int64_t step) {
    fill(out, n, first, step, [&](std::int64_t i) { return from_double<T>(p.a + static_cast<double>(i) * p.b); });
  }
};

/// a + index * b, except that index i1 (the last) is exactly c (the stop), as NumPy's
/// linspace with endpoint=True. Complex dtypes get real values.
struct Linspace {
  template <class T> static constexpr bool kSupports = kIsReal<T> || kIsComplex<T>;
  template <class T>
  static void run(const GeneratorParams& p, T* out, std::size_t n, std::int64_t first, std::int64_t step) {
    fill(out, n, first, step, [&](std::int64_t i) {
      return from_double<T>(i == p.i1 ? p.c : p.a + static_cast<double>(i) * p.b);
    });
  }
};

/// 1 on diagonal k = i1 of a matrix with i0 columns, 0 elsewhere.
struct Eye {
  template <class T> static constexpr bool kSupports = true;
  template <class T>
  static void run(const GeneratorParams& p, T* out, std::size_t n, std::int64_t first, std::int64_t step) {
    if (n == 0) return;
    if (p.i0 <= 0) throw ValueError("eye: the number of columns must be positive, got " + std::to_string(p.i0));
    const std::int64_t cols = p.i0;
    const std::int64_t k = p.i1;
    fill(out, n, first, step, [&](std::int64_t i) { return i / cols + k == i % cols ? T(1) : T{}; });
  }
};

// --- random ---------------------------------------------------------------------------

/// Uniform in [a, b). float64 takes 53 bits from words 0 and 1, float32 24 bits from word
/// 0. Rounding a + (b - a) * u can reach b; such values are moved to the largest value
/// below b, so that b is never produced.
struct Uniform {
  template <class T> static constexpr bool kSupports = kIsReal<T>;
  template <class T>
  static void run(const GeneratorParams& p, T* out, std::size_t n, std::int64_t first, std::int64_t step) {
    const double width = p.b - p.a;
    const T high = static_cast<T>(p.b);
    const bool clamp = static_cast<T>(p.a) < high;
    const T below_high = std::nextafter(high, -std::numeric_limits<T>::infinity());
    fill(out, n, first, step, [&](std::int64_t i) {
      const philox::Block r = block(p, i);
      double u;
      if constexpr (std::is_same_v<T, float>) {
        u = philox::unit_float(r.v[0]);
      } else {
        u = philox::unit_double(philox::join(r.v[0], r.v[1]));
      }
      const T v = static_cast<T>(p.a + width * u);
      return clamp && v >= high ? below_high : v;
    });
  }
};

/// Normal with mean a and standard deviation b, by Box-Muller on u1 in (0, 1] (words 0
/// and 1) and u2 in [0, 1) (words 2 and 3), cosine branch only: one counter, one value.
/// Computed in double for both dtypes.
struct Normal {
  template <class T> static constexpr bool kSupports = kIsReal<T>;
  template <class T>
  static void run(const GeneratorParams& p, T* out, std::size_t n, std::int64_t first, std::int64_t step) {
    fill(out, n, first, step, [&](std::int64_t i) {
      const philox::Block r = block(p, i);
      const double u1 = philox::unit_double_open_low(philox::join(r.v[0], r.v[1]));
      const double u2 = philox::unit_double(philox::join(r.v[2], r.v[3]));
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      return static_cast<T>(p.a + p.b * z);
    });
  }
};

/// Integers in [i0, i1) from 64 bits (words 0 and 1, word 0 high) by Lemire's
/// multiply-shift, without rejection: the bias is below (i1 - i0) / 2^64. For uint64, i0
/// and i1 are bit patterns (as in full), so bounds up to 2^64 - 1 can be expressed.
struct Integers {
  template <class T> static constexpr bool kSupports = kIsInteger<T>;
  template <class T>
  static void run(const GeneratorParams& p, T* out, std::size_t n, std::int64_t first, std::int64_t step) {
    if (n == 0) return;
    check_bounds<T>(p.i0, p.i1);
    const auto low = static_cast<std::uint64_t>(p.i0);
    const std::uint64_t range = static_cast<std::uint64_t>(p.i1) - low;  // high > low, so no wrap
    fill(out, n, first, step, [&](std::int64_t i) {
      const philox::Block r = block(p, i);
      // The sum is taken modulo 2^64; its true value lies in T, so the conversion is exact.
      return static_cast<T>(low + philox::bounded(philox::join(r.v[0], r.v[1]), range));
    });
  }

  template <class T>
  static void check_bounds(std::int64_t i0, std::int64_t i1) {
    bool ok;
    if constexpr (std::is_same_v<T, std::uint64_t>) {
      ok = static_cast<std::uint64_t>(i0) < static_cast<std::uint64_t>(i1);
    } else {
      ok = i0 < i1 && i0 >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
           i1 - 1 <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
    }
    if (!ok) {
      const bool u64 = std::is_same_v<T, std::uint64_t>;
      throw ValueError("integers: [low, high) = [" +
                       (u64 ? std::to_string(static_cast<std::uint64_t>(i0)) : std::to_string(i0)) + ", " +
                       (u64 ? std::to_string(static_cast<std::uint64_t>(i1)) : std::to_string(i1)) +
                       ") is empty or does not fit " + std::string(name(dtype_of<T>)));
    }
  }
};

// --- registration ---------------------------------------------------------------------

template <class Gen, class T>
void entry(const GeneratorParams& params, void* out, std::size_t n, std::int64_t first_index,
           std::int64_t index_step) {
  Gen::template run<T>(params, static_cast<T*>(out), n, first_index, index_step);
}

template <class Gen>
void register_generator(KernelRegistry& registry, std::string_view name) {
  for (std::size_t d = 0; d < kDTypeCount; ++d) {
    const auto dtype = static_cast<DType>(d);
    type_dispatch(dtype, [&]<class T>() {
      if constexpr (Gen::template kSupports<T>) registry.add_generator(name, DeviceKind::cpu, dtype, &entry<Gen, T>);
    });
  }
}

}  // namespace

void register_cpu_generators(KernelRegistry& registry) {
  register_generator<Full>(registry, "full");
  register_generator<Arange>(registry, "arange");
  register_generator<Linspace>(registry, "linspace");
  register_generator<Eye>(registry, "eye");
  register_generator<Uniform>(registry, "uniform");
  register_generator<Normal>(registry, "normal");
  register_generator<Integers>(registry, "integers");
}

}  // namespace tessera::kernels
