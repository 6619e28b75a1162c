// sort and argsort across chunks: a task per block sorts it (stage one), then a task per
// output block merges the slices of its lane's sorted blocks that hold its ranks.
#include "tessera/array/sorting.hpp"

#include "block_task_node.hpp"
#include "data_dependent.hpp"
#include "sort_runs.hpp"

namespace tessera {

using array_detail::BlockTask;
using array_detail::BlockTaskNode;
using array_detail::Lanes;
using array_detail::MergeOutput;
using array_detail::MergeRunsRunner;

namespace {

Array blocked_sort(const Array& x, std::int64_t axis, const SortOptions& options, MergeOutput output) {
  const int a = normalize_axis(axis, x.ndim());
  const auto ua = static_cast<std::size_t>(a);
  const Array runs = array_detail::sorted_runs_along(x, a, options.descending);
  const array_detail::Node& node = *x.node();
  const std::vector<std::int64_t> grid = node.numblocks();
  std::vector<BlockTask> tasks;
  for (std::int64_t b = 0; b < node.block_count(); ++b) {
    const std::vector<std::int64_t> index = node.block_index(b);
    const Shape extent = node.block_box(index).extent();
    MergeRunsRunner::Params params;
    params.dtype = x.dtype();
    params.descending = options.descending;
    params.output = output;
    params.out_shape = extent;
    params.out_lanes = Lanes::along(extent, a);
    params.rank_lo = node.offsets()[ua][static_cast<std::size_t>(index[ua])];
    params.rank_hi = node.offsets()[ua][static_cast<std::size_t>(index[ua]) + 1];
    BlockTask task;
    // The lane's blocks along the axis, in order.
    std::vector<std::int64_t> at = index;
    for (at[ua] = 0; at[ua] < grid[ua]; ++at[ua]) {
      task.reads.push_back({0, array_detail::flat_index(at, grid)});
      params.run_lengths.push_back(x.chunks()[ua][static_cast<std::size_t>(at[ua])]);
    }
    task.runner = std::make_shared<MergeRunsRunner>(std::move(params));
    tasks.push_back(std::move(task));
  }
  const DType dtype = output == MergeOutput::indices ? DType::int64 : x.dtype();
  return array_detail::make_array<BlockTaskNode>(output == MergeOutput::indices ? "argsort" : "sort", x.shape(), dtype,
                                                 x.chunks(), std::vector<Array>{runs}, std::move(tasks));
}

}  // namespace

Array sort(const Array& x, std::int64_t axis, SortOptions options) {
  return blocked_sort(x, axis, options, MergeOutput::values);
}

Array argsort(const Array& x, std::int64_t axis, SortOptions options) {
  return blocked_sort(x, axis, options, MergeOutput::indices);
}

}  // namespace tessera
