// Selections by a boolean mask: boolean_index, argwhere and nonzero. The mask is persisted
// and its true elements counted per block (tasks on the workers); the result has one chunk
// per block of the mask's axis 0 (a "slab": rows contiguous in C order, so each chunk is
// its slab's selection in C order) whose count is not zero.
#include <cstring>

#include "block_task_node.hpp"
#include "data_dependent.hpp"
#include "gpu_runners.hpp"
#include "runners.hpp"
#include "tessera/array/sorting.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/slab_table.hpp"

namespace tessera {

using array_detail::BlockTask;
using array_detail::BlockTaskNode;
using array_detail::Node;
using array_detail::gpu_context;
using array_detail::gpu_preferred_if;
namespace gpu = array_detail::gpu;

namespace {

// The elements of one slab and where they lie in its mask blocks: the blocks along axis 0
// are that one block, along the other axes all of them. Its table (slab_table.hpp) finds
// them, on the host as on a GPU.
struct Slab {
  Shape lo, hi;                    // the slab's box in mask coordinates
  std::vector<std::int64_t> grid;  // its blocks per axis
  std::vector<std::int64_t> table;

  Slab(const Node& mask, std::int64_t s) {
    std::vector<std::vector<std::int64_t>> cuts;
    for (int d = 0; d < mask.ndim(); ++d) {
      std::vector<std::int64_t> offsets = mask.offsets()[static_cast<std::size_t>(d)];
      if (d == 0) offsets = {offsets[static_cast<std::size_t>(s)], offsets[static_cast<std::size_t>(s) + 1]};
      lo.push_back(offsets.front());
      hi.push_back(offsets.back());
      grid.push_back(static_cast<std::int64_t>(offsets.size()) - 1);
      cuts.push_back(std::move(offsets));
    }
    table = kernels::make_slab_table(lo, hi, cuts);
  }

  /// The slab's blocks as flat block indices of the whole mask, in C order over the slab.
  std::vector<std::int64_t> mask_blocks(const Node& mask, std::int64_t s) const {
    std::vector<std::int64_t> lo_block(grid.size(), 0), hi_block = grid;
    lo_block[0] = s;
    hi_block[0] = s + 1;
    std::vector<std::int64_t> flat;
    const auto all = mask.numblocks();
    array_detail::for_each_index(lo_block, hi_block, [&](const std::vector<std::int64_t>& at) {
      flat.push_back(array_detail::flat_index(at, all));
    });
    return flat;
  }

  /// What a GPU task needs of the slab, with `count` true elements in `masks`.
  gpu::SlabSelection selection(std::int64_t count, std::span<const Value> masks) const {
    return {table, kernels::slab_size(table.data()), count, masks};
  }

  /// Calls f(position, block, element) for every true element, in C order over the slab;
  /// `block` counts the slab's blocks in C order.
  template <class F>
  void for_each_true(std::span<const Value> blocks, F&& f) const {
    const std::int64_t n = kernels::slab_size(table.data());
    for (std::int64_t p = 0; p < n; ++p) {
      std::int64_t block = 0, element = 0;
      kernels::locate_in_slab(table.data(), p, block, element);
      if (blocks[static_cast<std::size_t>(block)].get<Chunk>().data<bool>()[element]) f(p, block, element);
    }
  }
};

// One chunk of x[mask]: the rows of the slab's true elements, each the contiguous
// trailing sub-block of x below that element (leading axes are outermost in C order).
class SelectRunner final : public TaskRunner {
 public:
  SelectRunner(Slab slab, DType dtype, Shape out_shape) : slab_(std::move(slab)), dtype_(dtype), out_shape_(std::move(out_shape)) {}
  /// Inputs: the slab's mask blocks, then the matching x blocks, in the same order.
  Value run(std::span<const Value> inputs) const override {
    const std::size_t n = inputs.size() / 2;
    Chunk out = Chunk::allocate(dtype_, out_shape_);
    const std::size_t row_bytes = static_cast<std::size_t>(shape_size(std::span(out_shape_).subspan(1))) * itemsize(dtype_);
    std::int64_t row = 0;
    slab_.for_each_true(inputs.first(n), [&](std::int64_t, std::int64_t block, std::int64_t local) {
      TESSERA_ASSERT(row < out_shape_[0], "more true elements than counted");
      if (row_bytes > 0) {
        const Chunk& x = inputs[n + static_cast<std::size_t>(block)].get<Chunk>();
        std::memcpy(out.buffer.data() + static_cast<std::size_t>(row) * row_bytes,
                    x.buffer.data() + static_cast<std::size_t>(local) * row_bytes, row_bytes);
      }
      ++row;
    });
    TESSERA_ASSERT(row == out_shape_[0], "fewer true elements than counted");
    return Value::make(std::move(out));
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (gpu_context(context) != nullptr) {
        const std::size_t n = inputs.size() / 2;
        return gpu::select_rows(slab_.selection(out_shape_[0], inputs.first(n)), dtype_, out_shape_, inputs.subspan(n),
                                context);
      }
    }
    return run(inputs);
  }
  Placement placement() const override { return gpu_preferred_if(true); }

