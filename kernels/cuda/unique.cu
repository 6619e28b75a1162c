#include "tessera/kernels/cuda/unique.hpp"

#include <cub/device/device_scan.cuh>
#include <cub/device/device_select.cuh>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <bit>

#include "grid_stride.cuh"
#include "real_values.cuh"
#include "tessera/kernels/cuda/check.hpp"
#include "tessera/kernels/cuda/sort.hpp"
#include "tessera/kernels/slab_table.hpp"

namespace tessera::kernels::cuda {
namespace {

using Positions = thrust::counting_iterator<long long>;

/// Record p's value and flat index.
template <class T>
__device__ T value_of(const std::byte* records, long long p) {
  T v;
  memcpy(&v, records + p * kSortRecordBytes, sizeof(T));
  return v;
}
__device__ long long index_of(const std::byte* records, long long p) {
  long long i;
  memcpy(&i, records + p * kSortRecordBytes + 8, sizeof(i));
  return i;
}

/// As the host's starts_group: a value starts where a record's is not the one before's
/// (same_unique_value: by order key, NaN never the same).
template <class T>
__global__ void mark_starts_kernel(const std::byte* __restrict__ records, const std::byte* __restrict__ previous,
                                   bool first_starts, long long* __restrict__ flags, long long count) {
  TESSERA_GRID_STRIDE(p, count) {
    bool starts = first_starts;
    if (p > 0) {
      starts = !same_unique_value(value_of<T>(records, p - 1), value_of<T>(records, p));
    } else if (previous != nullptr) {
      starts = !same_unique_value(value_of<T>(previous, 0), value_of<T>(records, 0));
    }
    flags[p] = starts ? 1 : 0;
  }
}

__global__ void start_summary_kernel(const long long* __restrict__ positions, const long long* __restrict__ selected,
                                     long long* __restrict__ summary) {
  summary[0] = *selected;
  summary[1] = *selected > 0 ? positions[0] : -1;
}

template <class V>
__global__ void values_kernel(const std::byte* __restrict__ records, const long long* __restrict__ positions,
                              V* __restrict__ out, long long starts) {
  TESSERA_GRID_STRIDE(g, starts) {
    out[g] = value_of<V>(records, positions[g]);
  }
}

__global__ void indices_kernel(const std::byte* __restrict__ records, const long long* __restrict__ positions,
                               long long* __restrict__ out, long long starts) {
  TESSERA_GRID_STRIDE(g, starts) {
    out[g] = index_of(records, positions[g]);
  }
}

/// Whole records: they stay aligned to their 16 bytes in pool memory.
__global__ void records_kernel(const std::byte* __restrict__ records, const long long* __restrict__ positions,
                               uint4* __restrict__ out, long long starts) {
  static_assert(sizeof(uint4) == kSortRecordBytes);
  TESSERA_GRID_STRIDE(g, starts) {
    out[g] = reinterpret_cast<const uint4*>(records)[positions[g]];
  }
}

__global__ void counts_kernel(const long long* __restrict__ positions, long long end, long long* __restrict__ out,
                              long long starts) {
  TESSERA_GRID_STRIDE(g, starts) {
    out[g] = (g + 1 < starts ? positions[g + 1] : end) - positions[g];
  }
}

__global__ void block_keys_kernel(const std::byte* __restrict__ records, const long long* __restrict__ table,
                                  unsigned long long* __restrict__ keys, long long count) {
  TESSERA_GRID_STRIDE(p, count) {
    std::int64_t block = 0, offset = 0;
    locate_in_slab(reinterpret_cast<const std::int64_t*>(table), index_of(records, p), block, offset);
    keys[p] = static_cast<unsigned long long>(block);
  }
}

/// Row r from record order[r]; its value's number from the inclusive sum of the flags.
__global__ void rows_kernel(const std::byte* __restrict__ records, const long long* __restrict__ table,
                            const long long* __restrict__ order, const long long* __restrict__ started,
                            long long values_before, long long* __restrict__ rows, long long count) {
  TESSERA_GRID_STRIDE(r, count) {
    const long long p = order[r];
    std::int64_t block = 0, offset = 0;
    locate_in_slab(reinterpret_cast<const std::int64_t*>(table), index_of(records, p), block, offset);
    rows[3 * r] = block;
    rows[3 * r + 1] = offset;
    rows[3 * r + 2] = values_before + started[p] - 1;
  }
}

/// A row of thread blocks (grid x) per row chunk (grid y): the chunk's
/// rows of `block` are a range, found by a binary search over its blocks, then written by
/// the chunk's thread blocks together.
__global__ void gather_inverse_kernel(const long long* const* __restrict__ chunks, const long long* __restrict__ sizes,
                                      long long block, long long* __restrict__ out, unsigned long long* found) {
  const long long* rows = chunks[blockIdx.y];
  const long long n = sizes[blockIdx.y];
  __shared__ long long range[2];
  if (threadIdx.x == 0) {
    for (int side = 0; side < 2; ++side) {  // the first row of the block, then the first after it
      long long lo = 0, hi = n;
      while (lo < hi) {
        const long long mid = lo + (hi - lo) / 2;
        if (side == 0 ? rows[3 * mid] < block : rows[3 * mid] <= block) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      range[side] = lo;
    }
    if (blockIdx.x == 0) atomicAdd(found, static_cast<unsigned long long>(range[1] - range[0]));
  }
  __syncthreads();
  const long long step = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long r = range[0] + blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; r < range[1];
       r += step) {
    out[rows[3 * r + 1]] = rows[3 * r + 2];
  }
}

std::size_t aligned(std::size_t bytes) { return (bytes + 255) / 256 * 256; }

/// The parts of scatter_rows_on_device's workspace: the inclusive sum of the flags, the
/// rows' block keys and their order, then CUB's scan space and the sort's workspace.
struct ScatterWorkspace {
  long long* started;
  unsigned long long* keys;
  long long* order;
  void* scan;
  std::size_t scan_bytes;
  void* sort;
  std::size_t sort_bytes;

