#include "tessera/kernels/matmul.hpp"

#include <cblas.h>

#include <algorithm>
#include <complex>
#include <cstring>
#include <type_traits>
#include <vector>

#include "tessera/core/error.hpp"

namespace tessera::kernels {
namespace {

// OpenBLAS would otherwise start one thread per core inside every task, oversubscribing
// the cores the worker's executor threads already use.
void use_one_blas_thread() {
  static const bool once = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)once;
}

template <class T>
void gemm_loops(const T* a, bool ta, const T* b, bool tb, T* c, std::int64_t m, std::int64_t n, std::int64_t k,
                bool accumulate) {
  if (!accumulate) std::fill(c, c + m * n, T{});
  // i-p-j order streams rows of B and C; transposed operands are read with strides.
  for (std::int64_t i = 0; i < m; ++i) {
    T* crow = c + i * n;
    for (std::int64_t p = 0; p < k; ++p) {
      const T aip = ta ? a[p * m + i] : a[i * k + p];
      if constexpr (std::is_same_v<T, bool>) {
        if (!aip) continue;
        for (std::int64_t j = 0; j < n; ++j) crow[j] = crow[j] || (tb ? b[j * k + p] : b[p * n + j]);
      } else if constexpr (std::is_integral_v<T>) {
        // Unsigned arithmetic wraps like NumPy's integer matmul, without signed overflow;
        // at least `unsigned` wide, as narrower types would promote to (signed) int.
        using U = std::common_type_t<std::make_unsigned_t<T>, unsigned>;
        for (std::int64_t j = 0; j < n; ++j) {
          const T bpj = tb ? b[j * k + p] : b[p * n + j];
          crow[j] = static_cast<T>(static_cast<U>(crow[j]) + static_cast<U>(aip) * static_cast<U>(bpj));
        }
      } else {
        for (std::int64_t j = 0; j < n; ++j) crow[j] += aip * (tb ? b[j * k + p] : b[p * n + j]);
      }
    }
  }
}

}  // namespace

void matmul_block(DType dtype, const void* a, bool transpose_a, const void* b, bool transpose_b, void* c,
                  std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate, DType c_dtype) {
  TESSERA_ASSERT(c_dtype == dtype || c_dtype == wider_matmul_accumulator(dtype), "matmul_block: no such accumulator");
  if (m == 0 || n == 0) return;
  const auto ta = transpose_a ? CblasTrans : CblasNoTrans;
  const auto tb = transpose_b ? CblasTrans : CblasNoTrans;
  const auto M = static_cast<blasint>(m), N = static_cast<blasint>(n), K = static_cast<blasint>(k);
  const blasint lda = transpose_a ? M : std::max<blasint>(K, 1);
  const blasint ldb = transpose_b ? std::max<blasint>(K, 1) : N;
  if (k == 0) {
    if (!accumulate) std::memset(c, 0, static_cast<std::size_t>(m * n) * itemsize(c_dtype));
    return;
  }
  use_one_blas_thread();
  switch (dtype) {
    case DType::float32:
      cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 1.0f, static_cast<const float*>(a), lda,
                  static_cast<const float*>(b), ldb, accumulate ? 1.0f : 0.0f, static_cast<float*>(c), N);
      return;
    case DType::float64:
      cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, 1.0, static_cast<const double*>(a), lda,
                  static_cast<const double*>(b), ldb, accumulate ? 1.0 : 0.0, static_cast<double*>(c), N);
      return;
    case DType::complex64: {
      const std::complex<float> one(1), beta(accumulate ? 1.0f : 0.0f);
      cblas_cgemm(CblasRowMajor, ta, tb, M, N, K, &one, a, lda, b, ldb, &beta, c, N);
      return;
    }
    case DType::complex128: {
      const std::complex<double> one(1), beta(accumulate ? 1.0 : 0.0);
      cblas_zgemm(CblasRowMajor, ta, tb, M, N, K, &one, a, lda, b, ldb, &beta, c, N);
      return;
    }
    case DType::float16:
    case DType::bfloat16:
      // BLAS has no 16-bit GEMM: widen to float, multiply with sgemm, round each result
      // once, as NumPy's float16 matmul accumulates in float.
      type_dispatch(dtype, [&]<class T>() {
        if constexpr (is_narrow_float_v<T>) {
          const auto widen = [](const void* narrow, std::int64_t count) {
            std::vector<float> wide(static_cast<std::size_t>(count));
            const auto* h = static_cast<const T*>(narrow);
            for (std::size_t i = 0; i < wide.size(); ++i) wide[i] = static_cast<float>(h[i]);
            return wide;
          };
          const std::vector<float> wa = widen(a, m * k), wb = widen(b, k * n);
          const float beta = accumulate ? 1.0f : 0.0f;
          if (c_dtype == DType::float32) {
            cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 1.0f, wa.data(), lda, wb.data(), ldb, beta,
                        static_cast<float*>(c), N);
            return;
          }
          std::vector<float> wc = accumulate ? widen(c, m * n) : std::vector<float>(static_cast<std::size_t>(m * n));
          cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 1.0f, wa.data(), lda, wb.data(), ldb, beta, wc.data(), N);
          auto* out = static_cast<T*>(c);
          for (std::size_t i = 0; i < wc.size(); ++i) out[i] = wc[i];
        }
      });
      return;
    default:
      type_dispatch(dtype, [&]<class T>() {
        if constexpr (std::is_integral_v<T>) {
          gemm_loops(static_cast<const T*>(a), transpose_a, static_cast<const T*>(b), transpose_b, static_cast<T*>(c), m,
                     n, k, accumulate);
        } else {
          TESSERA_ASSERT(false, "matmul_block: no CPU kernel for this dtype");
        }
      });
  }
}

}  // namespace tessera::kernels
