// unique_all and friends. x's elements are sorted (with their flat indices) across all
// chunks into one run R, persisted; a task per chunk of R counts where new values start
// (the only numbers gathered); then values, first indices and counts are tasks per chunk
// of R, and inverse_indices is a shuffle: each chunk of R sends (block, offset, group)
// triples, grouped by block (sorted, on the host), to the blocks of x they belong to.
// unique_values and unique_counts, which need less, have their own way to R where values
// repeat within blocks (unique_values.cpp, unique_counts.cpp).
#include <algorithm>
#include <array>
#include <iterator>

#include "block_task_node.hpp"
#include "data_dependent.hpp"
#include "gpu_runners.hpp"
#include "runners.hpp"
#include "sort_runs.hpp"
#include "tessera/array/sorting.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/order_key.hpp"
#include "tessera/kernels/slab_table.hpp"
#include "unique_run.hpp"

namespace tessera {

using array_detail::BlockTask;
using array_detail::BlockTaskNode;
using array_detail::make_array;
using array_detail::Record;
using array_detail::RunChunk;
using array_detail::SortedRun;
using array_detail::empty_of;
using array_detail::merge_and_scan;
using array_detail::per_value;
using array_detail::gpu::UniquePart;
namespace gpu = array_detail::gpu;

namespace {

template <class T>
std::span<const Record<T>> records_of(const Value& v) {
  const Chunk& c = v.get<Chunk>();
  return {reinterpret_cast<const Record<T>*>(c.buffer.data()), static_cast<std::size_t>(c.shape[0])};
}

// Whether a and b are one value: as the sort orders them for real values (NaN differs
// from everything, itself included, so each NaN is its own value; -0.0 equals 0.0).
template <class T>
bool same_value(const T& a, const T& b) {
  if constexpr (array_detail::IsComplex<T>::value) {
    return a == b;
  } else {
    return kernels::same_unique_value(a, b);
  }
}

// Where distinct values start in the sorted run: a new value starts where it differs
// from the one before.
template <class T>
bool starts_group(std::span<const Record<T>> run, std::size_t p, bool first_starts) {
  return p == 0 ? first_starts : !same_value(run[p - 1].value, run[p].value);
}

// Per chunk of R: the number of values starting in it and the position of the first one
// (-1 when none). Reads the chunk before it too, to compare across the boundary.
class ScanRunner final : public TaskRunner {
 public:
  ScanRunner(DType dtype, bool has_previous) : dtype_(dtype), has_previous_(has_previous) {}
  Value run(std::span<const Value> inputs) const override {
    Chunk out = Chunk::allocate(DType::int64, Shape{1, 2});
    type_dispatch(dtype_, [&]<class T>() {
      const auto run = records_of<T>(inputs.back());
      bool first_starts = true;
      if (has_previous_) {
        const auto previous = records_of<T>(inputs[0]);
        first_starts = !same_value(previous.back().value, run.front().value);
      }
      std::int64_t count = 0, first = -1;
      for (std::size_t p = 0; p < run.size(); ++p) {
        if (!starts_group(run, p, first_starts)) continue;
        if (first < 0) first = static_cast<std::int64_t>(p);
        ++count;
      }
      out.data<std::int64_t>()[0] = count;
      out.data<std::int64_t>()[1] = first;
    });
    return Value::make(std::move(out));
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (array_detail::gpu_context(context) != nullptr) {
        return gpu::unique_scan(dtype_, has_previous_ ? &inputs[0] : nullptr, inputs.back(), context);
      }
    }
    return run(inputs);
  }
  Placement placement() const override { return array_detail::gpu_preferred_if(gpu::has_sort(dtype_)); }

