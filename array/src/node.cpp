#include "node.hpp"

#include <algorithm>
#include <functional>

#include "runners.hpp"
#include "tessera/core/error.hpp"

namespace tessera::array_detail {

Shape Box::extent() const {
  Shape e(lo.size());
  for (std::size_t d = 0; d < lo.size(); ++d) e[d] = hi[d] - lo[d];
  return e;
}

Node::Node(Shape shape, DType dtype, ChunkSizes chunks)
    : shape_(std::move(shape)), dtype_(dtype), chunks_(std::move(chunks)) {
  TESSERA_ASSERT(chunks_.size() == shape_.size(), "chunks do not match the shape's rank");
  offsets_.resize(chunks_.size());
  for (std::size_t d = 0; d < chunks_.size(); ++d) {
    std::int64_t at = 0;
    offsets_[d].push_back(0);
    for (std::int64_t c : chunks_[d]) offsets_[d].push_back(at += c);
    TESSERA_ASSERT(at == shape_[d], "chunks do not cover the shape");
  }
}

ExprPtr Node::region(Lowering&, const AffineMap&, const Box&) const {
  TESSERA_ASSERT(false, "region() of an opaque node");
  return nullptr;
}

std::vector<Key> Node::materialize(Lowering&) const {
  TESSERA_ASSERT(false, "materialize() of a fusible node");
  return {};
}

std::vector<std::int64_t> Node::numblocks() const {
  std::vector<std::int64_t> n;
  for (const auto& c : chunks_) n.push_back(static_cast<std::int64_t>(c.size()));
  return n;
}

std::int64_t Node::block_count() const { return shape_size(numblocks()); }

Box Node::block_box(const std::vector<std::int64_t>& index) const {
  Box b;
  for (std::size_t d = 0; d < index.size(); ++d) {
    const auto i = static_cast<std::size_t>(index[d]);
    b.lo.push_back(offsets_[d][i]);
    b.hi.push_back(offsets_[d][i + 1]);
  }
  return b;
}

std::vector<std::int64_t> Node::block_index(std::int64_t flat) const {
  const auto n = numblocks();
  std::vector<std::int64_t> index(n.size());
  for (std::size_t d = n.size(); d-- > 0;) {
    index[d] = flat % n[d];
    flat /= n[d];
  }
  return index;
}

std::int64_t Node::block_flat(const std::vector<std::int64_t>& index) const {
  std::int64_t flat = 0;
  for (std::size_t d = 0; d < index.size(); ++d) flat = flat * static_cast<std::int64_t>(chunks_[d].size()) + index[d];
  return flat;
}

Lowering::Lowering(const std::vector<const Node*>& targets) {
  // Reverse post-order visits every node after all the nodes that read it, so a
  // transparent node's final count is known before it passes it on to its inputs.
  std::vector<const Node*> order;
  std::unordered_map<const Node*, bool> seen;
  std::function<void(const Node*)> visit = [&](const Node* n) {
    if (seen[n]) return;
    seen[n] = true;
    for (const Node* in : n->inputs()) visit(in);
    order.push_back(n);
  };
  for (const Node* t : targets) {
    visit(t);
    ++consumers_[t];
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node* n = *it;
    const int weight = n->transparent() ? std::max(consumers_[n], 1) : 1;
    for (const Node* in : n->inputs()) consumers_[in] += weight;
  }
}

bool Lowering::shared(const Node& node) const {
  if (node.transparent()) return false;
  auto it = consumers_.find(&node);
  return it != consumers_.end() && it->second > 1;
}

Key Lowering::add_task(const std::string& name, std::vector<Key> dependencies, std::shared_ptr<const TaskRunner> runner) {
  TaskSpec spec;
  spec.key = Key::unique();
  spec.name = name + "-" + std::to_string(counter_++);
  spec.dependencies = std::move(dependencies);
  spec.runner = std::move(runner);
  return graph_.add_task(std::move(spec));
}

void Lowering::add_literal(Key key, const Value& value, const std::string& name) {
  if (!literals_.emplace(key, value.get<Chunk>().shape).second) return;
  TaskSpec spec;
  spec.key = key;
  spec.name = name;
  spec.runner = std::make_shared<LiteralRunner>(value);
  graph_.add_task(std::move(spec));
}

ExprPtr Lowering::assemble(DType dtype, const Shape& extent, const std::vector<Shape>& starts,
                           const std::vector<ExprPtr>& parts) {
  if (parts.size() == 1 && std::all_of(starts[0].begin(), starts[0].end(), [](auto v) { return v == 0; })) {
    return parts[0];
  }
  std::vector<PatchRef> patches;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    ExprPtr part = parts[i];
    if (part->kind != Expr::Kind::load) part = Expr::load_chunk(materialize_expr(part, expr_name(part)), part->dtype, part->shape);
    for (PatchRef p : part->patches) {
      for (std::size_t d = 0; d < extent.size(); ++d) {
        p.lo[d] += starts[i][d];
        p.hi[d] += starts[i][d];
        p.offset -= p.strides[d] * starts[i][d];
      }
      patches.push_back(std::move(p));
    }
  }
  return Expr::load(dtype, extent, std::move(patches));
}

