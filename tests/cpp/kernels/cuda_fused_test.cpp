// The CUDA backend's fused kernels: generated sources for every operation and dtype the
// CPU backend has compile with NVRTC (no GPU needed, so this runs in CI); the kernel
// argument carries the chunk's geometry as laid out; the kernel cache works; and, where
// a GPU is present, the generated kernels compute what the CPU evaluator computes.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <tessera/kernels/cuda/fused_launch.hpp>
#include <tessera/kernels/cuda/fused_source.hpp>
#include <tessera/kernels/cuda/nvrtc_compiler.hpp>
#include <tessera/kernels/cuda/smoke.hpp>
#include <tessera/kernels/fused.hpp>
#include <tessera/kernels/ops/cast.hpp>
#include <tessera/kernels/registry.hpp>

#include "cuda_test_support.hpp"
#include "fused_programs.hpp"
#include "tessera/core/error.hpp"

namespace {

namespace cuda = tessera::kernels::cuda;
namespace k = tessera::kernels;
using tessera::DType;
using tessera::test::DeviceBytes;
using tessera::test::append_apply;
using tessera::test::reducible;
using tessera::test::whole_chunk;

int append_generator(k::FusedProgram& program, const std::string& op, DType dtype, const k::GeneratorParams& params,
                     const tessera::Shape& shape) {
  k::GenerateLeaf g;
  g.dtype = dtype;
  g.op = op;
  g.fn = k::KernelRegistry::instance().find_generator(op, dtype, tessera::DeviceKind::cpu);
  g.params = params;
  g.index_strides = tessera::c_strides(shape);
  k::Instruction ins;
  ins.kind = k::Instruction::Kind::generate;
  ins.out = static_cast<int>(program.registers.size());
  ins.leaf = static_cast<int>(program.generators.size());
  program.generators.push_back(g);
  program.registers.push_back(dtype);
  program.code.push_back(ins);
  return ins.out;
}

/// One program applying every CPU elementwise kernel, cast and generator: its source
/// instantiates every operation × dtype of the ops headers for the device.
k::FusedProgram every_operation() {
  const tessera::Shape shape{3, 4};
  k::FusedProgram program;
  const auto& registry = k::KernelRegistry::instance();
  for (const auto& [op, kernel] : registry.elementwise_kernels(tessera::DeviceKind::cpu)) {
    program.result = append_apply(program, op, kernel, shape);
  }
  for (std::size_t from = 0; from < tessera::kDTypeCount; ++from) {
    for (std::size_t to = 0; to < tessera::kDTypeCount; ++to) {
      k::ElementwiseKernel cast = *registry.find_cast(static_cast<DType>(from), static_cast<DType>(to),
                                                      tessera::DeviceKind::cpu);
      program.result = append_apply(program, "astype", cast, shape);
    }
  }
  k::GeneratorParams params;
  params.i0 = 0;
  params.i1 = 10;
  for (const char* op : {"full", "arange", "linspace", "eye", "uniform", "normal", "integers"}) {
    for (std::size_t d = 0; d < tessera::kDTypeCount; ++d) {
      if (registry.find_generator(op, static_cast<DType>(d), tessera::DeviceKind::cpu) == nullptr) continue;
      program.result = append_generator(program, op, static_cast<DType>(d), params, shape);
    }
  }
  return program;
}

/// A fresh directory for a kernel cache, removed at the end of the test.
struct TempDirectory {
  std::filesystem::path path;
  TempDirectory() {
    path = std::filesystem::temp_directory_path() /
           ("tessera-kernel-cache-" + std::to_string(std::random_device{}()));
    std::filesystem::remove_all(path);
  }
  ~TempDirectory() { std::filesystem::remove_all(path); }
};

TEST(CudaFusedSource, EveryOperationAndDtypeCompilesWithNvrtc) {
  const k::FusedProgram program = every_operation();
  const cuda::FusedKernelSource source = cuda::fused_kernel_source(program, 2);
  ASSERT_NE(source.source.find(source.name), std::string::npos);
  // Too many leaves for a by-value argument: this kernel reads its words from memory.
  EXPECT_FALSE(source.argument_in_parameter);
  // Compiling (not running) needs no GPU: this is what CI checks of the generated code.
  const auto cubin = cuda::compile_cuda(source.source, cuda::NvrtcOptions{90, {}});
  EXPECT_GT(cubin->size(), 0u);
}

TEST(CudaFusedSource, SourceDependsOnStructureNotOnValues) {
  const tessera::Shape shape{5, 7};
  const auto* add = k::KernelRegistry::instance().find_elementwise(
      "add", std::vector<DType>{DType::float64, DType::float64}, tessera::DeviceKind::cpu);
  ASSERT_NE(add, nullptr);
  k::FusedProgram a;
  a.result = append_apply(a, "add", *add, shape);
  k::FusedProgram b = a;
  b.loads[1].patches[0].offset = 3;  // another chunk, another view: the same kernel
  b.loads[1].patches[0].strides = {1, 5};
  EXPECT_EQ(cuda::fused_kernel_source(a, 2).source, cuda::fused_kernel_source(b, 2).source);
  k::FusedProgram c = a;
  c.registers[c.result] = DType::float64;
  c.code.back().op = "subtract";
  EXPECT_NE(cuda::fused_kernel_source(a, 2).name, cuda::fused_kernel_source(c, 2).name);
  EXPECT_NE(cuda::fused_kernel_source(a, 2).name, cuda::fused_kernel_source(a, 3).name);
}

TEST(CudaFusedSource, ArgumentsCarryTheGeometry) {
  const tessera::Shape shape{5, 7};
  const auto* mul = k::KernelRegistry::instance().find_elementwise(
      "multiply", std::vector<DType>{DType::float32, DType::float32}, tessera::DeviceKind::cpu);
  k::FusedProgram program;
  program.result = append_apply(program, "multiply", *mul, shape);
  // The second operand: two patches (a chunk assembled from two sources), transposed.
  k::Patch top = program.loads[1].patches[0];
  top.hi = {2, 7};
  top.strides = {1, 5};
  k::Patch bottom = top;
  bottom.source = 0;
  bottom.lo = {2, 0};
  bottom.hi = {5, 7};
  bottom.offset = -2;
  program.loads[1].patches = {top, bottom};
  float x = 0, y = 0, out = 0;
  const void* sources[] = {&x, &y};
  const std::vector<std::int64_t> shape_words{5, 7};
  const std::vector<std::int64_t> w = cuda::fused_kernel_arguments(program, sources, shape_words, &out);
  const cuda::FusedKernelSource source = cuda::fused_kernel_source(program, 2);
  ASSERT_EQ(w.size(), source.argument_words);
  EXPECT_TRUE(source.argument_in_parameter);
  EXPECT_GT(cuda::compile_cuda(source.source, cuda::NvrtcOptions{90, {}})->size(), 0u);
  // count, shape, out, then each patch: lo, hi, strides, offset, source pointer.
  EXPECT_EQ(w[0], 35);
  EXPECT_EQ(w[1], 5);
  EXPECT_EQ(w[2], 7);
  EXPECT_EQ(w[3], static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(&out)));
  const std::vector<std::int64_t> first{0, 0, 5, 7, 7, 1, 0, static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(&x))};
  EXPECT_EQ(std::vector<std::int64_t>(w.begin() + 4, w.begin() + 12), first);
  const std::vector<std::int64_t> second{0, 0, 2, 7, 1, 5, 0, static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(&y))};
  EXPECT_EQ(std::vector<std::int64_t>(w.begin() + 12, w.begin() + 20), second);
  const std::vector<std::int64_t> third{2, 0, 5, 7, 1, 5, -2, static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(&x))};
  EXPECT_EQ(std::vector<std::int64_t>(w.begin() + 20, w.begin() + 28), third);
  // The kernel tests the first patch's box and takes the second otherwise.
  EXPECT_NE(source.source.find("if (c0 >= A(12) && c0 < A(14) && c1 >= A(13) && c1 < A(15))"),
            std::string::npos)
      << source.source;
}

