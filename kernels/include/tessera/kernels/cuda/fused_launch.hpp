// Running a fused program on a GPU: the generated kernel (fused_source.hpp), compiled by
// NVRTC (nvrtc_compiler.hpp) for the current device's architecture, loaded once per
// process and launched on a stream.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "tessera/kernels/fused.hpp"

namespace tessera::kernels::cuda {

/// Evaluates `program` over an output chunk of `shape` on the current CUDA device and
/// `stream`, as evaluate_fused does on the CPU: `sources[i]` and `out` are device memory.
/// Returns when the chunk is written. Throws tessera::ValueError for bad input the
/// kernel met (an integer to a negative power) and tessera::Error for CUDA failures.
/// Safe to call from several threads at once, on one device or several: each thread
/// loads the kernels it launches for itself, with an error flag of its own.
void evaluate_fused_on_device(const FusedProgram& program, std::span<const void* const> sources,
                              std::span<const std::int64_t> shape, void* out, cudaStream_t stream);

/// Writes the inclusive scan along `axis` of `program`'s values over an output chunk of
/// `shape` into `out` (device memory), combining with elementwise operation `op` ("add",
/// "multiply"), as the CPU's scan does block by block. Throws as
/// evaluate_fused_on_device does, and tessera::ValueError for an axis out of range or an
/// operation without device code.
void scan_fused_on_device(const FusedProgram& program, std::span<const void* const> sources,
                          std::span<const std::int64_t> shape, int axis, std::string_view op, void* out,
                          cudaStream_t stream);

/// Folds `program`'s values over an output chunk of `shape` (sources in device memory)
/// into `target`'s states, which are in host memory, as reduce_fused does on the CPU: the
/// device folds each state's elements into partial states of the CPU kernel's layout, and
/// the host merges them into the target with `target.kernel->merge`. `op` is the
/// reduction's registry name. Throws as evaluate_fused_on_device does, and
/// tessera::ValueError for a reduction without device code (complex inputs).
///
/// The partial states live in `workspace` (device memory of reduction_workspace_bytes,
/// from the caller's pool, so that they count against its limit); without one they come
/// from the current device's default pool.
void reduce_fused_on_device(const FusedProgram& program, std::span<const void* const> sources,
                            std::span<const std::int64_t> shape, std::string_view op, const ReductionTarget& target,
                            cudaStream_t stream, void* workspace = nullptr, std::size_t workspace_bytes = 0);

/// Bytes of device workspace reduce_fused_on_device uses for a chunk of `shape` and
/// `target` on the current device.
std::size_t reduction_workspace_bytes(std::span<const std::int64_t> shape, const ReductionTarget& target);

}  // namespace tessera::kernels::cuda
