#include "runners.hpp"

#include <cstring>

#include "node.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/matmul.hpp"

#include "gpu_runners.hpp"

namespace tessera::array_detail {

const ExecutionContext* gpu_context(const ExecutionContext& context) noexcept {
  return gpu::kBuilt && context.device.kind() == DeviceKind::cuda ? &context : nullptr;
}

Placement gpu_preferred_if(bool has_device_code) {
  if (!gpu::kBuilt || !has_device_code) return Placement{};
  return Placement{static_cast<DeviceKindMask>(mask_of(DeviceKind::cpu) | mask_of(DeviceKind::cuda)), DeviceKind::cuda};
}

std::vector<const void*> chunk_data(std::span<const Value> inputs) {
  std::vector<const void*> data;
  data.reserve(inputs.size());
  for (const Value& v : inputs) data.push_back(v.get<Chunk>().buffer.data());
  return data;
}

Value FusedRunner::run(std::span<const Value> inputs) const {
  const auto sources = chunk_data(inputs);
  Chunk out = Chunk::allocate(program_.result_dtype(), shape_);
  kernels::evaluate_fused(program_, sources, shape_, out.buffer.data());
  return Value::make(std::move(out));
}

Value FusedRunner::run_on(std::span<const Value> inputs, const ExecutionContext& context) const {
  if constexpr (gpu::kBuilt) {
    if (gpu_context(context) != nullptr) return gpu::evaluate_fused(program_, shape_, inputs, context);
  }
  return run(inputs);
}

Placement FusedRunner::placement() const {
  return gpu_preferred_if(true);
}

namespace {

Shape states_shape(const Shape& shape, const std::vector<bool>& reduced, std::size_t state_size) {
  Shape s = shape;
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (reduced[d]) s[d] = 1;
  }
  s.push_back(static_cast<std::int64_t>(state_size));
  return s;
}

}  // namespace

ReducePartialRunner::ReducePartialRunner(kernels::FusedProgram program, Shape shape, std::string op,
                                         const kernels::ReductionKernel* kernel, std::vector<bool> reduced,
                                         std::int64_t index_offset, Strides index_strides)
    : program_(std::move(program)),
      shape_(std::move(shape)),
      op_(std::move(op)),
      kernel_(kernel),
      reduced_(std::move(reduced)),
      index_offset_(index_offset),
      index_strides_(std::move(index_strides)) {}

Value ReducePartialRunner::run(std::span<const Value> inputs) const {
  return fold(inputs, nullptr);
}

Value ReducePartialRunner::run_on(std::span<const Value> inputs, const ExecutionContext& context) const {
  return fold(inputs, gpu_context(context));
}

Placement ReducePartialRunner::placement() const {
  return gpu_preferred_if(gpu::has_reduction(op_, kernel_->input));
}

// The states are in host memory wherever the block is: the device folds into partial
// states and merges them into these (kernels/cuda/fused_launch.hpp), and the combining
// levels run on the host.
Value ReducePartialRunner::fold(std::span<const Value> inputs, const ExecutionContext* gpu) const {
  Chunk states = Chunk::allocate(DType::uint8, states_shape(shape_, reduced_, kernel_->state_size));
  const auto n = static_cast<std::size_t>(states.size()) / kernel_->state_size;
  kernel_->init(states.buffer.data(), n);
  kernels::ReductionTarget target;
  target.kernel = kernel_;
  target.reduced = reduced_;
  target.states = states.buffer.data();
  target.index_offset = index_offset_;
  target.index_strides = index_strides_;
  if constexpr (gpu::kBuilt) {
    if (gpu != nullptr) {
      gpu::reduce_fused(program_, shape_, op_, target, inputs, *gpu);
      return Value::make(std::move(states));
    }
  }
  kernels::reduce_fused(program_, chunk_data(inputs), shape_, target);
  return Value::make(std::move(states));
}

Value ReduceCombineRunner::run(std::span<const Value> inputs) const {
  TESSERA_ASSERT(!inputs.empty(), "a combine task without inputs");
  const Chunk& first = inputs[0].get<Chunk>();
  const std::size_t n = first.nbytes() / kernel_->state_size;
  Chunk merged;
  const std::byte* states = first.buffer.data();
  if (inputs.size() > 1) {
    merged = Chunk::allocate(DType::uint8, first.shape);
    std::memcpy(merged.buffer.data(), first.buffer.data(), first.nbytes());
    for (std::size_t i = 1; i < inputs.size(); ++i) {
      const Chunk& other = inputs[i].get<Chunk>();
      TESSERA_ASSERT(other.nbytes() == first.nbytes(), "partial results of different shapes");
      kernel_->merge(merged.buffer.data(), other.buffer.data(), n);
    }
    states = merged.buffer.data();
  }
  if (!finalize_) {
    if (inputs.size() == 1) return inputs[0];
    return Value::make(std::move(merged));
  }
  Chunk out = Chunk::allocate(kernel_->output, out_shape_);
  TESSERA_ASSERT(static_cast<std::size_t>(out.size()) == n, "result shape does not match the states");
  kernel_->finalize(states, out.buffer.data(), n, correction_);
  return Value::make(std::move(out));
}

