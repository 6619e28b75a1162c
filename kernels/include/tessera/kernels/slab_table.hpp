// Slab tables: how selections by a boolean mask (array/src/masking.cpp) find the elements
// of a slab, a box of the mask that may span several mask blocks, visited in C order over
// the box. The same table and the same lookups serve the host runners and the CUDA
// kernels (kernels/cuda/select.cu), so that the CPU suites check what the GPU reads.
// unique's shuffle (unique.cpp, kernels/cuda/unique.cu) finds the block of an element of
// x with the table of a slab that is all of x.
//
// A table is int64 words, a few per axis and per block boundary (never per element: a
// table is copied to the device for every task that reads one). With nd axes:
//   [0]            nd
//   [1 + d]        length_d: the slab's extent along axis d
//   [1 + nd + d]   grid_d: its blocks along axis d
//   [1 + 2nd + d]  stride_d: the product of length_e for e > d (C order over the slab)
//   [1 + 3nd + d]  lo_d: its first coordinate along axis d, in the mask
//   [1 + 4nd + d]  first_d: the word where axis d's cuts start
// and at first_d, the grid_d + 1 block boundaries along axis d, from 0 to length_d
// (counted from lo_d); a coordinate's block is found by a binary search over them.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/kernels/host_device.hpp"

namespace tessera::kernels {

/// The table of a slab from `lo` to `hi` (mask coordinates) whose axis d is cut at
/// `cuts[d]` (the block boundaries along d, from lo_d to hi_d).
inline std::vector<std::int64_t> make_slab_table(const std::vector<std::int64_t>& lo, const std::vector<std::int64_t>& hi,
                                                 const std::vector<std::vector<std::int64_t>>& cuts) {
  const auto nd = static_cast<std::int64_t>(lo.size());
  std::vector<std::int64_t> t{nd};
  t.resize(static_cast<std::size_t>(1 + 5 * nd), 0);
  std::int64_t stride = 1;
  for (std::int64_t d = nd - 1; d >= 0; --d) {
    const auto ud = static_cast<std::size_t>(d);
    t[static_cast<std::size_t>(1 + d)] = hi[ud] - lo[ud];
    t[static_cast<std::size_t>(1 + nd + d)] = static_cast<std::int64_t>(cuts[ud].size()) - 1;
    t[static_cast<std::size_t>(1 + 2 * nd + d)] = stride;
    t[static_cast<std::size_t>(1 + 3 * nd + d)] = lo[ud];
    stride *= hi[ud] - lo[ud];
  }
  for (std::size_t d = 0; d < lo.size(); ++d) {
    t[static_cast<std::size_t>(1 + 4 * nd) + d] = static_cast<std::int64_t>(t.size());
    for (std::int64_t cut : cuts[d]) t.push_back(cut - lo[d]);
  }
  return t;
}

/// The slab's elements.
TESSERA_HOST_DEVICE inline std::int64_t slab_size(const std::int64_t* table) {
  std::int64_t n = 1;
  for (std::int64_t d = 0; d < table[0]; ++d) n *= table[1 + d];
  return n;
}

/// Coordinate d (in the mask) of the slab's position p.
TESSERA_HOST_DEVICE inline std::int64_t slab_coordinate(const std::int64_t* table, std::int64_t p, std::int64_t d) {
  const std::int64_t nd = table[0];
  return table[1 + 3 * nd + d] + (p / table[1 + 2 * nd + d]) % table[1 + d];
}

/// The block of the slab holding position p (its blocks counted in C order over the
/// slab's block grid) and the element of that block it is.
TESSERA_HOST_DEVICE inline void locate_in_slab(const std::int64_t* table, std::int64_t p, std::int64_t& block,
                                               std::int64_t& element) {
  const std::int64_t nd = table[0];
  block = 0;
  element = 0;
  for (std::int64_t d = 0; d < nd; ++d) {
    const std::int64_t c = (p / table[1 + 2 * nd + d]) % table[1 + d];
    const std::int64_t grid = table[1 + nd + d];
    const std::int64_t* cuts = table + table[1 + 4 * nd + d];
    std::int64_t lo = 0, hi = grid - 1;  // the last cut at or below c: cuts[lo] <= c < cuts[hi + 1]
    while (lo < hi) {
      const std::int64_t mid = lo + (hi - lo + 1) / 2;
      if (cuts[mid] <= c) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    block = block * grid + lo;
    element = element * (cuts[lo + 1] - cuts[lo]) + (c - cuts[lo]);
  }
}

}  // namespace tessera::kernels
