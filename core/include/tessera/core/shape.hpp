// Shapes, strides and axis arithmetic shared by every layer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera {

/// Extents of an array, outermost axis first.
using Shape = std::vector<std::int64_t>;
/// Distances between neighbours along each axis, in elements (not bytes).
using Strides = std::vector<std::int64_t>;

/// Number of elements of `shape` (1 for a 0-d shape).
std::int64_t shape_size(std::span<const std::int64_t> shape) noexcept;
/// C-order (row-major) strides of a contiguous array of `shape`, in elements.
Strides c_strides(std::span<const std::int64_t> shape);
/// "(3, 4)", "(5,)", "()": as NumPy prints shapes, for error messages.
std::string shape_to_string(std::span<const std::int64_t> shape);

/// Maps a possibly negative axis into [0, ndim); throws IndexError naming the axis.
int normalize_axis(std::int64_t axis, int ndim);
/// Normalizes a set of axes; throws ValueError on repeats. Returns them sorted.
std::vector<int> normalize_axes(std::span<const std::int64_t> axes, int ndim);

/// The broadcast shape of two shapes (NumPy rules); throws ValueError naming both.
Shape broadcast_shapes(std::span<const std::int64_t> a, std::span<const std::int64_t> b);

}  // namespace tessera
