// tessera's first demo: futures and a task graph on the local cluster.
//
// 1. submit/map/gather: the futures interface, as in dask.distributed.
// 2. a graph of 40k tasks (20k increments summed by a binary tree), computed at once,
//    with the measured overhead per task.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <vector>

#include <tessera/tessera.hpp>

int main() {
  tessera::LocalCluster cluster;  // one CPU worker, a thread per core
  tessera::Client client(cluster);
  std::printf("local cluster: %zu worker(s) x %zu thread(s)\n", cluster.n_workers(), cluster.threads_per_worker());

  // Futures: a future passed as an argument becomes a dependency.
  auto x = client.submit([](int a) { return a * a; }, 12);
  auto y = client.submit([](int a, int b) { return a + b; }, x, 1);
  std::vector<int> inputs(10);
  std::iota(inputs.begin(), inputs.end(), 1);
  auto cubes = client.gather(client.map([](int v) { return v * v * v; }, inputs));
  std::printf("submit: 12*12 + 1 = %d; map/gather: sum of cubes 1..10 = %d\n", y.result(),
              std::accumulate(cubes.begin(), cubes.end(), 0));

  // A graph, built lazily and computed as a whole.
  const std::int64_t leaves = 20'000;
  const auto start = std::chrono::steady_clock::now();
  tessera::Graph graph;
  std::vector<tessera::TaskRef<std::int64_t>> level;
  for (std::int64_t i = 0; i < leaves; ++i) level.push_back(graph.add("inc", [](std::int64_t v) { return v + 1; }, i));
  while (level.size() > 1) {
    std::vector<tessera::TaskRef<std::int64_t>> next;
    for (std::size_t j = 0; j + 1 < level.size(); j += 2) {
      next.push_back(graph.add("add", [](std::int64_t a, std::int64_t b) { return a + b; }, level[j], level[j + 1]));
    }
    if (level.size() % 2 == 1) next.push_back(level.back());
    level.swap(next);
  }
  const std::size_t tasks = graph.size();
  const std::int64_t total = client.compute(std::move(graph), level.front()).result();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::int64_t expected = leaves * (leaves + 1) / 2;
  std::printf("graph: %zu tasks, sum of inc(i) for i < %lld = %lld (%s)\n", tasks, static_cast<long long>(leaves),
              static_cast<long long>(total), total == expected ? "correct" : "WRONG");
  std::printf("graph: %.1f ms end to end, %.2f us per task (build, schedule and run)\n", seconds * 1e3,
              seconds * 1e6 / static_cast<double>(tasks));
  return total == expected ? 0 : 1;
}
