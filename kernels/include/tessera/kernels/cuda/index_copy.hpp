// Copies by index on a GPU: the device side of take and setitem (array/src/take.cpp,
// setitem.cpp). Both only move elements, so they work on bytes whatever the dtype, in the
// widest words that every address allows (copy_words.cuh).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace tessera::kernels::cuda {

/// Where one slice along the taken axis comes from: the address of its first row (outer
/// index 0) and the distance in bytes between its rows.
struct SliceSource {
  const std::byte* first = nullptr;
  std::int64_t row_stride = 0;
};

/// `out` as (outer, slices, slice_bytes) in C order: out[o, r, :] is the `slice_bytes` at
/// sources[r].first + o * sources[r].row_stride. `sources` is in device memory.
/// `alignment`: a power of two dividing `out` and the start of every block the sources
/// lie in; their first addresses and row strides are whole slices from there.
void gather_slices_on_device(const SliceSource* sources, std::int64_t slices, std::int64_t outer,
                             std::size_t slice_bytes, std::byte* out, std::size_t alignment, cudaStream_t stream);

/// Writes `values` (`count` elements of `element_bytes`, in C order over a box of `ndim`
/// extents) into `out` at element offsets Σ k_d · strides[d] for the box's index k.
/// `table` (device memory) is {extents[ndim]..., strides[ndim]...}; strides are in
/// elements and may be negative. `alignment` divides `out` and `values`.
void scatter_strided_on_device(const std::byte* values, std::int64_t count, std::size_t element_bytes,
                               const std::int64_t* table, int ndim, std::byte* out, std::size_t alignment,
                               cudaStream_t stream);

}  // namespace tessera::kernels::cuda
