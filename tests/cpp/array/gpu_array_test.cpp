// The array layer on GPU workers against the same computations on the CPU: fused
// elementwise kernels, reductions, scans, sorts, matmul and random numbers on (virtual) GPUs, moves
// between them, and spilling past the device limit. Built with CUDA; skips, saying why,
// where no GPU is usable (as in CI).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "array_test_support.hpp"
#include "tessera/core/gpus.hpp"

namespace {

using tessera::Array;
using tessera::ChunkSpec;
using tessera::DType;
using tessera::testing::expect_near_all;
using tessera::testing::to_doubles;

struct GpuAndCpu {
  GpuAndCpu()
      : gpu_cluster({.n_workers = 1,
                     .threads_per_worker = 2,
                     .gpus = -1,
                     .virtual_gpus = 2,
                     // Small enough that these tests spill: 4 MiB per virtual GPU.
                     .device_memory_limit = std::size_t{4} << 20}),
        cpu_cluster({.n_workers = 1, .threads_per_worker = 2, .gpus = 0}),
        gpu(gpu_cluster),
        cpu(cpu_cluster) {}

  // Computes `a` on both clusters and compares the elements (both parts of complex ones).
  void expect_same(const Array& a, double tolerance) {
    const auto on_gpu = to_doubles(a.compute(gpu));
    const auto on_cpu = to_doubles(a.compute(cpu));
    expect_near_all(on_gpu, on_cpu, tolerance);
    if (tessera::is_complex(a.dtype())) expect_same(tessera::imag(a), tolerance);
  }

  // Compares an array computed on the GPU cluster with one computed on the CPU cluster,
  // to the sign of each zero.
  void expect_same_results(const Array& on_gpu, const Array& on_cpu) {
    const auto g = to_doubles(on_gpu.compute(gpu));
    const auto c = to_doubles(on_cpu.compute(cpu));
    expect_near_all(g, c, 0);
    for (std::size_t i = 0; i < g.size() && i < c.size(); ++i) {
      if (g[i] == 0 && c[i] == 0) {
        EXPECT_EQ(std::signbit(g[i]), std::signbit(c[i])) << "the zero at " << i;
      }
    }
    if (tessera::is_complex(on_gpu.dtype())) expect_same_results(tessera::imag(on_gpu), tessera::imag(on_cpu));
  }

  std::size_t tasks_on_gpus() const {
    std::size_t n = 0;
    for (std::size_t w = 1; w < gpu_cluster.n_workers(); ++w) n += gpu_cluster.worker_stats(w).tasks_executed;
    return n;
  }

  tessera::LocalCluster gpu_cluster;
  tessera::LocalCluster cpu_cluster;
  tessera::Client gpu;
  tessera::Client cpu;
};

class GpuArray : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& available = tessera::gpu_availability();
    if (available.gpus.empty()) GTEST_SKIP() << "no usable GPU: " << available.reason;
    both = std::make_unique<GpuAndCpu>();
  }
  std::unique_ptr<GpuAndCpu> both;
};

TEST_F(GpuArray, TheClusterHasTwoVirtualWorkersPerGpu) {
  EXPECT_EQ(both->gpu_cluster.n_workers(), 1 + 2 * tessera::gpu_availability().gpus.size());
  EXPECT_EQ(both->gpu_cluster.worker_device(1), "cuda:0/0");
  EXPECT_EQ(both->gpu_cluster.worker_device(2), "cuda:0/1");
}

TEST_F(GpuArray, RandomNumbersAreTheSameOnGpuAndCpu) {
  const Array x = tessera::random::random({300, 200}, {.seed = 7, .chunks = 64});
  both->expect_same(x, 0);
  both->expect_same(tessera::random::normal({1000}, 0, 1, {.seed = 3, .chunks = 300}), 1e-15);
  EXPECT_GT(both->tasks_on_gpus(), 0u) << "the chunks were made on the GPUs";
}

TEST_F(GpuArray, MultiplyAddsGiveTheCpusBits) {
  // low + width * u, start + i * step, x * a + b: rounded twice on both devices (the
  // generated kernels are compiled without contraction into fused multiply-adds).
  both->expect_same(tessera::random::uniform({300, 200}, -3.5, 7.25, {.seed = 11, .chunks = 64}), 0);
  both->expect_same(tessera::linspace(-1.3, 17.9, 10001, true, {.chunks = ChunkSpec(1000)}), 0);
  both->expect_same(tessera::arange(0.1, 250.0, 0.37, {.chunks = ChunkSpec(100)}), 0);
  const Array x = tessera::random::random({513, 257}, {.seed = 5, .chunks = 100});
  both->expect_same(x * 3.1 + 0.7, 0);
}

