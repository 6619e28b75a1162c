// Inclusive scans along an axis across chunks (cumulative_sum, cumulative_prod). Each block
// is scanned on its own by one task, with its input's expression fused in (on a GPU
// worker when there is one); the last slice of every block is carried forward along the
// axis by a chain of small fused tasks per lane of blocks; each block is then combined
// with the carry of the blocks before it by one fused task. Within a block, every element is accumulated sequentially
// as NumPy's cumsum does; across blocks, a float carry is added to a block's own running sums, so the last bits can
// differ from one sequential pass (as in dask.array).
#include <array>

#include "axis_split.hpp"
#include "gpu_runners.hpp"
#include "nodes.hpp"
#include "runners.hpp"
#include "tessera/array/reshaping.hpp"
#include "tessera/core/error.hpp"

namespace tessera {
namespace array_detail {
namespace {

// Evaluates a block's fused input and scans it along the axis: on the host in place with
// the elementwise `combine` kernel (add or multiply of the scan's dtype), one slice at a
// time; on a GPU with one generated kernel that evaluates and scans together.
class ScanBlockRunner final : public TaskRunner {
 public:
  ScanBlockRunner(kernels::FusedProgram program, Shape shape, int axis, std::string op, kernels::ElementwiseFn combine)
      : program_(std::move(program)), shape_(std::move(shape)), axis_(axis), op_(std::move(op)), combine_(combine) {}

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

  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (gpu_context(context) != nullptr)
        return gpu::scan_fused(program_, shape_, axis_, op_, inputs, context);
    }
    return run(inputs);
  }

  Placement placement() const override { return gpu_preferred_if(gpu::has_scan(op_, program_.result_dtype())); }

 private:
  kernels::FusedProgram program_;
  Shape shape_;
  int axis_;
  std::string op_;
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
        const Key scanned =
            lowering.add_task(name_ + "-block", std::move(sources),
                              std::make_shared<ScanBlockRunner>(std::move(program), extent, axis_, op_, combine_));
        Key result = scanned;
        if (carry) {
          const ExprPtr sum = Expr::apply(op_, combine_, dtype(),
                                          {Expr::load_chunk(scanned, dtype(), extent), carried(*carry, extent)});
          result = lowering.materialize_expr(sum, name_);
        }
        keys[static_cast<std::size_t>(block_flat(index))] = result;
        if (j + 1 < along && extent[axis] > 0) {
          // The running total after this block: its last slice, after the carry before it.
          ExprPtr total = last_slice(scanned, extent);
          if (carry) total = Expr::apply(op_, combine_, dtype(), {carried(*carry, slice_shape(extent)), total});
          carry = lowering.materialize_expr(total, name_ + "-carry");
        }
      }
    }
    return keys;
  }

 private:
  // A block's extent with the axis 1: the shape of a carry.
  Shape slice_shape(const Shape& extent) const {
    Shape shape = extent;
    shape[static_cast<std::size_t>(axis_)] = 1;
    return shape;
  }

  // The carry chunk read across a region of `extent` (the same along the axis).
  ExprPtr carried(Key carry, const Shape& extent) const {
    PatchRef p;
    p.key = carry;
    p.lo = Shape(extent.size(), 0);
    p.hi = extent;
    p.strides = c_strides(slice_shape(extent));
    p.strides[static_cast<std::size_t>(axis_)] = 0;
    return Expr::load(dtype(), extent, {std::move(p)});
  }

  // The last slice along the axis of the scanned block `block` of `extent`.
  ExprPtr last_slice(Key block, const Shape& extent) const {
    const Shape shape = slice_shape(extent);
    PatchRef p;
    p.key = block;
    p.lo = Shape(extent.size(), 0);
    p.hi = shape;
    p.strides = c_strides(extent);
    p.offset = (extent[static_cast<std::size_t>(axis_)] - 1) * p.strides[static_cast<std::size_t>(axis_)];
    p.source_size = shape_size(extent);
    return Expr::load(dtype(), shape, {std::move(p)});
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
    case DTypeKind::signed_integer:
      return DType::int64;
    case DTypeKind::unsigned_integer:
      return DType::uint64;
    default:
      return d;
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

Array cumulative_sum(const Array& x, std::optional<std::int64_t> axis, std::optional<DType> dtype,
                     bool include_initial) {
  return array_detail::scan(x, "cumulative_sum", "add", 0, axis, dtype, include_initial);
}

Array cumulative_prod(const Array& x, std::optional<std::int64_t> axis, std::optional<DType> dtype,
                      bool include_initial) {
  return array_detail::scan(x, "cumulative_prod", "multiply", 1, axis, dtype, include_initial);
}

}  // namespace tessera
