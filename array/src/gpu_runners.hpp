// The GPU side of the array layer's runners (runners.hpp): the same blocks, computed by
// the kernels of kernels/cuda on the worker's device and stream. Compiled only in builds
// with CUDA; runners offer a GPU placement only there.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

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
/// `input` as records sorted by value, the record of element p indexed `indices[p]`.
Value sort_runs(DType dtype, bool descending, const Lanes& lanes, std::span<const std::int64_t> indices,
                const Shape& out_shape, const Value& input, const ExecutionContext& context);

/// Stage two on the device: what MergeRunsRunner writes, from the runs in `inputs`.
Value merge_runs(const MergeRunsRunner::Params& params, std::span<const Value> inputs, const ExecutionContext& context);

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
