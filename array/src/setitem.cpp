// setitem: x with x[index] = value for a basic index, as a new array. The index selects
// an arithmetic progression of positions along every axis. A block the selection misses
// reads x as is (fused into the consumer: no copy, no task of its own); a block it touches
// is one task that evaluates x's block and the value's elements for it (both fused) and
// writes the values at their positions.
#include <cstring>

#include "gpu_runners.hpp"
#include "indexing.hpp"
#include "nodes.hpp"
#include "runners.hpp"
#include "tessera/array/reshaping.hpp"
#include "tessera/core/error.hpp"

namespace tessera {
namespace array_detail {
namespace {

// The positions start + step·k, k in [0, count), selected along one axis.
struct Progression {
  std::int64_t start = 0;
  std::int64_t step = 1;
  std::int64_t count = 0;
};

// Writes a block: x's elements, then the values at first + step·k along each axis.
class SetItemRunner final : public TaskRunner {
 public:
  SetItemRunner(kernels::FusedProgram block, kernels::FusedProgram values, Shape shape, Shape counts,
                std::vector<std::int64_t> first, std::vector<std::int64_t> step)
      : block_(std::move(block)),
        values_(std::move(values)),
        shape_(std::move(shape)),
        counts_(std::move(counts)),
        first_(std::move(first)),
        step_(std::move(step)) {}

  Value run(std::span<const Value> inputs) const override {
    const auto sources = chunk_data(inputs);
    Chunk out = Chunk::allocate(block_.result_dtype(), shape_);
    kernels::evaluate_fused(block_, sources, shape_, out.buffer.data());
    Chunk values = Chunk::allocate(values_.result_dtype(), counts_);
    kernels::evaluate_fused(values_, sources, counts_, values.buffer.data());
    const std::size_t size = itemsize(out.dtype);
    const Strides strides = c_strides(shape_);
    const std::byte* from = values.buffer.data();
    for_each_index(Shape(counts_.size(), 0), counts_, [&](const std::vector<std::int64_t>& k) {
      std::int64_t at = 0;
      for (std::size_t d = 0; d < k.size(); ++d) at += (first_[d] + step_[d] * k[d]) * strides[d];
      std::memcpy(out.buffer.data() + static_cast<std::size_t>(at) * size, from, size);
      from += size;
    });
    return Value::make(std::move(out));
  }

  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (gpu_context(context) != nullptr) {
        return gpu::set_items(block_, values_, shape_, counts_, first_, step_, inputs, context);
      }
    }
    return run(inputs);
  }

  Placement placement() const override { return gpu_preferred_if(true); }

 private:
  kernels::FusedProgram block_, values_;
  Shape shape_, counts_;
  std::vector<std::int64_t> first_, step_;
};

class SetItemNode final : public Node {
 public:
  /// `values` has one axis per axis of x: the selected positions' values, in order.
  SetItemNode(Array x, Array values, std::vector<Progression> selection)
      : Node(x.shape(), x.dtype(), x.chunks()), x_(std::move(x)), values_(std::move(values)), selection_(std::move(selection)) {}
  std::vector<const Node*> inputs() const override { return {x_.node().get(), values_.node().get()}; }
  bool transparent() const override { return true; }
  std::string label() const override { return "setitem"; }

  ExprPtr region(Lowering& lowering, const AffineMap& map, const Box& box) const override {
    return lowering.read_blocks(*this, map, box, [&](const std::vector<std::int64_t>& index, const Box& sub) {
      const Box block = block_box(index);
      Box hit;
      if (!selected(block, hit)) return lowering.region(*x_.node(), map, sub);
      const ExprPtr e = lowering.block_expr(*this, block_flat(index), [&] {
        return Expr::load_chunk(updated_block(lowering, block, hit), dtype(), block.extent());
      });
      return block_part(e, map, block, sub);
    });
  }

 private:
  // Whether the selection meets `block`, and in `hit` the range of k it takes along each axis.
  bool selected(const Box& block, Box& hit) const {
    hit.lo.assign(selection_.size(), 0);
    hit.hi.assign(selection_.size(), 0);
    for (std::size_t d = 0; d < selection_.size(); ++d) {
      const Progression& p = selection_[d];
      auto [first, last] = progression_range(p.start, p.step, block.lo[d], block.hi[d]);
      first = std::max<std::int64_t>(first, 0);
      last = std::min(last, p.count - 1);
      if (first > last) return false;
      hit.lo[d] = first;
      hit.hi[d] = last + 1;
    }
    return true;
  }

