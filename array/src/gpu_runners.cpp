#include "gpu_runners.hpp"

#include <cuda_runtime_api.h>

#include <string>
#include <vector>

#include "runners.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/cuda/check.hpp"
#include "tessera/kernels/cuda/fused_launch.hpp"
#include "tessera/kernels/cuda/fused_source.hpp"
#include "tessera/kernels/cuda/index_copy.hpp"
#include "tessera/kernels/cuda/matmul.hpp"
#include "tessera/kernels/cuda/select.hpp"
#include "tessera/kernels/cuda/sort.hpp"
#include "tessera/kernels/cuda/unique.hpp"

namespace tessera::array_detail::gpu {
namespace {

cudaStream_t stream_of(const ExecutionContext& context) {
  return static_cast<cudaStream_t>(context.device.stream(context.lane));
}

/// Device copies of a host array (tables, pointer lists), in the lane's stream order.
template <class T>
Buffer upload(std::span<const T> values, const ExecutionContext& context) {
  Buffer buffer = context.device.allocate(values.size_bytes());
  context.device.copy_from_host(values.data(), buffer, values.size_bytes());
  return buffer;
}

template <class T>
std::vector<const T*> element_pointers(std::span<const Value> chunks) {
  std::vector<const T*> pointers;
  pointers.reserve(chunks.size());
  for (const Value& v : chunks) pointers.push_back(v.get<Chunk>().data<T>());
  return pointers;
}

/// Sorts `lanes` on the device into a new buffer, with a workspace from the worker's pool.
Buffer sorted_records(const kernels::cuda::SortLanes& lanes, const void* records, const ExecutionContext& context) {
  const std::int64_t count = lanes.lanes * lanes.length;
  Buffer sorted = context.device.allocate(static_cast<std::size_t>(count) * kernels::cuda::kSortRecordBytes);
  Buffer workspace = context.device.allocate(kernels::cuda::sort_workspace_bytes(count));
  kernels::cuda::sort_records_on_device(lanes, records, sorted.data(), workspace.data(), workspace.nbytes(),
                                        stream_of(context));
  return sorted;  // the workspace is freed in the stream's order, after the sort
}

/// A new device chunk of `shape` for `program`'s result, which `write(sources, out)`
/// fills from the inputs' device memory (not called for an empty chunk).
template <class Write>
Value program_chunk(const kernels::FusedProgram& program, const Shape& shape, std::span<const Value> inputs,
                    const ExecutionContext& context, Write&& write) {
  Chunk out = Chunk::allocate_on(context.device, program.result_dtype(), shape);
  if (out.size() > 0) write(chunk_data(inputs), out.buffer.data());
  return Value::make(std::move(out));
}

}  // namespace

Value evaluate_fused(const kernels::FusedProgram& program, const Shape& shape, std::span<const Value> inputs,
                     const ExecutionContext& context) {
  return program_chunk(program, shape, inputs, context, [&](std::span<const void* const> sources, void* out) {
    kernels::cuda::evaluate_fused_on_device(program, sources, shape, out, stream_of(context));
  });
}

void reduce_fused(const kernels::FusedProgram& program, const Shape& shape, std::string_view op,
                  const kernels::ReductionTarget& target, std::span<const Value> inputs,
                  const ExecutionContext& context) {
  if (shape_size(shape) == 0) return;  // the states stay the identity
  const auto sources = chunk_data(inputs);
  Buffer workspace = context.device.allocate(kernels::cuda::reduction_workspace_bytes(shape, target));
  kernels::cuda::reduce_fused_on_device(program, sources, shape, op, target, stream_of(context), workspace.data(),
                                        workspace.nbytes());
}

Value scan_fused(const kernels::FusedProgram& program, const Shape& shape, int axis, std::string_view op,
                 std::span<const Value> inputs, const ExecutionContext& context) {
  return program_chunk(program, shape, inputs, context, [&](std::span<const void* const> sources, void* out) {
    kernels::cuda::scan_fused_on_device(program, sources, shape, axis, op, out, stream_of(context));
  });
}

Value sort_runs(DType dtype, bool descending, const Lanes& lanes, const BlockFlatIndex& indices, const Shape& out_shape,
                const Value& input, const ExecutionContext& context) {
  const std::int64_t count = lanes.count() * lanes.length;
  if (count == 0) return Value::make(Chunk::allocate_on(context.device, DType::uint8, out_shape));
  // The kernel computes each record's index from the block's box and the array's strides:
  // a table of 2·ndim entries crosses to the device, not an index per element.
  const Shape extent = indices.box.extent();
  TESSERA_ASSERT(shape_size(extent) == lanes.length, "one index per element of a lane");
  std::vector<std::int64_t> table(extent.begin(), extent.end());
  table.insert(table.end(), indices.strides.begin(), indices.strides.end());
  const Buffer device_table = upload(std::span<const std::int64_t>(table), context);
  Buffer records = context.device.allocate(static_cast<std::size_t>(count) * kernels::cuda::kSortRecordBytes);
  kernels::cuda::make_sort_records_on_device(
      dtype, input.get<Chunk>().buffer.data(), lanes.outer, lanes.length, lanes.inner,
      {device_table.as<std::int64_t>(), static_cast<int>(extent.size()), indices.at(0)}, records.data(),
      stream_of(context));
  Buffer sorted =
      sorted_records({.dtype = dtype, .descending = descending, .lanes = lanes.count(), .length = lanes.length},
                     records.data(), context);
  return Value::make(Chunk{DType::uint8, out_shape, std::move(sorted)});
}

Value merge_runs(const MergeRunsRunner::Params& p, std::span<const Value> inputs, const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, p.out_dtype(), p.out_shape);
  std::int64_t length = 0;
  for (std::int64_t n : p.run_lengths) length += n;
  const std::int64_t lanes = p.out_lanes.count();
  if (lanes * (p.rank_hi - p.rank_lo) == 0) return Value::make(std::move(out));
  // The lanes' runs side by side: lane l's records of run k follow its records of runs
  // before k, so a stable sort by value leaves equal values in run order. One strided
  // copy per run, or one copy per lane and run where a lane's records exceed the largest
  // pitch CUDA copies with (a lane of 134M records, as unique's single lane can be).
  TESSERA_ASSERT(inputs.size() == p.run_lengths.size(), "one run per block along the lane");
  constexpr std::size_t kRecord = kernels::cuda::kSortRecordBytes;
  const std::size_t pitch = static_cast<std::size_t>(length) * kRecord;
  int device = 0, max_pitch = 0;
  kernels::cuda::check_cuda(cudaGetDevice(&device), context.device.name() + ": asking for its device");
  kernels::cuda::check_cuda(cudaDeviceGetAttribute(&max_pitch, cudaDevAttrMaxPitch, device),
                            context.device.name() + ": asking for its largest copy pitch");
  const bool strided = lanes > 1 && pitch <= static_cast<std::size_t>(max_pitch);
  Buffer all = context.device.allocate(static_cast<std::size_t>(lanes) * pitch);
  std::size_t at = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const std::size_t run_bytes = static_cast<std::size_t>(p.run_lengths[k]) * kRecord;
    const std::byte* run = inputs[k].get<Chunk>().buffer.data();
    for (std::int64_t l = 0; run_bytes > 0 && l < (strided ? 1 : lanes); ++l) {
      const auto lane = static_cast<std::size_t>(l);
      kernels::cuda::check_cuda(
          strided ? cudaMemcpy2DAsync(all.data() + at, pitch, run, run_bytes, run_bytes,
                                      static_cast<std::size_t>(lanes), cudaMemcpyDeviceToDevice, stream_of(context))
                  : cudaMemcpyAsync(all.data() + lane * pitch + at, run + lane * run_bytes, run_bytes,
                                    cudaMemcpyDeviceToDevice, stream_of(context)),
          context.device.name() + ": gathering sorted runs");
    }
    at += run_bytes;
  }
  const Buffer sorted = sorted_records({.dtype = p.dtype,
                                        .descending = p.descending,
                                        .lanes = lanes,
                                        .length = length,
                                        .index_bound = p.index_bound},
                                       all.data(), context);
  const auto part = p.output == MergeOutput::records   ? kernels::cuda::SortedPart::records
                    : p.output == MergeOutput::indices ? kernels::cuda::SortedPart::indices
                                                       : kernels::cuda::SortedPart::values;
  kernels::cuda::write_sorted_window_on_device(p.dtype, part, sorted.data(), lanes, length, p.rank_lo, p.rank_hi,
                                               p.out_lanes.inner, out.buffer.data(), stream_of(context));
  return Value::make(std::move(out));
}

