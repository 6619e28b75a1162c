// The launch shape of tessera's hand-written CUDA kernels (kernels/cuda/*.cu): grid-stride
// loops of 256-thread blocks, at most 8192 blocks, so that one launch covers any count
// and a small count still gets a whole block.
#pragma once

#include <algorithm>
#include <cstdint>

namespace tessera::kernels::cuda {

inline constexpr int kThreads = 256;

/// A grid-stride loop's blocks for `n` items.
inline unsigned blocks_for(std::int64_t n) {
  return static_cast<unsigned>(std::clamp<std::int64_t>((n + kThreads - 1) / kThreads, 1, 8192));
}

}  // namespace tessera::kernels::cuda

#define TESSERA_GRID_STRIDE(i, n) \
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)
