// Per-task overhead of the runtime on trivial tasks: independent tasks, a chain, and a
// tree reduction, each of 100k tasks. Reports tasks per second (items_per_second) and
// microseconds per task (us_per_task).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <numeric>
#include <vector>

#include "graph_builders.hpp"

namespace {

using tessera::Client;
using tessera::Graph;
using tessera::LocalCluster;

constexpr std::int64_t kTasks = 100'000;

// items_per_second is tasks per second; us_per_task is wall-clock microseconds per task.
class TaskTimer {
 public:
  void start() { start_ = std::chrono::steady_clock::now(); }
  void stop() { total_ += std::chrono::steady_clock::now() - start_; }
  void report(benchmark::State& state, std::int64_t tasks_per_iteration) const {
    const auto tasks = static_cast<double>(state.iterations() * tasks_per_iteration);
    state.SetItemsProcessed(state.iterations() * tasks_per_iteration);
    state.counters["us_per_task"] = std::chrono::duration<double, std::micro>(total_).count() / tasks;
  }

 private:
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::duration total_{};
};

LocalCluster cluster_for(const benchmark::State& state) {
  return LocalCluster({.n_workers = static_cast<std::size_t>(state.range(0)), .threads_per_worker = 0});
}

void IndependentTasks(benchmark::State& state) {
  Client client(cluster_for(state));
  std::vector<std::int64_t> inputs(kTasks);
  std::iota(inputs.begin(), inputs.end(), 0);
  TaskTimer timer;
  for (auto _ : state) {
    timer.start();
    auto futures = client.map([](std::int64_t x) { return x + 1; }, inputs);
    client.wait(futures);
    futures.clear();  // releasing the results is part of the work
    timer.stop();
  }
  timer.report(state, kTasks);
}

// Builds a graph with `build(graph)` (which returns its output) and computes it, each
// iteration, checking the result.
template <class Build>
void ComputeGraph(benchmark::State& state, Build build, std::int64_t expected) {
  Client client(cluster_for(state));
  TaskTimer timer;
  std::size_t tasks = 0;
  for (auto _ : state) {
    timer.start();
    Graph graph;
    auto output = build(graph);
    tasks = graph.size();
    auto result = client.compute(std::move(graph), output).result();
    timer.stop();
    if (result != expected) state.SkipWithError("wrong result");
  }
  timer.report(state, static_cast<std::int64_t>(tasks));
}

void Chain(benchmark::State& state) {
  ComputeGraph(state, [](Graph& g) { return tessera::bench::chain(g, kTasks); }, kTasks - 1);
}

void TreeReduction(benchmark::State& state) {
  const std::int64_t leaves = kTasks / 2;
  ComputeGraph(state, [leaves](Graph& g) { return tessera::bench::increments_summed_by_tree(g, leaves); },
               leaves * (leaves + 1) / 2);
}

// Argument: number of workers (threads are the machine's cores shared among them).
BENCHMARK(IndependentTasks)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Chain)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(TreeReduction)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
