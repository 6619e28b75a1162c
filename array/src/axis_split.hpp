// A C-contiguous block seen around one axis: what kernels that work slice by slice along
// an axis (scans, take) need to walk it, and where a slice that take copies comes from.
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

/// Where one slice along the axis of a block that take writes comes from: which of its
/// task's inputs, and which slice of it.
struct TakenSlice {
  int input = 0;
  std::int64_t slice = 0;
};

}  // namespace tessera::array_detail
