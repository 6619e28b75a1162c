// A C-contiguous block seen around one axis: what kernels that work slice by slice along
// an axis (scans, take) need to walk it, and where a slice that take copies comes from.
#pragma once

#include <cstdint>
#include <vector>

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

/// The input blocks that one output block of take reads, in order along the axis: where
/// each starts on the axis, its length there, and which of the task's inputs holds it.
/// A position p is in the last block starting at or before it.
struct TakenBlocks {
  std::vector<std::int64_t> starts;
  std::vector<std::int64_t> lengths;
  std::vector<int> inputs;
};

}  // namespace tessera::array_detail
