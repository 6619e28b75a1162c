// Fused programs as CUDA kernels: the CUDA C++ source of one kernel that evaluates a
// whole FusedProgram (fused.hpp) over an output chunk, one thread per element, with the
// scalar operations of kernels/ops/ that the CPU kernels use, so that both backends
// compute the same values. NVRTC compiles it at run time (nvrtc_compiler.hpp): a kernel
// per expression, instead of instantiating every operation × dtype ahead of time.
//
// The source depends only on the program's structure (register dtypes, operations, the
// number of patches of each leaf, generators, the number of axes), so one compiled
// kernel serves every chunk and every task of that shape of expression. Everything else
// (the chunk's shape, patch boxes and strides, constants, generator parameters, the
// device pointers) travels in the kernel's by-value argument, an array of 64-bit words
// that fused_kernel_arguments fills (passed by value, or through device memory when
// there are too many).
//
// Plain C++: generating the source needs no GPU and no CUDA library, so it is tested
// everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/kernels/fused.hpp"

namespace tessera::kernels::cuda {

struct FusedKernelSource {
  /// The kernel's entry point (extern "C"), unique per source text.
  std::string name;
  /// CUDA C++ for NVRTC; includes the tessera/kernels/ops headers.
  std::string source;
  /// Words (int64) in the kernel's argument.
  std::size_t argument_words = 0;
  /// Whether the words are the kernel's by-value parameter (a struct of them), or, when
  /// they exceed kMaxParameterBytes, in device memory the kernel's one pointer
  /// parameter points to.
  bool argument_in_parameter = true;
};

/// The largest by-value kernel argument the generated kernels use (CUDA allows 32764
/// bytes of parameters from Volta on).
inline constexpr std::size_t kMaxParameterBytes = 32000;

/// The threads per block the generated kernels are written for (__launch_bounds__).
inline constexpr int kFusedBlockThreads = 256;

/// The C++ type of `dtype` in generated sources ("double", "port::int32_t",
/// "port::complex<float>", ...), which open `using namespace tessera::kernels::ops`.
std::string_view device_type_name(DType dtype);

/// The struct of kernels/ops/reductions.hpp of a reduction's registry name ("sum":
/// "Sum", "argmin": "ArgMin"); tessera::ValueError for a name without one.
std::string_view device_reduction_struct(std::string_view op);

/// Whether fused_reduction_source has device code for reduction `op` over `input`.
bool has_device_reduction(std::string_view op, DType input) noexcept;

/// The kernel evaluating `program` over output chunks of `ndim` axes, writing the
/// result's elements in C order. Throws tessera::ValueError for a program this backend
/// has no code for (an operation unknown to kernels/ops, an empty program).
FusedKernelSource fused_kernel_source(const FusedProgram& program, int ndim);

/// The by-value argument of one launch of fused_kernel_source(program, shape.size()):
/// the chunk's shape, `out` (device memory for the result) and `sources[i]` (device
/// memory of source chunk i) with the program's patches, constants and generator
/// parameters.
std::vector<std::int64_t> fused_kernel_arguments(const FusedProgram& program, std::span<const void* const> sources,
                                                 std::span<const std::int64_t> shape, void* out);

/// Whether fused_scan_source has device code for the scan combining with `op` ("add" for
/// cumulative sums, "multiply" for products) in `dtype`.
bool has_device_scan(std::string_view op, DType dtype) noexcept;

/// The kernel writing the inclusive scan of `program`'s values along `axis` of output
/// chunks of `ndim` axes, combined with elementwise operation `op`; its argument is
/// fused_kernel_arguments'. With `block_per_line`, each block scans one line along the
/// axis (cub::BlockScan over tiles; for lines along a contiguous last axis, so the
/// chunk's extents after `axis` must all be 1); otherwise each thread scans one line in
/// order, as the CPU does. Throws tessera::ValueError as fused_kernel_source does, and
/// for an axis out of range or an operation without device code.
FusedKernelSource fused_scan_source(const FusedProgram& program, int ndim, int axis, std::string_view op,
                                    bool block_per_line);

/// The kernel folding `program`'s values into reduction states, as reduce_fused does on
/// the CPU: axis d of the chunk is reduced where `reduced[d]`; `op` is the registry name
/// of the reduction ("sum", "argmin", ...) and `kernel` its CPU kernel, whose state layout
/// the device's states share (kernels/ops/reductions.hpp). Each block folds a share
/// ("split") of one state's elements into a partial state; the host merges the partials
/// of each state with the CPU kernel's merge. Throws tessera::ValueError where there is no
/// device code (complex inputs, whose states differ in layout between the libraries).
FusedKernelSource fused_reduction_source(const FusedProgram& program, const std::vector<bool>& reduced,
                                         std::string_view op, const ReductionKernel& kernel);

/// The argument of one launch of fused_reduction_source: the program's words, then the
/// number of states and of elements each folds, `splits` blocks per state, `partials`
/// (device memory for states × splits partial states, in that order) and the target's
/// reduction index offset and strides.
std::vector<std::int64_t> fused_reduction_arguments(const FusedProgram& program, std::span<const void* const> sources,
                                                    std::span<const std::int64_t> shape, const ReductionTarget& target,
                                                    std::int64_t splits, void* partials);

}  // namespace tessera::kernels::cuda
