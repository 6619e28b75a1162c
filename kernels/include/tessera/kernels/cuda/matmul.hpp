// Block matrix multiply on a GPU with cuBLAS: the device version of matmul_block
// (matmul.hpp), with the same operands and layout, for the floating dtypes cuBLAS has
// GEMMs for. TF32 tensor-core math for float32 is used only when asked for: it rounds the
// inputs to 10 bits of mantissa, which NumPy never does.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "tessera/core/dtype.hpp"

namespace tessera::kernels::cuda {

struct DeviceMatmulOptions {
  bool allow_tf32 = false;
};

/// Whether matmul_block_on_device has a GEMM for `dtype` (float32, float64, complex64,
/// complex128); other dtypes run on the CPU.
bool has_device_matmul(DType dtype) noexcept;

/// C = A·B (or C += A·B when `accumulate`) for C-contiguous device blocks of one dtype on
/// the current device and `stream`: C is m×n; A is m×k, or k×m read transposed when
/// `transpose_a`; B is k×n, or n×k read transposed when `transpose_b`. Throws
/// tessera::TypeError for a dtype without a GEMM and tessera::Error for cuBLAS failures.
/// C holds `c_dtype`, as in kernels::matmul_block: 16-bit float operands may sum into float32.
void matmul_block_on_device(DType dtype, const void* a, bool transpose_a, const void* b, bool transpose_b, void* c,
                            std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate, DType c_dtype,
                            cudaStream_t stream, DeviceMatmulOptions options = {});
inline void matmul_block_on_device(DType dtype, const void* a, bool transpose_a, const void* b, bool transpose_b,
                                   void* c, std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate,
                                   cudaStream_t stream, DeviceMatmulOptions options = {}) {
  matmul_block_on_device(dtype, a, transpose_a, b, transpose_b, c, m, n, k, accumulate, dtype, stream, options);
}

}  // namespace tessera::kernels::cuda
