// Waiting for every GPU the process has started using, without starting one. The runtime
// API cannot ask whether a GPU's primary context exists (cudaSetDevice creates it: memory
// on that GPU, and a failure where another process holds it exclusively), nor use a GPU
// without changing the thread's current one; the driver API can, and its calls are found
// through the runtime, so tessera does not link the driver library itself.
#include <string>

#include "tessera/core/cuda_device.hpp"

#if defined(TESSERA_WITH_CUDA)
#include <cuda.h>
#include <cuda_runtime_api.h>
#endif

namespace tessera {

#if defined(TESSERA_WITH_CUDA)
namespace {

struct DriverCalls {
  CUresult (*device_get)(CUdevice*, int) = nullptr;
  CUresult (*primary_state)(CUdevice, unsigned*, int*) = nullptr;
  CUresult (*primary_retain)(CUcontext*, CUdevice) = nullptr;
  CUresult (*primary_release)(CUdevice) = nullptr;
  CUresult (*push)(CUcontext) = nullptr;
  CUresult (*pop)(CUcontext*) = nullptr;
  CUresult (*synchronize)() = nullptr;

  bool found() const noexcept {
    return device_get && primary_state && primary_retain && primary_release && push && pop && synchronize;
  }
};

template <class F>
void find(const char* symbol, F& call) noexcept {
  void* address = nullptr;
  cudaDriverEntryPointQueryResult result{};
#if CUDART_VERSION >= 12050
  // The ABI of CUDA 12.0: the _v2 calls where there are several.
  const cudaError_t status = cudaGetDriverEntryPointByVersion(symbol, &address, 12000, cudaEnableDefault, &result);
#else
  const cudaError_t status = cudaGetDriverEntryPoint(symbol, &address, cudaEnableDefault, &result);
#endif
  if (status != cudaSuccess || result != cudaDriverEntryPointSuccess) {
    cudaGetLastError();  // no driver: not the next call's error
    return;
  }
  call = reinterpret_cast<F>(address);
}

const DriverCalls& driver() {
  static const DriverCalls calls = [] {
    DriverCalls c;
    find("cuDeviceGet", c.device_get);
    find("cuDevicePrimaryCtxGetState", c.primary_state);
    find("cuDevicePrimaryCtxRetain", c.primary_retain);
    find("cuDevicePrimaryCtxRelease", c.primary_release);
    find("cuCtxPushCurrent", c.push);
    find("cuCtxPopCurrent", c.pop);
    find("cuCtxSynchronize", c.synchronize);
    return c;
  }();
  return calls;
}

}  // namespace

void synchronize_gpus_in_use() {
  const DriverCalls& calls = driver();
  int count = 0;
  if (!calls.found() || cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return;
  }
  for (int ordinal = 0; ordinal < count; ++ordinal) {
    CUdevice device{};
    unsigned flags = 0;
    int active = 0;
    if (calls.device_get(&device, ordinal) != CUDA_SUCCESS ||
        calls.primary_state(device, &flags, &active) != CUDA_SUCCESS || active == 0) {
      continue;  // not in use by this process
    }
    CUcontext context = nullptr;
    if (calls.primary_retain(&context, device) != CUDA_SUCCESS) continue;
    // Pushed and popped: the thread's current context (or none) is left as it was.
    CUresult status = calls.push(context);
    if (status == CUDA_SUCCESS) {
      status = calls.synchronize();
      CUcontext popped = nullptr;
      calls.pop(&popped);
    }
    calls.primary_release(device);
    // The driver's codes are the runtime's for the errors that lose a GPU (700, 214, ...).
    if (status != CUDA_SUCCESS) {
      throw_cuda_failure(static_cast<int>(status), ordinal, "cuda:" + std::to_string(ordinal) + ": waiting for the GPU");
    }
  }
}

#else

void synchronize_gpus_in_use() {}

#endif

}  // namespace tessera
