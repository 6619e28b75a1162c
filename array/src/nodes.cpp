#include "nodes.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "runners.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/matmul.hpp"

namespace tessera::array_detail {

// ---- SourceNode ----

SourceNode::SourceNode(Chunk whole, ChunkSizes chunks)
    : Node(whole.shape, whole.dtype, std::move(chunks)), whole_(std::move(whole)), strides_(c_strides(whole_.shape)) {}

const SourceNode::Span& SourceNode::span(std::size_t first, std::size_t last) const {
  std::lock_guard lock(mutex_);
  if (auto it = spans_.find({first, last}); it != spans_.end()) return it->second;
  Span span;
  span.key = Key::unique();
  Chunk part;
  part.dtype = whole_.dtype;
  part.shape = whole_.shape;
  span.patch.key = span.key;
  span.patch.lo = Shape(shape().size(), 0);
  span.patch.hi = shape();
  span.patch.strides = strides_;
  const bool whole = shape().empty() || (first == 0 && last + 2 == offsets()[0].size());
  if (whole) {
    part.buffer = whole_.buffer;
  } else {
    const std::int64_t lo = offsets()[0][first], hi = offsets()[0][last + 1];
    part.shape[0] = hi - lo;
    span.patch.lo[0] = lo;
    span.patch.hi[0] = hi;
    span.patch.offset = -lo * strides_[0];
    if (part.nbytes() > 0) {
      part.buffer = whole_.buffer.view(static_cast<std::size_t>(lo * strides_[0]) * itemsize(whole_.dtype), part.nbytes());
    }
  }
  span.patch.source_size = part.size();
  span.value = Value::make(std::move(part));
  return spans_.emplace(std::pair{first, last}, std::move(span)).first->second;
}

std::pair<std::size_t, std::size_t> SourceNode::block_rows(const AffineMap& map, const Box& box) const {
  if (shape().empty()) return {0, 0};
  const std::vector<std::int64_t>& rows = offsets()[0];
  const std::size_t blocks = rows.size() - 1;
  for (std::size_t d = 0; d < box.lo.size(); ++d) {
    if (box.hi[d] <= box.lo[d]) return {0, blocks - 1};  // an empty region reads nothing
  }
  const AxisMap& a = map[0];
  std::int64_t lo = a.start, hi = a.start;  // the rows read, inclusive
  if (a.from >= 0 && a.step != 0) {
    const auto f = static_cast<std::size_t>(a.from);
    const std::int64_t first = a.start + a.step * box.lo[f], last = a.start + a.step * (box.hi[f] - 1);
    lo = std::min(first, last);
    hi = std::max(first, last);
  }
  const auto block_of = [&](std::int64_t row) {
    const auto it = std::upper_bound(rows.begin() + 1, rows.end() - 1, row);
    return static_cast<std::size_t>(it - rows.begin()) - 1;
  };
  return {block_of(lo), block_of(hi)};
}

ExprPtr SourceNode::region(Lowering& lowering, const AffineMap& map, const Box& box) const {
  const auto [first, last] = block_rows(map, box);
  const Span& span_read = span(first, last);
  lowering.add_literal(span_read.key, span_read.value, "array");
  return remap(Expr::load(dtype(), shape(), {span_read.patch}), localize(map, box.lo, Shape(shape().size(), 0)),
               box.extent());
}

// ---- PersistedNode ----

PersistedNode::PersistedNode(Shape shape, DType dtype, ChunkSizes chunks, std::vector<Future<Value>> futures)
    : Node(std::move(shape), dtype, std::move(chunks)), futures_(std::move(futures)) {}

std::vector<Key> PersistedNode::materialize(Lowering&) const {
  std::vector<Key> keys;
  keys.reserve(futures_.size());
  for (const auto& f : futures_) keys.push_back(f.key());
  return keys;
}

// ---- GenerateNode ----

GenerateNode::GenerateNode(Shape shape, DType dtype, ChunkSizes chunks, std::string op, kernels::GeneratorParams params)
    : Node(std::move(shape), dtype, std::move(chunks)), op_(std::move(op)) {
  leaf_.dtype = dtype;
  leaf_.op = op_;
  leaf_.fn = kernels::KernelRegistry::instance().find_generator(op_, dtype, DeviceKind::cpu);
  if (leaf_.fn == nullptr) throw TypeError(op_ + " does not support dtype " + to_string(dtype));
  leaf_.params = params;
  leaf_.index_strides = c_strides(this->shape());
}

ExprPtr GenerateNode::region(Lowering&, const AffineMap& map, const Box& box) const {
  const ExprPtr whole = Expr::generate(leaf_, shape());
  return remap(whole, localize(map, box.lo, Shape(shape().size(), 0)), box.extent());
}

// ---- ConstantNode ----

ConstantNode::ConstantNode(DType dtype, kernels::ConstantLeaf value, std::optional<ScalarKind> weak)
    : Node({}, dtype, {}), value_(value), weak_(weak) {}

ExprPtr ConstantNode::region(Lowering&, const AffineMap&, const Box& box) const {
  return Expr::constant_of(value_, box.extent());
}

// ---- ElementwiseNode ----

ElementwiseNode::ElementwiseNode(std::string op, const kernels::ElementwiseKernel& kernel, std::vector<Array> operands,
                                 Shape shape, ChunkSizes chunks)
    : Node(std::move(shape), kernel.output, std::move(chunks)), op_(std::move(op)), fn_(kernel.fn),
      operands_(std::move(operands)) {}

std::vector<const Node*> ElementwiseNode::inputs() const {
  std::vector<const Node*> in;
  for (const auto& a : operands_) in.push_back(a.node().get());
  return in;
}

ExprPtr ElementwiseNode::region(Lowering& lowering, const AffineMap& map, const Box& box) const {
  const int nd = ndim();
  std::vector<ExprPtr> args;
  for (const Array& operand : operands_) {
    // Right-aligned broadcasting: length-1 axes of the operand read its element 0.
    const int ond = operand.ndim();
    AffineMap broadcast(static_cast<std::size_t>(ond));
    for (int j = 0; j < ond; ++j) {
      const int d = j + nd - ond;
      const bool stretched = operand.shape()[static_cast<std::size_t>(j)] == 1 && shape()[static_cast<std::size_t>(d)] != 1;
      broadcast[static_cast<std::size_t>(j)] = stretched ? AxisMap{-1, 0, 0} : AxisMap{d, 0, 1};
    }
    args.push_back(lowering.region(*operand.node(), compose(broadcast, map), box));
  }
  return lowering.bounded(Expr::apply(op_, fn_, dtype(), std::move(args)), op_);
}

// ---- ViewNode ----

ViewNode::ViewNode(Array input, AffineMap map, Shape shape, ChunkSizes chunks, std::string label)
    : Node(std::move(shape), input.dtype(), std::move(chunks)), input_(std::move(input)), map_(std::move(map)),
      label_(std::move(label)) {}

ExprPtr ViewNode::region(Lowering& lowering, const AffineMap& map, const Box& box) const {
  return lowering.region(*input_.node(), compose(map_, map), box);
}

// ---- ConcatNode ----

ConcatNode::ConcatNode(std::vector<Array> inputs, int axis, Shape shape, ChunkSizes chunks)
    : Node(std::move(shape), inputs.at(0).dtype(), std::move(chunks)), inputs_(std::move(inputs)), axis_(axis) {
  std::int64_t at = 0;
  for (const auto& a : inputs_) {
    starts_.push_back(at);
    at += a.shape()[static_cast<std::size_t>(axis_)];
  }
}

std::vector<const Node*> ConcatNode::inputs() const {
  std::vector<const Node*> in;
  for (const auto& a : inputs_) in.push_back(a.node().get());
  return in;
}

ExprPtr ConcatNode::region(Lowering& lowering, const AffineMap& map, const Box& box) const {
  const AxisMap& a = map[static_cast<std::size_t>(axis_)];
  const Shape extent = box.extent();
  std::vector<Shape> starts;
  std::vector<ExprPtr> parts;
  for (std::size_t k = 0; k < inputs_.size(); ++k) {
    const std::int64_t lo = starts_[k];
    const std::int64_t hi = lo + inputs_[k].shape()[static_cast<std::size_t>(axis_)];
    if (lo == hi) continue;
    Box sub = box;
    if (a.from < 0 || a.step == 0) {
      if (a.start < lo || a.start >= hi) continue;
    } else {
      // Consumer coordinates c in the box with lo <= start + step·c < hi.
      const auto f = static_cast<std::size_t>(a.from);
      const auto [first, last] = progression_range(a.start, a.step, lo, hi);
      const std::int64_t cmin = std::max(first, box.lo[f]);
      const std::int64_t cmax = std::min(last, box.hi[f] - 1);
      if (cmin > cmax) continue;
      sub.lo[f] = cmin;
      sub.hi[f] = cmax + 1;
    }
    AffineMap shifted = map;
    shifted[static_cast<std::size_t>(axis_)].start -= lo;
    Shape start(extent.size(), 0);
    for (std::size_t d = 0; d < extent.size(); ++d) start[d] = sub.lo[d] - box.lo[d];
    starts.push_back(std::move(start));
    parts.push_back(lowering.region(*inputs_[k].node(), shifted, sub));
  }
  if (parts.empty()) return Expr::load(dtype(), extent, {});
  return lowering.assemble(dtype(), extent, starts, parts);
}

// ---- ReductionNode ----

namespace {

ChunkSizes reduced_chunks(const ChunkSizes& in, const std::vector<bool>& reduced, bool keepdims) {
  ChunkSizes out;
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (!reduced[d]) {
      out.push_back(in[d]);
    } else if (keepdims) {
      out.push_back({1});
    }
  }
  return out;
}

Shape reduced_shape(const Shape& in, const std::vector<bool>& reduced, bool keepdims) {
  Shape out;
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (!reduced[d]) {
      out.push_back(in[d]);
    } else if (keepdims) {
      out.push_back(1);
    }
  }
  return out;
}

