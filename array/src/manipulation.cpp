// Views and joins: transposes, indexing, broadcasting, new and squeezed axes, flips,
// rechunking, concatenation. Views are affine maps over their input and cost nothing
// until a task reads them.
#include <algorithm>
#include <numeric>

#include "indexing.hpp"
#include "nodes.hpp"
#include "rechunk_plan.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

using array_detail::AffineMap;
using array_detail::AxisMap;
using array_detail::make_array;
using array_detail::ViewNode;

namespace {

Array view(const Array& x, AffineMap map, Shape shape, ChunkSizes chunks, std::string label) {
  return make_array<ViewNode>(x, std::move(map), std::move(shape), std::move(chunks), std::move(label));
}

// The chunks of a strided selection start, start+step, ... (len elements) of an axis
// chunked as `chunks`: one output block per input block it touches, in output order.
std::vector<std::int64_t> selected_chunks(const std::vector<std::int64_t>& chunks, std::int64_t start,
                                          std::int64_t step, std::int64_t len) {
  if (len == 0) return {0};
  std::vector<std::int64_t> offsets{0};
  for (std::int64_t c : chunks) offsets.push_back(offsets.back() + c);
  std::vector<std::int64_t> out;
  const auto nblocks = static_cast<std::int64_t>(chunks.size());
  for (std::int64_t i = 0; i < nblocks; ++i) {
    const std::int64_t b = step > 0 ? i : nblocks - 1 - i;
    const std::int64_t lo = offsets[static_cast<std::size_t>(b)], hi = offsets[static_cast<std::size_t>(b) + 1];
    if (lo == hi) continue;
    auto [kmin, kmax] = array_detail::progression_range(start, step, lo, hi);
    kmin = std::max<std::int64_t>(kmin, 0);
    kmax = std::min<std::int64_t>(kmax, len - 1);
    if (kmax >= kmin) out.push_back(kmax - kmin + 1);
  }
  return out;
}

// NumPy's slice normalization: start, step and the number of elements.
void resolve_slice(const Slice& s, std::int64_t n, std::int64_t& start, std::int64_t& step, std::int64_t& len) {
  step = s.step.value_or(1);
  if (step == 0) throw ValueError("slice step cannot be zero");
  auto clamp_index = [&](std::int64_t v, std::int64_t lo, std::int64_t hi) {
    if (v < 0) v += n;
    return std::clamp(v, lo, hi);
  };
  if (step > 0) {
    start = s.start ? clamp_index(*s.start, 0, n) : 0;
    const std::int64_t stop = s.stop ? clamp_index(*s.stop, 0, n) : n;
    len = stop > start ? (stop - start + step - 1) / step : 0;
  } else {
    start = s.start ? clamp_index(*s.start, -1, n - 1) : n - 1;
    const std::int64_t stop = s.stop ? clamp_index(*s.stop, -1, n - 1) : -1;
    len = start > stop ? (start - stop + (-step) - 1) / (-step) : 0;
  }
}

}  // namespace

Array permute_dims(const Array& x, std::vector<std::int64_t> axes) {
  const int nd = x.ndim();
  if (static_cast<int>(axes.size()) != nd) {
    throw ValueError("axes " + shape_to_string(axes) + " do not match an array of dimension " + std::to_string(nd));
  }
  std::vector<int> perm;
  for (std::int64_t a : axes) perm.push_back(normalize_axis(a, nd));
  std::vector<int> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (int d = 0; d < nd; ++d) {
    if (sorted[static_cast<std::size_t>(d)] != d) throw ValueError("axes " + shape_to_string(axes) + " are not a permutation");
  }
  AffineMap map(static_cast<std::size_t>(nd));
  Shape shape(static_cast<std::size_t>(nd));
  ChunkSizes chunks(static_cast<std::size_t>(nd));
  for (int d = 0; d < nd; ++d) {
    const auto old = static_cast<std::size_t>(perm[static_cast<std::size_t>(d)]);
    map[old] = AxisMap{d, 0, 1};
    shape[static_cast<std::size_t>(d)] = x.shape()[old];
    chunks[static_cast<std::size_t>(d)] = x.chunks()[old];
  }
  return view(x, std::move(map), std::move(shape), std::move(chunks), "transpose");
}

Array Array::transpose(std::vector<std::int64_t> axes) const {
  if (axes.empty()) {
    for (int d = ndim() - 1; d >= 0; --d) axes.push_back(d);
  }
  return permute_dims(*this, std::move(axes));
}
Array Array::T() const { return transpose(); }

Array matrix_transpose(const Array& x) {
  if (x.ndim() < 2) throw ValueError("matrix_transpose needs at least 2 dimensions, got shape " + shape_to_string(x.shape()));
  std::vector<std::int64_t> axes(static_cast<std::size_t>(x.ndim()));
  std::iota(axes.begin(), axes.end(), 0);
  std::swap(axes[axes.size() - 1], axes[axes.size() - 2]);
  return permute_dims(x, axes);
}