TEST(CudaFusedSource, BadProgramsAreRefusedByName) {
  k::FusedProgram program;
  EXPECT_THROW(cuda::fused_kernel_source(program, 1), tessera::ValueError);
  const auto* neg = k::KernelRegistry::instance().find_elementwise("negative", std::vector<DType>{DType::int32},
                                                                   tessera::DeviceKind::cpu);
  program.result = append_apply(program, "negative", *neg, {4});
  program.code.back().op = "no_such_op";
  try {
    cuda::fused_kernel_source(program, 1);
    FAIL() << "an unknown operation was accepted";
  } catch (const tessera::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_op"), std::string::npos) << e.what();
  }
  program.code.back().op = "negative";
  int x = 0, out = 0;
  const void* one_source[] = {&x};
  const std::vector<std::int64_t> two_axes{2, 2};
  EXPECT_THROW(cuda::fused_kernel_arguments(program, one_source, two_axes, &out), tessera::ValueError);
  const std::vector<std::int64_t> one_axis{4};
  EXPECT_THROW(cuda::fused_kernel_arguments(program, {}, one_axis, &out), tessera::ValueError);
}

TEST(NvrtcCompiler, CachesInMemoryAndOnDisk) {
  TempDirectory dir;
  // A source unique to this run, so that no earlier run's disk cache answers.
  const std::string source = "extern \"C\" __global__ void tessera_cache_probe_" +
                             std::to_string(std::random_device{}()) + "(int* x) { *x = 1; }\n";
  const cuda::CompileStats before = cuda::compile_stats();
  const auto first = cuda::compile_cuda(source, cuda::NvrtcOptions{90, dir.path});
  const auto again = cuda::compile_cuda(source, cuda::NvrtcOptions{90, dir.path});
  const cuda::CompileStats after = cuda::compile_stats();
  EXPECT_EQ(first.get(), again.get());
  EXPECT_EQ(after.compiled, before.compiled + 1);
  EXPECT_EQ(after.memory_hits, before.memory_hits + 1);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    EXPECT_EQ(entry.path().extension(), ".cubin");
    EXPECT_EQ(std::filesystem::file_size(entry.path()), first->size());
    ++files;
  }
  EXPECT_EQ(files, 1u);
  // Another architecture is another kernel.
  const auto sm80 = cuda::compile_cuda(source, cuda::NvrtcOptions{80, dir.path});
  EXPECT_NE(sm80.get(), first.get());
  // A cache file cut short is not taken for a kernel.
  EXPECT_TRUE(cuda::is_whole_cubin(*first));
  const cuda::Cubin cut(first->begin(), first->begin() + static_cast<std::ptrdiff_t>(first->size() - 1));
  EXPECT_FALSE(cuda::is_whole_cubin(cut));
  EXPECT_FALSE(cuda::is_whole_cubin(cuda::Cubin(first->begin(), first->begin() + 40)));
  EXPECT_FALSE(cuda::is_whole_cubin(cuda::Cubin{}));
}

