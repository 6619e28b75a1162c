// CPU elementwise floating-point math: the loops of elementwise_loops.hpp over the
// operations of kernels/ops/math.hpp (where their semantics are). The real float32 and
// float64 functions are replaced by vectorized ones (elementwise_vector_math.cpp) where
// the CPU supports them.
#include "elementwise_loops.hpp"
#include "tessera/kernels/ops/math.hpp"

namespace tessera::kernels::elementwise_detail {

void register_math(KernelRegistry& registry) {
#define TESSERA_REGISTER(Op) register_op<ops::Op>(registry);
  TESSERA_MATH_OPS(TESSERA_REGISTER)
#undef TESSERA_REGISTER
}

}  // namespace tessera::kernels::elementwise_detail
