#include "tessera/kernels/cuda/matmul.hpp"

#include <cublas_v2.h>
#include <cuComplex.h>

#include <limits>
#include <map>
#include <string>
#include <type_traits>

#include "tessera/core/error.hpp"
#include "tessera/kernels/cuda/check.hpp"
#include "tessera/kernels/matmul.hpp"

namespace tessera::kernels::cuda {
namespace {

void check(cublasStatus_t status, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw Error(std::string(call) + " failed: " + cublasGetStatusString(status));
  }
}

/// One cuBLAS handle per thread and device: handles are costly to create, and cuBLAS
/// asks that threads do not share one.
cublasHandle_t handle_for_current_device() {
  struct Handles {
    std::map<int, cublasHandle_t> by_device;
    ~Handles() {
      for (auto& [device, h] : by_device) cublasDestroy(h);
    }
  };
  thread_local Handles handles;
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) throw Error("cudaGetDevice failed: no usable GPU");
  auto it = handles.by_device.find(device);
  if (it == handles.by_device.end()) {
    cublasHandle_t h = nullptr;
    check(cublasCreate(&h), "cublasCreate");
    it = handles.by_device.emplace(device, h).first;
  }
  return it->second;
}

int checked_int(std::int64_t v, const char* what) {
  if (v < 0 || v > std::numeric_limits<int>::max()) {
    throw ValueError(std::string("matmul on the GPU: ") + what + " = " + std::to_string(v) +
                     " is outside cuBLAS's 32-bit sizes");
  }
  return static_cast<int>(v);
}

/// A real value as a GEMM scalar of type T (cuBLAS's complex types are plain structs).
template <class T>
T scalar(double value) {
  if constexpr (std::is_same_v<T, cuComplex>) {
    return make_cuComplex(static_cast<float>(value), 0.f);
  } else if constexpr (std::is_same_v<T, cuDoubleComplex>) {
    return make_cuDoubleComplex(value, 0.0);
  } else {
    return static_cast<T>(value);
  }
}

}  // namespace

bool has_device_matmul(DType dtype) noexcept {
  return dtype == DType::float16 || dtype == DType::bfloat16 || dtype == DType::float32 || dtype == DType::float64 ||
         dtype == DType::complex64 || dtype == DType::complex128;
}

void matmul_block_on_device(DType dtype, const void* a, bool transpose_a, const void* b, bool transpose_b, void* c,
                            std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate, DType c_dtype,
                            cudaStream_t stream, DeviceMatmulOptions options) {
  if (!has_device_matmul(dtype)) {
    throw TypeError("matmul on the GPU: no cuBLAS GEMM for dtype " + std::string(name(dtype)));
  }
  if (c_dtype != dtype && c_dtype != wider_matmul_accumulator(dtype)) {
    throw TypeError("matmul on the GPU: " + std::string(name(dtype)) + " operands do not accumulate in " +
                    std::string(name(c_dtype)));
  }
  if (m == 0 || n == 0) return;
  const int mi = checked_int(m, "m"), ni = checked_int(n, "n"), ki = checked_int(k, "k");
  cublasHandle_t h = handle_for_current_device();
  check(cublasSetStream(h, stream), "cublasSetStream");
  // 16-bit GEMMs may otherwise add split-K partial sums in 16 bits: they sum in float, once.
  cublasMath_t math = CUBLAS_DEFAULT_MATH;
  if (options.allow_tf32 && dtype == DType::float32) math = CUBLAS_TF32_TENSOR_OP_MATH;
  if (dtype == DType::float16 || dtype == DType::bfloat16) {
    math = static_cast<cublasMath_t>(CUBLAS_DEFAULT_MATH | CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION);
  }
  check(cublasSetMathMode(h, math), "cublasSetMathMode");
  // cuBLAS is column-major, and a row-major X is the column-major Xᵀ: C = A·B is computed
  // as Cᵀ = Bᵀ·Aᵀ, with no copies. A row-major r×c block has leading dimension c.
  const cublasOperation_t op_b = transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int ldb = transpose_b ? ki : ni;
  const int lda = transpose_a ? mi : ki;
  const int ldc = ni;
  if (k == 0) {
    // An empty contraction: C = 0 (or stays C). GEMM with k = 0 scales C by beta.
    if (!accumulate) {
      check_cuda(cudaMemsetAsync(c, 0, static_cast<std::size_t>(m * n) * itemsize(c_dtype), stream),
                 "clearing the product of an empty contraction");
    }
    return;
  }
  // The four GEMMs differ only in their element type.
  auto gemm = [&]<class T>(auto cublas_gemm, const char* call) {
    const T alpha = scalar<T>(1), beta = scalar<T>(accumulate ? 1 : 0);
    check(cublas_gemm(h, op_b, op_a, ni, mi, ki, &alpha, static_cast<const T*>(b), ldb, static_cast<const T*>(a), lda,
                      &beta, static_cast<T*>(c), ldc),
          call);
  };
  switch (dtype) {
    case DType::float32: gemm.operator()<float>(cublasSgemm, "cublasSgemm"); break;
    case DType::float64: gemm.operator()<double>(cublasDgemm, "cublasDgemm"); break;
    case DType::complex64: gemm.operator()<cuComplex>(cublasCgemm, "cublasCgemm"); break;
    case DType::complex128: gemm.operator()<cuDoubleComplex>(cublasZgemm, "cublasZgemm"); break;
    case DType::float16:
    case DType::bfloat16: {
      // 16-bit inputs and output on the tensor cores, accumulated in float (as NumPy's
      // float16 matmul, and the CPU kernel, accumulate); alpha and beta are then floats.
      const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
      const cudaDataType in_type = dtype == DType::float16 ? CUDA_R_16F : CUDA_R_16BF;
      const cudaDataType c_type = c_dtype == DType::float32 ? CUDA_R_32F : in_type;
      check(cublasGemmEx(h, op_b, op_a, ni, mi, ki, &alpha, b, in_type, ldb, a, in_type, lda, &beta, c, c_type, ldc,
                         CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
            "cublasGemmEx");
      break;
    }
    default: break;  // excluded above
  }
}

}  // namespace tessera::kernels::cuda
