#include <cuda_runtime.h>

#include <memory>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/kernels/cuda/check.hpp"
#include "tessera/kernels/cuda/smoke.hpp"

namespace tessera::kernels::cuda {
namespace {

#define TESSERA_CUDA_TRY(call) check_cuda((call), #call)

struct DeviceFree {
  void operator()(float* p) const noexcept { cudaFree(p); }
};
using DeviceFloats = std::unique_ptr<float, DeviceFree>;

DeviceFloats device_alloc(std::size_t n) {
  float* p = nullptr;
  TESSERA_CUDA_TRY(cudaMalloc(&p, n * sizeof(float)));
  return DeviceFloats(p);
}

__global__ void axpy_kernel(float a, const float* __restrict__ x, float* __restrict__ y, std::size_t n) {
  for (std::size_t i = blockIdx.x * std::size_t{blockDim.x} + threadIdx.x; i < n; i += std::size_t{gridDim.x} * blockDim.x) {
    y[i] = a * x[i] + y[i];
  }
}

}  // namespace

int device_count() noexcept {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return 0;
  }
  return count;
}

std::string device_unavailable_reason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    return cudaGetErrorString(status);
  }
  return count == 0 ? "no CUDA device found" : "";
}

std::vector<float> axpy_on_device(float a, const std::vector<float>& x, const std::vector<float>& y) {
  if (x.size() != y.size()) {
    throw ValueError("axpy needs x and y of one length, got " + std::to_string(x.size()) + " and " + std::to_string(y.size()));
  }
  const std::size_t n = x.size();
  std::vector<float> out(y);
  if (n == 0) return out;
  DeviceFloats d_x = device_alloc(n);
  DeviceFloats d_y = device_alloc(n);
  TESSERA_CUDA_TRY(cudaMemcpy(d_x.get(), x.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  TESSERA_CUDA_TRY(cudaMemcpy(d_y.get(), y.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  const unsigned blocks = static_cast<unsigned>(std::min<std::size_t>((n + 255) / 256, 1024));
  axpy_kernel<<<blocks, 256>>>(a, d_x.get(), d_y.get(), n);
  TESSERA_CUDA_TRY(cudaGetLastError());
  TESSERA_CUDA_TRY(cudaMemcpy(out.data(), d_y.get(), n * sizeof(float), cudaMemcpyDeviceToHost));
  return out;
}

}  // namespace tessera::kernels::cuda
