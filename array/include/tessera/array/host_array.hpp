// HostArray: a computed array in host memory (shape, dtype, C-contiguous bytes).
#pragma once

#include <string>
#include <vector>

#include "tessera/core/chunk.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

class HostArray {
 public:
  HostArray() = default;
  /// `shared`: the bytes also belong to a worker's stored chunk (or a caller's buffer), so
  /// they must never be written through this array.
  explicit HostArray(Chunk chunk, bool shared = false) : chunk_(std::move(chunk)), shared_(shared) {}

  DType dtype() const noexcept { return chunk_.dtype; }
  const Shape& shape() const noexcept { return chunk_.shape; }
  int ndim() const noexcept { return chunk_.ndim(); }
  std::int64_t size() const noexcept { return chunk_.size(); }
  std::size_t nbytes() const noexcept { return chunk_.nbytes(); }
  const void* raw() const noexcept { return chunk_.buffer.data(); }
  const Chunk& chunk() const noexcept { return chunk_; }
  /// True when the bytes are shared with stored data; copy them before writing.
  bool shares_storage() const noexcept { return shared_; }

  /// The elements, which must be of type T's dtype (TypeError otherwise).
  template <class T>
  const T* data() const {
    check<T>();
    return chunk_.data<T>();
  }
  template <class T>
  std::vector<T> to_vector() const {
    const T* p = data<T>();
    return std::vector<T>(p, p + size());
  }
  /// Element `i` of the flattened array as a double (the real part of complexes).
  double item_at_flat(std::int64_t i) const {
    if (i < 0 || i >= size()) throw IndexError("flat index " + std::to_string(i) + " is out of bounds for size " + std::to_string(size()));
    return type_dispatch(dtype(), [&]<class U>() -> double {
      const U v = chunk_.data<U>()[i];
      if constexpr (requires { v.real(); }) {
        return static_cast<double>(v.real());
      } else {
        return static_cast<double>(v);
      }
    });
  }
  /// The single element of a size-1 array, converted to T (as NumPy's .item()).
  template <class T>
  T item() const {
    if (size() != 1) {
      throw ValueError("item() needs an array of size 1, got shape " + shape_to_string(shape()));
    }
    return type_dispatch(dtype(), [&]<class U>() -> T {
      const U v = *chunk_.data<U>();
      if constexpr (std::is_convertible_v<U, T>) {
        return static_cast<T>(v);
      } else if constexpr (requires { v.real(); }) {
        if constexpr (std::is_convertible_v<decltype(v.real()), T>) return static_cast<T>(v.real());
      }
      throw TypeError("cannot convert an element of dtype " + to_string(dtype()) + " to the requested type");
    });
  }

 private:
  template <class T>
  void check() const {
    if (dtype_of<T> != dtype()) {
      throw TypeError("the array holds " + to_string(dtype()) + ", not " + to_string(dtype_of<T>));
    }
  }
  Chunk chunk_;
  bool shared_ = false;
};

}  // namespace tessera