TEST(NvrtcCompiler, ACompileErrorCarriesTheLog) {
  try {
    cuda::compile_cuda("extern \"C\" __global__ void broken() { undeclared_name = 1; }\n", cuda::NvrtcOptions{90, {}});
    FAIL() << "a broken source compiled";
  } catch (const tessera::Error& e) {
    EXPECT_NE(std::string(e.what()).find("undeclared_name"), std::string::npos) << e.what();
  }
}

TEST(NvrtcCompiler, AMissingToolkitHeaderSaysWhereItWasLookedFor) {
  const char* previous = std::getenv("CUDA_HOME");
  const std::string saved = previous != nullptr ? previous : "";
  setenv("CUDA_HOME", "/nonexistent/cuda-toolkit", 1);
  std::string message;
  try {
    cuda::compile_cuda("#include <cuda/std/cstdint>\nextern \"C\" __global__ void k() {}\n", cuda::NvrtcOptions{90, {}});
  } catch (const tessera::Error& e) {
    message = e.what();
  }
  if (previous != nullptr) {
    setenv("CUDA_HOME", saved.c_str(), 1);
  } else {
    unsetenv("CUDA_HOME");
  }
  EXPECT_NE(message.find("CUDA headers searched in: /nonexistent/cuda-toolkit/include"), std::string::npos) << message;
  EXPECT_NE(message.find("set CUDA_HOME"), std::string::npos) << message;
}

