// The plan of a rechunk. A rechunk is a view: each output block reads patches of every
// input block it overlaps, so its task holds those whole input chunks. From row chunks to
// column chunks that is the whole array per task. Where the direct rechunk would hold more
// than a small multiple of the larger of the input and output blocks, the plan goes
// through an intermediate chunking that is materialized as tasks, chosen (like dask's
// plan_rechunk, though for this cost model) so that both steps stay within the bound.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/array/array.hpp"

namespace tessera::array_detail {

/// How many times the larger of the largest input and output block a rechunk task may hold.
inline constexpr std::int64_t kRechunkMemoryFactor = 4;

/// The bytes of input chunks the largest task of a direct rechunk from `from` to `to`
/// holds: every input chunk its output block overlaps, whole.
std::int64_t rechunk_task_bytes(const ChunkSizes& from, const ChunkSizes& to, std::size_t itemsize);

/// What a task of a rechunk from `from` to `to` may hold: kRechunkMemoryFactor times the
/// larger of the two chunkings' largest blocks.
std::int64_t rechunk_memory_bound(const ChunkSizes& from, const ChunkSizes& to, std::size_t itemsize);

/// The chunkings a rechunk from `from` goes through, ending with `to`: {to} when the
/// direct rechunk stays within the bound, else {intermediate, to}.
std::vector<ChunkSizes> plan_rechunk(const ChunkSizes& from, const ChunkSizes& to, std::size_t itemsize);

/// `x` rechunked to `to` by its plan: intermediate chunkings become tasks, the last step
/// is a view that fuses into its consumers.
Array planned_rechunk(const Array& x, ChunkSizes to);

}  // namespace tessera::array_detail
