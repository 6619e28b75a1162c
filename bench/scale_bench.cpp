// Scale: a graph of a million tasks is built, submitted, scheduled and finished; prints
// the time of each phase and the scheduler's memory per task (its own accounting, and
// the process's resident memory growth while the graph is known).
//
//   tessera_scale_bench [tasks = 1000000]
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "graph_builders.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0, resident_pages = 0;
  statm >> total_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t tasks = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const std::int64_t leaves = (tasks + 1) / 2;
  tessera::LocalCluster cluster;
  tessera::Client client(cluster);

  const std::size_t rss_before = resident_bytes();
  auto start = std::chrono::steady_clock::now();
  tessera::Graph graph;
  auto root = tessera::bench::increments_summed_by_tree(graph, leaves);
  const std::size_t graph_tasks = graph.size();
  const double build_s = seconds_since(start);
  const std::size_t rss_graph = resident_bytes();

  start = std::chrono::steady_clock::now();
  auto future = client.compute(std::move(graph), root);
  const double submit_s = seconds_since(start);
  const auto stats = cluster.scheduler_stats();  // while the scheduler knows the whole graph
  const std::size_t rss_submitted = resident_bytes();
  const std::int64_t result = future.result();
  const double total_s = seconds_since(start);

  const bool correct = result == leaves * (leaves + 1) / 2;
  std::printf("tasks                          %zu\n", graph_tasks);
  std::printf("workers x threads              %zu x %zu\n", cluster.n_workers(), cluster.threads_per_worker());
  std::printf("build graph (client)           %.3f s\n", build_s);
  std::printf("submit (validate, order, queue) %.3f s\n", submit_s);
  std::printf("submit + schedule + run        %.3f s  (%.2f us per task)\n", total_s, total_s * 1e6 / static_cast<double>(graph_tasks));
  std::printf("scheduler bookkeeping          %zu bytes per task (tasks known: %zu)\n", stats.bytes_per_task, stats.tasks);
  std::printf("resident memory: graph built   +%.1f MiB (%.0f bytes per task, client-side specs)\n",
              static_cast<double>(rss_graph - rss_before) / (1 << 20),
              static_cast<double>(rss_graph - rss_before) / static_cast<double>(graph_tasks));
  std::printf("resident memory: submitted     +%.1f MiB over the built graph\n",
              static_cast<double>(rss_submitted > rss_graph ? rss_submitted - rss_graph : 0) / (1 << 20));
  std::printf("result                         %lld (%s)\n", static_cast<long long>(result), correct ? "correct" : "WRONG");
  return correct ? 0 : 1;
}
