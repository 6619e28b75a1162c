// Task runners of the array layer: what a worker runs for one block. Those with device
// code (fused elementwise, reductions' first level, matmul, sorts, unique, searchsorted,
// selections, take, setitem) prefer a GPU worker in builds with CUDA; the rest run on the
// host, and their workers copy device inputs there.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tessera/core/chunk.hpp"
#include "tessera/core/task.hpp"
#include "tessera/kernels/fused.hpp"

namespace tessera::array_detail {

/// The placement of a runner that runs anywhere and would rather run on a GPU, when it
/// has device code and the build has CUDA; otherwise the host's.
Placement gpu_preferred_if(bool has_device_code);

/// The context when it is a GPU's and this build has device code (runners then use it),
/// else null. Calls into gpu:: stay under `if constexpr (gpu::kBuilt)`: builds without
/// CUDA do not define them.
const ExecutionContext* gpu_context(const ExecutionContext& context) noexcept;

/// The pointers to the elements of each input chunk, in dependency order.
std::vector<const void*> chunk_data(std::span<const Value> inputs);

/// Evaluates a fused program into a new chunk.
class FusedRunner final : public TaskRunner {
 public:
  FusedRunner(kernels::FusedProgram program, Shape shape) : program_(std::move(program)), shape_(std::move(shape)) {}
  Value run(std::span<const Value> inputs) const override;
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override;
  Placement placement() const override;

 private:
  kernels::FusedProgram program_;
  Shape shape_;
};

/// Folds a fused program's values over one block into reduction states, stored as a
/// uint8 chunk of shape (state shape..., state_size).
class ReducePartialRunner final : public TaskRunner {
 public:
  /// `op` is the reduction's registry name ("sum", "argmax").
  ReducePartialRunner(kernels::FusedProgram program, Shape shape, std::string op,
                      const kernels::ReductionKernel* kernel, std::vector<bool> reduced, std::int64_t index_offset,
                      Strides index_strides);
  Value run(std::span<const Value> inputs) const override;
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override;
  Placement placement() const override;

 private:
  Value fold(std::span<const Value> inputs, const ExecutionContext* gpu) const;

  kernels::FusedProgram program_;
  Shape shape_;
  std::string op_;
  const kernels::ReductionKernel* kernel_;
  std::vector<bool> reduced_;
  std::int64_t index_offset_;
  Strides index_strides_;
};

/// Merges state chunks in order; with `finalize`, turns the merged states into the
/// result chunk of `out_shape`.
class ReduceCombineRunner final : public TaskRunner {
 public:
  ReduceCombineRunner(const kernels::ReductionKernel* kernel, bool finalize, double correction, Shape out_shape)
      : kernel_(kernel), finalize_(finalize), correction_(correction), out_shape_(std::move(out_shape)) {}
  Value run(std::span<const Value> inputs) const override;

 private:
  const kernels::ReductionKernel* kernel_;
  bool finalize_;
  double correction_;
  Shape out_shape_;
};

/// One output block of a blocked product: for every batch element e of the block,
/// C_e = Σ_p A_p,e · B_p,e over the contracted block pairs p (m × k[p] times k[p] × n).
class MatmulRunner final : public TaskRunner {
 public:
  struct Operand {
    bool transposed = false;  // the chunk holds the block's matrices transposed (x.T read without a copy)
    int input = 0;            // which of the task's inputs holds the chunk
  };
  /// `shape` is the output block's (batch axes first); a_batch and b_batch step through
  /// the operands' matrices along the batch axes (0 where an operand broadcasts). The
  /// output is of `out_dtype`: the operands' `dtype`, or the wider accumulator that
  /// kernels::matmul_block allows.
  MatmulRunner(DType dtype, DType out_dtype, Shape shape, std::int64_t m, std::int64_t n, std::vector<std::int64_t> k,
               std::vector<Operand> a, std::vector<Operand> b, Strides a_batch, Strides b_batch)
      : dtype_(dtype),
        out_dtype_(out_dtype),
        shape_(std::move(shape)),
        m_(m),
        n_(n),
        k_(std::move(k)),
        a_(std::move(a)),
        b_(std::move(b)),
        a_batch_(std::move(a_batch)),
        b_batch_(std::move(b_batch)) {}
  /// Inputs: the distinct chunks the operands name (x @ x reads one chunk twice).
  Value run(std::span<const Value> inputs) const override;
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override;
  Placement placement() const override;

 private:
  Value multiply(std::span<const Value> inputs, const ExecutionContext* gpu) const;

  DType dtype_, out_dtype_;
  Shape shape_;
  std::int64_t m_, n_;
  std::vector<std::int64_t> k_;
  std::vector<Operand> a_, b_;
  Strides a_batch_, b_batch_;
};

/// Throws ValueError unless the chunk a user's function returned has `dtype`, `shape` and
/// the bytes they need; `op` names the operation in the message.
void check_block_result(const std::string& op, const Chunk& out, DType dtype, const Shape& shape);

/// A user's function over one chunk.
class MapBlocksRunner final : public TaskRunner {
 public:
  MapBlocksRunner(std::function<Chunk(const Chunk&)> fn, DType dtype, Shape shape)
      : fn_(std::move(fn)), dtype_(dtype), shape_(std::move(shape)) {}
  Value run(std::span<const Value> inputs) const override;

 private:
  std::function<Chunk(const Chunk&)> fn_;
  DType dtype_;
  Shape shape_;
};

}  // namespace tessera::array_detail