 private:
  Slab slab_;
  DType dtype_;
  Shape out_shape_;
};

// One chunk of argwhere: the coordinates of the slab's true elements.
class CoordinatesRunner final : public TaskRunner {
 public:
  CoordinatesRunner(Slab slab, std::int64_t count) : slab_(std::move(slab)), count_(count) {}
  Value run(std::span<const Value> inputs) const override {
    const auto nd = static_cast<std::int64_t>(slab_.lo.size());
    Chunk out = Chunk::allocate(DType::int64, Shape{count_, nd});
    std::int64_t row = 0;
    slab_.for_each_true(inputs, [&](std::int64_t p, std::int64_t, std::int64_t) {
      TESSERA_ASSERT(row < count_, "more true elements than counted");
      for (std::int64_t d = 0; d < nd; ++d) out.data<std::int64_t>()[row * nd + d] = kernels::slab_coordinate(slab_.table.data(), p, d);
      ++row;
    });
    TESSERA_ASSERT(row == count_, "fewer true elements than counted");
    return Value::make(std::move(out));
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (gpu_context(context) != nullptr) {
        return gpu::true_coordinates(slab_.selection(count_, inputs), static_cast<std::int64_t>(slab_.lo.size()), context);
      }
    }
    return run(inputs);
  }
  Placement placement() const override { return gpu_preferred_if(true); }

 private:
  Slab slab_;
  std::int64_t count_;
};

// A persisted mask and the number of its true elements per slab.
struct CountedMask {
  Array mask;
  std::vector<std::int64_t> slab_counts;
  std::vector<std::size_t> kept;  // slabs that become chunks
  std::int64_t total = 0;
};

CountedMask count_mask(Client& client, const Array& mask) {
  CountedMask m;
  m.mask = mask.persist(client);
  const std::vector<std::int64_t> counts = array_detail::gather_int64(client, array_detail::true_counts_per_block(m.mask));
  const Node& node = *m.mask.node();
  m.slab_counts.assign(node.chunks()[0].size(), 0);
  for (std::size_t b = 0; b < counts.size(); ++b) {
    m.slab_counts[static_cast<std::size_t>(node.block_index(static_cast<std::int64_t>(b))[0])] += counts[b];
    m.total += counts[b];
  }
  m.kept = array_detail::kept_groups(m.slab_counts);
  return m;
}

std::vector<std::int64_t> kept_counts(const CountedMask& m) {
  std::vector<std::int64_t> sizes;
  for (std::size_t s : m.kept) sizes.push_back(m.slab_counts[s]);
  return sizes;
}

}  // namespace

