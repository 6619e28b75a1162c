// Running a fused program on a GPU: the generated kernel (fused_source.hpp), compiled by
// NVRTC (nvrtc_compiler.hpp) for the current device's architecture, loaded once per
// process and launched on a stream.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <span>

#include "tessera/kernels/fused.hpp"

namespace tessera::kernels::cuda {

/// Evaluates `program` over an output chunk of `shape` on the current CUDA device and
/// `stream`, as evaluate_fused does on the CPU: `sources[i]` and `out` are device memory.
/// Returns when the chunk is written. Throws tessera::ValueError for bad input the
/// kernel met (an integer to a negative power) and tessera::Error for CUDA failures.
/// The error flag lives in the loaded kernel: concurrent launches of one kernel on
/// several streams share it, so a caller running them concurrently must serialize them
/// or tolerate a failure reported by both.
void evaluate_fused_on_device(const FusedProgram& program, std::span<const void* const> sources,
                              std::span<const std::int64_t> shape, void* out, cudaStream_t stream);

}  // namespace tessera::kernels::cuda