Value search_sorted(DType dtype, bool right, const Shape& shape, std::span<const Value> sorted, const Value& values,
                    const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, DType::int64, shape);
  if (out.size() == 0) return Value::make(std::move(out));
  std::vector<kernels::cuda::SortedPiece> pieces;
  std::int64_t total = 0;
  for (const Value& v : sorted) {
    const Chunk& c = v.get<Chunk>();
    if (c.size() == 0) continue;
    pieces.push_back({c.buffer.data(), c.size(), total});
    total += c.size();
  }
  const Buffer device_pieces = upload(std::span<const kernels::cuda::SortedPiece>(pieces), context);
  kernels::cuda::search_sorted_on_device(dtype, right, device_pieces.as<kernels::cuda::SortedPiece>(),
                                         static_cast<std::int64_t>(pieces.size()), total,
                                         values.get<Chunk>().buffer.data(), out.size(), out.data<std::int64_t>(),
                                         stream_of(context));
  return Value::make(std::move(out));
}

Value count_true(const Value& mask, const ExecutionContext& context) {
  const Chunk& m = mask.get<Chunk>();
  Chunk out = Chunk::allocate_on(context.device, DType::int64, Shape{1});
  Buffer workspace = context.device.allocate(kernels::cuda::count_true_workspace_bytes(m.size()));
  kernels::cuda::count_true_on_device(m.data<bool>(), m.size(), out.data<std::int64_t>(), workspace.data(),
                                      workspace.nbytes(), stream_of(context));
  return Value::make(std::move(out));
}

