// The one way the CUDA kernels and their callers turn a failed CUDA runtime call into an
// exception.
#pragma once

#include <cuda_runtime_api.h>

#include <string_view>

namespace tessera::kernels::cuda {

/// Returns on success. Otherwise clears the thread's last (non-sticky) error, so that the
/// next call starts clean, and throws tessera::OutOfMemory for an allocation failure,
/// else tessera::Error: "<what> failed: <CUDA's message>".
void check_cuda(cudaError_t status, std::string_view what);

}  // namespace tessera::kernels::cuda
