#include "tessera/array/chunking.hpp"

#include <algorithm>
#include <cmath>

#include "tessera/core/error.hpp"

namespace tessera {

std::vector<std::int64_t> regular_chunks(std::int64_t length, std::int64_t size) {
  if (length == 0) return {0};
  std::vector<std::int64_t> out;
  for (std::int64_t at = 0; at < length; at += size) out.push_back(std::min(size, length - at));
  return out;
}

std::string chunks_to_string(const ChunkSizes& chunks) {
  std::string s = "(";
  for (std::size_t d = 0; d < chunks.size(); ++d) {
    if (d > 0) s += ", ";
    s += shape_to_string(chunks[d]);
  }
  if (chunks.size() == 1) s += ",";
  return s + ")";
}

namespace {

std::vector<std::int64_t> sized(std::int64_t length, std::int64_t size, std::size_t axis) {
  if (size == -1) return {length};
  if (size <= 0) {
    throw ValueError("chunk size " + std::to_string(size) + " for axis " + std::to_string(axis) +
                     " must be positive (or -1 for the whole axis)");
  }
  return regular_chunks(length, size);
}

}  // namespace

ChunkSizes normalize_chunks(const ChunkSpec& spec, const Shape& shape, DType dtype) {
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0) throw ValueError("negative dimension in shape " + shape_to_string(shape));
  }
  ChunkSizes out(shape.size());
  const auto& v = spec.get();
  if (const auto* a = std::get_if<ChunkSpec::Auto>(&v)) {
    // As square as possible: the same size along every axis, capped by the axis.
    const double elements = std::max(1.0, static_cast<double>(a->target_bytes) / static_cast<double>(itemsize(dtype)));
    std::vector<bool> capped(shape.size(), false);
    double budget = elements;
    std::size_t free_axes = shape.size();
    bool changed = true;
    while (changed && free_axes > 0) {
      changed = false;
      const double side = std::pow(budget, 1.0 / static_cast<double>(free_axes));
      for (std::size_t d = 0; d < shape.size(); ++d) {
        if (!capped[d] && static_cast<double>(shape[d]) <= side) {
          capped[d] = true;
          budget /= std::max<double>(1.0, static_cast<double>(shape[d]));
          --free_axes;
          changed = true;
        }
      }
    }
    const double side = free_axes > 0 ? std::pow(budget, 1.0 / static_cast<double>(free_axes)) : 0;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      const std::int64_t size = capped[d] ? std::max<std::int64_t>(shape[d], 1) : std::max<std::int64_t>(1, static_cast<std::int64_t>(side));
      out[d] = regular_chunks(shape[d], size);
    }
  } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
    for (std::size_t d = 0; d < shape.size(); ++d) out[d] = sized(shape[d], *n, d);
  } else if (const auto* per = std::get_if<std::vector<std::int64_t>>(&v)) {
    if (per->size() != shape.size()) {
      throw ValueError("chunks " + shape_to_string(*per) + " give " + std::to_string(per->size()) +
                       " sizes for an array of shape " + shape_to_string(shape));
    }
    for (std::size_t d = 0; d < shape.size(); ++d) out[d] = sized(shape[d], (*per)[d], d);
  } else {
    const auto& explicit_chunks = std::get<ChunkSizes>(v);
    if (explicit_chunks.size() != shape.size()) {
      throw ValueError("chunks " + chunks_to_string(explicit_chunks) + " do not match the rank of shape " +
                       shape_to_string(shape));
    }
    for (std::size_t d = 0; d < shape.size(); ++d) {
      std::int64_t total = 0;
      for (std::int64_t c : explicit_chunks[d]) {
        if (c < 0) throw ValueError("negative chunk size in " + chunks_to_string(explicit_chunks));
        total += c;
      }
      if (total != shape[d]) {
        throw ValueError("chunks " + shape_to_string(explicit_chunks[d]) + " do not cover axis " + std::to_string(d) +
                         " of length " + std::to_string(shape[d]));
      }
      out[d] = explicit_chunks[d].empty() ? std::vector<std::int64_t>{0} : explicit_chunks[d];
    }
  }
  return out;
}

}  // namespace tessera
