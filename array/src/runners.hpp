// Task runners of the array layer: what a worker runs for one block.
#pragma once

#include <functional>
#include <vector>

#include "tessera/core/chunk.hpp"
#include "tessera/core/task.hpp"
#include "tessera/kernels/fused.hpp"

namespace tessera::array_detail {

/// The pointers to the elements of each input chunk, in dependency order.
std::vector<const void*> chunk_data(std::span<const Value> inputs);

/// Evaluates a fused program into a new chunk.
class FusedRunner final : public TaskRunner {
 public:
  FusedRunner(kernels::FusedProgram program, Shape shape) : program_(std::move(program)), shape_(std::move(shape)) {}
  Value run(std::span<const Value> inputs) const override;

 private:
  kernels::FusedProgram program_;
  Shape shape_;
};

/// Folds a fused program's values over one block into reduction states, stored as a
/// uint8 chunk of shape (state shape..., state_size).
class ReducePartialRunner final : public TaskRunner {
 public:
  ReducePartialRunner(kernels::FusedProgram program, Shape shape, const kernels::ReductionKernel* kernel,
                      std::vector<bool> reduced, std::int64_t index_offset, Strides index_strides);
  Value run(std::span<const Value> inputs) const override;

 private:
  kernels::FusedProgram program_;
  Shape shape_;
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

/// One output block of a blocked matmul: C = Σ_p A_p · B_p over the input pairs.
class MatmulRunner final : public TaskRunner {
 public:
  struct Operand {
    bool transposed = false;  // the chunk holds the block's transpose (x.T read without a copy)
    int input = 0;            // which of the task's inputs holds the chunk
  };
  MatmulRunner(DType dtype, std::int64_t m, std::int64_t n, std::vector<std::int64_t> k, std::vector<Operand> a,
               std::vector<Operand> b)
      : dtype_(dtype), m_(m), n_(n), k_(std::move(k)), a_(std::move(a)), b_(std::move(b)) {}
  /// Inputs: the distinct chunks the operands name (x @ x reads one chunk twice).
  Value run(std::span<const Value> inputs) const override;

 private:
  DType dtype_;
  std::int64_t m_, n_;
  std::vector<std::int64_t> k_;
  std::vector<Operand> a_, b_;
};

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
