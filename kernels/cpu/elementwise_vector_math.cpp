// Runtime dispatch of the vectorized real float math kernels: the library is built for
// any x86-64 (or other) CPU, and the AVX2 or AVX-512 kernels replace the scalar ones only
// where the running CPU has those instructions.
#include <string>

#if defined(TESSERA_X86_VECTOR_MATH)
#include <cpuid.h>
#endif

#include "tessera/core/error.hpp"
#include "tessera/kernels/registry.hpp"
#include "vector_math.hpp"

namespace tessera::kernels {

CpuVectorMath cpu_vector_math_support() {
#if defined(TESSERA_X86_VECTOR_MATH)
  // GCC's checks include the operating system's support (XCR0) for the vector registers.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return CpuVectorMath::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CpuVectorMath::avx2_fma;
#endif
  return CpuVectorMath::none;
}

bool cpu_has_f16c() {
#if defined(TESSERA_X86_VECTOR_MATH)
  // GCC 12's __builtin_cpu_supports does not know F16C: CPUID says (leaf 1, ECX bit 29).
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
#else
  return false;
#endif
}

std::string_view name(CpuVectorMath level) {
  switch (level) {
    case CpuVectorMath::none: return "none";
    case CpuVectorMath::avx2_fma: return "avx2_fma";
    case CpuVectorMath::avx512: return "avx512";
  }
  return "unknown";
}

namespace {

DType dtype_of_lane(vector_math::Lane lane) {
  switch (lane) {
    case vector_math::Lane::float64: return DType::float64;
    case vector_math::Lane::float32: return DType::float32;
    case vector_math::Lane::float16: return DType::float16;
    case vector_math::Lane::bfloat16: return DType::bfloat16;
  }
  return DType::float64;
}

}  // namespace

void register_cpu_vector_math(KernelRegistry& registry, CpuVectorMath level) {
  TESSERA_EXPECTS(level <= cpu_vector_math_support(),
                  "vector math level " + std::string(name(level)) + " is not supported by this CPU (best: " +
                      std::string(name(cpu_vector_math_support())) + ")");
  vector_math::Table table;
  switch (level) {
    case CpuVectorMath::none: return;
#if defined(TESSERA_X86_VECTOR_MATH)
    case CpuVectorMath::avx2_fma: table = vector_math::avx2_fma_kernels(); break;
    case CpuVectorMath::avx512: table = vector_math::avx512_kernels(); break;
#else
    default: return;
#endif
  }
  const bool f16c = cpu_has_f16c();
  for (std::size_t i = 0; i < table.count; ++i) {
    const vector_math::Kernel& v = table.kernels[i];
    if (v.lane == vector_math::Lane::float16 && !f16c) continue;  // the scalar float16 kernels stay
    ElementwiseKernel kernel;
    kernel.arity = v.arity;
    const DType dtype = dtype_of_lane(v.lane);
    for (std::size_t k = 0; k < v.arity; ++k) kernel.inputs[k] = dtype;
    kernel.output = dtype;
    kernel.fn = v.fn;
    registry.add_elementwise(v.op, DeviceKind::cpu, kernel);
  }
}

}  // namespace tessera::kernels
