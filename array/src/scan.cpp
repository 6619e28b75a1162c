// Inclusive scans along an axis across chunks (cumulative_sum, cumulative_prod). Each block
// is scanned on its own by one task, with its input's expression fused in; the last slice
// of every block is carried forward along the axis by a chain of small tasks per lane of
// blocks; each block is then combined with the carry of the blocks before it by one fused
// task. Within a block, every element is accumulated sequentially as NumPy's cumsum does;
// across blocks, a float carry is added to a block's own running sums, so the last bits
// can differ from one sequential pass (as in dask.array).
#include <array>
#include <cstring>

#include "axis_split.hpp"
#include "nodes.hpp"
#include "runners.hpp"
#include "tessera/array/reshaping.hpp"
#include "tessera/core/error.hpp"

namespace tessera {
namespace array_detail {
namespace {

// Evaluates a block's fused input and scans it in place along the axis with the
// elementwise `combine` kernel (add or multiply of the scan's dtype), one slice at a time.
class ScanBlockRunner final : public TaskRunner {
 public:
  ScanBlockRunner(kernels::FusedProgram program, Shape shape, int axis, kernels::ElementwiseFn combine)
      : program_(std::move(program)), shape_(std::move(shape)), axis_(axis), combine_(combine) {}

  Value run(std::span<const Value> inputs) const override {
    Chunk out = Chunk::allocate(program_.result_dtype(), shape_);
    if (out.size() == 0) return Value::make(std::move(out));
    kernels::evaluate_fused(program_, chunk_data(inputs), shape_, out.buffer.data());
    const AxisSplit s = split_at(shape_, axis_);
    const std::size_t slice = static_cast<std::size_t>(s.inner) * itemsize(out.dtype);
    for (std::int64_t o = 0; o < s.outer; ++o) {
      std::byte* at = out.buffer.data() + static_cast<std::size_t>(o * s.length) * slice;
      for (std::int64_t i = 1; i < s.length; ++i) {
        std::byte* current = at + static_cast<std::size_t>(i) * slice;
        const void* args[2] = {current - slice, current};
        combine_(args, current, static_cast<std::size_t>(s.inner));
      }
    }
    return Value::make(std::move(out));
  }

 private:
  kernels::FusedProgram program_;
  Shape shape_;
  int axis_;
  kernels::ElementwiseFn combine_;
};

// The running total after a block: its last slice along the axis, combined after the
// carry of the blocks before it when there is one (inputs: [carry,] scanned block).
class CarryRunner final : public TaskRunner {
 public:
  CarryRunner(int axis, kernels::ElementwiseFn combine) : axis_(axis), combine_(combine) {}

  Value run(std::span<const Value> inputs) const override {
    const Chunk& block = inputs.back().get<Chunk>();
    Shape shape = block.shape;
    shape[static_cast<std::size_t>(axis_)] = 1;
    Chunk out = Chunk::allocate(block.dtype, shape);
    const AxisSplit s = split_at(block.shape, axis_);
    const std::size_t slice = static_cast<std::size_t>(s.inner) * itemsize(block.dtype);
    for (std::int64_t o = 0; o < s.outer; ++o) {
      std::memcpy(out.buffer.data() + static_cast<std::size_t>(o) * slice,
                  block.buffer.data() + static_cast<std::size_t>(o * s.length + s.length - 1) * slice, slice);
    }
    if (inputs.size() == 2 && out.size() > 0) {
      const void* args[2] = {inputs[0].get<Chunk>().buffer.data(), out.buffer.data()};
      combine_(args, out.buffer.data(), static_cast<std::size_t>(out.size()));
    }
    return Value::make(std::move(out));
  }

 private:
  int axis_;
  kernels::ElementwiseFn combine_;
};

class ScanNode final : public Node {
 public:
  ScanNode(Array input, int axis, std::string name, std::string op, const kernels::ElementwiseKernel& kernel)
      : Node(input.shape(), input.dtype(), input.chunks()),
        input_(std::move(input)),
        axis_(axis),
        name_(std::move(name)),
        op_(std::move(op)),
        combine_(kernel.fn) {}
  std::vector<const Node*> inputs() const override { return {input_.node().get()}; }
  bool opaque() const override { return true; }
  std::string label() const override { return name_; }

