// R, the run every unique function reads: records (value, flat index) of x sorted by value
// across all its blocks, persisted in chunks, with what a scan of it found. unique.cpp
// builds it from all of x's records; unique_values.cpp from fewer (the first record of
// each value in each block), and both read their results from it alike.
#pragma once

#include <cstdint>
#include <vector>

#include "gpu_runners.hpp"
#include "tessera/array/array.hpp"

namespace tessera::array_detail {

/// What is known of one chunk of R once its scan is gathered.
struct RunChunk {
  std::int64_t rank = 0;        ///< rank of its first record in R
  std::int64_t size = 0;
  std::int64_t starts = 0;      ///< values starting in it
  bool first_starts = false;    ///< whether its first record starts a value
  std::int64_t groups_before = 0;
  std::int64_t next_start = 0;  ///< rank of the first value start after it (R's size if none)
};

/// R, persisted, and its chunks.
struct SortedRun {
  DType dtype;
  Array records;
  std::vector<RunChunk> chunks;
  std::int64_t groups = 0;  ///< distinct values in all
};

/// Records of x sorted within each block of `records` (along axis 0), to merge into R.
struct Runs {
  Array records;
  std::vector<std::int64_t> lengths;  ///< records per block, empty blocks included
  std::int64_t index_bound = 0;       ///< above every record's flat index: x's size
};

/// Merges `runs` into R, in chunks of `chunk_sizes` (positive, summing to the records),
/// and scans where values start in it: the numbers gathered.
SortedRun merge_and_scan(Client& client, DType dtype, const Runs& runs, const std::vector<std::int64_t>& chunk_sizes);

/// `field` of every distinct value of R, in order: one chunk per chunk of R where values
/// start.
Array per_value(const SortedRun& r, gpu::UniquePart field, DType out_dtype, const char* label);

/// An empty 1-d array of `dtype`.
Array empty_of(DType dtype);

/// unique_values' first pass (unique_values.cpp): how many records each non-empty block of
/// x gives R, its values' first ones or, with too many values, all of its elements.
struct BlockFirsts {
  Array xs;                          ///< x, persisted: the passes after it read it too
  std::vector<std::int64_t> blocks;  ///< x's non-empty blocks
  std::vector<std::int64_t> sizes;   ///< their elements
  std::vector<std::int64_t> given;   ///< the records each gives R
};
/// Runs the first pass over x (real, not empty) on `client`.
BlockFirsts count_block_firsts(Client& client, const Array& x);
/// The distinct values of x, sorted (unique_values), from the first pass.
Array values_of(Client& client, const BlockFirsts& firsts);

}  // namespace tessera::array_detail
