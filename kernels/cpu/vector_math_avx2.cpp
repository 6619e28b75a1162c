// The vector math kernels for AVX2 + FMA. Compiled with -mavx2 -mfma (kernels/CMakeLists.txt);
// elementwise_vector_math.cpp calls into it only on a CPU that has both.
#include <immintrin.h>
#include <sleef.h>

#include <math.h>  // libm's C functions only: see vector_math_kernels.inc

#include <cstddef>
#include <cstring>

#include "vector_math.hpp"

namespace tessera::kernels::vector_math {
namespace {

struct VectorD {
  using Scalar = double;
  using Vector = __m256d;
  static constexpr std::size_t lanes = 4;
  static Vector load(const Scalar* p) { return _mm256_loadu_pd(p); }
  static void store(Scalar* p, Vector v) { _mm256_storeu_pd(p, v); }
  static Vector mul(Vector a, Vector b) { return _mm256_mul_pd(a, b); }
  static bool all_equal(Vector v, Scalar s) { return _mm256_movemask_pd(_mm256_cmp_pd(v, _mm256_set1_pd(s), _CMP_EQ_OQ)) == 0xF; }
  static bool any_infinite(Vector v) {
    const Vector magnitude = _mm256_andnot_pd(_mm256_set1_pd(-0.0), v);
    return _mm256_movemask_pd(_mm256_cmp_pd(magnitude, _mm256_set1_pd(__builtin_inf()), _CMP_EQ_OQ)) != 0;
  }
};
struct VectorF {
  using Scalar = float;
  using Vector = __m256;
  static constexpr std::size_t lanes = 8;
  static Vector load(const Scalar* p) { return _mm256_loadu_ps(p); }
  static void store(Scalar* p, Vector v) { _mm256_storeu_ps(p, v); }
  static Vector mul(Vector a, Vector b) { return _mm256_mul_ps(a, b); }
  static bool all_equal(Vector v, Scalar s) { return _mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_set1_ps(s), _CMP_EQ_OQ)) == 0xFF; }
  static bool any_infinite(Vector v) {
    const Vector magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
    return _mm256_movemask_ps(_mm256_cmp_ps(magnitude, _mm256_set1_ps(__builtin_inff()), _CMP_EQ_OQ)) != 0;
  }
};
#define TESSERA_SLEEF_D(base, ulp) Sleef_##base##d4_##ulp##avx2
#define TESSERA_SLEEF_F(base, ulp) Sleef_##base##f8_##ulp##avx2

#include "vector_math_kernels.inc"

}  // namespace

Table avx2_fma_kernels() { return kTable; }

}  // namespace tessera::kernels::vector_math
