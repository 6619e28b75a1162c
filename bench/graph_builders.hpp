// Graphs shared by the benchmarks and the demo: the same shapes the Dask comparison uses.
#pragma once

#include <cstdint>
#include <vector>

#include <tessera/tessera.hpp>

namespace tessera::bench {

/// `leaves` increments inc(i) = i + 1 summed by a binary tree: 2 × leaves − 1 tasks.
/// The sum is leaves × (leaves + 1) / 2.
inline TaskRef<std::int64_t> increments_summed_by_tree(Graph& graph, std::int64_t leaves) {
  graph.reserve(graph.size() + static_cast<std::size_t>(2 * leaves));
  std::vector<TaskRef<std::int64_t>> level;
  level.reserve(static_cast<std::size_t>(leaves));
  for (std::int64_t i = 0; i < leaves; ++i) {
    level.push_back(graph.add("inc", [](std::int64_t x) { return x + 1; }, i));
  }
  while (level.size() > 1) {
    std::vector<TaskRef<std::int64_t>> next;
    next.reserve((level.size() + 1) / 2);
    for (std::size_t j = 0; j + 1 < level.size(); j += 2) {
      next.push_back(graph.add("add", [](std::int64_t a, std::int64_t b) { return a + b; }, level[j], level[j + 1]));
    }
    if (level.size() % 2 == 1) next.push_back(level.back());
    level.swap(next);
  }
  return level.front();
}

/// A chain x → x + 1 → ... of `length` tasks; its result is `length`.
inline TaskRef<std::int64_t> chain(Graph& graph, std::int64_t length) {
  graph.reserve(graph.size() + static_cast<std::size_t>(length));
  auto last = graph.literal("start", std::int64_t{0});
  for (std::int64_t i = 1; i < length; ++i) last = graph.add("step", [](std::int64_t x) { return x + 1; }, last);
  return last;
}

}  // namespace tessera::bench