TEST_F(GpuArray, FusedElementwiseChainsMatchTheCpu) {
  const Array x = tessera::random::random({513, 257}, {.seed = 1, .chunks = 100});
  both->expect_same(x * 2 + tessera::sin(x) - x.T().T() / 3, 1e-14);
  both->expect_same((x > 0.5).astype(tessera::DType::int32) + x.astype(tessera::DType::float32), 1e-6);
  const Array square = x[tessera::Slice{0, 257}];
  both->expect_same(square + square.T(), 1e-15);
  // float16: each operation in float, rounded to half, on both devices; sin's last float
  // place may round to the neighbouring half.
  const Array h = x.astype(tessera::DType::float16);
  both->expect_same(h * 3 - tessera::sin(h) / 2, 2e-3);
  const Array bf = x.astype(tessera::DType::bfloat16);  // likewise, rounded to 8 bits
  both->expect_same(bf * 3 - tessera::sin(bf) / 2, 1.6e-2);
}

TEST_F(GpuArray, ReductionsMatchTheCpu) {
  const Array x = tessera::random::normal({700, 300}, 0, 1, {.seed = 2, .chunks = 128});
  both->expect_same(x.sum(), 1e-12);
  both->expect_same(x.mean(0), 1e-12);
  both->expect_same(x.var(std::vector<std::int64_t>{1}), 1e-12);
  both->expect_same(x.max(0), 0);
  both->expect_same(x.argmin(1), 0);
  both->expect_same(x.argmax(), 0);
  both->expect_same((x > 3).any(std::vector<std::int64_t>{0}), 0);
  const Array h = x.astype(tessera::DType::float16);  // accumulated in double, rounded once
  both->expect_same(h.sum(0), 1e-3);
  both->expect_same(h.max(1), 0);
  const Array bf = x.astype(tessera::DType::bfloat16);
  both->expect_same(bf.sum(0), 8e-3);
  both->expect_same(bf.min(1), 0);
}

TEST_F(GpuArray, MatmulMatchesTheCpu) {
  const Array a = tessera::random::random({300, 200}, {.seed = 4, .chunks = 96});
  const Array b = tessera::random::random({200, 150}, {.seed = 5, .chunks = 96});
  both->expect_same(tessera::matmul(a, b), 1e-12);
  both->expect_same(tessera::matmul(a.astype(tessera::DType::float32), b.astype(tessera::DType::float32)), 1e-5);
  both->expect_same(tessera::matmul(a.T(), a), 1e-12);
  // cublasGemmEx on half inputs, accumulating in float like the CPU's sgemm; the
  // contraction's three blocks sum in float32 and round to half once.
  both->expect_same(tessera::matmul(a.astype(tessera::DType::float16), b.astype(tessera::DType::float16)), 2e-3);
  both->expect_same(tessera::matmul(a.astype(tessera::DType::bfloat16), b.astype(tessera::DType::bfloat16)), 1.6e-2);
}

TEST_F(GpuArray, ScansMatchTheCpu) {
  const Array x = tessera::random::random({700, 300}, {.seed = 8, .chunks = 128});
  // Lines along the last axis take a block each (cub::BlockScan), along the first a
  // thread each; carries between blocks are fused tasks on the GPUs too.
  both->expect_same(tessera::cumulative_sum(x, 1), 1e-10);
  both->expect_same(tessera::cumulative_sum(x * 2 - 1, 0), 1e-10);
  const Array small = tessera::random::integers({50, 40}, 1, 4, {.seed = 3, .chunks = 16});
  both->expect_same(tessera::cumulative_prod(small, 1), 0);
  const std::size_t moved_before = both->gpu_cluster.worker_stats(0).values_moved;
  both->expect_same(tessera::cumulative_sum(x.astype(tessera::DType::float32), 0), 1e-3);
  EXPECT_EQ(both->gpu_cluster.worker_stats(0).values_moved, moved_before) << "no block of a scan went to the CPU";
}

