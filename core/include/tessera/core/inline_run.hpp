// The synchronous path: a small graph run in the calling thread, as dask's get_sync does.
// A one-chunk array is a handful of tasks; sending them through the scheduler and a worker
// costs several thread hand-offs, more than the work itself.
#pragma once

#include <span>
#include <vector>

#include "tessera/core/graph.hpp"
#include "tessera/core/value.hpp"

namespace tessera {

/// Whether `graph` can run inline: self-contained (no futures as inputs, every dependency
/// and every output a task of the graph) and at most `max_tasks` tasks.
bool can_run_inline(const Graph& graph, std::span<const Key> outputs, std::size_t max_tasks);

/// Runs the tasks `outputs` need, in the calling thread, and returns the outputs' values.
/// A task that throws makes this throw the TaskError its future would have thrown. Throws
/// ValueError for a cyclic graph or an output that is not in it.
std::vector<Value> run_inline(const Graph& graph, std::span<const Key> outputs);

}  // namespace tessera
