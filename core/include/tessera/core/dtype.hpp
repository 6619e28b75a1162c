// Element types of arrays: the dtypes of the Python array API standard, their sizes and
// names, type promotion, and the one place where a dtype becomes a C++ type.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "tessera/core/error.hpp"
#include "tessera/core/narrow_float.hpp"

namespace tessera {

// The enumerators float16 and bfloat16 name the types tessera::float16 and bfloat16 on
// purpose; GCC's -Wshadow takes a scoped enumerator for a shadowing declaration of an alias.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
/// The element type of an array. The order is the promotion lattice's search order (see
/// `result_type`), so do not reorder.
enum class DType : std::uint8_t {
  bool_,
  uint8,
  int8,
  uint16,
  int16,
  uint32,
  int32,
  uint64,
  int64,
  float16,
  bfloat16,
  float32,
  float64,
  complex64,
  complex128,
};
#pragma GCC diagnostic pop

inline constexpr std::size_t kDTypeCount = 15;

/// The dtypes there are, as messages that refuse another name them.
inline constexpr std::string_view kDTypeList =
    "bool, int8-int64, uint8-uint64, float16, bfloat16, float32, float64, complex64, complex128";

/// Broad kinds, as the array API groups dtypes.
enum class DTypeKind : std::uint8_t { boolean, unsigned_integer, signed_integer, real_floating, complex_floating };

/// The C++ type of each dtype, and back.
template <DType D> struct dtype_traits;
#define TESSERA_DTYPE_TRAITS(D, T, KIND)                      \
  template <>                                                 \
  struct dtype_traits<DType::D> {                             \
    using type = T;                                           \
    static constexpr DTypeKind kind = DTypeKind::KIND;        \
  };
TESSERA_DTYPE_TRAITS(bool_, bool, boolean)
TESSERA_DTYPE_TRAITS(uint8, std::uint8_t, unsigned_integer)
TESSERA_DTYPE_TRAITS(int8, std::int8_t, signed_integer)
TESSERA_DTYPE_TRAITS(uint16, std::uint16_t, unsigned_integer)
TESSERA_DTYPE_TRAITS(int16, std::int16_t, signed_integer)
TESSERA_DTYPE_TRAITS(uint32, std::uint32_t, unsigned_integer)
TESSERA_DTYPE_TRAITS(int32, std::int32_t, signed_integer)
TESSERA_DTYPE_TRAITS(uint64, std::uint64_t, unsigned_integer)
TESSERA_DTYPE_TRAITS(int64, std::int64_t, signed_integer)
TESSERA_DTYPE_TRAITS(float16, float16, real_floating)
TESSERA_DTYPE_TRAITS(bfloat16, bfloat16, real_floating)
TESSERA_DTYPE_TRAITS(float32, float, real_floating)
TESSERA_DTYPE_TRAITS(float64, double, real_floating)
TESSERA_DTYPE_TRAITS(complex64, std::complex<float>, complex_floating)
TESSERA_DTYPE_TRAITS(complex128, std::complex<double>, complex_floating)
#undef TESSERA_DTYPE_TRAITS

template <DType D>
using dtype_type_t = typename dtype_traits<D>::type;

/// The dtype of a C++ element type: `dtype_of<float>` is DType::float32.
template <class T> inline constexpr DType dtype_of = [] {
  static_assert(sizeof(T) == 0, "no tessera dtype for this C++ type");
  return DType::bool_;
}();
template <> inline constexpr DType dtype_of<bool> = DType::bool_;
template <> inline constexpr DType dtype_of<std::uint8_t> = DType::uint8;
template <> inline constexpr DType dtype_of<std::int8_t> = DType::int8;
template <> inline constexpr DType dtype_of<std::uint16_t> = DType::uint16;
template <> inline constexpr DType dtype_of<std::int16_t> = DType::int16;
template <> inline constexpr DType dtype_of<std::uint32_t> = DType::uint32;
template <> inline constexpr DType dtype_of<std::int32_t> = DType::int32;
template <> inline constexpr DType dtype_of<std::uint64_t> = DType::uint64;
template <> inline constexpr DType dtype_of<std::int64_t> = DType::int64;
template <> inline constexpr DType dtype_of<float16> = DType::float16;
template <> inline constexpr DType dtype_of<bfloat16> = DType::bfloat16;
template <> inline constexpr DType dtype_of<float> = DType::float32;
template <> inline constexpr DType dtype_of<double> = DType::float64;
template <> inline constexpr DType dtype_of<std::complex<float>> = DType::complex64;
template <> inline constexpr DType dtype_of<std::complex<double>> = DType::complex128;

/// Bytes per element.
std::size_t itemsize(DType dtype) noexcept;
/// NumPy's name: "bool", "int8", ..., "float16", ..., "complex128".
std::string_view name(DType dtype) noexcept;
/// Parses a NumPy dtype name ("float64", "f8", "bool", "i4", ...); throws TypeError.
DType parse_dtype(std::string_view name);
DTypeKind kind(DType dtype) noexcept;
inline bool is_bool(DType d) noexcept { return d == DType::bool_; }
inline bool is_integer(DType d) noexcept {
  return kind(d) == DTypeKind::signed_integer || kind(d) == DTypeKind::unsigned_integer;
}
inline bool is_floating(DType d) noexcept {
  return kind(d) == DTypeKind::real_floating || kind(d) == DTypeKind::complex_floating;
}
inline bool is_complex(DType d) noexcept { return kind(d) == DTypeKind::complex_floating; }
/// Integers, reals and complexes: the types arithmetic accepts.
inline bool is_numeric(DType d) noexcept { return d != DType::bool_; }

/// Whether the integer `value` is representable in the integer dtype `dtype` (true for
/// other dtypes, which take any integer, rounded).
bool integer_fits(std::int64_t value, DType dtype) noexcept;

/// True when every value of `from` is exactly representable in `to` (NumPy's "safe").
bool can_cast_safely(DType from, DType to) noexcept;

/// The dtype two array operands promote to: the smallest dtype both cast to safely. This
/// is the array API's table, extended as NumPy does where it is silent (uint64 with a
/// signed integer gives float64; integers with floats give a float wide enough).
DType result_type(DType a, DType b) noexcept;

/// What a Python-style scalar operand is, for weak promotion (NEP 50): a scalar adopts
/// the array's dtype when that is of the same kind or wider.
enum class ScalarKind : std::uint8_t { boolean, integer, real, complex };
/// The dtype of an array combined with a scalar of the given kind.
DType result_type(DType array, ScalarKind scalar) noexcept;

/// The default dtypes for values without one (NumPy's on 64-bit Linux).
inline constexpr DType kDefaultInt = DType::int64;
inline constexpr DType kDefaultFloat = DType::float64;
inline constexpr DType kDefaultComplex = DType::complex128;

/// The real dtype of a complex one (complex64 → float32); other dtypes map to themselves.
DType real_dtype(DType dtype) noexcept;
/// The floating dtype an operation on `dtype` computes in when it needs one, as NumPy's
/// (sqrt of an int32 is float64, of an int16 float32, of an int8 or a bool float16).
DType floating_dtype(DType dtype) noexcept;

/// Calls `f.template operator()<T>()` with T the C++ type of `dtype`. The single place
/// where a dtype switch is written; kernels are templates over T.
template <class F>
decltype(auto) type_dispatch(DType dtype, F&& f) {
  switch (dtype) {
    case DType::bool_: return std::forward<F>(f).template operator()<bool>();
    case DType::uint8: return std::forward<F>(f).template operator()<std::uint8_t>();
    case DType::int8: return std::forward<F>(f).template operator()<std::int8_t>();
    case DType::uint16: return std::forward<F>(f).template operator()<std::uint16_t>();
    case DType::int16: return std::forward<F>(f).template operator()<std::int16_t>();
    case DType::uint32: return std::forward<F>(f).template operator()<std::uint32_t>();
    case DType::int32: return std::forward<F>(f).template operator()<std::int32_t>();
    case DType::uint64: return std::forward<F>(f).template operator()<std::uint64_t>();
    case DType::int64: return std::forward<F>(f).template operator()<std::int64_t>();
    case DType::float16: return std::forward<F>(f).template operator()<float16>();
    case DType::bfloat16: return std::forward<F>(f).template operator()<bfloat16>();
    case DType::float32: return std::forward<F>(f).template operator()<float>();
    case DType::float64: return std::forward<F>(f).template operator()<double>();
    case DType::complex64: return std::forward<F>(f).template operator()<std::complex<float>>();
    case DType::complex128: return std::forward<F>(f).template operator()<std::complex<double>>();
  }
  TESSERA_ASSERT(false, "unknown dtype");
  return std::forward<F>(f).template operator()<bool>();
}

inline std::string to_string(DType dtype) { return std::string(name(dtype)); }

}  // namespace tessera
