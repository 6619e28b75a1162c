// The kernel registry: every numeric kernel tessera runs, keyed by (operation, dtype
// signature, device kind). The array layer looks kernels up here when it lowers an
// expression to tasks; backends add theirs through explicit register_* functions (see
// the end of this header), never through static initialisers.
//
// Kernels are pure functions over contiguous runs of elements: no allocation, no
// threads, no ownership. The fused evaluator (fused.hpp) strings them together over
// cache-sized tiles.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/buffer.hpp"
#include "tessera/core/dtype.hpp"
#include "tessera/kernels/ops/generators.hpp"

namespace tessera::kernels {

/// Applies an elementwise operation to `n` elements. `inputs[i]` points at n elements of
/// the kernel's i-th input dtype, `output` at n elements of its output dtype. The output
/// may alias an input of the same dtype; nothing else may overlap.
using ElementwiseFn = void (*)(const void* const* inputs, void* output, std::size_t n);

inline constexpr std::size_t kMaxElementwiseArity = 3;

/// One elementwise kernel and its dtype signature.
struct ElementwiseKernel {
  std::array<DType, kMaxElementwiseArity> inputs{};
  std::size_t arity = 0;
  DType output = DType::float64;
  ElementwiseFn fn = nullptr;
};

/// A reduction in the three stages a blocked algorithm needs: one task folds the
/// elements of its chunk into accumulator slots ("states"), a tree of tasks merges the
/// states of several chunks, and the last step turns states into results.
///
/// A state is `state_size` opaque bytes whose layout only the kernel knows (a sum keeps a
/// double, argmin a value and an index, var a count, mean and M2). The element indices
/// passed to the fold functions are what argmin/argmax report; the others ignore them.
/// A result must not depend on the order the elements are folded in, beyond rounding
/// (argmin keeps the smallest index of equal values by comparing indices): evaluators
/// walk the elements in whatever order reads memory best.
struct ReductionKernel {
  DType input = DType::float64;
  DType output = DType::float64;
  std::size_t state_size = 0;
  /// Sets `n` consecutive states to the identity (empty) state.
  void (*init)(void* states, std::size_t n) = nullptr;
  /// Folds a run of `n` input elements, all reduced into the ONE state `state`. Element i
  /// has index `first_index + i * index_step`.
  void (*fold_run)(void* state, const void* run, std::size_t n, std::int64_t first_index,
                   std::int64_t index_step) = nullptr;
  /// Folds `n` input elements into `n` states: element i into state i. Every element has
  /// index `index` (the reduced axis is not the run's axis).
  void (*fold_each)(void* states, const void* run, std::size_t n, std::int64_t index) = nullptr;
  /// Folds a block of `rows` × `cols` elements (C order) into `cols` states: element
  /// (r, c) into state c, with index `first_index + r * index_step`. The same as one
  /// fold_each per row, but a kernel may fold a column's elements together (var runs
  /// its two passes over each column, not one Welford update per element).
  void (*fold_rows)(void* states, const void* block, std::size_t rows, std::size_t cols, std::int64_t first_index,
                    std::int64_t index_step) = nullptr;
  /// Merges `n` states from `other` into `states`, slot by slot. `other` holds elements
  /// that come after those of `states` (argmin keeps the first of equal values).
  void (*merge)(void* states, const void* other, std::size_t n) = nullptr;
  /// Writes the `n` results of `n` states. `correction` is the degrees-of-freedom
  /// correction of var and std (ignored by the others).
  void (*finalize)(const void* states, void* out, std::size_t n, double correction) = nullptr;
};

/// Parameters of a generator (defined with the generators, kernels/ops/generators.hpp).
using GeneratorParams = ops::GeneratorParams;

/// Writes `n` elements: element j is the generator's value at global flat index
/// `first_index + j * index_step`. Values depend only on the parameters and the global
/// index, never on how an array is chunked or on which device it is made.
using GeneratorFn = void (*)(const GeneratorParams& params, void* out, std::size_t n, std::int64_t first_index,
                             std::int64_t index_step);

class KernelRegistry {
 public:
  KernelRegistry();
  ~KernelRegistry();
  KernelRegistry(const KernelRegistry&) = delete;
  KernelRegistry& operator=(const KernelRegistry&) = delete;

  /// The process-wide registry with every built backend's kernels, registered on first use.
  static const KernelRegistry& instance();

  void add_elementwise(std::string_view op, DeviceKind device, const ElementwiseKernel& kernel);
  /// The kernel of `op` for exactly these input dtypes, or null.
  const ElementwiseKernel* find_elementwise(std::string_view op, std::span<const DType> inputs,
                                            DeviceKind device) const;
  /// Every (op, signature) registered for `device`, for tests and documentation.
  std::vector<std::pair<std::string, ElementwiseKernel>> elementwise_kernels(DeviceKind device) const;

  /// Casts are elementwise kernels of one input, registered under op "astype" and found
  /// by both dtypes.
  void add_cast(DeviceKind device, DType from, DType to, ElementwiseFn fn);
  const ElementwiseKernel* find_cast(DType from, DType to, DeviceKind device) const;

  void add_reduction(std::string_view op, DeviceKind device, const ReductionKernel& kernel);
  /// The reduction `op` ("sum", "prod", "min", "max", "any", "all", "mean", "var",
  /// "argmin", "argmax") of input dtype `input`, or null.
  const ReductionKernel* find_reduction(std::string_view op, DType input, DeviceKind device) const;

  void add_generator(std::string_view op, DeviceKind device, DType output, GeneratorFn fn);
  /// The generator `op` ("full", "arange", "linspace", "eye", "uniform", "normal",
  /// "integers") writing dtype `output`, or null.
  GeneratorFn find_generator(std::string_view op, DType output, DeviceKind device) const;

 private:
  struct Tables;
  std::unique_ptr<Tables> tables_;
};

/// The instruction sets the CPU real float math kernels (exp, log, sin, pow, ...) have
/// vectorized versions for, in increasing order. `none` is the scalar (libm) code.
enum class CpuVectorMath : std::uint8_t { none, avx2_fma, avx512 };
/// The best level the running CPU and operating system support (`none` on builds without
/// the x86 vector kernels).
CpuVectorMath cpu_vector_math_support();
std::string_view name(CpuVectorMath level);
/// Whether the CPU converts float16 (F16C), which the vectorized float16 math kernels use.
bool cpu_has_f16c();
/// Registers the float64/float32/bfloat16 math kernels of `level` over those already
/// there, and the float16 ones where the CPU has F16C; a ValueError for a level the CPU
/// does not support. register_cpu_elementwise calls it; tests call it to compare the levels.
void register_cpu_vector_math(KernelRegistry& registry, CpuVectorMath level);

// Registration entry points, one per kernel family and backend; KernelRegistry::instance()
// calls them once.
/// Every CPU elementwise kernel, with the math kernels of `vector_math`.
void register_cpu_elementwise(KernelRegistry& registry, CpuVectorMath vector_math = cpu_vector_math_support());
void register_cpu_casts(KernelRegistry& registry);
void register_cpu_reductions(KernelRegistry& registry);
void register_cpu_generators(KernelRegistry& registry);

}  // namespace tessera::kernels