namespace {

/// The slab's table on the device and the positions of its true elements.
struct SelectedPositions {
  Buffer table;
  Buffer positions;
};

/// The int64 at word `at` of a device buffer (waits for the stream).
std::int64_t count_on_device(const Buffer& buffer, std::int64_t at, const ExecutionContext& context) {
  std::int64_t count = -1;
  context.device.copy_to_host(buffer.view(static_cast<std::size_t>(at) * sizeof(count), sizeof(count)), &count,
                              sizeof(count));
  return count;
}

SelectedPositions select_positions(const SlabSelection& slab, const ExecutionContext& context) {
  SelectedPositions out{upload(slab.table, context),
                        context.device.allocate(static_cast<std::size_t>(slab.count + 1) * sizeof(std::int64_t))};
  const std::vector<const bool*> masks = element_pointers<bool>(slab.masks);
  const Buffer mask_pointers = upload(std::span<const bool* const>(masks), context);
  Buffer workspace = context.device.allocate(kernels::cuda::select_workspace_bytes(slab.size));
  auto* positions = out.positions.as<std::int64_t>();
  std::int64_t* found_on_device = positions + slab.count;  // the count lands after the positions
  // The result was sized by counts taken when the selection was built; memory shared
  // with its owner (a zero-copy import) may have changed since. Counted again first, so
  // that the selection never writes past the result.
  kernels::cuda::count_true_in_slab_on_device(out.table.as<std::int64_t>(), slab.size, mask_pointers.as<const bool*>(),
                                              found_on_device, workspace.data(), workspace.nbytes(),
                                              stream_of(context));
  const std::int64_t found = count_on_device(out.positions, slab.count, context);
  if (found != slab.count) {
    throw ValueError(context.device.name() + ": the mask holds " + std::to_string(found) + " true elements where " +
                     std::to_string(slab.count) + " were counted: it changed after the selection was made");
  }
  kernels::cuda::select_true_on_device(out.table.as<std::int64_t>(), slab.size, mask_pointers.as<const bool*>(),
                                       positions, found_on_device, workspace.data(), workspace.nbytes(),
                                       stream_of(context));
  return out;
}

/// The largest power of two (up to 16) dividing every address.
std::size_t common_alignment(std::span<const std::byte* const> addresses, const std::byte* out) {
  auto bits = reinterpret_cast<std::uintptr_t>(out) | 16;
  for (const std::byte* a : addresses) bits |= reinterpret_cast<std::uintptr_t>(a);
  return static_cast<std::size_t>(bits & ~(bits - 1));
}

}  // namespace