  std::vector<Key> materialize(Lowering& lowering) const override {
    const Node& in = *input_.node();
    const auto axis = static_cast<std::size_t>(axis_);
    const std::int64_t along = numblocks()[axis];
    std::vector<Key> keys(static_cast<std::size_t>(block_count()));
    for (std::int64_t b = 0; b < block_count(); ++b) {
      std::vector<std::int64_t> index = block_index(b);
      if (index[axis] != 0) continue;  // walk each lane of blocks from its first one
      std::optional<Key> carry;
      for (std::int64_t j = 0; j < along; ++j) {
        index[axis] = j;
        const Shape extent = block_box(index).extent();
        const ExprPtr e = lowering.bounded(lowering.region(in, identity_map(ndim()), block_box(index)), name_);
        std::vector<Key> sources;
        kernels::FusedProgram program = compile(e, sources);
        const Key scanned = lowering.add_task(name_ + "-block", std::move(sources),
                                              std::make_shared<ScanBlockRunner>(std::move(program), extent, axis_, combine_));
        Key result = scanned;
        if (carry) {
          const ExprPtr sum = Expr::apply(op_, combine_, dtype(),
                                          {Expr::load_chunk(scanned, dtype(), extent), carried(*carry, extent)});
          result = lowering.materialize_expr(sum, name_);
        }
        keys[static_cast<std::size_t>(block_flat(index))] = result;
        if (j + 1 < along && extent[axis] > 0) {
          std::vector<Key> deps;
          if (carry) deps.push_back(*carry);
          deps.push_back(scanned);
          carry = lowering.add_task(name_ + "-carry", std::move(deps), std::make_shared<CarryRunner>(axis_, combine_));
        }
      }
    }
    return keys;
  }

 private:
  // The carry chunk (the block's shape with the axis 1) read across the whole block.
  ExprPtr carried(Key carry, const Shape& extent) const {
    Shape shape = extent;
    shape[static_cast<std::size_t>(axis_)] = 1;
    PatchRef p;
    p.key = carry;
    p.lo = Shape(extent.size(), 0);
    p.hi = extent;
    p.strides = c_strides(shape);
    p.strides[static_cast<std::size_t>(axis_)] = 0;
    return Expr::load(dtype(), extent, {std::move(p)});
  }

  Array input_;
  int axis_;
  std::string name_;
  std::string op_;
  kernels::ElementwiseFn combine_;
};

// NumPy's accumulation dtype: integers and bool widen to 64 bits.
DType accumulation_dtype(DType d) {
  switch (kind(d)) {
    case DTypeKind::boolean:
    case DTypeKind::signed_integer: return DType::int64;
    case DTypeKind::unsigned_integer: return DType::uint64;
    default: return d;
  }
}

Array scan(const Array& x, const std::string& name, const std::string& op, Scalar identity,
           std::optional<std::int64_t> axis, std::optional<DType> dtype, bool include_initial) {
  if (!axis) {
    if (x.ndim() != 1) {
      throw ValueError(name + ": axis must be given for an array of dimension " + std::to_string(x.ndim()) +
                       " (shape " + shape_to_string(x.shape()) + ")");
    }
    axis = 0;
  }
  const int a = normalize_axis(*axis, x.ndim());
  const DType out = dtype.value_or(accumulation_dtype(x.dtype()));
  const std::array<DType, 2> signature{out, out};
  const kernels::ElementwiseKernel* kernel =
      kernels::KernelRegistry::instance().find_elementwise(op, signature, DeviceKind::cpu);
  if (kernel == nullptr) throw TypeError(name + " is not supported for dtype " + to_string(out));
  Array scanned = make_array<ScanNode>(x.astype(out), a, name, op, *kernel);
  if (!include_initial) return scanned;
  Shape first = x.shape();
  first[static_cast<std::size_t>(a)] = 1;
  ChunkSizes chunks = x.chunks();
  chunks[static_cast<std::size_t>(a)] = {1};
  return concat({full(first, identity, {.dtype = out, .chunks = ChunkSpec(chunks)}), scanned}, a);
}

}  // namespace
}  // namespace array_detail

Array cumulative_sum(const Array& x, std::optional<std::int64_t> axis, std::optional<DType> dtype, bool include_initial) {
  return array_detail::scan(x, "cumulative_sum", "add", 0, axis, dtype, include_initial);
}

Array cumulative_prod(const Array& x, std::optional<std::int64_t> axis, std::optional<DType> dtype, bool include_initial) {
  return array_detail::scan(x, "cumulative_prod", "multiply", 1, axis, dtype, include_initial);
}

}  // namespace tessera
