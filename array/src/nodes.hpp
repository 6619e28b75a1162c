// The node types of the expression graph.
#pragma once

#include <functional>
#include <map>
#include <mutex>

#include "node.hpp"
#include "tessera/array/array.hpp"
#include "tessera/core/value.hpp"
#include "tessera/kernels/registry.hpp"

namespace tessera::array_detail {

/// A host array handed to tessera: one literal chunk (copied, or the caller's memory)
/// that every block reads patches of.
class SourceNode final : public Node {
 public:
  SourceNode(Chunk whole, ChunkSizes chunks);
  std::vector<const Node*> inputs() const override { return {}; }
  bool transparent() const override { return true; }
  ExprPtr region(Lowering& lowering, const AffineMap& map, const Box& box) const override;
  std::string label() const override { return "array"; }

 private:
  // A literal of the rows of block rows [first, last] of the data: contiguous in C order,
  // so a view of it without a copy. A task reads the span of the block rows its region
  // touches (one patch, however many rows), and a GPU worker copies in that, never the
  // whole source when less will do.
  struct Span {
    Key key;
    Value value;
    PatchRef patch;  // where it lies in the array, and how its elements are laid out
  };
  const Span& span(std::size_t first, std::size_t last) const;  // made on first use
  /// The block rows [first, last] that map(box) touches along axis 0.
  std::pair<std::size_t, std::size_t> block_rows(const AffineMap& map, const Box& box) const;

  Chunk whole_;
  Strides strides_;
  mutable std::mutex mutex_;  // guards spans_: arrays may be lowered on several threads
  mutable std::map<std::pair<std::size_t, std::size_t>, Span> spans_;
};

/// Chunks kept on the workers by persist(): the futures keep them alive.
class PersistedNode final : public Node {
 public:
  PersistedNode(Shape shape, DType dtype, ChunkSizes chunks, std::vector<Future<Value>> futures);
  std::vector<const Node*> inputs() const override { return {}; }
  bool opaque() const override { return true; }
  std::vector<Key> materialize(Lowering& lowering) const override;
  std::string label() const override { return "persisted"; }

 private:
  std::vector<Future<Value>> futures_;
};

/// Values computed from the global element index: full, arange, linspace, eye, random.
class GenerateNode final : public Node {
 public:
  GenerateNode(Shape shape, DType dtype, ChunkSizes chunks, std::string op, kernels::GeneratorParams params);
  std::vector<const Node*> inputs() const override { return {}; }
  ExprPtr region(Lowering& lowering, const AffineMap& map, const Box& box) const override;
  std::string label() const override { return op_; }

 private:
  std::string op_;
  kernels::GenerateLeaf leaf_;
};

/// A 0-d scalar operand; `weak` scalars promote as Python scalars do.
class ConstantNode final : public Node {
 public:
  ConstantNode(DType dtype, kernels::ConstantLeaf value, std::optional<ScalarKind> weak);
  std::vector<const Node*> inputs() const override { return {}; }
  bool transparent() const override { return true; }
  ExprPtr region(Lowering& lowering, const AffineMap& map, const Box& box) const override;
  std::string label() const override { return "scalar"; }
  std::optional<ScalarKind> weak() const noexcept { return weak_; }
  const kernels::ConstantLeaf& value() const noexcept { return value_; }

 private:
  kernels::ConstantLeaf value_;
  std::optional<ScalarKind> weak_;
};

/// An elementwise kernel over broadcast operands (already cast to the kernel's dtypes).
class ElementwiseNode final : public Node {
 public:
  ElementwiseNode(std::string op, const kernels::ElementwiseKernel& kernel, std::vector<Array> operands, Shape shape,
                  ChunkSizes chunks);
  std::vector<const Node*> inputs() const override;
  ExprPtr region(Lowering& lowering, const AffineMap& map, const Box& box) const override;
  std::string label() const override { return op_; }

