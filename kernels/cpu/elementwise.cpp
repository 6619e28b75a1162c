// The CPU elementwise kernels: every operation of the Python array API that maps
// elements one to one, for each dtype it is natural for, with all inputs of one dtype
// (the array layer promotes operands before it looks a kernel up). The kernels live in
// one file per family; this is the entry point that registers them all, the vectorized
// float math (elementwise_vector_math.cpp) last.
#include "elementwise_loops.hpp"

namespace tessera::kernels {

void register_cpu_elementwise(KernelRegistry& registry, CpuVectorMath vector_math) {
  elementwise_detail::register_arithmetic(registry);
  elementwise_detail::register_logic(registry);
  elementwise_detail::register_math(registry);
  register_cpu_vector_math(registry, vector_math);  // over the scalar float kernels
}

}  // namespace tessera::kernels