 private:
  DType dtype_;
  bool has_previous_;
};

// One chunk of values, indices or counts: a field per value starting in a chunk of R.
class GroupsRunner final : public TaskRunner {
 public:
  GroupsRunner(DType dtype, UniquePart field, RunChunk chunk) : dtype_(dtype), field_(field), chunk_(chunk) {
    TESSERA_ASSERT(field != UniquePart::records, "records of R are written on the device alone");
  }
  Value run(std::span<const Value> inputs) const override {
    Chunk out = Chunk::allocate(field_ == UniquePart::values ? dtype_ : DType::int64, Shape{chunk_.starts});
    type_dispatch(dtype_, [&]<class T>() {
      const auto run = records_of<T>(inputs[0]);
      std::vector<std::int64_t> starts;
      for (std::size_t p = 0; p < run.size(); ++p) {
        if (starts_group(run, p, chunk_.first_starts)) starts.push_back(static_cast<std::int64_t>(p));
      }
      TESSERA_ASSERT(static_cast<std::int64_t>(starts.size()) == chunk_.starts, "value starts differ from the scan");
      for (std::size_t g = 0; g < starts.size(); ++g) {
        const Record<T>& r = run[static_cast<std::size_t>(starts[g])];
        if (field_ == UniquePart::values) {
          out.data<T>()[g] = r.value;
        } else if (field_ == UniquePart::indices) {
          out.data<std::int64_t>()[g] = r.index;
        } else {
          const std::int64_t end = g + 1 < starts.size() ? chunk_.rank + starts[g + 1] : chunk_.next_start;
          out.data<std::int64_t>()[g] = end - (chunk_.rank + starts[g]);
        }
      }
    });
    return Value::make(std::move(out));
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (array_detail::gpu_context(context) != nullptr) {
        return gpu::unique_part(dtype_, field_, chunk_.first_starts, chunk_.starts, chunk_.next_start - chunk_.rank,
                                inputs[0], context);
      }
    }
    return run(inputs);
  }
  Placement placement() const override { return array_detail::gpu_preferred_if(gpu::has_sort(dtype_)); }

 private:
  DType dtype_;
  UniquePart field_;
  RunChunk chunk_;
};

// The shuffle's first half: for each record of a chunk of R, its value's position in
// `values` and where its element lies in x, as int64 rows (block, offset, group) sorted.
class ScatterRunner final : public TaskRunner {
 public:
  /// `blocks`: the slab table (slab_table.hpp) of all of x, which finds the block and the
  /// offset in it of a flat index; x has `block_count` blocks.
  ScatterRunner(DType dtype, RunChunk chunk, std::shared_ptr<const std::vector<std::int64_t>> blocks,
                std::int64_t block_count)
      : dtype_(dtype), chunk_(chunk), blocks_(std::move(blocks)), block_count_(block_count) {}
  Value run(std::span<const Value> inputs) const override {
    Chunk out = Chunk::allocate(DType::int64, Shape{chunk_.size, 3});
    auto* rows = reinterpret_cast<std::array<std::int64_t, 3>*>(out.buffer.data());
    type_dispatch(dtype_, [&]<class T>() {
      const auto run = records_of<T>(inputs[0]);
      std::int64_t group = chunk_.groups_before - 1;
      for (std::size_t p = 0; p < run.size(); ++p) {
        if (starts_group(run, p, chunk_.first_starts)) ++group;
        std::int64_t block = 0, local = 0;
        kernels::locate_in_slab(blocks_->data(), run[p].index, block, local);
        rows[p] = {block, local, group};
      }
    });
    std::sort(rows, rows + chunk_.size);
    return Value::make(std::move(out));
  }
  /// On a GPU the rows are grouped by block, not sorted within one: the gather needs no more.
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (array_detail::gpu_context(context) != nullptr) {
        return gpu::unique_scatter(dtype_, chunk_.first_starts, chunk_.groups_before, *blocks_, block_count_,
                                   inputs[0], context);
      }
    }
    return run(inputs);
  }
  Placement placement() const override { return array_detail::gpu_preferred_if(gpu::has_sort(dtype_)); }

 private:
  DType dtype_;
  RunChunk chunk_;
  std::shared_ptr<const std::vector<std::int64_t>> blocks_;
  std::int64_t block_count_;
};