constexpr const char* kReductions[] = {"sum", "prod", "min", "max", "any", "all", "mean", "var", "argmin", "argmax"};

TEST(CudaFusedReduction, EveryReductionStateHasTheHostLayoutOnTheDevice) {
  // One NVRTC compile instantiating every reduction of every non-complex dtype, with
  // each device state's size asserted equal to the CPU kernel's: partial states cross
  // between the devices as bytes.
  std::string source = "#include \"tessera/kernels/ops/reductions.hpp\"\n"
                       "extern \"C\" { __device__ int tessera_error_code = 0; }\n"
                       "using namespace tessera::kernels::ops;\n";
  int n = 0;
  for (const char* op : kReductions) {
    for (std::size_t d = 0; d < tessera::kDTypeCount; ++d) {
      const auto dtype = static_cast<DType>(d);
      if (tessera::is_complex(dtype)) continue;
      const k::ReductionKernel* kernel = k::KernelRegistry::instance().find_reduction(op, dtype, tessera::DeviceKind::cpu);
      ASSERT_NE(kernel, nullptr) << op;
      const std::string t(cuda::device_type_name(dtype));
      const std::string r = "reduce::" + std::string(cuda::device_reduction_struct(op)) + "<" + t + ">";
      source += "static_assert(sizeof(" + r + "::State) == " + std::to_string(kernel->state_size) + ", \"" + op +
                " " + t + "\");\n";
      source += "extern \"C\" __global__ void probe" + std::to_string(n++) + "(const " + t + "* x, " + r +
                "::State* out) {\n  " + r + "::State s = " + r + "::identity();\n  " + r +
                "::fold_one(s, x[threadIdx.x], threadIdx.x);\n  " + r + "::merge(out[0], s);\n}\n";
    }
  }
  EXPECT_GT(cuda::compile_cuda(source, cuda::NvrtcOptions{90, {}})->size(), 0u);
}

TEST(CudaFusedReduction, GeneratedReductionKernelsCompile) {
  const tessera::Shape shape{6, 5, 4};
  for (const char* op : {"sum", "argmin", "var"}) {
    for (const std::vector<bool>& reduced : {std::vector<bool>{true, true, true}, std::vector<bool>{false, true, false}}) {
      const k::ReductionKernel* kernel =
          k::KernelRegistry::instance().find_reduction(op, DType::float32, tessera::DeviceKind::cpu);
      const cuda::FusedKernelSource source =
          cuda::fused_reduction_source(reducible(DType::float32, shape), reduced, op, *kernel);
      EXPECT_NE(source.source.find("reduce::"), std::string::npos);
      EXPECT_GT(cuda::compile_cuda(source.source, cuda::NvrtcOptions{90, {}})->size(), 0u) << op;
    }
  }
}

