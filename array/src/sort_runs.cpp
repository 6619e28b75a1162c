#include "sort_runs.hpp"

#include "block_task_node.hpp"
#include "gpu_runners.hpp"
#include "radix_sort.hpp"
#include "runners.hpp"
#include "tessera/core/error.hpp"

namespace tessera::array_detail {

std::size_t record_bytes(DType dtype) {
  return type_dispatch(dtype, []<class T>() { return sizeof(Record<T>); });
}

Lanes Lanes::along(const Shape& extent, int axis) {
  Lanes lanes;
  const auto a = static_cast<std::size_t>(axis);
  for (std::size_t d = 0; d < extent.size(); ++d) {
    if (d < a) lanes.outer *= extent[d];
    if (d > a) lanes.inner *= extent[d];
  }
  lanes.length = extent[a];
  return lanes;
}

namespace {

// Stage one: sorts each lane of one block into records. Element p of every lane gets
// index `index.at(p)` (its position along the axis, or its flat index in x), listed by
// the task on the host and computed by the record kernel on a device: neither the graph
// of a large x nor the copy to a device carries an index per element.
class SortRunsRunner final : public TaskRunner {
 public:
  SortRunsRunner(DType dtype, bool descending, Lanes lanes, BlockFlatIndex index, Shape out_shape)
      : dtype_(dtype), descending_(descending), lanes_(lanes), index_(std::move(index)), out_shape_(std::move(out_shape)) {}

  Value run(std::span<const Value> inputs) const override {
    TESSERA_ASSERT(shape_size(index_.box.extent()) == lanes_.length, "one index per element of a lane");
    Chunk out = Chunk::allocate(DType::uint8, out_shape_);
    // An empty block has no data to point into, and no first index.
    if (lanes_.length == 0 || lanes_.count() == 0) return Value::make(std::move(out));
    // Indices that are not consecutive are listed, once for all lanes.
    const bool consecutive = index_.consecutive();
    const std::int64_t first = index_.at(0);
    const std::vector<std::int64_t> listed = consecutive ? std::vector<std::int64_t>{} : index_.all();
    const Chunk& in = inputs[0].get<Chunk>();
    type_dispatch(dtype_, [&]<class T>() {
      auto* records = reinterpret_cast<Record<T>*>(out.buffer.data());
      [[maybe_unused]] RecordRadixSort<T> radix_sort;  // real and bool values; complex ones compare
      const auto length = static_cast<std::size_t>(lanes_.length);
      for (std::int64_t lane = 0; lane < lanes_.count(); ++lane) {
        Record<T>* run = records + lane * lanes_.length;
        const T* values = in.data<T>() + lanes_.offset(lane, 0);  // element p at values[p · inner]
        const auto record_at = [&, inner = static_cast<std::size_t>(lanes_.inner)](std::size_t p) {
          return Record<T>{values[p * inner], consecutive ? first + static_cast<std::int64_t>(p) : listed[p]};
        };
        // The indices ascend along a lane: a stable sort by value orders equal values by
        // index, as RecordOrder does (and std::sort does with it, indices being distinct).
        if constexpr (IsComplex<T>::value) {
          for (std::size_t p = 0; p < length; ++p) run[p] = record_at(p);
          std::sort(run, run + length, RecordOrder<T>{{descending_}});
        } else {
          radix_sort.sort_made(run, length, descending_, record_at);
        }
      }
    });
    return Value::make(std::move(out));
  }

  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (gpu_context(context) != nullptr) {
        return gpu::sort_runs(dtype_, descending_, lanes_, index_, out_shape_, inputs[0], context);
      }
    }
    return run(inputs);
  }

  Placement placement() const override { return gpu_preferred_if(gpu::has_sort(dtype_)); }

 private:
  DType dtype_;
  bool descending_;
  Lanes lanes_;
  BlockFlatIndex index_;
  Shape out_shape_;
};

ChunkSizes with_record_axis(ChunkSizes chunks, std::size_t bytes) {
  chunks.push_back({static_cast<std::int64_t>(bytes)});
  return chunks;
}

}  // namespace

Array sorted_runs_along(const Array& x, int axis, bool descending) {
  const Node& node = *x.node();
  const std::size_t bytes = record_bytes(x.dtype());
  std::vector<BlockTask> tasks;
  for (std::int64_t b = 0; b < node.block_count(); ++b) {
    const Box box = node.block_box(node.block_index(b));
    const Shape extent = box.extent();
    const Lanes lanes = Lanes::along(extent, axis);
    // Positions along the axis: the flat indices of the lane's range in one dimension.
    const std::int64_t lo = box.lo[static_cast<std::size_t>(axis)];
    BlockFlatIndex positions{Box{{lo}, {lo + lanes.length}}, Strides{1}};
    Shape out_shape = extent;
    out_shape.push_back(static_cast<std::int64_t>(bytes));
    tasks.push_back(
        {std::make_shared<SortRunsRunner>(x.dtype(), descending, lanes, std::move(positions), std::move(out_shape)),
         {{0, b}}});
  }
  Shape shape = x.shape();
  shape.push_back(static_cast<std::int64_t>(bytes));
  return make_array<BlockTaskNode>("sort-runs", std::move(shape), DType::uint8, with_record_axis(x.chunks(), bytes),
                                   std::vector<Array>{x}, std::move(tasks));
}