ExprPtr Lowering::bounded(const ExprPtr& e, const std::string& name) {
  if (e->weight <= kMaxFusedWeight || e->kind != Expr::Kind::apply) return e;
  std::vector<ExprPtr> args;
  for (const ExprPtr& a : e->args) {
    if (a->kind == Expr::Kind::apply && a->weight > 1) {
      args.push_back(Expr::load_chunk(materialize_expr(a, name), a->dtype, a->shape));
    } else {
      args.push_back(a);
    }
  }
  return Expr::apply(e->op, e->fn, e->dtype, std::move(args));
}

Key Lowering::materialize_expr(const ExprPtr& expr, const std::string& name) {
  if (expr->is_whole_chunk()) {
    // A literal holds a whole source array: its leading block reads like a whole chunk
    // but is only part of it, and a consumer taking the key needs a chunk of its shape.
    const Key key = expr->patches[0].key;
    const auto literal = literals_.find(key);
    if (literal == literals_.end() || literal->second == expr->shape) return key;
  }
  ExprPtr e = bounded(expr, name);
  std::vector<Key> sources;
  kernels::FusedProgram program = compile(e, sources);
  return add_task(name.empty() ? expr_name(e) : name, std::move(sources),
                  std::make_shared<FusedRunner>(std::move(program), e->shape));
}

const std::vector<Key>& Lowering::keys(const Node& node) {
  if (auto it = keys_.find(&node); it != keys_.end()) return it->second;
  std::vector<Key> keys;
  if (node.opaque()) {
    keys = node.materialize(*this);
  } else {
    const AffineMap identity = identity_map(node.ndim());
    const std::int64_t n = node.block_count();
    keys.reserve(static_cast<std::size_t>(n));
    for (std::int64_t b = 0; b < n; ++b) {
      const Box box = node.block_box(node.block_index(b));
      keys.push_back(materialize_expr(node.region(*this, identity, box), node.label()));
    }
  }
  return keys_.emplace(&node, std::move(keys)).first->second;
}

ExprPtr Lowering::region(const Node& node, const AffineMap& map, const Box& box) {
  if (!node.opaque() && !shared(node)) return node.region(*this, map, box);
  return read_blocks(node, map, box);
}

ExprPtr Lowering::read_blocks(const Node& node, const AffineMap& map, const Box& box) {
  // Every block the box's image touches gives the patch of the elements it holds.
  const std::vector<Key>& block_keys = keys(node);
  return read_blocks(node, map, box, [&](const std::vector<std::int64_t>& index, const Box& sub) {
    const Box block = node.block_box(index);
    const Key key = block_keys[static_cast<std::size_t>(node.block_flat(index))];
    return block_part(Expr::load_chunk(key, node.dtype(), block.extent()), map, block, sub);
  });
}