Value select_rows(const SlabSelection& slab, DType dtype, const Shape& out_shape, std::span<const Value> xs,
                  const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, dtype, out_shape);
  if (out.nbytes() == 0) return Value::make(std::move(out));
  const SelectedPositions selected = select_positions(slab, context);
  const std::vector<const std::byte*> blocks = element_pointers<std::byte>(xs);
  const Buffer block_pointers = upload(std::span<const std::byte* const>(blocks), context);
  kernels::cuda::gather_rows_on_device(selected.table.as<std::int64_t>(), selected.positions.as<std::int64_t>(),
                                       slab.count, block_pointers.as<const std::byte*>(),
                                       out.nbytes() / static_cast<std::size_t>(slab.count), out.buffer.data(),
                                       common_alignment(blocks, out.buffer.data()), stream_of(context));
  return Value::make(std::move(out));
}

Value true_coordinates(const SlabSelection& slab, std::int64_t ndim, const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, DType::int64, Shape{slab.count, ndim});
  if (out.nbytes() == 0) return Value::make(std::move(out));
  const SelectedPositions selected = select_positions(slab, context);
  kernels::cuda::write_coordinates_on_device(selected.table.as<std::int64_t>(), ndim,
                                             selected.positions.as<std::int64_t>(), slab.count,
                                             out.data<std::int64_t>(), stream_of(context));
  return Value::make(std::move(out));
}

Value take_slices(DType dtype, const Shape& shape, int axis, std::span<const std::int64_t> positions,
                  const TakenBlocks& blocks, std::span<const Value> inputs, const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, dtype, shape);
  if (out.nbytes() == 0) return Value::make(std::move(out));
  const AxisSplit s = split_at(shape, axis);
  const std::vector<const std::byte*> data = element_pointers<std::byte>(inputs);
  std::vector<kernels::cuda::TakenBlock> table;
  for (std::size_t k = 0; k < blocks.starts.size(); ++k) {
    table.push_back({data[static_cast<std::size_t>(blocks.inputs[k])], blocks.starts[k], blocks.lengths[k]});
  }
  const Buffer device_table = upload(std::span<const kernels::cuda::TakenBlock>(table), context);
  const Buffer device_positions = upload(positions, context);
  kernels::cuda::gather_slices_on_device(device_positions.as<std::int64_t>(), s.length,
                                         device_table.as<kernels::cuda::TakenBlock>(),
                                         static_cast<std::int64_t>(table.size()), s.outer,
                                         static_cast<std::size_t>(s.inner) * itemsize(dtype), out.buffer.data(),
                                         common_alignment(data, out.buffer.data()), stream_of(context));
  return Value::make(std::move(out));
}

Value set_items(const kernels::FusedProgram& block, const kernels::FusedProgram& values, const Shape& shape,
                const Shape& counts, std::span<const std::int64_t> first, std::span<const std::int64_t> step,
                std::span<const Value> inputs, const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, block.result_dtype(), shape);
  if (out.size() == 0) return Value::make(std::move(out));
  // The selection as a strided view of the block: it starts at `first` and steps by
  // `step` along each axis. Its table goes first, ahead of the kernels in the stream.
  const Strides strides = c_strides(shape);
  std::int64_t start = 0;
  std::vector<std::int64_t> table(counts.begin(), counts.end());
  for (std::size_t d = 0; d < counts.size(); ++d) {
    start += first[d] * strides[d];
    table.push_back(step[d] * strides[d]);
  }
  const Buffer device_table = upload(std::span<const std::int64_t>(table), context);
  const auto sources = chunk_data(inputs);
  kernels::cuda::evaluate_fused_on_device(block, sources, shape, out.buffer.data(), stream_of(context));
  const std::int64_t count = shape_size(counts);
  if (count == 0) return Value::make(std::move(out));
  Chunk written = Chunk::allocate_on(context.device, values.result_dtype(), counts);
  kernels::cuda::evaluate_fused_on_device(values, sources, counts, written.buffer.data(), stream_of(context));
  const std::size_t size = itemsize(out.dtype);
  const std::byte* const value_data[] = {written.buffer.data()};
  kernels::cuda::scatter_strided_on_device(written.buffer.data(), count, size, device_table.as<std::int64_t>(),
                                           static_cast<int>(counts.size()),
                                           out.buffer.data() + static_cast<std::size_t>(start) * size,
                                           common_alignment(value_data, out.buffer.data()), stream_of(context));
  return Value::make(std::move(out));
}

