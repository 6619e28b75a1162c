// Nodes of the high-level expression graph and the lowering that turns them into tasks.
//
// Every node knows its shape, dtype and chunks. Lowering asks a node for a *region*: the
// block expression of a box of its elements seen through an affine map. Fusible nodes
// (elementwise, views, generators, constants) answer by building expressions from their
// inputs' regions, so chains of them become one task per consumer block; other nodes
// (reductions, matmul, map_blocks) and nodes several consumers share are materialized:
// their blocks become tasks once, and regions of them read those chunks by key.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "expr.hpp"
#include "tessera/array/chunking.hpp"
#include "tessera/core/future.hpp"
#include "tessera/core/graph.hpp"

namespace tessera::array_detail {

class Lowering;

/// A box [lo, hi) of an array's global coordinates.
struct Box {
  Shape lo;
  Shape hi;
  Shape extent() const;
};

/// Calls f(index) for every multi-index of the box [lo, hi) in C order (once for 0-d,
/// never for an empty box).
template <class F>
void for_each_index(const std::vector<std::int64_t>& lo, const std::vector<std::int64_t>& hi, F&& f) {
  for (std::size_t d = 0; d < lo.size(); ++d) {
    if (lo[d] >= hi[d]) return;
  }
  std::vector<std::int64_t> index = lo;
  while (true) {
    f(std::as_const(index));
    std::size_t d = index.size();
    while (d > 0 && ++index[d - 1] == hi[d - 1]) {
      index[d - 1] = lo[d - 1];
      --d;
    }
    if (d == 0) return;
  }
}

class Node {
 public:
  Node(Shape shape, DType dtype, ChunkSizes chunks);
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const Shape& shape() const noexcept { return shape_; }
  DType dtype() const noexcept { return dtype_; }
  const ChunkSizes& chunks() const noexcept { return chunks_; }
  int ndim() const noexcept { return static_cast<int>(shape_.size()); }

  /// Nodes this one reads.
  virtual std::vector<const Node*> inputs() const = 0;
  /// Cheap to recompute per consumer (views, constants): never materialized just
  /// because several consumers share it; their sharing passes to the inputs.
  virtual bool transparent() const { return false; }
  /// Produces the node's blocks as tasks itself (reductions, matmul): `materialize`
  /// below is used instead of regions.
  virtual bool opaque() const { return false; }
  /// For fusible nodes: the expression of the elements map(c) for c in `box` (of the
  /// consumer's coordinates). `map` has one AxisMap per axis of this node.
  virtual ExprPtr region(Lowering& lowering, const AffineMap& map, const Box& box) const;
  /// For opaque nodes: adds the tasks producing every block; returns their keys (C order
  /// over the block grid), each holding a C-contiguous Chunk of the block's shape.
  virtual std::vector<Key> materialize(Lowering& lowering) const;
  /// A Python-like short name ("add", "sum", "transpose").
  virtual std::string label() const = 0;

  /// The number of blocks along each axis and the start of each block.
  std::vector<std::int64_t> numblocks() const;
  const std::vector<std::vector<std::int64_t>>& offsets() const noexcept { return offsets_; }
  /// Box of block `index` (a multi-index over the block grid).
  Box block_box(const std::vector<std::int64_t>& index) const;
  std::int64_t block_count() const;
  /// Multi-index of the flat (C-order) block number `flat`.
  std::vector<std::int64_t> block_index(std::int64_t flat) const;
  /// The flat (C-order) block number of multi-index `index`.
  std::int64_t block_flat(const std::vector<std::int64_t>& index) const;

 private:
  Shape shape_;
  DType dtype_;
  ChunkSizes chunks_;
  std::vector<std::vector<std::int64_t>> offsets_;  // per axis: block starts plus the end
};

using NodePtr = std::shared_ptr<const Node>;

/// The part of a block's expression `e` (block-local coordinates, block box `block`) that
/// a consumer reads through `map` over its coordinates `sub`.
inline ExprPtr block_part(const ExprPtr& e, const AffineMap& map, const Box& block, const Box& sub) {
  return remap(e, localize(map, sub.lo, block.lo), sub.extent());
}

/// Builds the task graph for a set of target nodes.
class Lowering {
 public:
  explicit Lowering(const std::vector<const Node*>& targets);

  /// The keys of every block of `node`, adding the tasks that produce them (once).
  const std::vector<Key>& keys(const Node& node);
  /// The expression of `node`'s elements map(c) for c in `box`, fused where possible.
  ExprPtr region(const Node& node, const AffineMap& map, const Box& box);
  /// The same elements read from `node`'s materialized blocks (made tasks if they are
  /// not yet): a load of patches of every block the box's image touches.
  ExprPtr read_blocks(const Node& node, const AffineMap& map, const Box& box);
  /// Joins the expression of `node`'s elements map(c), c in `box`, from per-block parts:
  /// `part(index, sub)` gives the elements map(c) for c in `sub`, the part of `box` whose
  /// image lies in block `index`. For nodes whose blocks are built one by one.
  using BlockPart = std::function<ExprPtr(const std::vector<std::int64_t>& index, const Box& sub)>;
  ExprPtr read_blocks(const Node& node, const AffineMap& map, const Box& box, const BlockPart& part);
  /// Memoizes, per lowering, an expression of block `flat` of `node` (in block-local
  /// coordinates): `make` runs on the first request only, so the tasks it adds are added once
  /// however many consumer regions touch the block.
  ExprPtr block_expr(const Node& node, std::int64_t flat, const std::function<ExprPtr()>& make);
  /// A key holding block `flat` of `node`, adding tasks for that block only (once per
  /// lowering): for consumers that need some blocks of an input but not all.
  Key block_key(const Node& node, std::int64_t flat);
  /// A task computing `e` (unless it already is a whole chunk); returns its key.
  Key materialize_expr(const ExprPtr& e, const std::string& name);
  /// Adds a task. `name` prefixes its readable name.
  Key add_task(const std::string& name, std::vector<Key> dependencies, std::shared_ptr<const TaskRunner> runner);
  /// Keeps `e` small: loads and leaves stay, larger subtrees past the fusion limit become
  /// tasks of their own.
  ExprPtr bounded(const ExprPtr& e, const std::string& name);

  /// Adds a task returning `value` under the fixed `key`, once per lowering.
  void add_literal(Key key, const Value& value, const std::string& name);
  /// Joins expressions of sub-boxes (each a load; others are materialized first) into the
  /// expression of a box of `extent`; `starts[i]` is where part i begins in the box.
  ExprPtr assemble(DType dtype, const Shape& extent, const std::vector<Shape>& starts, const std::vector<ExprPtr>& parts);

  Graph& graph() noexcept { return graph_; }

 private:
  bool shared(const Node& node) const;

  Graph graph_;
  std::unordered_map<const Node*, int> consumers_;
  std::unordered_map<const Node*, std::vector<Key>> keys_;
  std::unordered_map<Key, Shape> literals_;  // a literal's key and its chunk's shape
  std::map<std::pair<const Node*, std::int64_t>, ExprPtr> block_exprs_;
  std::map<std::pair<const Node*, std::int64_t>, Key> block_keys_;
  std::uint64_t counter_ = 0;
};

/// Largest fused program, in instructions, before subexpressions become tasks of their own.
inline constexpr std::int64_t kMaxFusedWeight = 96;

}  // namespace tessera::array_detail
