// Sorting, searching and data-dependent indexing of tessera::Array: sort and argsort
// across chunks, unique values, searchsorted, nonzero and boolean masks.
//
// Order: ascending or descending, NaNs last in both directions (the array API leaves
// NaNs unspecified; NaNs-last is NumPy's ascending order, kept for descending as pandas
// does); complex values sort by (real, imag), those with a NaN part last in NumPy's order
// [R+Rj, R+nanj, nan+Rj, nan+nanj]; false < true; -0.0 and 0.0 are equal. Every sort is
// stable whatever `SortOptions::stable` says: equal values keep their order.
//
// Data-dependent sizes (nonzero, argwhere, boolean_index, unique_*) are computed when the
// function is called: it persists what it reads twice (the mask, the sorted records) on a
// client, runs small per-chunk counting tasks there and gathers only the counts, then
// returns an array whose chunks are those counts (empty chunks dropped; one empty chunk
// when the result is empty). That array reads chunks held by that client: compute it
// with the same client (default_client() unless one is passed).
//
//   auto x = tessera::from_vector(std::vector<double>{3, 1, 2, 1}, {4}, 2);
//   tessera::sort(x).compute();              // [1, 1, 2, 3]
//   tessera::unique_counts(x).counts;        // [2, 1, 1]
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tessera/array/array.hpp"

namespace tessera {

struct SortOptions {
  bool descending = false;
  /// Accepted for the array API; sorts are always stable.
  bool stable = true;
};

/// x sorted along `axis` across chunks (not only within each); keeps x's chunking. Each
/// block is sorted by a task, then each output block merges the slices of its lane's
/// sorted blocks that hold its ranks.
Array sort(const Array& x, std::int64_t axis = -1, SortOptions options = {});
/// The int64 indices along `axis` that sort x (stable).
Array argsort(const Array& x, std::int64_t axis = -1, SortOptions options = {});

/// NumPy 2's unique_all: the sorted distinct values of x (flattened), the flat index of
/// each one's first occurrence, for each element of x the position of its value in
/// `values` (shape of x), and how often each value occurs. Each NaN is distinct.
struct UniqueAll {
  Array values, indices, inverse_indices, counts;
};
struct UniqueCounts {
  Array values, counts;
};
struct UniqueInverse {
  Array values, inverse_indices;
};
UniqueAll unique_all(const Array& x);
UniqueCounts unique_counts(const Array& x);
UniqueInverse unique_inverse(const Array& x);
Array unique_values(const Array& x);
UniqueAll unique_all(Client& client, const Array& x);
UniqueCounts unique_counts(Client& client, const Array& x);
UniqueInverse unique_inverse(Client& client, const Array& x);
Array unique_values(Client& client, const Array& x);

/// One int64 index array per axis of x (x must have ndim >= 1), in C order of x.
std::vector<Array> nonzero(const Array& x);
std::vector<Array> nonzero(Client& client, const Array& x);
/// int64 array of shape (count, ndim): the indices of the non-zero elements, in C order.
Array argwhere(const Array& x);
Array argwhere(Client& client, const Array& x);

/// Insertion indices (int64, shape of `values`) of `values` into the 1-d ascending array
/// `sorted` (in the order above): "left" gives the first suitable position, "right" the
/// last. Both are cast to their common dtype. Each output block is one task reading every
/// chunk of `sorted`, where a binary search over the chunks' last elements, then within
/// one chunk, places each value: O(log k + log n) per value, k chunk reads per block.
Array searchsorted(const Array& sorted, const Array& values, std::string_view side = "left");

/// x[mask]: `mask` is a bool array of x's shape, or of the leading axes of x's shape; the
/// result has shape (count, x.shape[mask.ndim:]...), its rows in C order of the mask.
Array boolean_index(const Array& x, const Array& mask);
Array boolean_index(Client& client, const Array& x, const Array& mask);

/// Number of non-zero elements (int64) along `axes` (all when empty).
Array count_nonzero(const Array& x, std::vector<std::int64_t> axes = {});

}  // namespace tessera
