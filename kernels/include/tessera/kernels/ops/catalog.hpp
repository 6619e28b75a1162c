// Every elementwise operation struct of ops/*.hpp, by family, as X-macro lists: the CPU
// backend registers a kernel per (operation, dtype) from them and the CUDA backend maps
// an operation's name to its struct when it generates a kernel, so an operation added
// to a list reaches both backends. where and astype are not op structs (ops::where,
// ops::convert) and are not listed.
#pragma once

#define TESSERA_ARITHMETIC_OPS(X)                                                                               \
  X(Add) X(Subtract) X(Multiply) X(Divide) X(FloorDivide) X(Remainder) X(Pow) X(Negative) X(Positive) X(Abs) \
  X(Square) X(Sign) X(Maximum) X(Minimum)

#define TESSERA_LOGIC_OPS(X)                                                                                \
  X(Equal) X(NotEqual) X(Less) X(LessEqual) X(Greater) X(GreaterEqual) X(LogicalAnd) X(LogicalOr)         \
  X(LogicalXor) X(LogicalNot) X(BitwiseAnd) X(BitwiseOr) X(BitwiseXor) X(BitwiseInvert) X(BitwiseLeftShift) \
  X(BitwiseRightShift)

#define TESSERA_MATH_OPS(X)                                                                                 \
  X(Exp) X(Expm1) X(Log) X(Log1p) X(Log2) X(Log10) X(Sqrt) X(Sin) X(Cos) X(Tan) X(Asin) X(Acos) X(Atan)    \
  X(Sinh) X(Cosh) X(Tanh) X(Asinh) X(Acosh) X(Atanh) X(Atan2) X(Hypot) X(Copysign) X(Logaddexp) X(Ceil)    \
  X(Floor) X(Trunc) X(Round) X(Signbit) X(Isnan) X(Isinf) X(Isfinite) X(Real) X(Imag) X(Conj)

#define TESSERA_ELEMENTWISE_OPS(X) TESSERA_ARITHMETIC_OPS(X) TESSERA_LOGIC_OPS(X) TESSERA_MATH_OPS(X)
