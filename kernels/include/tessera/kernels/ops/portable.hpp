// The porting layer of the scalar operations (ops/*.hpp): the one set of definitions of
// what add, floor_divide, sin, astype or a random draw do to one element, compiled twice:
// by the host compiler into the CPU kernels' loops, and by NVRTC into the CUDA kernels
// generated at run time (kernels/cuda/), so both backends share their semantics instead
// of keeping two copies in step.
//
// The ops headers name the standard library only through `port::` (complex numbers,
// limits, type traits, math functions): std:: on the host, cuda::std:: and CUDA's
// built-in math on the device (NVRTC compiles with -default-device, so plain functions
// are device functions there). Anything an op needs beyond that goes here first.
#pragma once

#if defined(__CUDACC_RTC__)
#include <cuda/std/climits>
#include <cuda/std/cmath>
#include <cuda/std/complex>
#include <cuda/std/cstdint>
#include <cuda/std/limits>
#include <cuda/std/type_traits>
#define TESSERA_PORT_STD cuda::std
/// The first error code a kernel reported (0: none; see port::report). Defined, with C
/// linkage so that the launcher can find it by name, by every generated source
/// (kernels/cuda/fused_source.cpp).
extern "C" __device__ int tessera_error_code;
#else
#include <climits>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "tessera/core/error.hpp"
#define TESSERA_PORT_STD std
#endif
#include "tessera/core/narrow_float.hpp"

namespace tessera::kernels::ops::port {

using TESSERA_PORT_STD::common_type_t;
using TESSERA_PORT_STD::conditional_t;
using TESSERA_PORT_STD::complex;
using TESSERA_PORT_STD::int16_t;
using TESSERA_PORT_STD::int32_t;
using TESSERA_PORT_STD::int64_t;
using TESSERA_PORT_STD::int8_t;
using TESSERA_PORT_STD::is_floating_point_v;
using TESSERA_PORT_STD::is_integral_v;
using TESSERA_PORT_STD::is_same_v;
using TESSERA_PORT_STD::is_signed_v;
using TESSERA_PORT_STD::make_unsigned_t;
using TESSERA_PORT_STD::numeric_limits;
using TESSERA_PORT_STD::uint16_t;
using TESSERA_PORT_STD::uint32_t;
using TESSERA_PORT_STD::uint64_t;
using TESSERA_PORT_STD::uint8_t;

// Complex math, and the real math functions where both libraries agree on the name.
using TESSERA_PORT_STD::acos;
using TESSERA_PORT_STD::acosh;
using TESSERA_PORT_STD::asin;
using TESSERA_PORT_STD::asinh;
using TESSERA_PORT_STD::atan;
using TESSERA_PORT_STD::atanh;
using TESSERA_PORT_STD::cos;
using TESSERA_PORT_STD::cosh;
using TESSERA_PORT_STD::exp;
using TESSERA_PORT_STD::isfinite;
using TESSERA_PORT_STD::isgreater;
using TESSERA_PORT_STD::isinf;
using TESSERA_PORT_STD::isless;
using TESSERA_PORT_STD::isnan;
using TESSERA_PORT_STD::log;
using TESSERA_PORT_STD::log10;
using TESSERA_PORT_STD::pow;
using TESSERA_PORT_STD::signbit;
using TESSERA_PORT_STD::sin;
using TESSERA_PORT_STD::sinh;
using TESSERA_PORT_STD::sqrt;
using TESSERA_PORT_STD::tan;
using TESSERA_PORT_STD::tanh;

#if defined(__CUDACC_RTC__)
// Real functions cuda::std does not (yet) declare: CUDA's built-in overloads for float
// and double.
using ::atan2;
using ::ceil;
using ::copysign;
using ::expm1;
using ::fabs;
using ::floor;
using ::fmax;
using ::fmod;
using ::hypot;
using ::log1p;
using ::log2;
using ::nearbyint;
using ::nextafter;
using ::trunc;
#else
using std::atan2;
using std::ceil;
using std::copysign;
using std::expm1;
using std::fabs;
using std::floor;
using std::fmax;
using std::fmod;
using std::hypot;
using std::log1p;
using std::log2;
using std::nearbyint;
using std::nextafter;
using std::trunc;
#endif

// The 16-bit floats: operations reach them as float (ops::apply_op); what is asked of a
// value itself, by reductions and sorts, is its class, read from the bits.
using tessera::bfloat16;
using tessera::float16;
using tessera::is_narrow_float_v;
template <int E, int F>
bool isnan(narrow_float<E, F> x) {
  return (x.bits() & 0x7fffu) > narrow_float<E, F>::kExponentField;
}
template <int E, int F>
bool isinf(narrow_float<E, F> x) {
  return (x.bits() & 0x7fffu) == narrow_float<E, F>::kExponentField;
}
template <int E, int F>
bool isfinite(narrow_float<E, F> x) {
  return (x.bits() & narrow_float<E, F>::kExponentField) != narrow_float<E, F>::kExponentField;
}
template <int E, int F>
bool signbit(narrow_float<E, F> x) {
  return (x.bits() & 0x8000u) != 0;
}

inline constexpr int kCharBit = CHAR_BIT;

/// Constants of std::numbers (which cuda::std lacks), correctly rounded in each type.
template <class R>
inline constexpr R kPi = static_cast<R>(3.141592653589793238462643383279502884L);
template <class R>
inline constexpr R kLn2 = static_cast<R>(0.693147180559945309417232121458176568L);
template <class R>
inline constexpr R kLog2e = static_cast<R>(1.442695040888963407359924681001892137L);
template <class R>
inline constexpr R kLog10e = static_cast<R>(0.434294481903251827651128918916605082L);

/// Bad input met while computing an element, which a kernel cannot throw for.
enum class ErrorCode : int { none = 0, negative_integer_power = 1 };

/// The message of an error code, for the exception the host raises.
constexpr const char* message(ErrorCode code) {
  switch (code) {
    case ErrorCode::none: return "no error";
    case ErrorCode::negative_integer_power: return "Integers to negative integer powers are not allowed";
  }
  return "unknown error";
}

/// Reports bad input: a tessera::ValueError on the host; on a GPU, the first code
/// reported lands in `tessera_error_code`, which the generated kernel's launcher reads
/// back and raises. Either way the element's value is meaningless.
#if defined(__CUDACC_RTC__)
inline void report(ErrorCode code) { atomicCAS(&::tessera_error_code, 0, static_cast<int>(code)); }
#else
[[noreturn]] inline void report(ErrorCode code) { throw ValueError(message(code)); }
#endif

}  // namespace tessera::kernels::ops::port

#undef TESSERA_PORT_STD
