// Shared helpers of the array suites: a cluster per test binary, host references, and
// element comparison.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <string>
#include <utility>
#include <random>
#include <vector>

#include "tessera/tessera.hpp"

namespace tessera::testing {

/// One cluster for the binary, with two workers so that data moves between them.
inline Client& test_client() {
  static Client* client = new Client(LocalCluster({.n_workers = 2, .threads_per_worker = 1}));
  return *client;
}

/// Seeded uniform doubles in [-1, 1).
inline std::vector<double> random_values(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

inline std::vector<double> to_doubles(const HostArray& h) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < h.size(); ++i) out.push_back(h.item_at_flat(i));
  return out;
}

/// An array's computed elements, as doubles in C order.
inline std::vector<double> computed(const Array& a) { return to_doubles(a.compute(test_client())); }

inline void expect_near_all(const std::vector<double>& actual, const std::vector<double>& expected, double tol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << "at " << i;
    } else {
      EXPECT_NEAR(actual[i], expected[i], tol * std::max(1.0, std::abs(expected[i]))) << "at flat index " << i;
    }
    if (::testing::Test::HasFailure()) return;
  }
}

/// Calls f(index) for every multi-index below `shape` in C order.
template <class F>
void for_each_index(const Shape& shape, F&& f) {
  std::vector<std::int64_t> index(shape.size(), 0);
  for (std::int64_t flat = 0; flat < shape_size(shape); ++flat) {
    std::int64_t rest = flat;
    for (std::size_t d = shape.size(); d-- > 0;) {
      index[d] = rest % shape[d];
      rest /= shape[d];
    }
    f(std::as_const(index));
  }
}

/// A host reference tensor of any dtype, held as complex doubles (exact for the small
/// integers and bools the typed suites use).
struct Tensor {
  Shape shape;
  std::vector<std::complex<double>> v;
  std::complex<double>& at(const std::vector<std::int64_t>& index) { return v[static_cast<std::size_t>(flat(index))]; }
  std::complex<double> at(const std::vector<std::int64_t>& index) const { return v[static_cast<std::size_t>(flat(index))]; }
  std::int64_t flat(const std::vector<std::int64_t>& index) const {
    std::int64_t f = 0;
    for (std::size_t d = 0; d < shape.size(); ++d) f = f * shape[d] + index[d];
    return f;
  }
};

/// Seeded values that `dtype` holds exactly enough: small integers for integer dtypes
/// (non-negative for unsigned ones),
/// 0/1 for bool, [-1, 1) (real and imaginary parts) for floating ones, rounded to the
/// dtype's precision.
inline Tensor random_tensor(const Shape& shape, DType dtype, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> small(-4, 4);
  Tensor t{shape, std::vector<std::complex<double>>(static_cast<std::size_t>(shape_size(shape)))};
  for (auto& x : t.v) {
    if (is_bool(dtype)) {
      x = small(rng) > 0 ? 1.0 : 0.0;
    } else if (kind(dtype) == DTypeKind::unsigned_integer) {
      x = std::abs(small(rng));
    } else if (is_integer(dtype)) {
      x = small(rng);
    } else if (is_complex(dtype)) {
      x = {real(rng), real(rng)};
    } else {
      x = real(rng);
    }
    if (itemsize(dtype) == 4 && is_floating(dtype)) x = static_cast<float>(x.real());
    if (dtype == DType::complex64) x = {static_cast<float>(x.real()), static_cast<float>(x.imag())};
  }
  return t;
}

/// The tensor as a tessera array of `dtype`.
inline Array typed_array(const Tensor& t, DType dtype, const ChunkSpec& chunks) {
  Chunk host = Chunk::allocate(dtype, t.shape);
  type_dispatch(dtype, [&]<class T>() {
    T* out = host.data<T>();
    for (const auto& x : t.v) {
      if constexpr (requires { T(x.real(), x.imag()); }) {
        *out++ = T(static_cast<typename T::value_type>(x.real()), static_cast<typename T::value_type>(x.imag()));
      } else if constexpr (std::is_same_v<T, bool>) {
        *out++ = x.real() != 0;
      } else {
        *out++ = static_cast<T>(x.real());
      }
    }
  });
  return from_buffer(host.buffer.data(), dtype, t.shape, chunks);
}

/// Every element of a computed array as a complex double.
inline std::vector<std::complex<double>> complex_values(const HostArray& h) {
  return type_dispatch(h.dtype(), [&]<class T>() {
    std::vector<std::complex<double>> out;
    const T* p = h.chunk().data<T>();
    for (std::int64_t i = 0; i < h.size(); ++i) {
      if constexpr (requires { p[i].imag(); }) {
        out.emplace_back(static_cast<double>(p[i].real()), static_cast<double>(p[i].imag()));
      } else {
        out.emplace_back(static_cast<double>(p[i]), 0.0);
      }
    }
    return out;
  });
}

/// `actual` has the reference's shape, `dtype`, and its values within `tol` (relative
/// to max(1, |expected|)); `what` names the case in failure messages.
inline void expect_tensor(const Array& actual, DType dtype, const Tensor& expected, double tol, const std::string& what) {
  const HostArray h = actual.compute(test_client());
  ASSERT_EQ(h.shape(), expected.shape) << what;
  ASSERT_EQ(h.dtype(), dtype) << what;
  const auto values = complex_values(h);
  for (std::size_t i = 0; i < values.size(); ++i) {
    ASSERT_LE(std::abs(values[i] - expected.v[i]), tol * std::max(1.0, std::abs(expected.v[i])))
        << what << " at flat index " << i << ": " << values[i].real() << "+" << values[i].imag() << "i, expected "
        << expected.v[i].real() << "+" << expected.v[i].imag() << "i";
  }
}

/// A tolerance for values of `dtype` computed from a few dozen products.
inline double tolerance(DType dtype) {
  return dtype == DType::float32 || dtype == DType::complex64 ? 1e-5 : 1e-12;
}

}  // namespace tessera::testing
