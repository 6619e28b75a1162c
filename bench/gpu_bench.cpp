// tessera-bench: the fixed GPU suite, on every visible GPU, printed as a table.
//
//   tessera-bench [elements]        (default 2^27 float64 = 1 GiB per operand)
//
// Per GPU: the device's copy bandwidth (cudaMemcpy device to device), then tessera's
// generated kernels as fractions of it: a fused elementwise expression and a fused
// reduction, both memory-bound; then matmul through tessera's cuBLAS block kernel beside
// cuBLAS called directly. Every figure is the best of 5 runs after a warm-up (which also
// compiles the generated kernels). Without a GPU it says why and exits with status 1.
//
// Then the runtime end to end, on LocalClusters of GPU workers: the seed's
// `(x.T - x.mean(axis=0)).sum()` on a random array larger than one GPU's memory (its
// chunks are generated where they are used, so it streams), the same on a persisted
// array twice the workers' device memory limit (spilling to host memory and back),
// tasks per second of small fused tasks, and the seed's scaling over 1, 2 and 4 virtual
// GPUs of GPU 0. CuPy and dask.array over CuPy, side by side, run from
// bench/gpu_compare.py where CuPy is installed.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tessera/core/gpus.hpp"
#include "tessera/tessera.hpp"
#include "tessera/kernels/cuda/fused_launch.hpp"
#include "tessera/kernels/cuda/matmul.hpp"
#include "tessera/kernels/fused.hpp"
#include "tessera/kernels/registry.hpp"

namespace {

namespace k = tessera::kernels;
using tessera::DType;

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    std::fprintf(stderr, "tessera-bench: %s failed: %s\n", what, cudaGetErrorString(status));
    std::exit(2);
  }
}