Array boolean_index(Client& client, const Array& x, const Array& mask) {
  if (mask.dtype() != DType::bool_) {
    throw TypeError("boolean_index needs a bool mask, got " + to_string(mask.dtype()) + " of shape " +
                    shape_to_string(mask.shape()));
  }
  const int lead = mask.ndim();
  if (lead > x.ndim() || !std::equal(mask.shape().begin(), mask.shape().end(), x.shape().begin())) {
    throw IndexError("boolean mask of shape " + shape_to_string(mask.shape()) +
                     " does not match the leading axes of an array of shape " + shape_to_string(x.shape()));
  }
  // A 0-d mask selects x whole or nothing: the same as a mask of shape (1,) over x[None].
  if (lead == 0) return boolean_index(client, expand_dims(x, 0), expand_dims(mask, 0));
  const auto ulead = static_cast<std::size_t>(lead);
  const CountedMask m = count_mask(client, mask.rechunk(ChunkSizes(x.chunks().begin(), x.chunks().begin() + lead)));
  const Node& mask_node = *m.mask.node();

  Shape shape{m.total};
  ChunkSizes chunks{kept_counts(m)};
  for (std::size_t d = ulead; d < x.shape().size(); ++d) {
    shape.push_back(x.shape()[d]);
    chunks.push_back(x.chunks()[d]);
  }
  const std::vector<std::int64_t> x_grid = x.numblocks();
  const std::vector<std::int64_t> trailing_grid(x_grid.begin() + lead, x_grid.end());
  std::vector<BlockTask> tasks;
  for (std::size_t s : m.kept) {
    const Slab slab(mask_node, static_cast<std::int64_t>(s));
    const std::vector<std::int64_t> slab_blocks = slab.mask_blocks(mask_node, static_cast<std::int64_t>(s));
    array_detail::for_each_index(std::vector<std::int64_t>(trailing_grid.size(), 0), trailing_grid,
                                 [&](const std::vector<std::int64_t>& r) {
      BlockTask task;
      Shape out_shape{m.slab_counts[s]};
      for (std::size_t d = 0; d < r.size(); ++d) out_shape.push_back(x.chunks()[ulead + d][static_cast<std::size_t>(r[d])]);
      for (std::int64_t b : slab_blocks) task.reads.push_back({0, b});
      for (std::int64_t b : slab_blocks) {
        // The x block with the mask block's leading indices and the trailing indices r.
        std::vector<std::int64_t> index = mask_node.block_index(b);
        index.insert(index.end(), r.begin(), r.end());
        task.reads.push_back({1, array_detail::flat_index(index, x_grid)});
      }
      task.runner = std::make_shared<SelectRunner>(slab, x.dtype(), std::move(out_shape));
      tasks.push_back(std::move(task));
    });
  }
  return array_detail::make_array<BlockTaskNode>("boolean_index", std::move(shape), x.dtype(), std::move(chunks),
                                                 std::vector<Array>{m.mask, x}, std::move(tasks));
}

Array boolean_index(const Array& x, const Array& mask) { return boolean_index(default_client(), x, mask); }

Array argwhere(Client& client, const Array& x) {
  if (x.ndim() == 0) {
    // NumPy: a 0-d array gives shape (count, 0).
    const Array w = argwhere(client, expand_dims(x, 0));
    return w[std::vector<IndexItem>{Slice{}, Slice{0, 0, std::nullopt}}];
  }
  const CountedMask m = count_mask(client, x.astype(DType::bool_));
  const Node& mask_node = *m.mask.node();
  std::vector<BlockTask> tasks;
  for (std::size_t s : m.kept) {
    Slab slab(mask_node, static_cast<std::int64_t>(s));
    BlockTask task;
    for (std::int64_t b : slab.mask_blocks(mask_node, static_cast<std::int64_t>(s))) task.reads.push_back({0, b});
    task.runner = std::make_shared<CoordinatesRunner>(std::move(slab), m.slab_counts[s]);
    tasks.push_back(std::move(task));
  }
  const auto nd = static_cast<std::int64_t>(x.ndim());
  return array_detail::make_array<BlockTaskNode>("argwhere", Shape{m.total, nd}, DType::int64,
                                                 ChunkSizes{kept_counts(m), {nd}}, std::vector<Array>{m.mask},
                                                 std::move(tasks));
}

Array argwhere(const Array& x) { return argwhere(default_client(), x); }

std::vector<Array> nonzero(Client& client, const Array& x) {
  if (x.ndim() == 0) {
    throw ValueError("nonzero of a 0-d array is not defined (NumPy 2 raises too); use argwhere, or expand_dims first");
  }
  const Array w = argwhere(client, x);
  std::vector<Array> columns;
  for (std::int64_t d = 0; d < x.ndim(); ++d) columns.push_back(w[std::vector<IndexItem>{Slice{}, d}]);
  return columns;
}

std::vector<Array> nonzero(const Array& x) { return nonzero(default_client(), x); }

}  // namespace tessera
