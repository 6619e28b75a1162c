// How an array is cut into chunks: explicit sizes per axis, normalized from what users
// write (one size for every axis, one per axis, explicit tuples, or "auto").
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/core/shape.hpp"

namespace tessera {

/// Chunk sizes along each axis: `chunks[d]` lists the extents of the blocks of axis d and
/// sums to the axis length (an axis of length 0 has one block of size 0).
using ChunkSizes = std::vector<std::vector<std::int64_t>>;

/// What a user asks for; `normalize_chunks` turns it into ChunkSizes.
class ChunkSpec {
 public:
  /// "auto": blocks of about `target_bytes`, as square as the shape allows.
  static ChunkSpec automatic(std::int64_t target_bytes = kDefaultTargetBytes) { return ChunkSpec(Auto{target_bytes}); }
  /// The same block size on every axis (-1: the whole axis).
  ChunkSpec(std::int64_t size) : spec_(size) {}  // NOLINT(google-explicit-constructor): reads like NumPy
  ChunkSpec(int size) : spec_(static_cast<std::int64_t>(size)) {}  // NOLINT(google-explicit-constructor)
  /// One block size per axis (-1: the whole axis).
  ChunkSpec(std::vector<std::int64_t> sizes) : spec_(std::move(sizes)) {}  // NOLINT(google-explicit-constructor)
  ChunkSpec(std::initializer_list<std::int64_t> sizes) : spec_(std::vector<std::int64_t>(sizes)) {}
  /// Explicit block extents per axis.
  ChunkSpec(ChunkSizes sizes) : spec_(std::move(sizes)) {}  // NOLINT(google-explicit-constructor)
  ChunkSpec() : spec_(Auto{kDefaultTargetBytes}) {}

  /// Dask's default block size (128 MiB): large enough to amortize a task, small enough
  /// that a few per core fit in memory.
  static constexpr std::int64_t kDefaultTargetBytes = 128 << 20;

  struct Auto {
    std::int64_t target_bytes;
  };
  using Variant = std::variant<Auto, std::int64_t, std::vector<std::int64_t>, ChunkSizes>;
  const Variant& get() const noexcept { return spec_; }

 private:
  explicit ChunkSpec(Auto a) : spec_(a) {}
  Variant spec_;
};

/// The ChunkSizes of `spec` for an array of `shape` and `dtype`. Throws ValueError naming
/// the axis when explicit chunks do not cover it or a size is not positive.
ChunkSizes normalize_chunks(const ChunkSpec& spec, const Shape& shape, DType dtype);

/// Regular blocks of `size` along an axis of `length` (the last one shorter).
std::vector<std::int64_t> regular_chunks(std::int64_t length, std::int64_t size);

/// "((2, 2), (3,))": for error messages.
std::string chunks_to_string(const ChunkSizes& chunks);

}  // namespace tessera
