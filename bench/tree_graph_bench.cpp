// The graph of bench/dask_compare.py: `leaves` increments summed by a binary tree
// (40k tasks for 20k leaves), built and run through the C++ API. Prints one JSON line
// with microseconds per task, so the script can put it beside Dask's figure.
//
//   tessera_tree_graph_bench [leaves = 20000] [repeats = 5]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "graph_builders.hpp"

int main(int argc, char** argv) {
  const std::int64_t leaves = argc > 1 ? std::atoll(argv[1]) : 20'000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  tessera::LocalCluster cluster;
  tessera::Client client(cluster);
  std::vector<double> total_us, run_us;
  std::size_t tasks = 0;
  for (int r = 0; r < repeats + 1; ++r) {  // the first round warms up the allocator and caches
    const auto start = std::chrono::steady_clock::now();
    tessera::Graph graph;
    auto root = tessera::bench::increments_summed_by_tree(graph, leaves);
    tasks = graph.size();
    const auto built = std::chrono::steady_clock::now();
    const std::int64_t result = client.compute(std::move(graph), root).result();
    const auto done = std::chrono::steady_clock::now();
    if (result != leaves * (leaves + 1) / 2) {
      std::fprintf(stderr, "wrong result %lld\n", static_cast<long long>(result));
      return 1;
    }
    if (r == 0) continue;
    total_us.push_back(std::chrono::duration<double, std::micro>(done - start).count() / static_cast<double>(tasks));
    run_us.push_back(std::chrono::duration<double, std::micro>(done - built).count() / static_cast<double>(tasks));
  }
  std::sort(total_us.begin(), total_us.end());
  std::sort(run_us.begin(), run_us.end());
  std::printf("{\"tasks\": %zu, \"workers\": %zu, \"threads_per_worker\": %zu, "
              "\"us_per_task_with_graph_build\": %.3f, \"us_per_task_submit_and_run\": %.3f}\n",
              tasks, cluster.n_workers(), cluster.threads_per_worker(), total_us[total_us.size() / 2],
              run_us[run_us.size() / 2]);
  return 0;
}
