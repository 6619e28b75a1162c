// map_overlap: each chunk extended by a halo from its neighbours, then a user's function.
//
// The extended block is one expression assembled from boxes: along every axis the
// extended range splits into at most three segments (the halo beyond the array's left
// edge, the part inside the array, the halo beyond the right edge), and every
// combination of segments is a box read through an affine map: the identity inside,
// a wrap (periodic) or a mirror (reflect) outside, or the fill value (constant). Inside
// boxes are loads of patches of the input's chunks (which become tasks first where the
// input is computed), so a task depends on its neighbours' chunks but its fused program
// copies only their halo slabs; the function then runs in the same task. Peak memory per
// task is the extended block, fn's result and the trimmed copy.
#include "tessera/array/overlap.hpp"

#include <algorithm>
#include <numeric>

#include "nodes.hpp"
#include "runners.hpp"
#include "tessera/core/error.hpp"

namespace tessera {
namespace array_detail {
namespace {

/// One piece of an extended block along one axis: `length` elements starting `at` in the
/// extended block, reading input index map.start + map.step·c for c in [0, length), or
/// the fill value.
struct Segment {
  std::int64_t at = 0;
  std::int64_t length = 0;
  AxisMap map = {};
  bool fill = false;
};

/// How far a block of [lo, hi) on an axis of length n extends to the left and right.
std::pair<std::int64_t, std::int64_t> halo(std::int64_t lo, std::int64_t hi, std::int64_t n, std::int64_t depth,
                                           Boundary boundary) {
  if (boundary == Boundary::none) return {std::min(depth, lo), std::min(depth, n - hi)};
  return {depth, depth};
}

std::vector<Segment> segments(int axis, std::int64_t lo, std::int64_t hi, std::int64_t n, std::int64_t depth,
                              Boundary boundary) {
  const auto [left, right] = halo(lo, hi, n, depth, boundary);
  const std::int64_t first = lo - left, last = hi + right;  // the extended range [first, last)
  std::vector<Segment> out;
  const auto outside = [&](std::int64_t at, std::int64_t length, AxisMap wrap, AxisMap mirror) {
    if (length <= 0) return;
    Segment s{.at = at, .length = length, .map = {}, .fill = boundary == Boundary::constant};
    if (boundary == Boundary::periodic) s.map = wrap;
    if (boundary == Boundary::reflect) s.map = mirror;
    out.push_back(s);
  };
  // Beyond the left edge, v in [first, 0): periodic reads v + n, reflect -1 - v.
  outside(0, -first, AxisMap{axis, n + first, 1}, AxisMap{axis, -first - 1, -1});
  const std::int64_t inside_lo = std::max<std::int64_t>(first, 0), inside_hi = std::min(last, n);
  if (inside_hi > inside_lo) {
    out.push_back(Segment{.at = inside_lo - first, .length = inside_hi - inside_lo, .map = AxisMap{axis, inside_lo, 1}, .fill = false});
  }
  // Beyond the right edge, v in [n, last): periodic reads v - n, reflect 2n - 1 - v.
  outside(n - first, last - n, AxisMap{axis, 0, 1}, AxisMap{axis, n - 1, -1});
  return out;
}

/// A program copying the box [lo, lo + shape) out of a C-contiguous chunk of `from`.
kernels::FusedProgram sub_box_copy(DType dtype, const Shape& from, const Shape& lo, const Shape& shape) {
  const Strides strides = c_strides(from);
  kernels::Patch patch;
  patch.lo = Shape(shape.size(), 0);
  patch.hi = shape;
  patch.strides = strides;
  for (std::size_t d = 0; d < shape.size(); ++d) patch.offset += lo[d] * strides[d];
  kernels::FusedProgram program;
  program.registers = {dtype};
  program.loads = {kernels::LoadLeaf{.dtype = dtype, .patches = {patch}}};
  program.code = {kernels::Instruction{.kind = kernels::Instruction::Kind::load}};
  return program;
}

/// Builds the extended block with its fused program, calls fn on it and trims the halo.
class MapOverlapRunner final : public TaskRunner {
 public:
  MapOverlapRunner(kernels::FusedProgram extend, Shape extended, std::function<Chunk(const Chunk&)> fn, DType dtype,
                   Shape trim_lo, Shape out_shape)
      : extend_(std::move(extend)), extended_(std::move(extended)), fn_(std::move(fn)), dtype_(dtype),
        trim_lo_(std::move(trim_lo)), out_shape_(std::move(out_shape)) {}

