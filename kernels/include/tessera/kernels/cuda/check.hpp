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

/// Clears the thread's last error before <<<>>> launches, whose only report is the last
/// error read after them: one that an earlier call left unread is not theirs. (An error
/// that broke the GPU stays: the launches fail with it again.)
inline void clear_stale_launch_error() noexcept { static_cast<void>(cudaGetLastError()); }

}  // namespace tessera::kernels::cuda
