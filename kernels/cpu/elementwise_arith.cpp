// CPU elementwise arithmetic: the loops of elementwise_loops.hpp over the operations of
// kernels/ops/arithmetic.hpp (where their semantics are).
#include "elementwise_loops.hpp"
#include "tessera/kernels/ops/arithmetic.hpp"

namespace tessera::kernels::elementwise_detail {

void register_arithmetic(KernelRegistry& registry) {
#define TESSERA_REGISTER(Op) register_op<ops::Op>(registry);
  TESSERA_ARITHMETIC_OPS(TESSERA_REGISTER)
#undef TESSERA_REGISTER
}

}  // namespace tessera::kernels::elementwise_detail