Array broadcast_to(const Array& x, const Shape& shape) {
  const int nd = static_cast<int>(shape.size());
  const int xd = x.ndim();
  const auto fail = [&] {
    throw ValueError("cannot broadcast an array of shape " + shape_to_string(x.shape()) + " to shape " + shape_to_string(shape));
  };
  if (xd > nd) fail();
  std::int64_t block = 1;
  for (const auto& c : x.chunks()) block = std::max(block, *std::max_element(c.begin(), c.end()));
  if (xd == 0) block = 0;
  AffineMap map(static_cast<std::size_t>(xd));
  ChunkSizes chunks(static_cast<std::size_t>(nd));
  const ChunkSizes fallback = normalize_chunks(ChunkSpec::automatic(), shape, x.dtype());
  for (int d = 0; d < nd; ++d) {
    const int j = d - (nd - xd);
    const auto ud = static_cast<std::size_t>(d);
    if (j >= 0 && x.shape()[static_cast<std::size_t>(j)] == shape[ud]) {
      map[static_cast<std::size_t>(j)] = AxisMap{d, 0, 1};
      chunks[ud] = x.chunks()[static_cast<std::size_t>(j)];
      continue;
    }
    if (j >= 0 && x.shape()[static_cast<std::size_t>(j)] != 1) fail();
    if (j >= 0) map[static_cast<std::size_t>(j)] = AxisMap{-1, 0, 0};
    chunks[ud] = block > 0 ? regular_chunks(shape[ud], block) : fallback[ud];
  }
  return view(x, std::move(map), shape, std::move(chunks), "broadcast_to");
}

Array expand_dims(const Array& x, std::int64_t axis) {
  const int nd = x.ndim() + 1;
  const int a = normalize_axis(axis, nd);
  AffineMap map(static_cast<std::size_t>(x.ndim()));
  Shape shape = x.shape();
  ChunkSizes chunks = x.chunks();
  for (int j = 0; j < x.ndim(); ++j) map[static_cast<std::size_t>(j)] = AxisMap{j < a ? j : j + 1, 0, 1};
  shape.insert(shape.begin() + a, 1);
  chunks.insert(chunks.begin() + a, std::vector<std::int64_t>{1});
  return view(x, std::move(map), std::move(shape), std::move(chunks), "expand_dims");
}

Array squeeze(const Array& x, std::vector<std::int64_t> axes) {
  if (axes.empty()) {
    for (int d = 0; d < x.ndim(); ++d) {
      if (x.shape()[static_cast<std::size_t>(d)] == 1) axes.push_back(d);
    }
  }
  const std::vector<int> squeezed = normalize_axes(axes, x.ndim());
  AffineMap map(static_cast<std::size_t>(x.ndim()));
  Shape shape;
  ChunkSizes chunks;
  for (int j = 0; j < x.ndim(); ++j) {
    const auto uj = static_cast<std::size_t>(j);
    if (std::find(squeezed.begin(), squeezed.end(), j) != squeezed.end()) {
      if (x.shape()[uj] != 1) {
        throw ValueError("cannot squeeze axis " + std::to_string(j) + " of length " + std::to_string(x.shape()[uj]) +
                         " (shape " + shape_to_string(x.shape()) + ")");
      }
      map[uj] = AxisMap{-1, 0, 0};
      continue;
    }
    map[uj] = AxisMap{static_cast<int>(shape.size()), 0, 1};
    shape.push_back(x.shape()[uj]);
    chunks.push_back(x.chunks()[uj]);
  }
  return view(x, std::move(map), std::move(shape), std::move(chunks), "squeeze");
}

Array flip(const Array& x, std::vector<std::int64_t> axes) {
  if (axes.empty()) {
    for (int d = 0; d < x.ndim(); ++d) axes.push_back(d);
  }
  const std::vector<int> flipped = normalize_axes(axes, x.ndim());
  AffineMap map = array_detail::identity_map(x.ndim());
  ChunkSizes chunks = x.chunks();
  for (int d : flipped) {
    const auto ud = static_cast<std::size_t>(d);
    map[ud] = AxisMap{d, x.shape()[ud] - 1, -1};
    std::reverse(chunks[ud].begin(), chunks[ud].end());
  }
  return view(x, std::move(map), x.shape(), std::move(chunks), "flip");
}

