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

// The traits of a vector of `lanes` Scalars; `sfx` is the intrinsics' suffix (pd, ps) and
// `all_lanes` the mask of a comparison true in every lane.
#define TESSERA_VECTOR_TRAITS(Name, S, V, L, sfx, all_lanes)                                 \
  struct Name {                                                                            \
    using Scalar = S;                                                                      \
    using Vector = V;                                                                      \
    static constexpr std::size_t lanes = L;                                                \
    static Vector load(const Scalar* p) { return _mm512_loadu_##sfx(p); }                  \
    static void store(Scalar* p, Vector v) { _mm512_storeu_##sfx(p, v); }                  \
    static Vector mul(Vector a, Vector b) { return _mm512_mul_##sfx(a, b); }               \
    static bool all_equal(Vector v, Scalar s) {                                            \
      return _mm512_cmp_##sfx##_mask(v, _mm512_set1_##sfx(s), _CMP_EQ_OQ) == all_lanes;    \
    }                                                                                      \
    static bool any_infinite(Vector v) {                                                   \
      const Vector inf = _mm512_set1_##sfx(Scalar(__builtin_inf()));                        \
      return _mm512_cmp_##sfx##_mask(_mm512_abs_##sfx(v), inf, _CMP_EQ_OQ) != 0;           \
    }                                                                                      \
  };
TESSERA_VECTOR_TRAITS(VectorD, double, __m512d, 8, pd, 0xFF)
TESSERA_VECTOR_TRAITS(VectorF, float, __m512, 16, ps, 0xFFFF)
#undef TESSERA_VECTOR_TRAITS

}  // namespace
}  // namespace tessera::kernels::vector_math

#define TESSERA_SLEEF_D(base, ulp) Sleef_##base##d8_##ulp##avx512f
#define TESSERA_SLEEF_F(base, ulp) Sleef_##base##f16_##ulp##avx512f

#define TESSERA_VECTOR_MATH_TABLE avx512_kernels
#include "vector_math_kernels.inc"