TEST_F(GpuArray, TheSeedOnAnArrayLargerThanTheDeviceLimitsSpillsAndMatches) {
  // 2000 × 2000 float64 is 32 MB: four times both virtual GPUs' limits together.
  const Array x = tessera::random::random({2000, 2000}, {.seed = 9, .chunks = 250}).persist(both->gpu);
  const Array y = (x.T() - x.mean(0)).sum(0);
  const auto on_gpu = to_doubles(y.compute(both->gpu));
  const Array x_cpu = tessera::random::random({2000, 2000}, {.seed = 9, .chunks = 250});
  const auto on_cpu = to_doubles((x_cpu.T() - x_cpu.mean(0)).sum(0).compute(both->cpu));
  expect_near_all(on_gpu, on_cpu, 1e-10);
  std::size_t moved_to_host = 0;
  for (std::size_t w = 1; w < both->gpu_cluster.n_workers(); ++w) {
    moved_to_host += both->gpu_cluster.worker_stats(w).store.moved_to_host_total;
  }
  EXPECT_GT(moved_to_host, 0u) << "past the device limit, chunks moved to host memory";
}

TEST_F(GpuArray, SortsMatchTheCpu) {
  // NaNs, both zeros and ties, in several blocks along each axis.
  const Array r =
      tessera::random::integers({300, 200}, -5, 6, {.seed = 6, .chunks = 64}).astype(tessera::DType::float64);
  const Array x = tessera::where(r == 5, tessera::scalar_array(std::nan("")),
                                 tessera::where(r == 4, tessera::scalar_array(-0.0), r));
  const std::size_t moved_before = both->gpu_cluster.worker_stats(0).values_moved;
  both->expect_same(tessera::sort(x, 0), 0);
  both->expect_same(tessera::sort(x, 1, {.descending = true}), 0);
  both->expect_same(tessera::argsort(x, 0), 0);
  both->expect_same(tessera::argsort(x.astype(tessera::DType::int32), 1, {.descending = true}), 0);
  both->expect_same(tessera::argsort(x.astype(tessera::DType::float16), 0), 0);  // NaNs and zeros by bits
  both->expect_same(tessera::sort(x.astype(tessera::DType::bfloat16), 1), 0);
  EXPECT_EQ(both->gpu_cluster.worker_stats(0).values_moved, moved_before) << "no block of a sort went to the CPU";
  expect_near_all(to_doubles(tessera::unique_values(both->gpu, x).compute(both->gpu)),
                  to_doubles(tessera::unique_values(both->cpu, x).compute(both->cpu)), 0);
}

TEST_F(GpuArray, UniqueMatchesTheCpu) {
  // Runs of equal values across the chunks of the sorted run, NaNs (each its own value),
  // both zeros (one value), and blocks of x of uneven sizes for the inverse's shuffle;
  // every width of value, a single block (one chunk of R), 1-d and 3-d x, and distinct
  // values.
  const Array r = tessera::random::integers({130, 70}, -5, 6, {.seed = 12, .chunks = ChunkSpec({48, 31})});
  const Array x = tessera::where(r == 5, tessera::scalar_array(std::nan("")),
                                 tessera::where(r == 4, tessera::scalar_array(-0.0), r.astype(DType::float64)));
  const std::vector<Array> arrays = {x,
                                     r,
                                     r.astype(DType::int8),
                                     r.astype(DType::int16),
                                     (r * 1000).astype(DType::uint32),
                                     r > 0,
                                     x.astype(DType::float32),
                                     x.astype(DType::float16),
                                     x.astype(DType::bfloat16),
                                     x.rechunk(ChunkSpec(-1)),
                                     tessera::reshape(x, {9100}).rechunk(ChunkSpec(1000)),
                                     tessera::reshape(x, {13, 10, 70}).rechunk(ChunkSpec({5, 4, 30})),
                                     tessera::random::random({130, 70}, {.seed = 13, .chunks = 48})};
  const std::size_t moved_before = both->gpu_cluster.worker_stats(0).values_moved;
  const std::size_t on_gpus_before = both->tasks_on_gpus();
  const auto same = [&](const tessera::UniqueAll& on_gpu, const tessera::UniqueAll& on_cpu) {
    both->expect_same_results(on_gpu.values, on_cpu.values);
    both->expect_same_results(on_gpu.indices, on_cpu.indices);
    both->expect_same_results(on_gpu.inverse_indices, on_cpu.inverse_indices);
    both->expect_same_results(on_gpu.counts, on_cpu.counts);
  };
  for (const Array& a : arrays) {
    SCOPED_TRACE(std::string(tessera::name(a.dtype())) + " " + tessera::shape_to_string(a.shape()));
    same(tessera::unique_all(both->gpu, a), tessera::unique_all(both->cpu, a));
    // The values alone: blocks of few values give their first records, found by sorting
    // on a GPU and by hashing on the CPU; the random block's many are sorted whole.
    both->expect_same_results(tessera::unique_values(both->gpu, a), tessera::unique_values(both->cpu, a));
  }
  EXPECT_EQ(both->gpu_cluster.worker_stats(0).values_moved, moved_before) << "no stage of unique went to the CPU";
  EXPECT_GT(both->tasks_on_gpus(), on_gpus_before);
  // unique_counts' counting pass (few values) has no device code: its blocks go to the
  // CPU worker, and the results must still agree.
  for (const Array& a : arrays) {
    SCOPED_TRACE("unique_counts of " + std::string(tessera::name(a.dtype())));
    const tessera::UniqueCounts on_gpu = tessera::unique_counts(both->gpu, a);
    const tessera::UniqueCounts on_cpu = tessera::unique_counts(both->cpu, a);
    both->expect_same_results(on_gpu.values, on_cpu.values);
    both->expect_same_results(on_gpu.counts, on_cpu.counts);
  }
  // Complex values sort on the CPU: every stage after the sort follows them there.
  const Array z = x * std::complex<double>(1, -1);
  same(tessera::unique_all(both->gpu, z), tessera::unique_all(both->cpu, z));
}

