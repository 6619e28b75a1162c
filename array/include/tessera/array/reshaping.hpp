// Shape manipulation beyond views (reshape, moveaxis, roll, tile, repeat), scans along an
// axis (cumulative sums and products), and integer or slice updates (take, setitem) of
// tessera::Array. Like every Array operation they are lazy: they build nodes that become
// tasks at compute().
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tessera/array/array.hpp"

namespace tessera {

/// C-order reshape; one entry may be -1. Chunk-aware: when the chunks already line up with
/// the new shape (e.g. merging or splitting axes whose trailing axes are single chunks) it is
/// a cheap view; otherwise it rechunks the input first (as dask.array.reshape does) and says
/// nothing. Never gathers the whole array into one task.
Array reshape(const Array& x, Shape shape);
/// Moves axes `source` to positions `destination`; the other axes keep their order.
Array moveaxis(const Array& x, std::vector<std::int64_t> source, std::vector<std::int64_t> destination);
/// Shifts elements along axes (empty: the flattened array, then reshaped back), wrapping around.
Array roll(const Array& x, std::vector<std::int64_t> shift, std::vector<std::int64_t> axes = {});
/// Repeats the whole array `repetitions[d]` times along each axis (NumPy's tile: the shorter
/// of the two gets leading ones).
Array tile(const Array& x, std::vector<std::int64_t> repetitions);
/// Repeats each element `repeats` times along axis (flattened when absent).
Array repeat(const Array& x, std::int64_t repeats, std::optional<std::int64_t> axis = std::nullopt);
/// Inclusive scans across chunks. dtype absent: NumPy's accumulation dtype (ints/bool → int64,
/// uint → uint64, floats and complex keep theirs). include_initial prepends the identity.
/// axis may be absent only for 1-d x.
Array cumulative_sum(const Array& x, std::optional<std::int64_t> axis = std::nullopt,
                     std::optional<DType> dtype = std::nullopt, bool include_initial = false);
Array cumulative_prod(const Array& x, std::optional<std::int64_t> axis = std::nullopt,
                      std::optional<DType> dtype = std::nullopt, bool include_initial = false);
/// Elements at `indices` (a 1-d integer Array; negative values count from the end) along axis
/// (x must be 1-d when axis is absent). The indices are computed when take is called (on the
/// default client), and an out-of-range one raises IndexError then.
Array take(const Array& x, const Array& indices, std::optional<std::int64_t> axis = std::nullopt);
/// Returns x with x[index] = value (NumPy broadcasting of value into the indexed region;
/// value cast to x's dtype). Blocks the region does not touch are passed through unchanged
/// (no copy, no task); touched blocks are computed by one fused task each.
Array setitem(const Array& x, const std::vector<IndexItem>& index, const Array& value);
Array setitem(const Array& x, const std::vector<IndexItem>& index, Scalar value);

}  // namespace tessera
