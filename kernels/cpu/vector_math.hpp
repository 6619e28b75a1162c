// Private to the CPU kernels: the tables of vectorized real float math kernels, one per
// x86 instruction set. Each table lives in its own translation unit compiled with that
// set's flags (vector_math_avx2.cpp, vector_math_avx512.cpp); elementwise_vector_math.cpp
// picks the table the running CPU supports and registers its kernels over the scalar ones.
//
// This header is kept free of anything that could instantiate a shared inline function
// (no standard containers, no registry types): an inline function emitted by an AVX-512
// translation unit could be the copy the linker keeps for the whole program, and would
// then fault on a CPU without AVX-512.
#pragma once

#include <cstddef>

namespace tessera::kernels::vector_math {

/// The element type of a kernel's lanes (tessera::DType's, without its header).
enum class Lane : unsigned char { float64, float32, float16, bfloat16 };

/// One kernel: `op` (the array API name) over `lane`'s type, all `arity` inputs and the
/// output of that dtype. `fn` has ElementwiseFn's signature.
struct Kernel {
  const char* op = nullptr;
  Lane lane = Lane::float64;
  std::size_t arity = 0;
  void (*fn)(const void* const* inputs, void* output, std::size_t n) = nullptr;
};

struct Table {
  const Kernel* kernels = nullptr;
  std::size_t count = 0;
};

/// SLEEF's AVX2 + FMA functions (4 doubles or 8 floats per vector).
Table avx2_fma_kernels();
/// SLEEF's AVX-512F functions (8 doubles or 16 floats per vector).
Table avx512_kernels();

}  // namespace tessera::kernels::vector_math
