// A first tessera program: a chunked random matrix, centred by its column means, summed.
// Build: cmake --build --preset release --target tessera_array_demo
// Run:   ./build/release/examples/tessera_array_demo [n] [chunk]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <tessera/tessera.hpp>

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 8000;
  const std::int64_t chunk = argc > 2 ? std::atoll(argv[2]) : 2000;

  // Nothing runs yet: these lines build an expression graph.
  auto x = tessera::random::uniform({n, n}, 0.0, 1.0, {.seed = 0, .chunks = chunk});
  auto y = x.T() - x.mean(0);
  auto total = y.sum();

  // compute() lowers the graph to tasks (x.T - mean and the sum fuse into one task per
  // chunk) and runs them on the default local cluster.
  const auto start = std::chrono::steady_clock::now();
  const double s = total.compute().item<double>();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("x: %s\n", x.repr().c_str());
  std::printf("(x.T - x.mean(0)).sum() = %.6g  (%.3f s; exact answer 0 up to rounding)\n", s, seconds);

  // Other everyday operations read the same way.
  auto row_norms = tessera::sqrt((x * x).sum(1));
  auto corner = x[{tessera::Slice{0, 3}, tessera::Slice{0, 3}}];
  auto gram = tessera::matmul(corner.T(), corner);
  std::printf("largest row norm: %.6f\n", row_norms.max().compute().item<double>());
  std::printf("trace of the corner's Gram matrix: %.6f\n",
              (gram * tessera::eye(3)).sum().compute().item<double>());
  return 0;
}
