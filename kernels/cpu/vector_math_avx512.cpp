// The vector math kernels for AVX-512F. Compiled with -mavx512f -mfma (kernels/CMakeLists.txt);
// elementwise_vector_math.cpp calls into it only on a CPU that has AVX-512F.
#include <immintrin.h>
#include <sleef.h>

#include <math.h>  // libm's C functions only: see vector_math_kernels.inc

#include <cstddef>
#include <cstdint>
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
    using Lanes = Name;                                                                    \
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

/// float16 lanes, kept as their bits: loaded into float vectors (F16C's conversion, exact)
/// and stored rounded to the nearest half, ties to even, so that a half kernel is the
/// float kernel between the two, as NumPy computes float16.
struct VectorH {
  using Scalar = std::uint16_t;
  using Vector = __m512;
  using Lanes = VectorF;  // where a lane is worked on alone (recomputed by libm)
  static constexpr std::size_t lanes = 16;
  // The zero-masked forms: GCC 12 warns that the plain ones' undefined pass-through is used.
  static constexpr __mmask16 kAll = 0xFFFF;
  static Vector load(const Scalar* p) {
    return _mm512_maskz_cvtph_ps(kAll, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static void store(Scalar* p, Vector v) {
    const __m256i halves = _mm512_maskz_cvtps_ph(kAll, v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), halves);
  }
};

/// bfloat16 lanes, kept as their bits: loaded into float vectors (a shift, exact) and
/// stored rounded to nearest, ties to even (NaNs quieted), as tessera::bfloat16 rounds.
struct VectorB {
  using Scalar = std::uint16_t;
  using Vector = __m512;
  using Lanes = VectorF;
  static constexpr std::size_t lanes = 16;
  // The zero-masked forms, as in VectorH: GCC 12 warns of the plain ones' pass-through.
  static constexpr __mmask16 kAll = 0xFFFF;
  static Vector load(const Scalar* p) {
    const __m512i wide = _mm512_maskz_cvtepu16_epi32(kAll, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(kAll, wide, 16));
  }
  static void store(Scalar* p, Vector v) {
    const __m512i bits = _mm512_castps_si512(v);
    const __m512i high = _mm512_maskz_srli_epi32(kAll, bits, 16);
    const __m512i odd = _mm512_and_si512(high, _mm512_set1_epi32(1));
    const __m512i bias = _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff));
    const __m512i rounded = _mm512_maskz_srli_epi32(kAll, _mm512_add_epi32(bits, bias), 16);
    const __m512i quiet = _mm512_or_si512(high, _mm512_set1_epi32(0x40));
    const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    const __m512i narrow = _mm512_mask_blend_epi32(nan, rounded, quiet);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_maskz_cvtepi32_epi16(kAll, narrow));
  }
};

}  // namespace
}  // namespace tessera::kernels::vector_math

#define TESSERA_SLEEF_D(base, ulp) Sleef_##base##d8_##ulp##avx512f
#define TESSERA_SLEEF_F(base, ulp) Sleef_##base##f16_##ulp##avx512f

#define TESSERA_VECTOR_MATH_TABLE avx512_kernels
#include "vector_math_kernels.inc"