  static std::size_t array_bytes(std::int64_t count) { return aligned(static_cast<std::size_t>(count) * 8); }
  static std::size_t scan_space(std::int64_t count) {
    std::size_t bytes = 0;
    check_cuda(cub::DeviceScan::InclusiveSum(nullptr, bytes, static_cast<const long long*>(nullptr),
                                             static_cast<long long*>(nullptr), count),
               "sizing the numbering of values");
    return aligned(bytes);
  }
  static std::size_t total(std::int64_t count) {
    return 3 * array_bytes(count) + scan_space(count) + sort_workspace_bytes(count);
  }

  ScatterWorkspace(void* base, std::size_t bytes, std::int64_t count) {
    if (bytes < total(count)) throw ValueError("unique's scatter workspace: too small");
    auto* at = static_cast<char*>(base);
    const std::size_t array = array_bytes(count);
    started = reinterpret_cast<long long*>(at);
    keys = reinterpret_cast<unsigned long long*>(at + array);
    order = reinterpret_cast<long long*>(at + 2 * array);
    scan = at + 3 * array;
    scan_bytes = scan_space(count);
    sort = static_cast<char*>(scan) + scan_bytes;
    sort_bytes = bytes - 3 * array - scan_bytes;
  }
};

}  // namespace

void mark_value_starts_on_device(DType dtype, const void* records, std::int64_t count, const void* previous,
                                 bool first_starts, std::int64_t* flags, cudaStream_t stream) {
  if (count == 0) return;
  clear_stale_launch_error();
  real_dispatch(dtype, [&]<class T>() {
    mark_starts_kernel<T><<<blocks_for(count), kThreads, 0, stream>>>(
        static_cast<const std::byte*>(records), static_cast<const std::byte*>(previous), first_starts,
        reinterpret_cast<long long*>(flags), count);
  });
  check_cuda(cudaGetLastError(), "marking where values start");
}

std::size_t value_starts_workspace_bytes(std::int64_t count) {
  std::size_t bytes = 0;
  check_cuda(cub::DeviceSelect::Flagged(nullptr, bytes, Positions(0), static_cast<const long long*>(nullptr),
                                        static_cast<long long*>(nullptr), static_cast<long long*>(nullptr),
                                        std::max<std::int64_t>(count, 1)),
             "sizing a selection of value starts");
  return bytes;
}

void select_value_starts_on_device(const std::int64_t* flags, std::int64_t count, std::int64_t* positions,
                                   std::int64_t* selected, void* workspace, std::size_t workspace_bytes,
                                   cudaStream_t stream) {
  clear_stale_launch_error();  // CUB reads the last error after its launches
  check_cuda(cub::DeviceSelect::Flagged(workspace, workspace_bytes, Positions(0),
                                        reinterpret_cast<const long long*>(flags),
                                        reinterpret_cast<long long*>(positions),
                                        reinterpret_cast<long long*>(selected), count, stream),
             "selecting value starts");
}

void write_start_summary_on_device(const std::int64_t* positions, const std::int64_t* selected,
                                   std::int64_t* summary, cudaStream_t stream) {
  clear_stale_launch_error();
  start_summary_kernel<<<1, 1, 0, stream>>>(reinterpret_cast<const long long*>(positions),
                                            reinterpret_cast<const long long*>(selected),
                                            reinterpret_cast<long long*>(summary));
  check_cuda(cudaGetLastError(), "summarizing value starts");
}

void write_values_on_device(DType dtype, ValuePart part, const void* records, const std::int64_t* positions,
                            std::int64_t starts, std::int64_t end, void* out, cudaStream_t stream) {
  if (starts == 0) return;
  const auto* r = static_cast<const std::byte*>(records);
  const auto* p = reinterpret_cast<const long long*>(positions);
  auto* out64 = static_cast<long long*>(out);
  clear_stale_launch_error();
  const unsigned blocks = blocks_for(starts);
  switch (part) {
    case ValuePart::values:
      real_dispatch(dtype, [&]<class T>() {
        using V = Bytes<sizeof(T)>;
        values_kernel<V><<<blocks, kThreads, 0, stream>>>(r, p, static_cast<V*>(out), starts);
      });
      break;
    case ValuePart::indices:
      indices_kernel<<<blocks, kThreads, 0, stream>>>(r, p, out64, starts);
      break;
    case ValuePart::counts:
      counts_kernel<<<blocks, kThreads, 0, stream>>>(p, end, out64, starts);
      break;
    case ValuePart::records:
      records_kernel<<<blocks, kThreads, 0, stream>>>(r, p, static_cast<uint4*>(out), starts);
      break;
  }
  check_cuda(cudaGetLastError(), "writing unique values");
}

std::size_t scatter_rows_workspace_bytes(std::int64_t count) {
  return ScatterWorkspace::total(std::max<std::int64_t>(count, 1));
}

void scatter_rows_on_device(const void* records, const std::int64_t* flags, std::int64_t count,
                            std::int64_t values_before, const std::int64_t* blocks_table, std::int64_t blocks,
                            std::int64_t* rows, void* workspace, std::size_t workspace_bytes, cudaStream_t stream) {
  if (count == 0) return;
  ScatterWorkspace w(workspace, workspace_bytes, count);
  const auto* r = static_cast<const std::byte*>(records);
  const auto* table = reinterpret_cast<const long long*>(blocks_table);
  clear_stale_launch_error();  // CUB reads the last error after its launches
  check_cuda(cub::DeviceScan::InclusiveSum(w.scan, w.scan_bytes, reinterpret_cast<const long long*>(flags), w.started,
                                           count, stream),
             "numbering values");
  block_keys_kernel<<<blocks_for(count), kThreads, 0, stream>>>(r, table, w.keys, count);
  check_cuda(cudaGetLastError(), "finding the blocks of records");
  const int bits = std::max(1, static_cast<int>(std::bit_width(static_cast<std::uint64_t>(std::max<std::int64_t>(blocks - 1, 0)))));
  sort_positions_by_key_on_device(reinterpret_cast<const std::uint64_t*>(w.keys), count, bits,
                                  reinterpret_cast<std::int64_t*>(w.order), w.sort, w.sort_bytes, stream);
  clear_stale_launch_error();
  rows_kernel<<<blocks_for(count), kThreads, 0, stream>>>(r, table, w.order, w.started, values_before,
                                                          reinterpret_cast<long long*>(rows), count);
  check_cuda(cudaGetLastError(), "writing the inverse's rows");
}

void gather_inverse_on_device(const std::int64_t* const* chunks, const std::int64_t* sizes, std::int64_t chunk_count,
                              std::int64_t block, std::int64_t* out, std::int64_t size, std::int64_t* found,
                              cudaStream_t stream) {
  if (chunk_count == 0 || size == 0) return;
  // One chunk may hold every row of the block: each chunk gets the thread blocks the
  // whole block would (grid y counts chunks, so a grid stays within CUDA's limit of
  // 65535 there by taking the chunks 65535 at a time), fewer when there are many chunks.
  constexpr std::int64_t kMaxChunksPerLaunch = 65535, kMaxBlocksPerLaunch = std::int64_t{1} << 20;
  for (std::int64_t first = 0; first < chunk_count; first += kMaxChunksPerLaunch) {
    const std::int64_t chunks_now = std::min(kMaxChunksPerLaunch, chunk_count - first);
    const std::int64_t tiles =
        std::clamp<std::int64_t>(std::min<std::int64_t>(blocks_for(size), kMaxBlocksPerLaunch / chunks_now), 1, 8192);
    clear_stale_launch_error();
    gather_inverse_kernel<<<dim3(static_cast<unsigned>(tiles), static_cast<unsigned>(chunks_now)), kThreads, 0,
                            stream>>>(reinterpret_cast<const long long* const*>(chunks + first),
                                      reinterpret_cast<const long long*>(sizes + first), block,
                                      reinterpret_cast<long long*>(out), reinterpret_cast<unsigned long long*>(found));
    check_cuda(cudaGetLastError(), "gathering the inverse");
  }
}

}  // namespace tessera::kernels::cuda