std::int64_t BlockFlatIndex::at(std::int64_t p) const {
  std::int64_t flat = 0;
  for (std::size_t d = box.lo.size(); d-- > 0;) {
    const std::int64_t extent = box.hi[d] - box.lo[d];
    flat += (box.lo[d] + p % extent) * strides[d];
    p /= extent;
  }
  return flat;
}

std::vector<std::int64_t> BlockFlatIndex::all() const {
  std::vector<std::int64_t> indices;
  indices.reserve(static_cast<std::size_t>(shape_size(box.extent())));
  if (box.lo.empty()) {
    indices.push_back(0);  // a 0-d array's one element
    return indices;
  }
  // Rows along the last axis are runs of consecutive flat indices.
  const std::size_t last = box.lo.size() - 1;
  Shape rows_hi = box.hi;
  rows_hi[last] = box.lo[last] + 1;
  for_each_index(box.lo, rows_hi, [&](const std::vector<std::int64_t>& at) {
    std::int64_t start = 0;
    for (std::size_t d = 0; d < at.size(); ++d) start += at[d] * strides[d];
    for (std::int64_t i = 0; i < box.hi[last] - box.lo[last]; ++i) indices.push_back(start + i);
  });
  return indices;
}

BlockFlatIndex BlockFlatIndex::of(const Node& x, std::int64_t block) {
  return {x.block_box(x.block_index(block)), c_strides(x.shape())};
}

std::vector<std::int64_t> block_sizes(const Node& x) {
  std::vector<std::int64_t> sizes;
  for (std::int64_t b = 0; b < x.block_count(); ++b) sizes.push_back(shape_size(x.block_box(x.block_index(b)).extent()));
  return sizes;
}

BlockTask sorted_run_task(const Array& x, std::int64_t block) {
  const std::size_t bytes = record_bytes(x.dtype());
  BlockFlatIndex flat = BlockFlatIndex::of(*x.node(), block);
  const std::int64_t size = shape_size(flat.box.extent());
  const Lanes one_lane{1, size, 1};
  return {std::make_shared<SortRunsRunner>(x.dtype(), false, one_lane, std::move(flat),
                                           Shape{size, static_cast<std::int64_t>(bytes)}),
          {{0, block}}};
}

Array sorted_runs_flat(const Array& x) {
  const Node& node = *x.node();
  const std::size_t bytes = record_bytes(x.dtype());
  std::vector<BlockTask> tasks;
  for (std::int64_t b = 0; b < node.block_count(); ++b) tasks.push_back(sorted_run_task(x, b));
  return make_array<BlockTaskNode>("sort-runs", Shape{x.size(), static_cast<std::int64_t>(bytes)}, DType::uint8,
                                   with_record_axis({block_sizes(node)}, bytes), std::vector<Array>{x},
                                   std::move(tasks));
}

Value MergeRunsRunner::run(std::span<const Value> inputs) const {
  const Params& p = params_;
  TESSERA_ASSERT(inputs.size() == p.run_lengths.size(), "one run per block along the lane");
  Chunk out = Chunk::allocate(p.out_dtype(), p.out_shape);
  const std::int64_t width = p.rank_hi - p.rank_lo;
  type_dispatch(p.dtype, [&]<class T>() {
    const RecordOrder<T> order{{p.descending}};
    std::vector<std::span<const Record<T>>> runs(inputs.size());
    for (std::int64_t lane = 0; lane < p.out_lanes.count(); ++lane) {
      for (std::size_t k = 0; k < inputs.size(); ++k) {
        const auto* records = reinterpret_cast<const Record<T>*>(inputs[k].get<Chunk>().buffer.data());
        const auto n = p.run_lengths[k];
        runs[k] = std::span<const Record<T>>(records + lane * n, static_cast<std::size_t>(n));
      }
      const std::vector<std::int64_t> lo = co_ranks(runs, p.rank_lo, order), hi = co_ranks(runs, p.rank_hi, order);
      std::int64_t covered = 0;
      for (std::size_t k = 0; k < runs.size(); ++k) covered += hi[k] - lo[k];
      TESSERA_ASSERT(covered == width, "the co-ranks do not cover the block");
      if (p.output == MergeOutput::records) {
        auto* records = reinterpret_cast<Record<T>*>(out.buffer.data()) + lane * width;
        merge_slices(runs, lo, hi, order, [&](std::int64_t q, const Record<T>& r) { records[q] = r; });
      } else if (p.output == MergeOutput::values) {
        T* values = out.data<T>();
        merge_slices(runs, lo, hi, order,
                     [&](std::int64_t q, const Record<T>& r) { values[p.out_lanes.offset(lane, q)] = r.value; });
      } else {
        std::int64_t* indices = out.data<std::int64_t>();
        merge_slices(runs, lo, hi, order,
                     [&](std::int64_t q, const Record<T>& r) { indices[p.out_lanes.offset(lane, q)] = r.index; });
      }
    }
  });
  return Value::make(std::move(out));
}

Value MergeRunsRunner::run_on(std::span<const Value> inputs, const ExecutionContext& context) const {
  if constexpr (gpu::kBuilt) {
    if (gpu_context(context) != nullptr) return gpu::merge_runs(params_, inputs, context);
  }
  return run(inputs);
}

Placement MergeRunsRunner::placement() const {
  return gpu_preferred_if(gpu::has_sort(params_.dtype));
}

}  // namespace tessera::array_detail
