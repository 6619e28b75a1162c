// A minimal CUDA round trip (device query, a kernel launch, copies back) that proves the
// toolchain and the driver work together. CI compiles it for sm_90 without a GPU; the
// test that runs it skips with a message where no GPU is present.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tessera::kernels::cuda {

/// Number of CUDA devices usable here; 0 when there is no driver or no GPU (never throws).
int device_count() noexcept;

/// Why device_count() is 0, e.g. "CUDA driver version is insufficient" (empty otherwise).
std::string device_unavailable_reason();

/// Computes a*x + y on device 0 and returns it; throws tessera::Error on any CUDA failure.
std::vector<float> axpy_on_device(float a, const std::vector<float>& x, const std::vector<float>& y);

}  // namespace tessera::kernels::cuda
