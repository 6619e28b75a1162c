#include "tessera/core/gpus.hpp"

#include "tessera/core/logging.hpp"

#if defined(TESSERA_WITH_CUDA)
#include <cuda_runtime_api.h>
#endif

namespace tessera {
namespace {

GpuAvailability query() {
  GpuAvailability found;
#if defined(TESSERA_WITH_CUDA)
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();  // clear the error so that later CUDA calls start clean
    found.reason = cudaGetErrorString(status);
    return found;
  }
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp props{};
    if (cudaGetDeviceProperties(&props, d) != cudaSuccess) {
      cudaGetLastError();
      continue;
    }
    found.gpus.push_back(GpuInfo{d, props.name, props.totalGlobalMem, props.major * 10 + props.minor,
                                 props.multiProcessorCount});
  }
  if (found.gpus.empty()) found.reason = "no CUDA device found";
#else
  found.reason = "tessera was built without CUDA";
#endif
  return found;
}

}  // namespace

const GpuAvailability& gpu_availability() {
  static const GpuAvailability availability = [] {
    GpuAvailability a = query();
    if (a.gpus.empty()) {
      TESSERA_LOG(info) << "no usable GPU (" << a.reason << "): tessera runs on the CPU";
    } else {
      for (const GpuInfo& g : a.gpus) {
        TESSERA_LOG(info) << "GPU " << g.index << ": " << g.name << ", " << (g.memory_bytes >> 20) << " MiB, sm_"
                          << g.compute_capability << ", " << g.multiprocessors << " multiprocessors";
      }
    }
    return a;
  }();
  return availability;
}

}  // namespace tessera
