// Block matrix multiply: the per-task kernel of blocked matmul/tensordot. Floating
// dtypes go to BLAS (OpenBLAS through CBLAS, one thread: the worker's executor owns the
// parallelism); integer and bool dtypes use a cache-friendly loop.
#pragma once

#include <cstdint>

#include "tessera/core/dtype.hpp"

namespace tessera::kernels {

/// C = A·B (or C += A·B when `accumulate`) for C-contiguous blocks of one dtype: C is
/// m×n; A is m×k, or k×m read transposed when `transpose_a`; B is k×n, or n×k read
/// transposed when `transpose_b`. bool multiplies as logical and/or, as NumPy does.
/// C holds `c_dtype`: the operands' dtype, or float32 for 16-bit float operands, so that
/// a contraction split over several blocks is summed in float and rounded to 16 bits once.
void matmul_block(DType dtype, const void* a, bool transpose_a, const void* b, bool transpose_b, void* c,
                  std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate, DType c_dtype);
inline void matmul_block(DType dtype, const void* a, bool transpose_a, const void* b, bool transpose_b, void* c,
                         std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate) {
  matmul_block(dtype, a, transpose_a, b, transpose_b, c, m, n, k, accumulate, dtype);
}

/// The dtype matmul_block may accumulate `dtype` operands in besides their own (float32
/// for float16 and bfloat16), or `dtype` itself.
inline DType wider_matmul_accumulator(DType dtype) {
  return dtype == DType::float16 || dtype == DType::bfloat16 ? DType::float32 : dtype;
}

}  // namespace tessera::kernels