std::vector<bool> axes_mask(const std::vector<int>& axes, int ndim) {
  std::vector<bool> mask(static_cast<std::size_t>(ndim), false);
  for (int a : axes) mask[static_cast<std::size_t>(a)] = true;
  return mask;
}

}  // namespace

ReductionNode::ReductionNode(Array input, std::string op, const kernels::ReductionKernel* kernel, std::vector<int> axes,
                             bool keepdims, int split_every, double correction, bool flat_index)
    : Node(reduced_shape(input.shape(), axes_mask(axes, input.ndim()), keepdims), kernel->output,
           reduced_chunks(input.chunks(), axes_mask(axes, input.ndim()), keepdims)),
      input_(std::move(input)),
      op_(std::move(op)),
      kernel_(kernel),
      reduced_(axes_mask(axes, input_.ndim())),
      keepdims_(keepdims),
      split_every_(split_every),
      correction_(correction),
      flat_index_(flat_index) {}

std::vector<Key> ReductionNode::materialize(Lowering& lowering) const {
  const Node& in = *input_.node();
  const int nd = in.ndim();
  const auto und = static_cast<std::size_t>(nd);
  const Strides global = c_strides(in.shape());
  const AffineMap identity = identity_map(nd);
  int n_reduced = 0;
  for (bool r : reduced_) n_reduced += r ? 1 : 0;

  // Level 0: one task per input block folds its fused expression into states.
  std::vector<std::int64_t> grid = in.numblocks();
  std::vector<Key> level;
  const std::int64_t blocks = in.block_count();
  level.reserve(static_cast<std::size_t>(blocks));
  for (std::int64_t b = 0; b < blocks; ++b) {
    const Box box = in.block_box(in.block_index(b));
    ExprPtr e = lowering.bounded(lowering.region(in, identity, box), op_);
    std::vector<Key> sources;
    kernels::FusedProgram program = compile(e, sources);
    std::int64_t index_offset = 0;
    Strides index_strides(und, 0);
    for (std::size_t d = 0; d < und; ++d) {
      if (!reduced_[d]) continue;
      index_strides[d] = flat_index_ ? global[d] : 1;
      index_offset += box.lo[d] * index_strides[d];
    }
    level.push_back(lowering.add_task(op_ + "-partial", std::move(sources),
                                      std::make_shared<ReducePartialRunner>(std::move(program), box.extent(), op_, kernel_,
                                                                            reduced_, index_offset, index_strides)));
  }

  // Combining levels: groups of `fan` blocks along every reduced axis merge, in block
  // order, until one block is left along each; the last level finalizes.
  int fan = split_every_;
  if (fan <= 0) fan = std::max(2, static_cast<int>(std::pow(32.0, 1.0 / std::max(n_reduced, 1))));
  fan = std::max(fan, 2);
  while (true) {
    std::vector<std::int64_t> next = grid;
    bool last = true;
    for (std::size_t d = 0; d < und; ++d) {
      if (!reduced_[d]) continue;
      next[d] = (grid[d] + fan - 1) / fan;
      last &= next[d] == 1;
    }
    std::vector<Key> merged;
    const std::int64_t count = shape_size(next);
    for (std::int64_t flat = 0; flat < count; ++flat) {
      // Multi-index over `next`, then the group of blocks of `grid` it covers.
      std::vector<std::int64_t> index(und);
      std::int64_t rest = flat;
      for (std::size_t d = und; d-- > 0;) {
        index[d] = rest % next[d];
        rest /= next[d];
      }
      std::vector<std::int64_t> lo(und), hi(und);
      for (std::size_t d = 0; d < und; ++d) {
        lo[d] = reduced_[d] ? index[d] * fan : index[d];
        hi[d] = reduced_[d] ? std::min(grid[d], lo[d] + fan) : index[d] + 1;
      }
      std::vector<Key> group;
      for_each_index(lo, hi, [&](const std::vector<std::int64_t>& at) {
        std::int64_t g = 0;
        for (std::size_t d = 0; d < und; ++d) g = g * grid[d] + at[d];
        group.push_back(level[static_cast<std::size_t>(g)]);
      });
      Shape out_shape;
      if (last) {
        for (std::size_t d = 0; d < und; ++d) {
          if (!reduced_[d]) {
            out_shape.push_back(in.chunks()[d][static_cast<std::size_t>(index[d])]);
          } else if (keepdims_) {
            out_shape.push_back(1);
          }
        }
      }
      merged.push_back(lowering.add_task(
          op_ + (last ? "-aggregate" : "-combine"), std::move(group),
          std::make_shared<ReduceCombineRunner>(kernel_, last, correction_, std::move(out_shape))));
    }
    level = std::move(merged);
    grid = std::move(next);
    if (last) return level;
  }
}