ExprPtr Lowering::read_blocks(const Node& node, const AffineMap& map, const Box& box, const BlockPart& part) {
  const Shape extent = box.extent();
  const int nd = node.ndim();
  if (shape_size(extent) == 0) return Expr::load(node.dtype(), extent, {});
  std::vector<std::int64_t> first(static_cast<std::size_t>(nd)), end(static_cast<std::size_t>(nd));
  for (int i = 0; i < nd; ++i) {
    const AxisMap& a = map[static_cast<std::size_t>(i)];
    std::int64_t vmin = a.start, vmax = a.start;
    if (a.from >= 0 && a.step != 0) {
      const auto f = static_cast<std::size_t>(a.from);
      const std::int64_t lo = a.start + a.step * box.lo[f];
      const std::int64_t hi = a.start + a.step * (box.hi[f] - 1);
      vmin = std::min(lo, hi);
      vmax = std::max(lo, hi);
    }
    const auto& off = node.offsets()[static_cast<std::size_t>(i)];
    TESSERA_ASSERT(vmin >= 0 && vmax < off.back(), "region outside the array");
    // Blocks whose [off[b], off[b+1]) meets [vmin, vmax]; zero-length blocks never do.
    first[static_cast<std::size_t>(i)] = std::upper_bound(off.begin(), off.end(), vmin) - off.begin() - 1;
    end[static_cast<std::size_t>(i)] = std::upper_bound(off.begin(), off.end(), vmax) - off.begin();
  }
  std::vector<Shape> starts;
  std::vector<ExprPtr> parts;
  for_each_index(first, end, [&](const std::vector<std::int64_t>& index) {
    // The consumer coordinates whose image lies in this block.
    const Box block = node.block_box(index);
    Box sub = box;
    for (int i = 0; i < nd; ++i) {
      const AxisMap& a = map[static_cast<std::size_t>(i)];
      if (a.from < 0 || a.step == 0) continue;
      const auto f = static_cast<std::size_t>(a.from);
      const auto [kmin, kmax] = progression_range(a.start, a.step, block.lo[static_cast<std::size_t>(i)],
                                                  block.hi[static_cast<std::size_t>(i)]);
      sub.lo[f] = std::max(sub.lo[f], kmin);
      sub.hi[f] = std::min(sub.hi[f], kmax + 1);
    }
    for (std::size_t d = 0; d < extent.size(); ++d) {
      if (sub.lo[d] >= sub.hi[d]) return;
    }
    Shape start(extent.size());
    for (std::size_t d = 0; d < extent.size(); ++d) start[d] = sub.lo[d] - box.lo[d];
    starts.push_back(std::move(start));
    parts.push_back(part(index, sub));
  });
  if (parts.empty()) return Expr::load(node.dtype(), extent, {});
  return assemble(node.dtype(), extent, starts, parts);
}

ExprPtr Lowering::block_expr(const Node& node, std::int64_t flat, const std::function<ExprPtr()>& make) {
  const auto at = std::make_pair(&node, flat);
  if (auto it = block_exprs_.find(at); it != block_exprs_.end()) return it->second;
  ExprPtr e = make();
  block_exprs_.emplace(at, e);
  return e;
}

Key Lowering::block_key(const Node& node, std::int64_t flat) {
  if (node.opaque() || keys_.contains(&node)) return keys(node)[static_cast<std::size_t>(flat)];
  const auto at = std::make_pair(&node, flat);
  if (auto it = block_keys_.find(at); it != block_keys_.end()) return it->second;
  const Box box = node.block_box(node.block_index(flat));
  const Key key = materialize_expr(region(node, identity_map(node.ndim()), box), node.label());
  block_keys_.emplace(at, key);
  return key;
}

}  // namespace tessera::array_detail