/// Device memory of `bytes`, filled with a repeating pattern of small float64 values.
struct DeviceArray {
  void* ptr = nullptr;
  explicit DeviceArray(std::size_t bytes) {
    check(cudaMalloc(&ptr, bytes), "cudaMalloc");
    std::vector<double> pattern(1 << 16);
    for (std::size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<double>(i % 97) / 97.0;
    const std::size_t chunk = pattern.size() * sizeof(double);
    for (std::size_t at = 0; at < bytes; at += chunk) {
      check(cudaMemcpy(static_cast<char*>(ptr) + at, pattern.data(), std::min(chunk, bytes - at),
                       cudaMemcpyHostToDevice),
            "cudaMemcpy");
    }
  }
  ~DeviceArray() { cudaFree(ptr); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
};

/// The best of `repeat` timed runs of `run` (seconds), after one untimed warm-up.
double best_seconds(const std::function<void()>& run, int repeat = 5) {
  run();
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

/// A load of a whole 1-D source chunk `source` of n elements.
k::LoadLeaf load_all(int source, std::int64_t n) {
  k::Patch p;
  p.source = source;
  p.lo = {0};
  p.hi = {n};
  p.strides = {1};
  return k::LoadLeaf{DType::float64, {p}};
}

/// `x * 2 + y` (fused: reads x and y once, writes once), or `x * y` when `product`.
k::FusedProgram axpy_like(std::int64_t n, bool product) {
  const auto& registry = k::KernelRegistry::instance();
  const std::vector<DType> f64x2{DType::float64, DType::float64};
  k::FusedProgram p;
  p.loads = {load_all(0, n), load_all(1, n)};
  k::Instruction x{.kind = k::Instruction::Kind::load, .out = 0, .leaf = 0};
  k::Instruction y{.kind = k::Instruction::Kind::load, .out = 1, .leaf = 1};
  if (product) {
    k::Instruction mul{.kind = k::Instruction::Kind::apply, .out = 2, .op = "multiply",
                       .fn = registry.find_elementwise("multiply", f64x2, tessera::DeviceKind::cpu)->fn,
                       .args = {0, 1}, .arity = 2};
    p.registers = {DType::float64, DType::float64, DType::float64};
    p.code = {x, y, mul};
    p.result = 2;
    return p;
  }
  k::ConstantLeaf two;
  const double value = 2;
  std::memcpy(two.bytes.data(), &value, sizeof value);
  p.constants = {two};
  k::Instruction c{.kind = k::Instruction::Kind::constant, .out = 2, .leaf = 0};
  k::Instruction mul{.kind = k::Instruction::Kind::apply, .out = 3, .op = "multiply",
                     .fn = registry.find_elementwise("multiply", f64x2, tessera::DeviceKind::cpu)->fn,
                     .args = {0, 2}, .arity = 2};
  k::Instruction add{.kind = k::Instruction::Kind::apply, .out = 4, .op = "add",
                     .fn = registry.find_elementwise("add", f64x2, tessera::DeviceKind::cpu)->fn,
                     .args = {3, 1}, .arity = 2};
  p.registers = std::vector<DType>(5, DType::float64);
  p.code = {x, y, c, mul, add};
  p.result = 4;
  return p;
}

void row(const char* name, const std::string& size, double seconds, const std::string& rate, const std::string& vs) {
  std::printf("%-34s %12s %10.3f %16s %16s\n", name, size.c_str(), seconds * 1e3, rate.c_str(), vs.c_str());
}

std::string fmt(const char* format, double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, v);
  return buffer;
}

void run_suite(const tessera::GpuInfo& gpu, std::int64_t n) {
  check(cudaSetDevice(gpu.index), "cudaSetDevice");
  std::printf("\nGPU %d: %s, sm_%d, %.1f GiB, %d multiprocessors\n", gpu.index, gpu.name.c_str(),
              gpu.compute_capability, static_cast<double>(gpu.memory_bytes) / (1u << 30), gpu.multiprocessors);
  std::printf("%-34s %12s %10s %16s %16s\n", "benchmark", "size", "ms", "rate", "vs peer");
  const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(double);
  const std::string size = fmt("%.2f GiB", static_cast<double>(bytes) / (1u << 30));
  DeviceArray x(bytes), y(bytes), out(bytes);
  cudaStream_t stream = nullptr;

  const double copy = best_seconds([&] { check(cudaMemcpy(out.ptr, x.ptr, bytes, cudaMemcpyDeviceToDevice), "copy"); });
  const double copy_rate = 2.0 * static_cast<double>(bytes) / copy / 1e9;  // read + write
  row("device copy (read + write)", size, copy, fmt("%.0f GB/s", copy_rate), "-");

  const k::FusedProgram axpy = axpy_like(n, false);
  const std::vector<std::int64_t> shape{n};
  const void* sources[] = {x.ptr, y.ptr};
  const double fused = best_seconds([&] { k::cuda::evaluate_fused_on_device(axpy, sources, shape, out.ptr, stream); });
  const double fused_rate = 3.0 * static_cast<double>(bytes) / fused / 1e9;
  row("fused x * 2 + y (float64)", size, fused, fmt("%.0f GB/s", fused_rate),
      fmt("%.0f%% of copy", 100 * fused_rate / copy_rate));

  const k::FusedProgram product = axpy_like(n, true);
  k::ReductionTarget target;
  target.kernel = k::KernelRegistry::instance().find_reduction("sum", DType::float64, tessera::DeviceKind::cpu);
  target.reduced = {true};
  target.index_strides = {1};
  std::vector<std::byte> state(target.kernel->state_size);
  target.states = state.data();
  const double reduce = best_seconds([&] {
    target.kernel->init(state.data(), 1);
    k::cuda::reduce_fused_on_device(product, sources, shape, "sum", target, stream);
  });
  const double reduce_rate = 2.0 * static_cast<double>(bytes) / reduce / 1e9;
  row("fused sum(x * y) (float64)", size, reduce, fmt("%.0f GB/s", reduce_rate),
      fmt("%.0f%% of copy", 100 * reduce_rate / copy_rate));

  for (DType dtype : {DType::float64, DType::float32, DType::float16, DType::bfloat16}) {
    const int m = 8192;
    const std::size_t matrix = static_cast<std::size_t>(m) * m * tessera::itemsize(dtype);
    DeviceArray a(matrix), b(matrix), c(matrix);
    const double flop = 2.0 * m * static_cast<double>(m) * m;
    const double ours = best_seconds([&] {
      k::cuda::matmul_block_on_device(dtype, a.ptr, false, b.ptr, false, c.ptr, m, m, m, false, stream);
    });
    cublasHandle_t h = nullptr;
    cublasCreate(&h);
    const double direct = best_seconds([&] {
      if (dtype == DType::float64) {
        const double one = 1, zero = 0;
        cublasDgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, m, m, m, &one, static_cast<const double*>(b.ptr), m,
                    static_cast<const double*>(a.ptr), m, &zero, static_cast<double*>(c.ptr), m);
      } else if (dtype == DType::float32) {
        const float one = 1, zero = 0;
        cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, m, m, m, &one, static_cast<const float*>(b.ptr), m,
                    static_cast<const float*>(a.ptr), m, &zero, static_cast<float*>(c.ptr), m);
      } else {
        // 16 bits in and out, float accumulation, as tessera asks for it.
        cublasSetMathMode(h, static_cast<cublasMath_t>(CUBLAS_DEFAULT_MATH |
                                                       CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION));
        const float one = 1, zero = 0;
        const cudaDataType type = dtype == DType::float16 ? CUDA_R_16F : CUDA_R_16BF;
        cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, m, m, m, &one, b.ptr, type, m, a.ptr, type, m, &zero, c.ptr, type, m,
                     CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
      }
    });
    cublasDestroy(h);
    const std::string name = std::string("matmul ") + std::string(tessera::name(dtype)) + " 8192^3";
    row(name.c_str(), "-", ours, fmt("%.1f TFLOP/s", flop / ours / 1e12),
        fmt("%.0f%% of cuBLAS", 100 * direct / ours));
  }
}

