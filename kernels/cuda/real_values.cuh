// What the device sort and the kernels that read its records (sort.cu, unique.cu) share:
// the dtypes they order (every real one; complex values sort on the CPU) and values moved
// as their bytes (kernels::Bytes, order_key.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/cuda/sort.hpp"
#include "tessera/kernels/ops/traits.hpp"
#include "tessera/kernels/order_key.hpp"

namespace tessera::kernels::cuda {

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