namespace {

std::int64_t records_in(const Value& run) { return run.get<Chunk>().shape[0]; }

/// Where values start in a chunk of R: the flags, and the positions of the set ones with
/// their number after them.
struct ValueStarts {
  Buffer flags;
  Buffer positions;  // count + 1 int64: the positions, then how many
};

ValueStarts value_starts(DType dtype, const std::byte* previous, bool first_starts, const Value& run, bool select,
                         const ExecutionContext& context) {
  const std::int64_t count = records_in(run);
  const auto words = static_cast<std::size_t>(count) * sizeof(std::int64_t);
  ValueStarts out{context.device.allocate(words), {}};
  kernels::cuda::mark_value_starts_on_device(dtype, run.get<Chunk>().buffer.data(), count, previous, first_starts,
                                             out.flags.as<std::int64_t>(), stream_of(context));
  if (!select) return out;
  out.positions = context.device.allocate(words + sizeof(std::int64_t));
  Buffer workspace = context.device.allocate(kernels::cuda::value_starts_workspace_bytes(count));
  kernels::cuda::select_value_starts_on_device(out.flags.as<std::int64_t>(), count, out.positions.as<std::int64_t>(),
                                               out.positions.as<std::int64_t>() + count, workspace.data(),
                                               workspace.nbytes(), stream_of(context));
  return out;
}

}  // namespace

Value unique_scan(DType dtype, const Value* previous, const Value& run, const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, DType::int64, Shape{1, 2});
  const std::byte* last = nullptr;  // the record before the chunk's first
  if (previous != nullptr) {
    const Chunk& p = previous->get<Chunk>();
    last = p.buffer.data() + static_cast<std::size_t>(p.shape[0] - 1) * kernels::cuda::kSortRecordBytes;
  }
  const std::int64_t count = records_in(run);
  const ValueStarts starts = value_starts(dtype, last, true, run, true, context);
  kernels::cuda::write_start_summary_on_device(starts.positions.as<std::int64_t>(),
                                               starts.positions.as<std::int64_t>() + count,
                                               out.data<std::int64_t>(), stream_of(context));
  return Value::make(std::move(out));
}

Value unique_part(DType dtype, UniquePart part, bool first_starts, std::int64_t starts, std::int64_t end,
                  const Value& run, const ExecutionContext& context) {
  constexpr auto kRecord = static_cast<std::int64_t>(kernels::cuda::kSortRecordBytes);
  Chunk out = part == UniquePart::records
                  ? Chunk::allocate_on(context.device, DType::uint8, Shape{starts, kRecord})
                  : Chunk::allocate_on(context.device, part == UniquePart::values ? dtype : DType::int64, Shape{starts});
  if (starts == 0) return Value::make(std::move(out));
  const ValueStarts found = value_starts(dtype, nullptr, first_starts, run, true, context);
  // The scan counted the starts of this chunk of R before: the host asserts the same.
  const std::int64_t counted = count_on_device(found.positions, records_in(run), context);
  if (counted != starts) {
    throw Error(context.device.name() + ": unique found " + std::to_string(counted) +
                " values starting in a chunk of its sorted run where an earlier pass counted " + std::to_string(starts));
  }
  const auto device_part = part == UniquePart::values    ? kernels::cuda::ValuePart::values
                           : part == UniquePart::indices ? kernels::cuda::ValuePart::indices
                           : part == UniquePart::counts  ? kernels::cuda::ValuePart::counts
                                                         : kernels::cuda::ValuePart::records;
  kernels::cuda::write_values_on_device(dtype, device_part, run.get<Chunk>().buffer.data(),
                                        found.positions.as<std::int64_t>(), starts, end, out.buffer.data(),
                                        stream_of(context));
  return Value::make(std::move(out));
}

namespace {

Value sorted_block(DType dtype, const BlockFlatIndex& indices, const Value& input, const ExecutionContext& context) {
  const std::int64_t n = shape_size(indices.box.extent());
  return sort_runs(dtype, false, Lanes{1, n, 1}, indices,
                   Shape{n, static_cast<std::int64_t>(kernels::cuda::kSortRecordBytes)}, input, context);
}

}  // namespace

