// The GPU side of the array layer's runners (runners.hpp): the same blocks, computed by
// the kernels of kernels/cuda on the worker's device and stream. Compiled only in builds
// with CUDA; runners offer a GPU placement only there.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "axis_split.hpp"
#include "sort_runs.hpp"
#include "tessera/core/chunk.hpp"
#include "tessera/core/task.hpp"
#include "tessera/kernels/fused.hpp"

namespace tessera::array_detail::gpu {

#if defined(TESSERA_WITH_CUDA)
inline constexpr bool kBuilt = true;
#else
inline constexpr bool kBuilt = false;  // the functions below are not defined in this build
#endif

/// A new device chunk of `shape` holding `program`'s values (inputs on the device).
Value evaluate_fused(const kernels::FusedProgram& program, const Shape& shape, std::span<const Value> inputs,
                     const ExecutionContext& context);

/// Folds `program`'s values over a block (inputs on the device) into `target`'s states,
/// which are in host memory.
void reduce_fused(const kernels::FusedProgram& program, const Shape& shape, std::string_view op,
                  const kernels::ReductionTarget& target, std::span<const Value> inputs,
                  const ExecutionContext& context);

/// A new device chunk of `shape` holding the inclusive scan of `program`'s values along
/// `axis`, combined with elementwise operation `op` ("add", "multiply").
Value scan_fused(const kernels::FusedProgram& program, const Shape& shape, int axis, std::string_view op,
                 std::span<const Value> inputs, const ExecutionContext& context);

/// Stage one of the blocked sort (sort_runs.hpp) on the device: each lane of the block
/// `input` as records sorted by value, the record of element p indexed `indices.at(p)`.
Value sort_runs(DType dtype, bool descending, const Lanes& lanes, const BlockFlatIndex& indices, const Shape& out_shape,
                const Value& input, const ExecutionContext& context);

/// Stage two on the device: what MergeRunsRunner writes, from the runs in `inputs`.
Value merge_runs(const MergeRunsRunner::Params& params, std::span<const Value> inputs, const ExecutionContext& context);

/// searchsorted's block on the device (searching.cpp): a new int64 chunk of `shape`
/// holding, for each element of `values`, its insertion point into the concatenation of
/// the chunks `sorted` (of `dtype`, like `values`), on the left or the `right`.
Value search_sorted(DType dtype, bool right, const Shape& shape, std::span<const Value> sorted, const Value& values,
                    const ExecutionContext& context);

/// What unique writes per value (unique.cpp): the value, the flat index of its first
/// element, how many elements hold it, or the record of its first element (a row of
/// record bytes, uint8).
enum class UniquePart : std::uint8_t { values, indices, counts, records };

/// unique's stages on the device, over a chunk `run` of R (records sorted by value) of
/// real `dtype`; unique.cpp says what each computes on the host.
/// The scan: a new {1, 2} int64 chunk, the number of values starting in `run` and the
/// position of the first (-1: none); `previous` is the chunk of R before it, or null.
Value unique_scan(DType dtype, const Value* previous, const Value& run, const ExecutionContext& context);
/// The `starts` values starting in `run` (whose first record starts one when
/// `first_starts`): a new chunk {starts} of `part`; the last value ends at record `end`.
Value unique_part(DType dtype, UniquePart part, bool first_starts, std::int64_t starts, std::int64_t end,
                  const Value& run, const ExecutionContext& context);
/// The shuffle's first half: a new {records, 3} int64 chunk of rows (block, offset, value
/// number) grouped by block. `blocks_table`: x's slab table, `blocks` blocks.
Value unique_scatter(DType dtype, bool first_starts, std::int64_t values_before,
                     std::span<const std::int64_t> blocks_table, std::int64_t blocks, const Value& run,
                     const ExecutionContext& context);
/// The second half: block `block` of inverse_indices (a new int64 chunk of `shape`) from
/// the row chunks `rows`.
Value unique_gather(std::int64_t block, const Shape& shape, std::span<const Value> rows,
                    const ExecutionContext& context);

/// unique_values' passes on the device (unique_values.cpp), over one block `input` of x
/// whose elements have flat indices `indices`, by sorting it: the number of its distinct
/// values; and the records (a new {distinct, record bytes} uint8 chunk, sorted) of the
/// first element of each of its `distinct` values.
std::int64_t count_distinct(DType dtype, const BlockFlatIndex& indices, const Value& input,
                            const ExecutionContext& context);
Value first_records(DType dtype, const BlockFlatIndex& indices, std::int64_t distinct, const Value& input,
                    const ExecutionContext& context);

/// A new device chunk {1} of int64: the number of true elements of the bool chunk `mask`.
Value count_true(const Value& mask, const ExecutionContext& context);

/// One slab of a selection by a boolean mask (masking.cpp) on the device. `table`: the
/// slab's table (kernels/cuda/select.hpp), `size` its elements, `count` the true ones;
/// `masks`: its mask blocks in the slab's block order.
struct SlabSelection {
  std::span<const std::int64_t> table;
  std::int64_t size = 0;
  std::int64_t count = 0;
  std::span<const Value> masks;
};

/// A new device chunk of `dtype` and `out_shape` ({count, trailing...}): the rows of the
/// blocks `xs` (in the order of `masks`) below the slab's true elements, in C order.
Value select_rows(const SlabSelection& slab, DType dtype, const Shape& out_shape, std::span<const Value> xs,
                  const ExecutionContext& context);

/// A new device chunk {count, ndim} of int64: the mask coordinates of the slab's true elements.
Value true_coordinates(const SlabSelection& slab, std::int64_t ndim, const ExecutionContext& context);

/// take's block on the device (take.cpp): a new chunk of `dtype` and `shape` whose slice r
/// along `axis` is slice positions[r] of the axis, read from `blocks`.
Value take_slices(DType dtype, const Shape& shape, int axis, std::span<const std::int64_t> positions,
                  const TakenBlocks& blocks, std::span<const Value> inputs, const ExecutionContext& context);

/// setitem's block on the device (setitem.cpp): a new chunk of `shape` holding `block`'s
/// values, with `values`' (a box of extents `counts`) written at first + step·k along each
/// axis for the box's index k. Both programs read `inputs`.
Value set_items(const kernels::FusedProgram& block, const kernels::FusedProgram& values, const Shape& shape,
                const Shape& counts, std::span<const std::int64_t> first, std::span<const std::int64_t> step,
                std::span<const Value> inputs, const ExecutionContext& context);

#if defined(TESSERA_WITH_CUDA)
bool has_reduction(std::string_view op, DType input) noexcept;
bool has_matmul(DType dtype) noexcept;
bool has_scan(std::string_view op, DType dtype) noexcept;
bool has_sort(DType dtype) noexcept;
#else
inline bool has_reduction(std::string_view, DType) noexcept { return false; }
inline bool has_matmul(DType) noexcept { return false; }
inline bool has_scan(std::string_view, DType) noexcept { return false; }
inline bool has_sort(DType) noexcept { return false; }
#endif

/// matmul_block (kernels/matmul.hpp) with cuBLAS on device blocks.
void matmul_block(DType dtype, const void* a, bool transpose_a, const void* b, bool transpose_b, void* c,
                  std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate, DType c_dtype,
                  const ExecutionContext& context);

/// Sets a device buffer's first `nbytes` to zero.
void fill_zero(Buffer& buffer, std::size_t nbytes, const ExecutionContext& context);

}  // namespace tessera::array_detail::gpu
