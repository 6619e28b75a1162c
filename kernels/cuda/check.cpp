#include "tessera/kernels/cuda/check.hpp"

#include <string>

#include "tessera/core/error.hpp"

namespace tessera::kernels::cuda {

void check_cuda(cudaError_t status, std::string_view what) {
  if (status == cudaSuccess) return;
  cudaGetLastError();
  const std::string message = std::string(what) + " failed: " + cudaGetErrorString(status);
  if (status == cudaErrorMemoryAllocation) throw OutOfMemory(message);
  throw Error(message);
}

}  // namespace tessera::kernels::cuda
