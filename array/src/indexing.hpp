// Basic indexing resolved against a shape, shared by reading (operator[]) and writing
// (setitem) through an index.
#pragma once

#include <vector>

#include "expr.hpp"
#include "tessera/array/array.hpp"

namespace tessera::array_detail {

/// A basic index resolved against an array's shape: `map` has one AxisMap per indexed axis
/// (a constant for an integer; start and step over a result axis for a slice) and `shape`
/// is the result's shape, where NewAxis entries are axes of length 1 that no indexed axis
/// maps to.
struct BasicIndex {
  AffineMap map;
  Shape shape;
};

/// Resolves `index` (integers, slices, NewAxis, one Ellipsis) as NumPy does; IndexError
/// naming the axis and its length for an integer out of range or too many indices.
BasicIndex resolve_index(const Shape& shape, const std::vector<IndexItem>& index);

}  // namespace tessera::array_detail
