// Test storage for the kernel suites: n elements of any dtype (bool* too, which
// std::vector<bool> cannot give), and how elements print in failure messages.
#pragma once

#include <complex>
#include <cstddef>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>

#include "tessera/core/dtype.hpp"

namespace tessera::kernel_testing {

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

/// An element printed with every digit that distinguishes it.
template <class T>
std::string element_text(T v) {
  std::ostringstream s;
  if constexpr (requires { v.imag(); }) {
    s.precision(std::numeric_limits<typename T::value_type>::max_digits10);
    s << '(' << v.real() << ", " << v.imag() << ')';
  } else if constexpr (std::is_integral_v<T>) {
    s << +v;
  } else if constexpr (tessera::is_narrow_float_v<T>) {
    s.precision(std::numeric_limits<T>::max_digits10);
    s << static_cast<float>(v) << " (bits 0x" << std::hex << v.bits() << ')';
  } else {
    s.precision(std::numeric_limits<T>::max_digits10);
    s << v;
  }
  return s.str();
}

inline std::string element_repr(const Column& column, std::size_t i) {
  return tessera::type_dispatch(column.dtype(),
                                [&]<class T>() { return element_text(static_cast<const T*>(column.data())[i]); });
}

}  // namespace tessera::kernel_testing