TEST(CudaFusedReduction, ArgumentsCarryTheTarget) {
  const tessera::Shape shape{6, 5};
  const k::FusedProgram program = reducible(DType::float64, shape);
  k::ReductionTarget target;
  target.kernel = k::KernelRegistry::instance().find_reduction("argmax", DType::float64, tessera::DeviceKind::cpu);
  target.reduced = {true, false};
  target.index_offset = 100;
  target.index_strides = {5, 1};
  double x = 0, y = 0;
  int partials = 0;
  const void* sources[] = {&x, &y};
  const std::vector<std::int64_t> extent{6, 5};
  const std::vector<std::int64_t> w = cuda::fused_reduction_arguments(program, sources, extent, target, 3, &partials);
  const cuda::FusedKernelSource source = cuda::fused_reduction_source(program, target.reduced, "argmax", *target.kernel);
  ASSERT_EQ(w.size(), source.argument_words);
  // The reduction's words close the argument: 5 states of 6 elements each, 3 splits,
  // the partials, the index offset and strides.
  const std::vector<std::int64_t> tail{5, 6, 3, static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(&partials)),
                                       100, 5, 1};
  EXPECT_EQ(std::vector<std::int64_t>(w.end() - 7, w.end()), tail);
  EXPECT_THROW(cuda::fused_reduction_arguments(program, sources, extent, target, 0, &partials), tessera::ValueError);
  EXPECT_THROW(cuda::fused_reduction_source(program, target.reduced, "median", *target.kernel), tessera::ValueError);
  const k::ReductionKernel* complex_sum =
      k::KernelRegistry::instance().find_reduction("sum", DType::complex128, tessera::DeviceKind::cpu);
  EXPECT_THROW(cuda::fused_reduction_source(reducible(DType::complex128, shape), target.reduced, "sum", *complex_sum),
               tessera::ValueError);
}

// ---- on a GPU --------------------------------------------------------------------------

TEST(CudaFusedOnGpu, EveryOperationMatchesTheCpuEvaluator) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  const tessera::Shape shape{3, 4};
  const std::size_t n = 12;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> small(-3, 5);
  const auto& registry = k::KernelRegistry::instance();
  for (const auto& [op, kernel] : registry.elementwise_kernels(tessera::DeviceKind::cpu)) {
    k::FusedProgram program;
    program.result = append_apply(program, op, kernel, shape);
    std::vector<std::vector<std::byte>> host;
    std::vector<std::unique_ptr<DeviceBytes>> device;
    std::vector<const void*> host_ptrs, device_ptrs;
    for (std::size_t i = 0; i < kernel.arity; ++i) {
      // Small integers in every dtype: valid input for every operation (pow's exponents
      // aside, which stay non-negative for integers).
      std::vector<std::byte> bytes(n * tessera::itemsize(kernel.inputs[i]));
      tessera::type_dispatch(kernel.inputs[i], [&]<class T>() {
        for (std::size_t e = 0; e < n; ++e) {
          const int v = (op == "pow" && i == 1) ? std::abs(small(rng)) : small(rng);
          const T value = tessera::kernels::ops::convert<T>(static_cast<double>(v) / (std::is_integral_v<T> ? 1 : 2));
          std::memcpy(bytes.data() + e * sizeof(T), &value, sizeof(T));
        }
      });
      device.push_back(std::make_unique<DeviceBytes>(bytes.size(), bytes.data()));
      host.push_back(std::move(bytes));
      host_ptrs.push_back(host.back().data());
      device_ptrs.push_back(device.back()->ptr);
    }
    const std::size_t out_bytes = n * tessera::itemsize(kernel.output);
    std::vector<std::byte> expected(out_bytes), got(out_bytes);
    const std::vector<std::int64_t> extent(shape.begin(), shape.end());
    k::evaluate_fused(program, host_ptrs, extent, expected.data());
    DeviceBytes out(out_bytes);
    cuda::evaluate_fused_on_device(program, device_ptrs, extent, out.ptr, nullptr);
    ASSERT_EQ(cudaMemcpy(got.data(), out.ptr, out_bytes, cudaMemcpyDeviceToHost), cudaSuccess);
    if (tessera::is_floating(kernel.output)) {
      tessera::type_dispatch(kernel.output, [&]<class T>() {
        for (std::size_t e = 0; e < n; ++e) {
          T a, b;
          std::memcpy(&a, expected.data() + e * sizeof(T), sizeof(T));
          std::memcpy(&b, got.data() + e * sizeof(T), sizeof(T));
          const auto za = tessera::kernels::ops::convert<std::complex<double>>(a);
          const auto zb = tessera::kernels::ops::convert<std::complex<double>>(b);
          // 16-bit results are float's rounded: a float that differs in its last place
          // may round to the neighbouring 16-bit value.
          const double tolerance =
              kernel.output == DType::float16 ? 2e-3 : kernel.output == DType::bfloat16 ? 1.6e-2 : 1e-5;
          const double scale = std::max(1.0, std::abs(za));
          EXPECT_TRUE(std::abs(za - zb) <= tolerance * scale || (std::isnan(std::abs(za)) && std::isnan(std::abs(zb))))
              << op << " " << tessera::name(kernel.inputs[0]) << " element " << e;
        }
      });
    } else {
      EXPECT_EQ(expected, got) << op << " " << tessera::name(kernel.inputs[0]);
    }
  }
}

