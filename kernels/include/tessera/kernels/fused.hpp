// Fused programs: a whole chain of elementwise operations over one output chunk,
// evaluated in cache-sized tiles so that no intermediate ever takes a chunk's worth of
// memory. The array layer compiles an expression into a FusedProgram; a task runs it
// with `evaluate_fused` (writing a chunk) or `reduce_fused` (folding the values into
// reduction states, so `(x * y).sum()` never materializes `x * y`).
//
// Leaves read their elements through Patches: boxes of the output chunk mapped by
// arbitrary (even zero or negative) strides onto a source chunk. One mechanism covers
// slicing with steps, transposition, broadcasting, flips, and output chunks assembled
// from pieces of several source chunks (a rechunk or a concatenation fused into its
// consumer).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/core/shape.hpp"
#include "tessera/kernels/registry.hpp"

namespace tessera::kernels {

/// A box of the output chunk, [lo, hi) per axis, whose element at coordinates c reads
/// element `offset + Σ c[d]·strides[d]` of source `source` (a C-contiguous chunk).
struct Patch {
  int source = 0;
  Shape lo;
  Shape hi;
  std::int64_t offset = 0;
  Strides strides;
};

/// A leaf reading a source chunk's elements: the patches tile the whole output chunk.
struct LoadLeaf {
  DType dtype = DType::float64;
  std::vector<Patch> patches;
};

/// A leaf computed from each element's global index: the element at coordinates c gets
/// the generator's value at `index_offset + Σ c[d]·index_strides[d]`.
struct GenerateLeaf {
  DType dtype = DType::float64;
  /// The generator's registry name ("uniform", "arange", ...): what a backend that
  /// generates its own code (CUDA) looks up.
  std::string op = {};
  GeneratorFn fn = nullptr;
  GeneratorParams params;
  std::int64_t index_offset = 0;
  Strides index_strides;
};

/// A scalar broadcast to every element; `bytes` holds one element of `dtype`.
struct ConstantLeaf {
  DType dtype = DType::float64;
  std::array<std::byte, 16> bytes{};
};

struct Instruction {
  enum class Kind : std::uint8_t { load, generate, constant, apply };
  Kind kind = Kind::apply;
  /// Register written. Every register is written by exactly one instruction.
  int out = 0;
  /// For load / generate / constant: the index of the leaf in its table.
  int leaf = 0;
  /// For apply: the operation's registry name ("add", "astype", "where", ...), which with
  /// the registers' dtypes is what a backend generating its own code (CUDA) needs; the
  /// CPU kernel of that operation; and the registers it reads.
  std::string op = {};
  ElementwiseFn fn = nullptr;
  std::array<int, kMaxElementwiseArity> args{};
  int arity = 0;
};

struct FusedProgram {
  std::vector<DType> registers;
  std::vector<LoadLeaf> loads;
  std::vector<GenerateLeaf> generators;
  std::vector<ConstantLeaf> constants;
  std::vector<Instruction> code;
  int result = 0;

  DType result_dtype() const { return registers.at(static_cast<std::size_t>(result)); }
  /// A readable listing for logs and test failures.
  std::string describe() const;
};

/// Evaluates `program` over an output chunk of `shape`, writing C-contiguous elements of
/// the result dtype to `out`. `sources[i]` is the data of source chunk i.
void evaluate_fused(const FusedProgram& program, std::span<const void* const> sources, std::span<const std::int64_t> shape,
                    void* out);

/// Where a reduction folds its elements. `reduced[d]` says whether axis d of the
/// evaluated shape is reduced; `states` holds one state per element of the shape with the
/// reduced axes set to 1 (C order), initialized by the caller. The element at coordinates
/// c has reduction index `index_offset + Σ c[d]·index_strides[d]` (what argmin reports).
struct ReductionTarget {
  const ReductionKernel* kernel = nullptr;
  std::vector<bool> reduced;
  void* states = nullptr;
  std::int64_t index_offset = 0;
  Strides index_strides;
};

/// Evaluates `program` over `shape` and folds every element into `target`'s states.
void reduce_fused(const FusedProgram& program, std::span<const void* const> sources, std::span<const std::int64_t> shape,
                  const ReductionTarget& target);

}  // namespace tessera::kernels
