// A C-contiguous block seen around one axis: what kernels that work slice by slice along
// an axis (scans, take) need to walk it.
#pragma once

#include <cstdint>

#include "tessera/core/shape.hpp"

namespace tessera::array_detail {

/// The block as (outer, length, inner): `outer` runs of `length` slices of `inner` elements.
struct AxisSplit {
  std::int64_t outer = 1;
  std::int64_t length = 1;
  std::int64_t inner = 1;
};

inline AxisSplit split_at(const Shape& shape, int axis) {
  AxisSplit s;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    const std::int64_t n = shape[static_cast<std::size_t>(d)];
    if (d < axis) s.outer *= n;
    if (d == axis) s.length = n;
    if (d > axis) s.inner *= n;
  }
  return s;
}

}  // namespace tessera::array_detail