TEST_F(GpuArray, MaskSelectionsMatchTheCpu) {
  // Masks cut into several blocks along every axis, so that a slab spans blocks; rows of
  // 1, 2, 4 and 8 bytes and wider, and a mask with no true element at all.
  const Array x = tessera::random::random({300, 70, 3}, {.seed = 8, .chunks = ChunkSpec({64, 32, 3})});
  const Array mask = x.sum(std::int64_t{2}) > 1.6;
  const std::size_t moved_before = both->gpu_cluster.worker_stats(0).values_moved;
  const auto same = [&](const std::function<Array(tessera::Client&)>& make) {
    expect_near_all(to_doubles(make(both->gpu).compute(both->gpu)), to_doubles(make(both->cpu).compute(both->cpu)), 0);
  };
  same([&](tessera::Client& c) { return tessera::boolean_index(c, x, mask); });
  same([&](tessera::Client& c) { return tessera::boolean_index(c, x.astype(tessera::DType::int8), mask); });
  same([&](tessera::Client& c) { return tessera::boolean_index(c, x.astype(tessera::DType::int16), mask > 0); });
  same([&](tessera::Client& c) { return tessera::boolean_index(c, x.astype(tessera::DType::float32), mask); });
  same([&](tessera::Client& c) { return tessera::argwhere(c, mask); });
  same([&](tessera::Client& c) { return tessera::argwhere(c, x > 0.5); });
  same([&](tessera::Client& c) { return tessera::nonzero(c, x > 2.0)[1]; });  // none
  EXPECT_EQ(both->gpu_cluster.worker_stats(0).values_moved, moved_before) << "no block of a selection went to the CPU";
}