TEST(CudaFusedOnGpu, ReductionsMatchTheCpuEvaluator) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  const tessera::Shape shape{37, 300};
  const std::vector<std::int64_t> extent(shape.begin(), shape.end());
  const std::size_t n = 37 * 300;
  for (DType dtype : {DType::float64, DType::float32, DType::float16, DType::bfloat16, DType::int32, DType::uint8}) {
    const k::FusedProgram program = reducible(dtype, shape);
    std::vector<std::vector<std::byte>> host(2, std::vector<std::byte>(n * tessera::itemsize(dtype)));
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> values(0, 9);
    tessera::type_dispatch(dtype, [&]<class T>() {
      for (auto& bytes : host) {
        for (std::size_t e = 0; e < n; ++e) {
          const T v = tessera::kernels::ops::convert<T>(values(rng));
          std::memcpy(bytes.data() + e * sizeof(T), &v, sizeof(T));
        }
      }
    });
    DeviceBytes a(host[0].size(), host[0].data()), b(host[1].size(), host[1].data());
    const void* host_ptrs[] = {host[0].data(), host[1].data()};
    const void* device_ptrs[] = {a.ptr, b.ptr};
    for (const char* op : kReductions) {
      for (const std::vector<bool>& reduced : {std::vector<bool>{true, true}, std::vector<bool>{true, false},
                                               std::vector<bool>{false, true}}) {
        k::ReductionTarget target;
        target.kernel = k::KernelRegistry::instance().find_reduction(op, dtype, tessera::DeviceKind::cpu);
        target.reduced = reduced;
        target.index_strides = {300, 1};
        const std::size_t states = (reduced[0] ? 1 : 37) * (reduced[1] ? 1 : 300);
        std::vector<std::byte> cpu_states(states * target.kernel->state_size), gpu_states(cpu_states.size());
        target.kernel->init(cpu_states.data(), states);
        target.kernel->init(gpu_states.data(), states);
        target.states = cpu_states.data();
        k::reduce_fused(program, host_ptrs, extent, target);
        target.states = gpu_states.data();
        cuda::reduce_fused_on_device(program, device_ptrs, extent, op, target, nullptr);
        const std::size_t out_bytes = states * tessera::itemsize(target.kernel->output);
        std::vector<std::byte> expected(out_bytes), got(out_bytes);
        target.kernel->finalize(cpu_states.data(), expected.data(), states, 1.0);
        target.kernel->finalize(gpu_states.data(), got.data(), states, 1.0);
        if (tessera::is_floating(target.kernel->output)) {
          tessera::type_dispatch(target.kernel->output, [&]<class T>() {
            if constexpr (tessera::kernels::ops::is_real_float_v<T>) {
              for (std::size_t e = 0; e < states; ++e) {
                T tx, ty;
                std::memcpy(&tx, expected.data() + e * sizeof(T), sizeof(T));
                std::memcpy(&ty, got.data() + e * sizeof(T), sizeof(T));
                const auto x = static_cast<double>(tx), y = static_cast<double>(ty);
                // Both accumulate in double and round once: 16-bit floats may differ by one ulp.
                const double epsilon = static_cast<double>(std::numeric_limits<T>::epsilon());
                const double tolerance = epsilon < 1e-3 ? 1e-4 : 2 * epsilon;
                EXPECT_NEAR(x, y, tolerance * std::max<double>(1.0, std::abs(x))) << op << " " << tessera::name(dtype);
              }
            }
          });
        } else {
          EXPECT_EQ(expected, got) << op << " " << tessera::name(dtype);
        }
      }
    }
  }
}

}  // namespace
