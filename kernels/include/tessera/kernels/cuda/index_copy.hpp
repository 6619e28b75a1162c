// Copies by index on a GPU: the device side of take and setitem (array/src/take.cpp,
// setitem.cpp). Both only move elements, so they work on bytes whatever the dtype, in the
// widest words that every address allows (copy_words.cuh).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace tessera::kernels::cuda {

/// A block that take reads: its elements, and where it starts and how long it is along
/// the taken axis.
struct TakenBlock {
  const std::byte* data = nullptr;
  std::int64_t start = 0;
  std::int64_t length = 0;
};

/// `out` as (outer, count, slice_bytes) in C order: out[o, r, :] is slice positions[r] of
/// the taken axis at outer index o, read from the last of `blocks` starting at or before
/// it (blocks in order along the axis, each (outer, length, slice_bytes) in C order).
/// `positions` and `blocks` are in device memory. `alignment`: a power of two dividing
/// `out` and every block's data.
void gather_slices_on_device(const std::int64_t* positions, std::int64_t count, const TakenBlock* blocks,
                             std::int64_t block_count, std::int64_t outer, std::size_t slice_bytes, std::byte* out,
                             std::size_t alignment, cudaStream_t stream);

/// Writes `values` (`count` elements of `element_bytes`, in C order over a box of `ndim`
/// extents) into `out` at element offsets Σ k_d · strides[d] for the box's index k.
/// `table` (device memory) is {extents[ndim]..., strides[ndim]...}; strides are in
/// elements and may be negative. `alignment` divides `out` and `values`.
void scatter_strided_on_device(const std::byte* values, std::int64_t count, std::size_t element_bytes,
                               const std::int64_t* table, int ndim, std::byte* out, std::size_t alignment,
                               cudaStream_t stream);

}  // namespace tessera::kernels::cuda
