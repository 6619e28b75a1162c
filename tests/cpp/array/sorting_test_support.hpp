// Helpers of the sorting, searching and masking suites: seeded data with ties and NaNs
// for each dtype, an independent reference order, and NaN-aware comparison.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <memory>
#include <string>
#include <random>
#include <type_traits>
#include <vector>

#include "array_test_support.hpp"

namespace tessera::testing {

/// The chunkings a (7, 9) matrix is tested with: regular, per axis, whole, size-1 and
/// uneven explicit chunks.
inline std::vector<ChunkSpec> matrix_chunkings() {
  return {ChunkSpec(std::int64_t{4}), ChunkSpec(std::vector<std::int64_t>{3, 5}), ChunkSpec(std::int64_t{-1}),
          ChunkSpec(std::int64_t{1}), ChunkSpec(ChunkSizes{{2, 1, 4}, {5, 1, 3}})};
}

/// n seeded values of T drawn from a few distinct values (so there are ties); floating
/// types get NaNs too, and -0.0 beside 0.0.
template <class T>
std::vector<T> tied_values(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(-3, 3);
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int k = pick(rng);
    if constexpr (std::is_same_v<T, bool>) {
      v[i] = k > 0;
    } else if constexpr (std::is_floating_point_v<T>) {
      v[i] = k == 3 ? std::numeric_limits<T>::quiet_NaN() : k == -3 ? T(-0.0) : static_cast<T>(k) / 2;
    } else {
      v[i] = static_cast<T>(k);
    }
  }
  return v;
}

/// The reference order, written apart from the library's: NaNs last either way.
template <class T>
bool reference_less(const T& a, const T& b, bool descending) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return descending ? b < a : a < b;
}

template <class T>
bool same_value(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  }
  return a == b;
}

/// Element-by-element equality where NaN equals NaN.
template <class T>
void expect_same_values(const std::vector<T>& actual, const std::vector<T>& expected, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T>) {
      ASSERT_EQ(actual[i], expected[i]) << what << " at flat index " << i;
    } else {
      ASSERT_TRUE(same_value(actual[i], expected[i]))
          << what << " at flat index " << i << ": " << actual[i] << " vs " << expected[i];
    }
  }
}

}  // namespace tessera::testing

namespace tessera::testing {

/// A tessera array of `values` (copied; works for std::vector<bool> too).
template <class T>
Array array_of(const std::vector<T>& values, const Shape& shape, const ChunkSpec& chunks) {
  std::unique_ptr<T[]> copy(new T[values.size() + 1]);
  std::copy(values.begin(), values.end(), copy.get());
  return from_buffer(copy.get(), dtype_of<T>, shape, chunks);
}

template <class T>
std::vector<T> computed_values(const Array& a) {
  return a.compute(test_client()).to_vector<T>();
}

}  // namespace tessera::testing
