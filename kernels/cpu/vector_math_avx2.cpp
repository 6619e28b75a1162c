// The vector math kernels for AVX2 + FMA. Compiled with -mavx2 -mfma (kernels/CMakeLists.txt);
// elementwise_vector_math.cpp calls into it only on a CPU that has both.
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
// `all_lanes` the movemask of a comparison true in every lane.
#define TESSERA_VECTOR_TRAITS(Name, S, V, L, sfx, all_lanes)                                             \
  struct Name {                                                                                        \
    using Scalar = S;                                                                                  \
    using Vector = V;                                                                                  \
    using Lanes = Name;                                                                                \
    static constexpr std::size_t lanes = L;                                                            \
    static Vector load(const Scalar* p) { return _mm256_loadu_##sfx(p); }                              \
    static void store(Scalar* p, Vector v) { _mm256_storeu_##sfx(p, v); }                             \
    static Vector mul(Vector a, Vector b) { return _mm256_mul_##sfx(a, b); }                           \
    static bool all_equal(Vector v, Scalar s) {                                                        \
      return _mm256_movemask_##sfx(_mm256_cmp_##sfx(v, _mm256_set1_##sfx(s), _CMP_EQ_OQ)) == all_lanes; \
    }                                                                                                  \
    static bool any_infinite(Vector v) {                                                               \
      const Vector magnitude = _mm256_andnot_##sfx(_mm256_set1_##sfx(Scalar(-0.0)), v);                \
      const Vector inf = _mm256_set1_##sfx(Scalar(__builtin_inf()));                                    \
      return _mm256_movemask_##sfx(_mm256_cmp_##sfx(magnitude, inf, _CMP_EQ_OQ)) != 0;                  \
    }                                                                                                  \
  };
TESSERA_VECTOR_TRAITS(VectorD, double, __m256d, 4, pd, 0xF)
TESSERA_VECTOR_TRAITS(VectorF, float, __m256, 8, ps, 0xFF)
#undef TESSERA_VECTOR_TRAITS

/// float16 lanes, kept as their bits: loaded into float vectors (F16C's conversion, exact)
/// and stored rounded to the nearest half, ties to even, so that a half kernel is the
/// float kernel between the two, as NumPy computes float16.
struct VectorH {
  using Scalar = std::uint16_t;
  using Vector = __m256;
  using Lanes = VectorF;  // where a lane is worked on alone (recomputed by libm)
  static constexpr std::size_t lanes = 8;
  static Vector load(const Scalar* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static void store(Scalar* p, Vector v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
};

/// bfloat16 lanes, kept as their bits: loaded into float vectors (a shift, exact) and
/// stored rounded to nearest, ties to even (NaNs quieted), as tessera::bfloat16 rounds.
struct VectorB {
  using Scalar = std::uint16_t;
  using Vector = __m256;
  using Lanes = VectorF;
  static constexpr std::size_t lanes = 8;
  static Vector load(const Scalar* p) {
    const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
  }
  static void store(Scalar* p, Vector v) {
    const __m256i bits = _mm256_castps_si256(v);
    const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
    const __m256i bias = _mm256_add_epi32(odd, _mm256_set1_epi32(0x7fff));
    const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(bits, bias), 16);
    const __m256i quiet = _mm256_or_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(0x40));
    const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    const __m256i narrow = _mm256_blendv_epi8(rounded, quiet, nan);
    // Packing works within 128-bit halves: gather their low 64 bits.
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(narrow, narrow), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(packed));
  }
};

}  // namespace
}  // namespace tessera::kernels::vector_math

#define TESSERA_SLEEF_D(base, ulp) Sleef_##base##d4_##ulp##avx2
#define TESSERA_SLEEF_F(base, ulp) Sleef_##base##f8_##ulp##avx2

#define TESSERA_VECTOR_MATH_TABLE avx2_fma_kernels
#include "vector_math_kernels.inc"