// ---- the runtime on GPU workers ------------------------------------------------------

double seconds_of(const std::function<void()>& run) {
  const auto t0 = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::size_t tasks_on_devices(const tessera::LocalCluster& cluster) {
  std::size_t n = 0;
  for (std::size_t w = 0; w < cluster.n_workers(); ++w) {
    if (cluster.worker_device(w) != "cpu") n += cluster.worker_stats(w).tasks_executed;
  }
  return n;
}

// An n × n random array in chunks of `chunk` (lazy: chunks are generated where used).
tessera::Array random_square(std::int64_t n, std::int64_t chunk, std::uint64_t seed) {
  return tessera::random::random({n, n}, {.seed = seed, .chunks = chunk});
}

// The seed on `x`; returns seconds (best of 3 after a warm-up that also compiles the kernels).
double seed_seconds(tessera::Client& client, const tessera::Array& x) {
  const tessera::Array y = (x.T() - x.mean(0)).sum();
  double best = 1e300;
  for (int r = 0; r < 4; ++r) {
    const double t = seconds_of([&] { (void)y.compute(client); });
    if (r > 0) best = std::min(best, t);
  }
  return best;
}

void run_cluster_suite(const tessera::GpuInfo& gpu0, std::size_t gpus) {
  std::printf("\nThe runtime on %zu GPU worker(s) (LocalCluster, one CPU worker beside them)\n", gpus);
  std::printf("%-34s %12s %10s %16s %16s\n", "benchmark", "size", "ms", "rate", "note");
  // Larger than one GPU's memory: the chunks of x are generated where they are used.
  const auto n = static_cast<std::int64_t>(std::sqrt(static_cast<double>(gpu0.memory_bytes) / 8.0) * 1.05);
  const std::int64_t chunk = 16384;
  {
    tessera::Client client(tessera::LocalCluster({.n_workers = 1, .gpus = -1}));
    const double t = seed_seconds(client, random_square(n, chunk, 1));
    const double gb = static_cast<double>(n) * static_cast<double>(n) * 8 / 1e9;
    row("seed (x.T - x.mean(0)).sum()", fmt("%.0f GB", gb), t, fmt("%.0f GB/s", 2 * gb / t),
        "x generated twice");
  }
  {
    // Persisted x, twice the device memory limit of the workers together.
    const std::size_t limit = std::size_t{8} << 30;
    const auto m = static_cast<std::int64_t>(std::sqrt(2.0 * static_cast<double>(limit * gpus) / 8.0));
    tessera::LocalCluster cluster({.n_workers = 1, .gpus = -1, .device_memory_limit = limit});
    tessera::Client client(cluster);
    const double t = seed_seconds(client, random_square(m, 8192, 2).persist(client));
    std::size_t moved = 0;
    for (std::size_t w = 0; w < cluster.n_workers(); ++w) moved += cluster.worker_stats(w).store.moved_to_host_total;
    const double gb = static_cast<double>(m) * static_cast<double>(m) * 8 / 1e9;
    row("seed on persisted x, 2x limit", fmt("%.0f GB", gb), t, fmt("%.0f GB/s", 2 * gb / t),
        fmt("%.0f chunks spilled", static_cast<double>(moved)));
  }
  {
    tessera::LocalCluster cluster({.n_workers = 1, .gpus = -1});
    tessera::Client client(cluster);
    const tessera::Array x = tessera::random::random({std::int64_t{1} << 24}, {.seed = 3, .chunks = 1024});
    const tessera::Array y = (x * 2 + 1).sum();
    (void)y.compute(client);  // warm-up: kernels compiled
    const std::size_t before = tasks_on_devices(cluster);
    const double t = seconds_of([&] { (void)y.compute(client); });
    const auto tasks = static_cast<double>(tasks_on_devices(cluster) - before);
    row("small fused tasks (1024 elements)", fmt("%.0f tasks", tasks), t, fmt("%.0f tasks/s", tasks / t), "-");
  }
  const std::int64_t scaling_n = 65536;
  double one = 0;
  for (std::size_t v : {1, 2, 4}) {
    tessera::Client client(tessera::LocalCluster({.n_workers = 1, .gpus = 1, .virtual_gpus = v}));
    const double t = seed_seconds(client, random_square(scaling_n, 8192, 1));
    if (v == 1) one = t;
    const std::string name = "seed on " + std::to_string(v) + " virtual GPU(s)";
    row(name.c_str(), fmt("%.0f GB", static_cast<double>(scaling_n * scaling_n) * 8 / 1e9), t, "-",
        fmt("%.2fx of one", one / t));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 || (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0))) {
    std::fprintf(argc > 2 ? stderr : stdout,
                 "usage: tessera-bench [elements]\n"
                 "  The fixed GPU suite on every visible GPU (default 2^27 float64 elements per operand).\n");
    return argc > 2 ? 2 : 0;
  }
  std::int64_t n = std::int64_t{1} << 27;
  if (argc == 2) {
    char* end = nullptr;
    errno = 0;
    n = std::strtoll(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || errno == ERANGE || n <= 0) {
      std::fprintf(stderr, "tessera-bench: the element count must be a positive whole number, got '%s'\n", argv[1]);
      return 2;
    }
  }
  const tessera::GpuAvailability& available = tessera::gpu_availability();
  if (available.gpus.empty()) {
    std::fprintf(stderr, "tessera-bench needs a GPU: %s\n", available.reason.c_str());
    return 1;
  }
  std::printf("tessera-bench: %lld float64 elements per operand, best of 5\n", static_cast<long long>(n));
  for (const tessera::GpuInfo& gpu : available.gpus) run_suite(gpu, n);
  run_cluster_suite(available.gpus.front(), available.gpus.size());
  return 0;
}
