// A 5-point Laplacian stencil over an n×n float64 matrix with map_overlap (depth 1,
// reflect boundary), its squares summed so that only a scalar comes back: the tessera side of
// bench/stencil_compare.py. The input is generated and persisted first (not timed).
// Prints "stencil <seconds>  (value ...)" and "peak_rss_mib <MiB>".
// Usage: tessera_stencil_bench [n] [chunk]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <tessera/tessera.hpp>

namespace {

// out = 4·x[i, j] - the four neighbours, inside the extended chunk; its border (the halo,
// trimmed away afterwards) is copied.
tessera::Chunk laplacian(const tessera::Chunk& c) {
  tessera::Chunk out = tessera::Chunk::allocate(c.dtype, c.shape);
  const std::int64_t rows = c.shape[0], cols = c.shape[1];
  const double* x = c.data<double>();
  double* y = out.data<double>();
  for (std::int64_t i = 0; i < rows; ++i) {
    for (std::int64_t j = 0; j < cols; ++j) {
      const std::int64_t k = i * cols + j;
      const bool border = i == 0 || j == 0 || i == rows - 1 || j == cols - 1;
      y[k] = border ? x[k] : 4 * x[k] - x[k - cols] - x[k + cols] - x[k - 1] - x[k + 1];
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 8000;
  const std::int64_t chunk = argc > 2 ? std::atoll(argv[2]) : 1000;
  tessera::Client& client = tessera::default_client();
  const auto x = tessera::random::uniform({n, n}, 0, 1, {.seed = 1, .chunks = chunk}).persist(client);
  const auto start = std::chrono::steady_clock::now();
  const auto y = tessera::map_overlap(x, laplacian, tessera::DType::float64,
                                      {.depth = {1}, .boundary = tessera::Boundary::reflect});
  const double value = (y * y).sum().compute(client).item<double>();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("stencil %.4f  (value %.6g)\n", seconds, value);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak_rss_mib %.1f\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}
