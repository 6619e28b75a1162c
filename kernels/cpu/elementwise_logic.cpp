// CPU elementwise comparisons (every dtype, output bool), logical operations (bool),
// bitwise operations and shifts (bool and integers), and where(cond, x, y).
//
// Complex numbers compare lexicographically as in NumPy. Shifts follow NumPy's
// npy_lshift/npy_rshift: a count outside [0, bits) shifts every bit out, so a left shift
// gives 0 and a right shift gives 0, or -1 for a negative value (a negative count counts
// as outside, as it does in NumPy, which converts it to an unsigned size).
#include <climits>
#include <complex>

#include "elementwise_loops.hpp"

namespace tessera::kernels::elementwise_detail {
namespace {

// ---- comparisons ---------------------------------------------------------------------

struct Equal : Binary {
  static constexpr std::string_view name = "equal";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    return a == b;
  }
};

struct NotEqual : Binary {
  static constexpr std::string_view name = "not_equal";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    return a != b;
  }
};

struct Less : Binary {
  static constexpr std::string_view name = "less";
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
  static constexpr std::string_view name = "less_equal";
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
  static constexpr std::string_view name = "greater";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    return Less::apply(b, a);
  }
};

struct GreaterEqual : Binary {
  static constexpr std::string_view name = "greater_equal";
  template <class T>
  static constexpr bool supports = true;
  template <class T>
  static bool apply(T a, T b) {
    return LessEqual::apply(b, a);
  }
};

// ---- logical ---------------------------------------------------------------------------

struct LogicalAnd : Binary {
  static constexpr std::string_view name = "logical_and";
  template <class T>
  static constexpr bool supports = is_bool_v<T>;
  static bool apply(bool a, bool b) { return a && b; }
};

struct LogicalOr : Binary {
  static constexpr std::string_view name = "logical_or";
  template <class T>
  static constexpr bool supports = is_bool_v<T>;
  static bool apply(bool a, bool b) { return a || b; }
};

struct LogicalXor : Binary {
  static constexpr std::string_view name = "logical_xor";
  template <class T>
  static constexpr bool supports = is_bool_v<T>;
  static bool apply(bool a, bool b) { return a != b; }
};

struct LogicalNot : Unary {
  static constexpr std::string_view name = "logical_not";
  template <class T>
  static constexpr bool supports = is_bool_v<T>;
  static bool apply(bool a) { return !a; }
};

// ---- bitwise ---------------------------------------------------------------------------

template <class T>
inline constexpr bool is_bitwise_v = is_bool_v<T> || is_int_v<T>;

struct BitwiseAnd : Binary {
  static constexpr std::string_view name = "bitwise_and";
  template <class T>
  static constexpr bool supports = is_bitwise_v<T>;
  template <class T>
  static T apply(T a, T b) {
    return static_cast<T>(a & b);
  }
};

struct BitwiseOr : Binary {
  static constexpr std::string_view name = "bitwise_or";
  template <class T>
  static constexpr bool supports = is_bitwise_v<T>;
  template <class T>
  static T apply(T a, T b) {
    return static_cast<T>(a | b);
  }
};

struct BitwiseXor : Binary {
  static constexpr std::string_view name = "bitwise_xor";
  template <class T>
  static constexpr bool supports = is_bitwise_v<T>;
  template <class T>
  static T apply(T a, T b) {
    return static_cast<T>(a ^ b);
  }
};

struct BitwiseInvert : Unary {
  static constexpr std::string_view name = "bitwise_invert";
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
inline constexpr wide_unsigned_t<T> kBits = sizeof(T) * CHAR_BIT;

struct BitwiseLeftShift : Binary {
  static constexpr std::string_view name = "bitwise_left_shift";
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
  static constexpr std::string_view name = "bitwise_right_shift";
  template <class T>
  static constexpr bool supports = is_int_v<T>;
  template <class T>
  static T apply(T a, T b) {
    if (to_unsigned(b) < kBits<T>) return static_cast<T>(a >> b);  // arithmetic for signed T (C++20)
    if constexpr (std::is_signed_v<T>)
      return a < 0 ? T{-1} : T{0};
    else
      return T{0};
  }
};

// ---- where -------------------------------------------------------------------------------

template <class T>
void where_loop(const void* const* inputs, void* output, std::size_t n) {
  const bool* __restrict cond = static_cast<const bool*>(inputs[0]);
  const T* __restrict x = static_cast<const T*>(inputs[1]);
  const T* __restrict y = static_cast<const T*>(inputs[2]);
  T* __restrict out = static_cast<T*>(output);
  for (std::size_t i = 0; i < n; ++i) out[i] = cond[i] ? x[i] : y[i];
}

/// where(cond, x, y) takes a bool condition and two operands of one dtype, so it has its
/// own registration rather than register_op's all-inputs-alike signature.
void register_where(KernelRegistry& registry) {
  for (std::size_t d = 0; d < kDTypeCount; ++d) {
    type_dispatch(static_cast<DType>(d), [&registry]<class T>() {
      ElementwiseKernel kernel;
      kernel.inputs = {DType::bool_, dtype_of<T>, dtype_of<T>};
      kernel.arity = 3;
      kernel.output = dtype_of<T>;
      kernel.fn = &where_loop<T>;
      registry.add_elementwise("where", DeviceKind::cpu, kernel);
    });
  }
}

}  // namespace

void register_logic(KernelRegistry& registry) {
  register_ops<Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual>(registry);
  register_ops<LogicalAnd, LogicalOr, LogicalXor, LogicalNot>(registry);
  register_ops<BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseInvert, BitwiseLeftShift, BitwiseRightShift>(registry);
  register_where(registry);
}

}  // namespace tessera::kernels::elementwise_detail