std::int64_t count_distinct(DType dtype, const BlockFlatIndex& indices, const Value& input,
                            const ExecutionContext& context) {
  const std::int64_t n = shape_size(indices.box.extent());
  if (n == 0) return 0;
  const ValueStarts found = value_starts(dtype, nullptr, true, sorted_block(dtype, indices, input, context), true, context);
  return count_on_device(found.positions, n, context);
}

Value first_records(DType dtype, const BlockFlatIndex& indices, std::int64_t distinct, const Value& input,
                    const ExecutionContext& context) {
  const std::int64_t n = shape_size(indices.box.extent());
  return unique_part(dtype, UniquePart::records, true, distinct, n, sorted_block(dtype, indices, input, context),
                     context);
}

Value unique_scatter(DType dtype, bool first_starts, std::int64_t values_before,
                     std::span<const std::int64_t> blocks_table, std::int64_t blocks, const Value& run,
                     const ExecutionContext& context) {
  const std::int64_t count = records_in(run);
  Chunk out = Chunk::allocate_on(context.device, DType::int64, Shape{count, 3});
  if (count == 0) return Value::make(std::move(out));
  const Buffer table = upload(blocks_table, context);  // first: an upload waits for the stream
  const ValueStarts found = value_starts(dtype, nullptr, first_starts, run, false, context);
  Buffer workspace = context.device.allocate(kernels::cuda::scatter_rows_workspace_bytes(count));
  kernels::cuda::scatter_rows_on_device(run.get<Chunk>().buffer.data(), found.flags.as<std::int64_t>(), count,
                                        values_before, table.as<std::int64_t>(), blocks, out.data<std::int64_t>(),
                                        workspace.data(), workspace.nbytes(), stream_of(context));
  return Value::make(std::move(out));
}

Value unique_gather(std::int64_t block, const Shape& shape, std::span<const Value> rows,
                    const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, DType::int64, shape);
  if (out.size() == 0) return Value::make(std::move(out));
  const std::vector<const std::int64_t*> chunks = element_pointers<std::int64_t>(rows);
  std::vector<std::int64_t> sizes;
  for (const Value& r : rows) sizes.push_back(r.get<Chunk>().shape[0]);
  sizes.push_back(0);  // then the rows found, counted on the device
  const Buffer device_chunks = upload(std::span<const std::int64_t* const>(chunks), context);
  Buffer device_sizes = upload(std::span<const std::int64_t>(sizes), context);
  kernels::cuda::gather_inverse_on_device(device_chunks.as<const std::int64_t*>(), device_sizes.as<std::int64_t>(),
                                          static_cast<std::int64_t>(rows.size()), block, out.data<std::int64_t>(),
                                          out.size(), device_sizes.as<std::int64_t>() + rows.size(),
                                          stream_of(context));
  // Every element of the block has one row: the host asserts the same.
  const std::int64_t found = count_on_device(device_sizes, static_cast<std::int64_t>(rows.size()), context);
  if (found != out.size()) {
    throw Error(context.device.name() + ": unique's shuffle brought " + std::to_string(found) + " rows to block " +
                std::to_string(block) + " of the inverse, which has " + std::to_string(out.size()) + " elements");
  }
  return Value::make(std::move(out));
}

bool has_reduction(std::string_view op, DType input) noexcept {
  return kernels::cuda::has_device_reduction(op, input);
}

bool has_matmul(DType dtype) noexcept {
  return kernels::cuda::has_device_matmul(dtype);
}

bool has_scan(std::string_view op, DType dtype) noexcept {
  return kernels::cuda::has_device_scan(op, dtype);
}

bool has_sort(DType dtype) noexcept {
  return kernels::cuda::has_device_sort(dtype);
}

void matmul_block(DType dtype, const void* a, bool transpose_a, const void* b, bool transpose_b, void* c,
                  std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate, DType c_dtype,
                  const ExecutionContext& context) {
  kernels::cuda::matmul_block_on_device(dtype, a, transpose_a, b, transpose_b, c, m, n, k, accumulate, c_dtype,
                                        stream_of(context));
}

void fill_zero(Buffer& buffer, std::size_t nbytes, const ExecutionContext& context) {
  if (nbytes == 0) return;
  kernels::cuda::check_cuda(cudaMemsetAsync(buffer.data(), 0, nbytes, stream_of(context)),
                            context.device.name() + ": clearing a block");
}

}  // namespace tessera::array_detail::gpu
