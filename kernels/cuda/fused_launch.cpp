#include "tessera/kernels/cuda/fused_launch.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/kernels/cuda/fused_source.hpp"
#include "tessera/kernels/cuda/nvrtc_compiler.hpp"
#include "tessera/kernels/ops/portable.hpp"

namespace tessera::kernels::cuda {
namespace {

void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) throw Error(std::string(call) + " failed: " + cudaGetErrorString(status));
}

/// A compiled kernel loaded into the process: CUDA libraries are context-independent,
/// so one load serves every device of the cubin's architecture.
struct LoadedKernel {
  cudaLibrary_t library = nullptr;
  cudaKernel_t kernel = nullptr;
  int* error_code = nullptr;  // the library's tessera_error_code, in device memory
};

LoadedKernel load(const std::shared_ptr<const Cubin>& cubin, const std::string& name) {
  static std::mutex mutex;
  static std::map<const Cubin*, LoadedKernel> loaded;  // the cubins live in compile_cuda's cache
  std::lock_guard lock(mutex);
  if (auto it = loaded.find(cubin.get()); it != loaded.end()) return it->second;
  LoadedKernel k;
  check(cudaLibraryLoadData(&k.library, cubin->data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
        "cudaLibraryLoadData");
  check(cudaLibraryGetKernel(&k.kernel, k.library, name.c_str()), "cudaLibraryGetKernel");
  void* flag = nullptr;
  std::size_t bytes = 0;
  check(cudaLibraryGetGlobal(&flag, &bytes, k.library, "tessera_error_code"), "cudaLibraryGetGlobal");
  k.error_code = static_cast<int*>(flag);
  return loaded.emplace(cubin.get(), k).first->second;
}

int current_architecture(int& multiprocessors) {
  int device = 0, major = 0, minor = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "cudaDeviceGetAttribute");
  check(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device), "cudaDeviceGetAttribute");
  check(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute");
  return major * 10 + minor;
}

}  // namespace

void evaluate_fused_on_device(const FusedProgram& program, std::span<const void* const> sources,
                              std::span<const std::int64_t> shape, void* out, cudaStream_t stream) {
  std::vector<std::int64_t> arguments = fused_kernel_arguments(program, sources, shape, out);
  const std::int64_t count = arguments[0];
  if (count == 0) return;
  int multiprocessors = 1;
  const int architecture = current_architecture(multiprocessors);
  const FusedKernelSource source = fused_kernel_source(program, static_cast<int>(shape.size()));
  const std::shared_ptr<const Cubin> cubin =
      compile_cuda(source.source, NvrtcOptions{architecture, default_kernel_cache_directory()});
  const LoadedKernel k = load(cubin, source.name);

  // A grid-stride loop: enough blocks to fill every multiprocessor a few times over.
  const std::int64_t wanted = (count + kFusedBlockThreads - 1) / kFusedBlockThreads;
  const auto blocks = static_cast<unsigned>(std::min<std::int64_t>(wanted, std::int64_t{multiprocessors} * 16));
  check(cudaMemsetAsync(k.error_code, 0, sizeof(int), stream), "cudaMemsetAsync");
  const std::size_t argument_bytes = arguments.size() * sizeof(std::int64_t);
  void* device_arguments = nullptr;
  if (!source.argument_in_parameter) {
    check(cudaMallocAsync(&device_arguments, argument_bytes, stream), "cudaMallocAsync");
    check(cudaMemcpyAsync(device_arguments, arguments.data(), argument_bytes, cudaMemcpyHostToDevice, stream),
          "cudaMemcpyAsync");
  }
  void* by_value[] = {arguments.data()};
  void* by_pointer[] = {&device_arguments};
  const cudaError_t launched =
      cudaLaunchKernel(reinterpret_cast<const void*>(k.kernel), dim3(blocks), dim3(kFusedBlockThreads),
                       source.argument_in_parameter ? by_value : by_pointer, 0, stream);
  if (device_arguments != nullptr) check(cudaFreeAsync(device_arguments, stream), "cudaFreeAsync");
  check(launched, "cudaLaunchKernel");
  int error_code = 0;
  check(cudaMemcpyAsync(&error_code, k.error_code, sizeof(int), cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync");
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  if (error_code != 0) throw ValueError(ops::port::message(static_cast<ops::port::ErrorCode>(error_code)));
}

}  // namespace tessera::kernels::cuda