TEST_F(GpuArray, TakeAndSetitemMatchTheCpu) {
  // Slices of 1, 2, 4, 8 and 16 bytes and wider; positions from several blocks, repeated
  // and out of order, along every axis; steps forward and back.
  const Array x = tessera::random::random({90, 70, 3}, {.seed = 9, .chunks = ChunkSpec({32, 25, 3})});
  const Array positions = tessera::from_vector(std::vector<std::int64_t>{5, 89, 0, 33, 33, -1, 64, 2}, {8}, 3);
  const Array columns = tessera::from_vector(std::vector<std::int64_t>{69, 0, 26, 24, 25}, {5}, 2);
  const std::size_t moved_before = both->gpu_cluster.worker_stats(0).values_moved;
  both->expect_same(tessera::take(x, positions, 0), 0);
  both->expect_same(tessera::take(x, columns, 1), 0);
  both->expect_same(tessera::take(x, tessera::from_vector(std::vector<std::int64_t>{2, 0, 1, 1}, {4}), 2), 0);
  both->expect_same(tessera::take(x, tessera::from_vector(std::vector<std::int64_t>{}, {0}), 1), 0);
  const Array spread = x * 2000 - 1000;  // values that differ in every byte of the narrow integers
  const Array complex = x * std::complex<double>(1.5, -2.25) + 0.5;
  for (const Array& a : {x > 0.5, spread.astype(DType::int8), spread.astype(DType::int16), x.astype(DType::float32),
                         complex}) {
    both->expect_same(tessera::take(a, columns, 1), 0);
    both->expect_same(tessera::take(a, positions, 0), 0);
  }
  using tessera::Slice;
  both->expect_same(tessera::setitem(x, {Slice{3, 80, 7}, Slice{}, 1}, 2.5), 0);
  const std::vector<tessera::IndexItem> backwards = {Slice{std::nullopt, std::nullopt, -3}, Slice{60, 4, -5}};
  both->expect_same(tessera::setitem(x, backwards, -x[backwards] * 2), 0);
  both->expect_same(tessera::setitem(spread.astype(DType::int16), {40, 7, 2}, 9), 0);
  both->expect_same(tessera::setitem(complex, {Slice{10, 50}, Slice{0, 70, 2}}, std::complex<double>(1.5, 3)), 0);
  both->expect_same(tessera::setitem(tessera::full({}, 4.0), std::vector<tessera::IndexItem>{}, 2.5), 0);  // zero-dimensional
  EXPECT_EQ(both->gpu_cluster.worker_stats(0).values_moved, moved_before) << "no block of take or setitem went to the CPU";
}

TEST_F(GpuArray, TakeReadsBlocksAtAnyAlignment) {
  // Blocks that are views of one device chunk, one row each: rows of 3 int16 or float64
  // start 6 or 24 bytes apart, so the copies move narrower words than 16 bytes.
  const Array positions = tessera::from_vector(std::vector<std::int64_t>{7, 0, 30, 7, 1, 44}, {6}, 4);
  const Array x = tessera::random::random({45, 3}, {.seed = 10, .chunks = 45}) * 1000;
  tessera::Device& device = *both->gpu_cluster.device_of_worker(1);
  for (DType dtype : {DType::int16, DType::float64}) {
    const Array typed = x.astype(dtype);
    const Array rows = tessera::from_chunk(typed.compute_on(both->gpu, device), ChunkSpec({1, 3}));
    expect_near_all(to_doubles(tessera::take(rows, positions, 0).compute(both->gpu)),
                    to_doubles(tessera::take(typed, positions, 0).compute(both->cpu)), 0);
  }
}

TEST_F(GpuArray, SearchsortedMatchesTheCpu) {
  // Sorted chunks of uneven sizes, runs of equal values (across chunks too), -0.0 and 0.0,
  // and NaNs at the end; values before, between, on and past them, NaN among them.
  const double nan = std::nan("");
  const std::vector<double> sorted = {-5, -2, -2, -0.0, 0.0, 0.0, 1.5, 3, 3, 3, 7, 11, nan, nan};
  const std::vector<double> values = {-9, -2, 0.0, -0.0, 2, 3, 11, 12, nan, -5, 7.5, 1.5};
  const Array s = tessera::from_vector(sorted, {14}, tessera::ChunkSizes{{2, 3, 4, 4, 1}});
  const Array v = tessera::from_vector(values, {12}, 5);
  const std::size_t moved_before = both->gpu_cluster.worker_stats(0).values_moved;
  for (const char* side : {"left", "right"}) {
    both->expect_same(tessera::searchsorted(s, v, side), 0);
    for (DType dtype : {DType::float32, DType::float16, DType::bfloat16, DType::int32, DType::uint8, DType::bool_}) {
      both->expect_same(tessera::searchsorted(tessera::sort(s.astype(dtype)), v.astype(dtype), side), 0);
    }
  }
  const Array none = tessera::from_vector(std::vector<double>{}, {0});
  both->expect_same(tessera::searchsorted(none, v, "right"), 0);  // all zeros
  EXPECT_EQ(both->gpu_cluster.worker_stats(0).values_moved, moved_before) << "no block of searchsorted went to the CPU";
}

TEST_F(GpuArray, OperationsWithoutDeviceCodeRunOnTheCpuWorker) {
  const Array x = tessera::random::random({400}, {.seed = 6, .chunks = 100});
  const Array z = x.astype(tessera::DType::complex128);
  both->expect_same(tessera::sort(z), 0);
  EXPECT_GT(both->gpu_cluster.worker_stats(0).values_moved, 0u) << "the CPU worker read chunks made on a GPU";
}

}  // namespace