  Value run(std::span<const Value> inputs) const override {
    Chunk result;
    {
      Chunk extended = Chunk::allocate(extend_.result_dtype(), extended_);
      kernels::evaluate_fused(extend_, chunk_data(inputs), extended_, extended.buffer.data());
      result = fn_(extended);
    }
    check_block_result("map_overlap", result, dtype_, extended_);
    if (out_shape_ == extended_) return Value::make(std::move(result));
    Chunk out = Chunk::allocate(dtype_, out_shape_);
    const void* source = result.buffer.data();
    kernels::evaluate_fused(sub_box_copy(dtype_, extended_, trim_lo_, out_shape_), std::span(&source, 1), out_shape_,
                            out.buffer.data());
    return Value::make(std::move(out));
  }

 private:
  kernels::FusedProgram extend_;
  Shape extended_;
  std::function<Chunk(const Chunk&)> fn_;
  DType dtype_;
  Shape trim_lo_;
  Shape out_shape_;
};

/// The resolved options: one depth per axis.
struct Halo {
  std::vector<std::int64_t> depth;
  Boundary boundary = Boundary::reflect;
  bool trim = true;
};

ChunkSizes overlap_chunks(const Array& x, const Halo& h) {
  if (h.trim) return x.chunks();
  ChunkSizes out = x.chunks();
  for (std::size_t d = 0; d < out.size(); ++d) {
    std::int64_t lo = 0;
    for (std::int64_t& c : out[d]) {
      const auto [left, right] = halo(lo, lo + c, x.shape()[d], h.depth[d], h.boundary);
      lo += c;
      c += left + right;
    }
  }
  return out;
}

Shape chunks_shape(const ChunkSizes& chunks) {
  Shape shape;
  for (const auto& c : chunks) shape.push_back(std::accumulate(c.begin(), c.end(), std::int64_t{0}));
  return shape;
}

class MapOverlapNode final : public Node {
 public:
  MapOverlapNode(Array input, Array fill, std::function<Chunk(const Chunk&)> fn, DType dtype, Halo halo)
      : Node(chunks_shape(overlap_chunks(input, halo)), dtype, overlap_chunks(input, halo)), input_(std::move(input)),
        fill_(std::move(fill)), fn_(std::move(fn)), halo_(std::move(halo)) {}

  std::vector<const Node*> inputs() const override {
    if (halo_.boundary == Boundary::constant) return {input_.node().get(), fill_.node().get()};
    return {input_.node().get()};
  }
  bool opaque() const override { return true; }
  std::string label() const override { return "map_overlap"; }