// The shuffle's second half: block `block` of inverse_indices collects its rows from
// every scattered chunk.
class GatherRunner final : public TaskRunner {
 public:
  /// `dtype`: x's, whose other stages decide where the rows are.
  GatherRunner(DType dtype, std::int64_t block, Shape shape) : dtype_(dtype), block_(block), shape_(std::move(shape)) {}
  Value run(std::span<const Value> inputs) const override {
    Chunk out = Chunk::allocate(DType::int64, shape_);
    std::int64_t filled = 0;
    for (const Value& v : inputs) {
      const Chunk& c = v.get<Chunk>();
      const auto* rows = reinterpret_cast<const std::array<std::int64_t, 3>*>(c.buffer.data());
      const auto [lo, hi] = std::equal_range(rows, rows + c.shape[0], std::array<std::int64_t, 3>{block_, 0, 0},
                                             [](const auto& a, const auto& b) { return a[0] < b[0]; });
      for (const auto* r = lo; r != hi; ++r) out.data<std::int64_t>()[(*r)[1]] = (*r)[2];
      filled += hi - lo;
    }
    TESSERA_ASSERT(filled == out.size(), "the shuffle lost elements");
    return Value::make(std::move(out));
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (array_detail::gpu_context(context) != nullptr) return gpu::unique_gather(block_, shape_, inputs, context);
    }
    return run(inputs);
  }
  Placement placement() const override { return array_detail::gpu_preferred_if(gpu::has_sort(dtype_)); }

 private:
  DType dtype_;
  std::int64_t block_;
  Shape shape_;
};

}  // namespace

namespace array_detail {

Array empty_of(DType dtype) { return zeros({0}, {.dtype = dtype}); }

SortedRun merge_and_scan(Client& client, DType dtype, const Runs& runs, const std::vector<std::int64_t>& chunk_sizes) {
  const auto bytes = static_cast<std::int64_t>(array_detail::record_bytes(dtype));
  std::int64_t n = 0;
  for (std::int64_t size : runs.lengths) n += size;
  SortedRun r{dtype, Array(), {}, 0};
  std::vector<BlockTask> merges;
  for (std::int64_t size : chunk_sizes) {
    RunChunk c;
    c.rank = r.chunks.empty() ? 0 : r.chunks.back().rank + r.chunks.back().size;
    c.size = size;
    r.chunks.push_back(c);
    array_detail::MergeRunsRunner::Params params;
    params.dtype = dtype;
    params.output = array_detail::MergeOutput::records;
    params.out_shape = {size, bytes};
    params.out_lanes = {1, size, 1};
    params.run_lengths = runs.lengths;
    params.rank_lo = c.rank;
    params.rank_hi = c.rank + size;
    params.index_bound = runs.index_bound;  // the blocks' flat indices interleave
    BlockTask task{std::make_shared<array_detail::MergeRunsRunner>(std::move(params)), {}};
    for (std::size_t b = 0; b < runs.lengths.size(); ++b) task.reads.push_back({0, static_cast<std::int64_t>(b)});
    merges.push_back(std::move(task));
  }
  TESSERA_ASSERT(r.chunks.empty() ? n == 0 : r.chunks.back().rank + r.chunks.back().size == n,
                 "R's chunks do not cover its records");
  r.records = make_array<BlockTaskNode>("unique-sort", Shape{n, bytes}, DType::uint8, ChunkSizes{chunk_sizes, {bytes}},
                                        std::vector<Array>{runs.records}, std::move(merges))
                  .persist(client);

  std::vector<BlockTask> scans;
  for (std::size_t j = 0; j < r.chunks.size(); ++j) {
    BlockTask task{std::make_shared<ScanRunner>(dtype, j > 0), {}};
    if (j > 0) task.reads.push_back({0, static_cast<std::int64_t>(j) - 1});
    task.reads.push_back({0, static_cast<std::int64_t>(j)});
    scans.push_back(std::move(task));
  }
  const auto nchunks = static_cast<std::int64_t>(r.chunks.size());
  const std::vector<std::int64_t> scanned = array_detail::gather_int64(
      client, make_array<BlockTaskNode>("unique-scan", Shape{nchunks, 2}, DType::int64,
                                        ChunkSizes{std::vector<std::int64_t>(r.chunks.size(), 1), {2}},
                                        std::vector<Array>{r.records}, std::move(scans)));
  for (std::size_t j = 0; j < r.chunks.size(); ++j) {
    r.chunks[j].starts = scanned[2 * j];
    r.chunks[j].first_starts = scanned[2 * j + 1] == 0;
    r.chunks[j].groups_before = r.groups;
    r.groups += r.chunks[j].starts;
  }
  std::int64_t next_start = n;
  for (std::size_t j = r.chunks.size(); j-- > 0;) {
    r.chunks[j].next_start = next_start;
    if (r.chunks[j].starts > 0) next_start = r.chunks[j].rank + scanned[2 * j + 1];
  }
  return r;
}

Array per_value(const SortedRun& r, UniquePart field, DType out_dtype, const char* label) {
  std::vector<std::int64_t> starts;
  for (const RunChunk& c : r.chunks) starts.push_back(c.starts);
  std::vector<BlockTask> tasks;
  std::vector<std::int64_t> out_chunks;
  for (std::size_t j : array_detail::kept_groups(starts)) {
    tasks.push_back({std::make_shared<GroupsRunner>(r.dtype, field, r.chunks[j]), {{0, static_cast<std::int64_t>(j)}}});
    out_chunks.push_back(r.chunks[j].starts);
  }
  return make_array<BlockTaskNode>(label, Shape{r.groups}, out_dtype, ChunkSizes{out_chunks},
                                   std::vector<Array>{r.records}, std::move(tasks));
}

}  // namespace array_detail

