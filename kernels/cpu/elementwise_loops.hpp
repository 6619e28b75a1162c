// Private to the CPU elementwise kernels: the loop templates every elementwise kernel is
// an instance of, and the one registration loop over dtypes.
//
// An operation is a struct of kernels/ops/ (shared with the CUDA backend) with
//   static constexpr const char* name;               // the array API name
//   static constexpr unsigned arity;                 // 1 or 2; all inputs share one dtype
//   template <class T> static constexpr bool supports;
//   template <class T> static Out apply(T...);       // Out is T, bool or T's real type
// applied through ops::apply_op (which computes the 16-bit floats in float), and
// `register_ops<Op...>(registry)` registers it for every dtype it supports.
#pragma once

#include <cstddef>
#include <utility>

#include "tessera/core/dtype.hpp"
#include "tessera/kernels/ops/catalog.hpp"
#include "tessera/kernels/registry.hpp"

// A distinct namespace: other kernel families have their own helpers, and two different
// templates of one name in one namespace would silently break the one-definition rule.
namespace tessera::kernels::elementwise_detail {

template <class Op, class T>
using unary_result_t = decltype(ops::apply_op<Op>(std::declval<T>()));
template <class Op, class T>
using binary_result_t = decltype(ops::apply_op<Op>(std::declval<T>(), std::declval<T>()));

// The loops are plain indexed loops over restrict pointers so that g++ -O3 vectorizes
// them when `apply` is simple (GCC still checks for overlap at run time, and takes the
// vector path when the output is exactly an input). The kernel contract lets the output
// alias an input of the same dtype exactly; every loop reads element i of its inputs
// before it writes element i of the output and never reads an element it has written.
template <class Op, class T>
void unary_loop(const void* const* inputs, void* output, std::size_t n) {
  using Out = unary_result_t<Op, T>;
  const T* __restrict a = static_cast<const T*>(inputs[0]);
  Out* __restrict out = static_cast<Out*>(output);
  for (std::size_t i = 0; i < n; ++i) out[i] = ops::apply_op<Op>(a[i]);
}

template <class Op, class T>
void binary_loop(const void* const* inputs, void* output, std::size_t n) {
  using Out = binary_result_t<Op, T>;
  const T* __restrict a = static_cast<const T*>(inputs[0]);
  const T* __restrict b = static_cast<const T*>(inputs[1]);
  Out* __restrict out = static_cast<Out*>(output);
  for (std::size_t i = 0; i < n; ++i) out[i] = ops::apply_op<Op>(a[i], b[i]);
}

/// Registers `Op` for every dtype T with `Op::supports<T>`, all inputs of dtype T.
template <class Op>
void register_op(KernelRegistry& registry) {
  for (std::size_t d = 0; d < kDTypeCount; ++d) {
    type_dispatch(static_cast<DType>(d), [&registry]<class T>() {
      if constexpr (Op::template supports<T>) {
        ElementwiseKernel kernel;
        kernel.arity = Op::arity;
        for (std::size_t i = 0; i < std::size_t{Op::arity}; ++i) kernel.inputs[i] = dtype_of<T>;
        if constexpr (Op::arity == 1) {
          kernel.output = dtype_of<unary_result_t<Op, T>>;
          kernel.fn = &unary_loop<Op, T>;
        } else {
          static_assert(Op::arity == 2, "elementwise operations take one or two inputs of one dtype");
          kernel.output = dtype_of<binary_result_t<Op, T>>;
          kernel.fn = &binary_loop<Op, T>;
        }
        registry.add_elementwise(Op::name, DeviceKind::cpu, kernel);
      }
    });
  }
}

template <class... Ops>
void register_ops(KernelRegistry& registry) {
  (register_op<Ops>(registry), ...);
}

/// The families of kernels/ops/catalog.hpp, one file each (so that they compile in
/// parallel); register_cpu_elementwise calls them all.
void register_arithmetic(KernelRegistry& registry);  // elementwise_arith.cpp
void register_logic(KernelRegistry& registry);       // elementwise_logic.cpp: comparisons, logical, bitwise, where
void register_math(KernelRegistry& registry);        // elementwise_math.cpp

}  // namespace tessera::kernels::elementwise_detail