  Key updated_block(Lowering& lowering, const Box& block, const Box& hit) const {
    std::vector<Key> sources;
    kernels::FusedProgram x_program =
        compile(lowering.bounded(lowering.region(*x_.node(), identity_map(ndim()), block), "setitem"), sources);
    std::vector<Key> value_sources;
    kernels::FusedProgram value_program = compile(
        lowering.bounded(lowering.region(*values_.node(), identity_map(ndim()), hit), "setitem"), value_sources);
    // Both programs read the task's inputs: renumber the value program's sources into them.
    for (kernels::LoadLeaf& leaf : value_program.loads) {
      for (kernels::Patch& p : leaf.patches) {
        const Key key = value_sources[static_cast<std::size_t>(p.source)];
        auto it = std::find(sources.begin(), sources.end(), key);
        if (it == sources.end()) it = sources.insert(sources.end(), key);
        p.source = static_cast<int>(it - sources.begin());
      }
    }
    std::vector<std::int64_t> first, step;
    for (std::size_t d = 0; d < selection_.size(); ++d) {
      first.push_back(selection_[d].start + selection_[d].step * hit.lo[d] - block.lo[d]);
      step.push_back(selection_[d].step);
    }
    return lowering.add_task("setitem", std::move(sources),
                             std::make_shared<SetItemRunner>(std::move(x_program), std::move(value_program),
                                                             block.extent(), hit.extent(), std::move(first),
                                                             std::move(step)));
  }

  Array x_;
  Array values_;
  std::vector<Progression> selection_;
};

}  // namespace
}  // namespace array_detail

Array setitem(const Array& x, const std::vector<IndexItem>& index, const Array& value) {
  using namespace array_detail;
  const BasicIndex resolved = resolve_index(x.shape(), index);
  const Shape& region = resolved.shape;
  // NumPy drops leading length-1 axes of a value with more axes than the region.
  Array v = value.astype(x.dtype());
  while (v.ndim() > static_cast<int>(region.size()) && v.shape()[0] == 1) v = squeeze(v, {0});
  const bool fits = v.ndim() <= static_cast<int>(region.size()) && [&] {
    for (int j = 1; j <= v.ndim(); ++j) {
      const std::int64_t n = v.shape()[v.shape().size() - static_cast<std::size_t>(j)];
      if (n != 1 && n != region[region.size() - static_cast<std::size_t>(j)]) return false;
    }
    return true;
  }();
  if (!fits) {
    throw ValueError("setitem: could not broadcast a value of shape " + shape_to_string(value.shape()) +
                     " into the indexed region of shape " + shape_to_string(region));
  }
  if (shape_size(region) == 0) return x;
  v = broadcast_to(v, region);
  // The values laid out along x's axes (length 1 where x is indexed by an integer); the
  // region's new axes have length 1 and are read at 0.
  AffineMap layout(region.size(), AxisMap{-1, 0, 0});
  Shape grid;
  ChunkSizes grid_chunks;
  std::vector<Progression> selection;
  for (std::size_t d = 0; d < resolved.map.size(); ++d) {
    const AxisMap& a = resolved.map[d];
    if (a.from < 0) {
      selection.push_back({a.start, 1, 1});
      grid.push_back(1);
      grid_chunks.push_back({1});
      continue;
    }
    const auto j = static_cast<std::size_t>(a.from);
    layout[j] = AxisMap{static_cast<int>(d), 0, 1};
    selection.push_back({a.start, a.step, region[j]});
    grid.push_back(region[j]);
    grid_chunks.push_back(v.chunks()[j]);
  }
  Array values = make_array<ViewNode>(v, std::move(layout), std::move(grid), std::move(grid_chunks), "setitem-value");
  return make_array<SetItemNode>(x, std::move(values), std::move(selection));
}

Array setitem(const Array& x, const std::vector<IndexItem>& index, Scalar value) {
  return setitem(x, index, scalar_array(value));
}

}  // namespace tessera