UniqueAll unique_all(Client& client, const Array& x) {
  const DType dtype = x.dtype();
  const std::int64_t n = x.size();
  if (n == 0) {
    return {empty_of(dtype), empty_of(DType::int64),
            zeros(x.shape(), {.dtype = DType::int64, .chunks = ChunkSpec(x.chunks())}), empty_of(DType::int64)};
  }
  const array_detail::Node& x_node = *x.node();

  // R: every element as a record, sorted by (value, flat index) across all blocks.
  const std::vector<std::int64_t> sizes = array_detail::block_sizes(x_node);
  std::vector<std::int64_t> non_empty;
  std::copy_if(sizes.begin(), sizes.end(), std::back_inserter(non_empty), [](std::int64_t s) { return s > 0; });
  const SortedRun r = merge_and_scan(client, dtype, {array_detail::sorted_runs_flat(x), sizes, n}, non_empty);

  // inverse_indices: the shuffle from R's order back to x's blocks.
  const auto blocks = std::make_shared<const std::vector<std::int64_t>>(
      kernels::make_slab_table(Shape(x.shape().size(), 0), x.shape(), x_node.offsets()));
  std::vector<BlockTask> scatters;
  for (std::size_t j = 0; j < r.chunks.size(); ++j) {
    scatters.push_back({std::make_shared<ScatterRunner>(dtype, r.chunks[j], blocks, x_node.block_count()), {{0, static_cast<std::int64_t>(j)}}});
  }
  const Array scattered = make_array<BlockTaskNode>("unique-scatter", Shape{n, 3}, DType::int64, ChunkSizes{non_empty, {3}},
                                                    std::vector<Array>{r.records}, std::move(scatters));
  std::vector<BlockTask> gathers;
  for (std::int64_t b = 0; b < x_node.block_count(); ++b) {
    BlockTask task{std::make_shared<GatherRunner>(dtype, b, x_node.block_box(x_node.block_index(b)).extent()), {}};
    for (std::size_t j = 0; j < r.chunks.size(); ++j) task.reads.push_back({0, static_cast<std::int64_t>(j)});
    gathers.push_back(std::move(task));
  }
  Array inverse = make_array<BlockTaskNode>("unique-inverse", x.shape(), DType::int64, x.chunks(),
                                            std::vector<Array>{scattered}, std::move(gathers));

  return {per_value(r, UniquePart::values, dtype, "unique-values"), per_value(r, UniquePart::indices, DType::int64, "unique-indices"),
          std::move(inverse), per_value(r, UniquePart::counts, DType::int64, "unique-counts")};
}

UniqueInverse unique_inverse(Client& client, const Array& x) {
  UniqueAll all = unique_all(client, x);
  return {std::move(all.values), std::move(all.inverse_indices)};
}
UniqueAll unique_all(const Array& x) { return unique_all(default_client(), x); }
UniqueCounts unique_counts(const Array& x) { return unique_counts(default_client(), x); }
UniqueInverse unique_inverse(const Array& x) { return unique_inverse(default_client(), x); }

}  // namespace tessera
