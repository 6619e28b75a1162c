// The array workloads of bench/array_compare.py, in C++: each builds its expression on
// a random float64 matrix that is generated and persisted first (not timed), then times
// compute() end to end. Prints one "name seconds" line per workload.
// Usage: tessera_array_bench [n] [chunk]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include <tessera/tessera.hpp>

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 20000;
  const std::int64_t chunk = argc > 2 ? std::atoll(argv[2]) : 2000;
  tessera::Client& client = tessera::default_client();
  const auto x = tessera::random::uniform({n, n}, 0, 1, {.seed = 1, .chunks = chunk}).persist(client);
  const auto b = tessera::random::uniform({n, n / 10}, 0, 1, {.seed = 2, .chunks = chunk}).persist(client);

  const auto time = [&](const char* name, const std::function<tessera::Array()>& build) {
    const auto start = std::chrono::steady_clock::now();
    const tessera::HostArray result = build().compute(client);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double first = result.size() > 0 ? result.item_at_flat(0) : 0.0;
    std::printf("%-22s %.4f  (first value %.6g)\n", name, s, first);
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
  return 0;
}
