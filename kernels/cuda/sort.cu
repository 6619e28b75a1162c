#include "tessera/kernels/cuda/sort.hpp"

#include <cub/device/device_radix_sort.cuh>

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <type_traits>

#include "box_offset.cuh"
#include "grid_stride.cuh"
#include "real_values.cuh"
#include "tessera/core/error.hpp"
#include "tessera/kernels/cuda/check.hpp"
#include "tessera/kernels/order_key.hpp"

namespace tessera::kernels::cuda {
namespace {

/// A record as the kernels move it: the value's bytes (zero-extended) and the index.
struct alignas(16) DeviceRecord {
  unsigned long long value_bytes;
  long long index;
};
static_assert(sizeof(DeviceRecord) == kSortRecordBytes);

template <class V>
__global__ void make_records_kernel(const V* __restrict__ values, long long length, long long inner,
                                    const std::int64_t* __restrict__ index_table, int index_ndim, long long index_base,
                                    DeviceRecord* __restrict__ records, long long count) {
  TESSERA_GRID_STRIDE(e, count) {
    const long long lane = e / length, p = e % length;
    const long long o = lane / inner, i = lane % inner;
    records[e] =
        DeviceRecord{values[(o * length + p) * inner + i], index_base + box_offset(p, index_table, index_ndim)};
  }
}

template <class T>
__global__ void value_keys_kernel(const DeviceRecord* __restrict__ records, const long long* __restrict__ positions,
                                  unsigned long long* __restrict__ keys, long long count, bool descending) {
  TESSERA_GRID_STRIDE(r, count) {
    T value;
    memcpy(&value, &records[positions[r]].value_bytes, sizeof(T));
    keys[r] = order_key(value, descending);
  }
}

__global__ void index_keys_kernel(const DeviceRecord* __restrict__ records, const long long* __restrict__ positions,
                                  unsigned long long* __restrict__ keys, long long count) {
  TESSERA_GRID_STRIDE(r, count) {
    keys[r] = static_cast<unsigned long long>(records[positions[r]].index);
  }
}

__global__ void lane_keys_kernel(const long long* __restrict__ positions, unsigned long long* __restrict__ keys,
                                 long long count, long long length) {
  TESSERA_GRID_STRIDE(r, count) {
    keys[r] = static_cast<unsigned long long>(positions[r] / length);
  }
}

__global__ void iota_kernel(long long* __restrict__ positions, long long count) {
  TESSERA_GRID_STRIDE(r, count) {
    positions[r] = r;
  }
}

__global__ void gather_records_kernel(const DeviceRecord* __restrict__ records, const long long* __restrict__ positions,
                                      DeviceRecord* __restrict__ sorted, long long count) {
  TESSERA_GRID_STRIDE(r, count) {
    sorted[r] = records[positions[r]];
  }
}

/// Element q of lane l of the window at (l / inner, q, l % inner) of an outer × width ×
/// inner block; whole records go lane after lane (inner 1).
template <class V, SortedPart Part>
__global__ void window_kernel(const DeviceRecord* __restrict__ sorted, long long length, long long lo, long long width,
                              long long inner, V* __restrict__ out, long long count) {
  TESSERA_GRID_STRIDE(t, count) {
    const long long l = t / width, q = t % width;
    const DeviceRecord r = sorted[l * length + lo + q];
    V v;
    if constexpr (Part == SortedPart::records) {
      v = r;
    } else if constexpr (Part == SortedPart::indices) {
      v = r.index;
    } else {
      memcpy(&v, &r.value_bytes, sizeof(V));
    }
    out[(l / inner) * width * inner + q * inner + l % inner] = v;
  }
}

/// The first of [0, n) for which `precedes(key(p))` is false (all before it precede).
template <class Key, class Precedes>
__device__ long long partition_point(long long n, Key&& key, Precedes&& precedes) {
  long long lo = 0, hi = n;
  while (lo < hi) {
    const long long mid = lo + (hi - lo) / 2;
    if (precedes(key(mid))) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/// A binary search over the pieces' last elements finds the piece where the elements
/// preceding the value end, and one within it where.
template <class T>
__global__ void search_sorted_kernel(const SortedPiece* __restrict__ pieces, long long piece_count, long long total,
                                     const T* __restrict__ values, long long* __restrict__ out, long long count,
                                     bool right) {
  TESSERA_GRID_STRIDE(i, count) {
    const unsigned long long v = order_key(values[i], false);
    const auto precedes = [&](unsigned long long e) { return right ? e <= v : e < v; };
    const auto element_key = [&](long long piece, long long p) {
      return order_key(static_cast<const T*>(pieces[piece].data)[p], false);
    };
    const long long piece =
        partition_point(piece_count, [&](long long k) { return element_key(k, pieces[k].size - 1); }, precedes);
    long long at = total;
    if (piece < piece_count) {
      at = pieces[piece].before +
           partition_point(pieces[piece].size, [&](long long p) { return element_key(piece, p); }, precedes);
    }
    out[i] = at;
  }
}

int bits_for(std::int64_t bound) {
  return std::max(1, static_cast<int>(std::bit_width(static_cast<std::uint64_t>(bound))));
}

/// Where the workspace's parts lie: two buffers each of keys and of positions, then CUB's.
struct Workspace {
  cub::DoubleBuffer<unsigned long long> keys;
  cub::DoubleBuffer<long long> positions;
  void* temp = nullptr;
  std::size_t temp_bytes = 0;

  static std::size_t arrays_bytes(std::int64_t count) {
    const std::size_t array = (static_cast<std::size_t>(count) * 8 + 255) / 256 * 256;
    return 4 * array;
  }
  static std::size_t cub_bytes(std::int64_t count) {
    std::size_t bytes = 0;
    cub::DoubleBuffer<unsigned long long> keys;
    cub::DoubleBuffer<long long> values;
    check_cuda(cub::DeviceRadixSort::SortPairs(nullptr, bytes, keys, values, count), "cub::DeviceRadixSort::SortPairs");
    return bytes;
  }

  Workspace(void* base, std::size_t bytes, std::int64_t count) {
    const std::size_t array = arrays_bytes(count) / 4;
    auto* at = static_cast<char*>(base);
    keys = cub::DoubleBuffer<unsigned long long>(reinterpret_cast<unsigned long long*>(at),
                                                 reinterpret_cast<unsigned long long*>(at + array));
    positions = cub::DoubleBuffer<long long>(reinterpret_cast<long long*>(at + 2 * array),
                                             reinterpret_cast<long long*>(at + 3 * array));
    temp = at + 4 * array;
    if (bytes < 4 * array) throw ValueError("sort workspace: too small");
    temp_bytes = bytes - 4 * array;
  }

  /// One stable pass over the keys' low `bits` bits; keys and positions swap buffers.
  void pass(std::int64_t count, int bits, cudaStream_t stream) {
    check_cuda(cub::DeviceRadixSort::SortPairs(temp, temp_bytes, keys, positions, count, 0, bits, stream),
               "cub::DeviceRadixSort::SortPairs");
  }
};

}  // namespace

bool has_device_sort(DType dtype) noexcept {
  return !is_complex(dtype);
}

void make_sort_records_on_device(DType dtype, const void* values, std::int64_t outer, std::int64_t length,
                                 std::int64_t inner, const RecordIndices& indices, void* records, cudaStream_t stream) {
  const std::int64_t count = outer * length * inner;
  if (count == 0) return;
  clear_stale_launch_error();
  real_dispatch(dtype, [&]<class T>() {
    using V = Bytes<sizeof(T)>;
    make_records_kernel<V><<<blocks_for(count), kThreads, 0, stream>>>(static_cast<const V*>(values), length, inner,
                                                                       indices.table, indices.ndim, indices.base,
                                                                       static_cast<DeviceRecord*>(records), count);
  });
  check_cuda(cudaGetLastError(), "launching the record kernel");
}

std::size_t sort_workspace_bytes(std::int64_t count) {
  return Workspace::arrays_bytes(count) + Workspace::cub_bytes(std::max<std::int64_t>(count, 1));
}

void sort_records_on_device(const SortLanes& lanes, const void* records, void* sorted, void* workspace,
                            std::size_t workspace_bytes, cudaStream_t stream) {
  const std::int64_t count = lanes.lanes * lanes.length;
  if (count == 0) return;
  const auto* in = static_cast<const DeviceRecord*>(records);
  Workspace w(workspace, workspace_bytes, count);
  const unsigned blocks = blocks_for(count);
  clear_stale_launch_error();
  iota_kernel<<<blocks, kThreads, 0, stream>>>(w.positions.Current(), count);
  if (lanes.index_bound > 0) {
    index_keys_kernel<<<blocks, kThreads, 0, stream>>>(in, w.positions.Current(), w.keys.Current(), count);
    w.pass(count, bits_for(lanes.index_bound - 1), stream);
  }
  real_dispatch(lanes.dtype, [&]<class T>() {
    value_keys_kernel<T>
        <<<blocks, kThreads, 0, stream>>>(in, w.positions.Current(), w.keys.Current(), count, lanes.descending);
    w.pass(count, 8 * static_cast<int>(sizeof(T)), stream);
  });
  if (lanes.lanes > 1) {
    lane_keys_kernel<<<blocks, kThreads, 0, stream>>>(w.positions.Current(), w.keys.Current(), count, lanes.length);
    w.pass(count, bits_for(lanes.lanes - 1), stream);
  }
  gather_records_kernel<<<blocks, kThreads, 0, stream>>>(in, w.positions.Current(), static_cast<DeviceRecord*>(sorted),
                                                         count);
  check_cuda(cudaGetLastError(), "launching the sort kernels");
}

void sort_positions_by_key_on_device(const std::uint64_t* keys, std::int64_t count, int bits, std::int64_t* positions,
                                     void* workspace, std::size_t workspace_bytes, cudaStream_t stream) {
  if (count == 0) return;
  Workspace w(workspace, workspace_bytes, count);
  clear_stale_launch_error();
  iota_kernel<<<blocks_for(count), kThreads, 0, stream>>>(w.positions.Current(), count);
  check_cuda(cudaGetLastError(), "launching the position kernel");
  const auto bytes = static_cast<std::size_t>(count) * sizeof(std::uint64_t);
  check_cuda(cudaMemcpyAsync(w.keys.Current(), keys, bytes, cudaMemcpyDeviceToDevice, stream), "copying sort keys");
  w.pass(count, std::clamp(bits, 1, 64), stream);
  check_cuda(cudaMemcpyAsync(positions, w.positions.Current(), bytes, cudaMemcpyDeviceToDevice, stream),
             "copying sorted positions");
}

void search_sorted_on_device(DType dtype, bool right, const SortedPiece* pieces, std::int64_t piece_count,
                             std::int64_t total, const void* values, std::int64_t count, std::int64_t* out,
                             cudaStream_t stream) {
  if (count == 0) return;
  clear_stale_launch_error();
  real_dispatch(dtype, [&]<class T>() {
    search_sorted_kernel<T><<<blocks_for(count), kThreads, 0, stream>>>(
        pieces, piece_count, total, static_cast<const T*>(values), reinterpret_cast<long long*>(out), count, right);
  });
  check_cuda(cudaGetLastError(), "launching the searchsorted kernel");
}

void write_sorted_window_on_device(DType dtype, SortedPart part, const void* sorted, std::int64_t lanes,
                                   std::int64_t length, std::int64_t lo, std::int64_t hi, std::int64_t inner, void* out,
                                   cudaStream_t stream) {
  if (lo < 0 || hi > length || lo > hi || inner < 1) {
    throw ValueError("sorted window [" + std::to_string(lo) + ", " + std::to_string(hi) + ") of lanes of " +
                     std::to_string(length) + " records (inner " + std::to_string(inner) + ")");
  }
  const std::int64_t width = hi - lo;
  const std::int64_t count = lanes * width;
  if (count == 0) return;
  const auto* in = static_cast<const DeviceRecord*>(sorted);
  const unsigned blocks = blocks_for(count);
  clear_stale_launch_error();
  switch (part) {
    case SortedPart::records:
      window_kernel<DeviceRecord, SortedPart::records>
          <<<blocks, kThreads, 0, stream>>>(in, length, lo, width, 1, static_cast<DeviceRecord*>(out), count);
      break;
    case SortedPart::indices:
      window_kernel<long long, SortedPart::indices>
          <<<blocks, kThreads, 0, stream>>>(in, length, lo, width, inner, static_cast<long long*>(out), count);
      break;
    case SortedPart::values:
      real_dispatch(dtype, [&]<class T>() {
        using V = Bytes<sizeof(T)>;
        window_kernel<V, SortedPart::values>
            <<<blocks, kThreads, 0, stream>>>(in, length, lo, width, inner, static_cast<V*>(out), count);
      });
      break;
  }
  check_cuda(cudaGetLastError(), "launching the sorted window kernel");
}

}  // namespace tessera::kernels::cuda
