// Sorting on a GPU: the device side of the array layer's blocked sort (array/src/
// sort_runs.hpp). Lanes of (value, index) records are put in the order of
// array/src/sort_order.hpp (ascending or descending, NaNs last either way, -0.0 equal to
// 0.0, ties by index) by stable least-significant-first passes of CUB's radix sort over a
// permutation: by index where asked, then by an order-preserving integer key of the value,
// then by lane. Every pass is the same sort of (64-bit key, 64-bit position) pairs, so the
// library instantiates CUB's radix sort once for every dtype and lane shape.
//
// Records are the host's Record<T> for every real dtype: the value's bytes at offset 0,
// the int64 index at offset 8, 16 bytes in all. Complex values sort on the CPU.
//
// searchsorted shares the order: it compares the same integer keys.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "tessera/core/dtype.hpp"

namespace tessera::kernels::cuda {

/// Bytes of one record on the device (and of Record<T> on the host, for real T).
inline constexpr std::size_t kSortRecordBytes = 16;

/// Whether the device sort orders values of `dtype`: every real dtype.
bool has_device_sort(DType dtype) noexcept;

/// The index that record p of every lane gets, computed where the record is made rather
/// than read from a list: base + Σ k_d · strides[d] for the C-order index k of p in a box
/// of `ndim` extents. `table` (device memory) is {extents[ndim]..., strides[ndim]...}, the
/// extents' product the lanes' length. A lane along an axis: one extent, stride 1, base
/// its first position; a block sorted as a whole: the block's extents, the array's
/// strides, base the flat index of its first element.
struct RecordIndices {
  const std::int64_t* table = nullptr;
  int ndim = 0;
  std::int64_t base = 0;
};

/// Records of a C-contiguous block's lanes along an axis: the block is `outer` × `length`
/// × `inner` elements of `dtype`; lane l = o·inner + i holds the elements (o, p, i) for p
/// in [0, length), and its record p gets index `indices` of p. Writes the lanes one after
/// the other into `records` (outer·inner·length records, device memory).
void make_sort_records_on_device(DType dtype, const void* values, std::int64_t outer, std::int64_t length,
                                 std::int64_t inner, const RecordIndices& indices, void* records, cudaStream_t stream);

/// Bytes of the workspace sort_records_on_device needs for `count` records.
std::size_t sort_workspace_bytes(std::int64_t count);

struct SortLanes {
  DType dtype = DType::float64;
  bool descending = false;
  std::int64_t lanes = 1;   ///< lanes, one after the other
  std::int64_t length = 0;  ///< records per lane
  /// When positive, records are first put in order of index, all below this bound: for
  /// lanes whose records are not already in index order among equal values (runs of
  /// blocks whose flat indices interleave). 0: the records' order breaks ties.
  std::int64_t index_bound = 0;
};

/// Sorts each lane of `records` (lanes.lanes × lanes.length records, device memory) into
/// `sorted`, stably by value in the order above; equal values keep their order (or go by
/// index, with an index bound). `workspace` holds sort_workspace_bytes(lanes × length)
/// bytes of device memory. Runs on `stream`; returns before it is done.
void sort_records_on_device(const SortLanes& lanes, const void* records, void* sorted, void* workspace,
                            std::size_t workspace_bytes, cudaStream_t stream);

/// What write_sorted_window_on_device writes of each record.
enum class SortedPart : std::uint8_t { records, values, indices };

/// Writes ranks [lo, hi) of every sorted lane (`lanes` lanes of `length` records) into
/// `out`: whole records lane after lane, or values (of `dtype`) or indices (int64) at
/// element q of lane l = o·inner + i of an output block of outer × (hi − lo) × inner.
void write_sorted_window_on_device(DType dtype, SortedPart part, const void* sorted, std::int64_t lanes,
                                   std::int64_t length, std::int64_t lo, std::int64_t hi, std::int64_t inner, void* out,
                                   cudaStream_t stream);

/// positions[r] (`count` of them, device memory): the p in [0, count) in the stable order
/// of keys[p] (device memory, each below 2^bits). `workspace`: sort_workspace_bytes(count)
/// bytes of device memory. The same radix sort as the records', for other kernels (unique's
/// shuffle) to group by a key without instantiating CUB again.
void sort_positions_by_key_on_device(const std::uint64_t* keys, std::int64_t count, int bits, std::int64_t* positions,
                                     void* workspace, std::size_t workspace_bytes, cudaStream_t stream);

/// One non-empty chunk of a sorted array, for search_sorted_on_device: its elements
/// (device memory), how many, and how many elements the chunks before it hold.
struct SortedPiece {
  const void* data = nullptr;
  std::int64_t size = 0;
  std::int64_t before = 0;
};

/// searchsorted on the device (array/src/searching.cpp): for each of `count` values of
/// `dtype`, the number of elements of the sorted array less than it ("left", `right`
/// false) or not greater ("right"), in the ascending order above, into out[i] (int64,
/// device memory). The array is `pieces` (device memory, in order), `total` elements in all.
void search_sorted_on_device(DType dtype, bool right, const SortedPiece* pieces, std::int64_t piece_count,
                             std::int64_t total, const void* values, std::int64_t count, std::int64_t* out,
                             cudaStream_t stream);

}  // namespace tessera::kernels::cuda
