// Selections by a boolean mask on a GPU: the device side of boolean_index, argwhere and
// nonzero (array/src/masking.cpp). Their unit is a slab: a box of the mask that may span
// several mask blocks (slab_table.hpp), visited in C order over the box. CUB's DeviceSelect keeps the
// positions of its true elements in that order; the rows of x below them, or their
// coordinates, are then written out. CUB's DeviceReduce counts the true elements of a
// block beforehand, which sizes every result.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace tessera::kernels::cuda {

// Slabs are described by their tables (tessera/kernels/slab_table.hpp), in device memory.

/// Bytes of the workspace count_true_on_device needs for `n` elements.
std::size_t count_true_workspace_bytes(std::int64_t n);
/// The number of true elements among `n` bools at `mask`, written to `*count` (device memory).
void count_true_on_device(const bool* mask, std::int64_t n, std::int64_t* count, void* workspace,
                          std::size_t workspace_bytes, cudaStream_t stream);

/// Bytes of the workspace select_true_on_device and count_true_in_slab_on_device need
/// for a slab of `n` elements.
std::size_t select_workspace_bytes(std::int64_t n);
/// The number of true elements of a slab of `n` elements into `*count` (device memory):
/// what sizes select_true_on_device's output, checked before it writes.
void count_true_in_slab_on_device(const std::int64_t* table, std::int64_t n, const bool* const* mask_blocks,
                                  std::int64_t* count, void* workspace, std::size_t workspace_bytes,
                                  cudaStream_t stream);
/// The positions (ascending) of the true elements of a slab of `n` elements into
/// `positions`, and their number into `*selected`. `mask_blocks` lists the slab's mask
/// blocks in C order over its block grid (a device array of device pointers).
void select_true_on_device(const std::int64_t* table, std::int64_t n, const bool* const* mask_blocks,
                           std::int64_t* positions, std::int64_t* selected, void* workspace,
                           std::size_t workspace_bytes, cudaStream_t stream);

/// Row r of `out` (`count` rows of `row_bytes`): the row at the position positions[r] of
/// the slab in its block of `blocks` (blocks of x with the slab's block order, whose rows
/// are the trailing sub-blocks below each mask element). `alignment`: a power of two that
/// divides `out` and every block's address (imported memory may start anywhere), which
/// with the row size bounds the width of the loads.
void gather_rows_on_device(const std::int64_t* table, const std::int64_t* positions, std::int64_t count,
                           const std::byte* const* blocks, std::size_t row_bytes, std::byte* out,
                           std::size_t alignment, cudaStream_t stream);

/// Row r of `out` (`count` × nd int64): the mask coordinates of the slab's position positions[r].
void write_coordinates_on_device(const std::int64_t* table, std::int64_t ndim, const std::int64_t* positions,
                                 std::int64_t count, std::int64_t* out, cudaStream_t stream);

}  // namespace tessera::kernels::cuda
