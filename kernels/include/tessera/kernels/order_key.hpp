// Sort keys: an unsigned integer per value whose order is the value order of array/src/
// sort_order.hpp (NaNs above everything in both directions, -0.0 equal to 0.0), so that
// values of every real dtype sort as integers, by radix passes. The host's sorts and the
// device's (kernels/cuda/sort.cu, searchsorted, unique) compute them with this one
// function.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "tessera/kernels/host_device.hpp"
#include "tessera/kernels/ops/traits.hpp"

namespace tessera::kernels {

/// The unsigned type of `Size` bytes: values move and compare as their bytes.
template <std::size_t Size>
using Bytes = std::conditional_t<
    Size == 1, std::uint8_t,
    std::conditional_t<Size == 2, std::uint16_t, std::conditional_t<Size == 4, std::uint32_t, std::uint64_t>>>;

/// The key of `v` (a real or bool value), of 8·sizeof(T) significant bits; descending
/// keys run the other way, NaNs still last.
template <class T>
TESSERA_HOST_DEVICE inline std::uint64_t order_key(T v, bool descending) {
  constexpr int bits = 8 * static_cast<int>(sizeof(T));
  constexpr std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  std::uint64_t key;
  if constexpr (std::is_same_v<T, bool>) {
    key = v ? 1 : 0;
  } else if constexpr (ops::is_real_float_v<T>) {
    // From the bits alone, which the 16-bit and the built-in floats lay out alike.
    using U = Bytes<sizeof(T)>;
    U u;
    memcpy(&u, &v, sizeof(U));
    constexpr U sign = U(1) << (bits - 1);
    constexpr U magnitude = static_cast<U>(~sign);
    constexpr U infinity = [] {
      if constexpr (is_narrow_float_v<T>) return U(T::kExponentField);
      return sizeof(T) == 4 ? U(0x7f800000u) : U(0x7ff0000000000000ull);
    }();
    if ((u & magnitude) > infinity) return mask;  // NaN
    if ((u & magnitude) == 0) u = 0;              // -0.0 sorts as 0.0
    // Negative values: all bits flipped (larger magnitudes lower); others: the sign set.
    key = (u & sign) ? static_cast<U>(~u) : static_cast<U>(u | sign);
  } else if constexpr (std::is_signed_v<T>) {
    key = static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<T>>(v)) ^ (std::uint64_t{1} << (bits - 1));
  } else {
    key = v;
  }
  return descending ? ~key & mask : key;
}

/// Whether `key` is a NaN's: of a float type, only NaN has the all-ones key (+inf's is
/// below it); an integer type's largest value has it too, and is no NaN.
template <class T>
TESSERA_HOST_DEVICE inline bool is_nan_key(std::uint64_t key) {
  if constexpr (ops::is_real_float_v<T>) {
    constexpr int bits = 8 * static_cast<int>(sizeof(T));
    return key == (bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1);
  } else {
    return false;
  }
}

/// Whether a and b are one value to unique: the same order key (so -0.0 is 0.0, and the
/// sort's order and unique's groups agree whatever the floating-point mode), and no NaN,
/// every one of which is a value of its own.
template <class T>
TESSERA_HOST_DEVICE inline bool same_unique_value(T a, T b) {
  const std::uint64_t key = order_key(a, false);
  return key == order_key(b, false) && !is_nan_key<T>(key);
}

}  // namespace tessera::kernels
