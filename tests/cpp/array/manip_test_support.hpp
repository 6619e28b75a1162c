// Helpers of the shape-manipulation, scan, take and setitem suites: typed arrays with their
// host values, multi-index arithmetic for plain-loop references, and the chunkings every
// operation is checked over.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "array_test_support.hpp"

namespace tessera::testing {

/// A tessera array of some dtype and the same elements on the host as doubles.
struct TypedArray {
  Array array;
  std::vector<double> values;
};

/// `values` converted to `dtype` as a C++ cast does (bool: odd values are true, so that
/// counting values give both), as an array.
inline TypedArray typed_array(const std::vector<double>& values, const Shape& shape, DType dtype, const ChunkSpec& chunks) {
  return type_dispatch(dtype, [&]<class T>() {
    // A plain buffer, not std::vector<bool>, which packs bits.
    std::unique_ptr<T[]> converted(new T[values.size()]);
    std::vector<double> exact;
    for (double v : values) {
      T t{};
      if constexpr (std::is_same_v<T, bool>) {
        t = static_cast<std::int64_t>(v) % 2 != 0;
      } else {
        t = static_cast<T>(v);
      }
      converted[exact.size()] = t;
      if constexpr (requires { t.real(); }) {
        exact.push_back(static_cast<double>(t.real()));
      } else {
        exact.push_back(static_cast<double>(t));
      }
    }
    Array a = from_buffer(converted.get(), dtype, shape, chunks);
    return TypedArray{a, exact};
  });
}

/// Distinct values 1, 2, ... (exact in every dtype but bool for small arrays).
inline std::vector<double> counting(std::int64_t n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i + 1);
  return v;
}

inline std::vector<std::int64_t> unravel(std::int64_t flat, const Shape& shape) {
  std::vector<std::int64_t> index(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

inline std::int64_t ravel(const std::vector<std::int64_t>& index, const Shape& shape) {
  std::int64_t flat = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) flat = flat * shape[d] + index[d];
  return flat;
}

/// Seeded uneven chunks of every axis of `shape` (some blocks of 1, none empty).
inline ChunkSizes uneven_chunks(const Shape& shape, unsigned seed) {
  std::mt19937 rng(seed);
  ChunkSizes chunks;
  for (std::int64_t n : shape) {
    std::vector<std::int64_t> c;
    std::int64_t left = n;
    while (left > 0) {
      const std::int64_t size = std::min<std::int64_t>(left, 1 + static_cast<std::int64_t>(rng() % 4));
      c.push_back(size);
      left -= size;
    }
    if (c.empty()) c.push_back(0);
    chunks.push_back(c);
  }
  return chunks;
}

/// Chunkings to run every case over: single elements, small regular blocks, whole axes and
/// seeded uneven blocks.
inline std::vector<ChunkSpec> manip_chunkings(const Shape& shape) {
  return {ChunkSpec(std::int64_t{1}), ChunkSpec(std::int64_t{2}), ChunkSpec(std::int64_t{3}),
          ChunkSpec(std::int64_t{-1}), ChunkSpec(uneven_chunks(shape, 7)), ChunkSpec(uneven_chunks(shape, 8))};
}

inline std::vector<DType> manip_dtypes() { return {DType::float64, DType::int32, DType::uint8, DType::float32}; }

/// Names the case in failure messages.
inline std::string describe(const Array& a) { return a.repr(); }

}  // namespace tessera::testing
