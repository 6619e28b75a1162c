#include "tessera/core/shape.hpp"

#include <algorithm>

#include "tessera/core/error.hpp"

namespace tessera {

std::int64_t shape_size(std::span<const std::int64_t> shape) noexcept {
  std::int64_t n = 1;
  for (std::int64_t extent : shape) n *= extent;
  return n;
}

Strides c_strides(std::span<const std::int64_t> shape) {
  Strides strides(shape.size());
  std::int64_t stride = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<std::int64_t>(shape[i], 1);
  }
  return strides;
}

std::string shape_to_string(std::span<const std::int64_t> shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

int normalize_axis(std::int64_t axis, int ndim) {
  if (axis < -ndim || axis >= ndim) {
    throw IndexError("axis " + std::to_string(axis) + " is out of bounds for an array of dimension " +
                     std::to_string(ndim));
  }
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

std::vector<int> normalize_axes(std::span<const std::int64_t> axes, int ndim) {
  std::vector<int> out;
  out.reserve(axes.size());
  for (std::int64_t a : axes) out.push_back(normalize_axis(a, ndim));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    throw ValueError("repeated axis in " + shape_to_string(axes));
  }
  return out;
}

Shape broadcast_shapes(std::span<const std::int64_t> a, std::span<const std::int64_t> b) {
  const std::size_t ndim = std::max(a.size(), b.size());
  Shape out(ndim);
  for (std::size_t i = 0; i < ndim; ++i) {
    const std::int64_t x = i < ndim - a.size() ? 1 : a[i - (ndim - a.size())];
    const std::int64_t y = i < ndim - b.size() ? 1 : b[i - (ndim - b.size())];
    if (x != y && x != 1 && y != 1) {
      throw ValueError("shapes " + shape_to_string(a) + " and " + shape_to_string(b) + " cannot be broadcast together");
    }
    out[i] = x == 1 ? y : x;
  }
  return out;
}

}  // namespace tessera
