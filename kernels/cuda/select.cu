#include "tessera/kernels/cuda/select.hpp"

#include <algorithm>

#include <cub/device/device_reduce.cuh>
#include <cub/device/device_select.cuh>
#include <cuda/std/functional>
#include <thrust/iterator/counting_iterator.h>

#include "copy_words.cuh"
#include "grid_stride.cuh"
#include "tessera/kernels/cuda/check.hpp"
#include "tessera/kernels/slab_table.hpp"

namespace tessera::kernels::cuda {
namespace {

/// Whether the slab's element at a position is true: the selection predicate.
struct IsTrueAt {
  const std::int64_t* table;
  const bool* const* blocks;
  __device__ bool operator()(long long p) const {
    std::int64_t block = 0, element = 0;
    locate_in_slab(table, p, block, element);
    return blocks[block][element];
  }
};

struct AsCount {
  __device__ long long operator()(bool v) const { return v ? 1 : 0; }
};

/// 1 for a true element of the slab at a position, else 0.
struct CountAt {
  IsTrueAt is_true;
  __device__ long long operator()(long long p) const { return is_true(p) ? 1 : 0; }
};

using Positions = thrust::counting_iterator<long long>;

/// Rows moved as words of `Word` (the widest that divides the row).
template <class Word>
__global__ void gather_rows_kernel(const std::int64_t* __restrict__ table, const std::int64_t* __restrict__ positions,
                                   long long words_per_row, const Word* const* __restrict__ blocks,
                                   Word* __restrict__ out, long long words) {
  TESSERA_GRID_STRIDE(i, words) {
    const long long row = i / words_per_row, word = i % words_per_row;
    std::int64_t block = 0, element = 0;
    locate_in_slab(table, positions[row], block, element);
    out[i] = blocks[block][element * words_per_row + word];
  }
}

__global__ void coordinates_kernel(const std::int64_t* __restrict__ table, const std::int64_t* __restrict__ positions,
                                   std::int64_t* __restrict__ out, long long count) {
  const std::int64_t nd = table[0];
  TESSERA_GRID_STRIDE(r, count) {
    for (std::int64_t d = 0; d < nd; ++d) out[r * nd + d] = slab_coordinate(table, positions[r], d);
  }
}

}  // namespace

std::size_t count_true_workspace_bytes(std::int64_t n) {
  std::size_t bytes = 0;
  check_cuda(cub::DeviceReduce::TransformReduce(nullptr, bytes, static_cast<const bool*>(nullptr),
                                                static_cast<long long*>(nullptr), n, ::cuda::std::plus<long long>{},
                                                AsCount{}, 0LL),
             "sizing a count of true elements");
  return bytes;
}

void count_true_on_device(const bool* mask, std::int64_t n, std::int64_t* count, void* workspace,
                          std::size_t workspace_bytes, cudaStream_t stream) {
  clear_stale_launch_error();  // CUB reads the last error after its launches
  check_cuda(cub::DeviceReduce::TransformReduce(workspace, workspace_bytes, mask, reinterpret_cast<long long*>(count),
                                                n, ::cuda::std::plus<long long>{}, AsCount{}, 0LL, stream),
             "counting true elements");
}

std::size_t select_workspace_bytes(std::int64_t n) {
  std::size_t select_bytes = 0, count_bytes = 0;
  check_cuda(cub::DeviceSelect::If(nullptr, select_bytes, Positions(0), static_cast<long long*>(nullptr),
                                   static_cast<long long*>(nullptr), n, IsTrueAt{nullptr, nullptr}),
             "sizing a selection");
  check_cuda(cub::DeviceReduce::TransformReduce(nullptr, count_bytes, Positions(0), static_cast<long long*>(nullptr), n,
                                                ::cuda::std::plus<long long>{}, CountAt{{nullptr, nullptr}}, 0LL),
             "sizing a count of a slab's true elements");
  return std::max(select_bytes, count_bytes);
}

void count_true_in_slab_on_device(const std::int64_t* table, std::int64_t n, const bool* const* mask_blocks,
                                  std::int64_t* count, void* workspace, std::size_t workspace_bytes,
                                  cudaStream_t stream) {
  clear_stale_launch_error();  // CUB reads the last error after its launches
  check_cuda(cub::DeviceReduce::TransformReduce(workspace, workspace_bytes, Positions(0),
                                                reinterpret_cast<long long*>(count), n, ::cuda::std::plus<long long>{},
                                                CountAt{{table, mask_blocks}}, 0LL, stream),
             "counting a slab's true elements");
}

void select_true_on_device(const std::int64_t* table, std::int64_t n, const bool* const* mask_blocks,
                           std::int64_t* positions, std::int64_t* selected, void* workspace,
                           std::size_t workspace_bytes, cudaStream_t stream) {
  const IsTrueAt is_true{table, mask_blocks};
  clear_stale_launch_error();  // CUB reads the last error after its launches
  check_cuda(cub::DeviceSelect::If(workspace, workspace_bytes, Positions(0), reinterpret_cast<long long*>(positions),
                                   reinterpret_cast<long long*>(selected), n, is_true, stream),
             "selecting true elements");
}

void gather_rows_on_device(const std::int64_t* table, const std::int64_t* positions, std::int64_t count,
                           const std::byte* const* blocks, std::size_t row_bytes, std::byte* out,
                           std::size_t alignment, cudaStream_t stream) {
  if (count == 0 || row_bytes == 0) return;
  // Every row starts at a multiple of the row size from its block's start: the widest
  // word that divides both the row size and the blocks' alignment is aligned everywhere.
  clear_stale_launch_error();
  with_copy_word(row_bytes | alignment, [&]<class Word>() {
    const auto words_per_row = static_cast<long long>(row_bytes / sizeof(Word));
    const long long words = count * words_per_row;
    gather_rows_kernel<Word><<<blocks_for(words), kThreads, 0, stream>>>(
        table, positions, words_per_row, reinterpret_cast<const Word* const*>(blocks), reinterpret_cast<Word*>(out),
        words);
  });
  check_cuda(cudaGetLastError(), "gathering selected rows");
}

void write_coordinates_on_device(const std::int64_t* table, std::int64_t ndim, const std::int64_t* positions,
                                 std::int64_t count, std::int64_t* out, cudaStream_t stream) {
  if (count == 0 || ndim == 0) return;
  clear_stale_launch_error();
  coordinates_kernel<<<blocks_for(count), kThreads, 0, stream>>>(table, positions, out, count);
  check_cuda(cudaGetLastError(), "writing coordinates");
}

}  // namespace tessera::kernels::cuda
