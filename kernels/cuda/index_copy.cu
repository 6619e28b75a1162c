#include "tessera/kernels/cuda/index_copy.hpp"

#include "box_offset.cuh"
#include "copy_words.cuh"
#include "grid_stride.cuh"
#include "tessera/kernels/cuda/check.hpp"

namespace tessera::kernels::cuda {
namespace {

/// One thread per word of the output, read from the block holding its slice (a binary
/// search over the few blocks' starts).
template <class Word>
__global__ void gather_slices_kernel(const std::int64_t* __restrict__ positions, long long count,
                                     const TakenBlock* __restrict__ blocks, long long block_count,
                                     long long words_per_slice, Word* __restrict__ out, long long words) {
  TESSERA_GRID_STRIDE(i, words) {
    const long long row = i / words_per_slice, word = i % words_per_slice;
    const long long outer = row / count;
    const long long p = positions[row % count];
    long long lo = 0, hi = block_count - 1;  // the last block starting at or before p
    while (lo < hi) {
      const long long mid = lo + (hi - lo + 1) / 2;
      if (blocks[mid].start <= p) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    const TakenBlock block = blocks[lo];
    const auto* from = reinterpret_cast<const Word*>(block.data);
    out[i] = from[(outer * block.length + (p - block.start)) * words_per_slice + word];
  }
}

/// One thread per word of the values, written where its element's box index points.
template <class Word>
__global__ void scatter_strided_kernel(const Word* __restrict__ values, long long words_per_element,
                                       const std::int64_t* __restrict__ table, int ndim, Word* __restrict__ out,
                                       long long words) {
  TESSERA_GRID_STRIDE(i, words) {
    const long long at = box_offset(i / words_per_element, table, ndim);
    out[at * words_per_element + i % words_per_element] = values[i];
  }
}

}  // namespace

void gather_slices_on_device(const std::int64_t* positions, std::int64_t count, const TakenBlock* blocks,
                             std::int64_t block_count, std::int64_t outer, std::size_t slice_bytes, std::byte* out,
                             std::size_t alignment, cudaStream_t stream) {
  if (count == 0 || outer == 0 || slice_bytes == 0 || block_count == 0) return;
  clear_stale_launch_error();
  with_copy_word(slice_bytes | alignment, [&]<class Word>() {
    const auto words_per_slice = static_cast<long long>(slice_bytes / sizeof(Word));
    const long long words = outer * count * words_per_slice;
    gather_slices_kernel<Word><<<blocks_for(words), kThreads, 0, stream>>>(
        positions, count, blocks, block_count, words_per_slice, reinterpret_cast<Word*>(out), words);
  });
  check_cuda(cudaGetLastError(), "gathering taken slices");
}

void scatter_strided_on_device(const std::byte* values, std::int64_t count, std::size_t element_bytes,
                               const std::int64_t* table, int ndim, std::byte* out, std::size_t alignment,
                               cudaStream_t stream) {
  if (count == 0 || element_bytes == 0) return;
  clear_stale_launch_error();
  with_copy_word(element_bytes | alignment, [&]<class Word>() {
    const auto words_per_element = static_cast<long long>(element_bytes / sizeof(Word));
    const long long words = count * words_per_element;
    scatter_strided_kernel<Word><<<blocks_for(words), kThreads, 0, stream>>>(
        reinterpret_cast<const Word*>(values), words_per_element, table, ndim, reinterpret_cast<Word*>(out), words);
  });
  check_cuda(cudaGetLastError(), "writing set items");
}

}  // namespace tessera::kernels::cuda