// ---- MatmulNode ----

namespace {

// The result's shape and chunks: batch axes broadcast (taking the chunks of an operand
// that spans them), then a's rows and b's cols.
std::pair<Shape, ChunkSizes> product_grid(const Array& a, const Array& b, const ContractionLayout& l) {
  Shape shape;
  ChunkSizes chunks;
  for (int d = 0; d < l.batch; ++d) {
    const auto ud = static_cast<std::size_t>(d);
    const bool from_a = a.shape()[ud] != 1 || b.shape()[ud] == 1;
    shape.push_back(from_a ? a.shape()[ud] : b.shape()[ud]);
    chunks.push_back(from_a ? a.chunks()[ud] : b.chunks()[ud]);
  }
  for (int d = l.batch; d < l.batch + l.rows; ++d) {
    shape.push_back(a.shape()[static_cast<std::size_t>(d)]);
    chunks.push_back(a.chunks()[static_cast<std::size_t>(d)]);
  }
  for (int d = l.batch + l.contracted; d < b.ndim(); ++d) {
    shape.push_back(b.shape()[static_cast<std::size_t>(d)]);
    chunks.push_back(b.chunks()[static_cast<std::size_t>(d)]);
  }
  return {std::move(shape), std::move(chunks)};
}

// Strides of a block whose chunk holds it with its two axis groups after the batch axes
// swapped: the chunk is C-contiguous (batch..., second..., first...), the block
// (batch..., first..., second...), e.g. the blocks of x.T.
Strides swapped_strides(const Shape& extent, int batch, int first) {
  const auto b = static_cast<std::size_t>(batch), f = static_cast<std::size_t>(first);
  const std::size_t second = extent.size() - b - f;
  Shape source(extent.begin(), extent.begin() + static_cast<std::ptrdiff_t>(b));
  source.insert(source.end(), extent.begin() + static_cast<std::ptrdiff_t>(b + f), extent.end());
  source.insert(source.end(), extent.begin() + static_cast<std::ptrdiff_t>(b), extent.begin() + static_cast<std::ptrdiff_t>(b + f));
  const Strides cs = c_strides(source);
  Strides out(extent.size());
  for (std::size_t d = 0; d < b; ++d) out[d] = cs[d];
  for (std::size_t d = 0; d < f; ++d) out[b + d] = cs[b + second + d];
  for (std::size_t d = 0; d < second; ++d) out[b + f + d] = cs[b + d];
  return out;
}

// Strides agree where they matter: an axis of length 1 is never stepped along.
bool same_layout(const Strides& strides, const Strides& expected, const Shape& extent) {
  for (std::size_t d = 0; d < extent.size(); ++d) {
    if (extent[d] != 1 && strides[d] != expected[d]) return false;
  }
  return true;
}

// The key and orientation of one operand block: a chunk read as is, or a chunk holding
// the block with its axis groups swapped (x.T), which BLAS reads without a copy;
// anything else becomes a task first. `first` is the size of the block's first group.
std::pair<Key, MatmulRunner::Operand> operand_block(Lowering& lowering, const Node& node,
                                                    const std::vector<std::int64_t>& index, int batch, int first) {
  const Box box = node.block_box(index);
  const Shape extent = box.extent();
  ExprPtr e = lowering.region(node, identity_map(node.ndim()), box);
  if (e->kind == Expr::Kind::load && e->patches.size() == 1) {
    const PatchRef& p = e->patches[0];
    const bool full = std::all_of(p.lo.begin(), p.lo.end(), [](auto v) { return v == 0; }) && p.hi == extent &&
                      p.offset == 0;
    if (full && same_layout(p.strides, c_strides(extent), extent)) return {p.key, {false, 0}};
    if (full && same_layout(p.strides, swapped_strides(extent, batch, first), extent)) return {p.key, {true, 0}};
  }
  return {lowering.materialize_expr(e, "matmul-operand"), {false, 0}};
}

// Matrices between consecutive batch elements of a block of `extent`: C order over the
// batch axes, 0 along an axis of length 1 (broadcast against the result's).
Strides batch_strides(const Shape& extent, int batch) {
  const Shape outer(extent.begin(), extent.begin() + batch);
  Strides s = c_strides(outer);
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (outer[d] == 1) s[d] = 0;
  }
  return s;
}

