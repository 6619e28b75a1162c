// Helpers of the operations whose result size depends on the data: they run a small
// counting graph on a client, gather only the counts, and build the result's chunks from
// them.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/array/array.hpp"

namespace tessera::array_detail {

/// Computes the int64 array `a` on `client` and returns its elements (C order).
std::vector<std::int64_t> gather_int64(Client& client, const Array& a);

/// The number of true elements of each block of the bool array `mask`: an int64 array of
/// one element per block (block order), one task per block.
Array true_counts_per_block(const Array& mask);

/// The groups a result keeps as chunks: those whose count is positive, or group 0 alone
/// (an empty chunk) when every count is zero.
std::vector<std::size_t> kept_groups(const std::vector<std::int64_t>& counts);

/// The flat (C-order) index of a multi-index over `grid`.
std::int64_t flat_index(const std::vector<std::int64_t>& index, const std::vector<std::int64_t>& grid);

}  // namespace tessera::array_detail
