// The one way the CUDA kernels and their callers turn a failed CUDA runtime call into an
// exception.
#pragma once

#include <cuda_runtime_api.h>

#include <string_view>

namespace tessera::kernels::cuda {

/// Returns on success. Otherwise throws through tessera::throw_cuda_failure for the calling
/// thread's GPU: tessera::OutOfMemory for an allocation failure, tessera::DeviceLost for an
/// error that leaves the GPU unusable (recorded, so that its workers retire), else
/// tessera::Error: "<what> failed: <CUDA's message>".
void check_cuda(cudaError_t status, std::string_view what);

}  // namespace tessera::kernels::cuda
