// Comparisons (every dtype, output bool), logical operations (bool), bitwise operations
// and shifts (bool and integers) on one element, and where(cond, x, y).
//
// Complex numbers compare lexicographically as in NumPy. Shifts follow NumPy's
// npy_lshift/npy_rshift: a count outside [0, bits) shifts every bit out, so a left shift
// gives 0 and a right shift gives 0, or -1 for a negative value (a negative count counts
// as outside, as it does in NumPy, which converts it to an unsigned size). Portable
// (portable.hpp): CPU and CUDA kernels share it.
#pragma once

#include "tessera/kernels/ops/traits.hpp"

namespace tessera::kernels::ops {

// ---- comparisons ---------------------------------------------------------------------

struct Equal : Binary {
  static constexpr const char* name = "equal";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    return a == b;
  }
};

struct NotEqual : Binary {
  static constexpr const char* name = "not_equal";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    return a != b;
  }
};

struct Less : Binary {
  static constexpr const char* name = "less";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    if constexpr (is_complex_v<T>)
      return complex_less(a, b);
    else
      return a < b;
  }
};

struct LessEqual : Binary {
  static constexpr const char* name = "less_equal";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    if constexpr (is_complex_v<T>)
      return complex_less_equal(a, b);
    else
      return a <= b;
  }
};

struct Greater : Binary {
  static constexpr const char* name = "greater";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    return Less::apply(b, a);
  }
};

struct GreaterEqual : Binary {
  static constexpr const char* name = "greater_equal";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    return LessEqual::apply(b, a);
  }
};

// ---- logical ---------------------------------------------------------------------------

struct LogicalAnd : Binary {
  static constexpr const char* name = "logical_and";
  template <class T>
  static constexpr bool supports = is_bool_v<T>;
  static bool apply(bool a, bool b) { return a && b; }
};

struct LogicalOr : Binary {
  static constexpr const char* name = "logical_or";
  template <class T>
  static constexpr bool supports = is_bool_v<T>;
  static bool apply(bool a, bool b) { return a || b; }
};

struct LogicalXor : Binary {
  static constexpr const char* name = "logical_xor";
  template <class T>
  static constexpr bool supports = is_bool_v<T>;
  static bool apply(bool a, bool b) { return a != b; }
};

struct LogicalNot : Unary {
  static constexpr const char* name = "logical_not";
  template <class T>
  static constexpr bool supports = is_bool_v<T>;
  static bool apply(bool a) { return !a; }
};

// ---- bitwise ---------------------------------------------------------------------------

template <class T>
inline constexpr bool is_bitwise_v = is_bool_v<T> || is_int_v<T>;

struct BitwiseAnd : Binary {
  static constexpr const char* name = "bitwise_and";
  template <class T>
  static constexpr bool supports = is_bitwise_v<T>;
  template <class T>
  static T apply(T a, T b) {
    return static_cast<T>(a & b);
  }
};

struct BitwiseOr : Binary {
  static constexpr const char* name = "bitwise_or";
  template <class T>
  static constexpr bool supports = is_bitwise_v<T>;
  template <class T>
  static T apply(T a, T b) {
    return static_cast<T>(a | b);
  }
};

struct BitwiseXor : Binary {
  static constexpr const char* name = "bitwise_xor";
  template <class T>
  static constexpr bool supports = is_bitwise_v<T>;
  template <class T>
  static T apply(T a, T b) {
    return static_cast<T>(a ^ b);
  }
};

struct BitwiseInvert : Unary {
  static constexpr const char* name = "bitwise_invert";
  template <class T>
  static constexpr bool supports = is_bitwise_v<T>;
  template <class T>
  static T apply(T a) {
    if constexpr (is_bool_v<T>)
      return !a;
    else
      return static_cast<T>(~a);
  }
};

template <class T>
inline constexpr wide_unsigned_t<T> kBits = sizeof(T) * port::kCharBit;

struct BitwiseLeftShift : Binary {
  static constexpr const char* name = "bitwise_left_shift";
  template <class T>
  static constexpr bool supports = is_int_v<T>;
  template <class T>
  static T apply(T a, T b) {
    // A negative count becomes a huge unsigned one, as in NumPy. The shift itself is
    // unsigned so that shifting into or out of the sign bit is defined.
    return to_unsigned(b) < kBits<T> ? static_cast<T>(to_unsigned(a) << to_unsigned(b)) : T{0};
  }
};

struct BitwiseRightShift : Binary {
  static constexpr const char* name = "bitwise_right_shift";
  template <class T>
  static constexpr bool supports = is_int_v<T>;
  template <class T>
  static T apply(T a, T b) {
    if (to_unsigned(b) < kBits<T>) return static_cast<T>(a >> b);  // arithmetic for signed T (C++20)
    if constexpr (port::is_signed_v<T>)
      return a < 0 ? T{-1} : T{0};
    else
      return T{0};
  }
};

// ---- where -------------------------------------------------------------------------------

/// where(cond, x, y): x where cond holds, else y. Not an op struct: its condition is
/// bool whatever the dtype of x and y.
template <class T>
T where(bool cond, T x, T y) {
  return cond ? x : y;
}

}  // namespace tessera::kernels::ops
