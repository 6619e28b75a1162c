// Helpers of the CUDA kernel tests (which run where a GPU is present).
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstddef>

namespace tessera::test {

/// Device memory of `n` bytes, holding a copy of `host` when given; freed at scope exit.
struct DeviceBytes {
  void* ptr = nullptr;
  explicit DeviceBytes(std::size_t n, const void* host = nullptr) {
    EXPECT_EQ(cudaMalloc(&ptr, n == 0 ? 1 : n), cudaSuccess);
    if (host != nullptr && n > 0) {
      EXPECT_EQ(cudaMemcpy(ptr, host, n, cudaMemcpyHostToDevice), cudaSuccess);
    }
  }
  ~DeviceBytes() { cudaFree(ptr); }
  DeviceBytes(const DeviceBytes&) = delete;
  DeviceBytes& operator=(const DeviceBytes&) = delete;
};

}  // namespace tessera::test
