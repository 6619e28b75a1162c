#include "tessera/core/dtype.hpp"

#include <array>
#include <string>
#include <type_traits>
#include <utility>

namespace tessera {
namespace {

struct DTypeInfo {
  std::string_view name;
  std::size_t itemsize;
  DTypeKind kind;
  // Bits of integer or mantissa precision, and for floats the largest binary exponent,
  // used for safe-cast decisions.
  int precision;
  int max_exponent = 0;
};

constexpr std::array<DTypeInfo, kDTypeCount> kInfo = {{
    {"bool", 1, DTypeKind::boolean, 1},
    {"uint8", 1, DTypeKind::unsigned_integer, 8},
    {"int8", 1, DTypeKind::signed_integer, 8},
    {"uint16", 2, DTypeKind::unsigned_integer, 16},
    {"int16", 2, DTypeKind::signed_integer, 16},
    {"uint32", 4, DTypeKind::unsigned_integer, 32},
    {"int32", 4, DTypeKind::signed_integer, 32},
    {"uint64", 8, DTypeKind::unsigned_integer, 64},
    {"int64", 8, DTypeKind::signed_integer, 64},
    {"float16", 2, DTypeKind::real_floating, 11, 16},
    {"bfloat16", 2, DTypeKind::real_floating, 8, 128},
    {"float32", 4, DTypeKind::real_floating, 24, 128},
    {"float64", 8, DTypeKind::real_floating, 53, 1024},
    {"complex64", 8, DTypeKind::complex_floating, 24, 128},
    {"complex128", 16, DTypeKind::complex_floating, 53, 1024},
}};

const DTypeInfo& info(DType d) noexcept { return kInfo[static_cast<std::size_t>(d)]; }

// NumPy's rule, not exactness: an integer casts "safely" to a float whose component is
// wider than it, and 64-bit integers to float64.
bool integer_fits_float(const DTypeInfo& from, const DTypeInfo& to) noexcept {
  const std::size_t component = to.kind == DTypeKind::complex_floating ? to.itemsize / 2 : to.itemsize;
  return component > from.itemsize || (from.itemsize == 8 && component == 8);
}

}  // namespace

std::size_t itemsize(DType dtype) noexcept { return info(dtype).itemsize; }
std::string_view name(DType dtype) noexcept { return info(dtype).name; }
DTypeKind kind(DType dtype) noexcept { return info(dtype).kind; }

DType parse_dtype(std::string_view text) {
  for (std::size_t i = 0; i < kDTypeCount; ++i) {
    if (kInfo[i].name == text) return static_cast<DType>(i);
  }
  struct Alias {
    std::string_view alias;
    DType dtype;
  };
  static constexpr Alias kAliases[] = {
      {"bool_", DType::bool_},  {"?", DType::bool_},         {"b1", DType::bool_},       {"u1", DType::uint8},
      {"i1", DType::int8},      {"u2", DType::uint16},       {"i2", DType::int16},       {"u4", DType::uint32},
      {"i4", DType::int32},     {"u8", DType::uint64},       {"i8", DType::int64},       {"f4", DType::float32},
      {"f8", DType::float64},   {"c8", DType::complex64},    {"c16", DType::complex128}, {"float", DType::float64},
      {"f2", DType::float16},   {"e", DType::float16},     {"half", DType::float16},
      {"int", DType::int64},    {"complex", DType::complex128}, {"double", DType::float64},
  };
  for (const auto& a : kAliases) {
    if (a.alias == text) return a.dtype;
  }
  throw TypeError("unknown dtype '" + std::string(text) + "'; expected one of " + std::string(kDTypeList));
}

bool integer_fits(std::int64_t value, DType dtype) noexcept {
  if (!is_integer(dtype)) return true;
  return type_dispatch(dtype, [&]<class T>() {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      return std::in_range<T>(value);
    } else {
      return true;
    }
  });
}

bool can_cast_safely(DType from, DType to) noexcept {
  if (from == to) return true;
  const DTypeInfo& f = info(from);
  const DTypeInfo& t = info(to);
  switch (f.kind) {
    case DTypeKind::boolean:
      return true;
    case DTypeKind::unsigned_integer:
      switch (t.kind) {
        case DTypeKind::boolean: return false;
        case DTypeKind::unsigned_integer: return t.precision > f.precision;
        case DTypeKind::signed_integer: return t.precision > f.precision;
        default: return integer_fits_float(f, t);
      }
    case DTypeKind::signed_integer:
      switch (t.kind) {
        case DTypeKind::boolean:
        case DTypeKind::unsigned_integer: return false;
        case DTypeKind::signed_integer: return t.precision > f.precision;
        default: return integer_fits_float(f, t);
      }
    case DTypeKind::real_floating:
      return (t.kind == DTypeKind::real_floating || t.kind == DTypeKind::complex_floating) &&
             t.precision >= f.precision && t.max_exponent >= f.max_exponent;
    case DTypeKind::complex_floating:
      return t.kind == DTypeKind::complex_floating && t.precision >= f.precision && t.max_exponent >= f.max_exponent;
  }
  return false;
}

DType result_type(DType a, DType b) noexcept {
  if (a == b) return a;
  for (std::size_t i = 0; i < kDTypeCount; ++i) {
    const auto candidate = static_cast<DType>(i);
    if (can_cast_safely(a, candidate) && can_cast_safely(b, candidate)) return candidate;
  }
  return DType::complex128;  // unreachable: everything casts safely to complex128 but 64-bit ints
}

DType result_type(DType array, ScalarKind scalar) noexcept {
  switch (scalar) {
    case ScalarKind::boolean:
      return array;
    case ScalarKind::integer:
      return array == DType::bool_ ? kDefaultInt : array;
    case ScalarKind::real:
      return is_floating(array) ? array : kDefaultFloat;
    case ScalarKind::complex:
      if (array == DType::float16 || array == DType::bfloat16 || array == DType::float32 || array == DType::complex64) {
        return DType::complex64;
      }
      return kDefaultComplex;
  }
  return array;
}

DType real_dtype(DType dtype) noexcept {
  if (dtype == DType::complex64) return DType::float32;
  if (dtype == DType::complex128) return DType::float64;
  return dtype;
}

DType floating_dtype(DType dtype) noexcept {
  if (is_floating(dtype)) return dtype;
  switch (itemsize(dtype)) {
    case 1: return DType::float16;
    case 2: return DType::float32;
    default: return DType::float64;
  }
}

}  // namespace tessera