  std::vector<Key> materialize(Lowering& lowering) const override {
    const Node& in = *input_.node();
    const auto nd = static_cast<std::size_t>(in.ndim());
    std::vector<Key> keys;
    for (std::int64_t b = 0; b < in.block_count(); ++b) {
      const Box box = in.block_box(in.block_index(b));
      std::vector<std::vector<Segment>> axes;
      Shape extended(nd), trim_lo(nd), count(nd);
      for (std::size_t d = 0; d < nd; ++d) {
        axes.push_back(segments(static_cast<int>(d), box.lo[d], box.hi[d], in.shape()[d], halo_.depth[d], halo_.boundary));
        const auto [left, right] = halo(box.lo[d], box.hi[d], in.shape()[d], halo_.depth[d], halo_.boundary);
        extended[d] = box.hi[d] - box.lo[d] + left + right;
        trim_lo[d] = halo_.trim ? left : 0;
        count[d] = static_cast<std::int64_t>(axes[d].size());
      }
      std::vector<Shape> starts;
      std::vector<ExprPtr> parts;
      for_each_index(Shape(nd, 0), count, [&](const std::vector<std::int64_t>& pick) {
        Shape start(nd);
        Box part{Shape(nd, 0), Shape(nd)};
        AffineMap map(nd);
        bool fill = false;
        for (std::size_t d = 0; d < nd; ++d) {
          const Segment& s = axes[d][static_cast<std::size_t>(pick[d])];
          start[d] = s.at;
          part.hi[d] = s.length;
          map[d] = s.map;
          fill |= s.fill;
        }
        starts.push_back(std::move(start));
        parts.push_back(fill ? lowering.read_blocks(*fill_.node(), {}, part) : read(lowering, in, map, part));
      });
      ExprPtr e = parts.empty() ? Expr::load(in.dtype(), extended, {}) : lowering.assemble(in.dtype(), extended, starts, parts);
      std::vector<Key> sources;
      kernels::FusedProgram program = compile(e, sources);
      const Shape out_shape = halo_.trim ? box.extent() : extended;
      keys.push_back(lowering.add_task("map_overlap", std::move(sources),
                                       std::make_shared<MapOverlapRunner>(std::move(program), extended, fn_, dtype(),
                                                                          std::move(trim_lo), out_shape)));
    }
    return keys;
  }

 private:
  // The elements as patches of chunks: views and materialized inputs already are; a
  // computed input has its blocks made tasks, so its halo is not computed twice.
  static ExprPtr read(Lowering& lowering, const Node& node, const AffineMap& map, const Box& box) {
    ExprPtr e = lowering.region(node, map, box);
    return e->kind == Expr::Kind::load ? e : lowering.read_blocks(node, map, box);
  }

  Array input_;
  Array fill_;
  std::function<Chunk(const Chunk&)> fn_;
  Halo halo_;
};

}  // namespace
}  // namespace array_detail

Array map_overlap(const Array& x, std::function<Chunk(const Chunk&)> fn, DType out_dtype, OverlapOptions options) {
  if (!fn) throw ValueError("map_overlap: empty function");
  const int nd = x.ndim();
  array_detail::Halo h{.depth = options.depth, .boundary = options.boundary, .trim = options.trim};
  if (h.depth.size() <= 1) h.depth = std::vector<std::int64_t>(static_cast<std::size_t>(nd), h.depth.empty() ? 0 : h.depth[0]);
  if (static_cast<int>(h.depth.size()) != nd) {
    throw ValueError("map_overlap: depth " + shape_to_string(options.depth) + " does not match an array of shape " +
                     shape_to_string(x.shape()));
  }
  for (int d = 0; d < nd; ++d) {
    const std::int64_t depth = h.depth[static_cast<std::size_t>(d)], length = x.shape()[static_cast<std::size_t>(d)];
    if (depth < 0) throw ValueError("map_overlap: depth " + std::to_string(depth) + " of axis " + std::to_string(d) + " is negative");
    const bool wraps = h.boundary == Boundary::reflect || h.boundary == Boundary::periodic;
    if (wraps && depth > length && x.size() > 0) {
      throw ValueError("map_overlap: depth " + std::to_string(depth) + " of axis " + std::to_string(d) +
                       " exceeds the axis length " + std::to_string(length) + ", which a " +
                       (h.boundary == Boundary::reflect ? "reflect" : "periodic") + " boundary cannot supply");
    }
  }
  if (x.size() == 0) return zeros(x.shape(), {.dtype = out_dtype, .chunks = x.chunks()});
  Array fill = full({}, options.constant, {.dtype = x.dtype(), .chunks = ChunkSizes{}});
  return array_detail::make_array<array_detail::MapOverlapNode>(x, std::move(fill), std::move(fn), out_dtype, std::move(h));
}

}  // namespace tessera
