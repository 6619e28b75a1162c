// CPU elementwise comparisons, logical and bitwise operations: the loops of
// elementwise_loops.hpp over the operations of kernels/ops/logic.hpp (where their
// semantics are), and where(cond, x, y).
#include <cstddef>

#include "elementwise_loops.hpp"
#include "tessera/kernels/ops/logic.hpp"

namespace tessera::kernels::elementwise_detail {
namespace {

template <class T>
void where_loop(const void* const* inputs, void* output, std::size_t n) {
  const bool* __restrict cond = static_cast<const bool*>(inputs[0]);
  const T* __restrict x = static_cast<const T*>(inputs[1]);
  const T* __restrict y = static_cast<const T*>(inputs[2]);
  T* __restrict out = static_cast<T*>(output);
  for (std::size_t i = 0; i < n; ++i) out[i] = ops::where(cond[i], x[i], y[i]);
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
#define TESSERA_REGISTER(Op) register_op<ops::Op>(registry);
  TESSERA_LOGIC_OPS(TESSERA_REGISTER)
#undef TESSERA_REGISTER
  register_where(registry);
}

}  // namespace tessera::kernels::elementwise_detail