std::int64_t group_size(const Shape& extent, int from, int count) {
  return shape_size(std::span(extent).subspan(static_cast<std::size_t>(from), static_cast<std::size_t>(count)));
}

}  // namespace

MatmulNode::MatmulNode(Array a, Array b, ContractionLayout layout, DType out_dtype)
    : Node(product_grid(a, b, layout).first, out_dtype, product_grid(a, b, layout).second), a_(std::move(a)),
      b_(std::move(b)), layout_(layout) {
  TESSERA_ASSERT(a_.ndim() == layout.batch + layout.rows + layout.contracted &&
                     b_.ndim() == layout.batch + layout.contracted + layout.cols && a_.dtype() == b_.dtype() &&
                     (out_dtype == a_.dtype() || out_dtype == kernels::wider_matmul_accumulator(a_.dtype())),
                 "matmul operands do not match their layout");
}

std::vector<Key> MatmulNode::materialize(Lowering& lowering) const {
  const Node& a = *a_.node();
  const Node& b = *b_.node();
  const int nb = layout_.batch, nr = layout_.rows, nk = layout_.contracted;
  using Block = std::pair<Key, MatmulRunner::Operand>;
  std::vector<std::optional<Block>> blocks_a(static_cast<std::size_t>(a.block_count()));
  std::vector<std::optional<Block>> blocks_b(static_cast<std::size_t>(b.block_count()));
  // Each operand block is looked up (and copied, where it must be) once for all consumers.
  const auto block = [&](const Node& node, std::vector<std::optional<Block>>& cache, const std::vector<std::int64_t>& index,
                         int first) -> const Block& {
    std::int64_t flat = 0;
    const auto grid = node.numblocks();
    for (std::size_t d = 0; d < index.size(); ++d) flat = flat * grid[d] + index[d];
    auto& slot = cache[static_cast<std::size_t>(flat)];
    if (!slot) slot = operand_block(lowering, node, index, nb, first);
    return *slot;
  };
  const auto grid_a = a.numblocks();
  const std::vector<std::int64_t> k_first(static_cast<std::size_t>(nk), 0);
  const std::vector<std::int64_t> k_end(grid_a.begin() + nb + nr, grid_a.end());
  std::vector<Key> keys;
  const std::int64_t count = block_count();
  for (std::int64_t o = 0; o < count; ++o) {
    const std::vector<std::int64_t> index = block_index(o);
    // Operand block indices: the result's along batch axes (0 where broadcast), then
    // rows or cols, with the contracted tuple filled in below.
    std::vector<std::int64_t> ia, ib;
    for (int d = 0; d < nb; ++d) {
      const auto ud = static_cast<std::size_t>(d);
      ia.push_back(a.shape()[ud] == 1 ? 0 : index[ud]);
      ib.push_back(b.shape()[ud] == 1 ? 0 : index[ud]);
    }
    ia.insert(ia.end(), index.begin() + nb, index.begin() + nb + nr);
    const std::vector<std::int64_t> cols(index.begin() + nb + nr, index.end());
    std::vector<Key> deps;
    std::vector<std::int64_t> k;
    std::vector<MatmulRunner::Operand> oa, ob;
    // A key read twice (x @ x) is one dependency; the runner gets it in both slots.
    const auto slot = [&deps](Key key) {
      auto it = std::find(deps.begin(), deps.end(), key);
      if (it != deps.end()) return static_cast<int>(it - deps.begin());
      deps.push_back(key);
      return static_cast<int>(deps.size() - 1);
    };
    Strides a_batch, b_batch;
    for_each_index(k_first, k_end, [&](const std::vector<std::int64_t>& kt) {
      std::vector<std::int64_t> pa = ia, pb = ib;
      pa.insert(pa.end(), kt.begin(), kt.end());
      pb.insert(pb.end(), kt.begin(), kt.end());
      pb.insert(pb.end(), cols.begin(), cols.end());
      const Shape extent_a = a.block_box(pa).extent();
      const std::int64_t kp = group_size(extent_a, nb + nr, nk);
      if (kp == 0) return;
      const auto& [ka, orient_a] = block(a, blocks_a, pa, nr);
      const auto& [kb, orient_b] = block(b, blocks_b, pb, nk);
      MatmulRunner::Operand qa = orient_a, qb = orient_b;
      qa.input = slot(ka);
      qb.input = slot(kb);
      k.push_back(kp);
      oa.push_back(qa);
      ob.push_back(qb);
      a_batch = batch_strides(extent_a, nb);
      b_batch = batch_strides(b.block_box(pb).extent(), nb);
    });
    const Shape extent = block_box(index).extent();
    const std::int64_t m = group_size(extent, nb, nr);
    const std::int64_t n = group_size(extent, nb + nr, layout_.cols);
    keys.push_back(lowering.add_task(
        "matmul", std::move(deps),
        std::make_shared<MatmulRunner>(a_.dtype(), dtype(), extent, m, n, std::move(k), std::move(oa), std::move(ob),
                                       std::move(a_batch), std::move(b_batch))));
  }
  return keys;
}

// ---- MapBlocksNode ----

MapBlocksNode::MapBlocksNode(Array input, std::function<Chunk(const Chunk&)> fn, DType dtype)
    : Node(input.shape(), dtype, input.chunks()), input_(std::move(input)), fn_(std::move(fn)) {}

std::vector<Key> MapBlocksNode::materialize(Lowering& lowering) const {
  const Node& in = *input_.node();
  std::vector<Key> keys;
  for (std::int64_t b = 0; b < in.block_count(); ++b) {
    const Box box = in.block_box(in.block_index(b));
    const Key source = lowering.materialize_expr(lowering.region(in, identity_map(in.ndim()), box), "map_blocks-input");
    keys.push_back(lowering.add_task("map_blocks", {source}, std::make_shared<MapBlocksRunner>(fn_, dtype(), box.extent())));
  }
  return keys;
}

}  // namespace tessera::array_detail
