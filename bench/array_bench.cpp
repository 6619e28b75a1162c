// The array workloads of bench/array_compare.py, in C++: each builds its expression on
// a random float64 matrix that is generated and persisted first (not timed), then times
// compute() end to end, best of `repeat` runs. Prints one "name seconds" line per workload.
// Usage: tessera_array_bench [n] [chunk] [repeat] [workload...]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <vector>

#include <tessera/tessera.hpp>

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 20000;
  const std::int64_t chunk = argc > 2 ? std::atoll(argv[2]) : 2000;
  const int repeat = argc > 3 ? std::atoi(argv[3]) : 1;
  const std::vector<std::string_view> only(argv + std::min(argc, 4), argv + argc);
  tessera::Client& client = tessera::default_client();
  const auto x = tessera::random::uniform({n, n}, 0, 1, {.seed = 1, .chunks = chunk}).persist(client);
  const auto b = tessera::random::uniform({n, n / 10}, 0, 1, {.seed = 2, .chunks = chunk}).persist(client);

  const auto time = [&](const char* name, const std::function<tessera::Array()>& build) {
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) return;
    double best = 1e300, first = 0.0;
    for (int i = 0; i < std::max(repeat, 1); ++i) {
      const auto start = std::chrono::steady_clock::now();
      const tessera::HostArray result = build().compute(client);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      first = result.size() > 0 ? result.item_at_flat(0) : 0.0;
    }
    std::printf("%-22s %.4f  (first value %.6g)\n", name, best, first);
    std::fflush(stdout);
  };
  time("seed_centered_sum", [&] { return (x.T() - x.mean(0)).sum(); });
  time("sin2_cos2_mean", [&] { return (tessera::sin(x) * tessera::sin(x) + tessera::cos(x) * tessera::cos(x)).mean(); });
  time("x_plus_xT_sum", [&] { return (x + x.T()).sum(); });
  time("strided_std", [&] {
    return x[{tessera::Slice{std::nullopt, std::nullopt, 2}, tessera::Slice{std::nullopt, std::nullopt, 2}}].std();
  });
  time("matmul", [&] { return tessera::matmul(x, b).sum(); });
  time("sum", [&] { return x.sum(); });
  // The seed's two halves, to see where its time goes.
  time("mean_axis0", [&] { return x.mean(0); });
  time("xT_sum", [&] { return x.T().sum(); });
  return 0;
}
