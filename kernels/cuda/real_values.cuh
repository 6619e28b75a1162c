// What the device sort and the kernels that read its records (sort.cu, unique.cu) share:
// the dtypes they order (every real one; complex values sort on the CPU) and values moved
// as their bytes.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/cuda/sort.hpp"
#include "tessera/kernels/ops/traits.hpp"

namespace tessera::kernels::cuda {

/// The unsigned type of `Size` bytes: values move as their bytes.
template <std::size_t Size>
using Bytes = std::conditional_t<
    Size == 1, std::uint8_t,
    std::conditional_t<Size == 2, std::uint16_t, std::conditional_t<Size == 4, std::uint32_t, std::uint64_t>>>;

/// Calls f.operator()<T>() for a real dtype; TypeError for complex ones.
template <class F>
void real_dispatch(DType dtype, F&& f) {
  if (!has_device_sort(dtype)) {
    throw TypeError("the device sort has no order for " + std::string(name(dtype)) +
                    " (complex values sort on the CPU)");
  }
  type_dispatch(dtype, [&]<class T>() {
    if constexpr (ops::is_real_numeric_v<T> || ops::is_bool_v<T>) f.template operator()<T>();
  });
}

}  // namespace tessera::kernels::cuda