namespace array_detail {

BasicIndex resolve_index(const Shape& shape, const std::vector<IndexItem>& index) {
  const int nd = static_cast<int>(shape.size());
  int consumed = 0;
  int ellipses = 0;
  for (const auto& item : index) {
    if (std::holds_alternative<std::int64_t>(item) || std::holds_alternative<Slice>(item)) ++consumed;
    if (std::holds_alternative<Ellipsis>(item)) ++ellipses;
  }
  if (ellipses > 1) throw IndexError("an index can only have a single ellipsis ('...')");
  if (consumed > nd) {
    throw IndexError("too many indices for an array of shape " + shape_to_string(shape) + ": " +
                     std::to_string(consumed) + " were indexed");
  }
  // Expand the ellipsis (or append it) into full slices.
  std::vector<IndexItem> items;
  bool expanded = false;
  for (const auto& item : index) {
    if (std::holds_alternative<Ellipsis>(item)) {
      for (int i = 0; i < nd - consumed; ++i) items.emplace_back(Slice{});
      expanded = true;
    } else {
      items.push_back(item);
    }
  }
  if (!expanded) {
    for (int i = 0; i < nd - consumed; ++i) items.emplace_back(Slice{});
  }
  BasicIndex out;
  out.map.resize(static_cast<std::size_t>(nd));
  int axis = 0;
  for (const auto& item : items) {
    if (std::holds_alternative<NewAxis>(item)) {
      out.shape.push_back(1);
      continue;
    }
    const auto ua = static_cast<std::size_t>(axis);
    const std::int64_t n = shape[ua];
    if (const auto* i = std::get_if<std::int64_t>(&item)) {
      if (*i < -n || *i >= n) {
        throw IndexError("index " + std::to_string(*i) + " is out of bounds for axis " + std::to_string(axis) +
                         " with size " + std::to_string(n));
      }
      out.map[ua] = AxisMap{-1, *i < 0 ? *i + n : *i, 0};
    } else {
      std::int64_t start = 0, step = 1, len = 0;
      resolve_slice(std::get<Slice>(item), n, start, step, len);
      out.map[ua] = AxisMap{static_cast<int>(out.shape.size()), start, step};
      out.shape.push_back(len);
    }
    ++axis;
  }
  return out;
}

}  // namespace array_detail

Array Array::operator[](std::vector<IndexItem> index) const {
  array_detail::BasicIndex resolved = array_detail::resolve_index(shape(), index);
  // New axes get one block; sliced axes one block per input block they touch.
  ChunkSizes out_chunks(resolved.shape.size(), std::vector<std::int64_t>{1});
  for (std::size_t d = 0; d < resolved.map.size(); ++d) {
    const AxisMap& a = resolved.map[d];
    if (a.from < 0) continue;
    const auto j = static_cast<std::size_t>(a.from);
    out_chunks[j] = selected_chunks(chunks()[d], a.start, a.step, resolved.shape[j]);
  }
  return view(*this, std::move(resolved.map), std::move(resolved.shape), std::move(out_chunks), "getitem");
}

Array Array::rechunk(const ChunkSpec& spec) const {
  ChunkSizes target = normalize_chunks(spec, shape(), dtype());
  if (target == chunks()) return *this;
  return array_detail::planned_rechunk(*this, std::move(target));
}

Array concat(const std::vector<Array>& arrays, std::int64_t axis) {
  if (arrays.empty()) throw ValueError("concat needs at least one array");
  const int nd = arrays[0].ndim();
  if (nd == 0) throw ValueError("zero-dimensional arrays cannot be concatenated");
  const int a = normalize_axis(axis, nd);
  DType dtype = arrays[0].dtype();
  for (const Array& x : arrays) dtype = result_type(dtype, x.dtype());
  std::vector<Array> inputs;
  Shape shape = arrays[0].shape();
  shape[static_cast<std::size_t>(a)] = 0;
  ChunkSizes chunks = arrays[0].chunks();
  chunks[static_cast<std::size_t>(a)].clear();
  for (const Array& x : arrays) {
    if (x.ndim() != nd) {
      throw ValueError("concat: all arrays need the same number of dimensions; got shapes " +
                       shape_to_string(arrays[0].shape()) + " and " + shape_to_string(x.shape()));
    }
    for (int d = 0; d < nd; ++d) {
      if (d != a && x.shape()[static_cast<std::size_t>(d)] != arrays[0].shape()[static_cast<std::size_t>(d)]) {
        throw ValueError("concat: shapes " + shape_to_string(arrays[0].shape()) + " and " + shape_to_string(x.shape()) +
                         " differ outside axis " + std::to_string(a));
      }
    }
    shape[static_cast<std::size_t>(a)] += x.shape()[static_cast<std::size_t>(a)];
    for (std::int64_t c : x.chunks()[static_cast<std::size_t>(a)]) {
      if (c > 0) chunks[static_cast<std::size_t>(a)].push_back(c);
    }
    inputs.push_back(x.astype(dtype));
  }
  if (chunks[static_cast<std::size_t>(a)].empty()) chunks[static_cast<std::size_t>(a)] = {0};
  return make_array<array_detail::ConcatNode>(std::move(inputs), a, std::move(shape), std::move(chunks));
}

Array stack(const std::vector<Array>& arrays, std::int64_t axis) {
  if (arrays.empty()) throw ValueError("stack needs at least one array");
  const int a = normalize_axis(axis, arrays[0].ndim() + 1);
  std::vector<Array> expanded;
  for (const Array& x : arrays) {
    if (x.shape() != arrays[0].shape()) {
      throw ValueError("stack: all arrays need the same shape; got " + shape_to_string(arrays[0].shape()) + " and " +
                       shape_to_string(x.shape()));
    }
    expanded.push_back(expand_dims(x, a));
  }
  return concat(expanded, a);
}

Array map_blocks(const Array& x, std::function<Chunk(const Chunk&)> fn, DType out_dtype) {
  if (!fn) throw ValueError("map_blocks: empty function");
  return make_array<array_detail::MapBlocksNode>(x, std::move(fn), out_dtype);
}

}  // namespace tessera