Value MatmulRunner::run(std::span<const Value> inputs) const {
  return multiply(inputs, nullptr);
}

Value MatmulRunner::run_on(std::span<const Value> inputs, const ExecutionContext& context) const {
  return multiply(inputs, gpu_context(context));
}

Placement MatmulRunner::placement() const {
  return gpu_preferred_if(gpu::has_matmul(dtype_));
}

Value MatmulRunner::multiply(std::span<const Value> inputs, const ExecutionContext* gpu) const {
  // One loop for both devices: only the block product and the clearing differ.
  auto product = [&](const std::byte* a, bool ta, const std::byte* b, bool tb, std::byte* c, std::int64_t k,
                     bool accumulate) {
    if constexpr (gpu::kBuilt) {
      if (gpu != nullptr) return gpu::matmul_block(dtype_, a, ta, b, tb, c, m_, n_, k, accumulate, out_dtype_, *gpu);
    }
    kernels::matmul_block(dtype_, a, ta, b, tb, c, m_, n_, k, accumulate, out_dtype_);
  };
  Chunk out =
      gpu != nullptr ? Chunk::allocate_on(gpu->device, out_dtype_, shape_) : Chunk::allocate(out_dtype_, shape_);
  if (k_.empty()) {
    if constexpr (gpu::kBuilt) {
      if (gpu != nullptr) {
        gpu::fill_zero(out.buffer, out.nbytes(), *gpu);
        return Value::make(std::move(out));
      }
    }
    std::memset(out.buffer.data(), 0, out.nbytes());
    return Value::make(std::move(out));
  }
  const std::size_t item = itemsize(dtype_), out_item = itemsize(out_dtype_);
  const Shape batch(shape_.begin(), shape_.begin() + static_cast<std::ptrdiff_t>(a_batch_.size()));
  std::byte* c = out.buffer.data();
  for_each_index(Shape(batch.size(), 0), batch, [&](const std::vector<std::int64_t>& e) {
    std::int64_t ea = 0, eb = 0;
    for (std::size_t d = 0; d < e.size(); ++d) {
      ea += e[d] * a_batch_[d];
      eb += e[d] * b_batch_[d];
    }
    for (std::size_t p = 0; p < k_.size(); ++p) {
      const std::byte* a = inputs[static_cast<std::size_t>(a_[p].input)].get<Chunk>().buffer.data();
      const std::byte* b = inputs[static_cast<std::size_t>(b_[p].input)].get<Chunk>().buffer.data();
      product(a + static_cast<std::size_t>(ea * m_ * k_[p]) * item, a_[p].transposed,
              b + static_cast<std::size_t>(eb * k_[p] * n_) * item, b_[p].transposed, c, k_[p], p > 0);
    }
    c += static_cast<std::size_t>(m_ * n_) * out_item;
  });
  return Value::make(std::move(out));
}

void check_block_result(const std::string& op, const Chunk& out, DType dtype, const Shape& shape) {
  if (out.dtype != dtype || out.shape != shape) {
    throw ValueError(op + ": the function returned a chunk of " + to_string(out.dtype) + " " +
                     shape_to_string(out.shape) + ", expected " + to_string(dtype) + " " + shape_to_string(shape));
  }
  if (out.buffer.nbytes() < out.nbytes()) {
    throw ValueError(op + ": the returned chunk's buffer holds " + std::to_string(out.buffer.nbytes()) +
                     " bytes, its shape needs " + std::to_string(out.nbytes()));
  }
}

Value MapBlocksRunner::run(std::span<const Value> inputs) const {
  // The input may be a chunk of another shape read as this block (a reshape or squeeze
  // of it): the function sees the block's shape.
  Chunk in = inputs[0].get<Chunk>();
  in.shape = shape_;
  Chunk out = fn_(in);
  check_block_result("map_blocks", out, dtype_, shape_);
  return Value::make(std::move(out));
}

}  // namespace tessera::array_detail