 private:
  std::string op_;
  kernels::ElementwiseFn fn_;
  std::vector<Array> operands_;
};

/// An affine view of its input (slicing, transposition, broadcasting, flips, new axes,
/// rechunking): element c is the input's element map(c). Costs nothing until consumed.
class ViewNode final : public Node {
 public:
  ViewNode(Array input, AffineMap map, Shape shape, ChunkSizes chunks, std::string label);
  std::vector<const Node*> inputs() const override { return {input_.node().get()}; }
  bool transparent() const override { return true; }
  ExprPtr region(Lowering& lowering, const AffineMap& map, const Box& box) const override;
  std::string label() const override { return label_; }

 private:
  Array input_;
  AffineMap map_;
  std::string label_;
};

/// Arrays joined along an axis; each block comes from one of them.
class ConcatNode final : public Node {
 public:
  ConcatNode(std::vector<Array> inputs, int axis, Shape shape, ChunkSizes chunks);
  std::vector<const Node*> inputs() const override;
  bool transparent() const override { return true; }
  ExprPtr region(Lowering& lowering, const AffineMap& map, const Box& box) const override;
  std::string label() const override { return "concat"; }

 private:
  std::vector<Array> inputs_;
  std::vector<std::int64_t> starts_;  // where each input begins along the axis
  int axis_;
};

/// A tree reduction over a set of axes.
class ReductionNode final : public Node {
 public:
  ReductionNode(Array input, std::string op, const kernels::ReductionKernel* kernel, std::vector<int> axes,
                bool keepdims, int split_every, double correction, bool flat_index);
  std::vector<const Node*> inputs() const override { return {input_.node().get()}; }
  bool opaque() const override { return true; }
  std::vector<Key> materialize(Lowering& lowering) const override;
  std::string label() const override { return op_; }

 private:
  Array input_;
  std::string op_;
  const kernels::ReductionKernel* kernel_;
  std::vector<bool> reduced_;
  bool keepdims_;
  int split_every_;
  double correction_;
  bool flat_index_;  // argmin/argmax over all axes: indices into the flattened array
};

/// How the axes of a blocked product's operands split into groups: a is
/// (batch..., rows..., contracted...), b is (batch..., contracted..., cols...), the result
/// (batch..., rows..., cols...). matmul is {batch, 1, 1, 1}; tensordot {0, free, n, free}.
struct ContractionLayout {
  int batch = 0;
  int rows = 1;
  int contracted = 1;
  int cols = 1;
};

/// C = A · B for every batch element, blocked: an operand block's C-contiguous elements
/// are a stack of matrices (rows × contracted, contracted × cols), so BLAS reads them
/// without a reshape. Each output block sums the products over the contracted block
/// tuples. Preconditions: b's contracted chunks equal a's; batch axes of equal length
/// have equal chunks; batch axes of length 1 broadcast.
class MatmulNode final : public Node {
 public:
  /// The product's dtype is the operands', or `out_dtype` where kernels::matmul_block
  /// accumulates them in a wider one.
  MatmulNode(Array a, Array b, ContractionLayout layout, DType out_dtype);
  std::vector<const Node*> inputs() const override { return {a_.node().get(), b_.node().get()}; }
  bool opaque() const override { return true; }
  std::vector<Key> materialize(Lowering& lowering) const override;
  std::string label() const override { return "matmul"; }

 private:
  Array a_, b_;
  ContractionLayout layout_;
};

class MapBlocksNode final : public Node {
 public:
  MapBlocksNode(Array input, std::function<Chunk(const Chunk&)> fn, DType dtype);
  std::vector<const Node*> inputs() const override { return {input_.node().get()}; }
  bool opaque() const override { return true; }
  std::vector<Key> materialize(Lowering& lowering) const override;
  std::string label() const override { return "map_blocks"; }

 private:
  Array input_;
  std::function<Chunk(const Chunk&)> fn_;
};

/// Shorthand for making an Array of a new node.
template <class N, class... Args>
Array make_array(Args&&... args) {
  return Array(std::make_shared<const N>(std::forward<Args>(args)...));
}

}  // namespace tessera::array_detail
