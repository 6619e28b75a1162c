#include "tessera/kernels/cuda/check.hpp"

#include "tessera/core/cuda_device.hpp"

namespace tessera::kernels::cuda {

void check_cuda(cudaError_t status, std::string_view what) {
  if (status == cudaSuccess) return;
  int device = -1;
  cudaGetDevice(&device);  // the thread's GPU: where the call ran, and what a sticky error broke
  throw_cuda_failure(status, device, what);
}

}  // namespace tessera::kernels::cuda
