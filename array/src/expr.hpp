// Block expressions: what one chunk of a lazily evaluated array is, before it becomes a
// task. Leaves read materialized chunks (by key) through patches, compute values from
// global indices, or broadcast a constant; inner nodes apply elementwise kernels. Views
// (slices, transposes, broadcasts) are affine maps applied to the leaves, so they cost
// nothing at run time and fuse into whatever consumes them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tessera/core/key.hpp"
#include "tessera/core/shape.hpp"
#include "tessera/kernels/fused.hpp"

namespace tessera::array_detail {

/// A kernels::Patch that names its source chunk by key.
struct PatchRef {
  Key key;
  Shape lo;
  Shape hi;
  std::int64_t offset = 0;
  Strides strides;
  /// Elements in the source chunk when known (-1 otherwise): a load is the whole chunk
  /// only when it reads all of them.
  std::int64_t source_size = -1;
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  enum class Kind : std::uint8_t { load, generate, constant, apply };
  Kind kind = Kind::constant;
  DType dtype = DType::float64;
  Shape shape;
  std::vector<PatchRef> patches;        // load
  kernels::GenerateLeaf generator;      // generate
  kernels::ConstantLeaf constant;       // constant
  kernels::ElementwiseFn fn = nullptr;  // apply
  std::string op;                       // apply: for task names and descriptions
  std::vector<ExprPtr> args;            // apply
  /// Instructions the tree compiles to (counting shared subtrees once per use), to keep
  /// fused programs bounded.
  std::int64_t weight = 1;

  static ExprPtr load(DType dtype, Shape shape, std::vector<PatchRef> patches);
  /// Reads the whole C-contiguous chunk `key` of `shape` as is.
  static ExprPtr load_chunk(Key key, DType dtype, const Shape& shape);
  static ExprPtr apply(std::string op, kernels::ElementwiseFn fn, DType dtype, std::vector<ExprPtr> args);
  static ExprPtr constant_of(const kernels::ConstantLeaf& c, Shape shape);
  static ExprPtr generate(kernels::GenerateLeaf g, Shape shape);

  /// True for a load reading the whole of one chunk in C order: materializing it again
  /// would be a copy.
  bool is_whole_chunk() const;
};

/// How one axis of the old (mapped-from) coordinates follows from the new coordinates:
/// old = start + step · new[from], or old = start when from < 0.
struct AxisMap {
  int from = -1;
  std::int64_t start = 0;
  std::int64_t step = 0;
};
/// One AxisMap per old axis.
using AffineMap = std::vector<AxisMap>;

/// The positions k of an arithmetic progression start + step·k (step ≠ 0) that fall in
/// [lo, hi): the range [first, last], empty when first > last.
std::pair<std::int64_t, std::int64_t> progression_range(std::int64_t start, std::int64_t step, std::int64_t lo,
                                                        std::int64_t hi);

/// The identity map of `ndim` axes.
AffineMap identity_map(int ndim);
/// `outer` after `inner`: new → mid by `outer`... i.e. old = inner(outer(new)).
AffineMap compose(const AffineMap& inner, const AffineMap& outer);
/// Shifts a map expressed in global coordinates into one from block-local new coordinates
/// (block starts at `new_lo`) to block-local old coordinates (old block starts at `old_lo`).
AffineMap localize(const AffineMap& map, const Shape& new_lo, const Shape& old_lo);

/// The expression whose element at new coordinates c is `e`'s element at map(c).
ExprPtr remap(const ExprPtr& e, const AffineMap& map, const Shape& new_shape);

/// Compiles an expression into a fused program; `sources` receives the keys its loads
/// read, in the order the program's source indices refer to them.
kernels::FusedProgram compile(const ExprPtr& e, std::vector<Key>& sources);

/// A short name for the expression's task ("add", "sin", "copy").
std::string expr_name(const ExprPtr& e);

}  // namespace tessera::array_detail
