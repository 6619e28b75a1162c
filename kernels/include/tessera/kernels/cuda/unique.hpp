// unique on a GPU: the device side of the stages that follow the sort in array/src/
// unique.cpp. They read R, every element of x as a record (value at offset 0, int64 flat
// index at offset 8, 16 bytes: the device sort's records, sort.hpp) sorted by value, one
// chunk of R at a time. A value starts where a record differs from the one before it (NaN
// differs from everything, itself included; -0.0 equals 0.0), as on the host; CUB selects
// the starts and numbers the values.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "tessera/core/dtype.hpp"

namespace tessera::kernels::cuda {

/// flags[p] (int64, device memory) = 1 where a value starts at record p of the `count`
/// records of `dtype`, else 0. Record 0 is compared with `*previous` (the last record of
/// the chunk before, device memory) when given, else it starts a value when `first_starts`.
void mark_value_starts_on_device(DType dtype, const void* records, std::int64_t count, const void* previous,
                                 bool first_starts, std::int64_t* flags, cudaStream_t stream);

/// Bytes of the workspace select_value_starts_on_device needs for `count` records.
std::size_t value_starts_workspace_bytes(std::int64_t count);

/// The p with flags[p] set, ascending, into `positions` (room for `count`), and how many
/// into *selected (device memory).
void select_value_starts_on_device(const std::int64_t* flags, std::int64_t count, std::int64_t* positions,
                                   std::int64_t* selected, void* workspace, std::size_t workspace_bytes,
                                   cudaStream_t stream);

/// What the scan stage reports of a chunk: summary[0] = *selected, summary[1] =
/// positions[0], or -1 when no value starts in it (device memory).
void write_start_summary_on_device(const std::int64_t* positions, const std::int64_t* selected,
                                   std::int64_t* summary, cudaStream_t stream);

/// What write_values_on_device writes per value starting in a chunk.
enum class ValuePart : std::uint8_t { values, indices, counts, records };

/// out[g] for the g-th of the `starts` values starting in a chunk (positions from
/// select_value_starts_on_device): its value (of `dtype`), the flat index of its first
/// element, its number of elements, the last one's ending at record `end` of the chunk
/// (where the next value starts, counted from the chunk's first record), or the whole
/// record of its first element (kSortRecordBytes; `records` and `out` 16-byte aligned, as
/// device allocations are).
void write_values_on_device(DType dtype, ValuePart part, const void* records, const std::int64_t* positions,
                            std::int64_t starts, std::int64_t end, void* out, cudaStream_t stream);

/// Bytes of the workspace scatter_rows_on_device needs for `count` records (the scratch
/// arrays and the sort's).
std::size_t scatter_rows_workspace_bytes(std::int64_t count);

/// The first half of the inverse_indices shuffle: rows[r] = {block, offset, value} (3
/// int64 each) for every record of the chunk, grouped by block: its element's block of x
/// and offset in it (`blocks_table`, the slab table of all of x, slab_table.hpp, in device
/// memory; `blocks` blocks in all) and the number of its value in unique's values
/// (`values_before` values start before the chunk; `flags` from mark_value_starts_on_device).
void scatter_rows_on_device(const void* records, const std::int64_t* flags, std::int64_t count,
                            std::int64_t values_before, const std::int64_t* blocks_table, std::int64_t blocks,
                            std::int64_t* rows, void* workspace, std::size_t workspace_bytes, cudaStream_t stream);

/// The second half: out[offset] = value for every row of block `block` in the row chunks
/// `chunks[j]` (`sizes[j]` rows each, grouped by block; both arrays in device memory).
/// The block has `size` elements; the rows found are added to *found (device memory, set
/// beforehand), which the caller compares with it.
void gather_inverse_on_device(const std::int64_t* const* chunks, const std::int64_t* sizes, std::int64_t chunk_count,
                              std::int64_t block, std::int64_t* out, std::int64_t size, std::int64_t* found,
                              cudaStream_t stream);

}  // namespace tessera::kernels::cuda
