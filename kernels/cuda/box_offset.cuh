// Where an element of a box lands in a strided layout, for kernels that walk a box in C
// order: setitem's scatter (index_copy.cu) and the flat indices of sort records (sort.cu).
#pragma once

#include <cstdint>

namespace tessera::kernels::cuda {

/// Σ k_d · strides[d] for the C-order index k of `element` in a box of `ndim` extents;
/// `table` (device memory) is {extents[ndim]..., strides[ndim]...}. 0 for ndim 0.
__device__ inline long long box_offset(long long element, const std::int64_t* __restrict__ table, int ndim) {
  // One axis (a lane's positions, a block of a 1-d array): element is its own index, and
  // the divisions, which GPUs do in software for 64 bits, are not needed.
  if (ndim == 1) return element * table[1];
  long long offset = 0;
  for (int d = ndim - 1; d >= 0; --d) {
    offset += (element % table[d]) * table[ndim + d];
    element /= table[d];
  }
  return offset;
}

}  // namespace tessera::kernels::cuda
