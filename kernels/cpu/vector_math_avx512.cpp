// The vector math kernels for AVX-512F. Compiled with -mavx512f -mfma (kernels/CMakeLists.txt);
// elementwise_vector_math.cpp calls into it only on a CPU that has AVX-512F.
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
  using Vector = __m512d;
  static constexpr std::size_t lanes = 8;
  static Vector load(const Scalar* p) { return _mm512_loadu_pd(p); }
  static void store(Scalar* p, Vector v) { _mm512_storeu_pd(p, v); }
  static Vector mul(Vector a, Vector b) { return _mm512_mul_pd(a, b); }
  static bool all_equal(Vector v, Scalar s) { return _mm512_cmp_pd_mask(v, _mm512_set1_pd(s), _CMP_EQ_OQ) == 0xFF; }
  static bool any_infinite(Vector v) {
    return _mm512_cmp_pd_mask(_mm512_abs_pd(v), _mm512_set1_pd(__builtin_inf()), _CMP_EQ_OQ) != 0;
  }
};
struct VectorF {
  using Scalar = float;
  using Vector = __m512;
  static constexpr std::size_t lanes = 16;
  static Vector load(const Scalar* p) { return _mm512_loadu_ps(p); }
  static void store(Scalar* p, Vector v) { _mm512_storeu_ps(p, v); }
  static Vector mul(Vector a, Vector b) { return _mm512_mul_ps(a, b); }
  static bool all_equal(Vector v, Scalar s) { return _mm512_cmp_ps_mask(v, _mm512_set1_ps(s), _CMP_EQ_OQ) == 0xFFFF; }
  static bool any_infinite(Vector v) {
    return _mm512_cmp_ps_mask(_mm512_abs_ps(v), _mm512_set1_ps(__builtin_inff()), _CMP_EQ_OQ) != 0;
  }
};
#define TESSERA_SLEEF_D(base, ulp) Sleef_##base##d8_##ulp##avx512f
#define TESSERA_SLEEF_F(base, ulp) Sleef_##base##f16_##ulp##avx512f

#include "vector_math_kernels.inc"

}  // namespace

Table avx512_kernels() { return kTable; }

}  // namespace tessera::kernels::vector_math
