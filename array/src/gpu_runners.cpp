#include "gpu_runners.hpp"

#include <cuda_runtime_api.h>

#include <string>
#include <vector>

#include "runners.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/cuda/fused_launch.hpp"
#include "tessera/kernels/cuda/fused_source.hpp"
#include "tessera/kernels/cuda/matmul.hpp"

namespace tessera::array_detail::gpu {
namespace {

cudaStream_t stream_of(const ExecutionContext& context) {
  return static_cast<cudaStream_t>(context.device.stream(context.lane));
}

}  // namespace

Value evaluate_fused(const kernels::FusedProgram& program, const Shape& shape, std::span<const Value> inputs,
                     const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, program.result_dtype(), shape);
  if (out.size() > 0) {
    const auto sources = chunk_data(inputs);
    kernels::cuda::evaluate_fused_on_device(program, sources, shape, out.buffer.data(), stream_of(context));
  }
  return Value::make(std::move(out));
}

void reduce_fused(const kernels::FusedProgram& program, const Shape& shape, std::string_view op,
                  const kernels::ReductionTarget& target, std::span<const Value> inputs,
                  const ExecutionContext& context) {
  if (shape_size(shape) == 0) return;  // the states stay the identity
  const auto sources = chunk_data(inputs);
  kernels::cuda::reduce_fused_on_device(program, sources, shape, op, target, stream_of(context));
}

Value scan_fused(const kernels::FusedProgram& program, const Shape& shape, int axis, std::string_view op,
                 std::span<const Value> inputs, const ExecutionContext& context) {
  Chunk out = Chunk::allocate_on(context.device, program.result_dtype(), shape);
  if (out.size() > 0) {
    const auto sources = chunk_data(inputs);
    kernels::cuda::scan_fused_on_device(program, sources, shape, axis, op, out.buffer.data(), stream_of(context));
  }
  return Value::make(std::move(out));
}

bool has_reduction(std::string_view op, DType input) noexcept {
  return kernels::cuda::has_device_reduction(op, input);
}

bool has_matmul(DType dtype) noexcept {
  return kernels::cuda::has_device_matmul(dtype);
}

bool has_scan(std::string_view op, DType dtype) noexcept {
  return kernels::cuda::has_device_scan(op, dtype);
}

void matmul_block(DType dtype, const void* a, bool transpose_a, const void* b, bool transpose_b, void* c,
                  std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate, const ExecutionContext& context) {
  kernels::cuda::matmul_block_on_device(dtype, a, transpose_a, b, transpose_b, c, m, n, k, accumulate,
                                        stream_of(context));
}

void fill_zero(Buffer& buffer, std::size_t nbytes, const ExecutionContext& context) {
  if (nbytes == 0) return;
  const cudaError_t status = cudaMemsetAsync(buffer.data(), 0, nbytes, stream_of(context));
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw Error(context.device.name() + ": clearing a block failed: " + cudaGetErrorString(status));
  }
}

}  // namespace tessera::array_detail::gpu
